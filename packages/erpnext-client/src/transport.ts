import { type AuthProvider, createAuthProvider } from './auth.js'
import {
  type ERPNextError,
  InvalidResponseError,
  isERPNextError,
  LoginRedirectError,
  NetworkError,
  type RedactedRequest,
  TimeoutError,
  TruncatedResponseError,
} from './errors.js'
import type { ScheduleOptions } from './limiter.js'
import type { ResolvedOptions } from './options.js'
import { errorForStatus, parseRetryAfter } from './response.js'

/** HTTP verbs Frappe accepts. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** @internal One logical request. */
export interface RequestSpec {
  method: HttpMethod
  /** Path below the site URL, already percent-encoded, e.g. `/api/resource/Student`. */
  path: string
  query?: Record<string, string | number | undefined> | undefined
  json?: unknown
  form?: Record<string, string> | undefined
  /** Retried on network errors, timeouts, 429 and 502/503/504. */
  idempotent: boolean
  doctype?: string | undefined
  docname?: string | undefined
  signal?: AbortSignal | undefined
  /** Skip the auth provider (login itself). */
  anonymous?: boolean
}

/** @internal The raw result of a request. */
export interface RawResult {
  body: unknown
  headers: Headers
}

const REDACTED = '[REDACTED]'
const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'x-frappe-csrf-token', 'proxy-authorization'])
const RETRY_STATUSES = new Set([502, 503, 504])

/** @internal Redact a URL: keep path and query keys, replace every query value. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?')
  if (q === -1) return url
  const params = new URLSearchParams(url.slice(q + 1))
  const keys = [...new Set(params.keys())]
  return `${url.slice(0, q)}?${keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&')}`
}

function redactHeaders(headers: Record<string, string>, extra: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    out[name] = SENSITIVE_HEADERS.has(lower) || extra.includes(lower) ? REDACTED : value
  }
  return Object.freeze(out)
}

function decodeLabel(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** A short reason for a network failure that never echoes the underlying message (it may hold secrets). */
function networkReason(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown } })?.cause?.code
  if (typeof inner === 'string' && /^[A-Z_]+$/.test(inner)) return inner
  const code = (cause as { code?: unknown })?.code
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code
  return (cause as Error)?.name ?? 'network error'
}

/**
 * Cancellation of one attempt. The per-attempt timer and the caller's signal feed one AbortController
 * whose signal goes to `fetch` (so the socket is released), and whatever the attempt is awaiting (`fetch`,
 * then the body) rejects the moment either fires, even with an injected `fetch` that ignores signals. The
 * timer covers the whole attempt, body included. Nothing is allocated when there is neither a timeout nor
 * a caller's signal, and only the caller's signal is passed on when there is no timeout.
 */
class AttemptGuard {
  /** The signal to hand to `fetch`. */
  readonly signal: AbortSignal | undefined
  /** Set when the per-attempt timer fired first. */
  timedOut = false
  private readonly controller: AbortController | undefined
  private readonly timer: ReturnType<typeof setTimeout> | undefined
  private readonly caller: AbortSignal | undefined
  private readonly onCallerAbort: (() => void) | undefined
  /** Rejects the promise the attempt is awaiting, if any. */
  private rejectPending: ((reason: unknown) => void) | undefined
  private failure: { reason: unknown } | undefined

  constructor(timeout: number | false, caller: AbortSignal | undefined) {
    this.caller = caller
    if (timeout === false) {
      // The caller's signal alone: fetch and the body read abort on it; the retry loop checks it too.
      this.signal = caller
      return
    }
    const controller = new AbortController()
    this.controller = controller
    this.signal = controller.signal
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.fail(new DOMException(`The attempt timed out after ${timeout} ms.`, 'TimeoutError'))
    }, timeout)
    if (caller?.aborted) this.fail(caller.reason)
    else if (caller) {
      const onCallerAbort = () => this.fail(caller.reason)
      this.onCallerAbort = onCallerAbort
      caller.addEventListener('abort', onCallerAbort, { once: true })
    }
  }

  private fail(reason: unknown): void {
    if (this.failure) return
    this.failure = { reason }
    this.controller?.abort(reason)
    this.rejectPending?.(reason)
  }

  /** `promise`, or a rejection as soon as the attempt is cancelled. */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.controller === undefined) return promise
    if (this.failure) {
      promise.catch(() => {})
      return Promise.reject(this.failure.reason)
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectPending = reject
      promise.then(resolve, reject)
    })
  }

  /** Stop the timer and detach from the caller's signal; call once the attempt is over. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.onCallerAbort) this.caller?.removeEventListener('abort', this.onCallerAbort)
    this.rejectPending = undefined
  }
}

/** Added to the attempt timeout for the slot it holds in a shared limiter (auth headers, body parsing). */
const SLOT_MARGIN_MS = 5_000

