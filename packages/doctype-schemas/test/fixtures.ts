/**
 * Documents as ERPNext returns them on `GET /api/resource/{doctype}/{name}`: unset fields omitted (not
 * null), Check as 0/1, times with an unpadded hour, JSON fields as strings holding JSON, child rows with
 * parent/parentfield/parenttype. Each test clones one and breaks exactly one thing.
 */

const std = (doctype: string, name: string, extra: Record<string, unknown> = {}) => ({
  name,
  owner: 'registrar@school.example',
  creation: '2024-08-19 10:02:11.402913',
  modified: '2024-09-02 16:45:03.118204',
  modified_by: 'registrar@school.example',
  docstatus: 0,
  idx: 0,
  doctype,
  ...extra,
})

const row = (
  doctype: string,
  name: string,
  parent: string,
  parenttype: string,
  parentfield: string,
  idx: number,
) => ({
  name,
  owner: 'registrar@school.example',
  creation: '2024-08-19 10:02:11.402913',
  modified: '2024-08-19 10:02:11.402913',
  modified_by: 'registrar@school.example',
  docstatus: 0,
  idx,
  parent,
  parentfield,
  parenttype,
  doctype,
})

export const student = () => ({
  ...std('Student', 'EDU-STU-2024-00017'),
  enabled: 1,
  first_name: 'Maya',
  last_name: 'Okafor',
  naming_series: 'EDU-STU-.YYYY.-',
  student_email_id: 'maya.okafor@students.school.example',
  joining_date: '2024-08-19',
  date_of_birth: '2011-03-07',
  blood_group: 'O+',
  gender: 'Female',
  country: 'Nigeria',
  student_name: 'Maya Okafor',
  customer: 'Maya Okafor',
  customer_group: 'Student',
  guardians: [
    {
      ...row('Student Guardian', 'c4a1e9f0b2', 'EDU-STU-2024-00017', 'Student', 'guardians', 1),
      guardian: 'EDU-GRD-2024-00009',
      guardian_name: 'Ngozi Okafor',
      relation: 'Mother',
    },
  ],
  siblings: [],
  ai_learning_profile: '{"version":1,"learning_style":"visual","strengths":["geometry"]}',
  ai_interaction_summary: 'Asked about fractions twice this week.',
})

export const programEnrollment = () => ({
  ...std('Program Enrollment', 'EDU-ENR-2024-00031', { docstatus: 1 }),
  student: 'EDU-STU-2024-00017',
  student_name: 'Maya Okafor',
  program: 'Grade 8',
  academic_year: '2024-25',
  academic_term: '2024-25 (Term 1)',
  enrollment_date: '2024-08-19',
  boarding_student: 0,
  courses: [
    {
      ...row(
        'Program Enrollment Course',
        '1f9c0d2e3a',
        'EDU-ENR-2024-00031',
        'Program Enrollment',
        'courses',
        1,
      ),
      course: 'Mathematics 8',
      course_name: 'Mathematics 8',
    },
  ],
  fees: [],
  ai_progress_tracking: '{"completion":0.35}',
})

export const courseSchedule = () => ({
  ...std('Course Schedule', 'EDU-CSH-2024-00112', {
    creation: '2024-09-01 08:00:00',
    modified: '2024-09-01 08:00:00',
  }),
  student_group: 'Grade 8 - Mathematics',
  instructor: 'EDU-INS-2024-00003',
  instructor_name: 'Daniel Mensah',
  naming_series: 'EDU-CSH-.YYYY.-',
  course: 'Mathematics 8',
  color: '#EDF6FD',
  schedule_date: '2024-09-09',
  room: 'HTL-ROOM-2024-00004',
  from_time: '9:05:00',
  to_time: '10:35:00',
  title: 'Mathematics 8 by Daniel Mensah',
  class_schedule_color: 'blue',
})

export const assessmentResult = () => ({
  ...std('Assessment Result', 'EDU-RES-2024-00044', { docstatus: 1 }),
  assessment_plan: 'EDU-ASP-2024-00007',
  program: 'Grade 8',
  course: 'Mathematics 8',
  academic_year: '2024-25',
  student: 'EDU-STU-2024-00017',
  student_name: 'Maya Okafor',
  student_group: 'Grade 8 - Mathematics',
  assessment_group: 'Term 1 Exams',
  grading_scale: 'Standard Grading',
  maximum_score: 100.0,
  total_score: 87.5,
  grade: 'A',
  details: [
    {
      ...row(
        'Assessment Result Detail',
        '9a8b7c6d5e',
        'EDU-RES-2024-00044',
        'Assessment Result',
        'details',
        1,
      ),
      assessment_criteria: 'Problem Solving',
      maximum_score: 60.0,
      score: 52.5,
      grade: 'A',
    },
    {
      ...row(
        'Assessment Result Detail',
        '0e1d2c3b4a',
        'EDU-RES-2024-00044',
        'Assessment Result',
        'details',
        2,
      ),
      assessment_criteria: 'Accuracy',
      maximum_score: 40.0,
      score: 35.0,
      grade: 'A',
    },
  ],
})

export const studentAttendance = () => ({
  ...std('Student Attendance', 'EDU-ATT-2024-00518', { docstatus: 1 }),
  student: 'EDU-STU-2024-00017',
  student_name: 'Maya Okafor',
  course_schedule: 'EDU-CSH-2024-00112',
  date: '2024-09-09',
  student_group: 'Grade 8 - Mathematics',
  status: 'Present',
  naming_series: 'EDU-ATT-.YYYY.-',
})

/** A list row (`frappe.client.get_list`, `fields: ["*"]`): nulls present, no child tables, no doctype. */
export const studentListRow = () => {
  const { doctype: _d, guardians: _g, siblings: _s, ...rest } = student()
  return { ...rest, middle_name: null, image: null, user: null, date_of_leaving: null }
}

export const assessmentInsight = () => ({
  ...std('Assessment Insight', '5e1f0a9b3c'),
  idempotency_key: 'ai-insight:EDU-RES-2024-00044:v1',
  assessment_result: 'EDU-RES-2024-00044',
  ai_analysis: '{"summary":"Strong problem solving","confidence":0.82}',
  improvement_suggestions: '{"suggestions":[{"text":"Check units","priority":"medium"}]}',
  learning_gaps: '{"gaps":[{"concept":"unit conversion","severity":"low"}]}',
  generated_timestamp: '2024-09-10 07:30:00.000412',
})

/** A new Student as a client would POST it. */
export const newStudent = () => ({
  first_name: 'Leo',
  last_name: 'Marsh',
  student_email_id: 'leo.marsh@students.school.example',
  date_of_birth: '2011-11-21',
  guardians: [{ guardian: 'EDU-GRD-2024-00011', relation: 'Father' }],
})

/** A new Assessment Result as a client would POST it (submittable: may be inserted submitted). */
export const newAssessmentResult = () => ({
  assessment_plan: 'EDU-ASP-2024-00007',
  student: 'EDU-STU-2024-00017',
  docstatus: 1,
  details: [{ assessment_criteria: 'Accuracy', score: 31.0 }],
})
