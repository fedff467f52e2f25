/**
 * Errors raised by the client. Every failure the server or the network can produce is an
 * {@link ERPNextError} subclass with a literal `name`, a stable `code`, the HTTP `status` when there was
 * one, Frappe's `exc_type`, the decoded `_server_messages`, the doctype/docname when known, the request
 * with its credentials redacted, and the original error in `cause`.
 *
 * Misuse of the API (invalid options, wrong argument types) throws `TypeError`/`RangeError` instead.
 */

const PREFIX = '[@edusync/erpnext-client]'
const BRAND = Symbol.for('@edusync/erpnext-client/error')

/** One message from Frappe's `_server_messages` (already decoded from its double JSON encoding). */
export interface ServerMessage {
  /** The message text; may contain HTML such as `<strong>`. */
  readonly message: string
  /** Dialog title, Frappe's default is `"Message"`. */
  readonly title?: string
  /** Colour hint such as `red`. */
  readonly indicator?: string
  /** `1` when this message was the one raised as the exception. */
  readonly raise_exception?: number
  /** Any other keys Frappe adds (`__frappe_exc_id`, `alert`, ...). */
  readonly [key: string]: unknown
}

/** The request an error belongs to, with credentials and query values redacted. Safe to log. */
export interface RedactedRequest {
  /** HTTP method. */
  readonly method: string
  /** URL with every query value replaced by `[REDACTED]`. */
  readonly url: string
  /** Request headers with `Authorization`, `Cookie` and CSRF headers replaced by `[REDACTED]`. */
  readonly headers: Readonly<Record<string, string>>
}

/** Fields shared by every {@link ERPNextError}. */
export interface ERPNextErrorDetails {
  /** HTTP status, when the server answered. */
  readonly status?: number | undefined
  /** Frappe exception class name (`exc_type`), e.g. `MandatoryError`. */
  readonly excType?: string | undefined
  /** Decoded `_server_messages`. */
  readonly serverMessages?: readonly ServerMessage[] | undefined
  /** Frappe's `_error_message`, used by permission failures. */
  readonly errorMessage?: string | undefined
  /** The doctype the request addressed, when known. */
  readonly doctype?: string | undefined
  /** The document name the request addressed, when known. */
  readonly docname?: string | undefined
  /** The request, redacted. */
  readonly request?: RedactedRequest | undefined
  /** The underlying error. */
  readonly cause?: unknown
}

/** Stable machine-readable codes, one per error class. */
export type ERPNextErrorCode =
  | 'ERPNEXT_ERROR'
  | 'AUTHENTICATION'
  | 'PERMISSION'
  | 'NOT_FOUND'
  | 'DUPLICATE_ENTRY'
  | 'VALIDATION'
  | 'MANDATORY'
  | 'LINK_VALIDATION'
  | 'TIMESTAMP_MISMATCH'
  | 'UNIQUE_VALIDATION'
  | 'UPDATE_AFTER_SUBMIT'
  | 'LINK_EXISTS'
  | 'RATE_LIMIT'
  | 'SERVER'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'BAD_REQUEST'
  | 'HTTP_STATUS'
  | 'INVALID_RESPONSE'
  | 'TRUNCATED_RESPONSE'
  | 'LOGIN_REDIRECT'
  | 'RESPONSE_VALIDATION'
  | 'DOCUMENT_VALIDATION'
  | 'UNKNOWN_DOCTYPE'
  | 'UNKNOWN_FIELD'
  | 'OAUTH'
  | 'RATE_LIMITER_DISCONNECTED'

