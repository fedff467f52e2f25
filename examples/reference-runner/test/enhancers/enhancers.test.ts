import type { ErpDoc } from '@edusync/sync-core'
import { describe, expect, it } from 'vitest'
import {
  createAnalyticsIndex,
  createAssessmentInsightEnhancer,
  createCourseDifficultyEnhancer,
  createDefaultEnhancers,
  createEducationEnhancers,
  createIndexingEnhancer,
  createInstructorMetricsEnhancer,
  createProgramProgressEnhancer,
  createStudentInsightsEnhancer,
  resolveEnhancerOptions,
} from '../../src/enhancers/index.js'
import {
  INSTRUCTOR,
  OTHER_INSTRUCTOR,
  SCHOOL_DAYS,
  STUDENT,
  attendanceView,
  context,
  resultView,
  scheduleView,
} from './fixtures.js'

const NOW = () => Date.UTC(2024, 2, 20, 9, 15, 0)

/** Index a term of attendance (absent the last three days) and four Mathematics results, rising. */
async function school() {
  const ai = createEducationEnhancers({ now: NOW })
  const [indexer] = ai.enhancers
  const mirror = new Map<string, ErpDoc>()
  const plans = ['2024-01-15', '2024-02-05', '2024-02-26', '2024-03-18']
  for (const [i, date] of plans.entries())
    mirror.set(`Assessment Plan\u0000EDU-ASP-2024-0000${i + 1}`, { schedule_date: date })
  for (const [i, date] of SCHOOL_DAYS.entries())
    await indexer!.enhance(
      context(
        'Student Attendance',
        `EDU-ATT-2024-000${10 + i}`,
        attendanceView(date, i >= 9 ? 'Absent' : 'Present'),
      ),
    )
  const scores: [number, number][] = [
    [24, 20],
    [30, 22],
    [33, 25],
    [39, 27],
  ]
  for (const [i, [w, c]] of scores.entries())
    await indexer!.enhance(
      context(
        'Assessment Result',
        `EDU-RES-2024-0000${i + 1}`,
        resultView(w, c, { assessment_plan: `EDU-ASP-2024-0000${i + 1}` }),
        { mirror },
      ),
    )
  return { ai, mirror }
}

describe('the student insights enhancer', () => {
  it('writes the trend, prediction and attendance early warning into ai_performance_insights', async () => {
    const { ai } = await school()
    const student = createStudentInsightsEnhancer(ai.options)
    const out = await student.enhance(context('Student', 'EDU-STU-2024-00001', { name: STUDENT, enabled: 1 }))
    const insights = out?.fields?.ai_performance_insights as Record<string, any>
    // totals 44, 52, 58, 66 → slope 36/5 = 7.2 per assessment, intercept 44.2, next (x = 4) 73.
    expect(insights).toMatchObject({
      version: 1,
      trend: 'improving',
      slope: 7.2,
      predictedNextScore: 73,
      results: 4,
      latestScore: 66,
      courses: [{ course: 'Mathematics', trend: 'improving', results: 4 }],
      earlyWarning: { level: 'warning' },
      attendance: { present: 9, absent: 3, currentAbsenceStreak: 3, lastDate: '2024-03-19' },
    })
    expect(insights.confidence).toBeGreaterThan(0)
    expect(insights.explanation).toContain('rose')
  })

  it('writes nothing for a student with no attendance or results', async () => {
    const { ai } = await school()
    const student = createStudentInsightsEnhancer(ai.options)
    expect(
      await student.enhance(context('Student', 'EDU-STU-2024-00002', { name: 'psn_v1_nobody' })),
    ).toBeUndefined()
  })

  it('produces the same value twice, so an unchanged picture is not written back again', async () => {
    const { ai } = await school()
    const student = createStudentInsightsEnhancer(ai.options)
    const ctx = context('Student', 'EDU-STU-2024-00001', { name: STUDENT })
    expect(await student.enhance(ctx)).toEqual(await student.enhance(ctx))
  })
})

