/**
 * ERPNext-aware value normalisation and equality.
 *
 * ERPNext writes the same value in several spellings: Check is `0`/`1` (the AI layer may say `true`),
 * Float is `100.0` (JSON `100`), Time is read back as `9:05:00` (written as `09:05:00`), Datetime drops
 * `.000000`, JSON fields are strings holding JSON, and unset fields are absent, `null` or `""`. Change
 * detection compares normalised values so none of these spellings counts as a change.
 *
 * @module
 */

/**
 * A Frappe fieldtype. Types not listed explicitly (Data, Link, Select, Text, ...) compare as text.
 * Declaring field types is optional: without them values are classified by their shape.
 */
export type FieldType =
  | 'Check'
  | 'Int'
  | 'Float'
  | 'Currency'
  | 'Percent'
  | 'Rating'
  | 'Duration'
  | 'Date'
  | 'Datetime'
  | 'Time'
  | 'JSON'
  | 'Geolocation'
  | 'Table'
  | 'Table MultiSelect'
  | 'Data'
  | 'Link'
  | 'Dynamic Link'
  | 'Select'
  | 'Small Text'
  | 'Text'
  | 'Long Text'
  | 'Text Editor'
  | 'Read Only'
  | 'Attach'
  | 'Attach Image'
  | 'Color'
  | 'Phone'
  | (string & {})

/** The class a normalised value belongs to; values of different kinds are never silently equal. */
export type ValueKind = 'empty' | 'number' | 'string' | 'json' | 'table' | 'invalid'

/** A value after normalisation. */
export interface Normalized {
  readonly kind: ValueKind
  /** number, canonical string, parsed JSON value, the raw array (tables), null (empty), the raw value (invalid). */
  readonly value: unknown
}

const invalid = (value: unknown): Normalized => ({ kind: 'invalid', value })
const ZERO: Normalized = Object.freeze({ kind: 'number', value: 0 })
const ONE: Normalized = Object.freeze({ kind: 'number', value: 1 })

const EMPTY: Normalized = Object.freeze({ kind: 'empty', value: null })

/** Standard columns every ERPNext document or child row carries; never compared, never written. */
export const SYSTEM_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'owner',
  'creation',
  'modified',
  'modified_by',
  'docstatus',
  'idx',
  'doctype',
  'parent',
  'parentfield',
  'parenttype',
  '_user_tags',
  '_comments',
  '_assign',
  '_liked_by',
  '_seen',
])

const NUMBER_TYPES = new Set(['Int', 'Float', 'Currency', 'Percent', 'Rating', 'Duration'])
/** Fieldtypes whose value is JSON text. */
export const JSON_TYPES: ReadonlySet<string> = new Set(['JSON', 'Geolocation'])
const TABLE_TYPES = new Set(['Table', 'Table MultiSelect'])

const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/
const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/
const NUMERIC_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/

