import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import {
  assertDoc,
  createDocTypeRegistry,
  isDocValidationError,
  isUnknownDocTypeError,
  parseDoc,
  schemaFor,
  validateOutgoing,
} from '../src/index.js'
import {
  assessmentInsight,
  assessmentResult,
  courseSchedule,
  newAssessmentResult,
  newStudent,
  programEnrollment,
  student,
  studentAttendance,
  studentListRow,
} from './fixtures.js'

describe('parseDoc (read flavour) accepts documents as ERPNext returns them', () => {
  it.each([
    ['Student', student],
    ['Program Enrollment', programEnrollment],
    ['Course Schedule', courseSchedule],
    ['Assessment Result', assessmentResult],
    ['Student Attendance', studentAttendance],
    ['Assessment Insight', assessmentInsight],
  ] as const)('%s', (doctype, make) => {
    const result = parseDoc(doctype, make())
    expect(result.issues).toBeUndefined()
    expect(result.success).toBe(true)
  })

  it('accepts a list row with nulls and without child tables or doctype', () => {
    expect(parseDoc('Student', studentListRow()).success).toBe(true)
  })

  it('keeps unknown fields when reading (a site may have its own custom fields)', () => {
    const result = parseDoc('Student', { ...student(), custom_house_colour: 'green' })
    expect(result.success).toBe(true)
    expect((result.data as unknown as Record<string, unknown>).custom_house_colour).toBe('green')
  })

  it('accepts a time with a zero-padded hour as well', () => {
    expect(parseDoc('Course Schedule', { ...courseSchedule(), from_time: '09:05:00' }).success).toBe(true)
  })

  it('accepts a time with microseconds', () => {
    expect(parseDoc('Course Schedule', { ...courseSchedule(), from_time: '9:05:00.250000' }).success).toBe(
      true,
    )
  })
})

describe('parseDoc (read flavour) reports one broken thing with doctype, document and field', () => {
  const issuesOf = (doctype: Parameters<typeof parseDoc>[0], json: unknown) => {
    const result = parseDoc(doctype, json)
    expect(result.success).toBe(false)
    return result.issues ?? []
  }

  it('a Check sent as a boolean', () => {
    const [issue, ...rest] = issuesOf('Student', { ...student(), enabled: true })
    expect(rest).toEqual([])
    expect(issue).toMatchObject({ doctype: 'Student', docname: 'EDU-STU-2024-00017', field: 'enabled' })
    expect(issue?.message).toBe(
      'Student EDU-STU-2024-00017, field "enabled": expected 0 or 1 (a Check is never a boolean).',
    )
  })

  it('a Date in another format', () => {
    const [issue] = issuesOf('Student', { ...student(), joining_date: '19/08/2024' })
    expect(issue?.field).toBe('joining_date')
    expect(issue?.message).toContain('YYYY-MM-DD')
  })

  it('a Datetime with a T and an offset', () => {
    const [issue] = issuesOf('Student', { ...student(), modified: '2024-09-02T16:45:03+00:00' })
    expect(issue?.field).toBe('modified')
  })

  it('a Time without seconds (ERPNext always returns them)', () => {
    const [issue] = issuesOf('Course Schedule', { ...courseSchedule(), to_time: '10:35' })
    expect(issue?.field).toBe('to_time')
  })

  it('a Select value outside its options', () => {
    const [issue] = issuesOf('Student Attendance', { ...studentAttendance(), status: 'Late' })
    expect(issue?.message).toBe(
      'Student Attendance EDU-ATT-2024-00518, field "status": expected one of "Present", "Absent", "Leave".',
    )
  })

  it('a broken value inside a child row, with its path', () => {
    const doc = assessmentResult()
    doc.details[1]!.score = '35' as unknown as number
    const [issue, ...rest] = issuesOf('Assessment Result', doc)
    expect(rest).toEqual([])
    expect(issue).toMatchObject({
      path: ['details', 1, 'score'],
      field: 'details[1].score',
      code: 'invalid_type',
    })
    expect(issue?.message).toBe(
      'Assessment Result EDU-RES-2024-00044, field "details[1].score": expected number, got a string.',
    )
  })

  it('a JSON field that is not JSON', () => {
    const [issue] = issuesOf('Student', { ...student(), ai_learning_profile: '{"version":1' })
    expect(issue?.field).toBe('ai_learning_profile')
    expect(issue?.message).toContain('valid JSON')
  })

  it('a JSON field sent as an object (ERPNext returns a string)', () => {
    const [issue] = issuesOf('Student', { ...student(), ai_learning_profile: { version: 1 } })
    expect(issue?.field).toBe('ai_learning_profile')
  })

  it('a mandatory field set to null', () => {
    const [issue] = issuesOf('Student', { ...student(), first_name: null })
    expect(issue).toMatchObject({ field: 'first_name', code: 'invalid_type' })
  })

  it('a missing mandatory field', () => {
    const { first_name: _omit, ...doc } = student()
    const [issue] = issuesOf('Student', doc)
    expect(issue).toMatchObject({ field: 'first_name', code: 'required' })
  })

  it('a docstatus out of range', () => {
    const [issue] = issuesOf('Program Enrollment', { ...programEnrollment(), docstatus: 3 })
    expect(issue?.field).toBe('docstatus')
  })

  it('a wrong doctype label', () => {
    const [issue] = issuesOf('Student', { ...student(), doctype: 'Guardian' })
    expect(issue?.field).toBe('doctype')
  })

  it('never puts the offending value in the message (it may be PII)', () => {
    const [issue] = issuesOf('Student', {
      ...student(),
      date_of_birth: 'maya.okafor@students.school.example',
    })
    expect(issue?.message).not.toContain('maya.okafor')
    expect(JSON.stringify(issue)).not.toContain('maya.okafor')
  })

  it('lists every issue, not only the first', () => {
    const issues = issuesOf('Student', { ...student(), enabled: 2, blood_group: 'Q', joining_date: 'soon' })
    expect(issues.map((i) => i.field).sort()).toEqual(['blood_group', 'enabled', 'joining_date'])
  })

  it.each([null, undefined, 42, 'Student', [], true])('never throws for a non-object (%s)', (value) => {
    const [issue] = issuesOf('Student', value)
    expect(issue?.path).toEqual([])
    expect(issue?.message).toMatch(/^Student \(unnamed document\): expected a document object/)
  })
})

