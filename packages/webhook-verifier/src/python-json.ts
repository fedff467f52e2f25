import { float, num } from './py-number.js'

const P = '[@edusync/webhook-verifier] '

/**
 * Marks a number as a Python `float`, so {@link pythonJsonDumps} renders it the way ERPNext does for
 * Float/Currency/Percent fields (`100.0`, `1e+16`), instead of as an integer.
 */
export class PythonFloat {
  readonly value: number
  constructor(value: number) {
    if (typeof value !== 'number')
      throw new TypeError(`${P}PythonFloat expects a number, got ${typeof value}.`)
    this.value = value
  }
}

/**
 * Shorthand for `new PythonFloat(value)`.
 * @example
 * pythonJsonDumps({ grand_total: pythonFloat(100) }) // '{"grand_total": 100.0}'
 */
export function pythonFloat(value: number): PythonFloat {
  return new PythonFloat(value)
}

const SHORT: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}

// Python's ensure_ascii escapes everything outside printable ASCII (space..tilde), lowercase hex.
const ESCAPE = /[\\"\u0000-\u001f\u007f-\uffff]/g

function str(s: string): string {
  return `"${s.replace(ESCAPE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`
}

function key(k: unknown): string {
  if (typeof k === 'string') return str(k)
  if (typeof k === 'number') return str(num(k, false))
  if (typeof k === 'boolean') return str(String(k))
  if (k === null) return '"null"'
  throw new TypeError(`${P}pythonJsonDumps: Map keys must be strings, numbers, booleans or null.`)
}

/** @internal `allFloat` renders every number as a float (used to diagnose re-serialised bodies). */
export function dumps(value: unknown, allFloat: boolean, stack: unknown[] = []): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return str(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      return num(value, allFloat)
    case 'bigint':
      return value.toString()
    case 'object': {
      if (value instanceof PythonFloat) return float(value.value)
      if (stack.includes(value)) throw new TypeError(`${P}pythonJsonDumps: circular structure.`)
      stack.push(value)
      let out: string
      if (Array.isArray(value)) out = `[${value.map((v) => dumps(v, allFloat, stack)).join(', ')}]`
      else if (value instanceof Map) {
        out = `{${[...value].map(([k, v]) => `${key(k)}: ${dumps(v, allFloat, stack)}`).join(', ')}}`
      } else if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
        throw new TypeError(
          `${P}pythonJsonDumps: ${Object.prototype.toString.call(value)} has no JSON form; pass a string (ERPNext sends dates as "YYYY-MM-DD HH:MM:SS").`,
        )
      } else {
        out = `{${Object.entries(value)
          .map(([k, v]) => `${str(k)}: ${dumps(v, allFloat, stack)}`)
          .join(', ')}}`
      }
      stack.pop()
      return out
    }
    default:
      throw new TypeError(`${P}pythonJsonDumps: a ${typeof value} value has no JSON form.`)
  }
}

/**
 * Serialises a value exactly as Python's `json.dumps(value)` does with its defaults — what ERPNext signs and
 * sends: `", "` and `": "` separators, non-ASCII as lowercase `\uXXXX` escapes, `NaN`/`Infinity` literals,
 * insertion order. Plain integral numbers render as Python `int`; wrap a number in {@link pythonFloat} to get
 * a Python `float` (`100.0`). Use a `Map` when key order matters beyond what a JS object preserves (JS puts
 * integer-like keys first).
 *
 * @throws TypeError for values JSON cannot carry (undefined, functions, symbols, Dates, cycles).
 * @example
 * pythonJsonDumps({ name: 'CUST-0001', grand_total: pythonFloat(100), city: 'Zürich' })
 * // '{"name": "CUST-0001", "grand_total": 100.0, "city": "Z\\u00fcrich"}'
 */
export function pythonJsonDumps(value: unknown): string {
  return dumps(value, false)
}
