/**
 * The small subset of Jinja and Python that Webhook documents use: `webhook_json` templates with
 * `{{ doc.field }}` / `{{ doc.field | tojson }}` and `condition` expressions over `doc`. Anything else is
 * rejected when the Webhook is saved, so a webhook never silently renders something ERPNext would not.
 */
import { frappeThrow } from './errors.js'
import { PyFloat, pyDumps, pyFloatRepr } from './pyjson.js'

const EXPR = /\{\{\s*doc\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*(tojson|json)\s*)?\}\}/g

/** Throw a ValidationError unless `template` uses only the supported Jinja subset. */
export function validateWebhookTemplate(template: string): void {
  const rest = template.replace(EXPR, '')
  if (/\{\{|\{%|\{#/.test(rest)) {
    frappeThrow(
      'ValidationError',
      'The emulator supports only {{ doc.field }}, {{ doc.field | tojson }} and literal text in webhook_json templates.',
      { title: 'Unsupported template' },
    )
  }
}

/** Python's `str()` of a value (what Jinja prints for `{{ value }}`). */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value instanceof PyFloat) return pyFloatRepr(value.value)
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloatRepr(value)
  if (typeof value === 'string') return value
  return pyDumps(value)
}

/** Jinja's `tojson`: sorted keys and `<>&'` escaped for HTML safety. */
export function jinjaToJson(value: unknown): string {
  return pyDumps(value, { sortKeys: true })
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027')
}

/**
 * Render a webhook template against `doc` (a dict whose float fields are {@link PyFloat}s). Missing keys
 * render as the original expression, as Jinja's `DebugUndefined` does.
 */
export function renderWebhookTemplate(template: string, doc: Readonly<Record<string, unknown>>): string {
  return template.replace(EXPR, (whole, key: string, filter?: string) => {
    if (!Object.hasOwn(doc, key)) return whole
    const value = doc[key]
    return filter ? jinjaToJson(value) : pyStr(value)
  })
}

// --- conditions -------------------------------------------------------------------------------------

type Token = { t: 'op' | 'num' | 'str' | 'name' | 'kw'; v: string }

function tokenize(src: string): Token[] {
  const out: Token[] = []
  const re =
    /\s*(?:(==|!=|>=|<=|>|<|\(|\)|\[|\]|,|\.)|(\d+(?:\.\d+)?)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([A-Za-z_][A-Za-z0-9_]*))/y
  let i = 0
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break
    re.lastIndex = i
    const m = re.exec(src)
    if (!m) frappeThrow('ValidationError', `Unsupported webhook condition near "${src.slice(i, i + 20)}".`)
    i = re.lastIndex
    if (m[1]) out.push({ t: 'op', v: m[1] })
    else if (m[2]) out.push({ t: 'num', v: m[2] })
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3] })
    else if (m[4] !== undefined) out.push({ t: 'str', v: m[4] })
    else if (m[5])
      out.push({
        t: ['and', 'or', 'not', 'in', 'None', 'True', 'False'].includes(m[5]) ? 'kw' : 'name',
        v: m[5],
      })
  }
  return out
}

type Node = (doc: Readonly<Record<string, unknown>>) => unknown

/**
 * Compile a webhook `condition`: Python comparisons (`== != > < >= <=`, `in`, `not in`), `and`, `or`,
 * `not`, parentheses, literals (numbers, strings, lists, None/True/False) and `doc.field` /
 * `doc.get("field")`. Throws a ValidationError for anything else.
 */
export function compileCondition(src: string): Node {
  const tokens = tokenize(src)
  let p = 0
  const peek = () => tokens[p]
  const eat = (v?: string): Token => {
    const tok = tokens[p]
    if (!tok || (v !== undefined && tok.v !== v)) {
      frappeThrow('ValidationError', `Unsupported webhook condition: ${src}`)
    }
    p++
    return tok
  }
  const or = (): Node => {
    let left = and()
    while (peek()?.v === 'or') {
      eat()
      const l = left
      const r = and()
      left = (d) => truthy(l(d)) || truthy(r(d))
    }
    return left
  }
  const and = (): Node => {
    let left = not()
    while (peek()?.v === 'and') {
      eat()
      const l = left
      const r = not()
      left = (d) => truthy(l(d)) && truthy(r(d))
    }
    return left
  }
  const not = (): Node => {
    if (peek()?.v === 'not') {
      eat()
      const inner = not()
      return (d) => !truthy(inner(d))
    }
    return cmp()
  }
  const cmp = (): Node => {
    const left = atom()
    const tok = peek()
    if (tok && ['==', '!=', '>', '<', '>=', '<='].includes(tok.v)) {
      eat()
      const right = atom()
      const op = tok.v
      return (d) => compareValues(op, left(d), right(d))
    }
    if (tok?.v === 'in' || (tok?.v === 'not' && tokens[p + 1]?.v === 'in')) {
      const negate = tok.v === 'not'
      if (negate) eat()
      eat('in')
      const right = atom()
      return (d) => {
        const hay = right(d)
        const needle = left(d)
        const found = Array.isArray(hay)
          ? hay.some((h) => compareValues('==', h, needle))
          : typeof hay === 'string' && hay.includes(String(needle ?? ''))
        return negate ? !found : found
      }
    }
    return left
  }
  const atom = (): Node => {
    const tok = eat()
    if (tok.v === '(' && tok.t === 'op') {
      const inner = or()
      eat(')')
      return inner
    }
    if (tok.v === '[' && tok.t === 'op') {
      const items: Node[] = []
      while (peek()?.v !== ']') {
        items.push(atom())
        if (peek()?.v === ',') eat(',')
      }
      eat(']')
      return (d) => items.map((i) => i(d))
    }
    if (tok.t === 'num') {
      const n = Number(tok.v)
      return () => n
    }
    if (tok.t === 'str') {
      const s = tok.v.replace(/\\(.)/g, '$1')
      return () => s
    }
    if (tok.t === 'kw' && ['None', 'True', 'False'].includes(tok.v)) {
      const v = tok.v === 'None' ? null : tok.v === 'True'
      return () => v
    }
    if (tok.t === 'name' && tok.v === 'doc') {
      eat('.')
      const key = eat()
      if (key.t !== 'name') frappeThrow('ValidationError', `Unsupported webhook condition: ${src}`)
      if (key.v === 'get' && peek()?.v === '(') {
        eat('(')
        const arg = eat()
        if (arg.t !== 'str') frappeThrow('ValidationError', `Unsupported webhook condition: ${src}`)
        eat(')')
        return (d) => unwrap(d[arg.v])
      }
      return (d) => unwrap(d[key.v])
    }
    return frappeThrow('ValidationError', `Unsupported webhook condition: ${src}`)
  }
  const node = or()
  if (p !== tokens.length) frappeThrow('ValidationError', `Unsupported webhook condition: ${src}`)
  return node
}

function unwrap(v: unknown): unknown {
  return v instanceof PyFloat ? v.value : v
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0
  return Boolean(v)
}

function compareValues(op: string, a: unknown, b: unknown): boolean {
  if (op === '==') return a === b || (a == null && b == null)
  if (op === '!=') return !(a === b || (a == null && b == null))
  if (a == null || b == null) return false
  const x = a as number | string
  const y = b as number | string
  if (op === '>') return x > y
  if (op === '<') return x < y
  if (op === '>=') return x >= y
  return x <= y
}
