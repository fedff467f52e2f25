import { describe, expect, it } from 'vitest'
import {
  createClient,
  isDocumentValidationError,
  isUnknownDocTypeError,
  isUnknownFieldError,
} from '../src/index.js'
import { fakeFetch, json, URL_BASE } from './helpers.js'

const base = { url: URL_BASE, auth: { type: 'token', apiKey: 'k', apiSecret: 's' } } as const

describe('options are validated once, naming the option', () => {
  const bad: [string, Record<string, unknown>, RegExp, ErrorConstructor][] = [
    ['url missing', { url: undefined }, /`url`/, TypeError],
    ['url relative', { url: '/erp' }, /`url`/, TypeError],
    ['url ftp', { url: 'ftp://x' }, /`url`/, TypeError],
    ['url with credentials', { url: 'https://u:p@x' }, /`url`.*auth/, TypeError],
    ['fetch not a function', { fetch: 1 }, /`fetch`/, TypeError],
    ['clock without now', { clock: {} }, /`clock`/, TypeError],
    ['timeout zero', { timeout: 0 }, /`timeout`/, RangeError],
    ['timeout beyond a timer', { timeout: 2 ** 31 }, /`timeout`.*2147483647/, RangeError],
    ['timeout infinite', { timeout: Number.POSITIVE_INFINITY }, /`timeout`/, RangeError],
    ['retry.attempts 0', { retry: { attempts: 0 } }, /`retry.attempts`/, RangeError],
    ['retry.maxDelay < minDelay', { retry: { minDelay: 10, maxDelay: 5 } }, /`retry.maxDelay`/, RangeError],
    ['validate bogus', { validate: 'sometimes' }, /`validate`/, TypeError],
    ['rateLimit bogus', { rateLimit: 5 }, /`rateLimit`/, TypeError],
    [
      'rateLimit.requestsPerInterval 0',
      { rateLimit: { requestsPerInterval: 0 } },
      /`rateLimit.requestsPerInterval`/,
      RangeError,
    ],
    ['hooks not arrays', { hooks: { beforeRequest: () => {} } }, /`hooks.beforeRequest`/, TypeError],
    ['Authorization in headers', { headers: { Authorization: 'x' } }, /`headers.Authorization`/, TypeError],
    ['auth.type unknown', { auth: { type: 'magic' } }, /`auth.type`/, TypeError],
    [
      'auth.apiSecret empty',
      { auth: { type: 'token', apiKey: 'k', apiSecret: '' } },
      /`auth.apiSecret`/,
      TypeError,
    ],
    [
      'colon in secret',
      { auth: { type: 'token', apiKey: 'k', apiSecret: 'a:b' } },
      /must not contain ':'/,
      RangeError,
    ],
    ['session without password', { auth: { type: 'session', username: 'u' } }, /`auth.password`/, TypeError],
    ['oauth without tokens', { auth: { type: 'oauth', clientId: 'c' } }, /`auth.tokens`/, TypeError],
    ['custom without function', { auth: { type: 'custom', headers: {} } }, /`auth.headers`/, TypeError],
    ['meta not an object', { meta: 'x' }, /`meta`/, TypeError],
  ]
  for (const [label, patch, message, Kind] of bad) {
    it(label, () => {
      let error: unknown
      try {
        createClient({ ...base, ...patch } as never)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(Kind)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).toMatch(/^\[@edusync\/erpnext-client\]/)
    })
  }

  it('hooks given as undefined are treated as none; later changes to the arrays do not reach the client', async () => {
    const { fetch } = fakeFetch(() => json({ data: { name: 'A' } }))
    const calls: string[] = []
    const list = [() => void calls.push('first')]
    const client = createClient({
      ...base,
      fetch,
      meta: false,
      hooks: { beforeRequest: list, afterResponse: undefined },
    })
    list.push(() => void calls.push('added later'))
    await client.docUntyped('Student').get('A')
    expect(calls).toEqual(['first'])
  })

  it('a valid configuration gives a frozen client', () => {
    const client = createClient(base)
    expect(Object.isFrozen(client)).toBe(true)
    expect(client.url).toBe(URL_BASE)
  })
})

describe('extend', () => {
  it('returns a new client with merged options and appended hooks; the original is unchanged', async () => {
    const { fetch, seen } = fakeFetch(() => json({ data: { name: 'A' } }))
    const calls: string[] = []
    const a = createClient({
      ...base,
      fetch,
      meta: false,
      schemas: false,
      hooks: { beforeRequest: [() => void calls.push('a')] },
    })
    const b = a.extend({
      headers: { 'X-Trace': '1' },
      hooks: { beforeRequest: [() => void calls.push('b')] },
    })
    expect(b).not.toBe(a)
    await b.docUntyped('Student').get('A')
    await a.docUntyped('Student').get('A')
    expect(calls).toEqual(['a', 'b', 'a'])
    expect(seen[0]?.headers.get('x-trace')).toBe('1')
    expect(seen[1]?.headers.get('x-trace')).toBeNull()
  })
  it('validates the overrides', () => {
    const a = createClient(base)
    expect(() => a.extend({ timeout: -1 })).toThrow(RangeError)
  })
})

describe('bundled Education metadata and schemas (the defaults)', () => {
  const client = () => {
    const { fetch, seen } = fakeFetch(() => json({ data: { name: 'EDU-STU-1' } }))
    return { client: createClient({ ...base, fetch, rateLimit: false }), seen }
  }

  it('an unknown doctype in the typed API is refused', () => {
    const { client: c } = client()
    let error: unknown
    try {
      // @ts-expect-error not an Education doctype
      c.doc('Studnet')
    } catch (e) {
      error = e
    }
    expect(isUnknownDocTypeError(error)).toBe(true)
  })

  it('a filter on a field Student does not have is refused', async () => {
    const { client: c, seen } = client()
    // `admission_date` is not a Student field (the real one is joining_date)
    const filters = { admission_date: '2024-01-01' } as never
    const error = await c
      .doc('Student')
      .list({ filters })
      .catch((e: unknown) => e)
    expect(isUnknownFieldError(error)).toBe(true)
    expect(seen).toHaveLength(0)
  })

  it('a create missing a mandatory field is refused before sending', async () => {
    const { client: c, seen } = client()
    // student_email_id is mandatory (the type tests check the compile-time side)
    const doc = { first_name: 'Ann' } as never
    const error = await c
      .doc('Student')
      .create(doc)
      .catch((e: unknown) => e)
    expect(isDocumentValidationError(error)).toBe(true)
    expect(
      (error as { issues: { path: string[] }[] }).issues.some((i) => i.path[0] === 'student_email_id'),
    ).toBe(true)
    expect(seen).toHaveLength(0)
  })

  it('a valid create is sent', async () => {
    const { client: c, seen } = client()
    await c.doc('Student').create({ first_name: 'Ann', student_email_id: 'ann@example.org' })
    expect(seen).toHaveLength(1)
  })

  it('an update with an unknown field is refused', async () => {
    const { client: c } = client()
    // @ts-expect-error typo
    await expect(c.doc('Student').update('EDU-STU-1', { frist_name: 'A' })).rejects.toMatchObject({
      code: 'DOCUMENT_VALIDATION',
    })
  })
})