/** Strip HTML tags Frappe puts into messages, so a message reads as plain text. */
function plain(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

/**
 * The base class of every error the client raises for a failed request.
 *
 * @example
 * ```ts
 * try {
 *   await client.doc('Student').update(name, patch, { ifModified })
 * } catch (error) {
 *   if (isTimestampMismatchError(error)) { // re-fetch and resolve
 *   } else throw error
 * }
 * ```
 */
export class ERPNextError extends Error {
  /** Literal class name; subclasses override it. */
  override name: string = 'ERPNextError'
  /** Stable machine-readable code. */
  readonly code: ERPNextErrorCode = 'ERPNEXT_ERROR'
  /** HTTP status, when the server answered. */
  readonly status: number | undefined
  /** Frappe exception class name (`exc_type`). */
  readonly excType: string | undefined
  /** Decoded `_server_messages` (empty when the server sent none). */
  readonly serverMessages: readonly ServerMessage[]
  /** Frappe's `_error_message`, when present. */
  readonly errorMessage: string | undefined
  /** The doctype the request addressed, when known. */
  readonly doctype: string | undefined
  /** The document name the request addressed, when known. */
  readonly docname: string | undefined
  /** The request, with credentials redacted. */
  readonly request: RedactedRequest | undefined

  /**
   * @param message - What went wrong and what to do; the package prefix is added here.
   * @param details - Structured details.
   */
  constructor(message: string, details: ERPNextErrorDetails = {}) {
    super(`${PREFIX} ${message}`, details.cause === undefined ? undefined : { cause: details.cause })
    this.status = details.status
    this.excType = details.excType
    this.serverMessages = Object.freeze([...(details.serverMessages ?? [])])
    this.errorMessage = details.errorMessage
    this.doctype = details.doctype
    this.docname = details.docname
    this.request = details.request
    Object.defineProperty(this, BRAND, { value: true })
  }

  /** The server's own explanation: the raised message, else all messages, else `_error_message`. */
  get serverMessage(): string | undefined {
    const raised = this.serverMessages.find((m) => m.raise_exception)
    const text = raised
      ? raised.message
      : this.serverMessages.length > 0
        ? this.serverMessages.map((m) => m.message).join(' ')
        : this.errorMessage
    return text === undefined ? undefined : plain(String(text))
  }
}

/** 401: the credentials were rejected (unknown API key, wrong secret, bad login). */
export class AuthenticationError extends ERPNextError {
  override name = 'AuthenticationError' as const
  override readonly code = 'AUTHENTICATION' as const
}

/** Why a 403 probably happened. */
export type PermissionCause = 'permissions' | 'credentials'

/**
 * 403: the user lacks the permission — or, as Frappe answers 403 to Guest, the request carried no valid
 * credential (missing, or an expired token/session). {@link PermissionError.probableCause} says which.
 */
export class PermissionError extends ERPNextError {
  override name = 'PermissionError' as const
  override readonly code = 'PERMISSION' as const
  /** `credentials` when the 403 most likely means a missing or expired credential. */
  readonly probableCause: PermissionCause

  /** @param message - see {@link ERPNextError}; @param details - plus the probable cause. */
  constructor(message: string, details: ERPNextErrorDetails & { probableCause?: PermissionCause } = {}) {
    super(message, details)
    this.probableCause = details.probableCause ?? 'permissions'
  }
}

/** 404: the doctype, document or method does not exist. */
export class NotFoundError extends ERPNextError {
  override name = 'NotFoundError' as const
  override readonly code = 'NOT_FOUND' as const
}

/** 409: a document with that name already exists. */
export class DuplicateEntryError extends ERPNextError {
  override name = 'DuplicateEntryError' as const
  override readonly code = 'DUPLICATE_ENTRY' as const
}

/** 417: the server refused the document or query (`ValidationError` and subclasses without their own class). */
export class ValidationError extends ERPNextError {
  override name: string = 'ValidationError'
  override readonly code: ERPNextErrorCode = 'VALIDATION'
}

/** 417 `MandatoryError`: a required field is missing. */
export class MandatoryError extends ValidationError {
  override name = 'MandatoryError' as const
  override readonly code = 'MANDATORY' as const
}

/** 417 `LinkValidationError`: a Link field points at a document that does not exist. */
export class LinkValidationError extends ValidationError {
  override name = 'LinkValidationError' as const
  override readonly code = 'LINK_VALIDATION' as const
}

/** 417 `TimestampMismatchError`: the document changed since it was read; re-fetch and resolve. */
export class TimestampMismatchError extends ValidationError {
  override name = 'TimestampMismatchError' as const
  override readonly code = 'TIMESTAMP_MISMATCH' as const
}

/** 417 `UniqueValidationError`: a unique field's value is already used. */
export class UniqueValidationError extends ValidationError {
  override name = 'UniqueValidationError' as const
  override readonly code = 'UNIQUE_VALIDATION' as const
}

/** 417 `UpdateAfterSubmitError`: a field without `allow_on_submit` was changed on a submitted document. */
export class UpdateAfterSubmitError extends ValidationError {
  override name = 'UpdateAfterSubmitError' as const
  override readonly code = 'UPDATE_AFTER_SUBMIT' as const
}

/** 417 `LinkExistsError`: the document cannot be deleted or cancelled because others link to it. */
export class LinkExistsError extends ValidationError {
  override name = 'LinkExistsError' as const
  override readonly code = 'LINK_EXISTS' as const
}

/** 429: the site's rate limit was hit. */
export class RateLimitError extends ERPNextError {
  override name = 'RateLimitError' as const
  override readonly code = 'RATE_LIMIT' as const
  /** Milliseconds the server asked to wait (`Retry-After`), when it said. */
  readonly retryAfter: number | undefined

  /** @param message - see {@link ERPNextError}; @param details - plus `retryAfter` in ms. */
  constructor(message: string, details: ERPNextErrorDetails & { retryAfter?: number | undefined } = {}) {
    super(message, details)
    this.retryAfter = details.retryAfter
  }
}

/** 5xx: the server failed. 502/503/504 are retried for idempotent requests. */
export class ServerError extends ERPNextError {
  override name = 'ServerError' as const
  override readonly code = 'SERVER' as const
}

/** 400: a malformed request, e.g. `CSRFTokenError` or an invalid Authorization header. */
export class BadRequestError extends ERPNextError {
  override name = 'BadRequestError' as const
  override readonly code = 'BAD_REQUEST' as const
}

/** Any other non-2xx status (405, 410, 415, ...). */
export class HTTPStatusError extends ERPNextError {
  override name = 'HTTPStatusError' as const
  override readonly code = 'HTTP_STATUS' as const
}

/** The server could not be reached (DNS, refused connection, reset). */
export class NetworkError extends ERPNextError {
  override name = 'NetworkError' as const
  override readonly code = 'NETWORK' as const
}

/** The request took longer than the `timeout` option. */
export class TimeoutError extends ERPNextError {
  override name = 'TimeoutError' as const
  override readonly code = 'TIMEOUT' as const
}

/** The body was not the JSON ERPNext sends (e.g. an HTML error page from a proxy). */
export class InvalidResponseError extends ERPNextError {
  override name: string = 'InvalidResponseError'
  override readonly code: ERPNextErrorCode = 'INVALID_RESPONSE'
}

/** The JSON body ended early (connection cut mid-response). */
export class TruncatedResponseError extends InvalidResponseError {
  override name = 'TruncatedResponseError' as const
  override readonly code = 'TRUNCATED_RESPONSE' as const
}

/** The request was redirected to a login page: the session is missing or expired, or the URL is not the API. */
export class LoginRedirectError extends InvalidResponseError {
  override name = 'LoginRedirectError' as const
  override readonly code = 'LOGIN_REDIRECT' as const
}

/** One problem found by schema validation. */
export interface ValidationIssue {
  /** Path inside the document, e.g. `['guardians', 0, 'guardian']`. */
  readonly path: readonly (string | number)[]
  /** What is wrong. Never contains the value itself. */
  readonly message: string
}

/** A response did not match the doctype schema (`validate: 'strict'`). */
export class ResponseValidationError extends ERPNextError {
  override name = 'ResponseValidationError' as const
  override readonly code = 'RESPONSE_VALIDATION' as const
  /** The problems, without values. */
  readonly issues: readonly ValidationIssue[]

  /** @param message - see {@link ERPNextError}; @param details - plus the issues. */
  constructor(message: string, details: ERPNextErrorDetails & { issues: readonly ValidationIssue[] }) {
    super(message, details)
    this.issues = Object.freeze([...details.issues])
  }
}

/** An outgoing document failed validation before it was sent (unknown fields, wrong types). Nothing was sent. */
export class DocumentValidationError extends ERPNextError {
  override name = 'DocumentValidationError' as const
  override readonly code = 'DOCUMENT_VALIDATION' as const
  /** The problems, without values. */
  readonly issues: readonly ValidationIssue[]

  /** @param message - see {@link ERPNextError}; @param details - plus the issues. */
  constructor(message: string, details: ERPNextErrorDetails & { issues: readonly ValidationIssue[] }) {
    super(message, details)
    this.issues = Object.freeze([...details.issues])
  }
}

/** The typed API was asked for a doctype the client's metadata does not know. Nothing was sent. */
export class UnknownDocTypeError extends ERPNextError {
  override name = 'UnknownDocTypeError' as const
  override readonly code = 'UNKNOWN_DOCTYPE' as const
}

/** A filter, `fields` entry or order referred to a field the doctype does not have. Nothing was sent. */
export class UnknownFieldError extends ERPNextError {
  override name = 'UnknownFieldError' as const
  override readonly code = 'UNKNOWN_FIELD' as const
  /** The unknown field name. */
  readonly field: string

  /** @param message - see {@link ERPNextError}; @param details - plus the field. */
  constructor(message: string, details: ERPNextErrorDetails & { field: string }) {
    super(message, details)
    this.field = details.field
  }
}

/** The OAuth provider refused a code exchange or refresh (`invalid_grant`, ...). */
export class OAuthError extends ERPNextError {
  override name = 'OAuthError' as const
  override readonly code = 'OAUTH' as const
  /** The OAuth `error` value, e.g. `invalid_grant`. */
  readonly oauthError: string | undefined

  /** @param message - see {@link ERPNextError}; @param details - plus the OAuth error code. */
  constructor(message: string, details: ERPNextErrorDetails & { oauthError?: string | undefined } = {}) {
    super(message, details)
    this.oauthError = details.oauthError
  }
}

/**
 * A request (or `limiter.schedule()` / `limiter.ready()`) used a rate limiter after its `disconnect()`.
 * Nothing was sent. Create a new limiter (and clients that use it) instead of reusing a disconnected one.
 */
export class RateLimiterDisconnectedError extends ERPNextError {
  override name = 'RateLimiterDisconnectedError' as const
  override readonly code = 'RATE_LIMITER_DISCONNECTED' as const
}

function hasCode(value: unknown, codes: readonly ERPNextErrorCode[]): boolean {
  if (typeof value !== 'object' || value === null) return false
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false
  return codes.includes((value as { code: ERPNextErrorCode }).code)
}

function guard<T extends ERPNextError>(...codes: ERPNextErrorCode[]): (value: unknown) => value is T {
  return (value: unknown): value is T => hasCode(value, codes)
}

/**
 * Realm-safe check for any error of this package (works across bundles and iframes, unlike `instanceof`).
 */
export function isERPNextError(value: unknown): value is ERPNextError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}
/** Realm-safe guard for {@link AuthenticationError}. */
export const isAuthenticationError = guard<AuthenticationError>('AUTHENTICATION')
/** Realm-safe guard for {@link PermissionError}. */
export const isPermissionError = guard<PermissionError>('PERMISSION')
/** Realm-safe guard for {@link NotFoundError}. */
export const isNotFoundError = guard<NotFoundError>('NOT_FOUND')
/** Realm-safe guard for {@link DuplicateEntryError}. */
export const isDuplicateEntryError = guard<DuplicateEntryError>('DUPLICATE_ENTRY')
/** Realm-safe guard for {@link ValidationError} and all its subclasses. */
export const isValidationError = guard<ValidationError>(
  'VALIDATION',
  'MANDATORY',
  'LINK_VALIDATION',
  'TIMESTAMP_MISMATCH',
  'UNIQUE_VALIDATION',
  'UPDATE_AFTER_SUBMIT',
  'LINK_EXISTS',
)
/** Realm-safe guard for {@link MandatoryError}. */
export const isMandatoryError = guard<MandatoryError>('MANDATORY')
/** Realm-safe guard for {@link LinkValidationError}. */
export const isLinkValidationError = guard<LinkValidationError>('LINK_VALIDATION')
/** Realm-safe guard for {@link TimestampMismatchError}. */
export const isTimestampMismatchError = guard<TimestampMismatchError>('TIMESTAMP_MISMATCH')
/** Realm-safe guard for {@link UniqueValidationError}. */
export const isUniqueValidationError = guard<UniqueValidationError>('UNIQUE_VALIDATION')
/** Realm-safe guard for {@link UpdateAfterSubmitError}. */
export const isUpdateAfterSubmitError = guard<UpdateAfterSubmitError>('UPDATE_AFTER_SUBMIT')
/** Realm-safe guard for {@link LinkExistsError}. */
export const isLinkExistsError = guard<LinkExistsError>('LINK_EXISTS')
/** Realm-safe guard for {@link RateLimitError}. */
export const isRateLimitError = guard<RateLimitError>('RATE_LIMIT')
/** Realm-safe guard for {@link ServerError}. */
export const isServerError = guard<ServerError>('SERVER')
/** Realm-safe guard for {@link BadRequestError}. */
export const isBadRequestError = guard<BadRequestError>('BAD_REQUEST')
/** Realm-safe guard for {@link HTTPStatusError}. */
export const isHTTPStatusError = guard<HTTPStatusError>('HTTP_STATUS')
/** Realm-safe guard for {@link NetworkError}. */
export const isNetworkError = guard<NetworkError>('NETWORK')
/** Realm-safe guard for {@link TimeoutError}. */
export const isTimeoutError = guard<TimeoutError>('TIMEOUT')
/** Realm-safe guard for {@link InvalidResponseError} and its subclasses. */
export const isInvalidResponseError = guard<InvalidResponseError>(
  'INVALID_RESPONSE',
  'TRUNCATED_RESPONSE',
  'LOGIN_REDIRECT',
)
/** Realm-safe guard for {@link TruncatedResponseError}. */
export const isTruncatedResponseError = guard<TruncatedResponseError>('TRUNCATED_RESPONSE')
/** Realm-safe guard for {@link LoginRedirectError}. */
export const isLoginRedirectError = guard<LoginRedirectError>('LOGIN_REDIRECT')
/** Realm-safe guard for {@link ResponseValidationError}. */
export const isResponseValidationError = guard<ResponseValidationError>('RESPONSE_VALIDATION')
/** Realm-safe guard for {@link DocumentValidationError}. */
export const isDocumentValidationError = guard<DocumentValidationError>('DOCUMENT_VALIDATION')
/** Realm-safe guard for {@link UnknownDocTypeError}. */
export const isUnknownDocTypeError = guard<UnknownDocTypeError>('UNKNOWN_DOCTYPE')
/** Realm-safe guard for {@link UnknownFieldError}. */
export const isUnknownFieldError = guard<UnknownFieldError>('UNKNOWN_FIELD')
/** Realm-safe guard for {@link OAuthError}. */
export const isOAuthError = guard<OAuthError>('OAUTH')
/** Realm-safe guard for {@link RateLimiterDisconnectedError}. */
export const isRateLimiterDisconnectedError = guard<RateLimiterDisconnectedError>('RATE_LIMITER_DISCONNECTED')

/** @internal Prefix for TypeError/RangeError messages about options and arguments. */
export const MESSAGE_PREFIX = PREFIX