describe('the assessment insight enhancer', () => {
  it('inserts an Assessment Insight keyed by result name and modified', async () => {
    const { ai } = await school()
    const insight = createAssessmentInsightEnhancer(ai.options)
    const out = await insight.enhance(
      context('Assessment Result', 'EDU-RES-2024-00009', resultView(18, 36), {
        modified: '2024-03-20 10:15:00.5',
      }),
    )
    expect(out?.fields).toBeUndefined()
    expect(out?.documents).toEqual([
      {
        doctype: 'Assessment Insight',
        key: 'assessment-insight:EDU-RES-2024-00009:2024-03-20 10:15:00.5',
        doc: expect.objectContaining({
          assessment_result: 'EDU-RES-2024-00009',
          generated_timestamp: '2024-03-20 09:15:00',
          learning_gaps: [expect.objectContaining({ criterion: 'Written Exam', severity: 'high' })],
        }),
      },
    ])
  })

  it('compares with the class average of the same plan once the class is big enough', async () => {
    const ai = createEducationEnhancers({ now: NOW, criteria: { minClassSize: 3 } })
    const insight = createAssessmentInsightEnhancer(ai.options)
    for (let i = 0; i < 3; i++)
      await insight.enhance(
        context('Assessment Result', `R${i}`, resultView(57, 38, { student: `psn_v1_s${i}` })),
      )
    const out = await insight.enhance(context('Assessment Result', 'R9', resultView(42, 30)))
    const doc = out?.documents?.[0]?.doc as Record<string, any>
    // the class scored 95 % on both criteria; this result 70 % and 75 %
    expect(doc.learning_gaps).toEqual([
      { criterion: 'Written Exam', percent: 70, belowTarget: 0, belowClass: 25, severity: 'low' },
      { criterion: 'Coursework', percent: 75, belowTarget: 0, belowClass: 20, severity: 'low' },
    ])
  })

  it('skips a result without details', async () => {
    const insight = createAssessmentInsightEnhancer()
    expect(
      await insight.enhance(context('Assessment Result', 'R1', resultView(42, 30, { details: [] }))),
    ).toBeUndefined()
  })

  it('skips a cancelled result when the view carries docstatus', async () => {
    const ai = createEducationEnhancers()
    const insight = createAssessmentInsightEnhancer(ai.options)
    await insight.enhance(context('Assessment Result', 'R1', resultView(42, 30)))
    expect(
      await insight.enhance(context('Assessment Result', 'R1', resultView(42, 30, { docstatus: 2 }))),
    ).toBeUndefined()
    expect(ai.index.resultsOfStudent(STUDENT)).toEqual([])
  })
})

describe('the program progress enhancer', () => {
  it('tracks progress and records the absence streak as an intervention, keeping entries people wrote', async () => {
    const { ai } = await school()
    const progress = createProgramProgressEnhancer(ai.options)
    const teacherNote = { date: '2024-03-01', note: 'Met with family', source: 'teacher' }
    const out = await progress.enhance(
      context('Program Enrollment', 'EDU-ENR-2024-00001', {
        name: 'psn_v1_enr',
        student: STUDENT,
        program: 'Middle School',
        academic_year: '2023-24',
        ai_intervention_history: JSON.stringify([
          teacherNote,
          { id: 'absence_streak:2024-01-01', source: 'edusync', type: 'absence_streak' },
        ]),
      }),
    )
    expect(out?.fields?.ai_progress_tracking).toMatchObject({
      program: 'Middle School',
      academicYear: '2023-24',
      attendance: { level: 'warning', currentAbsenceStreak: 3 },
      results: { results: 4, mean: 55 },
      trend: { trend: 'improving' },
      courses: [{ course: 'Mathematics', results: 4 }],
    })
    expect(out?.fields?.ai_intervention_history).toEqual([
      teacherNote,
      expect.objectContaining({
        id: 'absence_streak:2024-03-15',
        source: 'edusync',
        type: 'absence_streak',
        level: 'warning',
        since: '2024-03-15',
      }),
      expect.objectContaining({
        id: 'low_attendance',
        level: 'warning',
        detail: 'Attendance rate 75% over 12 sessions is below 85%.',
      }),
    ])
  })

  it('leaves out results of another program', async () => {
    const { ai } = await school()
    const progress = createProgramProgressEnhancer(ai.options)
    const out = await progress.enhance(
      context('Program Enrollment', 'EDU-ENR-2024-00002', { student: STUDENT, program: 'High School' }),
    )
    expect(out?.fields?.ai_progress_tracking).toMatchObject({ results: { results: 0 } })
  })
})

describe('the course difficulty enhancer', () => {
  it('profiles the course by its real name (results link to it by name)', async () => {
    const { ai } = await school()
    const course = createCourseDifficultyEnhancer(ai.options)
    const out = await course.enhance(
      context('Course', 'Mathematics', { name: 'psn_v1_course', course_name: 'Mathematics' }),
    )
    expect(out?.fields?.ai_difficulty_profile).toMatchObject({
      results: 4,
      mean: 55,
      difficulty: 'insufficient_data',
    })
  })

  it('writes nothing for a course without results', async () => {
    const course = createCourseDifficultyEnhancer()
    expect(await course.enhance(context('Course', 'Art', { course_name: 'Art' }))).toBeUndefined()
  })
})

