import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  isInvalidResponseError,
  isLoginRedirectError,
  isNetworkError,
  isRateLimitError,
  isServerError,
  isTimeoutError,
  isTruncatedResponseError,
  type RequestInfo,
  type ResponseInfo,
  type RetryInfo,
} from '../src/index.js'
import { frappeError, json, SECRET, testClient } from './helpers.js'

const ok = () => json({ data: { name: 'A', doctype: 'Student' } })

describe('retries', () => {
  it('retries an idempotent GET on 503 and succeeds', async () => {
    const { client, seen } = testClient((_, i) => (i < 2 ? frappeError(503, 'InReadOnlyMode') : ok()))
    await expect(client.doc('Student').get('A')).resolves.toMatchObject({ name: 'A' })
    expect(seen).toHaveLength(3)
  })

  for (const status of [502, 504]) {
    it(`retries GET on ${status}`, async () => {
      const { client, seen } = testClient((_, i) => (i === 0 ? frappeError(status, 'x') : ok()))
      await client.doc('Student').get('A')
      expect(seen).toHaveLength(2)
    })
  }

  it('does not retry GET on 500', async () => {
    const { client, seen } = testClient(() => frappeError(500, 'QueryDeadlockError'))
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isServerError(error)).toBe(true)
    expect(seen).toHaveLength(1)
  })

  it('stops after `retry.attempts`', async () => {
    const { client, seen } = testClient(() => frappeError(502, 'BadGateway'), { retry: { attempts: 3 } })
    await expect(client.doc('Student').get('A')).rejects.toMatchObject({ code: 'SERVER', status: 502 })
    expect(seen).toHaveLength(3)
  })

  it('never retries a write after a 503 (ERPNext writes are not idempotent)', async () => {
    const { client, seen } = testClient(() => frappeError(503, 'InReadOnlyMode'))
    await expect(client.doc('Student').create({ first_name: 'A' })).rejects.toMatchObject({ status: 503 })
    expect(seen).toHaveLength(1)
  })

  it('retries a write after a 429 (Frappe rejects before running it) and waits for Retry-After', async () => {
    const waits: number[] = []
    // Retry-After is a header; build the 429 response with it.
    const { client, seen } = testClient(
      (_, i) =>
        i === 0
          ? new Response(JSON.stringify({ exc_type: 'TooManyRequestsError' }), {
              status: 429,
              headers: { 'content-type': 'application/json', 'retry-after': '7' },
            })
          : ok(),
      { sleep: async (ms) => void waits.push(ms) },
    )
    await expect(client.doc('Student').create({ first_name: 'A' })).resolves.toMatchObject({ name: 'A' })
    expect(seen).toHaveLength(2)
    expect(waits).toEqual([7000])
  })

  it('fails at once when Retry-After exceeds retry.maxRetryAfter, exposing retryAfter', async () => {
    const { client, seen } = testClient(
      () =>
        new Response(JSON.stringify({ exc_type: 'TooManyRequestsError' }), {
          status: 429,
          headers: { 'content-type': 'application/json', 'retry-after': '600' },
        }),
      { retry: { maxRetryAfter: 1000 } },
    )
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isRateLimitError(error)).toBe(true)
    expect((error as { retryAfter: number }).retryAfter).toBe(600_000)
    expect(seen).toHaveLength(1)
  })

  it('uses jittered exponential back-off from the injected random source', async () => {
    const waits: number[] = []
    const { client } = testClient(() => frappeError(503, 'x'), {
      retry: { attempts: 4, minDelay: 100, maxDelay: 10_000 },
      random: () => 0,
      sleep: async (ms) => void waits.push(ms),
    })
    await client
      .doc('Student')
      .get('A')
      .catch(() => {})
    expect(waits).toEqual([50, 100, 200])
  })

  it('bounds retrying by retry.maxRetryTime on the injected clock', async () => {
    let now = 0
    const { client, seen } = testClient(() => frappeError(503, 'x'), {
      clock: { now: () => now },
      retry: { attempts: 10, minDelay: 1000, maxRetryTime: 2500 },
      sleep: async (ms) => {
        now += ms
      },
    })
    await client
      .doc('Student')
      .get('A')
      .catch(() => {})
    expect(seen.length).toBeLessThan(10)
    expect(now).toBeLessThanOrEqual(2500)
  })

  it('retries POST RPC methods declared safe', async () => {
    const { client, seen } = testClient((_, i) => (i === 0 ? frappeError(504, 'x') : json({ message: 3 })))
    await expect(client.call('my.app.read_only', {}, { safe: true, verb: 'POST' })).resolves.toBe(3)
    expect(seen).toHaveLength(2)
  })

  it('retry: false sends once', async () => {
    const { client, seen } = testClient(() => frappeError(503, 'x'), { retry: false })
    await client
      .doc('Student')
      .get('A')
      .catch(() => {})
    expect(seen).toHaveLength(1)
  })
})

