import { describe, expect, it } from 'vitest'
import { isWebhookVerificationError, MemorySeenStore, pythonFloat } from '../src/index.js'
import { codeOf, implementations, NOW, vector, vectors } from './helpers.js'

const contract = vector('contract')
const template = vector('template')
const headers = (signature: string) => ({ 'x-frappe-webhook-signature': signature })

describe.each(implementations)('verifyERPNextWebhook ($name)', ({ api }) => {
  const verify = (over: Record<string, unknown> = {}) =>
    api.verifyERPNextWebhook({
      body: contract.body,
      headers: headers(contract.signature),
      secret: 'secret',
      ...over,
    })

  it("accepts the contract's test vector and returns the parsed payload", async () => {
    expect(contract.signature).toBe('UvIlMY7/rgSzh69BZVgZs1V/wdss5Cv9bhCmJ5L6Z1A=')
    const result = await verify()
    expect(result.payload).toEqual({ name: 'CUST-0001', grand_total: 100, city: 'Zürich' })
    expect(result.secretIndex).toBe(0)
    expect(result.eventId).toBe(`sha256:${contract.sha256}`)
    expect(result.eventIdSource).toBe('body-hash')
  })

  it.each(vectors.filter((v) => v.name !== 'template'))(
    'accepts the Python vector "$name" as bytes',
    async (v) => {
      const result = await api.verifyERPNextWebhook({
        body: new TextEncoder().encode(v.body),
        headers: headers(v.signature),
        secret: v.secret,
      })
      expect(result.payload).toEqual(JSON.parse(v.body))
      expect(result.eventId).toBe(`sha256:${v.sha256}`)
    },
  )

  it('takes event, event_id and sent_at from the recommended template', async () => {
    const result = await api.verifyERPNextWebhook({
      body: template.body,
      headers: headers(template.signature),
      secret: template.secret,
      now: () => NOW,
    })
    expect(result.eventIdSource).toBe('payload')
    expect(result.eventId).toBe('Student:EDU-STU-0001:2026-11-25 17:16:52.123456:on_update')
    expect(result.event).toBe('on_update')
    expect(result.sentAt?.toISOString()).toBe('2026-11-25T17:16:53.000Z')
  })

  it('accepts an ArrayBuffer, a Buffer and a Fetch Headers object', async () => {
    const bytes = Buffer.from(contract.body)
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    await expect(verify({ body: ab })).resolves.toBeDefined()
    await expect(verify({ body: bytes })).resolves.toBeDefined()
    await expect(verify({ headers: new Headers(headers(contract.signature)) })).resolves.toBeDefined()
  })

  it('matches header names case-insensitively', async () => {
    await expect(
      verify({ headers: { 'X-FRAPPE-WEBHOOK-SIGNATURE': contract.signature } }),
    ).resolves.toBeDefined()
    await expect(
      verify({ headers: { 'x-frappe-webhook-signature': [contract.signature] } }),
    ).resolves.toBeDefined()
  })

  it('accepts several secrets and says which one matched (rotation)', async () => {
    const result = await verify({ secret: ['new-secret', 'secret'] })
    expect(result.secretIndex).toBe(1)
  })

  it('validates the parsed payload with parse()', async () => {
    const result = await verify({ parse: (v: unknown) => ({ name: (v as { name: string }).name }) })
    expect(result.payload).toEqual({ name: 'CUST-0001' })
  })

  describe('error codes (each case breaks one thing)', () => {
    it('missing_signature: no header', async () => {
      expect(await codeOf(() => verify({ headers: {} }))).toBe('missing_signature')
    })
    it('malformed_signature: hex instead of base64', async () => {
      const hex = Buffer.from(contract.signature, 'base64').toString('hex')
      expect(await codeOf(() => verify({ headers: headers(hex) }))).toBe('malformed_signature')
    })
    it('malformed_signature: padding removed', async () => {
      expect(await codeOf(() => verify({ headers: headers(contract.signature.slice(0, -1)) }))).toBe(
        'malformed_signature',
      )
    })
    it('malformed_signature: two signature headers', async () => {
      const two = { 'x-frappe-webhook-signature': [contract.signature, contract.signature] }
      expect(await codeOf(() => verify({ headers: two }))).toBe('malformed_signature')
    })
    it('malformed_signature: non-canonical last character', async () => {
      const bad = `${contract.signature.slice(0, 42)}B=`
      expect(await codeOf(() => verify({ headers: headers(bad) }))).toBe('malformed_signature')
    })
    it('signature_mismatch: one byte of the body changed', async () => {
      expect(await codeOf(() => verify({ body: contract.body.replace('0001', '0002') }))).toBe(
        'signature_mismatch',
      )
    })
    it('signature_mismatch: wrong secret', async () => {
      expect(await codeOf(() => verify({ secret: 'other' }))).toBe('signature_mismatch')
    })
    it('body_not_raw: a parsed object', async () => {
      expect(await codeOf(() => verify({ body: JSON.parse(contract.body) }))).toBe('body_not_raw')
    })
    it('body_not_raw: no body', async () => {
      expect(await codeOf(() => verify({ body: undefined }))).toBe('body_not_raw')
    })
    it('body_not_raw: the body was parsed and re-serialised by JSON.stringify (floats lost)', async () => {
      const reserialised = JSON.stringify(JSON.parse(contract.body))
      expect(reserialised).toBe('{"name":"CUST-0001","grand_total":100,"city":"Zürich"}')
      expect(await codeOf(() => verify({ body: reserialised }))).toBe('body_not_raw')
    })
    it('body_not_raw: re-serialised nested body without floats', async () => {
      const v = vector('nested')
      const body = JSON.stringify(JSON.parse(v.body), null, 2)
      const code = await codeOf(() =>
        api.verifyERPNextWebhook({ body, headers: headers(v.signature), secret: v.secret }),
      )
      expect(code).toBe('body_not_raw')
    })
    it('secret_whitespace: the configured secret has a trailing newline', async () => {
      expect(await codeOf(() => verify({ secret: 'secret\n' }))).toBe('secret_whitespace')
    })
    it('secret_whitespace: the configured secret has a leading byte order mark', async () => {
      expect(await codeOf(() => verify({ secret: '\uFEFFsecret' }))).toBe('secret_whitespace')
    })
    it('secret_whitespace: one of two configured secrets has a leading space', async () => {
      expect(await codeOf(() => verify({ secret: ['other', ' secret'] }))).toBe('secret_whitespace')
    })
    it('replayed: the same delivery twice with a seen-store', async () => {
      const seen = new MemorySeenStore()
      await verify({ seen })
      const error = await verify({ seen }).catch((e: unknown) => e)
      expect(isWebhookVerificationError(error, 'replayed') && error.reason).toBe('duplicate')
    })
    it('replayed: sent_at older than the tolerance', async () => {
      const error = await api
        .verifyERPNextWebhook({
          body: template.body,
          headers: headers(template.signature),
          secret: 'secret',
          now: () => NOW + 300_001,
        })
        .catch((e: unknown) => e)
      expect(isWebhookVerificationError(error, 'replayed') && error.reason).toBe('stale')
    })
    it('replayed: sent_at ahead of the clock by more than the tolerance', async () => {
      const error = await api
        .verifyERPNextWebhook({
          body: template.body,
          headers: headers(template.signature),
          secret: 'secret',
          now: () => NOW - 300_001,
        })
        .catch((e: unknown) => e)
      expect(isWebhookVerificationError(error, 'replayed') && error.reason).toBe('future')
    })
    it('too_large: body over maxBodyBytes', async () => {
      expect(await codeOf(() => verify({ maxBodyBytes: contract.body.length - 1 }))).toBe('too_large')
    })
    it('invalid_timestamp: sent_at without an offset (ERPNext naive local time)', async () => {
      const signed = await api.signERPNextWebhook({ sent_at: '2026-11-25 17:16:52.123456' }, 'secret')
      const code = await codeOf(() =>
        api.verifyERPNextWebhook({
          body: signed.body,
          headers: signed.headers,
          secret: 'secret',
          now: () => NOW,
        }),
      )
      expect(code).toBe('invalid_timestamp')
    })
    it('invalid_payload: validly signed but not JSON', async () => {
      const signed = await api.signERPNextWebhook('not json', 'secret')
      expect(await codeOf(() => verify({ body: signed.body, headers: signed.headers }))).toBe(
        'invalid_payload',
      )
    })
    it('invalid_payload: parse() throws, and its error is the cause', async () => {
      const boom = new Error('schema says no')
      const error = await verify({
        parse: () => {
          throw boom
        },
      }).catch((e: unknown) => e)
      expect(isWebhookVerificationError(error, 'invalid_payload') && error.cause).toBe(boom)
    })
  })

  describe('misuse throws TypeError/RangeError naming the option', () => {
    it.each([
      ['empty secret', { secret: '' }, TypeError, /secret/],
      ['blank secret', { secret: '   ' }, TypeError, /secret/],
      ['no secrets', { secret: [] }, TypeError, /secret/],
      ['non-string secret', { secret: [42] }, TypeError, /secret/],
      ['zero tolerance', { toleranceMs: 0 }, RangeError, /toleranceMs/],
      ['short dedupe window', { toleranceMs: 1000, dedupeTtlMs: 1999 }, RangeError, /dedupeTtlMs/],
      ['fractional maxBodyBytes', { maxBodyBytes: 1.5 }, RangeError, /maxBodyBytes/],
      ['bad seen store', { seen: {} }, TypeError, /markSeen/],
      ['headers not an object', { headers: 'x' }, TypeError, /headers/],
    ])('%s', async (_label, over, type, message) => {
      const error = await verify(over).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(type)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).toMatch(/^\[@edusync\/webhook-verifier\] /)
    })
  })

  it('never puts the secret or the body in an error message', async () => {
    const secret = 'very-secret-value'
    const error = await verify({ secret, body: `${contract.body} ` }).catch((e: unknown) => e)
    expect((error as Error).message).not.toContain(secret)
    expect((error as Error).message).not.toContain('CUST-0001')
  })

  it('a verifier validates its options once and freezes them', () => {
    expect(() => api.createERPNextVerifier({ secret: '' })).toThrow(TypeError)
    const verifier = api.createERPNextVerifier({ secret: 'secret' })
    expect(Object.isFrozen(verifier)).toBe(true)
  })
})

