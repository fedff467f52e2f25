/**
 * Web Crypto implementation (async): Cloudflare Workers, Vercel Edge, Deno, Bun, browsers — and Node.
 * Selected by the `workerd`, `edge-light`, `worker`, `deno`, `bun`, `browser` and `default` export
 * conditions of `@edusync/webhook-verifier`, or imported explicitly as `@edusync/webhook-verifier/web`.
 * @packageDocumentation
 */
import {
  type ERPNextSignatureOptions,
  type ERPNextVerifierOptions,
  erpnextConfig,
  type VerifiedWebhook,
  verifyERPNext,
  verifySignatureOnly,
  signatureConfig,
  type WebhookRequest,
} from './core.js'
import { type SignedERPNextWebhook, signERPNext } from './sign.js'
import {
  type SignedStandardWebhook,
  type StandardWebhookMessage,
  type StandardWebhookVerifierOptions,
  signStandard,
  standardConfig,
  type VerifiedStandardWebhook,
  verifyStandard,
} from './standard.js'
import { webCrypto, webSigner } from './exec-web.js'
import { runAsync } from './run.js'

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

/** Which implementation this entry point is: `'web'` (Web Crypto) or `'node'` (node:crypto). */
export const implementation: 'web' | 'node' = 'web'

/** A reusable ERPNext verifier; options were validated once and frozen. */
export interface ERPNextVerifier<T = unknown> {
  /** Verifies one delivery; rejects with a {@link WebhookVerificationError} on bad input. */
  verify(request: WebhookRequest): Promise<VerifiedWebhook<T>>
  /** Checks only the signature (no parsing, no replay checks); see `verifyERPNextSignature`. */
  verifySignature(request: WebhookRequest): Promise<{ readonly secretIndex: number }>
  /** The seen-store in use, if any (adapters call its `release` when a handler fails). */
  readonly seen: ERPNextVerifierOptions<T>['seen']
}

/**
 * Creates a verifier for ERPNext webhooks (`X-Frappe-Webhook-Signature`, base64 HMAC-SHA256 of the raw
 * body). Validates the options once; throws `TypeError`/`RangeError` naming a bad option.
 * @example
 * const verifier = createERPNextVerifier({ secret: [env.NEW_SECRET, env.OLD_SECRET], seen: new MemorySeenStore() })
 * const { payload, secretIndex, eventId } = await verifier.verify({ body: await request.arrayBuffer(), headers: request.headers })
 */
export function createERPNextVerifier<T = unknown>(options: ERPNextVerifierOptions<T>): ERPNextVerifier<T> {
  const config = Object.freeze(erpnextConfig(options))
  return Object.freeze({
    verify: (req: WebhookRequest) => runAsync(verifyERPNext(config, req), webCrypto),
    verifySignature: (req: WebhookRequest) => runAsync(verifySignatureOnly(config, req), webCrypto),
    seen: config.seen,
  })
}

/**
 * Verifies one ERPNext delivery and returns its parsed payload (only after the signature checks out).
 * Prefer {@link createERPNextVerifier} for repeated use.
 * @throws WebhookVerificationError (rejects) for a bad delivery; TypeError/RangeError for misuse.
 * @example
 * const { payload } = await verifyERPNextWebhook({ body: rawBody, headers: request.headers, secret: env.ERPNEXT_WEBHOOK_SECRET })
 */
export async function verifyERPNextWebhook<T = unknown>(
  input: WebhookRequest & ERPNextVerifierOptions<T>,
): Promise<VerifiedWebhook<T>> {
  return runAsync(verifyERPNext(erpnextConfig(input), input), webCrypto)
}

/**
 * Checks only the signature of an ERPNext delivery (no parsing, no replay checks): the smallest entry
 * point, for bundles where every byte counts. Same diagnostics on failure as {@link verifyERPNextWebhook}.
 * @example
 * const { secretIndex } = await verifyERPNextSignature({ body: rawBody, headers, secret })
 */
export async function verifyERPNextSignature(
  input: WebhookRequest & ERPNextSignatureOptions,
): Promise<{ readonly secretIndex: number }> {
  return runAsync(verifySignatureOnly(signatureConfig(input), input), webCrypto)
}

/**
 * Signs a payload exactly as ERPNext does, for tests and emulators. An object is serialised like Python
 * `json.dumps` (mark floats with {@link pythonFloat}); a string or bytes is signed as the raw body.
 * @example
 * const { body, headers } = await signERPNextWebhook({ doctype: 'Student', name: 'EDU-STU-0001' }, 'secret')
 */
export async function signERPNextWebhook(payload: unknown, secret: string): Promise<SignedERPNextWebhook> {
  return runAsync(signERPNext(payload, secret), webSigner)
}

/** A reusable Standard Webhooks verifier. */
export interface StandardWebhookVerifier<T = unknown> {
  /** Verifies one delivery; rejects with a {@link WebhookVerificationError} on bad input. */
  verify(request: WebhookRequest): Promise<VerifiedStandardWebhook<T>>
  /** The seen-store in use, if any. */
  readonly seen: StandardWebhookVerifierOptions<T>['seen']
}

/**
 * Creates a verifier for Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
 * `whsec_` secrets, ±5 minutes tolerance). `svix-*` header names are accepted too.
 */
export function createStandardWebhookVerifier<T = unknown>(
  options: StandardWebhookVerifierOptions<T>,
): StandardWebhookVerifier<T> {
  const config = Object.freeze(standardConfig(options))
  return Object.freeze({
    verify: (req: WebhookRequest) => runAsync(verifyStandard(config, req), webCrypto),
    seen: config.seen,
  })
}

/** Verifies one Standard Webhooks delivery. */
export async function verifyStandardWebhook<T = unknown>(
  input: WebhookRequest & StandardWebhookVerifierOptions<T>,
): Promise<VerifiedStandardWebhook<T>> {
  return runAsync(verifyStandard(standardConfig(input), input), webCrypto)
}

/** Signs a Standard Webhooks message; returns the three headers to send. */
export async function signStandardWebhook(message: StandardWebhookMessage): Promise<SignedStandardWebhook> {
  return runAsync(signStandard(message), webSigner)
}
