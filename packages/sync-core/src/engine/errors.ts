const PREFIX = '[@edusync/sync-core]'
const BRAND = Symbol.for('@edusync/sync-core/SyncEngineError')

/** Stable machine-readable codes carried by every {@link SyncEngineError}. */
export type SyncEngineErrorCode =
  | 'ENGINE_CIRCUIT_OPEN'
  | 'ENGINE_DOCUMENT_INVALID'
  | 'ENGINE_ENHANCER_FAILED'
  | 'ENGINE_ENHANCER_TIMEOUT'
  | 'ENGINE_WEBHOOK_REJECTED'
  | 'ENGINE_UNKNOWN_DOCTYPE'
  | 'ENGINE_REVIEW_NOT_FOUND'
  | 'ENGINE_WRITE_FAILED'
  | 'ENGINE_NOT_FOUND'
  | 'ENGINE_ERASURE_HELD'

/**
 * Base class of every error the sync engine raises for an expected failure (misuse throws
 * `TypeError`/`RangeError`). Messages carry doctypes, document names and field names, never field values,
 * so they are safe to log.
 */
export class SyncEngineError extends Error {
  override name: string = 'SyncEngineError'
  /** Stable code; switch on this rather than on the message. */
  readonly code: SyncEngineErrorCode
  constructor(code: SyncEngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${PREFIX} ${message}`, options)
    this.code = code
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/** ERPNext looks down: the circuit breaker is open and requests are paused until `retryAt`. */
export class CircuitOpenError extends SyncEngineError {
  override name = 'CircuitOpenError' as const
  declare readonly code: 'ENGINE_CIRCUIT_OPEN'
  /** When the breaker lets a probe request through (epoch ms). */
  readonly retryAt: number
  constructor(retryAt: number) {
    super(
      'ENGINE_CIRCUIT_OPEN',
      `ERPNext requests are paused after repeated failures; the engine retries on its own at ${new Date(retryAt).toISOString()}.`,
    )
    this.retryAt = retryAt
  }
}

/** A document fetched from ERPNext failed schema validation and was quarantined. */
export class DocumentInvalidError extends SyncEngineError {
  override name = 'DocumentInvalidError' as const
  declare readonly code: 'ENGINE_DOCUMENT_INVALID'
  readonly doctype: string
  readonly docname: string
  /** Validation issues (paths and messages, no values). */
  readonly issues: readonly string[]
  constructor(doctype: string, docname: string, issues: readonly string[]) {
    super(
      'ENGINE_DOCUMENT_INVALID',
      `${doctype} ${docname} failed validation and was quarantined (${issues.slice(0, 5).join('; ')}); fix it in ERPNext or update the schema, then retry its dead letter.`,
    )
    this.doctype = doctype
    this.docname = docname
    this.issues = issues
  }
}

/** An enhancer threw or returned something that is not an enhancement. */
export class EnhancerError extends SyncEngineError {
  override name = 'EnhancerError' as const
  declare readonly code: 'ENGINE_ENHANCER_FAILED'
  readonly enhancer: string
  constructor(enhancer: string, detail: string, cause?: unknown) {
    super(
      'ENGINE_ENHANCER_FAILED',
      `Enhancer "${enhancer}" failed: ${detail}. The document is synced; the enhancement is retried.`,
      { cause },
    )
    this.enhancer = enhancer
  }
}

/** An enhancer did not settle within `enhancerTimeoutMs`. */
export class EnhancerTimeoutError extends SyncEngineError {
  override name = 'EnhancerTimeoutError' as const
  declare readonly code: 'ENGINE_ENHANCER_TIMEOUT'
  readonly enhancer: string
  readonly timeoutMs: number
  constructor(enhancer: string, timeoutMs: number) {
    super(
      'ENGINE_ENHANCER_TIMEOUT',
      `Enhancer "${enhancer}" did not finish within ${timeoutMs} ms; raise enhancerTimeoutMs or make it faster. It is retried.`,
    )
    this.enhancer = enhancer
    this.timeoutMs = timeoutMs
  }
}

/** A webhook request was refused (bad signature, malformed body). */
export class WebhookRejectedError extends SyncEngineError {
  override name = 'WebhookRejectedError' as const
  declare readonly code: 'ENGINE_WEBHOOK_REJECTED'
  /** HTTP status the handler answered. */
  readonly status: number
  constructor(status: number, reason: string) {
    super('ENGINE_WEBHOOK_REJECTED', `Webhook rejected (${status}): ${reason}`)
    this.status = status
  }
}

/** A doctype the engine was not configured with. */
export class UnknownDoctypeError extends SyncEngineError {
  override name = 'UnknownDoctypeError' as const
  declare readonly code: 'ENGINE_UNKNOWN_DOCTYPE'
  readonly doctype: string
  constructor(doctype: string) {
    super(
      'ENGINE_UNKNOWN_DOCTYPE',
      `Doctype "${doctype}" is not configured; add it to the "doctypes" option.`,
    )
    this.doctype = doctype
  }
}

/** `reviews.resolve()` was given an id that does not exist or is already resolved. */
export class ReviewNotFoundError extends SyncEngineError {
  override name = 'ReviewNotFoundError' as const
  declare readonly code: 'ENGINE_REVIEW_NOT_FOUND'
  readonly reviewId: string
  constructor(reviewId: string) {
    super('ENGINE_REVIEW_NOT_FOUND', `Review item "${reviewId}" does not exist or is already resolved.`)
    this.reviewId = reviewId
  }
}

/** ERPNext refused a write-back item for a reason other than a timestamp mismatch. */
export class WriteBackError extends SyncEngineError {
  override name = 'WriteBackError' as const
  declare readonly code: 'ENGINE_WRITE_FAILED'
  readonly doctype: string
  readonly docname: string
  constructor(doctype: string, docname: string, exceptionType: string) {
    super(
      'ENGINE_WRITE_FAILED',
      `ERPNext refused the write to ${doctype} ${docname} (${exceptionType}); check the custom field exists and allows updates after submit.`,
    )
    this.doctype = doctype
    this.docname = docname
  }
}

/** `engine.get()` asked for a document that does not exist in ERPNext. */
export class DocumentNotFoundError extends SyncEngineError {
  override name = 'DocumentNotFoundError' as const
  declare readonly code: 'ENGINE_NOT_FOUND'
  readonly doctype: string
  readonly docname: string
  constructor(doctype: string, docname: string) {
    super('ENGINE_NOT_FOUND', `${doctype} ${docname} does not exist in ERPNext (or was deleted).`)
    this.doctype = doctype
    this.docname = docname
  }
}

/**
 * `privacy.erase()` refused: the student is under a legal hold (consent flags `legalHold`), so their data
 * must be kept. Nothing was erased or tombstoned; lift the hold, then erase again.
 */
export class ErasureHeldError extends SyncEngineError {
  override name = 'ErasureHeldError' as const
  declare readonly code: 'ENGINE_ERASURE_HELD'
  readonly doctype: string
  readonly docname: string
  constructor(doctype: string, docname: string) {
    super(
      'ENGINE_ERASURE_HELD',
      `${doctype} ${docname} is under a legal hold: nothing was erased. Lift the hold, then erase again.`,
    )
    this.doctype = doctype
    this.docname = docname
  }
}

/** Realm-safe check for any {@link SyncEngineError}. */
export function isSyncEngineError(value: unknown): value is SyncEngineError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

function guard<T extends SyncEngineError>(name: string) {
  return (value: unknown): value is T => isSyncEngineError(value) && value.name === name
}

/** Realm-safe check for {@link CircuitOpenError}. */
export const isCircuitOpenError: (value: unknown) => value is CircuitOpenError = guard('CircuitOpenError')
/** Realm-safe check for {@link DocumentInvalidError}. */
export const isDocumentInvalidError: (value: unknown) => value is DocumentInvalidError =
  guard('DocumentInvalidError')
/** Realm-safe check for {@link EnhancerError}. */
export const isEnhancerError: (value: unknown) => value is EnhancerError = guard('EnhancerError')
/** Realm-safe check for {@link EnhancerTimeoutError}. */
export const isEnhancerTimeoutError: (value: unknown) => value is EnhancerTimeoutError =
  guard('EnhancerTimeoutError')
/** Realm-safe check for {@link WebhookRejectedError}. */
export const isWebhookRejectedError: (value: unknown) => value is WebhookRejectedError =
  guard('WebhookRejectedError')
/** Realm-safe check for {@link UnknownDoctypeError}. */
export const isUnknownDoctypeError: (value: unknown) => value is UnknownDoctypeError =
  guard('UnknownDoctypeError')
/** Realm-safe check for {@link ReviewNotFoundError}. */
export const isReviewNotFoundError: (value: unknown) => value is ReviewNotFoundError =
  guard('ReviewNotFoundError')
/** Realm-safe check for {@link WriteBackError}. */
export const isWriteBackError: (value: unknown) => value is WriteBackError = guard('WriteBackError')
/** Realm-safe check for {@link DocumentNotFoundError}. */
export const isDocumentNotFoundError: (value: unknown) => value is DocumentNotFoundError =
  guard('DocumentNotFoundError')
/** Realm-safe check for {@link ErasureHeldError}. */
export const isErasureHeldError: (value: unknown) => value is ErasureHeldError = guard('ErasureHeldError')
