// The public surface both entries share, re-exported whole by each: types, errors, helpers and the
// async verifier interfaces (node.ts extends these with its synchronous methods). Nothing internal: the
// functions bound to a crypto live in api.ts.
import type { ERPNextVerifierOptions, VerifiedWebhook, WebhookRequest } from './core.js'
import type { StandardWebhookVerifierOptions, VerifiedStandardWebhook } from './standard.js'

export type {
  CommonVerifierOptions,
  ERPNextSignatureOptions,
  ERPNextVerifierOptions,
  HeadersLike,
  RawBody,
  VerifiedWebhook,
  WebhookRequest,
} from './core.js'
export type { SignedERPNextWebhook } from './sign.js'
export type {
  SignedStandardWebhook,
  StandardWebhookMessage,
  StandardWebhookVerifierOptions,
  VerifiedStandardWebhook,
} from './standard.js'
export { ERPNEXT_SIGNATURE_HEADER } from './core.js'
export {
  BodyNotRawError,
  InvalidPayloadError,
  InvalidTimestampError,
  isWebhookVerificationError,
  MalformedSignatureError,
  MissingSignatureError,
  type ReplayReason,
  ReplayedError,
  SecretWhitespaceError,
  SignatureMismatchError,
  TooLargeError,
  type WebhookVerificationErrorByCode,
  type WebhookVerificationErrorCode,
  WebhookVerificationError,
} from './errors.js'
export { PythonFloat, pythonFloat, pythonJsonDumps } from './python-json.js'
export {
  MemorySeenStore,
  type MemorySeenStoreOptions,
  type SeenStore,
  type SyncSeenStore,
} from './seen-store.js'

/** A reusable ERPNext verifier; options were validated once and frozen. */
export interface ERPNextVerifier<T = unknown> {
  /** Verifies one delivery; rejects with a {@link WebhookVerificationError} on bad input. */
  verify(request: WebhookRequest): Promise<VerifiedWebhook<T>>
  /** Checks only the signature (no parsing, no replay checks); see `verifyERPNextSignature`. */
  verifySignature(request: WebhookRequest): Promise<{ readonly secretIndex: number }>
  /** The seen-store in use, if any (adapters call its `release` when a handler fails). */
  readonly seen: ERPNextVerifierOptions<T>['seen']
}

/** A reusable Standard Webhooks verifier. */
export interface StandardWebhookVerifier<T = unknown> {
  /** Verifies one delivery; rejects with a {@link WebhookVerificationError} on bad input. */
  verify(request: WebhookRequest): Promise<VerifiedStandardWebhook<T>>
  /** The seen-store in use, if any. */
  readonly seen: StandardWebhookVerifierOptions<T>['seen']
}
