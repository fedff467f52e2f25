import { createHash } from 'node:crypto'
import type { ErpDoc } from './ports.js'

/** JSON with object keys sorted at every level, so equal documents serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

/** Hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * Keys that differ between two reads of the same document version without it having changed: ERPNext
 * omits null keys on some endpoints and not on others, so nulls are dropped before hashing.
 */
function normaliseForHash(doc: ErpDoc): unknown {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(doc)) {
    if (value === null || value === undefined) continue
    if (Array.isArray(value)) {
      out[key] = value.map((row) =>
        row !== null && typeof row === 'object' ? normaliseForHash(row as ErpDoc) : row,
      )
    } else out[key] = value
  }
  return out
}

/** Content hash of a plaintext ERPNext document (children included, null keys ignored). */
export function contentHash(doc: ErpDoc): string {
  return sha256(canonicalJson(normaliseForHash(doc)))
}

/** Split an array into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Map `items` through `fn` with at most `limit` calls in flight, returning the results in the order of
 * `items`. After the first failure no further call starts; once the calls in flight have settled, the
 * failure of the earliest failed item is thrown.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  const errors = new Map<number, unknown>()
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.size === 0) {
      const i = next++
      try {
        results[i] = await fn(items[i] as T, i)
      } catch (error) {
        errors.set(i, error)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()))
  return results
}

/** How the engine treats a failed ERPNext request. */
export type ErrorClass = 'transient' | 'rate-limit' | 'timestamp' | 'permanent'

/**
 * Classify an error thrown by the ERPNext port without importing the client's classes (so any client
 * works): by `code` (`@edusync/erpnext-client`), then HTTP `status`, then Node network error codes.
 */
export function classifyError(error: unknown): ErrorClass {
  if (error === null || typeof error !== 'object') return 'transient'
  const e = error as { code?: unknown; status?: unknown; name?: unknown; excType?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  if (
    code === 'TIMESTAMP_MISMATCH' ||
    e.name === 'TimestampMismatchError' ||
    e.excType === 'TimestampMismatchError'
  )
    return 'timestamp'
  if (code === 'RATE_LIMIT' || e.status === 429) return 'rate-limit'
  if (
    code === 'SERVER' ||
    code === 'NETWORK' ||
    code === 'TIMEOUT' ||
    code === 'INVALID_RESPONSE' ||
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_SOCKET' ||
    e.name === 'AbortError' ||
    e.name === 'TimeoutError' ||
    e.name === 'TypeError' // fetch() network failures surface as TypeError
  )
    return 'transient'
  if (typeof e.status === 'number') return e.status >= 500 ? 'transient' : 'permanent'
  return code.startsWith('ENGINE_') || code.startsWith('STORAGE_') ? 'permanent' : 'transient'
}

/** A short, PII-free description of an error for the audit log and dead letters: class, code, status. */
export function describeError(error: unknown): string {
  if (error === null || typeof error !== 'object') return String(error).slice(0, 200)
  const e = error as { name?: unknown; code?: unknown; status?: unknown; message?: unknown }
  const parts = [typeof e.name === 'string' ? e.name : 'Error']
  if (typeof e.code === 'string' || typeof e.code === 'number') parts.push(String(e.code))
  if (typeof e.status === 'number') parts.push(`HTTP ${e.status}`)
  // Engine errors are written to be value-free; foreign messages may echo document data, so they are not kept.
  if (typeof e.code === 'string' && e.code.startsWith('ENGINE_') && typeof e.message === 'string')
    parts.push(e.message.slice(0, 300))
  return parts.join(' ')
}

/** Exponential back-off with full jitter. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2)
}

/** True for a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
