/** Frappe's naive, site-local timestamps (`YYYY-MM-DD HH:MM:SS.ffffff`). */

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

interface Parts {
  y: number
  mo: number
  d: number
  h: number
  mi: number
  s: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function partsIn(epochMs: number, timeZone: string): Parts {
  if (timeZone === 'UTC') {
    const t = new Date(epochMs)
    return {
      y: t.getUTCFullYear(),
      mo: t.getUTCMonth() + 1,
      d: t.getUTCDate(),
      h: t.getUTCHours(),
      mi: t.getUTCMinutes(),
      s: t.getUTCSeconds(),
    }
  }
  let fmt = formatters.get(timeZone)
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, fmt)
  }
  const p: Record<string, number> = {}
  for (const part of fmt.formatToParts(new Date(epochMs))) p[part.type] = Number(part.value)
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! }
}

/** Format microseconds since the epoch as Frappe's `now()` (always 6 fraction digits). */
export function formatMicros(micros: number, timeZone: string): string {
  const ms = Math.floor(micros / 1000)
  const p = partsIn(ms, timeZone)
  const frac = micros - Math.floor(micros / 1_000_000) * 1_000_000
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(frac, 6)}`
}

/** Format a date as `YYYY-MM-DD` in the site's time zone. */
export function formatDate(epochMs: number, timeZone: string): string {
  const p = partsIn(epochMs, timeZone)
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`
}

/** Python `str(datetime)`: the fraction is dropped when it is zero. */
export function pyDatetimeStr(value: string): string {
  return value.endsWith('.000000') ? value.slice(0, -7) : value
}

/** Validate a Date value; returns `YYYY-MM-DD` or undefined when it cannot be read. */
export function normalizeDate(value: unknown): string | undefined {
  const s = String(value).trim()
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(s)
  if (!m) return undefined
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  const t = new Date(Date.UTC(y, mo - 1, d))
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined
  return `${m[1]}-${pad(mo)}-${pad(d)}`
}

/** Validate a Datetime value; returns Python's `str(datetime)` form or undefined. */
export function normalizeDatetime(value: unknown): string | undefined {
  const s = String(value).trim()
  const m = /^(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(s)
  if (!m) return undefined
  const date = normalizeDate(m[1])
  if (!date) return undefined
  const h = Number(m[2] ?? 0)
  const mi = Number(m[3] ?? 0)
  const sec = Number(m[4] ?? 0)
  if (h > 23 || mi > 59 || sec > 59) return undefined
  const frac = (m[5] ?? '').padEnd(6, '0')
  const base = `${date} ${pad(h)}:${pad(mi)}:${pad(sec)}`
  return frac === '000000' ? base : `${base}.${frac}`
}

/** Validate a Time value; returns the form MariaDB gives back through Frappe (`H:MM:SS[.ffffff]`). */
export function normalizeTime(value: unknown): string | undefined {
  const s = String(value).trim()
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(s)
  if (!m) return undefined
  const h = Number(m[1])
  const mi = Number(m[2])
  const sec = Number(m[3] ?? 0)
  if (mi > 59 || sec > 59) return undefined
  const frac = (m[4] ?? '').padEnd(6, '0')
  const base = `${h}:${pad(mi)}:${pad(sec)}`
  return frac === '000000' ? base : `${base}.${frac}`
}

/** Seconds since midnight of a normalised time (for from/to comparisons). */
export function timeSeconds(value: string): number {
  const [h, m, s] = value.split(':')
  const n = Number(h) * 3600 + Number(m ?? 0) * 60 + Number.parseFloat(s ?? '0')
  return Number.isFinite(n) ? n : 0
}
