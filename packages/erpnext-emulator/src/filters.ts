/**
 * Frappe list filters: the encodings `get_list` accepts (contract §9) and an evaluator with MariaDB's
 * semantics as Frappe uses them (`ifnull` wrapping, case-insensitive collation, numeric casting).
 */
import { frappeThrow } from './errors.js'
import { FLOAT_TYPES, INT_TYPES } from './meta.js'
import { timeSeconds } from './time.js'

/** One normalised filter condition. */
export interface FilterCondition {
  /** The doctype the field belongs to (the queried doctype or one of its child doctypes). */
  readonly doctype: string
  readonly fieldname: string
  /** Lower-case operator. */
  readonly operator: string
  readonly value: unknown
}

/** Operators Frappe accepts (contract §9). */
export const FRAPPE_OPERATORS: readonly string[] = [
  '=',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'like',
  'not like',
  'in',
  'not in',
  'is',
  'between',
  'timespan',
  'previous',
  'next',
  'descendants of',
  'not descendants of',
  'ancestors of',
  'not ancestors of',
  'descendants of (inclusive)',
]

const SUPPORTED = new Set([
  '=',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'like',
  'not like',
  'in',
  'not in',
  'is',
  'between',
  'timespan',
  'previous',
  'next',
  'descendants of',
  'not descendants of',
  'ancestors of',
  'not ancestors of',
  'descendants of (inclusive)',
])

/**
 * Normalise a `filters` / `or_filters` argument (JSON text, list of lists, or dict) into conditions.
 * Throws Frappe's errors for malformed input.
 */
export function parseFilters(raw: unknown, doctype: string): FilterCondition[] {
  if (raw === undefined || raw === null || raw === '') return []
  let value = raw
  if (typeof value === 'string') {
    const text = value.trim()
    if (!text.startsWith('[') && !text.startsWith('{')) {
      frappeThrow('DataError', `Filters must be JSON: ${truncate(text)}`)
    }
    try {
      value = JSON.parse(text)
    } catch {
      frappeThrow('JSONDecodeError', 'Expecting value: line 1 column 1 (char 0)', { serverMessage: false })
    }
  }
  const out: FilterCondition[] = []
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'string') {
        frappeThrow(
          'DataError',
          'Raw SQL string filters are not supported by the emulator; use [field, op, value].',
        )
      }
      if (!Array.isArray(item)) {
        if (item && typeof item === 'object') {
          out.push(...parseFilters(item, doctype))
          continue
        }
        frappeThrow('DataError', `Invalid filter: ${truncate(JSON.stringify(item))}`)
      }
      out.push(fromList(item.slice(0, 4), doctype))
    }
    return out
  }
  if (value && typeof value === 'object') {
    for (const [fieldname, v] of Object.entries(value as Record<string, unknown>)) {
      if (Array.isArray(v) && typeof v[0] === 'string' && isOperatorLike(v[0])) {
        out.push(make(doctype, fieldname, v[0], v[1]))
      } else {
        out.push(make(doctype, fieldname, '=', v))
      }
    }
    return out
  }
  return frappeThrow('DataError', `Invalid filters: ${truncate(String(raw))}`)
}

function isOperatorLike(op: string): boolean {
  return FRAPPE_OPERATORS.includes(op.trim().toLowerCase()) || op.trim().toLowerCase() === 'not set'
}

function fromList(item: unknown[], doctype: string): FilterCondition {
  if (item.length === 4) return make(String(item[0]), String(item[1]), item[2], item[3])
  if (item.length === 3) return make(doctype, String(item[0]), item[1], item[2])
  if (item.length === 2) return make(doctype, String(item[0]), '=', item[1])
  return frappeThrow('DataError', `Invalid filter: ${truncate(JSON.stringify(item))}`)
}