describe('validateOutgoing (create flavour)', () => {
  it('accepts a valid new document', () => {
    const result = validateOutgoing('Student', newStudent())
    expect(result.issues).toBeUndefined()
  })

  it('accepts a submittable document inserted submitted', () => {
    expect(validateOutgoing('Assessment Result', newAssessmentResult()).success).toBe(true)
  })

  it('rejects a misspelled field with a message naming it', () => {
    const { student_email_id, ...rest } = newStudent()
    const result = validateOutgoing('Student', { ...rest, student_emial_id: student_email_id })
    expect(result.success).toBe(false)
    const unknown = result.issues?.find((i) => i.code === 'unknown_field')
    expect(unknown?.field).toBe('student_emial_id')
    expect(unknown?.message).toContain('unknown field "student_emial_id"')
    expect(unknown?.message).toContain('Did you mean "student_email_id"?')
  })

  it('rejects an unknown field inside a child row, naming its path', () => {
    const doc = newStudent()
    const result = validateOutgoing('Student', {
      ...doc,
      guardians: [{ ...doc.guardians[0], relashun: 'Father' }],
    })
    const [issue, ...rest] = result.issues ?? []
    expect(rest).toEqual([])
    expect(issue).toMatchObject({ field: 'guardians[0].relashun', code: 'unknown_field' })
  })

  it('rejects server-set standard fields', () => {
    const result = validateOutgoing('Student', { ...newStudent(), modified: '2024-09-02 16:45:03' })
    expect(result.issues?.[0]).toMatchObject({ field: 'modified', code: 'unknown_field' })
  })

  it('requires mandatory fields that have no default and are not fetched', () => {
    const { student_email_id: _omit, ...doc } = newStudent()
    expect(validateOutgoing('Student', doc).issues?.[0]).toMatchObject({
      field: 'student_email_id',
      code: 'required',
    })
  })

  it('does not require a mandatory field that has a default (Student Attendance.status)', () => {
    const doc = { student: 'EDU-STU-2024-00017', date: '2024-09-09', student_group: 'Grade 8 - Mathematics' }
    expect(validateOutgoing('Student Attendance', doc).success).toBe(true)
  })

  it('requires at least one row in a mandatory table', () => {
    const result = validateOutgoing('Assessment Result', { ...newAssessmentResult(), details: [] })
    expect(result.issues?.[0]).toMatchObject({ field: 'details', code: 'required' })
  })

  it('accepts a time as typed (09:05) and a JSON field as an object', () => {
    const doc = {
      student_group: 'Grade 8 - Mathematics',
      instructor: 'EDU-INS-2024-00003',
      course: 'Mathematics 8',
      room: 'HTL-ROOM-2024-00004',
      from_time: '09:05',
      to_time: '10:35',
    }
    expect(validateOutgoing('Course Schedule', doc).success).toBe(true)
    expect(
      validateOutgoing('Student', { ...newStudent(), ai_learning_profile: { version: 1 } }).success,
    ).toBe(true)
  })

  it('refuses a list in a JSON field (ERPNext answers 417)', () => {
    const result = validateOutgoing('Student', { ...newStudent(), ai_learning_profile: [1, 2] })
    expect(result.issues?.[0]?.field).toBe('ai_learning_profile')
  })

  it('refuses docstatus on a doctype that is not submittable', () => {
    expect(validateOutgoing('Student', { ...newStudent(), docstatus: 1 }).issues?.[0]?.field).toBe(
      'docstatus',
    )
  })
})

