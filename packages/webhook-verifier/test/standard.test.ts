import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { isWebhookVerificationError, MemorySeenStore } from '../src/index.js'
import { codeOf, implementations } from './helpers.js'

// The published example from the Svix / Standard Webhooks documentation ("Verifying webhooks").
const example = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}
const at = Number(example.timestamp) * 1000
const headers = {
  'webhook-id': example.id,
  'webhook-timestamp': example.timestamp,
  'webhook-signature': example.signature,
}

describe.each(implementations)('Standard Webhooks ($name)', ({ api }) => {
  const verify = (over: Record<string, unknown> = {}) =>
    api.verifyStandardWebhook({
      body: example.payload,
      headers,
      secret: example.secret,
      now: () => at,
      ...over,
    })

  it('verifies the published example', async () => {
    const result = await verify()
    expect(result).toEqual({
      payload: { test: 2432232314 },
      id: example.id,
      timestamp: new Date(at),
      secretIndex: 0,
    })
  })

  it('reproduces the published signature', async () => {
    const signed = await api.signStandardWebhook({
      id: example.id,
      timestamp: Number(example.timestamp),
      body: example.payload,
      secret: example.secret,
    })
    expect(signed.signature).toBe(example.signature)
    expect(signed.headers).toEqual(headers)
  })

  it('accepts svix-* header names', async () => {
    const svix = {
      'svix-id': example.id,
      'svix-timestamp': example.timestamp,
      'svix-signature': example.signature,
    }
    await expect(verify({ headers: svix })).resolves.toMatchObject({ id: example.id })
  })

  it('finds the valid entry among several signatures (rotation on the sender side)', async () => {
    const list = `v1,${'A'.repeat(43)}= v1a,ignored ${example.signature}`
    await expect(verify({ headers: { ...headers, 'webhook-signature': list } })).resolves.toBeDefined()
  })

  it('accepts several secrets and says which matched', async () => {
    const result = await verify({ secret: ['whsec_c2VjcmV0LXR3by1zZWNyZXQtdHdv', example.secret] })
    expect(result.secretIndex).toBe(1)
  })

  it('accepts timestamps up to 5 minutes off either way', async () => {
    await expect(verify({ now: () => at + 300_000 })).resolves.toBeDefined()
    await expect(verify({ now: () => at - 300_000 })).resolves.toBeDefined()
  })

  it.each([
    ['missing_signature', { headers: { 'webhook-id': example.id, 'webhook-timestamp': example.timestamp } }],
    ['invalid_timestamp', { headers: { ...headers, 'webhook-timestamp': '1614265330.5' } }],
    ['replayed', { now: () => at + 300_001 }],
    ['replayed', { now: () => at - 300_001 }],
    ['malformed_signature', { headers: { ...headers, 'webhook-signature': 'v2,abc' } }],
    ['signature_mismatch', { body: '{"test": 2432232315}' }],
    ['signature_mismatch', { headers: { ...headers, 'webhook-id': 'msg_other' } }],
    ['body_not_raw', { body: { test: 2432232314 } }],
    ['too_large', { maxBodyBytes: 5 }],
  ])('%s', async (code, over) => {
    expect(await codeOf(() => verify(over))).toBe(code)
  })

  it('rejects a second delivery of the same webhook-id with a seen-store', async () => {
    const seen = new MemorySeenStore({ now: () => at })
    await verify({ seen })
    const error = await verify({ seen }).catch((e: unknown) => e)
    expect(isWebhookVerificationError(error, 'replayed') && error.reason).toBe('duplicate')
  })

  it('rejects a secret that is not whsec_ base64', async () => {
    expect(await codeOf(() => verify({ secret: 'whsec_not base64!' }))).toBe('TypeError')
  })

  it('interoperates with the standardwebhooks library both ways', async () => {
    const lib = new Webhook(example.secret)
    const now = new Date()
    const body = '{"type":"student.updated","data":{"name":"EDU-STU-0001"}}'
    const theirs = lib.sign('msg_1', now, body)
    const seconds = Math.floor(now.getTime() / 1000)
    const ours = await api.signStandardWebhook({ id: 'msg_1', timestamp: now, body, secret: example.secret })
    expect(ours.signature).toBe(theirs)
    expect(lib.verify(body, ours.headers)).toEqual(JSON.parse(body))
    const verified = await api.verifyStandardWebhook({
      body,
      headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(seconds), 'webhook-signature': theirs },
      secret: example.secret,
    })
    expect(verified.id).toBe('msg_1')
  })
})
