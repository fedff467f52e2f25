import { formatFrappeTime, isFrappeDate, parseFrappeTime, toText } from './frappe.js'
import { numberOption, objectOption } from './options.js'

/** The part of a Course Schedule the conflict finder reads; times in seconds after midnight. */
export interface ScheduleRecord {
  /** The Course Schedule's name. */
  readonly name: string
  readonly date: string
  readonly from: number
  readonly to: number
  /** As the enhancer sees it: a pseudonym. */
  readonly instructor: string | null
  readonly room: string | null
  readonly studentGroup: string | null
  readonly course: string | null
}

/** What is double-booked. */
export type ResourceKind = 'instructor' | 'room' | 'student_group'

/** Two schedules that use the same resource at overlapping times on the same date. */
export interface ScheduleConflict {
  readonly kind: ResourceKind
  /** The instructor pseudonym, the room or the student group. */
  readonly resource: string
  readonly date: string
  /** The earlier-starting schedule. */
  readonly first: string
  /** The schedule that overlaps it (the one to move). */
  readonly second: string
  /** The overlap, as Frappe times `H:MM:SS`. */
  readonly overlapFrom: string
  readonly overlapTo: string
}

/** A free slot, as Frappe times. */
export interface FreeSlot {
  readonly date: string
  readonly from_time: string
  readonly to_time: string
}

/** Options of {@link suggestFreeSlots}. */
export interface FreeSlotOptions {
  /** The school day starts, `H:MM:SS`. @default '8:00:00' */
  readonly dayStart?: string
  /** The school day ends. @default '17:00:00' */
  readonly dayEnd?: string
  /** Slots start on this grid, minutes. @default 15 */
  readonly stepMinutes?: number
  /** Suggestions per request. @default 3 */
  readonly limit?: number
}

/** {@link FreeSlotOptions} resolved to seconds. */
export interface ResolvedFreeSlotOptions {
  readonly dayStart: number
  readonly dayEnd: number
  readonly step: number
  readonly limit: number
}

const WHERE = 'schedule options'

/** Validate and default {@link FreeSlotOptions} once; the result is frozen. */
export function resolveFreeSlotOptions(o: FreeSlotOptions = {}): ResolvedFreeSlotOptions {
  objectOption(WHERE, 'schedule', o)
  const dayStart = parseFrappeTime(o.dayStart ?? '8:00:00')
  const dayEnd = parseFrappeTime(o.dayEnd ?? '17:00:00')
  if (dayStart === undefined)
    throw new RangeError(
      `[@edusync/reference-runner] ${WHERE}: "dayStart" must be a time H:MM:SS, got ${String(o.dayStart)}.`,
    )
  if (dayEnd === undefined || dayEnd <= dayStart)
    throw new RangeError(
      `[@edusync/reference-runner] ${WHERE}: "dayEnd" must be a time H:MM:SS after "dayStart", got ${String(o.dayEnd)}.`,
    )
  return Object.freeze({
    dayStart,
    dayEnd,
    step: numberOption(WHERE, 'stepMinutes', o.stepMinutes, 15, 1, 240, true) * 60,
    limit: numberOption(WHERE, 'limit', o.limit, 3, 1, 100, true),
  })
}

/** A Course Schedule view as a {@link ScheduleRecord}, or `undefined` when its date or times are unusable. */
export function toScheduleRecord(
  name: string,
  doc: Readonly<Record<string, unknown>>,
): ScheduleRecord | undefined {
  const date = doc.schedule_date
  const from = parseFrappeTime(doc.from_time)
  const to = parseFrappeTime(doc.to_time)
  if (!isFrappeDate(date) || from === undefined || to === undefined || to <= from) return undefined
  return {
    name,
    date,
    from,
    to,
    instructor: toText(doc.instructor) ?? null,
    room: toText(doc.room) ?? null,
    studentGroup: toText(doc.student_group) ?? null,
    course: toText(doc.course) ?? null,
  }
}

const KINDS: readonly ResourceKind[] = ['instructor', 'room', 'student_group']

/** The resource of `kind` a schedule uses, or `null`. */
export function resourceOf(s: ScheduleRecord, kind: ResourceKind): string | null {
  return kind === 'instructor' ? s.instructor : kind === 'room' ? s.room : s.studentGroup
}

