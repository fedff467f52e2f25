/** Reading Frappe's Date, Datetime and Time values (formatting lives in @edusync/doctype-schemas). */

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

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
