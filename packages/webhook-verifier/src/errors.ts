import { P } from './core.js'

const BRAND = Symbol.for('@edusync/webhook-verifier.error')

/** Every stable failure code a {@link WebhookVerificationError} can carry. */
export type WebhookVerificationErrorCode =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'body_not_raw'
  | 'secret_whitespace'
  | 'replayed'
  | 'too_large'
  | 'invalid_timestamp'
  | 'invalid_payload'

/**
 * Base class of every failure to verify a webhook delivery. Switch on `code` (stable), not on the message.
 * Messages say what was wrong and what to do; they never contain the secret or the body.
 */
export abstract class WebhookVerificationError extends Error {
  override readonly name: string = 'WebhookVerificationError'
  /** Stable failure code; see the README's error table. */
  declare readonly code: WebhookVerificationErrorCode
  /** Brand used by {@link isWebhookVerificationError}; works across realms and duplicate copies. */
  readonly [BRAND] = true
  constructor(message: string, options?: { cause?: unknown }) {
    super(P + message, options)
  }
}

/** The signature header is absent. */
export class MissingSignatureError extends WebhookVerificationError {
  override readonly name = 'MissingSignatureError'
  override readonly code = 'missing_signature' as const
}

/** The signature header is present but not in the expected encoding (or appears more than once). */
export class MalformedSignatureError extends WebhookVerificationError {
  override readonly name = 'MalformedSignatureError'
  override readonly code = 'malformed_signature' as const
}

/** The signature is well formed but no configured secret produces it over this body. */
export class SignatureMismatchError extends WebhookVerificationError {
  override readonly name = 'SignatureMismatchError'
  override readonly code = 'signature_mismatch' as const
}

/** The body handed over was not the raw request body (an object, nothing, or a re-serialised copy). */
export class BodyNotRawError extends WebhookVerificationError {
  override readonly name = 'BodyNotRawError'
  override readonly code = 'body_not_raw' as const
}

/** A configured secret has leading or trailing whitespace and the signature did not match it. */
export class SecretWhitespaceError extends WebhookVerificationError {
  override readonly name = 'SecretWhitespaceError'
  override readonly code = 'secret_whitespace' as const
}

/** Why a delivery counts as replayed. */
export type ReplayReason = 'duplicate' | 'stale' | 'future'

/** The delivery was seen before (`reason: 'duplicate'`) or its timestamp is outside the tolerance window. */
export class ReplayedError extends WebhookVerificationError {
  override readonly name = 'ReplayedError'
  override readonly code = 'replayed' as const
  readonly reason: ReplayReason
  /** The event id that was checked (not secret: it is derived from public fields or a body hash). */
  readonly eventId: string | undefined
  constructor(reason: ReplayReason, message: string, eventId?: string) {
    super(message)
    this.reason = reason
    this.eventId = eventId
  }
}

/** The body is larger than `maxBodyBytes`; it was not hashed or parsed. */
export class TooLargeError extends WebhookVerificationError {
  override readonly name = 'TooLargeError'
  override readonly code = 'too_large' as const
  readonly limit: number
  constructor(limit: number) {
    super(`body exceeds maxBodyBytes (${limit}): raise the limit if such bodies are expected.`)
    this.limit = limit
  }
}

/** A timestamp (`sent_at` in the payload, or `webhook-timestamp`) is present but unreadable. */
export class InvalidTimestampError extends WebhookVerificationError {
  override readonly name = 'InvalidTimestampError'
  override readonly code = 'invalid_timestamp' as const
}

/** The signature is valid but the body is not JSON, or the `parse` option rejected it. */
export class InvalidPayloadError extends WebhookVerificationError {
  override readonly name = 'InvalidPayloadError'
  override readonly code = 'invalid_payload' as const
  constructor(message: string, cause?: unknown) {
    super(message, { cause })
  }
}

/** Maps each code to its error class, for narrowing in {@link isWebhookVerificationError}. */
export interface WebhookVerificationErrorByCode {
  missing_signature: MissingSignatureError
  malformed_signature: MalformedSignatureError
  signature_mismatch: SignatureMismatchError
  body_not_raw: BodyNotRawError
  secret_whitespace: SecretWhitespaceError
  replayed: ReplayedError
  too_large: TooLargeError
  invalid_timestamp: InvalidTimestampError
  invalid_payload: InvalidPayloadError
}

/**
 * Realm-safe guard: true for any {@link WebhookVerificationError} (from any copy of this package, any realm),
 * optionally of one `code`.
 * @example
 * if (isWebhookVerificationError(err, 'replayed') && err.reason === 'duplicate') return ok()
 */
export function isWebhookVerificationError<
  C extends WebhookVerificationErrorCode = WebhookVerificationErrorCode,
>(value: unknown, code?: C): value is WebhookVerificationErrorByCode[C] {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (value as { code?: unknown }).code === code)
  )
}
