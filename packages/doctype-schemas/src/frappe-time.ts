/**
 * Frappe's timestamps are naive: a Datetime is the wall-clock time in the site's time zone (System
 * Settings `time_zone`) written `YYYY-MM-DD HH:MM:SS[.ffffff]`, with no offset and no `T`; a Date is
 * `YYYY-MM-DD` in that zone. These helpers turn an instant into those strings.
 * @module
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** The calendar fields of an instant's wall-clock time in a time zone. */
export interface WallClock {
  readonly year: number
  /** 1–12. */
  readonly month: number
  readonly day: number
  /** 0–23. */
  readonly hour: number
  readonly minute: number
  readonly second: number
}

/** One formatter per zone: creating an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/**
 * The wall-clock fields of `epochMs` in `timeZone`.
 *
 * @param timeZone - An IANA time zone. @default 'UTC'
 * @throws RangeError when `timeZone` is not a time zone this runtime knows (see {@link isTimeZone}).
 * @example
 * ```ts
 * wallClock(Date.UTC(2024, 4, 1, 23, 30), 'Asia/Kolkata') // { year: 2024, month: 5, day: 2, hour: 5, minute: 0, second: 0 }
 * ```
 */
export function wallClock(epochMs: number, timeZone = 'UTC'): WallClock {
  if (timeZone === 'UTC') {
    const t = new Date(epochMs)
    return {
      year: t.getUTCFullYear(),
      month: t.getUTCMonth() + 1,
      day: t.getUTCDate(),
      hour: t.getUTCHours(),
      minute: t.getUTCMinutes(),
      second: t.getUTCSeconds(),
    }
  }
  const p: Record<string, number> = {}
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs)))
    p[part.type] = Number(part.value)
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! }
}

/**
 * Format an instant as a Frappe Datetime, `YYYY-MM-DD HH:MM:SS`, in the site's time zone.
 *
 * @param timeZone - An IANA time zone. @default 'UTC'
 * @throws RangeError when `timeZone` is not a time zone this runtime knows.
 * @example
 * ```ts
 * formatFrappeDatetime(Date.UTC(2024, 4, 1, 8, 30), 'Europe/Berlin') // '2024-05-01 10:30:00'
 * ```
 */
export function formatFrappeDatetime(epochMs: number, timeZone = 'UTC'): string {
  const c = wallClock(epochMs, timeZone)
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`
}

/**
 * Format microseconds since the epoch as Frappe's `now()` does for `modified` and `creation`:
 * `YYYY-MM-DD HH:MM:SS.ffffff`, always six fraction digits, in the site's time zone.
 *
 * @param timeZone - An IANA time zone. @default 'UTC'
 * @throws RangeError when `timeZone` is not a time zone this runtime knows.
 * @example
 * ```ts
 * formatFrappeTimestamp(Date.UTC(2024, 4, 1, 8, 30) * 1000 + 42, 'UTC') // '2024-05-01 08:30:00.000042'
 * ```
 */
export function formatFrappeTimestamp(epochMicros: number, timeZone = 'UTC'): string {
  const seconds = Math.floor(epochMicros / 1_000_000)
  return `${formatFrappeDatetime(seconds * 1000, timeZone)}.${pad(epochMicros - seconds * 1_000_000, 6)}`
}

/**
 * Format an instant as a Frappe Date, `YYYY-MM-DD`: the calendar day in the site's time zone.
 *
 * @param timeZone - An IANA time zone. @default 'UTC'
 * @throws RangeError when `timeZone` is not a time zone this runtime knows.
 * @example
 * ```ts
 * formatFrappeDate(Date.UTC(2024, 4, 1, 23, 30), 'Asia/Kolkata') // '2024-05-02'
 * ```
 */
export function formatFrappeDate(epochMs: number, timeZone = 'UTC'): string {
  const c = wallClock(epochMs, timeZone)
  return `${c.year}-${pad(c.month)}-${pad(c.day)}`
}

/**
 * Whether `timeZone` is an IANA time zone this runtime knows (what System Settings `time_zone` holds).
 *
 * @example
 * ```ts
 * isTimeZone('Europe/Zurich') // true
 * isTimeZone('Mars/Olympus') // false
 * ```
 */
export function isTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone === '') return false
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}
