/**
 * The date ranges behind Frappe's `timespan`, `previous` and `next` filter operators
 * (`frappe.utils.data.get_timespan_date_range` and `frappe.model.db_query.get_date_range`). Frappe
 * rewrites such a filter into `between [from, to]`; the ranges are whole days, inclusive.
 */
import { frappeThrow } from './errors.js'

/** Day names in the order of System Settings `first_day_of_the_week` (Sunday = 0, as Frappe's `Weekday`). */
export const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const

/** A day of the week by name. */
export type Weekday = (typeof WEEKDAYS)[number]

/** The `timespan` values Frappe knows (anything else is refused). */
export const TIMESPANS: readonly string[] = [
  'last 7 days',
  'last 14 days',
  'last 30 days',
  'last 90 days',
  'last week',
  'last month',
  'last quarter',
  'last 6 months',
  'last year',
  'yesterday',
  'today',
  'tomorrow',
  'this week',
  'this month',
  'this quarter',
  'this year',
  'next 7 days',
  'next 14 days',
  'next 30 days',
  'next week',
  'next month',
  'next quarter',
  'next 6 months',
  'next year',
]

/** `previous`/`next` values and the timespan word each maps to (`get_date_range`'s `timespan_map`). */
const PERIODS: Readonly<Record<string, string>> = {
  '1 week': 'week',
  '1 month': 'month',
  '3 months': 'quarter',
  '6 months': '6 months',
  '1 year': 'year',
}

/** A calendar date without a time zone. */
interface Ymd {
  readonly y: number
  readonly m: number // 1..12
  readonly d: number
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

function parseYmd(s: string): Ymd {
  const [y, m, d] = s.split('-').map(Number)
  return { y: y!, m: m!, d: d! }
}

function fmt(t: Ymd): string {
  return `${pad(t.y, 4)}-${pad(t.m)}-${pad(t.d)}`
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function addDays(t: Ymd, days: number): Ymd {
  const x = new Date(Date.UTC(t.y, t.m - 1, t.d + days))
  return { y: x.getUTCFullYear(), m: x.getUTCMonth() + 1, d: x.getUTCDate() }
}

/** dateutil's `relativedelta(months=n)`: the day is clamped to the target month's length. */
function addMonths(t: Ymd, months: number): Ymd {
  const index = t.y * 12 + (t.m - 1) + months
  const y = Math.floor(index / 12)
  const m = index - y * 12 + 1
  return { y, m, d: Math.min(t.d, daysInMonth(y, m)) }
}

const monthStart = (t: Ymd): Ymd => ({ y: t.y, m: t.m, d: 1 })
const monthEnd = (t: Ymd): Ymd => ({ y: t.y, m: t.m, d: daysInMonth(t.y, t.m) })
const quarterStart = (t: Ymd): Ymd => ({ y: t.y, m: Math.floor((t.m - 1) / 3) * 3 + 1, d: 1 })
function quarterEnd(t: Ymd): Ymd {
  const m = Math.floor((t.m - 1) / 3) * 3 + 3
  return { y: t.y, m, d: daysInMonth(t.y, m) }
}
const yearStart = (t: Ymd): Ymd => ({ y: t.y, m: 1, d: 1 })
const yearEnd = (t: Ymd): Ymd => ({ y: t.y, m: 12, d: 31 })

function weekStart(t: Ymd, firstDay: number): Ymd {
  const weekday = new Date(Date.UTC(t.y, t.m - 1, t.d)).getUTCDay() // Sunday = 0, like Frappe's index
  return addDays(t, -((weekday - firstDay + 7) % 7))
}

function range(timespan: string, today: Ymd, firstDay: number): [Ymd, Ymd] | undefined {
  const week = (t: Ymd): [Ymd, Ymd] => {
    const s = weekStart(t, firstDay)
    return [s, addDays(s, 6)]
  }
  switch (timespan) {
    case 'last 7 days':
      return [addDays(today, -7), today]
    case 'last 14 days':
      return [addDays(today, -14), today]
    case 'last 30 days':
      return [addDays(today, -30), today]
    case 'last 90 days':
      return [addDays(today, -90), today]
    case 'last week':
      return week(addDays(today, -7))
    case 'last month':
      return [monthStart(addMonths(today, -1)), monthEnd(addMonths(today, -1))]
    case 'last quarter':
      return [quarterStart(addMonths(today, -3)), quarterEnd(addMonths(today, -3))]
    case 'last 6 months':
      // Frappe: the two whole quarters before this one.
      return [quarterStart(addMonths(today, -6)), quarterEnd(addMonths(today, -3))]
    case 'last year':
      return [yearStart({ ...today, y: today.y - 1 }), yearEnd({ ...today, y: today.y - 1 })]
    case 'yesterday':
      return [addDays(today, -1), addDays(today, -1)]
    case 'today':
      return [today, today]
    case 'tomorrow':
      return [addDays(today, 1), addDays(today, 1)]
    case 'this week':
      return week(today)
    case 'this month':
      return [monthStart(today), monthEnd(today)]
    case 'this quarter':
      return [quarterStart(today), quarterEnd(today)]
    case 'this year':
      return [yearStart(today), yearEnd(today)]
    case 'next 7 days':
      return [today, addDays(today, 7)]
    case 'next 14 days':
      return [today, addDays(today, 14)]
    case 'next 30 days':
      return [today, addDays(today, 30)]
    case 'next week':
      return week(addDays(today, 7))
    case 'next month':
      return [monthStart(addMonths(today, 1)), monthEnd(addMonths(today, 1))]
    case 'next quarter':
      return [quarterStart(addMonths(today, 3)), quarterEnd(addMonths(today, 3))]
    case 'next 6 months':
      // Frappe: the two whole quarters after this one.
      return [quarterStart(addMonths(today, 3)), quarterEnd(addMonths(today, 6))]
    case 'next year':
      return [yearStart({ ...today, y: today.y + 1 }), yearEnd({ ...today, y: today.y + 1 })]
    default:
      return undefined
  }
}

/**
 * The inclusive `[from, to]` dates (`YYYY-MM-DD`) of a `timespan`, `previous` or `next` filter, as
 * Frappe computes them from the site's today.
 *
 * @param operator `timespan`, `previous` or `next` (lower case).
 * @param value e.g. `"last week"` for `timespan`, `"6 months"` for `previous`/`next`.
 * @param today the site's current date, `YYYY-MM-DD`.
 * @param firstDayOfWeek System Settings `first_day_of_the_week`, Sunday = 0.
 * @throws FrappeException `ValidationError` (417) naming the accepted values when `value` is unknown.
 */
export function timespanRange(
  operator: string,
  value: unknown,
  today: string,
  firstDayOfWeek: number,
): [string, string] {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null)
  let timespan = text
  if (operator !== 'timespan') {
    const period = PERIODS[text]
    if (!period) {
      frappeThrow(
        'ValidationError',
        `Invalid value for the "${operator}" operator: ${quote(text)}. Use one of ${Object.keys(PERIODS).join(', ')}.`,
      )
    }
    timespan = `${operator === 'previous' ? 'last' : 'next'} ${period}`
  }
  const r = range(timespan, parseYmd(today), firstDayOfWeek)
  if (!r) {
    frappeThrow(
      'ValidationError',
      `Invalid value for the "timespan" operator: ${quote(text)}. Use one of ${TIMESPANS.join(', ')}.`,
    )
  }
  return [fmt(r[0]), fmt(r[1])]
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s)
}
