import { describe, expect, it } from 'vitest'
import { createRedactor } from '../src/index.js'

const SECRET = 'ab12cd34ef56gh78'
const WEBHOOK_SECRET = 'whsec-9f8e7d6c5b4a'
const r = createRedactor({
  secrets: [SECRET, WEBHOOK_SECRET],
  piiFields: ['student_email_id'],
  piiValues: ['ada.lovelace@school.edu'],
})

describe('createRedactor', () => {
  it('redacts Frappe token auth inside a string', () => {
    expect(r.redactString('GET /api/resource/Student with token 1a2b3c4d:zz99yy88')).toBe(
      'GET /api/resource/Student with token [REDACTED]',
    )
  })

  it('redacts an Authorization header line, whatever the scheme', () => {
    expect(r.redactString('Authorization: Bearer eyJhbGciOi.x.y\nAccept: application/json')).toBe(
      'Authorization: [REDACTED]\nAccept: application/json',
    )
  })

  it('redacts a bare Bearer credential', () => {
    expect(r.redactString('sent Bearer abcdefghijkl to the server')).toBe(
      'sent Bearer [REDACTED] to the server',
    )
  })

  it('redacts the webhook signature header', () => {
    expect(r.redactString('X-Frappe-Webhook-Signature: UvIlMY7/rgSzh69BZVgZs1V/wdss5Cv9bhCmJ5L6Z1A=')).toBe(
      'X-Frappe-Webhook-Signature: [REDACTED]',
    )
  })

  it('redacts secrets registered at construction wherever they appear', () => {
    expect(r.redactString(`hmac key=${WEBHOOK_SECRET}; retry`)).not.toContain(WEBHOOK_SECRET)
    expect(r.redactString(`weird${SECRET}place`)).toBe('weird[REDACTED]place')
  })

  it('redacts passwords in URLs', () => {
    expect(r.redactString('connecting to postgres://edusync:s3cr3t-pw@db:5432/app')).toBe(
      'connecting to postgres://edusync:[REDACTED]@db:5432/app',
    )
  })

  it('redacts secrets in query strings', () => {
    expect(r.redactString('/api/method/login?usr=a&pwd=hunter22&x=1')).toBe(
      '/api/method/login?usr=a&pwd=[REDACTED]&x=1',
    )
  })

  it('redacts secret keys in nested objects and arrays, leaving other values', () => {
    const input = {
      request: {
        method: 'GET',
        headers: {
          Authorization: `token key:${SECRET}`,
          'X-Frappe-Webhook-Signature': 'abc=',
          accept: 'json',
        },
      },
      attempts: [{ api_secret: 'x', note: `used ${SECRET}` }],
      count: 3,
    }
    expect(r.redact(input)).toEqual({
      request: {
        method: 'GET',
        headers: { Authorization: '[REDACTED]', 'X-Frappe-Webhook-Signature': '[REDACTED]', accept: 'json' },
      },
      attempts: [{ api_secret: '[REDACTED]', note: 'used [REDACTED]' }],
      count: 3,
    })
    expect(input.request.headers.Authorization).toContain(SECRET)
  })

  it('redacts PII fields and PII values', () => {
    expect(
      r.redact({
        doc: { student_email_id: 'x@y.z', first_name: 'Ada' },
        msg: 'mail ada.lovelace@school.edu',
      }),
    ).toEqual({
      doc: { student_email_id: '[REDACTED]', first_name: 'Ada' },
      msg: 'mail [REDACTED]',
    })
  })

  it('redacts Headers, Maps and errors with causes', () => {
    const headers = new Headers({ authorization: 'token a:b', 'content-type': 'application/json' })
    expect(r.redact({ headers })).toEqual({
      headers: { authorization: '[REDACTED]', 'content-type': 'application/json' },
    })
    expect(r.redact(new Map([['password', 'p4ssw0rd!']]))).toEqual(new Map([['password', '[REDACTED]']]))
    const error = new Error(`failed with token k:${SECRET}`, { cause: new Error(`inner ${SECRET}`) })
    const out = r.redact(error) as unknown as { message: string; cause: { message: string }; stack: string }
    expect(out.message).toBe('failed with token [REDACTED]')
    expect(out.cause.message).toBe('inner [REDACTED]')
    expect(out.stack).not.toContain(SECRET)
  })

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' }
    a['self'] = a
    expect(r.redact(a)).toEqual({ name: 'a', self: '[Circular]' })
  })

  it('rejects a secret too short to redact safely, without echoing it', () => {
    let message = ''
    try {
      createRedactor({ secrets: ['abc'] })
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/secrets\[0\] is shorter than 6/)
    expect(message).not.toContain('abc"')
  })

  it('validates options', () => {
    expect(() => createRedactor({ maxDepth: 0 })).toThrow(RangeError)
  })
})
