import Bottleneck from 'bottleneck'
import { MESSAGE_PREFIX } from './errors.js'

/**
 * The part of an ioredis client the Redis-backed limiter uses. Pass your own `new Redis(...)`; the
 * limiter duplicates it for pub/sub and never closes it.
 */
export interface RedisClientLike {
  /** Used to open the pub/sub connection. */
  duplicate(): unknown
  /** Connection options (read by Bottleneck). */
  readonly options?: unknown
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per `interval` (a token bucket refilled every interval). @default unlimited */
  readonly requestsPerInterval?: number
  /** Length of the interval in milliseconds. @default 1000 */
  readonly interval?: number
  /** Requests in flight at once. @default 8 */
  readonly maxConcurrent?: number
  /**
   * Share the limits between processes through Redis (Bottleneck's `ioredis` datastore). All processes
   * that use the same `id` share one budget and see each other's 429 pauses.
   */
  readonly redis?: {
    /** An ioredis client (ioredis is an optional peer dependency). */
    readonly client: RedisClientLike
    /** Limiter id shared by the processes (the Redis key prefix). */
    readonly id: string
    /** Wipe this id's state in Redis on start. @default false */
    readonly clearDatastore?: boolean
  }
  /** Injected clock. @default Date.now */
  readonly now?: () => number
  /** Injected sleep, used to wait out a pause. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>
}

/**
 * A rate limiter shared by any number of clients (pass it as `rateLimit`). Backed by Bottleneck, locally
 * or through Redis.
 */
export interface RateLimiter {
  /** Run `task` when the limits allow it (and no pause is in effect). */
  schedule<T>(task: () => Promise<T>): Promise<T>
  /** Stop starting requests for `ms` milliseconds (called on a 429 with its `Retry-After`); shared via Redis. */
  pause(ms: number): void
  /** Epoch ms until which requests are paused (0 when not paused). */
  readonly pausedUntil: number
  /** Whether the limiter keeps its state in Redis. */
  readonly distributed: boolean
  /** Resolves when the limiter is ready (Redis connected). */
  ready(): Promise<void>
  /** Stop the limiter and drop its Redis subscriptions (does not quit your Redis client). */
  disconnect(): Promise<void>
}

function positive(value: unknown, option: string, integer: boolean): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new RangeError(
      `${MESSAGE_PREFIX} Option \`${option}\` must be a positive ${integer ? 'integer' : 'number'}.`,
    )
  }
  return value
}

const PAUSE_PREFIX = 'edusync:pause:'