function canonicalTime(h: string, m: string, s: string | undefined, f: string | undefined): string {
  return `${h.padStart(2, '0')}:${m}:${s ?? '00'}.${(f ?? '').padEnd(6, '0')}`
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/** `9:05:00`, `09:05`, `09:05:00.000000` → `09:05:00.000000`; `undefined` when not a time. */
export function canonicalTimeString(value: string): string | undefined {
  // Fast path for the two spellings ERPNext actually produces: `H:MM:SS` and `HH:MM:SS`.
  const n = value.length
  if (n === 7 || n === 8) {
    const h = n - 7
    if (
      value.charCodeAt(h + 1) === 58 &&
      value.charCodeAt(h + 4) === 58 &&
      isDigit(value.charCodeAt(0)) &&
      isDigit(value.charCodeAt(h)) &&
      isDigit(value.charCodeAt(h + 2)) &&
      isDigit(value.charCodeAt(h + 3)) &&
      isDigit(value.charCodeAt(h + 5)) &&
      isDigit(value.charCodeAt(h + 6))
    ) {
      return `${h === 0 ? '0' : ''}${value}.000000`
    }
  }
  const m = TIME_RE.exec(value)
  return m ? canonicalTime(m[1]!, m[2]!, m[3], m[4]) : undefined
}

/** `2024-01-05 09:05:00` and `2024-01-05T09:05:00.000000` → `2024-01-05 09:05:00.000000`. */
export function canonicalDatetimeString(value: string): string | undefined {
  const m = DATETIME_RE.exec(value)
  return m ? `${m[1]} ${canonicalTime(m[2]!, m[3]!, m[4], m[5])}` : undefined
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** True for `{}`-like objects (not arrays, dates, maps or class instances). */
export const isRecord = isPlainObject

/** Heuristic used when no fieldtype is declared: an array of child rows as ERPNext returns them. */
export function looksLikeTable(value: unknown): boolean {
  if (!Array.isArray(value)) return false
  for (const row of value) {
    if (
      isPlainObject(row) &&
      ('parentfield' in row || 'parenttype' in row || ('name' in row && 'idx' in row))
    ) {
      return true
    }
  }
  return false
}

function parseJsonText(text: string): Normalized {
  try {
    return { kind: 'json', value: JSON.parse(text) }
  } catch {
    return { kind: 'string', value: text }
  }
}

/** Deeper than this is treated as not JSON (it is almost surely a cycle). */
const MAX_DEPTH = 200

/** True for plain JSON data: finite numbers, strings, booleans, null, arrays and plain objects of them. */
export function jsonLike(value: unknown, depth = 0): boolean {
  if (value === null) return true
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value)
    case 'object':
      if (depth > MAX_DEPTH) return false
      if (Array.isArray(value)) {
        for (const item of value) if (!jsonLike(item, depth + 1)) return false
        return true
      }
      if (!isPlainObject(value)) return false
      for (const key in value) if (value[key] !== undefined && !jsonLike(value[key], depth + 1)) return false
      return true
    default:
      return false
  }
}

function normalizeUntyped(value: unknown): Normalized {
  switch (typeof value) {
    case 'undefined':
      return EMPTY
    case 'boolean':
      return value ? ONE : ZERO
    case 'number':
      return Number.isFinite(value) ? { kind: 'number', value } : invalid(value)
    case 'string': {
      if (value === '') return EMPTY
      const c = value.charCodeAt(0)
      if (c >= 48 && c <= 57) {
        // A time has its first colon at index 1 or 2, a datetime a dash at index 4: other text that
        // starts with a digit (an address, a phone number) skips both patterns.
        const t =
          value.charCodeAt(1) === 58 || value.charCodeAt(2) === 58
            ? canonicalTimeString(value)
            : value.charCodeAt(4) === 45
              ? canonicalDatetimeString(value)
              : undefined
        if (t !== undefined) return { kind: 'string', value: t }
      } else if (c === 123 /* { */ || c === 91 /* [ */) {
        return parseJsonText(value)
      }
      return { kind: 'string', value }
    }
    case 'object':
      if (value === null) return EMPTY
      if (looksLikeTable(value)) return { kind: 'table', value }
      return jsonLike(value) ? { kind: 'json', value } : invalid(value)
    default:
      return invalid(value)
  }
}

/**
 * Normalise a raw field value. With a declared `type` the value is coerced the way ERPNext stores it
 * (Check `true` → 1, Int/Float `null` → 0, `""` Date → empty); a value ERPNext could not hold in that
 * type (an object in a Data field) has kind `invalid`. Without a type the value is classified by shape.
 */
export function normalizeValue(value: unknown, type?: FieldType): Normalized {
  if (type === undefined) return normalizeUntyped(value)
  if (type === 'Check') {
    if (value === true || value === 1 || value === '1') return ONE
    if (value === false || value === 0 || value === '0' || value == null || value === '') return ZERO
    return invalid(value)
  }
  if (NUMBER_TYPES.has(type)) {
    if (value == null || value === '') return { kind: 'number', value: 0 }
    if (typeof value === 'number') {
      return Number.isFinite(value) ? { kind: 'number', value } : invalid(value)
    }
    if (typeof value === 'string' && NUMERIC_RE.test(value.trim())) {
      return { kind: 'number', value: Number(value.trim()) }
    }
    return invalid(value)
  }
  if (TABLE_TYPES.has(type)) {
    if (value == null) return { kind: 'table', value: [] }
    return Array.isArray(value) ? { kind: 'table', value } : invalid(value)
  }
  if (JSON_TYPES.has(type)) {
    if (value == null || value === '') return EMPTY
    if (typeof value === 'string') return parseJsonText(value)
    return jsonLike(value) ? { kind: 'json', value } : invalid(value)
  }
  if (value == null || value === '') return EMPTY
  if (typeof value !== 'string') return invalid(value)
  if (type === 'Time') return { kind: 'string', value: canonicalTimeString(value) ?? value }
  if (type === 'Datetime') return { kind: 'string', value: canonicalDatetimeString(value) ?? value }
  return { kind: 'string', value }
}