describe('update flavour', () => {
  it('accepts a partial document with name and modified', () => {
    const doc = {
      name: 'EDU-STU-2024-00017',
      modified: '2024-09-02 16:45:03.118204',
      ai_learning_profile: '{}',
    }
    expect(validateOutgoing('Student', doc, { mode: 'update' }).success).toBe(true)
  })

  it('still rejects unknown fields', () => {
    const result = validateOutgoing(
      'Student',
      { name: 'EDU-STU-2024-00017', ai_learning_profil: '{}' },
      { mode: 'update' },
    )
    expect(result.issues?.[0]).toMatchObject({ field: 'ai_learning_profil', code: 'unknown_field' })
  })
})

describe('misuse', () => {
  it('throws UnknownDocTypeError for an unknown doctype', () => {
    let caught: unknown
    try {
      parseDoc('Studnet' as 'Student', student())
    } catch (e) {
      caught = e
    }
    expect(isUnknownDocTypeError(caught)).toBe(true)
  })

  it('throws RangeError naming the option for an unknown flavour', () => {
    expect(() => parseDoc('Student', student(), { flavour: 'write' as 'read' })).toThrow(/options\.flavour/)
  })
})

describe('assertDoc', () => {
  it('returns the typed document', () => {
    expect(assertDoc('Student', student()).first_name).toBe('Maya')
  })

  it('throws DocValidationError carrying every issue', () => {
    let caught: unknown
    try {
      assertDoc('Student', { ...student(), enabled: 'yes', blood_group: 'Q' })
    } catch (e) {
      caught = e
    }
    expect(isDocValidationError(caught)).toBe(true)
    const error = caught as { issues: unknown[]; message: string; code: string }
    expect(error.issues).toHaveLength(2)
    expect(error.code).toBe('ERR_DOC_VALIDATION')
    expect(error.message).toMatch(/^\[@edusync\/doctype-schemas\] 2 issue\(s\) in Student EDU-STU-2024-00017/)
  })
})

describe('createDocTypeRegistry', () => {
  const libraryMember = {
    read: z.looseObject({
      name: z.string(),
      member_name: z.string(),
      active: z.union([z.literal(0), z.literal(1)]),
    }),
    create: z.strictObject({
      member_name: z.string(),
      active: z.union([z.literal(0), z.literal(1)]).optional(),
    }),
  }
  const registry = createDocTypeRegistry({ 'Library Member': libraryMember })

  it('validates your own doctypes next to the built-in ones', () => {
    expect(
      registry.parseDoc('Library Member', { name: 'LM-1', member_name: 'Maya', active: 1 }).success,
    ).toBe(true)
    expect(registry.parseDoc('Student', student()).success).toBe(true)
    expect(registry.has('Library Member')).toBe(true)
    expect(registry.doctypes).toContain('Library Member')
  })

  it('rejects unknown fields of your own doctypes when outgoing', () => {
    const result = registry.validateOutgoing('Library Member', {
      member_name: 'Maya',
      membr_since: '2024-01-01',
    })
    expect(result.issues?.[0]?.message).toBe(
      'Library Member (new document), field "membr_since": unknown field "membr_since": ERPNext would silently drop it. Remove it or fix its name.',
    )
  })

  it('refuses a definition whose create schema is not a zod object', () => {
    expect(() =>
      createDocTypeRegistry({ Broken: { read: z.object({}), create: z.string() as unknown as z.ZodObject } }),
    ).toThrow(/extra\["Broken"\]\.create/)
  })
})

describe('schemaFor', () => {
  it('returns the same cached schema each time', () => {
    expect(schemaFor('Student')).toBe(schemaFor('Student'))
    expect(schemaFor('Student', 'create')).not.toBe(schemaFor('Student'))
  })
})
