/**
 * Fault injection: per-route latency, 5xx answers, 429 with `Retry-After`, dropped connections and
 * hung requests, webhook delivery faults, and an optional site-wide request-rate limit. Random choices
 * use the emulator's seeded generator, so a run is reproducible.
 */
import type { WebhookFaults } from './webhooks.js'

/** A fault applied to requests whose path and method match. */
export interface RouteFault {
  /** Path prefix (decoded, e.g. `/api/resource/Student`) or RegExp tested against the decoded path. Omit to match every route. */
  readonly path?: string | RegExp
  /** HTTP method to match (case-insensitive). Omit to match every method. */
  readonly method?: string
  /**
   * Probability that a matching request is affected.
   * @default 1
   */
  readonly probability?: number
  /** Affect only the first `times` matching requests. Omit for no limit. */
  readonly times?: number
  /** Delay before the request is handled, in ms. */
  readonly latencyMs?: number
  /** Answer with this 5xx status instead of handling the request. */
  readonly status?: 500 | 502 | 503 | 504
  /** Answer 429 TooManyRequestsError with this `Retry-After` (seconds). */
  readonly retryAfter?: number
  /** Drop the connection without a response. */
  readonly drop?: boolean
  /** Never answer (until the client aborts, or `hangMs` passes, then drop). */
  readonly timeout?: boolean
  /**
   * How long a `timeout` fault holds the request before dropping it, in ms.
   * @default 30000
   */
  readonly hangMs?: number
}

/** Site-wide request-rate limit (the emulator counts requests, see README). */
export interface RateLimitConfig {
  /** Requests allowed per window. */
  readonly limit: number
  /** Window length in seconds. */
  readonly windowSeconds: number
}

/** The whole fault configuration (`emulator.faults.set(config)`). */
export interface FaultConfig {
  readonly routes?: readonly RouteFault[]
  readonly webhooks?: WebhookFaults
  readonly rateLimit?: RateLimitConfig
}

/** What the transport must do for one request. */
export interface FaultDecision {
  readonly latencyMs: number
  readonly action?:
    | { kind: 'status'; status: number }
    | { kind: '429'; retryAfter: number }
    | { kind: 'drop' }
    | { kind: 'timeout'; hangMs: number }
}

function probability(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1))) {
    throw new RangeError(`[@edusync/erpnext-emulator] faults: ${name} must be a number between 0 and 1`)
  }
}

function nonNegative(name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new RangeError(`[@edusync/erpnext-emulator] faults: ${name} must be a non-negative number`)
  }
}

/** Validate and freeze a fault configuration. */
export function normalizeFaults(config: FaultConfig): FaultConfig {
  if (!config || typeof config !== 'object') {
    throw new TypeError(
      '[@edusync/erpnext-emulator] faults must be an object like { routes, webhooks, rateLimit }',
    )
  }
  const routes = (config.routes ?? []).map((r, i) => {
    if (!r || typeof r !== 'object')
      throw new TypeError(`[@edusync/erpnext-emulator] faults.routes[${i}] must be an object`)
    if (r.path !== undefined && typeof r.path !== 'string' && !(r.path instanceof RegExp)) {
      throw new TypeError(`[@edusync/erpnext-emulator] faults.routes[${i}].path must be a string or RegExp`)
    }
    probability(`routes[${i}].probability`, r.probability)
    nonNegative(`routes[${i}].latencyMs`, r.latencyMs)
    nonNegative(`routes[${i}].retryAfter`, r.retryAfter)
    nonNegative(`routes[${i}].times`, r.times)
    nonNegative(`routes[${i}].hangMs`, r.hangMs)
    if (r.status !== undefined && ![500, 502, 503, 504].includes(r.status)) {
      throw new RangeError(
        `[@edusync/erpnext-emulator] faults.routes[${i}].status must be 500, 502, 503 or 504`,
      )
    }
    return Object.freeze({ ...r })
  })
  const w = config.webhooks
  if (w) {
    probability('webhooks.drop', w.drop)
    probability('webhooks.duplicate', w.duplicate)
    nonNegative('webhooks.delayMs', w.delayMs)
    nonNegative('webhooks.jitterMs', w.jitterMs)
  }
  const rl = config.rateLimit
  if (rl) {
    if (!Number.isInteger(rl.limit) || rl.limit < 1)
      throw new RangeError('[@edusync/erpnext-emulator] faults.rateLimit.limit must be a positive integer')
    if (!(rl.windowSeconds > 0))
      throw new RangeError('[@edusync/erpnext-emulator] faults.rateLimit.windowSeconds must be > 0')
  }
  return Object.freeze({
    routes: Object.freeze(routes),
    ...(w ? { webhooks: Object.freeze({ ...w }) } : {}),
    ...(rl ? { rateLimit: Object.freeze({ ...rl }) } : {}),
  })
}

