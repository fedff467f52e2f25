import { createHmac } from 'node:crypto'
import { EventEmitter } from 'node:events'
import fc from 'fast-check'
import { describe, expect, it, onTestFinished } from 'vitest'
import { readNodeBody } from '../src/adapter.js'
import * as node from '../src/node.js'
import * as web from '../src/web.js'

// The 100,000-case run takes well under 20 s on the synchronous Node path, so it always runs; the
// cross-implementation and diagnosis runs go to 100,000 with EDUSYNC_HEAVY=1.
const HEAVY = process.env.EDUSYNC_HEAVY === '1'
const RUNS = 100_000
const PARITY_RUNS = HEAVY ? 100_000 : 5_000

const hmac = (secret: string, body: Uint8Array) => createHmac('sha256', secret).update(body).digest('base64')
const bytesOf = (body: string | Uint8Array) =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body

const HUGE = 'A'.repeat(20_000)
const secretArb = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => s.trim() !== '')
const bodyArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.uint8Array({ maxLength: 200 }),
)
const signatureArb = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.base64String({ minLength: 44, maxLength: 44 }),
  fc.constant(HUGE), // a huge header
  fc.constant(''),
)
/** Either a correct signature, the correct one with one character changed, or anything. */
const caseArb = fc
  .record({
    body: bodyArb,
    secret: secretArb,
    other: signatureArb,
    mode: fc.constantFrom('valid', 'flipped', 'random'),
    flipAt: fc.nat({ max: 42 }),
    headerName: fc.constantFrom(
      'x-frappe-webhook-signature',
      'X-Frappe-Webhook-Signature',
      'X-FRAPPE-WEBHOOK-SIGNATURE',
    ),
    extraHeaders: fc.option(
      fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
      {
        nil: {},
        freq: 4,
      },
    ),
    maxBodyBytes: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
  })
  .map((c) => {
    const valid = hmac(c.secret, bytesOf(c.body))
    const flipped =
      valid.slice(0, c.flipAt) + (valid[c.flipAt] === 'A' ? 'B' : 'A') + valid.slice(c.flipAt + 1)
    const signature = c.mode === 'valid' ? valid : c.mode === 'flipped' ? flipped : c.other
    return { ...c, valid, signature }
  })

type Case = fc.Arbitrary<typeof caseArb extends fc.Arbitrary<infer C> ? C : never>

function input(c: Case extends fc.Arbitrary<infer C> ? C : never) {
  const headers = { ...c.extraHeaders }
  for (const k of Object.keys(headers))
    if (k.toLowerCase() === 'x-frappe-webhook-signature') delete headers[k]
  return {
    body: c.body,
    headers: { ...headers, [c.headerName]: c.signature },
    secret: c.secret,
    ...(c.maxBodyBytes === undefined ? {} : { maxBodyBytes: c.maxBodyBytes }),
  }
}

function outcome(run: () => unknown): unknown {
  try {
    const r = run() as { secretIndex: number; eventId: string }
    return { ok: true, secretIndex: r.secretIndex, eventId: r.eventId }
  } catch (error) {
    return { code: (error as { code?: string }).code ?? (error as Error).name }
  }
}

describe('fuzz', () => {
  it(`${RUNS} random deliveries: only WebhookVerificationError, never a wrong signature accepted`, () => {
    // Plain checks instead of expect(), and no stack traces: both would dominate 100,000 iterations.
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    onTestFinished(() => {
      Error.stackTraceLimit = limit
    })
    fc.assert(
      fc.property(caseArb, (c) => {
        const max = c.maxBodyBytes ?? 1_048_576
        const size = bytesOf(c.body).byteLength
        try {
          node.verifyERPNextSignatureSync(input(c))
        } catch (error) {
          if (!node.isWebhookVerificationError(error)) throw error
          if (error.code === 'too_large' ? size <= max : c.signature === c.valid && size <= max) {
            throw new Error(`wrongly rejected with ${error.code}`)
          }
          return
        }
        if (c.signature !== c.valid) throw new Error('accepted a wrong signature')
        if (size > max) throw new Error('accepted a body over the limit')
      }),
      { numRuns: RUNS },
    )
  }, 120_000)

  it(`Node and Web Crypto give identical results (${PARITY_RUNS} runs, full verification)`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const viaNode = outcome(() => node.verifyERPNextWebhookSync(input(c)))
        let viaWeb: unknown
        try {
          const r = await web.verifyERPNextWebhook(input(c))
          viaWeb = { ok: true, secretIndex: r.secretIndex, eventId: r.eventId }
        } catch (error) {
          viaWeb = { code: (error as { code?: string }).code ?? (error as Error).name }
        }
        expect(viaWeb).toEqual(viaNode)
      }),
      { numRuns: PARITY_RUNS },
    )
  }, 120_000)

  it('misuse (an empty secret) is a TypeError, never a verification error', () => {
    fc.assert(
      fc.property(bodyArb, fc.constantFrom('', ' ', '\n\t'), (body, secret) => {
        expect(() => node.verifyERPNextWebhookSync({ body, headers: {}, secret })).toThrow(TypeError)
      }),
      { numRuns: 1_000 },
    )
  })

  it('a parsed-and-re-serialised JSON body is diagnosed as body_not_raw', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2, stringUnit: 'grapheme' })),
        (value) => {
          const signed = node.signERPNextWebhookSync(value, 'secret')
          const reserialised = JSON.stringify(value)
          fc.pre(reserialised !== signed.body)
          const code = outcome(() =>
            node.verifyERPNextWebhookSync({ body: reserialised, headers: signed.headers, secret: 'secret' }),
          )
          expect(code).toEqual({ code: 'body_not_raw' })
        },
      ),
      { numRuns: HEAVY ? 100_000 : 300 },
    )
  }, 120_000)

  it('readNodeBody never reads past the limit: it stops at the chunk that crosses it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 600 }),
        async (sizes, max) => {
          const stream = Object.assign(new EventEmitter(), { headers: {}, pause: () => {} })
          let delivered = 0
          let consumed = 0
          const done = readNodeBody(stream, max).then(
            (b) => ({ ok: b.byteLength }),
            (e: { code?: string }) => ({ code: e.code }),
          )
          for (const size of sizes) {
            if (stream.listenerCount('data') === 0) break
            delivered += size
            consumed = delivered
            stream.emit('data', new Uint8Array(size))
          }
          stream.emit('end')
          const total = sizes.reduce((a, b) => a + b, 0)
          const result = await done
          if (total > max) {
            expect(result).toEqual({ code: 'too_large' })
            expect(
              consumed - (sizes.find((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0) > max) ?? 0),
            ).toBeLessThanOrEqual(max)
          } else expect(result).toEqual({ ok: total })
        },
      ),
      { numRuns: 2_000 },
    )
  })
})