/** Deep equality of JSON values; object key order is irrelevant and `undefined` members count as absent. */
export function jsonEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > MAX_DEPTH)
    return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i], depth + 1)) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  let count = 0
  for (const key in ao) {
    if (ao[key] === undefined) continue
    count++
    if (!jsonEqual(ao[key], bo[key], depth + 1)) return false
  }
  for (const key in bo) if (bo[key] !== undefined) count--
  return count === 0
}

const FAIL = -1

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i)
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i)
  return i
}

/** Index of the closing quote of a string starting after `i`; FAIL on an escape or a control character. */
function stringEnd(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c !== 34; c = text.charCodeAt(++i)) {
    if (c === 92 || c < 32 || Number.isNaN(c)) return FAIL // escape, control character, or end of text
  }
  return i
}

function digitsEnd(text: string, i: number): number {
  while (isDigit(text.charCodeAt(i))) i++
  return i
}

/** End of a JSON number starting at `i` (RFC 8259 grammar); FAIL when there is none. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === 45) i++
  const first = text.charCodeAt(i)
  if (first === 48) i++
  else if (first >= 49 && first <= 57) i = digitsEnd(text, i + 1)
  else return FAIL
  if (text.charCodeAt(i) === 46) {
    if (!isDigit(text.charCodeAt(i + 1))) return FAIL
    i = digitsEnd(text, i + 1)
  }
  const e = text.charCodeAt(i)
  if (e === 101 || e === 69) {
    i++
    const sign = text.charCodeAt(i)
    if (sign === 43 || sign === 45) i++
    if (!isDigit(text.charCodeAt(i))) return FAIL
    i = digitsEnd(text, i)
  }
  return i
}

/** Match the JSON value at `i` (after optional whitespace) against `value`: the index after it, or FAIL. */
function matchJson(text: string, i: number, value: unknown, depth: number): number {
  i = skipSpace(text, i)
  const c = text.charCodeAt(i)
  if (c === 34 /* " */) {
    if (typeof value !== 'string') return FAIL
    const end = stringEnd(text, i + 1)
    return end - i - 1 === value.length && text.startsWith(value, i + 1) ? end + 1 : FAIL
  }
  if (c === 123 /* { */) return matchJsonObject(text, i, value, depth)
  if (c === 91 /* [ */) {
    if (!Array.isArray(value) || depth > MAX_DEPTH) return FAIL
    i = skipSpace(text, i + 1)
    if (text.charCodeAt(i) === 93) return value.length === 0 ? i + 1 : FAIL
    for (let n = 0; ; ) {
      if (n >= value.length) return FAIL
      i = matchJson(text, i, value[n++], depth + 1)
      if (i === FAIL) return FAIL
      i = skipSpace(text, i)
      const d = text.charCodeAt(i)
      if (d === 93) return n === value.length ? i + 1 : FAIL
      if (d !== 44) return FAIL
      i++
    }
  }
  if (c === 116) return value === true && text.startsWith('true', i) ? i + 4 : FAIL
  if (c === 102) return value === false && text.startsWith('false', i) ? i + 5 : FAIL
  if (c === 110) return value === null && text.startsWith('null', i) ? i + 4 : FAIL
  if (typeof value !== 'number' || !Number.isFinite(value)) return FAIL
  const end = numberEnd(text, i)
  return end !== FAIL && Number(text.slice(i, end)) === value ? end : FAIL
}

/** Objects with more own keys than this are matched key by key through sliced key strings. */
const SMALL_OBJECT = 31

