import ky, { type KyInstance } from 'ky'
import pRetry from 'p-retry'
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

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (error === signal.reason || (error as Error)?.name === 'AbortError')
}

/** @internal Sends requests: auth, limits, retries, error mapping, hooks. */
export class Transport {
  readonly options: ResolvedOptions
  readonly auth: AuthProvider
  private readonly ky: KyInstance
  private counter = 0

  constructor(options: ResolvedOptions) {
    this.options = options
    this.ky = ky.create({
      fetch: options.fetch,
      retry: 0,
      timeout: options.timeout,
      throwHttpErrors: false,
    })
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

  /** Send one logical request and return its parsed JSON body and headers. */
  async request(spec: RequestSpec): Promise<RawResult> {
    const { options } = this
    const requestId = `${options.clock.now().toString(36)}-${(++this.counter).toString(36)}-${Math.floor(options.random() * 1e9).toString(36)}`
    const safe = this.isSafe(spec)
    const start = options.clock.now()
    const { retry } = options
    let retriesConsumed = 0
    let lastAttempt = 0
    const run = async (attempt: number): Promise<RawResult> => {
      lastAttempt = attempt
      const once = () => this.attempt(spec, requestId, attempt)
      return options.rateLimit ? options.rateLimit.schedule(once) : once()
    }
    try {
      return await pRetry(run, {
        // Writes are retried only after a 429, which Frappe sends before running the request.
        retries: retry.attempts - 1,
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        ...(spec.signal ? { signal: spec.signal } : {}),
        shouldRetry: async ({ error }) => {
          if (!isERPNextError(error)) return false
          const e = error as ERPNextError & { retryAfter?: number }
          const rateLimited = e.code === 'RATE_LIMIT'
          const transient =
            e.code === 'NETWORK' ||
            e.code === 'TIMEOUT' ||
            (e.code === 'SERVER' && RETRY_STATUSES.has(e.status ?? 0))
          if (!rateLimited && !(safe && transient)) return false
          let wait = this.delay(retriesConsumed)
          if (rateLimited && e.retryAfter !== undefined) {
            if (e.retryAfter > retry.maxRetryAfter) return false
            wait = Math.max(wait, e.retryAfter)
          }
          if (options.clock.now() + wait - start > retry.maxRetryTime) return false
          retriesConsumed++
          this.emit(options.hooks.beforeRetry, {
            requestId,
            method: spec.method,
            url: redactUrl(this.url(spec)),
            attempt: lastAttempt,
            doctype: spec.doctype,
            error: e,
            delayMs: wait,
          })
          this.log('warn', `retrying ${spec.method} ${decodeLabel(spec.path)}`, {
            requestId,
            attempt: lastAttempt,
            code: e.code,
            status: e.status,
            delayMs: wait,
          })
          if (wait > 0) await options.sleep(wait, spec.signal)
          return true
        },
      })
    } catch (error) {
      if (spec.signal?.aborted) throw spec.signal.reason
      throw error
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
      let response: Response
      try {
        response = await this.ky(url, {
          method: spec.method,
          headers,
          body,
          signal: spec.signal,
          // Browsers keep the session cookie themselves.
          credentials: this.auth.type === 'session' ? 'include' : 'same-origin',
          // Never follow: Frappe's API does not redirect, a followed 301/302 turns a write into a GET,
          // and a redirect to /login must surface as LoginRedirectError.
          redirect: 'manual',
        })
      } catch (cause) {
        if (isAbort(cause, spec.signal)) throw spec.signal?.reason
        const error =
          (cause as Error)?.name === 'TimeoutError'
            ? new TimeoutError(
                `${spec.method} ${label} timed out after ${options.timeout} ms: the server is slow or unreachable; raise \`timeout\` or retry later.`,
                { ...base, cause },
              )
            : new NetworkError(
                `${spec.method} ${label} could not reach the server (${networkReason(cause)}): check \`url\`, DNS and the network.`,
                { ...base, cause },
              )
        finish(0, error)
        throw error
      }
      const status = response.status
      let text: string
      try {
        text = await response.text()
      } catch (cause) {
        if (isAbort(cause, spec.signal)) throw spec.signal?.reason
        const error = new TruncatedResponseError(
          `${spec.method} ${label}: the connection closed while the body was being read (HTTP ${status}); retry the request.`,
          { ...base, status, cause },
        )
        finish(status, error)
        throw error
      }
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
