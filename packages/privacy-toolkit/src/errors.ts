/**
 * Error classes of `@edusync/privacy-toolkit`.
 *
 * Every failure is a subclass of {@link PrivacyToolkitError} with a literal `name`, a stable `code` and
 * (where there was one) the original error in `cause`. Messages never contain key material, plaintext
 * field values or student PII: they name doctypes, fields, key ids and purposes only.
 *
 * @module
 */

const PREFIX = '[@edusync/privacy-toolkit]'
const BRAND = Symbol.for('@edusync/privacy-toolkit/error')

/** Stable machine-readable codes carried by every {@link PrivacyToolkitError}. */
export type PrivacyErrorCode =
  | 'KEY_NOT_FOUND'
  | 'INVALID_KEY'
  | 'DECRYPTION_FAILED'
  | 'POLICY_INVALID'
  | 'CONSENT_REFUSED'
  | 'SUBJECT_REQUEST_FAILED'
  | 'RECEIPT_INVALID'
  | 'SYNC_UNAVAILABLE'

/** Options accepted by every error constructor. */
export interface PrivacyErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
}

/**
 * Base class of every error thrown by this package. Catch this to handle all of them; use the
 * `isXError()` guards (realm-safe) rather than `instanceof` across bundles or realms.
 */
export class PrivacyToolkitError extends Error {
  /** The class name; subclasses narrow it to a literal. */
  override name: string = 'PrivacyToolkitError'
  /** Stable machine-readable code. */
  readonly code: PrivacyErrorCode