describe('the instructor metrics enhancer', () => {
  it('reports sessions, results, attendance and a room conflict with free slots', async () => {
    const { ai } = await school()
    const indexer = createIndexingEnhancer(ai.options)
    await indexer.enhance(
      context('Course Schedule', 'EDU-CSH-2024-00001', scheduleView('9:00:00', '10:30:00')),
    )
    await indexer.enhance(
      context(
        'Course Schedule',
        'EDU-CSH-2024-00002',
        scheduleView('10:00:00', '11:00:00', {
          instructor: OTHER_INSTRUCTOR,
          student_group: 'Grade 8 - B',
          course: 'Science',
        }),
      ),
    )
    await indexer.enhance(
      context(
        'Student Attendance',
        'EDU-ATT-2024-00099',
        attendanceView('2024-03-04', 'Absent', {
          student: 'psn_v1_s2',
          course_schedule: 'EDU-CSH-2024-00001',
        }),
      ),
    )
    const metrics = createInstructorMetricsEnhancer(ai.options)
    const out = await metrics.enhance(
      context('Instructor', 'EDU-INS-2024-00001', { name: INSTRUCTOR, status: 'Active' }),
    )
    expect(out?.fields?.ai_performance_metrics).toMatchObject({
      version: 1,
      sessions: 1,
      hoursScheduled: 1.5,
      courses: ['Mathematics'],
      studentGroups: ['Grade 7 - A'],
      results: { results: 4, mean: 55 },
      attendanceRate: 0,
      attendanceMarked: 1,
      conflicts: [
        {
          kind: 'room',
          resource: 'HTL-ROOM-2024-00001',
          date: '2024-03-04',
          first: 'EDU-CSH-2024-00001',
          second: 'EDU-CSH-2024-00002',
          overlapFrom: '10:00:00',
          overlapTo: '10:30:00',
          suggestions: [
            { date: '2024-03-04', from_time: '8:00:00', to_time: '9:00:00' },
            { date: '2024-03-04', from_time: '10:30:00', to_time: '11:30:00' },
            { date: '2024-03-04', from_time: '11:30:00', to_time: '12:30:00' },
          ],
        },
      ],
    })
  })

  it('does not write the instructor pseudonym for an instructor double-booking', async () => {
    const ai = createEducationEnhancers()
    const indexer = createIndexingEnhancer(ai.options)
    await indexer.enhance(context('Course Schedule', 'A', scheduleView('9:00:00', '10:00:00')))
    await indexer.enhance(
      context(
        'Course Schedule',
        'B',
        scheduleView('9:30:00', '10:30:00', { room: 'R2', student_group: 'G2' }),
      ),
    )
    const out = await createInstructorMetricsEnhancer(ai.options).enhance(
      context('Instructor', 'I', { name: INSTRUCTOR }),
    )
    expect(JSON.stringify(out)).not.toContain(INSTRUCTOR)
  })
})

describe('createEducationEnhancers / createDefaultEnhancers', () => {
  it('registers the indexing enhancer first and shares one index', () => {
    const ai = createEducationEnhancers()
    expect(ai.enhancers.map((e) => e.name)).toEqual([
      'edusync.index',
      'edusync.assessment-insights',
      'edusync.student-insights',
      'edusync.program-progress',
      'edusync.course-difficulty',
      'edusync.instructor-metrics',
    ])
    expect(createDefaultEnhancers().map((e) => e.doctypes)).toEqual(ai.enhancers.map((e) => e.doctypes))
    expect(Object.isFrozen(ai.options)).toBe(true)
  })

  it('uses a given index', () => {
    const index = createAnalyticsIndex()
    expect(createEducationEnhancers({ index }).index).toBe(index)
  })

  it('fetches the plan date through the mirror once and remembers it', async () => {
    const ai = createEducationEnhancers()
    let reads = 0
    class CountingMirror extends Map<string, ErpDoc> {
      override get(key: string) {
        reads++
        return super.get(key)
      }
    }
    const counting = new CountingMirror([
      ['Assessment Plan\u0000EDU-ASP-2024-00001', { schedule_date: '2024-03-11' }],
    ])
    for (const n of ['R1', 'R2'])
      await ai.enhancers[0]!.enhance(
        context('Assessment Result', n, resultView(40, 30), { mirror: counting }),
      )
    expect(reads).toBe(1)
    expect(ai.index.resultsOfStudent(STUDENT).map((r) => r.date)).toEqual(['2024-03-11', '2024-03-11'])
  })

  it('names a bad time zone', () => {
    expect(() => resolveEnhancerOptions({ timeZone: 'Mars/Olympus' })).toThrow(
      /"timeZone" must be an IANA time zone/,
    )
  })

  it('names a bad clock', () => {
    expect(() => resolveEnhancerOptions({ now: 5 as never })).toThrow(TypeError)
  })

  it('names a bad index', () => {
    expect(() => resolveEnhancerOptions({ index: {} as never })).toThrow(
      /"index" must come from createAnalyticsIndex/,
    )
  })

  it('names a bad nested threshold', () => {
    expect(() => createEducationEnhancers({ attendance: { criticalStreak: 0 } })).toThrow(/"criticalStreak"/)
  })
})
