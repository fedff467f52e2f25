import { type AttendanceRecord, toAttendanceRecord } from './attendance.js'
import type { ClassAverage } from './criteria.js'
import { isFrappeDate, toText } from './frappe.js'
import { type ResultRecord, toResultRecord } from './results.js'
import {
  type ResourceKind,
  type ScheduleConflict,
  type ScheduleRecord,
  bucketKey,
  findScheduleConflicts,
  resourceOf,
  sortConflicts,
  sweepBucket,
  toScheduleRecord,
} from './schedule.js'

/** An indexed Assessment Result. */
export interface IndexedResult extends ResultRecord {
  /** The result's name. */
  readonly name: string
  /** The student, as the enhancer sees it (a pseudonym). */
  readonly student: string
  /** The Assessment Plan's `schedule_date`, when known. */
  readonly date: string | null
}

/** An indexed Student Attendance. */
export interface IndexedAttendance extends AttendanceRecord {
  readonly name: string
  readonly student: string
  readonly courseSchedule: string | null
}

/** Present / absent / leave counts of one Course Schedule session. */
export interface SessionCounts {
  readonly present: number
  readonly absent: number
  readonly leave: number
}

/** Doctypes the index reads. */
export const INDEXED_DOCTYPES = Object.freeze([
  'Student Attendance',
  'Assessment Result',
  'Course Schedule',
  'Assessment Plan',
] as const)

/**
 * The related-document index the enhancers query: privacy-filtered views of Student Attendance,
 * Assessment Results, Course Schedules and Assessment Plan dates, keyed the way the enhancers look them up
 * (by student pseudonym, course, group + course, plan, instructor pseudonym, resource + date). Every
 * update is O(1) amortised (old contributions are subtracted when a document is replaced) and every query
 * is proportional to its answer, so enhancing a batch never costs O(n²) over a class.
 *
 * It exists because the engine's `EnhancerMirror` only answers `get(doctype, name)`; see the README.
 */
export interface AnalyticsIndex {
  /** Add or replace a document's view. Returns `false` (and forgets the document) when the view is unusable. */
  observe(doctype: string, name: string, view: Readonly<Record<string, unknown>>): boolean
  /** Forget a document (deleted in ERPNext, or erased). */
  remove(doctype: string, name: string): void
  /** Record an Assessment Plan's date (`null`: known to have none). */
  setPlanDate(plan: string, date: string | null): void
  /** Whether the plan's date was recorded. */
  hasPlanDate(plan: string): boolean
  attendanceOf(student: string): IndexedAttendance[]
  resultsOfStudent(student: string): IndexedResult[]
  resultsOfCourse(course: string): IndexedResult[]
  resultsOfGroupCourse(studentGroup: string, course: string): IndexedResult[]
  /** Per-criterion class averages of an Assessment Plan, leaving `excludeResult` out. */
  classAverages(plan: string, excludeResult?: string): Map<string, ClassAverage>
  schedulesOfInstructor(instructor: string): ScheduleRecord[]
  /** Schedules that use a resource on a date. */
  schedulesUsing(kind: ResourceKind, resource: string, date: string): ScheduleRecord[]
  sessionCounts(courseSchedule: string): SessionCounts
  /** Conflicts that involve at least one of the given schedules. */
  conflictsOf(scheduleNames: Iterable<string>): ScheduleConflict[]
  /** Every conflict among the indexed schedules. */
  allConflicts(): ScheduleConflict[]
  /** How many documents of each kind are indexed. */
  size(): { attendance: number; results: number; schedules: number; plans: number }
}

function multi<K, V>(map: Map<K, Map<string, V>>, key: K, name: string, value: V): void {
  let m = map.get(key)
  if (!m) map.set(key, (m = new Map()))
  m.set(name, value)
}

function unmulti<K, V>(map: Map<K, Map<string, V>>, key: K, name: string): void {
  const m = map.get(key)
  if (!m) return
  m.delete(name)
  if (m.size === 0) map.delete(key)
}

/**
 * Create an empty in-memory {@link AnalyticsIndex}. Feed it with the indexing enhancer (documents as they
 * sync) and, after a restart, by replaying the mirror's views through `observe`.
 *
 * @example
 * ```ts
 * const index = createAnalyticsIndex()
 * index.observe('Student Attendance', 'EDU-ATT-2024-00001', view)
 * index.attendanceOf(view.student)
 * ```
 */
