import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, createRateLimiter, type RateLimiter } from '../src/index.js'
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

  it('refuses work after disconnect', async () => {
    const limiter = createRateLimiter()
    await limiter.disconnect()
    await expect(limiter.schedule(async () => 1)).rejects.toThrow(/disconnected/)
  })

  it('validates its options', () => {
    expect(() => createRateLimiter({ maxConcurrent: 0 })).toThrow(/`rateLimit.maxConcurrent`/)
    expect(() => createRateLimiter({ interval: -5 })).toThrow(RangeError)
    expect(() => createRateLimiter({ redis: { client: {} as never, id: 'x' } })).toThrow(
      /`rateLimit.redis.client`/,
    )
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

// ---- Redis-backed limiter (two "processes" = two limiters with their own connections) ----
const REDIS_URL = 'redis://127.0.0.1:6379'
let redisUp = false
const clients: Redis[] = []
beforeAll(async () => {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  })
  try {
    await probe.connect()
    await probe.ping()
    redisUp = true
  } catch {
    redisUp = false
  } finally {
    probe.disconnect()
  }
  if (!redisUp && process.env.CI === 'true') throw new Error('Redis at 127.0.0.1:6379 is unreachable in CI')
})
afterAll(async () => {
  for (const c of clients) await c.quit().catch(() => {})
})

describe('Redis-backed limiter', () => {
  it('shares the concurrency budget and 429 pauses across processes', async (ctx) => {
    if (!redisUp) ctx.skip('Redis at 127.0.0.1:6379 is unreachable')
    const id = `edusync-test-${process.pid}-${Date.now().toString(36)}`
    const r1 = new Redis(REDIS_URL)
    const r2 = new Redis(REDIS_URL)
    clients.push(r1, r2)
    const l1 = createRateLimiter({ maxConcurrent: 1, redis: { client: r1, id, clearDatastore: true } })
    const l2 = createRateLimiter({ maxConcurrent: 1, redis: { client: r2, id } })
    await Promise.all([l1.ready(), l2.ready()])
    expect(l1.distributed).toBe(true)
    const server = slowServer()
    const a = clientWith(server.fetch, l1, 'a')
    const b = clientWith(server.fetch, l2, 'b')
    await Promise.all(Array.from({ length: 4 }, (_, i) => (i % 2 ? a : b).docUntyped('Student').get(`S${i}`)))
    expect(server.seen).toHaveLength(4)
    expect(server.peak()).toBe(1)

    // A pause published by one process reaches the other.
    const until = Date.now() + 60_000
    l1.pause(60_000)
    for (let i = 0; i < 50 && l2.pausedUntil < until - 1000; i++) await new Promise((r) => setTimeout(r, 20))
    expect(l2.pausedUntil).toBeGreaterThanOrEqual(until - 1000)
    await l1.disconnect()
    await l2.disconnect()
    await r1.del(...(await r1.keys(`b_${id}*`)), 'x')
  })
})
