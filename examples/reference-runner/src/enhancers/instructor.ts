import type { SessionCounts } from './analytics-index.js'
import { type Distribution, distribution } from './difficulty.js'
import type { ResultRecord } from './results.js'
import type { FreeSlot, ScheduleConflict, ScheduleRecord } from './schedule.js'
import { round } from './stats.js'

/** A conflict involving the instructor's classes, with free slots to move the later class to. */
export interface ConflictWithSuggestions {
  readonly kind: ScheduleConflict['kind']
  /** The room or student group; omitted for the instructor's own double-booking. */
  readonly resource?: string
  readonly date: string
  readonly first: string
  readonly second: string
  readonly overlapFrom: string
  readonly overlapTo: string
  readonly suggestions: readonly FreeSlot[]
}

/** Instructor `ai_performance_metrics`. */
export interface InstructorMetrics {
  readonly version: 1
  /** Course Schedule sessions. */
  readonly sessions: number
  readonly hoursScheduled: number
  readonly firstDate: string | null
  readonly lastDate: string | null
  readonly courses: readonly string[]
  readonly studentGroups: readonly string[]
  /** Results of the groups and courses this instructor teaches. */
  readonly results: Distribution
  /** Per course taught. */
  readonly perCourse: readonly ({ readonly course: string; readonly sessions: number } & Distribution)[]
  /** Present / (present + absent) over the attendance marked for the instructor's sessions. */
  readonly attendanceRate: number | null
  readonly attendanceMarked: number
  readonly conflicts: readonly ConflictWithSuggestions[]
}

/** What {@link instructorMetrics} needs, already selected for one instructor. */
export interface InstructorMetricsInput {
  readonly schedules: readonly ScheduleRecord[]
  /** Results of the (student group, course) pairs the instructor teaches. */
  readonly results: readonly Pick<ResultRecord, 'percent' | 'course'>[]
  /** Attendance counts per session (by Course Schedule name). */
  readonly sessionCounts: (courseSchedule: string) => SessionCounts
  readonly conflicts: readonly ConflictWithSuggestions[]
  /** @default 50 */
  readonly passPercent?: number
}

/**
 * Class metrics of one instructor: sessions and hours scheduled, courses and groups taught, the result
 * distribution of those classes (overall and per course), the attendance rate of their sessions and the
 * schedule conflicts that involve them. O(sessions + results).
 */
export function instructorMetrics(input: InstructorMetricsInput): InstructorMetrics {
  const pass = input.passPercent ?? 50
  let seconds = 0
  let present = 0
  let absent = 0
  const courses = new Map<string, number>()
  const groups = new Set<string>()
  let first: string | null = null
  let last: string | null = null
  for (const s of input.schedules) {
    seconds += s.to - s.from
    if (s.course) courses.set(s.course, (courses.get(s.course) ?? 0) + 1)
    if (s.studentGroup) groups.add(s.studentGroup)
    if (first === null || s.date < first) first = s.date
    if (last === null || s.date > last) last = s.date
    const c = input.sessionCounts(s.name)
    present += c.present
    absent += c.absent
  }
  const byCourse = new Map<string, number[]>()
  for (const r of input.results) {
    if (!r.course) continue
    let l = byCourse.get(r.course)
    if (!l) byCourse.set(r.course, (l = []))
    l.push(r.percent)
  }
  const sortedCourses = [...courses.keys()].sort()
  return {
    version: 1,
    sessions: input.schedules.length,
    hoursScheduled: round(seconds / 3600, 2),
    firstDate: first,
    lastDate: last,
    courses: sortedCourses,
    studentGroups: [...groups].sort(),
    results: distribution(
      input.results.map((r) => r.percent),
      pass,
    ),
    perCourse: sortedCourses.map((course) => ({
      course,
      sessions: courses.get(course) ?? 0,
      ...distribution(byCourse.get(course) ?? [], pass),
    })),
    attendanceRate: present + absent === 0 ? null : round(present / (present + absent), 4),
    attendanceMarked: present + absent,
    conflicts: input.conflicts,
  }
}