  constructor(code: PrivacyErrorCode, message: string, options?: PrivacyErrorOptions) {
    super(`${PREFIX} ${message}`, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/** A key id was asked for that the keyring (or data-key store) does not hold. */
export class KeyNotFoundError extends PrivacyToolkitError {
  /** Always `'KeyNotFoundError'`. */
  override name = 'KeyNotFoundError' as const
  /** The key id that was not found. Key ids are not secret. */
  readonly keyId: string
  constructor(keyId: string, where: string, options?: PrivacyErrorOptions) {
    super(
      'KEY_NOT_FOUND',
      `key "${keyId}" was not found in the ${where}; add it back to the keyring (old keys must stay available until every ciphertext and pseudonym made with them has been re-wrapped or erased).`,
      options,
    )
    this.keyId = keyId
  }
}

/** Key material is missing, too short, malformed, or the key id is not a valid id. */
export class InvalidKeyError extends PrivacyToolkitError {
  /** Always `'InvalidKeyError'`. */
  override name = 'InvalidKeyError' as const
  /** The key id concerned, when known. */
  readonly keyId: string | undefined
  constructor(message: string, keyId?: string, options?: PrivacyErrorOptions) {
    super('INVALID_KEY', message, options)
    this.keyId = keyId
  }
}

/**
 * A ciphertext could not be decrypted: it was tampered with, moved to another document or field
 * (associated data mismatch), truncated, or is not in this package's format. Never falls back to
 * returning the input.
 */
export class DecryptionError extends PrivacyToolkitError {
  /** Always `'DecryptionError'`. */
  override name = 'DecryptionError' as const
  /** Why: `format` (not a ciphertext of this package), `authentication` (tampered or moved). */
  readonly reason: 'format' | 'authentication'
  /** Where the ciphertext was found, e.g. `Student.student_email_id`. */
  readonly location: string | undefined
  constructor(
    reason: 'format' | 'authentication',
    message: string,
    location?: string,
    options?: PrivacyErrorOptions,
  ) {
    super('DECRYPTION_FAILED', message, options)
    this.reason = reason
    this.location = location
  }
}

/** A policy is malformed: unknown strategy, unknown doctype, missing options for a strategy. */
export class PolicyError extends PrivacyToolkitError {
  /** Always `'PolicyError'`. */
  override name = 'PolicyError' as const
  /** The doctype the problem concerns, if any. */
  readonly doctype: string | undefined
  /** The field the problem concerns, if any. */
  readonly field: string | undefined
  constructor(message: string, where?: { doctype?: string; field?: string }, options?: PrivacyErrorOptions) {
    super('POLICY_INVALID', message, options)
    this.doctype = where?.doctype
    this.field = where?.field
  }
}

/**
 * A student's consent flags forbid this disclosure: processing is restricted (GDPR Art. 18) or the
 * student objected to this purpose (Art. 21). The student id is not in the message.
 */
export class ConsentRefusedError extends PrivacyToolkitError {
  /** Always `'ConsentRefusedError'`. */
  override name = 'ConsentRefusedError' as const
  /** `restricted` or `objected`. */
  readonly reason: 'restricted' | 'objected'
  /** The purpose that was refused. */
  readonly purpose: string
  constructor(reason: 'restricted' | 'objected', purpose: string, options?: PrivacyErrorOptions) {
    super(
      'CONSENT_REFUSED',
      reason === 'restricted'
        ? `the student's record is restricted (GDPR Art. 18) and may not be disclosed for purpose "${purpose}"; lift the restriction in the consent store first.`
        : `the student objected to processing for purpose "${purpose}" (GDPR Art. 21); the record may not be disclosed for it.`,
      options,
    )
    this.reason = reason
    this.purpose = purpose
  }
}

/** A data-subject request could not be carried out (a data source failed, or the request is invalid). */
export class SubjectRequestError extends PrivacyToolkitError {
  /** Always `'SubjectRequestError'`. */
  override name = 'SubjectRequestError' as const
  /** The request id concerned. */
  readonly requestId: string | undefined
  constructor(message: string, requestId?: string, options?: PrivacyErrorOptions) {
    super('SUBJECT_REQUEST_FAILED', message, options)
    this.requestId = requestId
  }
}

/** An erasure receipt failed verification: altered, or signed with another key. */
export class ReceiptError extends PrivacyToolkitError {
  /** Always `'ReceiptError'`. */
  override name = 'ReceiptError' as const
  constructor(message: string, options?: PrivacyErrorOptions) {
    super('RECEIPT_INVALID', message, options)
  }
}

/**
 * A synchronous method was called where it cannot run synchronously: the runtime has no `node:crypto`
 * (edge runtimes: use the async method), or the keys were not loaded yet (await `prepare()` first).
 * The sync methods never fall back to anything slower or weaker.
 */
export class SyncUnavailableError extends PrivacyToolkitError {
  /** Always `'SyncUnavailableError'`. */
  override name = 'SyncUnavailableError' as const
  /** `runtime` (no node:crypto, or backend 'webcrypto') or `not_prepared`. */
  readonly reason: 'runtime' | 'not_prepared'
  constructor(
    reason: 'runtime' | 'not_prepared',
    method: string,
    prepare: string,
    options?: PrivacyErrorOptions,
  ) {
    super(
      'SYNC_UNAVAILABLE',
      reason === 'runtime'
        ? `${method} needs node:crypto (backend 'auto' on Node); in this runtime use the async method instead.`
        : `${method}: the keys it needs are not loaded yet; await ${prepare} once first.`,
      options,
    )
    this.reason = reason
  }
}

function branded(value: unknown): value is PrivacyToolkitError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

function guard<T extends PrivacyToolkitError>(name: string) {
  return (value: unknown): value is T => branded(value) && value.name === name
}

/** Realm-safe check for any error of this package. */
export const isPrivacyToolkitError = (value: unknown): value is PrivacyToolkitError => branded(value)
/** Realm-safe check for {@link KeyNotFoundError}. */
export const isKeyNotFoundError: (value: unknown) => value is KeyNotFoundError = guard('KeyNotFoundError')
/** Realm-safe check for {@link InvalidKeyError}. */
export const isInvalidKeyError: (value: unknown) => value is InvalidKeyError = guard('InvalidKeyError')
/** Realm-safe check for {@link DecryptionError}. */
export const isDecryptionError: (value: unknown) => value is DecryptionError = guard('DecryptionError')
/** Realm-safe check for {@link PolicyError}. */
export const isPolicyError: (value: unknown) => value is PolicyError = guard('PolicyError')
/** Realm-safe check for {@link ConsentRefusedError}. */
export const isConsentRefusedError: (value: unknown) => value is ConsentRefusedError =
  guard('ConsentRefusedError')
/** Realm-safe check for {@link SubjectRequestError}. */
export const isSubjectRequestError: (value: unknown) => value is SubjectRequestError =
  guard('SubjectRequestError')
/** Realm-safe check for {@link SyncUnavailableError}. */
export const isSyncUnavailableError: (value: unknown) => value is SyncUnavailableError =
  guard('SyncUnavailableError')
/** Realm-safe check for {@link ReceiptError}. */
export const isReceiptError: (value: unknown) => value is ReceiptError = guard('ReceiptError')
