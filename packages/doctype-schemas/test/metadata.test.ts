import { describe, expect, it } from 'vitest'
import {
  aiCustomDocTypes,
  aiCustomFields,
  aiDocTypeMeta,
  doctypeMeta,
  educationDocTypes,
  getDocTypeMeta,
  isUnknownDocTypeError,
} from '../src/index.js'

const ISSUE_DOCTYPES = [
  'Student',
  'Guardian',
  'Instructor',
  'Course',
  'Program',
  'Program Enrollment',
  'Student Group',
  'Assessment Plan',
  'Assessment Criteria',
  'Assessment Result',
  'Grading Scale',
  'Student Attendance',
  'Course Schedule',
  'Academic Year',
  'Academic Term',
  'Student Batch Name',
  'Room',
  'Topic',
  'Course Enrollment',
  'Student Log',
]

describe('doctypeMeta', () => {
  it('covers every doctype of the issue and every child table they use', () => {
    for (const name of ISSUE_DOCTYPES) expect(educationDocTypes).toContain(name)
    for (const meta of Object.values(doctypeMeta)) {
      for (const f of meta.fields) {
        if (f.fieldtype === 'Table') {
          expect(doctypeMeta).toHaveProperty([f.options!])
          expect(getDocTypeMeta(f.options!).istable).toBe(1)
        }
      }
    }
    expect(educationDocTypes).toContain('Program Enrollment Fee')
  })

  it('keeps the real field names (Student Attendance.date, no Course.course_code, Assessment Result.total_score)', () => {
    const names = (dt: string) => getDocTypeMeta(dt).fields.map((f) => f.fieldname)
    expect(names('Student Attendance')).toContain('date')
    expect(names('Course')).not.toContain('course_code')
    expect(names('Assessment Result')).toContain('total_score')
    expect(names('Assessment Result')).not.toContain('result')
  })

  it('records naming, submittability and flags', () => {
    expect(doctypeMeta['Program Enrollment'].is_submittable).toBe(1)
    expect(doctypeMeta['Student Guardian'].istable).toBe(1)
    expect(doctypeMeta.Course.autoname).toBe('field:course_name')
    const email = doctypeMeta.Student.fields.find((f) => f.fieldname === 'student_email_id')
    expect(email).toMatchObject({ fieldtype: 'Data', reqd: 1, unique: 1 })
  })

  it('throws a typed error for an unknown doctype', () => {
    let caught: unknown
    try {
      getDocTypeMeta('Studnet')
    } catch (e) {
      caught = e
    }
    expect(isUnknownDocTypeError(caught)).toBe(true)
    expect(String((caught as Error).message)).toMatch(
      /^\[@edusync\/doctype-schemas\] Unknown doctype "Studnet"/,
    )
  })

  it('is frozen', () => {
    expect(Object.isFrozen(doctypeMeta)).toBe(true)
    expect(Object.isFrozen(doctypeMeta.Student.fields)).toBe(true)
  })
})

describe('AI customizations', () => {
  it('defines every custom field of ARCHITECTURE.md with an explicit fieldname', () => {
    const byDt = (dt: string) => aiCustomFields.filter((f) => f.dt === dt).map((f) => f.fieldname)
    expect(byDt('Student')).toEqual([
      'ai_learning_profile',
      'ai_preferences_settings',
      'ai_interaction_summary',
      'ai_performance_insights',
    ])
    expect(byDt('Instructor')).toHaveLength(4)
    expect(byDt('Course')).toHaveLength(4)
    expect(byDt('Program Enrollment')).toEqual([
      'ai_progress_tracking',
      'ai_learning_path',
      'ai_intervention_history',
    ])
    for (const f of aiCustomFields) {
      expect(f.fieldname.startsWith('custom_')).toBe(false)
      expect(f.fieldtype).toBe(f.fieldname === 'ai_interaction_summary' ? 'Text' : 'JSON')
      expect(f.allow_on_submit === 1).toBe(f.dt === 'Program Enrollment')
    }
  })

  it('chains insert_after from an existing field', () => {
    for (const f of aiCustomFields) {
      const fields = doctypeMeta[f.dt as 'Student'].fields.map((x) => x.fieldname)
      expect(fields).toContain(f.insert_after)
      expect(fields.indexOf(f.fieldname)).toBe(fields.indexOf(f.insert_after) + 1)
    }
  })

  it('gives each AI doctype a unique, required idempotency key', () => {
    for (const def of aiCustomDocTypes) {
      expect(def.fields.find((f) => f.fieldname === 'idempotency_key')).toMatchObject({ unique: 1, reqd: 1 })
      expect(aiDocTypeMeta[def.name as 'Assessment Insight'].custom).toBe(1)
    }
    expect(aiDocTypeMeta['AI Engagement Log'].fields.map((f) => f.fieldname)).toEqual([
      'idempotency_key',
      'student',
      'session_date',
      'interaction_duration',
      'questions_asked',
      'concepts_explored',
      'help_requests',
      'independence_score',
    ])
  })
})
