import { doctypeMeta, isKnownDocType, schemaFor } from '@edusync/doctype-schemas'
import type { ZodType } from 'zod'
import type { AuthOptions } from './auth.js'
import { MESSAGE_PREFIX } from './errors.js'
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './limiter.js'
import type { DocTypeMeta } from './meta.js'

/** A source of the current time (epoch milliseconds). */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number
}

/** Where the client writes its log lines. Lines never contain credentials, bodies or query values. */
export interface Logger {
  /** Every request: method, path, status, duration. */
  debug?(message: string, fields?: Record<string, unknown>): void
  /** Failed attempts. */
  info?(message: string, fields?: Record<string, unknown>): void
  /** Retries, schema mismatches (`validate: 'lenient'`), hooks that threw. */
  warn?(message: string, fields?: Record<string, unknown>): void
  /** Reserved for failures of the client itself. */
  error?(message: string, fields?: Record<string, unknown>): void
}

/** Passed to `beforeRequest` hooks. URLs are redacted (query values replaced). */
export interface RequestInfo {
  /** Unique per logical request (shared by its attempts). */
  readonly requestId: string
  /** HTTP method. */
  readonly method: string
  /** Redacted URL. */
  readonly url: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** The doctype, when the request addresses one. */
  readonly doctype?: string | undefined
}

/** Passed to `afterResponse` hooks. */
export interface ResponseInfo extends RequestInfo {
  /** HTTP status (0 when no response arrived). */
  readonly status: number
  /** Time from sending to the end of the body, in ms (measured with the injected clock). */
  readonly durationMs: number
  /** The typed error, when the attempt failed. */
  readonly error?: Error | undefined
}

/** Passed to `beforeRetry` hooks. */
export interface RetryInfo extends RequestInfo {
  /** Why the previous attempt failed. */
  readonly error: Error
  /** How long the client waits before the next attempt, in ms. */
  readonly delayMs: number
}

/** Observation hooks for logging, metrics and tracing. Errors thrown by hooks are logged and ignored. */
export interface Hooks {
  /** Before each attempt is sent. */
  readonly beforeRequest?: readonly ((info: RequestInfo) => void)[]
  /** After each attempt, successful or not, with its timing. */
  readonly afterResponse?: readonly ((info: ResponseInfo) => void)[]
  /** Before waiting for a retry. */
  readonly beforeRetry?: readonly ((info: RetryInfo) => void)[]
}

/** Retry policy for idempotent requests (GET, and RPC methods declared safe). */
export interface RetryOptions {
  /** Total attempts including the first. `1` disables retries. @default 4 */
  readonly attempts?: number
  /** First back-off delay in ms (doubled each retry, ±50% jitter). @default 300 */
  readonly minDelay?: number
  /** Largest back-off delay in ms. @default 10000 */
  readonly maxDelay?: number
  /** Give up retrying after this many ms since the first attempt. @default 60000 */
  readonly maxRetryTime?: number
  /** Longest `Retry-After` honoured, in ms; a longer one fails at once with the RateLimitError. @default 60000 */
  readonly maxRetryAfter?: number
  /**
   * RPC methods (dotted paths) that are safe to retry even when sent with POST.
   * @default the read-only `frappe.client` methods (get_list, get_count, get, get_value, has_permission)
   */
  readonly safeMethods?: readonly string[]
}

/** How responses are checked against the doctype schemas. */
export type ValidationMode = 'strict' | 'lenient' | 'off'

/** Zod schemas of one doctype. */
export interface DocTypeSchemas {
  /** Schema of a document as read. */
  readonly read?: ZodType
  /** Schema of a document to create (unknown and server-set fields refused). */
  readonly create?: ZodType
  /** Schema of a partial update. */
  readonly update?: ZodType
}

/**
 * A source of schemas by doctype and flavour: the registry of `@edusync/doctype-schemas`
 * (`createDocTypeRegistry()`), or anything with the same two methods.
 */