describe.each(implementations)('signERPNextWebhook ($name)', ({ api }) => {
  const values: Record<string, unknown> = {
    contract: { name: 'CUST-0001', grand_total: pythonFloat(100), city: 'Zürich' },
    unicode: { student_name: 'Zoë Åsa 张伟', emoji: '🎓', ctrl: 'tab\tnew\nline\u007f', quote: '"\\/' },
    floats: {
      a: pythonFloat(100),
      b: pythonFloat(0.1),
      c: pythonFloat(-0),
      d: pythonFloat(1e16),
      e: pythonFloat(1.5e-5),
      f: pythonFloat(123456.789),
      g: pythonFloat(1e-4),
      h: pythonFloat(2.5e300),
      i: pythonFloat(0),
      j: pythonFloat(1e15),
    },
    nested: {
      doctype: 'Student Group',
      name: 'EDU-SG-0001',
      students: [
        { student: 'EDU-STU-0001', active: 1, idx: 1 },
        { student: 'EDU-STU-0002', active: 0, idx: 2 },
      ],
      meta: { empty_list: [], empty_obj: {}, none: null, flag: true, n: -42 },
    },
    array: [1, pythonFloat(2), 'three', null],
    empty: {},
  }
  it.each(Object.entries(values))('reproduces the Python body and signature of "%s"', async (name, value) => {
    const v = vector(name)
    const signed = await api.signERPNextWebhook(value, v.secret)
    expect(signed.body).toBe(v.body)
    expect(signed.signature).toBe(v.signature)
    expect(signed.headers).toEqual({ 'X-Frappe-Webhook-Signature': v.signature })
  })

  it('signs a raw string body as is', async () => {
    const signed = await api.signERPNextWebhook(contract.body, 'secret')
    expect(signed.signature).toBe(contract.signature)
  })

  it('rejects an empty secret', async () => {
    await expect(async () => api.signERPNextWebhook({}, '')).rejects.toThrow(TypeError)
  })
})