describe('network failures', () => {
  it('maps a fetch rejection to NetworkError and retries GETs', async () => {
    const { client, seen } = testClient((_, i) => {
      if (i === 0) throw new TypeError('fetch failed')
      return ok()
    })
    await expect(client.doc('Student').get('A')).resolves.toBeTruthy()
    expect(seen).toHaveLength(2)
  })

  it('NetworkError when the server stays unreachable', async () => {
    const { client } = testClient(() => {
      throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })
    })
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isNetworkError(error)).toBe(true)
    expect((error as Error).cause).toBeInstanceOf(TypeError)
  })

  it('TimeoutError after `timeout` ms', async () => {
    const { client } = testClient(
      (req) =>
        new Promise<Response>((_, reject) => {
          // never answers and ignores the signal: the transport's timer ends the attempt anyway
          void req
          setTimeout(() => reject(new Error('late')), 5000).unref?.()
        }),
      { timeout: 20, retry: false },
    )
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isTimeoutError(error)).toBe(true)
    expect((error as Error).message).toMatch(/timed out after 20 ms/)
  })

  it('an aborted signal cancels the request and its retries with the signal reason', async () => {
    const controller = new AbortController()
    const { client, seen } = testClient(() => {
      controller.abort(new Error('user cancelled'))
      return frappeError(503, 'x')
    })
    await expect(client.doc('Student').get('A', { signal: controller.signal })).rejects.toThrow(
      'user cancelled',
    )
    expect(seen).toHaveLength(1)
  })
})

