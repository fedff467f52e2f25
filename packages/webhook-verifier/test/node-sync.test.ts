import { describe, expect, it } from 'vitest'
import * as node from '../src/node.js'
import * as web from '../src/web.js'
import { vector } from './helpers.js'

const contract = vector('contract')
const headers = { 'x-frappe-webhook-signature': contract.signature }

describe('synchronous Node API', () => {
  it('verifyERPNextWebhookSync returns the result directly', () => {
    const result = node.verifyERPNextWebhookSync({ body: contract.body, headers, secret: 'secret' })
    expect(result.payload).toEqual(JSON.parse(contract.body))
  })

  it('verifySync works with the synchronous MemorySeenStore', () => {
    const verifier = node.createERPNextVerifier({ secret: 'secret', seen: new node.MemorySeenStore() })
    verifier.verifySync({ body: contract.body, headers })
    expect(() => verifier.verifySync({ body: contract.body, headers })).toThrow(node.ReplayedError)
  })

  it('verifySync refuses an async seen-store with a TypeError', () => {
    const seen = { markSeen: async () => true }
    const verifier = node.createERPNextVerifier({ secret: 'secret', seen })
    expect(() => verifier.verifySync({ body: contract.body, headers })).toThrow(/synchronous SeenStore/)
  })

  it('the async path accepts an async seen-store', async () => {
    const ids: string[] = []
    const seen = {
      markSeen: async (id: string) => {
        ids.push(id)
        return true
      },
    }
    await node.createERPNextVerifier({ secret: 'secret', seen }).verify({ body: contract.body, headers })
    await web.createERPNextVerifier({ secret: 'secret', seen }).verify({ body: contract.body, headers })
    expect(ids).toEqual([`sha256:${contract.sha256}`, `sha256:${contract.sha256}`])
  })

  it('a store that does not answer a boolean is a TypeError', async () => {
    const seen = { markSeen: () => 'yes' as unknown as boolean }
    await expect(
      node.verifyERPNextWebhook({ body: contract.body, headers, secret: 'secret', seen }),
    ).rejects.toThrow(TypeError)
  })

  it('signature-only checks need no JSON', () => {
    const signed = node.signERPNextWebhookSync('plain text', 'k')
    expect(
      node.verifyERPNextSignatureSync({ body: signed.body, headers: signed.headers, secret: 'k' }),
    ).toEqual({
      secretIndex: 0,
    })
  })

  it('the implementations identify themselves', () => {
    expect(node.implementation).toBe('node')
    expect(web.implementation).toBe('web')
  })

  it('the Standard Webhooks sync API matches the async one', async () => {
    const message = { id: 'msg_1', timestamp: 1_700_000_000, body: '{}', secret: 'whsec_c2VjcmV0' }
    expect(node.signStandardWebhookSync(message)).toEqual(await web.signStandardWebhook(message))
    const { headers: h } = node.signStandardWebhookSync(message)
    const input = { body: '{}', headers: h, secret: message.secret, now: () => 1_700_000_000_000 }
    expect(node.verifyStandardWebhookSync(input)).toEqual(await web.verifyStandardWebhook(input))
  })
})

describe('the sync, async and Web paths fail alike', () => {
  const template = vector('template')
  const NOW = Date.parse('2026-11-25T17:16:53.000Z')
  const base = { body: contract.body, headers, secret: 'secret' }
  // Each case breaks one thing; the async paths build their errors in a lazily loaded module, the
  // synchronous one in a statically imported one.
  const cases: [string, Record<string, unknown>][] = [
    ['no body', { body: undefined }],
    ['a parsed body', { body: {} }],
    ['too large', { maxBodyBytes: 10 }],
    ['no signature', { headers: {} }],
    ['malformed signature', { headers: { 'x-frappe-webhook-signature': 'abc' } }],
    [
      'two signatures',
      { headers: { 'x-frappe-webhook-signature': [contract.signature, contract.signature] } },
    ],
    ['wrong secret', { secret: 'other' }],
    ['secret with whitespace', { secret: 'secret ' }],
    ['re-serialised body', { body: JSON.stringify(JSON.parse(contract.body)) }],
    [
      'stale sent_at',
      {
        body: template.body,
        headers: { 'x-frappe-webhook-signature': template.signature },
        now: () => NOW + 300_001,
      },
    ],
    [
      'future sent_at',
      {
        body: template.body,
        headers: { 'x-frappe-webhook-signature': template.signature },
        now: () => NOW - 300_001,
      },
    ],
    [
      'parse() throws',
      {
        parse: () => {
          throw new Error('no')
        },
      },
    ],
  ]
  it.each(cases)('%s', async (_label, over) => {
    const input = { ...base, ...over } as Parameters<typeof node.verifyERPNextWebhookSync>[0]
    let sync: unknown
    try {
      node.verifyERPNextWebhookSync(input)
    } catch (error) {
      sync = error
    }
    const asyncNode = await node.verifyERPNextWebhook(input).catch((e: unknown) => e)
    const asyncWeb = await web.verifyERPNextWebhook(input).catch((e: unknown) => e)
    expect(node.isWebhookVerificationError(sync)).toBe(true)
    const shape = (e: unknown) => {
      const { name, code, message } = e as node.WebhookVerificationError
      return { name, code, message, reason: (e as { reason?: unknown }).reason }
    }
    expect(shape(asyncNode)).toEqual(shape(sync))
    expect(shape(asyncWeb)).toEqual(shape(sync))
    expect(asyncNode).toBeInstanceOf((sync as object).constructor)
  })
})

describe('errors', () => {
  it('carry a literal name, a stable code and the package prefix', async () => {
    const error = await web
      .verifyERPNextWebhook({ body: '{}', headers: {}, secret: 's' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(web.MissingSignatureError)
    expect(error).toBeInstanceOf(web.WebhookVerificationError)
    expect(error).toMatchObject({ name: 'MissingSignatureError', code: 'missing_signature' })
    expect((error as Error).message).toMatch(/^\[@edusync\/webhook-verifier\] /)
  })

  it('isWebhookVerificationError is realm-safe: it trusts the registered brand, not the prototype', () => {
    const foreign = Object.assign(Object.create(null), {
      [Symbol.for('@edusync/webhook-verifier.error')]: true,
      code: 'replayed',
    })
    expect(web.isWebhookVerificationError(foreign)).toBe(true)
    expect(web.isWebhookVerificationError(foreign, 'replayed')).toBe(true)
    expect(web.isWebhookVerificationError(foreign, 'too_large')).toBe(false)
    expect(web.isWebhookVerificationError(Object.assign(new Error('x'), { code: 'replayed' }))).toBe(false)
    expect(web.isWebhookVerificationError(null)).toBe(false)
  })

  it('the Node and Web entries share one set of error classes', () => {
    expect(node.WebhookVerificationError).toBe(web.WebhookVerificationError)
  })
})
