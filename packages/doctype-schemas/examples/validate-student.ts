/**
 * Validate a Student document as ERPNext returns it, then show an outgoing document with a misspelled
 * field being rejected. Run `pnpm exec tsx examples/validate-student.ts` in the package folder (no build).
 * Meant to live at the repository's `examples/validate-student.ts` (run by `pnpm demo`) once the root
 * Vitest projects glob no longer matches files there; import it then from
 * `../packages/doctype-schemas/src/index.ts`.
 */
import { parseDoc, validateOutgoing } from '../src/index.ts'

// What `GET /api/resource/Student/EDU-STU-2024-00017` returns: unset fields are omitted, Check fields
// are 0/1, child rows carry parent/parentfield/parenttype, JSON fields are strings holding JSON.
const fromErpnext: unknown = {
  name: 'EDU-STU-2024-00017',
  owner: 'registrar@school.example',
  creation: '2024-08-19 10:02:11.402913',
  modified: '2024-09-02 16:45:03.118204',
  modified_by: 'registrar@school.example',
  docstatus: 0,
  idx: 0,
  doctype: 'Student',
  enabled: 1,
  first_name: 'Maya',
  last_name: 'Okafor',
  student_name: 'Maya Okafor',
  naming_series: 'EDU-STU-.YYYY.-',
  student_email_id: 'maya.okafor@students.school.example',
  joining_date: '2024-08-19',
  date_of_birth: '2011-03-07',
  gender: 'Female',
  guardians: [
    {
      name: 'c4a1e9f0b2',
      owner: 'registrar@school.example',
      creation: '2024-08-19 10:02:11.402913',
      modified: '2024-08-19 10:02:11.402913',
      modified_by: 'registrar@school.example',
      docstatus: 0,
      idx: 1,
      parent: 'EDU-STU-2024-00017',
      parentfield: 'guardians',
      parenttype: 'Student',
      doctype: 'Student Guardian',
      guardian: 'EDU-GRD-2024-00009',
      guardian_name: 'Ngozi Okafor',
      relation: 'Mother',
    },
  ],
  ai_learning_profile: '{"version":1,"learning_style":"visual","strengths":["geometry"]}',
}

const read = parseDoc('Student', fromErpnext)
if (!read.success) {
  for (const issue of read.issues) console.error(`✗ ${issue.message}`)
  process.exit(1)
}
const student = read.data // typed as Student
console.log(`✓ ${student.name} is a valid Student (as read from ERPNext)`)
console.log(`  name:      ${student.first_name} ${student.last_name ?? ''}`)
console.log(`  enabled:   ${student.enabled}  (a Check is 0/1, never a boolean)`)
console.log(
  `  guardians: ${(student.guardians ?? []).map((g) => `${g.guardian_name} (${g.relation})`).join(', ')}`,
)

// A new Student as a client would POST it, with `student_email_id` misspelled. ERPNext would silently
// drop the unknown field and then refuse the insert for the missing mandatory one — or, for an optional
// field, lose the value without a word. validateOutgoing catches it before the request.
const outgoing = {
  first_name: 'Leo',
  last_name: 'Marsh',
  student_emial_id: 'leo.marsh@students.school.example',
}
const write = validateOutgoing('Student', outgoing)
if (write.success) {
  console.error('✗ the misspelled field was not caught')
  process.exit(1)
}
console.log('\n✓ outgoing Student rejected before it reached ERPNext:')
for (const issue of write.issues) console.log(`  - [${issue.code}] ${issue.message}`)
