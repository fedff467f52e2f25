import {
  AuthenticationError,
  BadRequestError,
  DuplicateEntryError,
  type ERPNextError,
  type ERPNextErrorDetails,
  HTTPStatusError,
  LinkExistsError,
  LinkValidationError,
  MandatoryError,
  NotFoundError,
  type PermissionCause,
  PermissionError,
  RateLimitError,
  type RedactedRequest,
  type ServerMessage,
  ServerError,
  TimestampMismatchError,
  UniqueValidationError,
  UpdateAfterSubmitError,
  ValidationError,
} from './errors.js'

/**
 * Decode Frappe's `_server_messages`: a JSON string holding an array of JSON strings, each one message
 * object. Tolerates the already-decoded forms (an array, or an array of objects) and plain strings, and
 * never throws: what cannot be decoded becomes a message holding the raw text.
 *
 * @example
 * ```ts
 * decodeServerMessages('["{\\"message\\": \\"Student X not found\\"}"]')
 * // → [{ message: 'Student X not found' }]
 * ```
 */
export function decodeServerMessages(raw: unknown): ServerMessage[] {
  if (raw === undefined || raw === null || raw === '') return []
  let outer: unknown = raw
  if (typeof raw === 'string') {
    try {
      outer = JSON.parse(raw)
    } catch {
      return [{ message: raw }]
    }
  }
  const items = Array.isArray(outer) ? outer : [outer]
  const messages: ServerMessage[] = []
  for (const item of items) {
    let value: unknown = item
    if (typeof item === 'string') {
      try {
        value = JSON.parse(item)
      } catch {
        value = item
      }
    }
    if (typeof value === 'string') messages.push({ message: value })
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>
      messages.push({ ...record, message: String(record.message ?? '') })
    } else if (value !== undefined && value !== null) messages.push({ message: String(value) })
  }
  return messages
}

/** The parts of a Frappe v1 (or v2) error body the client uses. */
export interface ParsedErrorBody {
  excType: string | undefined
  serverMessages: ServerMessage[]
  errorMessage: string | undefined
  sessionExpired: boolean
}

/** Read `exc_type`, `_server_messages`, `_error_message` (and the v2 `errors` array) from a body. */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const result: ParsedErrorBody = {
    excType: undefined,
    serverMessages: [],
    errorMessage: undefined,
    sessionExpired: false,
  }
  if (typeof body !== 'object' || body === null) return result
  const b = body as Record<string, unknown>
  if (typeof b.exc_type === 'string') result.excType = b.exc_type
  else if (typeof b.exception === 'string') {
    // v14 sets exc_type only for throw-raised errors; the exception line names the class.
    const match = /^(?:[\w.]+\.)?(\w+)(?::|$)/.exec(b.exception)
    if (match?.[1]) result.excType = match[1]
  }
  result.serverMessages = decodeServerMessages(b._server_messages)
  if (typeof b._error_message === 'string') result.errorMessage = b._error_message
  if (b.session_expired === 1 || b.session_expired === true) result.sessionExpired = true
  if (Array.isArray(b.errors)) {
    for (const e of b.errors) {
      if (typeof e !== 'object' || e === null) continue
      const err = e as Record<string, unknown>
      if (result.excType === undefined && typeof err.type === 'string') result.excType = err.type
      if (typeof err.message === 'string') {
        result.serverMessages.push({
          message: err.message,
          ...(typeof err.title === 'string' ? { title: err.title } : {}),
          raise_exception: 1,
        })
      }
    }
  }
  return result
}

const VALIDATION_SUBCLASSES: Record<
  string,
  new (
    message: string,
    details: ERPNextErrorDetails,
  ) => ValidationError
> = {
  MandatoryError,
  LinkValidationError,
  TimestampMismatchError,
  UniqueValidationError,
  UpdateAfterSubmitError,
  LinkExistsError,
}

