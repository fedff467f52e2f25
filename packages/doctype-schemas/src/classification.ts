/**
 * Privacy classification of every field. See the package README ("Field classification") for the
 * reasoning; in short:
 *
 * - `direct_pii` — identifies a person on its own or through one lookup: names, e-mail addresses,
 *   phone numbers, postal addresses, dates of birth, photos, user/employee/customer ids, links to a
 *   Student/Guardian/Instructor record, the `name` of such a record, and `owner`/`modified_by` (user
 *   e-mails). FERPA lets a school *designate* some of these (name, address, phone, e-mail, date of
 *   birth, photo) as directory information, but for processing they are identifiers first: EduSync
 *   pseudonymises or drops them before the AI layer, whatever the directory designation says.
 * - `directory` — FERPA directory information that does not identify a student by itself: enrollment
 *   status, dates of attendance, program (major field of study), academic year/term, batch (grade
 *   level). It may be disclosed without consent unless the student (or parent) opted out.
 * - `education_record` — any other information directly related to a student and kept by the school:
 *   grades, scores, attendance, logs, fees, health (blood group), gender, nationality, guardian details
 *   kept in the student's file, and everything the AI layer derives about a student.
 * - `personal` — personal data that is neither an identifier nor a student's education record: staff
 *   data (an instructor's gender, teaching metrics) and AI profiles of instructors.
 * - `none` — no personal data: course catalogue, rooms, terms, grading scales, schedules, timestamps.
 */
import type { FieldMeta } from './meta.js'

/** How a field must be treated by privacy policies. */
export type FieldClassification = 'direct_pii' | 'directory' | 'education_record' | 'personal' | 'none'

/** Every classification, from the most to the least protected. */
export const fieldClassifications: readonly FieldClassification[] = Object.freeze([
  'direct_pii',
  'education_record',
  'personal',
  'directory',
  'none',
])

/** Doctypes whose documents are about one student (their fields default to `education_record`). */
const STUDENT_RECORD_DOCTYPES = new Set([
  'AI Engagement Log',
  'Assessment Insight',
  'Assessment Result',
  'Assessment Result Detail',
  'Course Enrollment',
  'Guardian',
  'Guardian Interest',
  'Guardian Student',
  'Program Enrollment',
  'Program Enrollment Course',
  'Program Enrollment Fee',
  'Program Fee',
  'Student',
  'Student Attendance',
  'Student Group Student',
  'Student Guardian',
  'Student Log',
  'Student Sibling',
])

/** Doctypes about one member of staff (their fields default to `personal`). */
const STAFF_DOCTYPES = new Set(['Instructor'])

/** Doctypes whose `name` identifies a person. */
const PERSON_DOCTYPES = new Set([
  'Student',
  'Guardian',
  'Instructor',
  'Student Applicant',
  'Employee',
  'User',
])

/** Link targets that identify a person. */
const PERSON_LINK_TARGETS = new Set([...PERSON_DOCTYPES, 'Customer'])

/** Field names that hold a direct identifier wherever they appear. */
const DIRECT_PII_FIELDS = new Set([
  'first_name',
  'middle_name',
  'last_name',
  'full_name',
  'student_name',
  'guardian_name',
  'instructor_name',
  'examiner_name',
  'supervisor_name',
  'student_email_id',
  'email_address',
  'email',
  'student_mobile_number',
  'mobile_number',
  'alternate_number',
  'phone',
  'address_line_1',
  'address_line_2',
  'pincode',
  'city',
  'state',
  'work_address',
  'date_of_birth',
  'leaving_certificate_number',
  'idempotency_key',
])

/** Fields that are FERPA directory information on the doctypes named. */
const DIRECTORY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Student: ['enabled', 'joining_date', 'date_of_leaving'],
  'Program Enrollment': [
    'program',
    'academic_year',
    'academic_term',
    'enrollment_date',
    'student_batch_name',
  ],
  'Course Enrollment': ['program', 'course', 'enrollment_date'],
  'Program Enrollment Course': ['course', 'course_name'],
}

/** Fields of a student's record that carry no personal data (bookkeeping, naming series). */
const NONE_FIELDS = new Set(['naming_series', 'amended_from', 'customer_group'])

const IMAGE_TYPES = new Set(['Attach Image', 'Image', 'Signature'])

/**
 * Classify one field of a doctype. Used by the generator for every field it emits, and usable for
 * your own doctypes. The first rule that matches wins: identifiers, then directory information, then
 * the doctype's default (`education_record` for a student's records, `personal` for staff, else `none`).
 *
 * @param doctype - the doctype the field belongs to
 * @param field - the field (only `fieldname`, `fieldtype` and `options` are read)
 */
export function classifyField(
  doctype: string,
  field: Pick<FieldMeta, 'fieldname' | 'fieldtype' | 'options'>,
): FieldClassification {
  const { fieldname, fieldtype, options } = field
  const aboutAPerson = STUDENT_RECORD_DOCTYPES.has(doctype) || STAFF_DOCTYPES.has(doctype)
  if (DIRECT_PII_FIELDS.has(fieldname)) return 'direct_pii'
  if (IMAGE_TYPES.has(fieldtype) && (aboutAPerson || PERSON_DOCTYPES.has(doctype))) return 'direct_pii'
  if ((fieldtype === 'Link' || fieldtype === 'Read Only') && options && PERSON_LINK_TARGETS.has(options)) {
    return 'direct_pii'
  }
  if (fieldname === 'user' || fieldname === 'employee' || fieldname === 'customer') return 'direct_pii'
  if (DIRECTORY_FIELDS[doctype]?.includes(fieldname)) return 'directory'
  if (NONE_FIELDS.has(fieldname)) return 'none'
  if (STUDENT_RECORD_DOCTYPES.has(doctype)) return 'education_record'
  if (STAFF_DOCTYPES.has(doctype)) {
    // Organisational facts about staff are not personal data.
    return fieldname === 'department' || fieldname === 'status' ? 'none' : 'personal'
  }
  return 'none'
}

/**
 * Classify a standard field (`name`, `owner`, `modified_by`, `parent`, …) of a doctype.
 *
 * @param doctype - the doctype
 * @param fieldname - the standard field
 * @param parentDocType - for child rows, the doctype of the parent (its `parent` is that parent's name)
 */
export function classifyStandardField(
  doctype: string,
  fieldname: string,
  parentDocType?: string,
): FieldClassification {
  if (fieldname === 'owner' || fieldname === 'modified_by') return 'direct_pii'
  if (fieldname === 'name') return PERSON_DOCTYPES.has(doctype) ? 'direct_pii' : 'none'
  if (fieldname === 'parent')
    return parentDocType && PERSON_DOCTYPES.has(parentDocType) ? 'direct_pii' : 'none'
  return 'none'
}
