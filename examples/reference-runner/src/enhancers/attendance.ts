import { isFrappeDate } from './frappe.js'
import { numberOption, objectOption, orderedOptions } from './options.js'
import { round } from './stats.js'

/** Student Attendance `status` values. */
export type AttendanceStatus = 'Present' | 'Absent' | 'Leave'

/** The part of a Student Attendance the analytics read. */
export interface AttendanceRecord {
  /** `YYYY-MM-DD`. */
  readonly date: string
  readonly status: AttendanceStatus
}

/** Early-warning levels, from none to the most urgent. */
export type WarningLevel = 'none' | 'watch' | 'warning' | 'critical'

/** Thresholds of {@link analyzeAttendance}. Rates are fractions (0.9 = 90 %). */
export interface AttendanceThresholds {
  /** Below this rate: `watch`. @default 0.92 */
  readonly watchRate?: number
  /** Below this rate: `warning`. @default 0.85 */
  readonly warningRate?: number
  /** Below this rate: `critical`. @default 0.75 */
  readonly criticalRate?: number
  /** An ongoing absence streak of this many school days: `warning` (a past one: `watch`). @default 3 */
  readonly warningStreak?: number
  /** An ongoing absence streak of this many school days: `critical`. @default 5 */
  readonly criticalStreak?: number
  /** Rates are judged only after this many marked sessions (streaks always are). @default 5 */
  readonly minRecords?: number
  /** The recent window, in school days, whose rate is reported and judged too. @default 10 */
  readonly recentDays?: number
}

/** {@link AttendanceThresholds} with every default filled in. */
export type ResolvedAttendanceThresholds = Required<AttendanceThresholds>

/** One reason behind an early warning (codes are stable; messages carry no personal data). */
export interface WarningReason {
  readonly code: 'low_rate' | 'low_recent_rate' | 'absence_streak' | 'past_absence_streak'
  readonly level: Exclude<WarningLevel, 'none'>
  readonly message: string
}

/** A run of consecutive absent school days. */
export interface AbsenceStreak {
  readonly from: string
  readonly to: string
  readonly days: number
}

/** What {@link analyzeAttendance} found. */
export interface AttendanceAnalysis {
  /** Valid records read (sessions). */
  readonly records: number
  readonly present: number
  readonly absent: number
  /** Excused: neither present nor absent, so left out of the rate. */
  readonly leave: number
  /** `present / (present + absent)`, or `null` before any marked session. */
  readonly rate: number | null
  /** The rate over the last `recentDays` school days. */
  readonly recentRate: number | null
  /** School days with at least one record. */
  readonly schoolDays: number
  readonly longestAbsenceStreak: number
  /** The streak that reaches the latest school day (0 when the student was last present). */
  readonly currentAbsenceStreak: number
  /** Every streak of at least `warningStreak` days, oldest first. */
  readonly streaks: readonly AbsenceStreak[]
  readonly firstDate: string | null
  readonly lastDate: string | null
  /** The most urgent level among `reasons`; `none` when there are none. */
  readonly level: WarningLevel
  readonly reasons: readonly WarningReason[]
}

const WHERE = 'attendance thresholds'

/** Validate and default {@link AttendanceThresholds} once; the result is frozen. */
export function resolveAttendanceThresholds(t: AttendanceThresholds = {}): ResolvedAttendanceThresholds {
  objectOption(WHERE, 'attendance', t)
  const r = {
    watchRate: numberOption(WHERE, 'watchRate', t.watchRate, 0.92, 0, 1),
    warningRate: numberOption(WHERE, 'warningRate', t.warningRate, 0.85, 0, 1),
    criticalRate: numberOption(WHERE, 'criticalRate', t.criticalRate, 0.75, 0, 1),
    warningStreak: numberOption(WHERE, 'warningStreak', t.warningStreak, 3, 1, 366, true),
    criticalStreak: numberOption(WHERE, 'criticalStreak', t.criticalStreak, 5, 1, 366, true),
    minRecords: numberOption(WHERE, 'minRecords', t.minRecords, 5, 1, 100_000, true),
    recentDays: numberOption(WHERE, 'recentDays', t.recentDays, 10, 1, 366, true),
  }
  orderedOptions(WHERE, 'criticalRate', r.criticalRate, 'warningRate', r.warningRate)
  orderedOptions(WHERE, 'warningRate', r.warningRate, 'watchRate', r.watchRate)
  orderedOptions(WHERE, 'warningStreak', r.warningStreak, 'criticalStreak', r.criticalStreak)
  return Object.freeze(r)
}

/** A Student Attendance view as an {@link AttendanceRecord}, or `undefined` when its date or status is unusable. */
export function toAttendanceRecord(doc: Readonly<Record<string, unknown>>): AttendanceRecord | undefined {
  const { date, status } = doc
  if (!isFrappeDate(date)) return undefined
  if (status !== 'Present' && status !== 'Absent' && status !== 'Leave') return undefined
  return { date, status }
}

