/**
 * Python-compatible JSON. Frappe serialises with Python's `json` module, whose output differs from
 * `JSON.stringify`: floats keep `.0`, the default separators are `", "` and `": "`, non-ASCII text is
 * escaped as `\uXXXX`, and exponents look like `1e-05`. Webhook signatures are computed over those exact
 * bytes, so this module reproduces them.
 */

/** A number that Python holds as a `float` (so `100` renders as `100.0`). */
export class PyFloat {
  readonly value: number
  constructor(value: number) {
    this.value = value
  }
}

/** Render a number exactly as Python's `repr(float)`. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return 'Infinity'
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const exp = value.toExponential() // shortest round-trip digits, like Python's repr
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp)
  if (!match) return String(value)
  const sign = match[1] ?? ''
  const digits = (match[2] ?? '') + (match[3] ?? '')
  const e = Number(match[4])
  if (e < -4 || e >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const abs = Math.abs(e)
    return `${sign}${mantissa}e${e < 0 ? '-' : '+'}${abs < 10 ? `0${abs}` : abs}`
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`
  if (digits.length <= e + 1) return `${sign}${digits}${'0'.repeat(e + 1 - digits.length)}.0`
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`
}

const NON_ASCII = /[\u007f-\uffff]/
const NON_ASCII_G = /[\u007f-\uffff]/g

const keyCache = new Map<string, string>()

/** {@link pyQuote} for object keys, which repeat across rows. */
function quoteKey(key: string, ensureAscii: boolean): string {
  if (!ensureAscii) return pyQuote(key, false)
  let q = keyCache.get(key)
  if (q === undefined) {
    q = pyQuote(key, true)
    if (keyCache.size > 4096) keyCache.clear()
    keyCache.set(key, q)
  }
  return q
}

/** Quote a string like Python's `json.dumps` (`ensure_ascii` on by default). */
export function pyQuote(value: string, ensureAscii = true): string {
  // JSON.stringify escapes quotes, backslashes and control characters exactly as Python does
  // (\b \f \n \r \t, otherwise \u00XX); Python additionally escapes everything from U+007F up.
  const quoted = JSON.stringify(value)
  if (!ensureAscii || !NON_ASCII.test(quoted)) return quoted
  return quoted.replace(NON_ASCII_G, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Options of {@link pyDumps}. */
export interface PyDumpsOptions {
  /**
   * Use `(",", ":")` separators, as Frappe's HTTP responses do.
   * @default false (Python's default `", "` / `": "`)
   */
  readonly compact?: boolean
  /**
   * Escape every non-ASCII character as `\uXXXX`.
   * @default true
   */
  readonly ensureAscii?: boolean
  /**
   * Sort object keys (Jinja's `tojson` does).
   * @default false
   */
  readonly sortKeys?: boolean
}

/**
 * Serialise like Python's `json.dumps(value, default=str)`. Plain JS numbers that are integers render as
 * Python ints; wrap a value in {@link PyFloat} to render it as a float. `undefined` members are skipped,
 * `Date`s and other objects fall back to `String(value)` as `default=str` would.
 */
export function pyDumps(value: unknown, options: PyDumpsOptions = {}): string {
  const itemSep = options.compact ? ',' : ', '
  const keySep = options.compact ? ':' : ': '
  const ascii = options.ensureAscii ?? true
  const sortKeys = options.sortKeys ?? false
  const write = (v: unknown): string => {
    if (v === null || v === undefined) return 'null'
    if (typeof v === 'string') return pyQuote(v, ascii)
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v)
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    if (typeof v === 'bigint') return v.toString()
    if (v instanceof PyFloat) return pyFloatRepr(v.value)
    if (Array.isArray(v)) {
      let out = '['
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out += itemSep
        out += write(v[i])
      }
      return `${out}]`
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      let out = '{'
      let first = true
      const keys = Object.keys(v as object)
      if (sortKeys) keys.sort()
      for (const key of keys) {
        const member = (v as Record<string, unknown>)[key]
        if (member === undefined) continue
        if (!first) out += itemSep
        first = false
        out += quoteKey(key, ascii) + keySep + write(member)
      }
      return `${out}}`
    }
    return pyQuote(String(v), ascii)
  }
  return write(value)
}

/** Thrown by {@link pyLoads} for text that is not JSON (Python's `JSONDecodeError`). */
export class PyJsonDecodeError extends SyntaxError {
  override readonly name = 'JSONDecodeError'
}

/**
 * Parse JSON like Python's `json.loads`: numbers written with a fraction or exponent become
 * {@link PyFloat}, so a round trip through {@link pyDumps} keeps `1.0` as `1.0`.
 */
export function pyLoads(text: string): unknown {
  let i = 0
  const fail = (what: string): never => {
    throw new PyJsonDecodeError(`${what}: line 1 column ${i + 1} (char ${i})`)
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  }
  const value = (): unknown => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      const obj: Record<string, unknown> = {}
      ws()
      if (text[i] === '}') {
        i++
        return obj
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes')
        const key = str()
        ws()
        if (text[i] !== ':') fail("Expecting ':' delimiter")
        i++
        obj[key] = value()
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return obj
        }
        fail("Expecting ',' delimiter")
      }
    }
    if (ch === '[') {
      i++
      const arr: unknown[] = []
      ws()
      if (text[i] === ']') {
        i++
        return arr
      }
      for (;;) {
        arr.push(value())
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return arr
        }
        fail("Expecting ',' delimiter")
      }
    }
    if (ch === '"') return str()
    const literals: [string, unknown][] = [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', new PyFloat(Number.NaN)],
      ['Infinity', new PyFloat(Number.POSITIVE_INFINITY)],
      ['-Infinity', new PyFloat(Number.NEGATIVE_INFINITY)],
    ]
    for (const [word, lit] of literals) {
      if (text.startsWith(word, i)) {
        i += word.length
        return lit
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!m) return fail('Expecting value')
    i += m[0].length
    const n = Number(m[0])
    if (m[1] !== undefined || m[2] !== undefined) return new PyFloat(n)
    return Number.isSafeInteger(n) ? n : BigInt(m[0])
  }
  const str = (): string => {
    const start = i
    i++
    let hasEscape = false
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        hasEscape = true
        i++
      } else if ((text.charCodeAt(i) as number) < 0x20) {
        fail('Invalid control character at')
      }
      i++
    }
    if (i >= text.length) fail('Unterminated string starting at')
    i++
    const raw = text.slice(start, i)
    if (!hasEscape) return raw.slice(1, -1)
    try {
      return JSON.parse(raw) as string
    } catch {
      return fail('Invalid \\escape')
    }
  }
  const result = value()
  ws()
  if (i !== text.length) fail('Extra data')
  return result
}

/** Replace every {@link PyFloat} by its number (for handing parsed values to user code). */
export function unwrapPy(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value
  if (Array.isArray(value)) return value.map(unwrapPy)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = unwrapPy(v)
    return out
  }
  return value
}