/** @internal Sends requests: auth, limits, retries, error mapping, hooks. */
export class Transport {
  readonly options: ResolvedOptions
  readonly auth: AuthProvider
  /**
   * How long one attempt holds a slot of a shared (Redis) limiter: the attempt's timeout plus a margin for
   * auth headers, so a process that dies mid-request frees its slots soon after its requests would have
   * timed out. Without a timeout, the limiter's own `slotTimeout` applies.
   */
  readonly slot: ScheduleOptions | undefined
  private counter = 0

  constructor(options: ResolvedOptions) {
    this.options = options
    this.slot = options.timeout === false ? undefined : { slotTimeout: options.timeout + SLOT_MARGIN_MS }
    this.auth = createAuthProvider(options.auth, {
      baseUrl: options.url,
      fetch: options.fetch,
      now: () => options.clock.now(),
      login: async (body) => {
        const result = await this.request({
          method: 'POST',
          path: '/api/method/login',
          json: body,
          idempotent: false,
          anonymous: true,
        })
        const headers = result.headers as Headers & { getSetCookie?: () => string[] }
        const setCookies =
          typeof headers.getSetCookie === 'function'
            ? headers.getSetCookie()
            : (headers.get('set-cookie') ?? '').split(/,(?=\s*[\w-]+=)/)
        return { setCookies }
      },
    })
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) {
    try {
      this.options.logger[level]?.(message, fields)
    } catch {
      // A failing logger must not fail the request.
    }
  }

  private emit<T>(list: readonly ((info: T) => void)[], info: T): void {
    for (const hook of list) {
      try {
        hook(info)
      } catch (error) {
        this.log('warn', 'hook threw; ignored', {
          hook: hook.name || 'anonymous',
          error: (error as Error)?.name,
        })
      }
    }
  }

  private isSafe(spec: RequestSpec): boolean {
    if (spec.idempotent || spec.method === 'GET') return true
    const match = /^\/api\/method\/(.+)$/.exec(spec.path)
    return match?.[1] !== undefined && this.options.retry.safeMethods.includes(decodeLabel(match[1]))
  }

  private delay(retriesConsumed: number): number {
    const { minDelay, maxDelay } = this.options.retry
    const base = Math.min(maxDelay, minDelay * 2 ** retriesConsumed)
    // Full ±50% jitter keeps many clients from retrying in lock step.
    return Math.round(Math.min(maxDelay, base * (0.5 + this.options.random())))
  }

  /**
   * How long to wait before retrying after `error`, or `undefined` when it must not be retried: only
   * ERPNext errors; a 429 always (Frappe refuses before running anything), network errors, timeouts and
   * 502/503/504 only for safe requests; never past `retry.maxRetryAfter` or `retry.maxRetryTime`.
   */
  private retryWait(
    error: unknown,
    safe: boolean,
    start: number,
    retriesConsumed: number,
  ): number | undefined {
    if (!isERPNextError(error)) return undefined
    const { retry, clock } = this.options
    const e = error as ERPNextError & { retryAfter?: number }
    const rateLimited = e.code === 'RATE_LIMIT'
    const transient =
      e.code === 'NETWORK' ||
      e.code === 'TIMEOUT' ||
      (e.code === 'SERVER' && RETRY_STATUSES.has(e.status ?? 0))
    if (!rateLimited && !(safe && transient)) return undefined
    let wait = this.delay(retriesConsumed)
    if (rateLimited && e.retryAfter !== undefined) {
      if (e.retryAfter > retry.maxRetryAfter) return undefined
      wait = Math.max(wait, e.retryAfter)
    }
    if (clock.now() + wait - start > retry.maxRetryTime) return undefined
    return wait
  }

