/**
 * node:crypto implementation: everything of the Web entry, plus synchronous `*Sync` functions and
 * `verifySync`. Selected by the `node` export condition of `@edusync/webhook-verifier`, or imported
 * explicitly as `@edusync/webhook-verifier/node`.
 * @packageDocumentation
 */
import {
  erpnextMethods,
  signERPNextWebhookWith,
  signStandardWebhookWith,
  standardMethods,
  verifyERPNextSignatureWith,
  verifyERPNextWebhookWith,
  verifyStandardWebhookWith,
} from './api.js'
import {
  type ERPNextSignatureOptions,
  type ERPNextVerifierOptions,
  erpnextConfig,
  signatureConfig,
  type VerifiedWebhook,
  verifyERPNext,
  verifySignatureOnly,
  type WebhookRequest,
} from './core.js'
import { nodeCrypto } from './exec-node.js'
import type {
  ERPNextVerifier as AsyncERPNextVerifier,
  StandardWebhookVerifier as AsyncStandardWebhookVerifier,
} from './public.js'
import { explain } from './fail.js'
import { runSync } from './run.js'
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

export * from './public.js'

/** Which implementation this entry point is: `'web'` (Web Crypto) or `'node'` (node:crypto). */
export const implementation: 'web' | 'node' = 'node'

/** A reusable ERPNext verifier; options were validated once and frozen. Adds synchronous methods. */
export interface ERPNextVerifier<T = unknown> extends AsyncERPNextVerifier<T> {
  /**
   * Verifies synchronously (node:crypto). Needs a synchronous seen-store ({@link SyncSeenStore});
   * throws a `TypeError` if `markSeen` returns a promise.
   */
  verifySync(request: WebhookRequest): VerifiedWebhook<T>
  /** Synchronous {@link ERPNextVerifier.verifySignature}. */
  verifySignatureSync(request: WebhookRequest): { readonly secretIndex: number }
}

/** A reusable Standard Webhooks verifier. Adds a synchronous method. */
export interface StandardWebhookVerifier<T = unknown> extends AsyncStandardWebhookVerifier<T> {
  /** Verifies synchronously; needs a synchronous seen-store. */
  verifySync(request: WebhookRequest): VerifiedStandardWebhook<T>
}

/**
 * Creates a verifier for ERPNext webhooks (`X-Frappe-Webhook-Signature`, base64 HMAC-SHA256 of the raw
 * body). Validates the options once; throws `TypeError`/`RangeError` naming a bad option.
 * @example
 * const verifier = createERPNextVerifier({ secret: [env.NEW_SECRET, env.OLD_SECRET], seen: new MemorySeenStore() })
 * const { payload, secretIndex, eventId } = await verifier.verify({ body: await request.arrayBuffer(), headers: request.headers })
 */
export function createERPNextVerifier<T = unknown>(options: ERPNextVerifierOptions<T>): ERPNextVerifier<T> {
  const c = Object.freeze(erpnextConfig(options))
  return Object.freeze({
    ...erpnextMethods(c, nodeCrypto),
    verifySync: (req: WebhookRequest) => runSync(verifyERPNext(c, req, nodeCrypto), nodeCrypto, explain),
    verifySignatureSync: (req: WebhookRequest) =>
      runSync(verifySignatureOnly(c, req, nodeCrypto), nodeCrypto, explain),
  })
}

/**
 * Creates a verifier for Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
 * `whsec_` secrets, ±5 minutes tolerance). `svix-*` header names are accepted too.
 */
export function createStandardWebhookVerifier<T = unknown>(
  options: StandardWebhookVerifierOptions<T>,
): StandardWebhookVerifier<T> {
  const c = Object.freeze(standardConfig(options))
  return Object.freeze({
    ...standardMethods(c, nodeCrypto),
    verifySync: (req: WebhookRequest) => runSync(verifyStandard(c, req, nodeCrypto), nodeCrypto, explain),
  })
}

/**
 * Verifies one ERPNext delivery and returns its parsed payload (only after the signature checks out).
 * Prefer {@link createERPNextVerifier} for repeated use.
 * @function
 * @throws WebhookVerificationError (rejects) for a bad delivery; TypeError/RangeError for misuse.
 * @example
 * const { payload } = await verifyERPNextWebhook({ body: rawBody, headers: request.headers, secret: env.ERPNEXT_WEBHOOK_SECRET })
 */
export const verifyERPNextWebhook = /* @__PURE__ */ verifyERPNextWebhookWith(nodeCrypto)

/**
 * Synchronous {@link verifyERPNextWebhook} (node:crypto). Throws a {@link WebhookVerificationError} for a bad
 * delivery. A `seen` store must be synchronous.
 * @example
 * const { payload } = verifyERPNextWebhookSync({ body: req.body, headers: req.headers, secret })
 */
export function verifyERPNextWebhookSync<T = unknown>(
  input: WebhookRequest & ERPNextVerifierOptions<T>,
): VerifiedWebhook<T> {
  return runSync(verifyERPNext(erpnextConfig(input), input, nodeCrypto), nodeCrypto, explain)
}

/**
 * Checks only the signature of an ERPNext delivery (no parsing, no replay checks): the smallest entry
 * point, for bundles where every byte counts. Same diagnostics on failure as {@link verifyERPNextWebhook}.
 * @function
 * @example
 * const { secretIndex } = await verifyERPNextSignature({ body: rawBody, headers, secret })
 */
export const verifyERPNextSignature = /* @__PURE__ */ verifyERPNextSignatureWith(nodeCrypto)

/** Synchronous {@link verifyERPNextSignature}. */
export function verifyERPNextSignatureSync(input: WebhookRequest & ERPNextSignatureOptions): {
  readonly secretIndex: number
} {
  return runSync(verifySignatureOnly(signatureConfig(input), input, nodeCrypto), nodeCrypto, explain)
}

/**
 * Signs a payload exactly as ERPNext does, for tests and emulators. An object is serialised like Python
 * `json.dumps` (mark floats with `pythonFloat`); a string or bytes is signed as the raw body.
 * @function
 * @example
 * const { body, headers } = await signERPNextWebhook({ doctype: 'Student', name: 'EDU-STU-0001' }, 'secret')
 */
export const signERPNextWebhook = /* @__PURE__ */ signERPNextWebhookWith(nodeCrypto)

/** Synchronous {@link signERPNextWebhook}. */
export function signERPNextWebhookSync(payload: unknown, secret: string): SignedERPNextWebhook {
  return runSync(signERPNext(payload, secret, nodeCrypto), nodeCrypto, explain)
}

/**
 * Verifies one Standard Webhooks delivery.
 * @function
 */
export const verifyStandardWebhook = /* @__PURE__ */ verifyStandardWebhookWith(nodeCrypto)

/** Synchronous {@link verifyStandardWebhook}. */
export function verifyStandardWebhookSync<T = unknown>(
  input: WebhookRequest & StandardWebhookVerifierOptions<T>,
): VerifiedStandardWebhook<T> {
  return runSync(verifyStandard(standardConfig(input), input, nodeCrypto), nodeCrypto, explain)
}

/**
 * Signs a Standard Webhooks message; returns the three headers to send.
 * @function
 */
export const signStandardWebhook = /* @__PURE__ */ signStandardWebhookWith(nodeCrypto)

/** Synchronous {@link signStandardWebhook}. */
export function signStandardWebhookSync(message: StandardWebhookMessage): SignedStandardWebhook {
  return runSync(signStandard(message, nodeCrypto), nodeCrypto, explain)
}