export interface SchemaRegistryLike {
  /** Whether the registry has schemas for `doctype`. */
  has(doctype: string): boolean
  /** The schema of `doctype` in one flavour. */
  schemaFor(doctype: string, flavour: 'read' | 'create' | 'update'): ZodType
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Site URL, e.g. `https://erp.school.edu` (a path prefix is kept, a trailing slash ignored). */
  readonly url: string
  /** How to authenticate. @default { type: 'none' } (Guest) */
  readonly auth?: AuthOptions
  /** Injected fetch (for tests, proxies, edge runtimes). @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Injected clock. @default Date */
  readonly clock?: Clock
  /** Injected random source in [0, 1), used for retry jitter and request ids. @default Math.random */
  readonly random?: () => number
  /** Injected sleep used for back-off and `Retry-After` waits. @default setTimeout-based, abortable */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Where log lines go. @default no logging */
  readonly logger?: Logger
  /** Observation hooks. @default none */
  readonly hooks?: Hooks
  /** Retry policy; `false` disables retries. @default see {@link RetryOptions} */
  readonly retry?: RetryOptions | false
  /**
   * Limits, or a limiter shared with other clients ({@link createRateLimiter}); `false` disables.
   * @default { maxConcurrent: 8 }
   */
  readonly rateLimit?: RateLimiterOptions | RateLimiter | false
  /**
   * Response validation against the doctype schemas: `strict` throws ResponseValidationError, `lenient`
   * logs a warning and returns the document, `off` trusts the server. @default 'off'
   */
  readonly validate?: ValidationMode
  /**
   * Check outgoing documents before sending: unknown fields (ERPNext silently drops them), and the
   * create/update schemas. @default true
   */
  readonly validateOutgoing?: boolean
  /** Per-attempt timeout in ms; `false` disables. @default 30000 */
  readonly timeout?: number | false
  /**
   * DocType metadata for unknown-doctype/field checks, `getMany` child tables and drift; `false` turns
   * these checks off. @default `doctypeMeta` of `@edusync/doctype-schemas` (Education + AI doctypes)
   */
  readonly meta?: Readonly<Record<string, DocTypeMeta>> | false
  /**
   * Zod schemas for validation: per doctype, or a registry; `false` turns schema checks off.
   * @default the built-in registry of `@edusync/doctype-schemas`
   */
  readonly schemas?: Readonly<Record<string, DocTypeSchemas>> | SchemaRegistryLike | false
  /**
   * Copy the server's message text (decoded `_server_messages`) into `error.message`. Off by default
   * because Frappe messages can quote personal data (an e-mail address in a uniqueness error) and error
   * messages end up in logs; the messages are always on `error.serverMessages` / `error.serverMessage`.
   * @default false
   */
  readonly exposeServerMessages?: boolean
  /** Extra headers sent with every request (not for credentials; use `auth`). @default {} */
  readonly headers?: Readonly<Record<string, string>>
}

/** @internal Options after validation, frozen. */
export interface ResolvedOptions {
  readonly url: string
  readonly auth: AuthOptions | undefined
  readonly fetch: typeof fetch
  readonly clock: Clock
  readonly random: () => number
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly logger: Logger
  readonly hooks: Required<{ [K in keyof Hooks]: NonNullable<Hooks[K]> }>
  readonly retry: Required<RetryOptions>
  readonly rateLimit: RateLimiter | undefined
  readonly validate: ValidationMode
  readonly validateOutgoing: boolean
  readonly exposeServerMessages: boolean
  readonly timeout: number | false
  readonly meta: Readonly<Record<string, DocTypeMeta>> | undefined
  readonly schemas: (doctype: string, flavour: 'read' | 'create' | 'update') => ZodType | undefined
  readonly headers: Readonly<Record<string, string>>
  /** The original options, for `extend()`. */
  readonly source: ClientOptions
}

/** Read-only `frappe.client` methods: retried like GET. */
export const DEFAULT_SAFE_METHODS: readonly string[] = Object.freeze([
  'frappe.client.get_list',
  'frappe.client.get_count',
  'frappe.client.get',
  'frappe.client.get_value',
  'frappe.client.has_permission',
  'frappe.desk.form.load.getdoctype',
  'frappe.auth.get_logged_user',
  'frappe.ping',
])

