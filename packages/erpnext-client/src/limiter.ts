import Bottleneck from 'bottleneck'
import { MESSAGE_PREFIX, RateLimiterDisconnectedError } from './errors.js'

/**
 * The part of an ioredis client the Redis-backed limiter uses. Pass your own `new Redis(...)` (a
 * `lazyConnect` client is connected by the limiter); the limiter duplicates it for pub/sub, closes that
 * duplicate in `disconnect()`, and never closes your client.
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
    /**
     * The longest one task holds a slot of the shared budget, in ms, unless its `schedule()` call says
     * otherwise (clients pass their own `timeout` plus a margin). A process that dies mid-request (SIGKILL,
     * out of memory, a lost machine) cannot give its slots back; Redis frees them after this long, so the
     * other processes never wait on a dead one for good. A task that runs longer still completes and
     * delivers its result; its slot is counted free from then on.
     * @default 120000
     */
    readonly slotTimeout?: number
  }
  /** Injected clock. @default Date.now */
  readonly now?: () => number
  /** Injected sleep, used to wait out a pause. @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>
}

/** Per-task options of {@link RateLimiter.schedule}. */
export interface ScheduleOptions {
  /**
   * For a Redis-backed limiter: the longest this task holds its slot of the shared budget, in ms (see
   * `redis.slotTimeout`). Ignored by an in-process limiter, whose slots end with the process.
   */
  readonly slotTimeout?: number
}

/**
 * A rate limiter shared by any number of clients (pass it as `rateLimit`). Backed by Bottleneck, locally
 * or through Redis.
 */