describe('timeouts and cancellation (the transport on fetch(url, init))', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A fetch that, like real ones, rejects with the signal's reason once its signal aborts. */
  const hangingFetch = (calls: RequestInit[]) =>
    (async (_url: string | URL | Request, init?: RequestInit) => {
      calls.push(init ?? {})
      return new Promise<Response>((_, reject) => {
        const signal = init?.signal
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
      })
    }) as typeof fetch

  it('aborts the signal it gave fetch when the attempt times out, with a TimeoutError reason', async () => {
    const calls: RequestInit[] = []
    const { client } = testClient(ok, { fetch: hangingFetch(calls), timeout: 20, retry: false })
    const error = await client
      .doc('Student')
      .list({ filters: { student_email_id: 'kid@example.com' } })
      .catch((e: unknown) => e)
    expect(isTimeoutError(error)).toBe(true)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.signal?.aborted).toBe(true)
    expect(calls[0]?.signal?.reason).toHaveProperty('name', 'TimeoutError')
    // Neither the message nor its cause repeats query values or credentials.
    const text = `${(error as Error).message} ${String((error as Error).cause)}`
    expect(text).not.toContain('kid')
    expect(text).not.toContain(SECRET)
  })

  it('the timeout covers the body: a body that stalls after the headers is a TimeoutError', async () => {
    const { client } = testClient(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"data":'))
            },
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        ),
      { timeout: 20, retry: false },
    )
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isTimeoutError(error)).toBe(true)
    expect((error as { status?: number }).status).toBe(200)
  })

  it('retries a timed-out GET, but not a timed-out write', async () => {
    const calls: RequestInit[] = []
    const hang = hangingFetch(calls)
    const { client } = testClient(ok, {
      timeout: 20,
      fetch: (async (url: string, init?: RequestInit) =>
        calls.length === 0 ? hang(url, init) : ok()) as typeof fetch,
    })
    await expect(client.doc('Student').get('A')).resolves.toMatchObject({ name: 'A' })
    expect(calls).toHaveLength(1)

    const writes: RequestInit[] = []
    const { client: writer } = testClient(ok, { timeout: 20, fetch: hangingFetch(writes) })
    const error = await writer
      .doc('Student')
      .create({ first_name: 'A' })
      .catch((e: unknown) => e)
    expect(isTimeoutError(error)).toBe(true)
    expect(writes).toHaveLength(1)
  })

  it("the caller's abort ends the attempt at once, even with a fetch that ignores signals", async () => {
    const controller = new AbortController()
    const reason = new Error('user cancelled')
    const { client } = testClient(ok, {
      fetch: (async () => {
        setTimeout(() => controller.abort(reason), 0)
        return new Promise<Response>(() => {})
      }) as typeof fetch,
    })
    await expect(client.doc('Student').get('A', { signal: controller.signal })).rejects.toBe(reason)
  })

  it("hands fetch a signal that follows the caller's", async () => {
    const calls: RequestInit[] = []
    const controller = new AbortController()
    const { client } = testClient(ok, { fetch: hangingFetch(calls) })
    const pending = client.doc('Student').get('A', { signal: controller.signal })
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    controller.abort(new Error('stop'))
    await expect(pending).rejects.toThrow('stop')
    expect(calls[0]?.signal?.aborted).toBe(true)
    expect(calls[0]?.signal?.reason).toHaveProperty('message', 'stop')
  })

  it("with timeout: false, passes the caller's own signal and no other", async () => {
    const calls: RequestInit[] = []
    const controller = new AbortController()
    const fetch = (async (_url: string, init?: RequestInit) => {
      calls.push(init ?? {})
      return ok()
    }) as typeof globalThis.fetch
    const { client } = testClient(ok, { fetch, timeout: false })
    await client.doc('Student').get('A', { signal: controller.signal })
    await client.doc('Student').get('A')
    expect(calls[0]?.signal).toBe(controller.signal)
    expect(calls[1]?.signal).toBeUndefined()
  })

  it('an already aborted signal sends nothing', async () => {
    const { client, seen } = testClient(ok)
    const reason = new Error('too late')
    await expect(client.doc('Student').get('A', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(seen).toHaveLength(0)
  })

  it('a request cancelled while it waits for the rate limiter sends nothing', async () => {
    let release: (response: Response) => void = () => {}
    const { client, seen } = testClient(
      (_, i) => (i === 0 ? new Promise<Response>((resolve) => (release = resolve)) : ok()),
      { rateLimit: { maxConcurrent: 1 } },
    )
    const first = client.doc('Student').get('A')
    await vi.waitFor(() => expect(seen).toHaveLength(1))
    const controller = new AbortController()
    const reason = new Error('no longer needed')
    const second = client.doc('Student').get('B', { signal: controller.signal })
    controller.abort(reason)
    release(ok())
    await expect(first).resolves.toMatchObject({ name: 'A' })
    await expect(second).rejects.toBe(reason)
    expect(seen).toHaveLength(1)
  })

  it("aborting during the back-off wait (default sleep) ends the request with the caller's reason", async () => {
    const controller = new AbortController()
    const reason = new Error('user cancelled')
    const { client, seen } = testClient(() => frappeError(503, 'x'), {
      sleep: undefined,
      retry: { minDelay: 20_000, maxDelay: 20_000 },
      hooks: { beforeRetry: [() => setTimeout(() => controller.abort(reason), 0)] },
    })
    await expect(client.doc('Student').get('A', { signal: controller.signal })).rejects.toBe(reason)
    expect(seen).toHaveLength(1)
  })

  it('leaves no timer and no abort listener behind once an attempt is over', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const { client } = testClient(ok, { timeout: 30_000 })
    await client.doc('Student').get('A', { signal: controller.signal })
    await client
      .doc('Student')
      .get('A', { signal: controller.signal })
      .catch(() => {})
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)

    const { client: failing } = testClient(() => frappeError(404, 'DoesNotExistError'), { timeout: 30_000 })
    await failing
      .doc('Student')
      .get('A', { signal: controller.signal })
      .catch(() => {})
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })
})