function matchJsonObject(text: string, i: number, value: unknown, depth: number): number {
  if (!isPlainObject(value) || depth > MAX_DEPTH) return FAIL
  const keys = Object.keys(value)
  if (keys.length > SMALL_OBJECT) return matchLargeJsonObject(text, i, value, depth)
  // Each text key is found among the value's own keys by comparing characters (no key string is
  // built or interned); a bit per own key catches duplicate keys, which JSON.parse would collapse.
  let matched = 0
  i = skipSpace(text, i + 1)
  if (text.charCodeAt(i) !== 125) {
    for (;;) {
      if (text.charCodeAt(i) !== 34) return FAIL
      const start = i + 1
      const end = stringEnd(text, start)
      if (end === FAIL) return FAIL
      const length = end - start
      let at = 0
      while (at < keys.length && (keys[at]!.length !== length || !text.startsWith(keys[at]!, start))) at++
      const bit = 1 << at
      // A key the value lacks, a duplicate, or `__proto__` (special to property access): not a match.
      if (at === keys.length || matched & bit || keys[at] === '__proto__') return FAIL
      matched |= bit
      i = skipSpace(text, end + 1)
      if (text.charCodeAt(i) !== 58 /* : */) return FAIL
      i = matchJson(text, i + 1, value[keys[at]!], depth + 1)
      if (i === FAIL) return FAIL
      i = skipSpace(text, i)
      const d = text.charCodeAt(i)
      if (d === 125) break
      if (d !== 44) return FAIL
      i = skipSpace(text, i + 1)
    }
  }
  // Every member of `value` the text did not name must be `undefined` (absent, as parsing sees it).
  for (let k = 0; k < keys.length; k++) {
    if ((matched & (1 << k)) === 0 && value[keys[k]!] !== undefined) return FAIL
  }
  return i + 1
}

function matchLargeJsonObject(
  text: string,
  i: number,
  value: Record<string, unknown>,
  depth: number,
): number {
  let count = 0
  const seen = new Set<string>()
  i = skipSpace(text, i + 1)
  if (text.charCodeAt(i) !== 125) {
    for (;;) {
      if (text.charCodeAt(i) !== 34) return FAIL
      const end = stringEnd(text, i + 1)
      if (end === FAIL) return FAIL
      const key = text.slice(i + 1, end)
      if (key === '__proto__' || seen.has(key) || !Object.hasOwn(value, key)) return FAIL
      seen.add(key)
      i = skipSpace(text, end + 1)
      if (text.charCodeAt(i) !== 58 /* : */) return FAIL
      i = matchJson(text, i + 1, value[key], depth + 1)
      if (i === FAIL) return FAIL
      count++
      i = skipSpace(text, i)
      const d = text.charCodeAt(i)
      if (d === 125) break
      if (d !== 44) return FAIL
      i = skipSpace(text, i + 1)
    }
  }
  for (const key of Object.keys(value)) if (value[key] !== undefined) count--
  return count === 0 ? i + 1 : FAIL
}

/**
 * True when `text` is a JSON object or array (as `JSON.parse` reads it) whose value is {@link jsonEqual}
 * to `value`, and `value` holds only JSON values (plain objects, arrays, strings, finite numbers,
 * booleans, null; `undefined` members count as absent). It walks the text and the value together
 * without building the parsed value, so a JSON field the AI layer holds parsed (its keys in another
 * order, say) is recognised without a parse or a serialisation. Only a positive answer is trusted: it
 * is also false whenever the text leaves the common subset it reads (string escapes, duplicate or
 * `__proto__` keys), and callers then take the parsing path.
 *
 * @example
 * jsonTextMatches('{"pace":"steady","reminders":true}', { reminders: true, pace: 'steady' }) // true
 */
export function jsonTextMatches(text: string, value: unknown): boolean {
  const c = text.charCodeAt(0)
  if ((c !== 123 && c !== 91) || typeof value !== 'object' || value === null) return false
  const end = matchJson(text, 0, value, 0)
  return end !== FAIL && skipSpace(text, end) === text.length
}

/**
 * Fast path: a JSON field held as text on one side and as the parsed value on the other is usually the
 * same serialisation (the AI layer parsed ERPNext's text). Only a positive answer is trusted.
 */
export function sameJsonText(a: unknown, b: unknown): boolean {
  if (typeof a === 'string') {
    if (typeof b !== 'object' || b === null || a.length < 2) return false
    const c = a.charCodeAt(0)
    if (c !== 123 && c !== 91) return false
    if (jsonTextMatches(a, b)) return true
    try {
      return a === JSON.stringify(b)
    } catch {
      return false // BigInt or a cycle: not JSON, so not the same as any JSON text
    }
  }
  return typeof b === 'string' && sameJsonText(b, a)
}