export interface RateLimiter {
  /**
   * Run `task` when the limits allow it (and no pause is in effect). Rejects with
   * {@link RateLimiterDisconnectedError} after {@link RateLimiter.disconnect}.
   */
  schedule<T>(task: () => Promise<T>, options?: ScheduleOptions): Promise<T>
  /** Stop starting requests for `ms` milliseconds (called on a 429 with its `Retry-After`); shared via Redis. */
  pause(ms: number): void
  /** Epoch ms until which requests are paused (0 when not paused). */
  readonly pausedUntil: number
  /** Whether the limiter keeps its state in Redis. */
  readonly distributed: boolean
  /**
   * Resolves once the limiter can schedule: at once for an in-process limiter; for a Redis-backed one when
   * both of its Redis connections are up and its state is registered (it stays pending while Redis is
   * unreachable, as ioredis keeps reconnecting). Rejects with {@link RateLimiterDisconnectedError} once
   * {@link RateLimiter.disconnect} has been called.
   */
  ready(): Promise<void>
  /**
   * Close the limiter for good; idempotent (every call returns the same promise) and never rejects.
   * New `schedule()` calls, and so requests of clients using it, reject with
   * {@link RateLimiterDisconnectedError}. Jobs already scheduled still run when Redis is usable; when it is
   * not (not connected yet, your client already closed, Redis down) those that have not started are
   * rejected with that error instead (nothing was sent for them). It then waits for the requests in flight,
   * closes the pub/sub connection it duplicated from your client and removes its listener from your client,
   * leaving no timers or sockets behind. Your own Redis client stays open: close it yourself, before or after.
   */
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
/** Default `redis.slotTimeout`: two minutes, four times a client's default request timeout. */
const DEFAULT_SLOT_TIMEOUT = 120_000

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
    // Sleep until the pause ends. Sleep again if it was extended meanwhile, or if the timer fired a little
    // early by the clock (timers round to whole milliseconds) — but never spin on a clock that a test froze.
    for (;;) {
      const before = now()
      const remaining = pausedUntil - before
      if (remaining <= 0) return
      await sleep(remaining)
      if (now() === before) return
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
  const slotTimeout =
    redis.slotTimeout === undefined
      ? DEFAULT_SLOT_TIMEOUT
      : positive(redis.slotTimeout, 'rateLimit.redis.slotTimeout', false)
  const settings: Bottleneck.ConstructorOptions = { maxConcurrent }
  if (perInterval !== undefined) {
    Object.assign(settings, {
      reservoir: perInterval,
      reservoirRefreshAmount: perInterval,
      reservoirRefreshInterval: interval,
    })
  }
  const client = redis.client as unknown as RedisHandle
  const errorListenersBefore = new Set(client.listeners?.('error') ?? [])
  // Bottleneck waits for each connection's `ready` event without sending a command, so a client created
  // with `lazyConnect` would never connect (and `ready()` would never settle): connect it here.
  if (client.status === 'wait') client.connect?.().catch(() => {})
  // Passing the library avoids Bottleneck's `require('ioredis')`, which ESM and bundlers lack.
  const connection = new Bottleneck.IORedisConnection({ client, Redis: client.constructor })
  // Bottleneck's internals (stable in bottleneck 2.x): the pub/sub duplicate it opened, which is ours to
  // close, and the flag that makes it skip UNSUBSCRIBE when that connection is going away anyway.
  const internals = connection as unknown as { subscriber: RedisHandle; terminated: boolean }
  const subscriber = internals.subscriber
  if (subscriber.status === 'wait') subscriber.connect?.().catch(() => {})
  // The `error` listener Bottleneck put on your client; removed again by disconnect().
  const addedErrorListeners = (client.listeners?.('error') ?? []).filter((l) => !errorListenersBefore.has(l))
  Object.assign(settings, {
    id: redis.id,
    datastore: 'ioredis',
    clearDatastore: redis.clearDatastore ?? false,
    connection,
  })
  const bottleneck = new Bottleneck(settings)
  const store = (bottleneck as unknown as { _store: { heartbeat?: ReturnType<typeof setInterval> } })._store
  bottleneck.on('message', (message: string) => {
    if (!message.startsWith(PAUSE_PREFIX)) return
    const until = Number(message.slice(PAUSE_PREFIX.length))
    if (Number.isFinite(until) && until > pausedUntil) pausedUntil = until
  })
  // A Redis failure must not crash the process; requests then fail or wait, which callers see.
  bottleneck.on('error', () => {})

  let readyReached = false
  const storeReady = bottleneck.ready().then(() => {
    readyReached = true
  })
  storeReady.catch(() => {})
  let closed = false
  let closing: Promise<void> | undefined
  let abandoned = false
  let signalClosed: (error: Error) => void = () => {}
  const closedSignal = new Promise<never>((_, reject) => {
    signalClosed = reject
  })
  closedSignal.catch(() => {})
  /** Rejecters of scheduled jobs whose task has not started. */
  const waiting = new Set<(error: Error) => void>()
  /** Tasks in progress (requests in flight). */
  const running = new Set<Promise<unknown>>()

  return Object.freeze({
    schedule<T>(task: () => Promise<T>, scheduleOptions?: ScheduleOptions): Promise<T> {
      if (closed) return Promise.reject(disconnectedError('schedule()'))
      const expiration = slotTimeoutOf(scheduleOptions, slotTimeout)
      return new Promise<T>((resolve, reject) => {
        waiting.add(reject)
        // Set once Bottleneck starts the job (its slot is taken): what the caller waits for from then on.
        let started: Promise<T> | undefined
        bottleneck
          .schedule({ expiration }, () => {
            started = (async () => {
              await waitForPause()
              // After a disconnect that could not drain through Redis, a job that had not started never does.
              if (abandoned) throw disconnectedError('schedule()')
              waiting.delete(reject)
              const run = task()
              running.add(run)
              try {
                return await run
              } finally {
                running.delete(run)
              }
            })()
            return started
          })
          .then(resolve, (error: unknown) => {
            waiting.delete(reject)
            // The slot expired while the task (or a pause before it) still runs: Bottleneck gave the slot
            // back; the task is not abandoned, and its own outcome is the caller's.
            if (started && error instanceof Bottleneck.BottleneckError) {
              started.then(resolve, reject)
              return
            }
            reject(
              closed && error instanceof Bottleneck.BottleneckError ? disconnectedError('schedule()') : error,
            )
          })
      })
    },
    pause(ms: number): void {
      const until = now() + Math.max(0, ms)
      if (until <= pausedUntil) return
      pausedUntil = until
      if (!closed) void bottleneck.publish(`${PAUSE_PREFIX}${until}`).catch(() => {})
    },
    get pausedUntil() {
      return pausedUntil
    },
    distributed: true,
    ready(): Promise<void> {
      if (closed) return Promise.reject(disconnectedError('ready()'))
      return Promise.race([storeReady, closedSignal])
    },
    disconnect(): Promise<void> {
      closing ??= (async () => {
        closed = true
        signalClosed(disconnectedError('ready()'))
        // Drain through Redis when it is usable: jobs already scheduled still run, in the shared budget.
        // Right after creation the connections are still coming up and registering: wait for that unless a
        // connection closes first (Redis unreachable, your client closed), so this never hangs.
        if (!readyReached && LIVE.has(client.status ?? '') && LIVE.has(subscriber.status ?? '')) {
          await untilReadyOrClosed(storeReady, [client, subscriber])
        }
        if (readyReached && client.status === 'ready') {
          try {
            await bottleneck.stop({ dropWaitingJobs: false })
          } catch {
            // Redis failed while draining; what is left is abandoned below.
          }
        }
        // Otherwise (not connected yet, your client already closed, Redis down) the jobs still waiting are
        // rejected: none of them has sent anything.
        abandoned = true
        for (const reject of waiting) reject(disconnectedError('schedule()'))
        waiting.clear()
        await Promise.allSettled(running)
        internals.terminated = true
        await bottleneck.disconnect(false)
        // The heartbeat starts when Redis setup completes; if that happens after this point, stop it then.
        void storeReady.then(
          () => clearInterval(store.heartbeat),
          () => {},
        )
        for (const listener of addedErrorListeners) client.off?.('error', listener)
        await closeQuietly(subscriber)
      })()
      return closing
    },
  })
}

/** The slot timeout of one task: its own when valid, else the limiter's. */
function slotTimeoutOf(options: ScheduleOptions | undefined, fallback: number): number {
  const own = options?.slotTimeout
  return typeof own === 'number' && Number.isFinite(own) && own > 0 ? Math.ceil(own) : fallback
}

/** The parts of an ioredis client the limiter touches at run time. */
interface RedisHandle {
  readonly constructor: unknown
  readonly status?: string
  connect?(): Promise<unknown>
  quit(): Promise<unknown>
  disconnect(): void
  listeners?(event: string): ((...args: unknown[]) => void)[]
  once?(event: string, listener: (...args: unknown[]) => void): unknown
  off?(event: string, listener: (...args: unknown[]) => void): unknown
}

const LIVE = new Set(['connecting', 'connect', 'ready'])

/** Resolve when `ready` settles or any of `connections` emits `close`, whichever comes first. */
async function untilReadyOrClosed(ready: Promise<void>, connections: readonly RedisHandle[]): Promise<void> {
  let onClose = () => {}
  const closed = new Promise<void>((resolve) => {
    onClose = resolve
  })
  for (const c of connections) c.once?.('close', onClose)
  try {
    await Promise.race([ready.catch(() => {}), closed])
  } finally {
    for (const c of connections) c.off?.('close', onClose)
  }
}

async function closeQuietly(connection: RedisHandle): Promise<void> {
  if (connection.status === 'end') return
  if (connection.status === 'ready') {
    try {
      await connection.quit()
      return
    } catch {
      // fall through to a hard close
    }
  }
  // Not connected (connecting, reconnecting, lazy): stop reconnecting and close the socket now.
  connection.disconnect()
}

function disconnectedError(what: string): RateLimiterDisconnectedError {
  return new RateLimiterDisconnectedError(
    `${what} on a disconnected rate limiter: disconnect() closed it for good (a request still waiting for it then gets this too; nothing was sent for it). Create a new limiter with createRateLimiter() and pass it to new clients.`,
  )
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
      if (stopped) throw disconnectedError('schedule()')
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
    async ready(): Promise<void> {
      if (stopped) throw disconnectedError('ready()')
    },
    async disconnect(): Promise<void> {
      stopped = true
    },
  })
}