function make(doctype: string, fieldname: string, op: unknown, value: unknown): FilterCondition {
  const operator = String(op ?? '=')
    .trim()
    .toLowerCase()
  if (!FRAPPE_OPERATORS.includes(operator)) {
    frappeThrow('ValidationError', `Operator must be one of ${FRAPPE_OPERATORS.join(', ')}`)
  }
  if (!SUPPORTED.has(operator)) {
    frappeThrow('ValidationError', `The emulator does not support the "${operator}" operator.`)
  }
  return { doctype, fieldname: fieldname.trim(), operator, value }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/** The column type used to compare a field (drives `ifnull` fallbacks and casting). */
export type ColumnKind = 'number' | 'date' | 'datetime' | 'time' | 'text' | 'raw'

/** Map a Frappe fieldtype to its comparison kind. */
export function columnKind(fieldname: string, fieldtype: string): ColumnKind {
  if (fieldname === 'name') return 'raw'
  if (fieldname === 'creation' || fieldname === 'modified') return 'datetime'
  if (INT_TYPES.has(fieldtype) || FLOAT_TYPES.has(fieldtype)) return 'number'
  if (fieldtype === 'Date') return 'date'
  if (fieldtype === 'Datetime') return 'datetime'
  if (fieldtype === 'Time') return 'time'
  return 'text'
}

const FALLBACK: Record<ColumnKind, unknown> = {
  number: 0,
  date: '0001-01-01',
  datetime: '0001-01-01 00:00:00.000000',
  time: '00:00:00',
  text: '',
  raw: null,
}

/** MariaDB's `utf8mb4_unicode_ci` approximation: case-insensitive, trailing spaces ignored. */
export function collate(value: unknown): string {
  return String(value ?? '')
    .toLowerCase()
    .replace(/ +$/, '')
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  const n = Number.parseFloat(String(value ?? ''))
  return Number.isFinite(n) ? n : 0
}

function compare(kind: ColumnKind, a: unknown, b: unknown): number {
  if (kind === 'number') return toNumber(a) - toNumber(b)
  if (kind === 'text' || kind === 'raw') {
    const x = collate(a)
    const y = collate(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  if (kind === 'time') {
    const tx = timeSeconds(String(a ?? '0:00:00'))
    const ty = timeSeconds(String(b ?? '0:00:00'))
    return tx - ty
  }
  let x = String(a ?? '')
  let y = String(b ?? '')
  if (kind === 'datetime') {
    // MariaDB compares temporal values, not text: `10:00:00` equals `10:00:00.000000`.
    x = trimFraction(x.replace('T', ' '))
    y = trimFraction(y.replace('T', ' '))
  }
  return x < y ? -1 : x > y ? 1 : 0
}

function trimFraction(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

const likeCache = new Map<string, RegExp>()
function likeRegExp(pattern: string): RegExp {
  let re = likeCache.get(pattern)
  if (!re) {
    let src = ''
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i] as string
      if (ch === '\\' && i + 1 < pattern.length) {
        src += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      } else if (ch === '%') src += '[\\s\\S]*'
      else if (ch === '_') src += '[\\s\\S]'
      else src += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    }
    re = new RegExp(`^${src}$`, 'i')
    if (likeCache.size > 500) likeCache.clear()
    likeCache.set(pattern, re)
  }
  return re
}

/** The values of an `in`/`not in` filter (a list, or a comma-separated string). */
export function listValue(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.length ? value : ['']
  if (value === null || value === undefined || value === '') return ['']
  return String(value)
    .split(',')
    .map((v) => v.trim())
}

/**
 * Build a predicate for one condition over a column value of the given kind, with Frappe's
 * `ifnull(col, fallback)` wrapping.
 */
export function conditionPredicate(
  kind: ColumnKind,
  operator: string,
  value: unknown,
): (v: unknown) => boolean {
  const fallback = FALLBACK[kind]
  const wrap = (v: unknown) => (v === null || v === undefined ? fallback : v)
  switch (operator) {
    case '=':
      return (v) => compare(kind, wrap(v), value) === 0
    case '!=':
      return (v) => compare(kind, wrap(v), value) !== 0
    case '>':
      return (v) => compare(kind, wrap(v), value) > 0
    case '<':
      return (v) => compare(kind, wrap(v), value) < 0
    case '>=':
      return (v) => compare(kind, wrap(v), value) >= 0
    case '<=':
      return (v) => compare(kind, wrap(v), value) <= 0
    case 'like':
    case 'not like': {
      const re = likeRegExp(String(value ?? ''))
      const neg = operator === 'not like'
      return (v) => re.test(String(wrap(v) ?? '')) !== neg
    }
    case 'in':
    case 'not in': {
      const values = listValue(value)
      const neg = operator === 'not in'
      if (kind === 'number') {
        const set = new Set(values.map(toNumber))
        return (v) => set.has(toNumber(wrap(v))) !== neg
      }
      const set = new Set(values.map(collate))
      return (v) => set.has(collate(v === null || v === undefined ? '' : v)) !== neg
    }
    case 'is': {
      const mode = String(value ?? '').toLowerCase()
      if (mode !== 'set' && mode !== 'not set') {
        frappeThrow(
          'ValidationError',
          `Invalid value for "is" operator: ${String(value)} (use "set" or "not set")`,
        )
      }
      const isEmpty = (v: unknown) => v === null || v === undefined || v === ''
      return mode === 'set' ? (v) => !isEmpty(v) : (v) => isEmpty(v)
    }
    case 'between': {
      let [from, to] = Array.isArray(value) ? value : String(value ?? '').split(',')
      if (kind === 'datetime') {
        if (typeof from === 'string' && from.length === 10) from = `${from} 00:00:00.000000`
        if (typeof to === 'string' && to.length === 10) to = `${to} 23:59:59.999999`
      }
      return (v) => compare(kind, wrap(v), from) >= 0 && compare(kind, wrap(v), to) <= 0
    }
    default:
      return frappeThrow('ValidationError', `Operator must be one of ${FRAPPE_OPERATORS.join(', ')}`)
  }
}
