import { createHash } from 'node:crypto'

/**
 * Canonical JSON: object keys sorted, `undefined` members dropped, so equal documents serialise equally
 * whatever order ERPNext sent their keys in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null'
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)))
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

/**
 * The content hash stored with every mirrored document: SHA-256 (hex) of its canonical JSON. Two
 * documents with the same fields and values have the same hash regardless of key order.
 * @example
 * contentHash({ b: 1, a: 2 }) === contentHash({ a: 2, b: 1 }) // true
 */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex')
}
