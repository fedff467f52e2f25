import { describe, expect, it } from 'vitest'
import {
  createClient,
  createRateLimiter,
  isRateLimiterDisconnectedError,
  type RateLimiter,
  RateLimiterDisconnectedError,
} from '../src/index.js'
import { fakeFetch, json, URL_BASE } from './helpers.js'

/** A fetch that counts requests in flight and answers after a tick. */
function slowServer() {
  let inFlight = 0
  let peak = 0
  const { fetch, seen } = fakeFetch(async () => {
    inFlight++
    peak = Math.max(peak, inFlight)
    await new Promise((r) => setTimeout(r, 5))
    inFlight--
    return json({ data: { name: 'A' } })
  })
  return { fetch, seen, peak: () => peak }
}

const clientWith = (fetch: typeof globalThis.fetch, rateLimit: RateLimiter, apiKey: string) =>
  createClient({
    url: URL_BASE,
    auth: { type: 'token', apiKey, apiSecret: 's' },
    fetch,
    rateLimit,
    meta: false,
    schemas: false,
  })

describe('shared limiter', () => {
  it('caps concurrency across two clients that share it', async () => {
    const server = slowServer()
    const limiter = createRateLimiter({ maxConcurrent: 2 })
    const a = clientWith(server.fetch, limiter, 'a')
    const b = clientWith(server.fetch, limiter, 'b')
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).docUntyped('Student').get(`S${i}`)))
    expect(server.seen).toHaveLength(6)
    expect(server.peak()).toBe(2)
    await limiter.disconnect()
  })

  it('a 429 on one client pauses the other for Retry-After', async () => {
    let now = 0
    const sleeps: number[] = []
    const limiter = createRateLimiter({
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms)
        now += ms
      },
    })
    const { fetch, seen } = fakeFetch((_, i) =>
      i === 0
        ? new Response('{"exc_type":"TooManyRequestsError"}', {
            status: 429,
            headers: { 'retry-after': '2' },
          })
        : json({ data: { name: 'A' } }),
    )
    const common = {
      url: URL_BASE,
      fetch,
      rateLimit: limiter,
      meta: false as const,
      schemas: false as const,
      clock: { now: () => now },
    }
    const a = createClient({ ...common, auth: { type: 'token', apiKey: 'a', apiSecret: 's' }, retry: false })
    const b = createClient({ ...common, auth: { type: 'token', apiKey: 'b', apiSecret: 's' } })
    await a
      .docUntyped('Student')
      .get('A')
      .catch(() => {})
    expect(limiter.pausedUntil).toBe(2000)
    await b.docUntyped('Student').get('B')
    expect(sleeps).toEqual([2000])
    expect(seen).toHaveLength(2)
    await limiter.disconnect()
  })

  it('requestsPerInterval: a token bucket refilled each interval (injected clock and timers)', async () => {
    let now = 0
    const sleepers: { until: number; resolve: () => void }[] = []
    const flush = () => new Promise((r) => setTimeout(r, 0))
    const advance = async (to: number) => {
      now = to
      for (const s of sleepers.splice(0)) {
        if (s.until <= now) s.resolve()
        else sleepers.push(s)
      }
      for (let i = 0; i < 5; i++) await flush()
    }
    const limiter = createRateLimiter({
      requestsPerInterval: 2,
      interval: 1000,
      now: () => now,
      sleep: (ms) => new Promise<void>((resolve) => sleepers.push({ until: now + ms, resolve })),
    })
    const starts: number[] = []
    const all = Promise.all(
      Array.from({ length: 5 }, () => limiter.schedule(async () => void starts.push(now))),
    )
    await advance(0)
    expect(starts).toEqual([0, 0])
    await advance(1000)
    expect(starts).toEqual([0, 0, 1000, 1000])
    await advance(2000)
    await all
    expect(starts).toEqual([0, 0, 1000, 1000, 2000])
  })

  it('refuses work after disconnect with RateLimiterDisconnectedError, also through a client', async () => {
    const limiter = createRateLimiter()
    await limiter.disconnect()
    const error = await limiter.schedule(async () => 1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimiterDisconnectedError)
    expect(isRateLimiterDisconnectedError(error)).toBe(true)
    expect((error as RateLimiterDisconnectedError).code).toBe('RATE_LIMITER_DISCONNECTED')
    expect((error as Error).message).toMatch(/disconnected rate limiter.*createRateLimiter\(\)/)
    await expect(limiter.ready()).rejects.toSatisfy(isRateLimiterDisconnectedError)
    const { fetch, seen } = fakeFetch(() => json({ data: { name: 'A' } }))
    const client = clientWith(fetch, limiter, 'a')
    await expect(client.docUntyped('Student').get('A')).rejects.toSatisfy(isRateLimiterDisconnectedError)
    expect(seen).toHaveLength(0)
  })

  it('validates its options', () => {
    expect(() => createRateLimiter({ maxConcurrent: 0 })).toThrow(/`rateLimit.maxConcurrent`/)
    expect(() => createRateLimiter({ interval: -5 })).toThrow(RangeError)
    expect(() => createRateLimiter({ redis: { client: {} as never, id: 'x' } })).toThrow(
      /`rateLimit.redis.client`/,
    )
    const redisLike = { duplicate: () => ({}) } as never
    for (const slotTimeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5000' as never])
      expect(() => createRateLimiter({ redis: { client: redisLike, id: 'x', slotTimeout } })).toThrow(
        /`rateLimit.redis.slotTimeout` must be a positive number/,
      )
  })

  it('a client tells the limiter how long one attempt may hold a slot: its timeout plus a margin', async () => {
    const seen: (number | undefined)[] = []
    const recording: RateLimiter = {
      schedule: (task, options) => {
        seen.push(options?.slotTimeout)
        return task()
      },
      pause: () => undefined,
      pausedUntil: 0,
      distributed: true,
      ready: async () => undefined,
      disconnect: async () => undefined,
    }
    const { fetch } = fakeFetch(() => json({ data: { name: 'A' } }))
    const make = (timeout: number | false) =>
      createClient({
        url: URL_BASE,
        auth: { type: 'token', apiKey: 'a', apiSecret: 's' },
        fetch,
        rateLimit: recording,
        timeout,
        meta: false,
        schemas: false,
      })
    await make(2_000).docUntyped('Student').get('A')
    await make(false).docUntyped('Student').get('A')
    await createClient({
      url: URL_BASE,
      auth: { type: 'token', apiKey: 'a', apiSecret: 's' },
      fetch,
      rateLimit: recording,
      meta: false,
      schemas: false,
    })
      .docUntyped('Student')
      .get('A')
    // 2 s + 5 s; no timeout leaves it to the limiter's own slotTimeout; the default 30 s + 5 s.
    expect(seen).toEqual([7_000, undefined, 35_000])
  })

  it('extend() shares the parent limiter', async () => {
    const server = slowServer()
    const limiter = createRateLimiter({ maxConcurrent: 1 })
    const a = clientWith(server.fetch, limiter, 'a')
    const b = a.extend({ headers: { 'X-Other': '1' } })
    await Promise.all([a.docUntyped('S').get('1'), b.docUntyped('S').get('2'), b.docUntyped('S').get('3')])
    expect(server.peak()).toBe(1)
    await limiter.disconnect()
  })
})
