/**
 * Realistic Education documents, shaped as the enhancers receive them: privacy-filtered views where
 * `name`, `student` and `instructor` are pseudonyms and names, e-mails and phone numbers are gone.
 */
import type { EnhancerContext, ErpDoc } from '@edusync/sync-core'

export const STUDENT = 'psn_v1_a4bf7539d0a87e47115303ff8c5f969502fb8798'
export const OTHER_STUDENT = 'psn_v1_0c1e2d3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d'
export const INSTRUCTOR = 'psn_v1_82e501ce887c6df9181c5e9ee28ffbcbfbc05dff'
export const OTHER_INSTRUCTOR = 'psn_v1_1234567890abcdef1234567890abcdef12345678'

/** School days (Mon–Fri) from 2024-03-04. */
export const SCHOOL_DAYS = [
  '2024-03-04',
  '2024-03-05',
  '2024-03-06',
  '2024-03-07',
  '2024-03-08',
  '2024-03-11',
  '2024-03-12',
  '2024-03-13',
  '2024-03-14',
  '2024-03-15',
  '2024-03-18',
  '2024-03-19',
]

export function attendanceView(date: string, status: string, extra: ErpDoc = {}): ErpDoc {
  return {
    name: `psn_v1_att${date.replaceAll('-', '')}`,
    student: STUDENT,
    date,
    status,
    student_group: 'Grade 7 - A',
    course_schedule: null,
    naming_series: 'EDU-ATT-.YYYY.-',
    ...extra,
  }
}

export function resultView(written: number, coursework: number, extra: ErpDoc = {}): ErpDoc {
  const total = written + coursework
  return {
    name: 'psn_v1_04cc5a63309792c566f2e9af3db03cd6f1aa700d',
    student: STUDENT,
    assessment_plan: 'EDU-ASP-2024-00001',
    program: 'Middle School',
    course: 'Mathematics',
    academic_year: '2023-24',
    academic_term: '2023-24 (Term 2)',
    student_group: 'Grade 7 - A',
    assessment_group: 'Term Exams',
    grading_scale: 'Standard Grading',
    maximum_score: 100,
    total_score: total,
    grade: total >= 85 ? 'A' : total >= 70 ? 'B' : total >= 55 ? 'C' : total >= 40 ? 'D' : 'F',
    details: [
      { assessment_criteria: 'Written Exam', maximum_score: 60, score: written, grade: 'C', idx: 1 },
      { assessment_criteria: 'Coursework', maximum_score: 40, score: coursework, grade: 'B', idx: 2 },
    ],
    ...extra,
  }
}

export function scheduleView(from: string, to: string, extra: ErpDoc = {}): ErpDoc {
  return {
    name: 'psn_v1_9413b4a0f21b18837b147497bdb743c4adf42342',
    instructor: INSTRUCTOR,
    student_group: 'Grade 7 - A',
    course: 'Mathematics',
    program: 'Middle School',
    room: 'HTL-ROOM-2024-00001',
    schedule_date: '2024-03-04',
    from_time: from,
    to_time: to,
    class_schedule_color: 'blue',
    ...extra,
  }
}

/** An enhancer context over a view, with a mirror backed by a map of `doctype\u0000name` → view. */
export function context(
  doctype: string,
  name: string,
  view: ErpDoc,
  options: { modified?: string; mirror?: Map<string, ErpDoc>; signal?: AbortSignal } = {},
): EnhancerContext {
  const mirror = options.mirror ?? new Map()
  return {
    doctype,
    name,
    modified: options.modified ?? '2024-03-20 10:15:00.123456',
    view: Object.freeze({ ...view }),
    mirror: { get: async (d, n) => mirror.get(`${d}\u0000${n}`) },
    signal: options.signal ?? new AbortController().signal,
  }
}