const RANK: Record<WarningLevel, number> = { none: 0, watch: 1, warning: 2, critical: 3 }

function pct(rate: number): string {
  return `${round(rate * 100, 1)}%`
}

/**
 * Attendance rate and absence streaks of one student, and the early-warning level they imply.
 *
 * Several records on one day (one per Course Schedule) count as sessions for the rate; for streaks a
 * school day is absent when it has an `Absent` record and no `Present` one. `Leave` is excused: it
 * neither counts against the rate nor breaks or extends a streak. Streaks count school days that have
 * records (weekends and holidays have none), not calendar days. O(n log n).
 *
 * @example
 * ```ts
 * const a = analyzeAttendance(records, resolveAttendanceThresholds({ warningStreak: 2 }))
 * if (a.level !== 'none') notify(a.reasons.map((r) => r.message))
 * ```
 */
export function analyzeAttendance(
  records: Iterable<AttendanceRecord>,
  thresholds: ResolvedAttendanceThresholds = resolveAttendanceThresholds(),
): AttendanceAnalysis {
  let present = 0
  let absent = 0
  let leave = 0
  let count = 0
  // Per day: [present sessions, absent sessions].
  const days = new Map<string, [number, number]>()
  for (const r of records) {
    count++
    let day = days.get(r.date)
    if (!day) {
      day = [0, 0]
      days.set(r.date, day)
    }
    if (r.status === 'Present') {
      present++
      day[0]++
    } else if (r.status === 'Absent') {
      absent++
      day[1]++
    } else leave++
  }
  const ordered = [...days.keys()].sort()
  const streaks: AbsenceStreak[] = []
  let longest = 0
  let run = 0
  let runFrom = ''
  let runTo = ''
  const close = () => {
    if (run >= thresholds.warningStreak) streaks.push({ from: runFrom, to: runTo, days: run })
  }
  for (const date of ordered) {
    const [p, a] = days.get(date)!
    if (p > 0) {
      close()
      run = 0
    } else if (a > 0) {
      if (run === 0) runFrom = date
      run++
      runTo = date
      longest = Math.max(longest, run)
    }
  }
  close()
  const current = run
  let recentPresent = 0
  let recentAbsent = 0
  for (const date of ordered.slice(-thresholds.recentDays)) {
    const [p, a] = days.get(date)!
    recentPresent += p
    recentAbsent += a
  }
  const marked = present + absent
  const rate = marked === 0 ? null : present / marked
  const recentRate =
    recentPresent + recentAbsent === 0 ? null : recentPresent / (recentPresent + recentAbsent)

  const reasons: WarningReason[] = []
  const t = thresholds
  if (rate !== null && marked >= t.minRecords) {
    const level =
      rate < t.criticalRate
        ? 'critical'
        : rate < t.warningRate
          ? 'warning'
          : rate < t.watchRate
            ? 'watch'
            : null
    if (level)
      reasons.push({
        code: 'low_rate',
        level,
        message: `Attendance rate ${pct(rate)} over ${marked} sessions is below ${pct(level === 'critical' ? t.criticalRate : level === 'warning' ? t.warningRate : t.watchRate)}.`,
      })
  }
  if (
    recentRate !== null &&
    marked >= t.minRecords &&
    recentRate < t.warningRate &&
    (rate === null || recentRate < rate)
  )
    reasons.push({
      code: 'low_recent_rate',
      level: 'warning',
      message: `Attendance over the last ${Math.min(t.recentDays, ordered.length)} school days fell to ${pct(recentRate)}.`,
    })
  if (current >= t.warningStreak)
    reasons.push({
      code: 'absence_streak',
      level: current >= t.criticalStreak ? 'critical' : 'warning',
      message: `Absent for the last ${current} consecutive school days (since ${runFrom}).`,
    })
  else if (longest >= t.warningStreak)
    reasons.push({
      code: 'past_absence_streak',
      level: 'watch',
      message: `Was absent for ${longest} consecutive school days earlier in the period.`,
    })
  let level: WarningLevel = 'none'
  for (const r of reasons) if (RANK[r.level] > RANK[level]) level = r.level
  return {
    records: count,
    present,
    absent,
    leave,
    rate: rate === null ? null : round(rate, 4),
    recentRate: recentRate === null ? null : round(recentRate, 4),
    schoolDays: ordered.length,
    longestAbsenceStreak: longest,
    currentAbsenceStreak: current,
    streaks,
    firstDate: ordered[0] ?? null,
    lastDate: ordered[ordered.length - 1] ?? null,
    level,
    reasons,
  }
}