/**
 * Create a rate limiter: a requests-per-interval budget and a concurrency cap, optionally shared across
 * processes through Redis.
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ requestsPerInterval: 20, interval: 1000, maxConcurrent: 4 })
 * const a = createClient({ url, auth, rateLimit: limiter })
 * const b = createClient({ url, auth: other, rateLimit: limiter }) // one shared budget
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${MESSAGE_PREFIX} createRateLimiter(options): expected an options object.`)
  }
  const interval =
    options.interval === undefined ? 1000 : positive(options.interval, 'rateLimit.interval', false)
  const perInterval =
    options.requestsPerInterval === undefined
      ? undefined
      : positive(options.requestsPerInterval, 'rateLimit.requestsPerInterval', true)
  const maxConcurrent =
    options.maxConcurrent === undefined ? 8 : positive(options.maxConcurrent, 'rateLimit.maxConcurrent', true)
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  let pausedUntil = 0
  const waitForPause = async (): Promise<void> => {
    // Sleep once per pause; sleep again only if the pause was extended meanwhile (never spin on a clock).
    let waitedFor = 0
    while (pausedUntil !== waitedFor) {
      waitedFor = pausedUntil
      const remaining = waitedFor - now()
      if (remaining <= 0) return
      await sleep(remaining)
    }
  }
  const redis = options.redis
  if (redis === undefined)
    return localLimiter({
      perInterval,
      interval,
      maxConcurrent,
      now,
      sleep,
      waitForPause,
      pause: (until) => {
        if (until > pausedUntil) pausedUntil = until
      },
      pausedUntil: () => pausedUntil,
    })

  // Across processes: Bottleneck's Redis datastore holds the shared budget.
  if (typeof redis !== 'object' || redis === null || typeof redis.client?.duplicate !== 'function') {
    throw new TypeError(`${MESSAGE_PREFIX} Option \`rateLimit.redis.client\` must be an ioredis client.`)
  }
  if (typeof redis.id !== 'string' || redis.id.length === 0) {
    throw new TypeError(`${MESSAGE_PREFIX} Option \`rateLimit.redis.id\` must be a non-empty string.`)
  }
  const settings: Bottleneck.ConstructorOptions = { maxConcurrent }
  if (perInterval !== undefined) {
    Object.assign(settings, {
      reservoir: perInterval,
      reservoirRefreshAmount: perInterval,
      reservoirRefreshInterval: interval,
    })
  }
  const client = redis.client as { constructor: unknown }
  // Passing the library avoids Bottleneck's `require('ioredis')`, which ESM and bundlers lack.
  const connection = new Bottleneck.IORedisConnection({ client, Redis: client.constructor })
  Object.assign(settings, {
    id: redis.id,
    datastore: 'ioredis',
    clearDatastore: redis.clearDatastore ?? false,
    connection,
  })
  const bottleneck = new Bottleneck(settings)
  bottleneck.on('message', (message: string) => {
    if (!message.startsWith(PAUSE_PREFIX)) return
    const until = Number(message.slice(PAUSE_PREFIX.length))
    if (Number.isFinite(until) && until > pausedUntil) pausedUntil = until
  })
  // A Redis failure must not crash the process; requests then fail or wait, which callers see.
  bottleneck.on('error', () => {})
  return Object.freeze({
    schedule<T>(task: () => Promise<T>): Promise<T> {
      return bottleneck.schedule(async () => {
        await waitForPause()
        return task()
      })
    },
    pause(ms: number): void {
      const until = now() + Math.max(0, ms)
      if (until <= pausedUntil) return
      pausedUntil = until
      void bottleneck.publish(`${PAUSE_PREFIX}${until}`).catch(() => {})
    },
    get pausedUntil() {
      return pausedUntil
    },
    distributed: true,
    async ready(): Promise<void> {
      await bottleneck.ready()
    },
    async disconnect(): Promise<void> {
      await bottleneck.stop({ dropWaitingJobs: false })
      await bottleneck.disconnect(false)
      // The connection duplicated the caller's client for pub/sub; that duplicate is ours to close.
      // (`ready` is a promise property at run time, although Bottleneck's typings call it a method.)
      const ready = (
        connection as unknown as { ready: Promise<{ subscriber: { quit(): Promise<unknown> } }> }
      ).ready
      const { subscriber } = await ready
      await subscriber.quit()
    },
  })
}

/**
 * In one process a small semaphore and token bucket do the job: Bottleneck's local datastore yields to
 * the event loop several times per job (milliseconds per request), which would dominate loopback calls.
 */
function localLimiter(o: {
  perInterval: number | undefined
  interval: number
  maxConcurrent: number
  now: () => number
  sleep: (ms: number) => Promise<void>
  waitForPause: () => Promise<void>
  pause: (until: number) => void
  pausedUntil: () => number
}): RateLimiter {
  let active = 0
  const waiting: (() => void)[] = []
  let tokens = o.perInterval ?? 0
  let windowStart = o.now()
  let stopped = false
  const acquire = async (): Promise<void> => {
    for (;;) {
      await o.waitForPause()
      if (o.perInterval !== undefined) {
        const elapsed = o.now() - windowStart
        if (elapsed >= o.interval) {
          tokens = o.perInterval
          windowStart += Math.floor(elapsed / o.interval) * o.interval
        }
      }
      if (active < o.maxConcurrent && (o.perInterval === undefined || tokens > 0)) {
        active++
        if (o.perInterval !== undefined) tokens--
        return
      }
      if (active >= o.maxConcurrent) await new Promise<void>((resolve) => waiting.push(resolve))
      else await o.sleep(Math.max(1, windowStart + o.interval - o.now()))
    }
  }
  const release = () => {
    active--
    waiting.shift()?.()
  }
  return Object.freeze({
    async schedule<T>(task: () => Promise<T>): Promise<T> {
      if (stopped) throw new Error(`${MESSAGE_PREFIX} The rate limiter was disconnected; create a new one.`)
      await acquire()
      try {
        return await task()
      } finally {
        release()
      }
    },
    pause(ms: number): void {
      o.pause(o.now() + Math.max(0, ms))
    },
    get pausedUntil() {
      return o.pausedUntil()
    },
    distributed: false,
    async ready(): Promise<void> {},
    async disconnect(): Promise<void> {
      stopped = true
    },
  })
}
