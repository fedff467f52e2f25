import { expect, it } from 'vitest'
import { conformance, studentFixture } from './harness.js'

conformance('§11 rate limiting and faults', (h) => {
  it('rate limit: 429 TooManyRequestsError with Retry-After and X-RateLimit headers', async () => {
    h().emulator.faults.set({ rateLimit: { limit: 2, windowSeconds: 60 } })
    const a = await h().fetch('/api/method/frappe.ping')
    expect(a.headers.get('x-ratelimit-limit')).toBe('2')
    expect(a.headers.get('x-ratelimit-used')).toBe('1')
    await h().fetch('/api/method/frappe.ping')
    const c = await h().call('/api/method/frappe.ping')
    expect(c.status).toBe(429)
    expect(c.body.exc_type).toBe('TooManyRequestsError')
    expect(Number(c.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('injects 5xx on a matching route only', async () => {
    h().emulator.faults.set({ routes: [{ path: '/api/resource/Student', method: 'GET', status: 503 }] })
    expect((await h().fetch('/api/resource/Student')).status).toBe(503)
    expect((await h().fetch('/api/resource/Program')).status).toBe(200)
  })

  it('injects 429 with Retry-After for the first N requests', async () => {
    h().emulator.faults.set({ routes: [{ path: '/api/resource/Student', retryAfter: 7, times: 1 }] })
    const first = await h().fetch('/api/resource/Student')
    expect(first.status).toBe(429)
    expect(first.headers.get('retry-after')).toBe('7')
    expect((await h().fetch('/api/resource/Student')).status).toBe(200)
  })

  it('drops connections (fetch rejects)', async () => {
    h().emulator.faults.set({ routes: [{ path: '/api/method/frappe.ping', drop: true }] })
    await expect(h().fetch('/api/method/frappe.ping')).rejects.toThrow()
  })

  it('hangs until the client aborts', async () => {
    h().emulator.faults.set({ routes: [{ path: '/api/method/frappe.ping', timeout: true }] })
    const controller = new AbortController()
    const p = h().fetch('/api/method/frappe.ping', { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(p).rejects.toThrow()
  })

  it('drops and duplicates webhook deliveries deterministically', async () => {
    await h().call('/api/resource/Webhook', {
      method: 'POST',
      json: {
        name: 'w',
        webhook_doctype: 'Student',
        webhook_docevent: 'after_insert',
        request_url: 'http://receiver.test/x',
      },
    })
    h().emulator.faults.set({ webhooks: { duplicate: 1 } })
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture(1) })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(2)
    h().emulator.faults.set({ webhooks: { drop: 1 } })
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture(2) })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(2)
    expect(h().emulator.inspect.webhookDeliveries().at(-1)?.status).toBe('dropped')
  })

  it('counts requests per route for "N requests" assertions', async () => {
    h().emulator.inspect.clearRequests()
    await h().fetch('/api/resource/Student')
    await h().fetch('/api/resource/Student?limit=1')
    await h().fetch('/api/resource/Student/x')
    expect(h().emulator.inspect.count('GET /api/resource/Student')).toBe(2)
    expect(h().emulator.inspect.counts()['GET /api/resource/Student/:name']).toBe(1)
  })

  it('rejects invalid fault configuration with a RangeError naming the option', () => {
    expect(() => h().emulator.faults.set({ routes: [{ probability: 2 }] })).toThrow(
      /routes\[0\]\.probability/,
    )
  })
})
