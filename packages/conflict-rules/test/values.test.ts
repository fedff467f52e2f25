import { describe, expect, it } from 'vitest'
import { valuesEqual } from '../src/index.js'
import { canonicalDatetimeString, canonicalTimeString, normalizeValue, tablesEqual } from '../src/values.js'

// Each row: two spellings ERPNext (or the AI layer) may use, whether they mean the same, and the fieldtype.
const EQUAL_CASES: [string, unknown, unknown, string | undefined][] = [
  ['Check 1 and true', 1, true, 'Check'],
  ['Check 0 and false', 0, false, 'Check'],
  ['Check null and 0', null, 0, 'Check'],
  ['Check untyped 1 and true', 1, true, undefined],
  ['Float 100.0 and 100', 100.0, 100, 'Float'],
  ['Float "100.0" and 100', '100.0', 100, 'Float'],
  ['Int null and 0', null, 0, 'Int'],
  ['Currency absent and 0', undefined, 0, 'Currency'],
  ['Time unpadded hour', '9:05:00', '09:05:00', 'Time'],
  ['Time with microseconds', '09:05:00.000000', '9:05:00', 'Time'],
  ['Time without seconds', '09:05', '9:05:00', 'Time'],
  ['Time untyped', '9:05:00', '09:05:00', undefined],
  ['Datetime with/without microseconds', '2024-01-05 09:05:00', '2024-01-05 09:05:00.000000', 'Datetime'],
  ['Datetime ISO T separator', '2024-01-05T09:05:00', '2024-01-05 09:05:00', 'Datetime'],
  ['Datetime untyped', '2024-01-05 09:05:00.000000', '2024-01-05 09:05:00', undefined],
  ['Date "" and null', '', null, 'Date'],
  ['Data absent, null and ""', undefined, '', 'Data'],
  ['JSON text and object', '{"b":1,"a":[1,2]}', { a: [1, 2], b: 1 }, 'JSON'],
  ['JSON text spacing and key order', '{"a": 1, "b": {"c": 2}}', '{"b":{"c":2},"a":1}', 'JSON'],
  ['JSON untyped text and object', '{"level":2}', { level: 2 }, undefined],
  ['JSON untyped array text', '["x","y"]', ['x', 'y'], undefined],
]

const DIFFERENT_CASES: [string, unknown, unknown, string | undefined][] = [
  ['Check 1 and 0', 1, 0, 'Check'],
  ['Float 100 and 100.5', 100, 100.5, 'Float'],
  ['Time minutes differ', '9:05:00', '9:06:00', 'Time'],
  ['Datetime microseconds differ', '2024-01-05 09:05:00.1', '2024-01-05 09:05:00', 'Datetime'],
  ['JSON value differs', '{"a":1}', { a: 2 }, 'JSON'],
  ['JSON array order matters', '[1,2]', [2, 1], 'JSON'],
  ['Data text differs', 'Ann', 'Anna', 'Data'],
  ['Data case matters', 'ann', 'Ann', 'Data'],
  ['untyped string and number', '100', 100, undefined],
  ['object in a Data field', { a: 1 }, '{"a":1}', 'Data'],
]

describe('valuesEqual understands ERPNext value quirks', () => {
  it.each(EQUAL_CASES)('%s → equal', (_label, a, b, type) => {
    expect(valuesEqual(a, b, type)).toBe(true)
    expect(valuesEqual(b, a, type)).toBe(true)
  })
  it.each(DIFFERENT_CASES)('%s → different', (_label, a, b, type) => {
    expect(valuesEqual(a, b, type)).toBe(false)
    expect(valuesEqual(b, a, type)).toBe(false)
  })
})

describe('child tables are compared row by row by name', () => {
  const row = (name: string, idx: number, relation: string) => ({
    name,
    idx,
    parent: 'EDU-STU-2024-00001',
    parentfield: 'guardians',
    parenttype: 'Student',
    doctype: 'Student Guardian',
    guardian: `EDU-GRD-2024-0000${idx}`,
    relation,
  })
  const a = [row('g1', 1, 'Mother'), row('g2', 2, 'Father')]

  it('ignores row order and idx', () => {
    const b = [
      { ...a[1]!, idx: 1 },
      { ...a[0]!, idx: 2 },
    ]
    expect(tablesEqual(a, b)).toBe(true)
    expect(valuesEqual(a, b, 'Table')).toBe(true)
  })
  it('ignores the standard columns of rows (modified, owner, ...)', () => {
    expect(tablesEqual(a, [{ ...a[0]!, modified: '2025-01-01 00:00:00' }, a[1]!])).toBe(true)
  })
  it('sees a changed row field', () => {
    expect(tablesEqual(a, [{ ...a[0]!, relation: 'Others' }, a[1]!])).toBe(false)
  })
  it('sees an added row', () => {
    expect(tablesEqual(a, [...a, row('g3', 3, 'Others')])).toBe(false)
  })
  it('sees a removed row', () => {
    expect(tablesEqual(a, [a[0]!])).toBe(false)
  })
  it('sees a renamed row (a different row)', () => {
    expect(tablesEqual(a, [{ ...a[0]!, name: 'g9' }, a[1]!])).toBe(false)
  })
  it('treats null and [] alike for a declared table', () => {
    expect(valuesEqual(null, [], 'Table')).toBe(true)
  })
})

describe('normalisation', () => {
  it('canonicalises times and datetimes', () => {
    expect(canonicalTimeString('9:05:00')).toBe('09:05:00.000000')
    expect(canonicalTimeString('14:30:00.5')).toBe('14:30:00.500000')
    expect(canonicalTimeString('nine')).toBeUndefined()
    expect(canonicalDatetimeString('2024-01-05 9:05:00')).toBe('2024-01-05 09:05:00.000000')
  })
  it('marks values ERPNext could not hold in the declared type as invalid', () => {
    expect(normalizeValue({ a: 1 }, 'Data').kind).toBe('invalid')
    expect(normalizeValue('many', 'Int').kind).toBe('invalid')
    expect(normalizeValue('maybe', 'Check').kind).toBe('invalid')
    expect(normalizeValue(Number.NaN, 'Float').kind).toBe('invalid')
    expect(normalizeValue('x', 'Table').kind).toBe('invalid')
  })
  it('keeps invalid JSON text as a string rather than throwing', () => {
    expect(normalizeValue('{oops', 'JSON')).toEqual({ kind: 'string', value: '{oops' })
  })
  it('compares unexpected values structurally, so an unchanged oddity is not a change', () => {
    expect(valuesEqual({ a: 1 }, { a: 1 }, 'Data')).toBe(true)
    expect(valuesEqual({ a: 1 }, { a: 2 }, 'Data')).toBe(false)
    expect(valuesEqual(Number.NaN, Number.NaN, 'Float')).toBe(false)
  })
})
