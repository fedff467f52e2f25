import { describe, expect, it } from 'vitest'
import {
  classifyField,
  doctypeMeta,
  fieldClassification,
  fieldClassifications,
  getFieldClassification,
  isUnknownDocTypeError,
} from '../src/index.js'

describe('fieldClassification', () => {
  it('classifies every value field of every doctype', () => {
    for (const [doctype, meta] of Object.entries(doctypeMeta)) {
      const classes = fieldClassification[doctype as keyof typeof fieldClassification]
      for (const f of meta.fields) expect(fieldClassifications).toContain(classes[f.fieldname])
    }
  })

  it.each([
    ['Student', 'first_name', 'direct_pii'],
    ['Student', 'student_email_id', 'direct_pii'],
    ['Student', 'student_mobile_number', 'direct_pii'],
    ['Student', 'address_line_1', 'direct_pii'],
    ['Student', 'date_of_birth', 'direct_pii'],
    ['Student', 'image', 'direct_pii'],
    ['Student', 'user', 'direct_pii'],
    ['Student', 'name', 'direct_pii'],
    ['Student', 'owner', 'direct_pii'],
    ['Guardian', 'mobile_number', 'direct_pii'],
    ['Student Guardian', 'parent', 'direct_pii'],
    ['Assessment Result', 'student', 'direct_pii'],
    ['Instructor', 'instructor_name', 'direct_pii'],
    ['Student', 'joining_date', 'directory'],
    ['Student', 'enabled', 'directory'],
    ['Program Enrollment', 'program', 'directory'],
    ['Program Enrollment', 'student_batch_name', 'directory'],
    ['Student', 'blood_group', 'education_record'],
    ['Student', 'gender', 'education_record'],
    ['Student', 'ai_learning_profile', 'education_record'],
    ['Assessment Result', 'total_score', 'education_record'],
    ['Assessment Result Detail', 'score', 'education_record'],
    ['Student Attendance', 'status', 'education_record'],
    ['Student Log', 'log', 'education_record'],
    ['AI Engagement Log', 'independence_score', 'education_record'],
    ['Instructor', 'gender', 'personal'],
    ['Instructor', 'ai_teaching_profile', 'personal'],
    ['Instructor', 'department', 'none'],
    ['Course', 'course_name', 'none'],
    ['Course', 'hero_image', 'none'],
    ['Course Schedule', 'from_time', 'none'],
    ['Course Schedule', 'instructor_name', 'direct_pii'],
    ['Room', 'room_name', 'none'],
    ['Student', 'naming_series', 'none'],
  ] as const)('%s.%s is %s', (doctype, field, expected) => {
    expect(getFieldClassification(doctype, field)).toBe(expected)
  })

  it('gives unknown fields of a student record the conservative default', () => {
    expect(getFieldClassification('Student', 'custom_allergies')).toBe('education_record')
    expect(getFieldClassification('Student', 'creation')).toBe('none')
  })

  it('classifies your own doctypes by the same rules', () => {
    expect(classifyField('Library Member', { fieldname: 'email', fieldtype: 'Data' })).toBe('direct_pii')
    expect(
      classifyField('Library Member', { fieldname: 'member', fieldtype: 'Link', options: 'Student' }),
    ).toBe('direct_pii')
    expect(classifyField('Library Member', { fieldname: 'shelf', fieldtype: 'Data' })).toBe('none')
  })

  it('throws for an unknown doctype', () => {
    expect(() => getFieldClassification('Studnet', 'first_name')).toThrow(
      expect.objectContaining({ code: 'ERR_UNKNOWN_DOCTYPE' }),
    )
    try {
      getFieldClassification('Studnet', 'x')
    } catch (e) {
      expect(isUnknownDocTypeError(e)).toBe(true)
    }
  })
})
