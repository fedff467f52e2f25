import { createHash } from 'node:crypto'

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Parse a Frappe Time value (`H:MM:SS`, hour not zero-padded, optional fraction; `HH:MM` accepted) into
 * seconds after midnight. `undefined` when it is not a time of day.
 *
 * @example
 * ```ts
 * parseFrappeTime('9:05:00') // 32700
 * ```
 */
export function parseFrappeTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const m = TIME.exec(value.trim())
  if (!m) return undefined
  const h = Number(m[1])
  const min = Number(m[2])
  const s = Number(m[3] ?? 0)
  if (min > 59 || s > 59 || h > 24 || (h === 24 && (min > 0 || s > 0))) return undefined
  return h * 3600 + min * 60 + s
}

/**
 * Format seconds after midnight the way Frappe reads a Time from the database: `H:MM:SS`, hour unpadded.
 *
 * @example
 * ```ts
 * formatFrappeTime(32700) // '9:05:00'
 * ```
 */
export function formatFrappeTime(seconds: number): string {
  const t = Math.max(0, Math.round(seconds))
  const h = Math.floor(t / 3600)
  const m = Math.floor((t % 3600) / 60)
  const s = t % 60
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`
}

/** Whether `value` is a real calendar date written as Frappe's `YYYY-MM-DD`. */
export function isFrappeDate(value: unknown): value is string {
  if (typeof value !== 'string') return false
  const m = DATE.exec(value)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  )
}

// Frappe's naive, site-local Datetime and the time-zone check are shared with the emulator.
export { formatFrappeDatetime, isTimeZone } from '@edusync/doctype-schemas'

/** A finite number from a Frappe Int/Float/Percent value (numbers, or numeric strings); else `undefined`. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value)
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

/** A non-empty string, else `undefined`. */
export function toText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * An idempotency key of at most 140 characters (the engine's limit): `prefix:part:part`, or, when that is
 * longer, `prefix:` and a SHA-256 digest of the parts.
 */
export function idempotencyKey(prefix: string, ...parts: readonly string[]): string {
  const plain = [prefix, ...parts].join(':')
  if (plain.length <= 140) return plain
  return `${prefix}:${createHash('sha256').update(parts.join('\u0000')).digest('hex')}`
}