/** What the failed request addressed and how it was made; input to {@link errorForStatus}. */
export interface ErrorContext {
  status: number
  body: unknown
  request: RedactedRequest
  /** Path shown in messages (no query string). */
  label: string
  doctype?: string | undefined
  docname?: string | undefined
  retryAfter?: number | undefined
  /** Whether the request carried a credential. */
  authenticated: boolean
  /** Whether the credential is a token that can expire (bearer, OAuth, session). */
  expiringCredential: boolean
  /** Put the server's message text into `error.message` (it may hold personal data). */
  exposeServerMessages?: boolean | undefined
}

/** Map an HTTP error status and Frappe error body to the matching typed error. */
export function errorForStatus(ctx: ErrorContext): ERPNextError {
  const parsed = parseErrorBody(ctx.body)
  const details: ERPNextErrorDetails = {
    status: ctx.status,
    excType: parsed.excType,
    serverMessages: parsed.serverMessages,
    errorMessage: parsed.errorMessage,
    doctype: ctx.doctype,
    docname: ctx.docname,
    request: ctx.request,
  }
  const raised = parsed.serverMessages.find((m) => m.raise_exception) ?? parsed.serverMessages[0]
  const said = raised?.message ?? parsed.errorMessage
  // Server text can quote field values (an e-mail in a UniqueValidationError): it stays on
  // `serverMessages` and enters `message` only when the client opts in.
  const server = !said
    ? ''
    : ctx.exposeServerMessages
      ? `: ${String(said).replace(/<[^>]*>/g, '')}`
      : ' (server message in error.serverMessage)'
  const what = `${ctx.request.method} ${ctx.label} failed with ${ctx.status}${parsed.excType ? ` ${parsed.excType}` : ''}${server}`
  const { status } = ctx
  if (status === 401) {
    return new AuthenticationError(
      `${what}. The credentials were rejected: check the API key/secret, token or password.`,
      details,
    )
  }
  if (status === 403) {
    let probableCause: PermissionCause = 'permissions'
    if (!ctx.authenticated || parsed.sessionExpired) probableCause = 'credentials'
    else if (ctx.expiringCredential && !parsed.errorMessage && !said) probableCause = 'credentials'
    const hint =
      probableCause === 'credentials'
        ? ctx.authenticated
          ? ' This 403 probably means the session or token expired (Frappe answers Guest requests with 403): log in again or refresh the token.'
          : ' No credential was sent, so the request ran as Guest: configure `auth`.'
        : ' The user lacks a role permission for this doctype or document: grant it in ERPNext.'
    return new PermissionError(`${what}.${hint}`, { ...details, probableCause })
  }
  if (status === 404) {
    return new NotFoundError(`${what}. Check the doctype, document name or method path.`, details)
  }
  if (status === 409) {
    return new DuplicateEntryError(
      `${what}. A document with that name exists: fetch it instead, or create with another name.`,
      details,
    )
  }
  if (status === 417) {
    const Sub = (parsed.excType && VALIDATION_SUBCLASSES[parsed.excType]) || ValidationError
    const advice =
      Sub === TimestampMismatchError
        ? ' Re-fetch the document, resolve the change, and retry with its new `modified`.'
        : ' Fix the document or query as the server message says.'
    return new Sub(`${what}.${advice}`, details)
  }
  if (status === 429) {
    return new RateLimitError(
      `${what}. The site's rate limit was hit${ctx.retryAfter === undefined ? '' : `; retry after ${Math.ceil(ctx.retryAfter / 1000)} s`}: lower \`rateLimit\` or wait.`,
      { ...details, retryAfter: ctx.retryAfter },
    )
  }
  if (status >= 500) {
    return new ServerError(`${what}. The server failed; idempotent requests are retried.`, details)
  }
  if (status === 400) {
    const hint =
      parsed.excType === 'CSRFTokenError'
        ? ' The session requires a CSRF token: pass `csrfToken` in the session auth options, or use API keys.'
        : ' The request was malformed.'
    return new BadRequestError(`${what}.${hint}`, details)
  }
  return new HTTPStatusError(`${what}.`, details)
}

/**
 * Parse a `Retry-After` header (delta-seconds or an HTTP date) into milliseconds from `now`.
 * Returns `undefined` when absent or unparseable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
