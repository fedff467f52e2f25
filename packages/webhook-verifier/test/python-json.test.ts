import { describe, expect, it } from 'vitest'
import { PythonFloat, pythonFloat, pythonJsonDumps } from '../src/index.js'

describe('pythonJsonDumps', () => {
  it.each([
    [null, 'null'],
    [true, 'true'],
    [0, '0'],
    [-42, '-42'],
    [1e21, '1000000000000000000000'],
    [12345678901234567890n, '12345678901234567890'],
    [0.5, '0.5'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    [pythonFloat(100), '100.0'],
    [pythonFloat(1e16), '1e+16'],
    [pythonFloat(1.5e-7), '1.5e-07'],
    [pythonFloat(-0), '-0.0'],
    ['Zürich', '"Z\\u00fcrich"'],
    ['\u0001\u001f\u007f', '"\\u0001\\u001f\\u007f"'],
    ['\b\f\n\r\t"\\/', '"\\b\\f\\n\\r\\t\\"\\\\/"'],
    ['😀', '"\\ud83d\\ude00"'],
    [[], '[]'],
    [{}, '{}'],
    [{ a: [1, { b: null }] }, '{"a": [1, {"b": null}]}'],
    [
      new Map<unknown, unknown>([
        ['z', 1],
        [2, 'two'],
        [true, false],
        [null, 0],
      ]),
      '{"z": 1, "2": "two", "true": false, "null": 0}',
    ],
  ])('%o → %s', (value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected)
  })

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Date', new Date(0)],
    ['bytes', new Uint8Array(1)],
  ])('rejects %s with a TypeError', (_label, value) => {
    expect(() => pythonJsonDumps({ value })).toThrow(TypeError)
  })

  it('rejects cycles', () => {
    const a: Record<string, unknown> = {}
    a.self = a
    expect(() => pythonJsonDumps(a)).toThrow(/circular/)
  })

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 }
    expect(pythonJsonDumps([shared, shared])).toBe('[{"x": 1}, {"x": 1}]')
  })

  it('PythonFloat requires a number', () => {
    expect(() => new PythonFloat('1' as unknown as number)).toThrow(TypeError)
  })
})
