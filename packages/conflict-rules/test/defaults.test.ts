import { describe, expect, it } from 'vitest'
import { defaultEducationRules, type Doc, resolve } from '../src/index.js'

// The seed design's rule table, as written in ARCHITECTURE.md "Default conflict rules":
// student_name, student_email_id, guardian contact data, grades/assessment results and attendance →
// erpnext_wins; ai_learning_profile, ai_performance_insights and other ai_* → ai_wins;
// ai_engagement_metrics, learning_preferences → merge; anything unclassified → manual_review.
const TABLE: [doctype: string, path: string, strategy: string][] = [
  ['Student', 'student_name', 'erpnext_wins'],
  ['Student', 'student_email_id', 'erpnext_wins'],
  ['Program Enrollment', 'student_name', 'erpnext_wins'],
  ['Guardian', 'email_address', 'erpnext_wins'],
  ['Guardian', 'mobile_number', 'erpnext_wins'],
  ['Guardian', 'alternate_number', 'erpnext_wins'],
  ['Student', 'guardians[]', 'erpnext_wins'],
  ['Student', 'guardians[].relation', 'erpnext_wins'],
  ['Assessment Result', 'total_score', 'erpnext_wins'],
  ['Assessment Result', 'grade', 'erpnext_wins'],
  ['Assessment Result', 'details[].score', 'erpnext_wins'],
  ['Student Attendance', 'status', 'erpnext_wins'],
  ['Student Attendance', 'date', 'erpnext_wins'],
  ['Student', 'ai_learning_profile', 'ai_wins'],
  ['Student', 'ai_performance_insights', 'ai_wins'],
  ['Student', 'ai_preferences_settings', 'ai_wins'],
  ['Instructor', 'ai_teaching_profile', 'ai_wins'],
  ['Program Enrollment', 'ai_progress_tracking', 'ai_wins'],
  ['Student', 'ai_engagement_metrics', 'merge'],
  ['Student', 'learning_preferences', 'merge'],
  ['Student', 'first_name', 'manual_review'],
  ['Student', 'student_mobile_number', 'manual_review'],
  ['Course', 'description', 'manual_review'],
  ['Student', 'siblings[].full_name', 'manual_review'],
]

describe('defaultEducationRules follows the seed design', () => {
  it.each(TABLE)('%s.%s → %s', (doctype, path, strategy) => {
    expect(defaultEducationRules.match(doctype, path).strategy.name).toBe(strategy)
  })

  const STUDENT = { name: 'EDU-STU-2024-00001', doctype: 'Student', modified: '2024-05-01 10:00:00' }
  const run = (base: Doc, ours: Doc, theirs: Doc) =>
    resolve({
      base: { ...STUDENT, ...base },
      ours: { ...STUDENT, ...ours },
      theirs: { ...STUDENT, ...theirs } as Doc,
      doctype: 'Student',
      rules: defaultEducationRules,
      now: 0,
    })

  it('student_email_id conflict → ERPNext value everywhere', () => {
    const r = run(
      { student_email_id: 'a@x.example' },
      { student_email_id: 'b@x.example' },
      { student_email_id: 'c@x.example' },
    )
    expect(r.merged.student_email_id).toBe('c@x.example')
    expect(r.writeToAi).toEqual({ student_email_id: 'c@x.example' })
  })

  it('ai_learning_profile conflict → AI value written to ERPNext as JSON text', () => {
    const r = run(
      { ai_learning_profile: '{"level":1}' },
      { ai_learning_profile: { level: 3 } },
      { ai_learning_profile: '{"level":2}' },
    )
    expect(r.writeToErpnext).toEqual({ ai_learning_profile: '{"level":3}' })
    expect(r.writeToAi).toEqual({})
  })

  it('ai_engagement_metrics conflict → merged (objects by key, numbers by max, arrays as sets)', () => {
    const r = run(
      { ai_engagement_metrics: '{"sessions":3,"topics":["algebra"],"streak":{"days":2}}' },
      { ai_engagement_metrics: { sessions: 5, topics: ['algebra', 'geometry'], streak: { days: 2 } } },
      { ai_engagement_metrics: '{"sessions":4,"topics":["algebra","poetry"],"streak":{"days":3}}' },
    )
    expect(JSON.parse(r.merged.ai_engagement_metrics as string)).toEqual({
      sessions: 5,
      topics: ['algebra', 'geometry', 'poetry'],
      streak: { days: 3 },
    })
    expect(r.decisions[0]).toMatchObject({
      path: 'ai_engagement_metrics',
      strategy: 'merge',
      winner: 'merged',
    })
  })

  it('an unclassified conflict → manual review', () => {
    const r = run({ first_name: 'Ann' }, { first_name: 'Anna' }, { first_name: 'Anne' })
    expect(r.review).toEqual([
      expect.objectContaining({
        path: 'first_name',
        base: 'Ann',
        ours: 'Anna',
        theirs: 'Anne',
        rule: 'fallback',
      }),
    ])
    expect(r.needsWrite).toEqual({ erpnext: false, ai: false })
  })

  it('a guardian row changed on both sides → ERPNext', () => {
    const row = { name: 'g1', idx: 1, parentfield: 'guardians', guardian: 'EDU-GRD-2024-00001' }
    const r = run(
      { guardians: [{ ...row, relation: 'Mother' }] },
      { guardians: [{ ...row, relation: 'Father' }] },
      { guardians: [{ ...row, relation: 'Others' }] },
    )
    expect(r.merged.guardians).toEqual([{ ...row, relation: 'Others' }])
    expect(r.decisions[0]).toMatchObject({ rule: 'student-guardians', winner: 'theirs' })
  })

  it('can be extended by a school without copying it', () => {
    const school = defaultEducationRules.extend([
      { doctype: 'Student', field: 'first_name', strategy: 'erpnext_wins' },
    ])
    expect(school.match('Student', 'first_name').strategy.name).toBe('erpnext_wins')
    expect(school.match('Student', 'ai_learning_profile').strategy.name).toBe('ai_wins')
  })
})