/** A stable string for a JSON value (object keys sorted), used for set membership and ordering. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
}

/** Equality of two normalised non-table values. */
export function normalizedEqual(a: Normalized, b: Normalized): boolean {
  if (a.kind !== b.kind) return false
  // Unexpected values are equal only when structurally identical (so an unchanged oddity is no change).
  return a.kind === 'json' || a.kind === 'invalid' ? jsonEqual(a.value, b.value) : a.value === b.value
}

/**
 * True when two raw field values mean the same thing to ERPNext (see the module notes). Child tables
 * are compared row by row by `name`, ignoring `idx`, row order and the standard columns.
 *
 * @example
 * valuesEqual('9:05:00', '09:05:00') // true
 * valuesEqual('{"b":1,"a":2}', { a: 2, b: 1 }) // true
 * valuesEqual(100.0, 100) // true
 */
export function valuesEqual(a: unknown, b: unknown, type?: FieldType, childTypes?: ChildTypes): boolean {
  if (a === b) return true
  if ((type === undefined || JSON_TYPES.has(type)) && sameJsonText(a, b)) return true
  const na = normalizeValue(a, type)
  const nb = normalizeValue(b, type)
  if (na.kind === 'table' || nb.kind === 'table') {
    const ra = na.kind === 'table' ? (na.value as unknown[]) : na.kind === 'empty' ? [] : undefined
    const rb = nb.kind === 'table' ? (nb.value as unknown[]) : nb.kind === 'empty' ? [] : undefined
    return ra !== undefined && rb !== undefined && tablesEqual(ra, rb, childTypes)
  }
  return normalizedEqual(na, nb)
}

/** Field types of a child table's fields, by child field name (`undefined`: classify by shape). */
export type ChildTypes = Readonly<Record<string, FieldType>> | undefined

/**
 * Whether `row` has `key` as its own (enumerable) field, given `value = row[key]`. A primitive or
 * `null` read from a plain record is its own field (`Object.prototype` holds only functions and
 * objects), so the common case needs no second lookup.
 */
function holds(row: Record<string, unknown>, key: string, value: unknown): boolean {
  if (value === undefined) return false
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return true
  return Object.prototype.propertyIsEnumerable.call(row, key)
}

/** Equality of two child rows, ignoring the standard columns. */
export function rowsEqual(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  types?: ChildTypes,
): boolean {
  // Count the keys of `a` that `b` holds too: when `b` has no others, the second pass (looking for
  // fields only `b` has) has nothing to find and is skipped.
  let shared = 0
  for (const key in a) {
    const av = a[key]
    const bv = b[key]
    if (av !== bv && !SYSTEM_FIELDS.has(key) && !valuesEqual(av, bv, types?.[key])) return false
    if (holds(b, key, bv)) shared++
  }
  let held = 0
  for (const _ in b) held++
  if (held === shared) return true
  for (const key in b) {
    if (key in a || SYSTEM_FIELDS.has(key)) continue
    if (!valuesEqual(undefined, b[key], types?.[key])) return false
  }
  return true
}

/** Equality of two child tables: same named rows with equal contents; unnamed rows compared in order. */
export function tablesEqual(a: readonly unknown[], b: readonly unknown[], types?: ChildTypes): boolean {
  if (a.length !== b.length) return false
  const byName = new Map<unknown, Record<string, unknown>>()
  const unnamedA: Record<string, unknown>[] = []
  for (const row of a) {
    if (!isPlainObject(row)) return false
    if (row.name == null || row.name === '') unnamedA.push(row)
    else byName.set(row.name, row)
  }
  let unnamedIndex = 0
  for (const row of b) {
    if (!isPlainObject(row)) return false
    if (row.name == null || row.name === '') {
      const other = unnamedA[unnamedIndex++]
      if (other === undefined || !rowsEqual(other, row, types)) return false
      continue
    }
    const other = byName.get(row.name)
    if (other === undefined || !rowsEqual(other, row, types)) return false
    byName.delete(row.name)
  }
  return byName.size === 0 && unnamedIndex === unnamedA.length
}

/** A short, value-free description of a value's kind for messages and reasons. */
export function describeKind(value: unknown): string {
  if (value === undefined) return 'absent'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object')
    return isPlainObject(value) ? 'an object' : `a ${value.constructor?.name ?? 'value'}`
  return `a ${typeof value}`
}