export function createAnalyticsIndex(): AnalyticsIndex {
  const attendance = new Map<string, IndexedAttendance>()
  const attendanceByStudent = new Map<string, Map<string, IndexedAttendance>>()
  const sessions = new Map<string, [number, number, number]>()
  const results = new Map<string, IndexedResult>()
  const resultsByStudent = new Map<string, Map<string, string>>()
  const resultsByCourse = new Map<string, Map<string, string>>()
  const resultsByGroupCourse = new Map<string, Map<string, string>>()
  const planSums = new Map<string, Map<string, { sum: number; count: number }>>()
  const planDates = new Map<string, string | null>()
  const resultsByPlan = new Map<string, Map<string, string>>()
  const schedules = new Map<string, ScheduleRecord>()
  const schedulesByInstructor = new Map<string, Map<string, ScheduleRecord>>()
  const buckets = new Map<string, Map<string, ScheduleRecord>>()

  const sessionAdd = (a: IndexedAttendance, sign: 1 | -1) => {
    if (!a.courseSchedule) return
    let c = sessions.get(a.courseSchedule)
    if (!c) sessions.set(a.courseSchedule, (c = [0, 0, 0]))
    c[a.status === 'Present' ? 0 : a.status === 'Absent' ? 1 : 2] += sign
    if (c[0] === 0 && c[1] === 0 && c[2] === 0) sessions.delete(a.courseSchedule)
  }
  const removeAttendance = (name: string) => {
    const old = attendance.get(name)
    if (!old) return
    attendance.delete(name)
    unmulti(attendanceByStudent, old.student, name)
    sessionAdd(old, -1)
  }
  const planAdd = (r: IndexedResult, sign: 1 | -1) => {
    if (!r.assessmentPlan) return
    let sums = planSums.get(r.assessmentPlan)
    if (!sums) planSums.set(r.assessmentPlan, (sums = new Map()))
    for (const d of r.details) {
      let s = sums.get(d.criterion)
      if (!s) sums.set(d.criterion, (s = { sum: 0, count: 0 }))
      s.sum += sign * d.percent
      s.count += sign
      if (s.count === 0) sums.delete(d.criterion)
    }
    if (sums.size === 0) planSums.delete(r.assessmentPlan)
  }
  const removeResult = (name: string) => {
    const old = results.get(name)
    if (!old) return
    results.delete(name)
    unmulti(resultsByStudent, old.student, name)
    if (old.course) unmulti(resultsByCourse, old.course, name)
    if (old.studentGroup && old.course)
      unmulti(resultsByGroupCourse, `${old.studentGroup}\u0000${old.course}`, name)
    planAdd(old, -1)
  }
  const kinds: readonly ResourceKind[] = ['instructor', 'room', 'student_group']
  const removeSchedule = (name: string) => {
    const old = schedules.get(name)
    if (!old) return
    schedules.delete(name)
    if (old.instructor) unmulti(schedulesByInstructor, old.instructor, name)
    for (const k of kinds) {
      const r = resourceOf(old, k)
      if (r !== null) unmulti(buckets, bucketKey(k, r, old.date), name)
    }
  }
  // Results carry their plan's date; a plan date learnt later is written into the plan's results once.
  const datePlan = (plan: string, date: string | null) => {
    planDates.set(plan, date)
    for (const n of resultsByPlan.get(plan)?.keys() ?? []) {
      const r = results.get(n)
      if (r && r.date !== date) results.set(n, { ...r, date })
    }
  }
  const resolve = (names: Map<string, string> | undefined): IndexedResult[] => {
    const out: IndexedResult[] = []
    for (const n of names?.keys() ?? []) {
      const r = results.get(n)
      if (r) out.push(r)
    }
    return out
  }

  return {
    observe(doctype, name, view) {
      switch (doctype) {
        case 'Student Attendance': {
          removeAttendance(name)
          const rec = toAttendanceRecord(view)
          const student = toText(view.student)
          if (!rec || !student) return false
          const entry: IndexedAttendance = {
            ...rec,
            name,
            student,
            courseSchedule: toText(view.course_schedule) ?? null,
          }
          attendance.set(name, entry)
          multi(attendanceByStudent, student, name, entry)
          sessionAdd(entry, 1)
          return true
        }
        case 'Assessment Result': {
          removeResult(name)
          const rec = toResultRecord(view)
          const student = toText(view.student)
          if (!rec || !student) return false
          const date = rec.assessmentPlan ? (planDates.get(rec.assessmentPlan) ?? null) : null
          const entry: IndexedResult = { ...rec, name, student, date }
          results.set(name, entry)
          multi(resultsByStudent, student, name, name)
          if (rec.course) multi(resultsByCourse, rec.course, name, name)
          if (rec.studentGroup && rec.course)
            multi(resultsByGroupCourse, `${rec.studentGroup}\u0000${rec.course}`, name, name)
          if (rec.assessmentPlan) multi(resultsByPlan, rec.assessmentPlan, name, name)
          planAdd(entry, 1)
          return true
        }
        case 'Course Schedule': {
          removeSchedule(name)
          const rec = toScheduleRecord(name, view)
          if (!rec) return false
          schedules.set(name, rec)
          if (rec.instructor) multi(schedulesByInstructor, rec.instructor, name, rec)
          for (const k of kinds) {
            const r = resourceOf(rec, k)
            if (r !== null) multi(buckets, bucketKey(k, r, rec.date), name, rec)
          }
          return true
        }
        case 'Assessment Plan': {
          const date = view.schedule_date
          datePlan(name, isFrappeDate(date) ? date : null)
          return isFrappeDate(date)
        }
        default:
          return false
      }
    },
    remove(doctype, name) {
      if (doctype === 'Student Attendance') removeAttendance(name)
      else if (doctype === 'Assessment Result') removeResult(name)
      else if (doctype === 'Course Schedule') removeSchedule(name)
      else if (doctype === 'Assessment Plan') datePlan(name, null)
    },
    setPlanDate(plan, date) {
      datePlan(plan, date !== null && isFrappeDate(date) ? date : null)
    },
    hasPlanDate: (plan) => planDates.has(plan),
    attendanceOf: (student) => [...(attendanceByStudent.get(student)?.values() ?? [])],
    resultsOfStudent: (student) => resolve(resultsByStudent.get(student)),
    resultsOfCourse: (course) => resolve(resultsByCourse.get(course)),
    resultsOfGroupCourse: (group, course) => resolve(resultsByGroupCourse.get(`${group}\u0000${course}`)),
    classAverages(plan, excludeResult) {
      const out = new Map<string, ClassAverage>()
      const sums = planSums.get(plan)
      if (!sums) return out
      const own = excludeResult === undefined ? undefined : results.get(excludeResult)
      const ownByCriterion = new Map<string, number>()
      if (own && own.assessmentPlan === plan)
        for (const d of own.details) ownByCriterion.set(d.criterion, d.percent)
      for (const [criterion, s] of sums) {
        const mine = ownByCriterion.get(criterion)
        const sum = mine === undefined ? s.sum : s.sum - mine
        const count = mine === undefined ? s.count : s.count - 1
        if (count > 0) out.set(criterion, { percent: sum / count, results: count })
      }
      return out
    },
    schedulesOfInstructor: (instructor) => [...(schedulesByInstructor.get(instructor)?.values() ?? [])],
    schedulesUsing: (kind, resource, date) => [
      ...(buckets.get(bucketKey(kind, resource, date))?.values() ?? []),
    ],
    sessionCounts(courseSchedule) {
      const c = sessions.get(courseSchedule)
      return { present: c?.[0] ?? 0, absent: c?.[1] ?? 0, leave: c?.[2] ?? 0 }
    },
    conflictsOf(scheduleNames) {
      const mine = new Set(scheduleNames)
      const touched = new Map<string, { kind: ResourceKind; resource: string; date: string }>()
      for (const name of mine) {
        const s = schedules.get(name)
        if (!s) continue
        for (const k of kinds) {
          const r = resourceOf(s, k)
          if (r !== null) touched.set(bucketKey(k, r, s.date), { kind: k, resource: r, date: s.date })
        }
      }
      const out: ScheduleConflict[] = []
      for (const [key, b] of touched) {
        const list = buckets.get(key)
        if (list && list.size > 1) sweepBucket(b.kind, b.resource, b.date, [...list.values()], out)
      }
      return sortConflicts(out.filter((c) => mine.has(c.first) || mine.has(c.second)))
    },
    allConflicts: () => findScheduleConflicts(schedules.values()),
    size: () => ({
      attendance: attendance.size,
      results: results.size,
      schedules: schedules.size,
      plans: planDates.size,
    }),
  }
}
