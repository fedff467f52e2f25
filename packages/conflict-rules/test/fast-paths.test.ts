import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Doc, defaultEducationRules, resolve, valuesEqual } from '../src/index.js'
import {
  jsonEqual,
  jsonTextMatches,
  normalizeValue,
  rowsEqual,
  SYSTEM_FIELDS,
  tablesEqual,
} from '../src/values.js'

const HEAVY = process.env.EDUSYNC_HEAVY === '1'
const RUNS = HEAVY ? 5000 : 400

/** What parsing says: the text is JSON and its value equals `value` (the path the fast one must agree with). */
function parsedEqual(text: string, value: unknown): boolean {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return false
  }
  const n = normalizeValue(value, 'JSON')
  return n.kind === 'json' && jsonEqual(parsed, n.value)
}

/** The two-pass row comparison `rowsEqual` had before it learned to skip its second pass. */
function rowsEqualReference(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  for (const key in a) {
    if (a[key] === b[key] || SYSTEM_FIELDS.has(key)) continue
    if (!valuesEqual(a[key], b[key])) return false
  }
  for (const key in b) {
    if (key in a || SYSTEM_FIELDS.has(key)) continue
    if (!valuesEqual(undefined, b[key])) return false
  }
  return true
}

describe('jsonTextMatches (JSON text against a parsed value, without parsing)', () => {
  it('matches the same value whatever the key order and whitespace', () => {
    const value = { reminders: true, pace: 'steady', n: [1, 2.5, -3e2, { deep: null }] }
    expect(jsonTextMatches('{"pace":"steady","reminders":true,"n":[1,2.5,-300,{"deep":null}]}', value)).toBe(
      true,
    )
    expect(jsonTextMatches(JSON.stringify(value, null, 2), value)).toBe(true)
    expect(jsonTextMatches('[]', [])).toBe(true)
    expect(jsonTextMatches('{}', {})).toBe(true)
    expect(jsonTextMatches('{"a":1} \n', { a: 1 })).toBe(true)
  })

  it('treats undefined members as absent, as parsing does', () => {
    expect(jsonTextMatches('{"a":1}', { a: 1, b: undefined })).toBe(true)
    expect(jsonTextMatches('{"a":1}', { a: 1, b: null })).toBe(false)
    expect(jsonTextMatches('[null]', [undefined])).toBe(false)
  })

  it('compares numbers as numbers: -0 is 0, NaN and Infinity are never JSON', () => {
    expect(jsonTextMatches('{"x":0}', { x: -0 })).toBe(true)
    expect(jsonTextMatches('{"x":-0}', { x: 0 })).toBe(true)
    expect(jsonTextMatches('{"x":1.50}', { x: 1.5 })).toBe(true)
    expect(jsonTextMatches('{"x":null}', { x: Number.NaN })).toBe(false)
    expect(jsonTextMatches('{"x":1e400}', { x: Number.POSITIVE_INFINITY })).toBe(false)
    expect(jsonTextMatches('{"x":"1"}', { x: 1 })).toBe(false)
  })

  it('refuses what is not JSON, and what only a parse can settle', () => {
    for (const text of [
      '{"a":01}',
      '{"a":1,}',
      '[1,]',
      "{'a':1}",
      '{"a":.5}',
      '{"a":1}x',
      '{"a":tru}',
      '{a:1}',
    ]) {
      expect(jsonTextMatches(text, { a: 1 })).toBe(false)
    }
    // Escapes, duplicate keys and __proto__ are left to JSON.parse.
    expect(jsonTextMatches('{"s":"a\\"b"}', { s: 'a"b' })).toBe(false)
    expect(jsonTextMatches('{"a":1,"a":1}', { a: 1, b: 1 })).toBe(false)
    expect(jsonTextMatches('{"__proto__":{}}', { x: 1 })).toBe(false)
    // Only objects and arrays: other JSON texts are plain text to the untyped comparison.
    expect(jsonTextMatches(' {"a":1}', { a: 1 })).toBe(false)
    expect(jsonTextMatches('"a"', 'a' as unknown as object)).toBe(false)
  })

  it('matches large objects too (more keys than the bit set holds)', () => {
    const value: Record<string, number> = {}
    for (let i = 0; i < 40; i++) value[`k${i}`] = i
    const reversed = `{${Object.keys(value)
      .reverse()
      .map((k) => `"${k}":${value[k]}`)
      .join(',')}}`
    expect(jsonTextMatches(reversed, value)).toBe(true)
    expect(jsonTextMatches(reversed.replace('"k0":0', '"k1":1'), value)).toBe(false) // duplicate k1, no k0
    expect(jsonTextMatches(reversed.replace(',"k0":0', ''), value)).toBe(false)
    expect(jsonTextMatches(reversed, { ...value, extra: 1 })).toBe(false)
    expect(jsonTextMatches(reversed, { ...value, extra: undefined })).toBe(true)
  })

  it('never matches values parsing would not produce', () => {
    expect(jsonTextMatches('{"d":"1970-01-01T00:00:00.000Z"}', { d: new Date(0) })).toBe(false)
    expect(jsonTextMatches('{"m":{}}', { m: new Map() })).toBe(false)
    expect(jsonTextMatches('{"a":1}', { a: 1, f: () => 1 })).toBe(false)
  })

  it('agrees with parsing on random JSON (fast-check)', () => {
    const value = fc.jsonValue({ maxDepth: 3 })
    const spelled = value.chain((v) =>
      fc.tuple(
        fc.constant(v),
        fc.constantFrom(0, 1, 2).map((indent) => JSON.stringify(v, null, indent) ?? 'null'),
      ),
    )
    fc.assert(
      fc.property(spelled, value, ([v, text], other) => {
        const c = text.charCodeAt(0)
        const structured = c === 123 || c === 91
        // Its own text (unless it holds escapes or a __proto__ key, which are left to the parse)...
        if (structured && !text.includes('\\') && !text.includes('"__proto__"'))
          expect(jsonTextMatches(text, v as object)).toBe(true)
        // ...and a "true" for another value is one parsing confirms.
        if (jsonTextMatches(text, other as object)) expect(parsedEqual(text, other)).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('rowsEqual skips its second pass only when that pass has nothing to find', () => {
  const base = { name: 'r1', idx: 1, parentfield: 'rows', label: 'red', qty: 2 }

  it('sees a field only the second row has', () => {
    expect(rowsEqual(base, { ...base, extra: 'x' })).toBe(false)
    expect(rowsEqual({ ...base, extra: 'x' }, base)).toBe(false)
  })
  it('treats null, "" and missing alike, and ignores the standard columns', () => {
    expect(rowsEqual(base, { ...base, note: null })).toBe(true)
    expect(rowsEqual({ ...base, note: '' }, base)).toBe(true)
    expect(rowsEqual(base, { ...base, idx: 7, modified: '2025-01-01 00:00:00' })).toBe(true)
  })
  it('sees a missing field against an object value', () => {
    const meta = { tags: ['a'] }
    expect(rowsEqual({ ...base, meta }, { ...base, meta })).toBe(true)
    expect(rowsEqual(base, { ...base, meta })).toBe(false)
  })
  it('compares times and datetimes as ERPNext does', () => {
    expect(rowsEqual({ ...base, at: '9:00:00' }, { ...base, at: '09:00:00.000000' })).toBe(true)
    expect(
      rowsEqual({ ...base, on: '2024-01-05 09:05:00' }, { ...base, on: '2024-01-05T09:05:00.000000' }),
    ).toBe(true)
    expect(rowsEqual({ ...base, on: '2024-01-05 09:05:00' }, { ...base, on: new Date(0) })).toBe(false)
  })

  it('agrees with the two-pass comparison on random rows (fast-check)', () => {
    const cell = fc.constantFrom<unknown>(undefined, null, '', 'a', 'b', 0, 1, true, '9:05:00', '09:05:00', {
      x: 1,
    })
    const row = fc.dictionary(fc.constantFrom('name', 'idx', 'modified', 'a', 'b', 'c', 'd'), cell, {
      maxKeys: 6,
    })
    fc.assert(
      fc.property(row, row, fc.boolean(), (a, b, share) => {
        const second = share ? { ...a, ...b } : b
        expect(rowsEqual(a, second)).toBe(rowsEqualReference(a, second))
      }),
      { numRuns: RUNS },
    )
  })
})

describe('value normalisation fast paths', () => {
  it('only reads text that can be a time or a datetime as one', () => {
    expect(normalizeValue('12 Lake Road')).toEqual({ kind: 'string', value: '12 Lake Road' })
    expect(normalizeValue('1:05')).toEqual({ kind: 'string', value: '01:05:00.000000' })
    expect(normalizeValue('12:05:30.5')).toEqual({ kind: 'string', value: '12:05:30.500000' })
    expect(normalizeValue('2024-01-05 9:05')).toEqual({ kind: 'string', value: '2024-01-05 09:05:00.000000' })
    expect(normalizeValue('2024-01-05')).toEqual({ kind: 'string', value: '2024-01-05' })
    expect(normalizeValue('411001')).toEqual({ kind: 'string', value: '411001' })
  })
})

describe('resolve() gives the same answers on its fast paths', () => {
  const base: Doc = {
    name: 'S1',
    modified: '2024-05-01 10:00:00',
    first_name: 'Asha',
    ai_preferences_settings: '{"pace":"steady","reminders":true}',
    rows: [
      { name: 'r1', idx: 1, parentfield: 'rows', label: 'red', at: '9:00:00' },
      { name: 'r2', idx: 2, parentfield: 'rows', label: 'green', at: '14:30:00' },
    ],
  }
  const run = (ours: Doc, theirs: Doc = base) =>
    resolve({ base, ours, theirs, doctype: 'Student', rules: defaultEducationRules, now: 0 })

  it('a JSON field held parsed, keys in another order, is no change', () => {
    const r = run({ ...base, ai_preferences_settings: { reminders: true, pace: 'steady' } })
    expect(r.status).toBe('unchanged')
  })
  it('a JSON field with escaped text is still compared by value', () => {
    const text = '{"note":"say \\"hi\\"\\n","pace":"steady"}'
    const r = resolve({
      base: { ...base, ai_preferences_settings: text },
      ours: { ...base, ai_preferences_settings: { pace: 'steady', note: 'say "hi"\n' } },
      theirs: { ...base, ai_preferences_settings: text },
      doctype: 'Student',
      now: 0,
    })
    expect(r.status).toBe('unchanged')
  })
  it('-0 in the parsed value is the 0 of the text; Infinity is not JSON and goes to review', () => {
    const zero = resolve({
      base: { x: '{"n":0}' },
      ours: { x: { n: -0 } },
      theirs: { x: '{"n":0}' },
      doctype: 'Student',
      now: 0,
    })
    expect(zero.status).toBe('unchanged')
    const inf = resolve({
      base: { x: '{"n":1}' },
      ours: { x: { n: Number.POSITIVE_INFINITY } },
      theirs: { x: '{"n":1e400}' },
      doctype: 'Student',
      now: 0,
    })
    expect(inf.decisions.map((d) => d.strategy)).toEqual(['type_check'])
  })
  it('null in ours is a clearing, a missing field is not held', () => {
    const cleared = run({ ...base, first_name: null })
    expect(cleared.writeToErpnext).toEqual({ first_name: null })
    const { first_name: _, ...withoutName } = base
    expect(run(withoutName).status).toBe('unchanged')
  })
  it('reordered child rows with new idx and re-spelled times are no change', () => {
    const rows = base.rows as Doc[]
    const r = run({
      ...base,
      rows: [
        { ...rows[1]!, idx: 1 },
        { ...rows[0]!, idx: 2, at: '09:00:00' },
      ],
    })
    expect(r.status).toBe('unchanged')
    expect(tablesEqual(rows, r.merged.rows as Doc[])).toBe(true)
  })
  it('a field only ours has in a row is a change', () => {
    const rows = base.rows as Doc[]
    const r = run({ ...base, rows: [{ ...rows[0]!, label_note: 'new' }, rows[1]!] })
    expect(r.decisions.map((d) => [d.path, d.changedBy])).toEqual([['rows[].label_note', 'ours']])
  })
  it('long child tables (indexed by name) match rows the same way', () => {
    const long = Array.from({ length: 40 }, (_, i) => ({
      name: `r${i}`,
      idx: i + 1,
      parentfield: 'rows',
      label: 'red',
    }))
    const ours = long.map((r) => (r.name === 'r30' ? { ...r, label: 'green' } : { ...r }))
    const theirs = [...long].reverse().map((r, i) => ({ ...r, idx: i + 1 }))
    theirs.push({ name: 'r40', idx: 41, parentfield: 'rows', label: 'blue' })
    const r = resolve({
      base: { rows: long },
      ours: { rows: ours },
      theirs: { rows: theirs },
      doctype: 'Student',
      now: 0,
    })
    expect(r.decisions.map((d) => [d.path, d.rowName, d.changedBy])).toEqual([
      ['rows[].label', 'r30', 'ours'],
      ['rows[]', 'r40', 'theirs'],
    ])
    const merged = r.merged.rows as Doc[]
    expect(merged).toHaveLength(41)
    expect(merged.find((row) => row.name === 'r30')?.label).toBe('green')
  })
  it('standard columns are never compared', () => {
    const r = run({ ...base, modified: '2030-01-01 00:00:00', owner: 'someone', idx: 3 })
    expect(r.decisions).toEqual([])
  })
})