/** Runtime fault control (`emulator.faults`). */
export class FaultController {
  private config: FaultConfig = Object.freeze({ routes: [] })
  private used = new Map<number, number>()
  private windowStart = 0
  private windowCount = 0
  private readonly random: () => number
  private readonly now: () => number

  constructor(random: () => number, now: () => number, initial?: FaultConfig) {
    this.random = random
    this.now = now
    if (initial) this.set(initial)
  }

  /** Replace the fault configuration (validated, frozen). */
  set(config: FaultConfig): void {
    this.config = normalizeFaults(config)
    this.used = new Map()
    this.windowStart = 0
    this.windowCount = 0
  }

  /** Remove every fault. */
  clear(): void {
    this.set({})
  }

  /** The current configuration. */
  get current(): FaultConfig {
    return this.config
  }

  /** Webhook faults in force. */
  webhooks(): WebhookFaults | undefined {
    return this.config.webhooks
  }

  /** Decide what happens to a request. */
  decide(method: string, path: string): FaultDecision {
    let latencyMs = 0
    let action: FaultDecision['action']
    const routes = this.config.routes ?? []
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i]!
      if (r.method && r.method.toUpperCase() !== method.toUpperCase()) continue
      if (
        r.path !== undefined &&
        (typeof r.path === 'string' ? !path.startsWith(r.path) : !r.path.test(path))
      )
        continue
      const used = this.used.get(i) ?? 0
      if (r.times !== undefined && used >= r.times) continue
      if (r.probability !== undefined && r.probability < 1 && this.random() >= r.probability) continue
      this.used.set(i, used + 1)
      latencyMs += r.latencyMs ?? 0
      if (action) continue
      if (r.drop) action = { kind: 'drop' }
      else if (r.timeout) action = { kind: 'timeout', hangMs: r.hangMs ?? 30_000 }
      else if (r.status) action = { kind: 'status', status: r.status }
      else if (r.retryAfter !== undefined) action = { kind: '429', retryAfter: r.retryAfter }
    }
    return action ? { latencyMs, action } : { latencyMs }
  }

  /** Count a request against the rate limit; returns headers and whether it is over. */
  rateLimit():
    | { headers: Record<string, string>; limited: boolean; retryAfter: number; used: number }
    | undefined {
    const rl = this.config.rateLimit
    if (!rl) return undefined
    const now = this.now()
    const windowMs = rl.windowSeconds * 1000
    if (!this.windowStart || now - this.windowStart >= windowMs) {
      this.windowStart = now - ((now - (this.windowStart || now)) % windowMs)
      this.windowCount = 0
    }
    this.windowCount++
    const reset = Math.max(0, Math.ceil((this.windowStart + windowMs - now) / 1000))
    const limited = this.windowCount > rl.limit
    return {
      limited,
      used: this.windowCount,
      retryAfter: reset,
      headers: {
        'X-RateLimit-Limit': String(rl.limit),
        'X-RateLimit-Remaining': String(Math.max(0, rl.limit - this.windowCount)),
        'X-RateLimit-Reset': String(reset),
      },
    }
  }
}
