/**
 * The small subset of Jinja and Python that Webhook documents use: `webhook_json` templates and `condition`
 * expressions over `doc`. Anything else is rejected when the Webhook is saved, so a webhook never silently
 * renders something ERPNext would not.
 *
 * Template expressions (`{{ ... }}`): `doc.field`, string literals, parentheses, Jinja's `~` string
 * concatenation, the filters `tojson`/`json`, and `frappe.utils.get_datetime_in_timezone("UTC").isoformat()`
 * (the current UTC time with its `+00:00` offset, as the recommended template of
 * `@edusync/webhook-verifier` uses).
 */
import { frappeThrow } from './errors.js'
import { PyFloat, pyDumps, pyFloatRepr } from './pyjson.js'

const SUPPORTED =
  'The emulator supports only literal text and {{ ... }} expressions made of doc.field, string literals, ' +
  'parentheses, ~ concatenation, the tojson filter and frappe.utils.get_datetime_in_timezone("UTC").isoformat() ' +
  'in webhook_json templates.'

/** A parsed template expression. */
type Expr =
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'doc'; readonly key: string }
  | { readonly k: 'utcnow' }
  | { readonly k: 'concat'; readonly parts: readonly Expr[] }
  | { readonly k: 'tojson'; readonly inner: Expr }

/** Jinja's debug rendering of a missing attribute (`DebugUndefined`). */
class Missing {
  constructor(readonly source: string) {}
}

type ExprToken = { readonly t: 'op' | 'str' | 'name'; readonly v: string }

function exprTokens(src: string): ExprToken[] {
  const out: ExprToken[] = []
  const re = /\s*(?:([.()~|,])|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([A-Za-z_][A-Za-z0-9_]*))/y
  let i = 0
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break
    re.lastIndex = i
    const m = re.exec(src)
    if (!m) frappeThrow('ValidationError', SUPPORTED, { title: 'Unsupported template' })
    i = re.lastIndex
    if (m[1]) out.push({ t: 'op', v: m[1] })
    else if (m[2] !== undefined) out.push({ t: 'str', v: unescapePy(m[2]) })
    else if (m[3] !== undefined) out.push({ t: 'str', v: unescapePy(m[3]) })
    else out.push({ t: 'name', v: m[4]! })
  }
  return out
}

function unescapePy(s: string): string {
  return s.replace(/\\(["'\\nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c))
}

/** Parse the inside of one `{{ ... }}` block; throws a ValidationError outside the supported subset. */
function parseExpr(src: string): Expr {
  const tokens = exprTokens(src)
  let p = 0
  const fail = (): never => frappeThrow('ValidationError', SUPPORTED, { title: 'Unsupported template' })
  const eat = (v?: string): ExprToken => {
    const tok = tokens[p]
    if (!tok || (v !== undefined && (tok.t === 'str' || tok.v !== v))) return fail()
    p++
    return tok
  }
  const name = (): string => {
    const tok = eat()
    return tok.t === 'name' ? tok.v : fail()
  }
  // Jinja precedence: filters bind tighter than `~`.
  const concat = (): Expr => {
    const parts = [filtered()]
    while (tokens[p]?.t === 'op' && tokens[p]?.v === '~') {
      eat('~')
      parts.push(filtered())
    }
    return parts.length === 1 ? parts[0]! : { k: 'concat', parts }
  }
  const filtered = (): Expr => {
    let e = primary()
    while (tokens[p]?.t === 'op' && tokens[p]?.v === '|') {
      eat('|')
      const f = name()
      if (f !== 'tojson' && f !== 'json') fail()
      e = { k: 'tojson', inner: e }
    }
    return e
  }
  const primary = (): Expr => {
    const tok = eat()
    if (tok.t === 'str') return { k: 'str', v: tok.v }
    if (tok.t === 'op' && tok.v === '(') {
      const inner = concat()
      eat(')')
      return inner
    }
    if (tok.t === 'name' && tok.v === 'doc') {
      eat('.')
      return { k: 'doc', key: name() }
    }
    if (tok.t === 'name' && tok.v === 'frappe') {
      for (const part of ['.', 'utils', '.', 'get_datetime_in_timezone', '(']) {
        if (part === '.' || part === '(') eat(part)
        else if (name() !== part) fail()
      }
      const tz = eat()
      if (tok.t !== 'name' || tz.t !== 'str' || tz.v !== 'UTC') fail()
      eat(')')
      eat('.')
      if (name() !== 'isoformat') fail()
      eat('(')
      eat(')')
      return { k: 'utcnow' }
    }
    return fail()
  }
  const e = concat()
  if (p !== tokens.length) fail()
  return e
}

const BLOCK = /\{\{([\s\S]*?)\}\}/g

/** Throw a ValidationError unless `template` uses only the supported Jinja subset. */
export function validateWebhookTemplate(template: string): void {
  const rest = template.replace(BLOCK, (_whole, inner: string) => {
    parseExpr(inner)
    return ''
  })
  if (/\{\{|\{%|\{#/.test(rest)) frappeThrow('ValidationError', SUPPORTED, { title: 'Unsupported template' })
}

/** Python's `datetime.isoformat()` of an aware UTC datetime at `epochMs` (microseconds dropped when 0). */
export function utcIsoformat(epochMs: number): string {
  const iso = new Date(epochMs).toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ
  const ms = iso.slice(20, 23)
  return `${iso.slice(0, 19)}${ms === '000' ? '' : `.${ms}000`}+00:00`
}

/** Python's `str()` of a value (what Jinja prints for `{{ value }}`). */
export function pyStr(value: unknown): string {
  if (value instanceof JsonText) return value.text
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
 * Render a webhook template against `doc` (a dict whose float fields are {@link PyFloat}s). A missing key
 * prints as Jinja's `DebugUndefined` does; `now` is the clock (epoch ms) for
 * `frappe.utils.get_datetime_in_timezone("UTC")`.
 */
export function renderWebhookTemplate(
  template: string,
  doc: Readonly<Record<string, unknown>>,
  now: () => number = Date.now,
): string {
  return template.replace(BLOCK, (whole, inner: string) => {
    const value = evaluate(parseExpr(inner), doc, now)
    if (value instanceof Missing) return whole
    return pyStr(value)
  })
}

function evaluate(e: Expr, doc: Readonly<Record<string, unknown>>, now: () => number): unknown {
  switch (e.k) {
    case 'str':
      return e.v
    case 'doc':
      return Object.hasOwn(doc, e.key)
        ? doc[e.key]
        : new Missing(`{{ no such element: dict object['${e.key}'] }}`)
    case 'utcnow':
      return utcIsoformat(now())
    case 'concat':
      return e.parts
        .map((part) => {
          const v = evaluate(part, doc, now)
          return v instanceof Missing ? v.source : pyStr(v)
        })
        .join('')
    case 'tojson': {
      const v = evaluate(e.inner, doc, now)
      if (v instanceof Missing) return v
      return new JsonText(jinjaToJson(v))
    }
  }
}

/** Already-serialised JSON text (Jinja's `Markup` from `tojson`): printed as is. */
class JsonText {
  constructor(readonly text: string) {}
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