/** Largest `timeout` a timer can hold (2³¹ − 1 ms). */
const MAX_TIMEOUT = 2_147_483_647

/** Default sleep: a timer that rejects with the signal's reason when aborted. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

function fail(option: string, expected: string, Kind: typeof TypeError = TypeError): never {
  throw new Kind(`${MESSAGE_PREFIX} Option \`${option}\` must be ${expected}.`)
}

function nonNegative(value: unknown, option: string, integer = false, min = 0): number {
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    value < min ||
    (integer && !Number.isInteger(value)) ||
    (!Number.isFinite(value) && integer)
  ) {
    fail(option, `a${integer ? 'n integer' : ' number'} ≥ ${min}`, RangeError)
  }
  return value
}

function isRateLimiter(value: unknown): value is RateLimiter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RateLimiter).schedule === 'function' &&
    typeof (value as RateLimiter).pause === 'function'
  )
}

/** @internal Validate and normalize options once; the result is frozen. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${MESSAGE_PREFIX} createClient(options): expected an options object with a \`url\`.`)
  }
  if (typeof options.url !== 'string' || options.url.length === 0) fail('url', 'a non-empty string')
  let parsed: URL
  try {
    parsed = new URL(options.url)
  } catch {
    fail('url', 'an absolute http(s) URL such as https://erp.example.com')
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') fail('url', 'an http: or https: URL')
  if (parsed.username || parsed.password) fail('url', 'free of credentials (use `auth`)')
  const url = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`

  if (options.fetch !== undefined && typeof options.fetch !== 'function') fail('fetch', 'a function')
  if (options.clock !== undefined && typeof options.clock?.now !== 'function')
    fail('clock', 'an object with now()')
  if (options.random !== undefined && typeof options.random !== 'function') fail('random', 'a function')
  if (options.sleep !== undefined && typeof options.sleep !== 'function') fail('sleep', 'a function')
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    fail('logger', 'an object with debug/info/warn/error methods')
  }
  if (options.hooks !== undefined && (typeof options.hooks !== 'object' || options.hooks === null)) {
    fail('hooks', 'an object of hook arrays')
  }
  const hookLists: Record<string, readonly unknown[]> = {}
  for (const name of ['beforeRequest', 'afterResponse', 'beforeRetry'] as const) {
    const list = options.hooks?.[name] ?? []
    if (!Array.isArray(list) || list.some((h) => typeof h !== 'function')) {
      fail(`hooks.${name}`, 'an array of functions')
    }
    // Copied and frozen: later changes to the caller's arrays do not reach the client.
    hookLists[name] = Object.freeze([...list])
  }
  const hooks = hookLists as unknown as ResolvedOptions['hooks']

  let retry: Required<RetryOptions>
  const r = options.retry === false ? { attempts: 1 } : (options.retry ?? {})
  if (typeof r !== 'object' || r === null) fail('retry', 'an object or false')
  retry = {
    attempts: r.attempts === undefined ? 4 : nonNegative(r.attempts, 'retry.attempts', true, 1),
    minDelay: r.minDelay === undefined ? 300 : nonNegative(r.minDelay, 'retry.minDelay'),
    maxDelay: r.maxDelay === undefined ? 10_000 : nonNegative(r.maxDelay, 'retry.maxDelay'),
    maxRetryTime: r.maxRetryTime === undefined ? 60_000 : nonNegative(r.maxRetryTime, 'retry.maxRetryTime'),
    maxRetryAfter:
      r.maxRetryAfter === undefined ? 60_000 : nonNegative(r.maxRetryAfter, 'retry.maxRetryAfter'),
    safeMethods: r.safeMethods === undefined ? DEFAULT_SAFE_METHODS : Object.freeze([...r.safeMethods]),
  }
  if (retry.maxDelay < retry.minDelay) fail('retry.maxDelay', 'at least `retry.minDelay`', RangeError)
  retry = Object.freeze(retry)

  let rateLimit: RateLimiter | undefined
  if (options.rateLimit === false) rateLimit = undefined
  else if (isRateLimiter(options.rateLimit)) rateLimit = options.rateLimit
  else if (options.rateLimit === undefined || typeof options.rateLimit === 'object') {
    const clock = options.clock
    const sleep = options.sleep
    rateLimit = createRateLimiter({
      maxConcurrent: 8,
      ...(clock ? { now: () => clock.now() } : {}),
      ...(sleep ? { sleep: (ms: number) => sleep(ms) } : {}),
      ...(options.rateLimit ?? {}),
    })
  } else fail('rateLimit', 'an options object, a RateLimiter or false')

  const validate = options.validate ?? 'off'
  if (validate !== 'strict' && validate !== 'lenient' && validate !== 'off') {
    fail('validate', "'strict', 'lenient' or 'off'")
  }
  const validateOutgoing = options.validateOutgoing ?? true
  if (typeof validateOutgoing !== 'boolean') fail('validateOutgoing', 'a boolean')
  const exposeServerMessages = options.exposeServerMessages ?? false
  if (typeof exposeServerMessages !== 'boolean') fail('exposeServerMessages', 'a boolean')
  const timeout = options.timeout === undefined ? 30_000 : options.timeout
  if (timeout !== false) {
    nonNegative(timeout, 'timeout', false, 1)
    // Timers hold a signed 32-bit delay; a longer one would fire at once.
    if (timeout > MAX_TIMEOUT)
      fail('timeout', `a number of ms ≤ ${MAX_TIMEOUT} (about 24.8 days), or false`, RangeError)
  }
  if (
    options.meta !== undefined &&
    options.meta !== false &&
    (typeof options.meta !== 'object' || options.meta === null)
  ) {
    fail('meta', 'a record of DocTypeMeta by doctype name, or false')
  }
  const meta =
    options.meta === false
      ? undefined
      : ((options.meta ?? doctypeMeta) as Readonly<Record<string, DocTypeMeta>>)
  let schemas: ResolvedOptions['schemas']
  const s = options.schemas
  if (s === false) schemas = () => undefined
  else if (s === undefined) schemas = registrySchemas(defaultRegistry)
  else if (typeof s === 'object' && s !== null && typeof (s as SchemaRegistryLike).schemaFor === 'function') {
    schemas = registrySchemas(s as SchemaRegistryLike)
  } else if (typeof s === 'object' && s !== null) {
    const record = s as Readonly<Record<string, DocTypeSchemas>>
    schemas = (doctype, flavour) => record[doctype]?.[flavour]
  } else fail('schemas', 'a record of { read?, create?, update? } zod schemas, a schema registry, or false')
  const headers = { ...(options.headers ?? {}) }
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') fail(`headers.${name}`, 'a string')
    if (/^(authorization|cookie)$/i.test(name)) fail(`headers.${name}`, 'set through `auth`, not `headers`')
  }

  const clock = options.clock ?? { now: () => Date.now() }
  const userFetch = options.fetch
  return Object.freeze({
    url,
    auth: options.auth,
    // Late-bound so a test that swaps globalThis.fetch (or msw) still intercepts.
    fetch: userFetch ?? ((input: RequestInfoLike, init?: RequestInit) => globalThis.fetch(input, init)),
    clock,
    random: options.random ?? Math.random,
    sleep: options.sleep ?? defaultSleep,
    logger: options.logger ?? {},
    hooks: Object.freeze(hooks),
    retry,
    rateLimit,
    validate,
    validateOutgoing,
    exposeServerMessages,
    timeout,
    meta,
    schemas,
    headers: Object.freeze(headers),
    source: options,
  }) as ResolvedOptions
}

type RequestInfoLike = Parameters<typeof fetch>[0]

const defaultRegistry: SchemaRegistryLike = {
  has: (doctype) => isKnownDocType(doctype),
  schemaFor: (doctype, flavour) => (schemaFor as (d: string, f: string) => ZodType)(doctype, flavour),
}

function registrySchemas(registry: SchemaRegistryLike): ResolvedOptions['schemas'] {
  return (doctype, flavour) => (registry.has(doctype) ? registry.schemaFor(doctype, flavour) : undefined)
}
