import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { PyFloat, pyDumps, pyFloatRepr, pyLoads, signWebhookBody } from '../src/index.js'

const python = spawnSync('python3', ['--version']).status === 0

/** Run python3 and return stdout; values are passed as JSON with floats marked. */
function py(script: string, input: string): string {
  const res = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' })
  if (res.status !== 0) throw new Error(res.stderr)
  return res.stdout
}

const FLOATS = [
  0,
  -0,
  1,
  100,
  0.1,
  1 / 3,
  1e16,
  1.5e16,
  1e-5,
  0.0001,
  123456789.125,
  2.5e-7,
  1e22,
  -42.75,
  5e-324,
  1.7976931348623157e308,
]

// Each Python case starts an interpreter, which can take seconds on a loaded machine.
describe('pyFloatRepr', { timeout: 30_000 }, () => {
  it('matches the contract examples', () => {
    expect(pyFloatRepr(100)).toBe('100.0')
    expect(pyFloatRepr(1e-5)).toBe('1e-05')
    expect(pyFloatRepr(1e16)).toBe('1e+16')
  })

  it.skipIf(!python)('matches Python repr(float) byte for byte', () => {
    const out = py(
      'import sys,json\nfor x in json.loads(sys.stdin.read()): print(repr(float(x)))',
      JSON.stringify(FLOATS.map((x) => (Object.is(x, -0) ? '-0.0' : String(x)))),
    )
    expect(FLOATS.map(pyFloatRepr)).toEqual(out.trim().split('\n'))
  })
})

describe('pyDumps', { timeout: 30_000 }, () => {
  it('reproduces the contract test vector body and signature', () => {
    const body = pyDumps({ name: 'CUST-0001', grand_total: new PyFloat(100), city: 'Zürich' })
    expect(body).toBe('{"name": "CUST-0001", "grand_total": 100.0, "city": "Z\\u00fcrich"}')
    expect(signWebhookBody(body, 'secret')).toBe('UvIlMY7/rgSzh69BZVgZs1V/wdss5Cv9bhCmJ5L6Z1A=')
  })

  it.skipIf(!python)('matches json.dumps for Unicode, floats, nesting and control characters', () => {
    const text =
      '{"a": "caf\\u00e9 \\ud83d\\ude00 \\u0007 \\"q\\" \\\\ \\n\\t/", "b": [1, 2.0, 3.25, -0.0, 1e-07, 12345678901234567890], "c": {"d": null, "e": true, "f": [], "g": {}}, "h": "\\u007f\\u0080\\u2028"}'
    const expected = py('import sys,json\nprint(json.dumps(json.loads(sys.stdin.read())), end="")', text)
    expect(pyDumps(pyLoads(text))).toBe(expected)
    const compact = py(
      'import sys,json\nprint(json.dumps(json.loads(sys.stdin.read()), separators=(",", ":")), end="")',
      text,
    )
    expect(pyDumps(pyLoads(text), { compact: true })).toBe(compact)
  })

  it.skipIf(!python)('signs like Python hmac over json.dumps output', () => {
    const text =
      '{"student": "EDU-STU-2024-00001", "score": 87.5, "name": "J\\u00fcrgen \\u00c5ngstr\\u00f6m", "n": [1, 2.0]}'
    const script = [
      'import sys,json,hmac,hashlib,base64',
      'body=json.dumps(json.loads(sys.stdin.read()), default=str)',
      'print(base64.b64encode(hmac.new("s3cr\\u00e9t".encode(), body.encode("utf8"), hashlib.sha256).digest()).decode(), end="")',
    ].join('\n')
    expect(signWebhookBody(pyDumps(pyLoads(text)), 's3cr\u00e9t')).toBe(py(script, text))
  })
})

describe('pyLoads', () => {
  it('keeps floats as PyFloat and ints as numbers', () => {
    const v = pyLoads('{"a": 1, "b": 1.0, "c": 2e3}') as Record<string, unknown>
    expect(v.a).toBe(1)
    expect(v.b).toBeInstanceOf(PyFloat)
    expect(v.c).toBeInstanceOf(PyFloat)
  })

  it('rejects trailing data like json.loads', () => {
    expect(() => pyLoads('{} x')).toThrow(/Extra data/)
  })
})