/** Bucket key of (kind, resource, date). */
export function bucketKey(kind: ResourceKind, resource: string, date: string): string {
  return `${kind}\u0000${resource}\u0000${date}`
}

/** Append the conflicts within one (kind, resource, date) bucket to `out` (sorts `list` in place). */
export function sweepBucket(
  kind: ResourceKind,
  resource: string,
  date: string,
  list: ScheduleRecord[],
  out: ScheduleConflict[],
): void {
  list.sort((a, b) => a.from - b.from || a.to - b.to || (a.name < b.name ? -1 : 1))
  // The schedules still running at the current start: pruned as the sweep moves, so the work is
  // O(n log n + conflicts) rather than all pairs.
  let active: ScheduleRecord[] = []
  for (const s of list) {
    active = active.filter((a) => a.to > s.from)
    for (const a of active)
      out.push({
        kind,
        resource,
        date,
        first: a.name,
        second: s.name,
        overlapFrom: formatFrappeTime(s.from),
        overlapTo: formatFrappeTime(Math.min(a.to, s.to)),
      })
    active.push(s)
  }
}

const KIND_ORDER: Record<ResourceKind, number> = { instructor: 0, room: 1, student_group: 2 }

/** Sort conflicts by date, kind, resource, then first and second schedule (in place; returns the array). */
export function sortConflicts(conflicts: ScheduleConflict[]): ScheduleConflict[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return conflicts.sort(
    (a, b) =>
      cmp(a.date, b.date) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      cmp(a.resource, b.resource) ||
      cmp(a.overlapFrom, b.overlapFrom) ||
      cmp(a.first, b.first) ||
      cmp(a.second, b.second),
  )
}

/**
 * Every pair of Course Schedules that double-books an instructor, a room or a student group: same date,
 * overlapping `[from_time, to_time)` (back-to-back classes do not conflict). Sorted by date, kind,
 * resource and time.
 *
 * @example
 * ```ts
 * findScheduleConflicts(views.map(([name, v]) => toScheduleRecord(name, v)).filter(Boolean))
 * ```
 */
export function findScheduleConflicts(schedules: Iterable<ScheduleRecord>): ScheduleConflict[] {
  const buckets = new Map<
    string,
    { kind: ResourceKind; resource: string; date: string; list: ScheduleRecord[] }
  >()
  for (const s of schedules)
    for (const kind of KINDS) {
      const resource = resourceOf(s, kind)
      if (resource === null) continue
      const key = bucketKey(kind, resource, s.date)
      let b = buckets.get(key)
      if (!b) buckets.set(key, (b = { kind, resource, date: s.date, list: [] }))
      b.list.push(s)
    }
  const out: ScheduleConflict[] = []
  const ordered = [...buckets.values()].sort(
    (a, b) =>
      (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) ||
      KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) ||
      (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0),
  )
  for (const b of ordered) if (b.list.length > 1) sweepBucket(b.kind, b.resource, b.date, b.list, out)
  return out
}

/**
 * Free slots of `durationSeconds` on `date` when none of the `busy` intervals (all the schedules of the
 * instructor, the room and the group concerned) is running, within the school day, on the step grid,
 * earliest first.
 */
export function suggestFreeSlots(
  date: string,
  durationSeconds: number,
  busy: Iterable<{ readonly from: number; readonly to: number }>,
  options: ResolvedFreeSlotOptions = resolveFreeSlotOptions(),
): FreeSlot[] {
  const intervals = [...busy].filter((b) => b.to > b.from).sort((a, b) => a.from - b.from)
  const out: FreeSlot[] = []
  let cursor = options.dayStart
  const take = (gapEnd: number) => {
    // Align to the grid, relative to the start of the day.
    let start = options.dayStart + Math.ceil((cursor - options.dayStart) / options.step) * options.step
    while (start + durationSeconds <= gapEnd && out.length < options.limit) {
      out.push({
        date,
        from_time: formatFrappeTime(start),
        to_time: formatFrappeTime(start + durationSeconds),
      })
      start += Math.ceil(durationSeconds / options.step) * options.step
    }
  }
  for (const b of intervals) {
    if (out.length >= options.limit) break
    if (b.from > cursor) take(Math.min(b.from, options.dayEnd))
    cursor = Math.max(cursor, b.to)
    if (cursor >= options.dayEnd) break
  }
  if (out.length < options.limit && cursor < options.dayEnd) take(options.dayEnd)
  return out
}