  /** Send one logical request and return its parsed JSON body and headers. */
  async request(spec: RequestSpec): Promise<RawResult> {
    const { options } = this
    const requestId = `${options.clock.now().toString(36)}-${(++this.counter).toString(36)}-${Math.floor(options.random() * 1e9).toString(36)}`
    const safe = this.isSafe(spec)
    const start = options.clock.now()
    const { retry, rateLimit } = options
    const signal = spec.signal
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw signal.reason
      let result: RawResult
      try {
        const once = () => this.attempt(spec, requestId, attempt)
        result = await (rateLimit ? rateLimit.schedule(once, this.slot) : once())
      } catch (error) {
        // A cancelled request ends with the caller's reason, whatever the attempt failed with.
        if (signal?.aborted) throw signal.reason
        // Writes are retried only after a 429, which Frappe sends before running the request.
        const wait = attempt < retry.attempts ? this.retryWait(error, safe, start, attempt - 1) : undefined
        if (wait === undefined) throw error
        const e = error as ERPNextError
        this.emit(options.hooks.beforeRetry, {
          requestId,
          method: spec.method,
          url: redactUrl(this.url(spec)),
          attempt,
          doctype: spec.doctype,
          error: e,
          delayMs: wait,
        })
        this.log('warn', `retrying ${spec.method} ${decodeLabel(spec.path)}`, {
          requestId,
          attempt,
          code: e.code,
          status: e.status,
          delayMs: wait,
        })
        if (wait > 0) await options.sleep(wait, signal)
        continue
      }
      if (signal?.aborted) throw signal.reason
      return result
    }
  }

  /** Absolute URL with the query string. */
  url(spec: RequestSpec): string {
    let url = `${this.options.url}${spec.path}`
    if (spec.query) {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(spec.query)) if (v !== undefined) params.set(k, String(v))
      const qs = params.toString()
      if (qs) url += `?${qs}`
    }
    return url
  }

  private async attempt(spec: RequestSpec, requestId: string, attempt: number): Promise<RawResult> {
    const { options } = this
    const url = this.url(spec)
    let redactedCache: string | undefined
    const redactedUrl = () => {
      redactedCache ??= redactUrl(url)
      return redactedCache
    }
    const label = decodeLabel(spec.path)
    const info = () => ({
      requestId,
      method: spec.method,
      url: redactedUrl(),
      attempt,
      doctype: spec.doctype,
    })
    let renewed = false
    for (;;) {
      const headers: Record<string, string> = { ...options.headers, Accept: 'application/json' }
      let body: string | undefined
      if (spec.json !== undefined) {
        headers['Content-Type'] = 'application/json'
        body = JSON.stringify(spec.json)
      } else if (spec.form !== undefined) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
        body = new URLSearchParams(spec.form).toString()
      }
      if (!spec.anonymous) Object.assign(headers, await this.auth.headers({ method: spec.method, url }))
      // Built only when an error needs it: the success path stays cheap.
      let redacted: RedactedRequest | undefined
      const base = {
        get request(): RedactedRequest {
          redacted ??= Object.freeze({
            method: spec.method,
            url: redactedUrl(),
            headers: redactHeaders(headers, auth.headerNames),
          })
          return redacted
        },
        doctype: spec.doctype,
        docname: spec.docname,
      }
      const auth = this.auth
      // Cancelled while waiting for the limiter or for auth headers: send nothing.
      if (spec.signal?.aborted) throw spec.signal.reason
      if (options.hooks.beforeRequest.length > 0) this.emit(options.hooks.beforeRequest, info())
      const sent = options.clock.now()
      const finish = (status: number, error?: ERPNextError) => {
        const durationMs = options.clock.now() - sent
        if (options.hooks.afterResponse.length > 0) {
          this.emit(options.hooks.afterResponse, { ...info(), status, durationMs, error })
        }
        const level = error ? 'info' : 'debug'
        if (options.logger[level]) {
          this.log(level, `${spec.method} ${label} ${status || error?.code}`, {
            requestId,
            attempt,
            status,
            durationMs,
          })
        }
      }
      const init: RequestInit = {
        method: spec.method,
        headers,
        // Never follow: Frappe's API does not redirect, a followed 301/302 turns a write into a GET,
        // and a redirect to /login must surface as LoginRedirectError.
        redirect: 'manual',
      }
      if (body !== undefined) init.body = body
      // Browsers keep the session cookie themselves ('same-origin', fetch's default, otherwise).
      if (auth.type === 'session') init.credentials = 'include'
      const guard = new AttemptGuard(options.timeout, spec.signal)
      if (guard.signal) init.signal = guard.signal
      const timeoutError = (cause: unknown, status?: number) =>
        new TimeoutError(
          `${spec.method} ${label} timed out after ${options.timeout} ms: the server is slow or unreachable; raise \`timeout\` or retry later.`,
          status === undefined ? { ...base, cause } : { ...base, status, cause },
        )
      let response: Response
      let text: string
      try {
        try {
          response = await guard.guard(options.fetch(url, init))
        } catch (cause) {
          if (spec.signal?.aborted) throw spec.signal.reason
          const error =
            guard.timedOut || (cause as Error)?.name === 'TimeoutError'
              ? timeoutError(cause)
              : new NetworkError(
                  `${spec.method} ${label} could not reach the server (${networkReason(cause)}): check \`url\`, DNS and the network.`,
                  { ...base, cause },
                )
          finish(0, error)
          throw error
        }
        try {
          text = await guard.guard(response.text())
        } catch (cause) {
          if (spec.signal?.aborted) throw spec.signal.reason
          const error = guard.timedOut
            ? timeoutError(cause, response.status)
            : new TruncatedResponseError(
                `${spec.method} ${label}: the connection closed while the body was being read (HTTP ${response.status}); retry the request.`,
                { ...base, status: response.status, cause },
              )
          finish(response.status, error)
          throw error
        }
      } finally {
        guard.dispose()
      }
      const status = response.status
      const location = response.headers.get('location') ?? ''
      const finalUrl = response.url || url
      const redirectedToLogin =
        (status >= 300 && status < 400 && /\/login\b/.test(location)) ||
        (response.redirected && /\/login\b/.test(finalUrl))
      if (!redirectedToLogin && ((status >= 300 && status < 400) || response.type === 'opaqueredirect')) {
        let target = 'another address'
        try {
          const to = new URL(location, url)
          target = `${to.origin}${to.pathname}`
        } catch {
          // opaque (browser) or malformed Location
        }
        const error = new InvalidResponseError(
          `${spec.method} ${label} was redirected (HTTP ${status}) to ${target}; redirects are not followed (they would turn writes into GETs). Set \`url\` to the site's final address (often https://), or log in if it is the login page.`,
          { ...base, status },
        )
        finish(status, error)
        throw error
      }
      if (redirectedToLogin) {
        const error = new LoginRedirectError(
          `${spec.method} ${label} was redirected to the login page: the session is missing or expired, or \`url\` points at the website instead of the site's API; check \`url\` and \`auth\`.`,
          { ...base, status },
        )
        finish(status, error)
        throw error
      }
      let parsed: unknown
      const contentType = response.headers.get('content-type') ?? ''
      const trimmed = text.trim()
      if (trimmed === '') {
        parsed = status === 202 || status === 204 ? {} : undefined
      } else {
        try {
          parsed = JSON.parse(trimmed)
        } catch (cause) {
          const looksJson = trimmed.startsWith('{') || trimmed.startsWith('[')
          const kind = contentType.split(';')[0] || 'an unknown content type'
          // A proxy's HTML 502/503/504 or 429 page is still that status: typed (and retried) as such.
          if (!looksJson && (status >= 500 || status === 429)) {
            const retryAfter = parseRetryAfter(response.headers.get('retry-after'), options.clock.now())
            const error = errorForStatus({
              status,
              body: undefined,
              request: base.request,
              label: `${label} (a ${kind} page, not Frappe's JSON: a proxy or web server answered)`,
              doctype: spec.doctype,
              docname: spec.docname,
              retryAfter,
              authenticated: this.auth.credentialed && !spec.anonymous,
              expiringCredential: this.auth.expiring,
              exposeServerMessages: options.exposeServerMessages,
            })
            finish(status, error)
            if (status === 429 && options.rateLimit) options.rateLimit.pause(retryAfter ?? this.delay(0))
            throw error
          }
          const error = looksJson
            ? new TruncatedResponseError(
                `${spec.method} ${label}: the JSON body (HTTP ${status}) ended early or is corrupt; retry the request.`,
                { ...base, status, cause },
              )
            : new InvalidResponseError(
                `${spec.method} ${label}: expected JSON but got ${kind} (HTTP ${status}); a proxy, load balancer or web server answered instead of Frappe — check \`url\` and the proxy.`,
                { ...base, status, cause },
              )
          finish(status, error)
          throw error
        }
      }
      if (status >= 200 && status < 300) {
        if (parsed === undefined) {
          const error = new InvalidResponseError(
            `${spec.method} ${label}: the server answered HTTP ${status} with an empty body; check \`url\` and the proxy.`,
            { ...base, status },
          )
          finish(status, error)
          throw error
        }
        finish(status)
        return { body: parsed, headers: response.headers }
      }
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), options.clock.now())
      const error = errorForStatus({
        status,
        body: parsed,
        request: base.request,
        label,
        doctype: spec.doctype,
        docname: spec.docname,
        retryAfter,
        authenticated: this.auth.credentialed && !spec.anonymous,
        expiringCredential: this.auth.expiring,
        exposeServerMessages: options.exposeServerMessages,
      })
      finish(status, error)
      if (status === 429 && options.rateLimit) {
        options.rateLimit.pause(retryAfter ?? this.delay(0))
      }
      const credentialProblem =
        status === 401 ||
        (status === 403 && (error as { probableCause?: string }).probableCause === 'credentials')
      if (credentialProblem && !spec.anonymous && !renewed && this.auth.credentialed) {
        // Frappe checks credentials before running anything, so repeating once after renewal is safe.
        renewed = true
        let renewedOk = false
        try {
          renewedOk = await this.auth.renew()
        } catch (renewError) {
          if (isERPNextError(renewError)) throw renewError
          throw error
        }
        if (renewedOk) continue
      }
      throw error
    }
  }
}
