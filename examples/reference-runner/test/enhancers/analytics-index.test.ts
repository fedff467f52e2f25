import { describe, expect, it } from 'vitest'
import { createAnalyticsIndex } from '../../src/enhancers/index.js'
import {
  INSTRUCTOR,
  OTHER_INSTRUCTOR,
  OTHER_STUDENT,
  STUDENT,
  attendanceView,
  resultView,
  scheduleView,
} from './fixtures.js'

describe('createAnalyticsIndex', () => {
  it('indexes attendance by student pseudonym', () => {
    const index = createAnalyticsIndex()
    expect(
      index.observe('Student Attendance', 'EDU-ATT-2024-00001', attendanceView('2024-03-04', 'Present')),
    ).toBe(true)
    index.observe(
      'Student Attendance',
      'EDU-ATT-2024-00002',
      attendanceView('2024-03-04', 'Absent', { student: OTHER_STUDENT }),
    )
    expect(index.attendanceOf(STUDENT).map((a) => a.status)).toEqual(['Present'])
    expect(index.attendanceOf(OTHER_STUDENT).map((a) => a.status)).toEqual(['Absent'])
  })

  it('replaces a re-synced document instead of counting it twice', () => {
    const index = createAnalyticsIndex()
    const view = attendanceView('2024-03-04', 'Absent', { course_schedule: 'EDU-CSH-2024-00001' })
    index.observe('Student Attendance', 'EDU-ATT-2024-00001', view)
    index.observe('Student Attendance', 'EDU-ATT-2024-00001', { ...view, status: 'Present' })
    expect(index.attendanceOf(STUDENT)).toHaveLength(1)
    expect(index.sessionCounts('EDU-CSH-2024-00001')).toEqual({ present: 1, absent: 0, leave: 0 })
  })

  it('forgets a document whose new version is unusable', () => {
    const index = createAnalyticsIndex()
    index.observe('Student Attendance', 'EDU-ATT-2024-00001', attendanceView('2024-03-04', 'Present'))
    expect(
      index.observe('Student Attendance', 'EDU-ATT-2024-00001', attendanceView('2024-03-04', 'Unknown')),
    ).toBe(false)
    expect(index.attendanceOf(STUDENT)).toEqual([])
  })

  it('removes a deleted document', () => {
    const index = createAnalyticsIndex()
    index.observe('Assessment Result', 'EDU-RES-2024-00001', resultView(42, 30))
    index.remove('Assessment Result', 'EDU-RES-2024-00001')
    expect(index.resultsOfStudent(STUDENT)).toEqual([])
    expect(index.resultsOfCourse('Mathematics')).toEqual([])
    expect(index.classAverages('EDU-ASP-2024-00001').size).toBe(0)
  })

  it('indexes results by student, course and group + course, dated by their plan', () => {
    const index = createAnalyticsIndex()
    index.observe('Assessment Result', 'EDU-RES-2024-00001', resultView(42, 30))
    index.observe('Assessment Plan', 'EDU-ASP-2024-00001', {
      schedule_date: '2024-03-11',
      course: 'Mathematics',
    })
    expect(index.resultsOfStudent(STUDENT)[0]).toMatchObject({
      name: 'EDU-RES-2024-00001',
      percent: 72,
      date: '2024-03-11',
    })
    expect(index.resultsOfCourse('Mathematics')).toHaveLength(1)
    expect(index.resultsOfGroupCourse('Grade 7 - A', 'Mathematics')).toHaveLength(1)
    expect(index.resultsOfGroupCourse('Grade 7 - B', 'Mathematics')).toEqual([])
  })

  it('dates results whose plan date arrives later, and undates them when the plan is removed', () => {
    const index = createAnalyticsIndex()
    index.observe('Assessment Result', 'R1', resultView(42, 30))
    expect(index.resultsOfStudent(STUDENT)[0]?.date).toBeNull()
    index.setPlanDate('EDU-ASP-2024-00001', '2024-03-11')
    expect(index.hasPlanDate('EDU-ASP-2024-00001')).toBe(true)
    expect(index.resultsOfStudent(STUDENT)[0]?.date).toBe('2024-03-11')
    index.remove('Assessment Plan', 'EDU-ASP-2024-00001')
    expect(index.resultsOfStudent(STUDENT)[0]?.date).toBeNull()
  })

  it('keeps running class averages per plan and criterion, leaving the result itself out', () => {
    const index = createAnalyticsIndex()
    index.observe('Assessment Result', 'R1', resultView(30, 20)) // 50 %, 50 %
    index.observe('Assessment Result', 'R2', resultView(60, 40, { student: OTHER_STUDENT })) // 100 %, 100 %
    index.observe('Assessment Result', 'R3', resultView(45, 30, { student: 'psn_v1_x' })) // 75 %, 75 %
    expect(index.classAverages('EDU-ASP-2024-00001').get('Written Exam')).toEqual({ percent: 75, results: 3 })
    expect(index.classAverages('EDU-ASP-2024-00001', 'R1').get('Written Exam')).toEqual({
      percent: 87.5,
      results: 2,
    })
    // replacing R2 updates the sums
    index.observe('Assessment Result', 'R2', resultView(0, 40, { student: OTHER_STUDENT }))
    expect(index.classAverages('EDU-ASP-2024-00001').get('Written Exam')?.percent).toBeCloseTo(125 / 3, 10)
  })

  it('indexes schedules by instructor and by resource and date, and finds conflicts of given schedules', () => {
    const index = createAnalyticsIndex()
    index.observe('Course Schedule', 'CS1', scheduleView('9:00:00', '10:30:00'))
    index.observe(
      'Course Schedule',
      'CS2',
      scheduleView('10:00:00', '11:00:00', { instructor: OTHER_INSTRUCTOR, student_group: 'Grade 8 - B' }),
    )
    index.observe(
      'Course Schedule',
      'CS3',
      scheduleView('9:00:00', '10:00:00', {
        instructor: OTHER_INSTRUCTOR,
        room: 'R9',
        student_group: 'Grade 9 - C',
        schedule_date: '2024-03-05',
      }),
    )
    expect(index.schedulesOfInstructor(INSTRUCTOR).map((s) => s.name)).toEqual(['CS1'])
    expect(index.schedulesUsing('room', 'HTL-ROOM-2024-00001', '2024-03-04').map((s) => s.name)).toEqual([
      'CS1',
      'CS2',
    ])
    expect(index.conflictsOf(['CS1']).map((c) => [c.kind, c.first, c.second])).toEqual([
      ['room', 'CS1', 'CS2'],
    ])
    expect(index.conflictsOf(['CS3'])).toEqual([])
    expect(index.allConflicts()).toHaveLength(1)
    expect(index.size()).toEqual({ attendance: 0, results: 0, schedules: 3, plans: 0 })
  })

  it('ignores doctypes it does not index', () => {
    expect(createAnalyticsIndex().observe('Guardian', 'G1', { name: 'psn_v1_g' })).toBe(false)
  })
})