describe('bad responses', () => {
  it('an HTML error page from a proxy is an InvalidResponseError', async () => {
    const { client } = testClient(
      () =>
        new Response('<html><body>Bad gateway</body></html>', {
          status: 200,
          headers: { 'content-type': 'text/html' },
        }),
    )
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isInvalidResponseError(error)).toBe(true)
    expect((error as Error).message).toMatch(/expected JSON but got text\/html/)
  })

  it('a truncated JSON body is a TruncatedResponseError', async () => {
    const { client } = testClient(() => new Response('{"data": {"name": "A", "first', { status: 200 }), {
      retry: false,
    })
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isTruncatedResponseError(error)).toBe(true)
  })

  it('a body stream that errors mid-read is a TruncatedResponseError', async () => {
    const { client } = testClient(
      () => {
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"data":'))
            controller.error(new TypeError('terminated'))
          },
        })
        return new Response(stream, { status: 200, headers: { 'content-type': 'application/json' } })
      },
      { retry: false },
    )
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isTruncatedResponseError(error)).toBe(true)
  })

  it('a redirect to the login page is a LoginRedirectError', async () => {
    const { client } = testClient(
      () => new Response(null, { status: 302, headers: { location: '/login?redirect-to=/app' } }),
    )
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isLoginRedirectError(error)).toBe(true)
    expect((error as Error).message).toMatch(/redirected to the login page/)
  })

  it('another redirect (http → https) is not followed and says which URL to use', async () => {
    const { client, seen } = testClient(
      () =>
        new Response(null, { status: 301, headers: { location: 'https://erp.test/api/resource/Student/A' } }),
    )
    const error = await client
      .doc('Student')
      .create({ first_name: 'A' })
      .catch((e: unknown) => e)
    expect(isInvalidResponseError(error)).toBe(true)
    expect((error as Error).message).toContain('to https://erp.test/api/resource/Student/A')
    expect(seen).toHaveLength(1)
  })

  it('an empty 200 body is an InvalidResponseError', async () => {
    const { client } = testClient(() => new Response('', { status: 200 }))
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isInvalidResponseError(error)).toBe(true)
  })
})

describe('request shape', () => {
  it('sends Accept: application/json and the token header', async () => {
    const { client, seen } = testClient(ok)
    await client.doc('Student').get('EDU STU/1')
    expect(seen[0]?.headers.get('accept')).toBe('application/json')
    expect(seen[0]?.headers.get('authorization')).toMatch(/^token key1:/)
    expect(seen[0]?.url.pathname).toBe('/api/resource/Student/EDU%20STU%2F1')
  })

  it('keeps a path prefix of the site URL', async () => {
    const { client, seen } = testClient(ok, { url: 'http://erp.test/erp/' })
    await client.doc('Student').get('A')
    expect(seen[0]?.url.pathname).toBe('/erp/api/resource/Student/A')
  })

  it('adds configured headers', async () => {
    const { client, seen } = testClient(ok, { headers: { 'X-Frappe-Site-Name': 'school.local' } })
    await client.doc('Student').get('A')
    expect(seen[0]?.headers.get('x-frappe-site-name')).toBe('school.local')
  })
})

describe('hooks and logging', () => {
  it('emit beforeRequest, afterResponse with timings from the injected clock, and beforeRetry', async () => {
    let now = 1000
    const before: RequestInfo[] = []
    const after: ResponseInfo[] = []
    const retries: RetryInfo[] = []
    const { client } = testClient(
      (_, i) => {
        now += 25
        return i === 0 ? frappeError(503, 'x') : ok()
      },
      {
        clock: { now: () => now },
        hooks: {
          beforeRequest: [(i) => before.push(i)],
          afterResponse: [(i) => after.push(i)],
          beforeRetry: [(i) => retries.push(i)],
        },
      },
    )
    await client.doc('Student').get('A')
    expect(before.map((b) => b.attempt)).toEqual([1, 2])
    expect(after.map((a) => [a.status, a.durationMs])).toEqual([
      [503, 25],
      [200, 25],
    ])
    expect(retries).toHaveLength(1)
    expect(retries[0]?.error.name).toBe('ServerError')
    expect(before[0]?.requestId).toBe(before[1]?.requestId)
  })

  it('a throwing hook does not fail the request', async () => {
    const { client, lines } = testClient(ok, {
      hooks: {
        beforeRequest: [
          () => {
            throw new Error('hook bug')
          },
        ],
      },
    })
    await expect(client.doc('Student').get('A')).resolves.toBeTruthy()
    expect(lines.some((l) => l.includes('hook threw'))).toBe(true)
  })

  it('redacts query values in hook URLs', async () => {
    const urls: string[] = []
    const { client } = testClient(() => json({ data: [] }), {
      hooks: { beforeRequest: [(i) => urls.push(i.url)] },
    })
    await client.doc('Student').list({ filters: { student_email_id: 'kid@example.com' } })
    expect(urls[0]).not.toContain('kid')
    expect(urls[0]).toContain('filters=[REDACTED]')
  })
})
