/**
 * Web Crypto implementation (async): Cloudflare Workers, Vercel Edge, Deno, Bun, browsers — and Node.
 * Selected by the `workerd`, `edge-light`, `worker`, `deno`, `bun`, `browser` and `default` export
 * conditions of `@edusync/webhook-verifier`, or imported explicitly as `@edusync/webhook-verifier/web`.
 * @packageDocumentation
 */
import {
  createERPNextVerifierWith,
  createStandardWebhookVerifierWith,
  signERPNextWebhookWith,
  signStandardWebhookWith,
  verifyERPNextSignatureWith,
  verifyERPNextWebhookWith,
  verifyStandardWebhookWith,
} from './api.js'
import { webCrypto, webSigner } from './exec-web.js'

export * from './public.js'

/** Which implementation this entry point is: `'web'` (Web Crypto) or `'node'` (node:crypto). */
export const implementation: 'web' | 'node' = 'web'

/**
 * Creates a verifier for ERPNext webhooks (`X-Frappe-Webhook-Signature`, base64 HMAC-SHA256 of the raw
 * body). Validates the options once; throws `TypeError`/`RangeError` naming a bad option.
 * @function
 * @example
 * const verifier = createERPNextVerifier({ secret: [env.NEW_SECRET, env.OLD_SECRET], seen: new MemorySeenStore() })
 * const { payload, secretIndex, eventId } = await verifier.verify({ body: await request.arrayBuffer(), headers: request.headers })
 */
export const createERPNextVerifier = /* @__PURE__ */ createERPNextVerifierWith(webCrypto)

/**
 * Verifies one ERPNext delivery and returns its parsed payload (only after the signature checks out).
 * Prefer {@link createERPNextVerifier} for repeated use.
 * @function
 * @throws WebhookVerificationError (rejects) for a bad delivery; TypeError/RangeError for misuse.
 * @example
 * const { payload } = await verifyERPNextWebhook({ body: rawBody, headers: request.headers, secret: env.ERPNEXT_WEBHOOK_SECRET })
 */
export const verifyERPNextWebhook = /* @__PURE__ */ verifyERPNextWebhookWith(webCrypto)

/**
 * Checks only the signature of an ERPNext delivery (no parsing, no replay checks): the smallest entry
 * point, for bundles where every byte counts. Same diagnostics on failure as {@link verifyERPNextWebhook}.
 * @function
 * @example
 * const { secretIndex } = await verifyERPNextSignature({ body: rawBody, headers, secret })
 */
export const verifyERPNextSignature = /* @__PURE__ */ verifyERPNextSignatureWith(webCrypto)

/**
 * Signs a payload exactly as ERPNext does, for tests and emulators. An object is serialised like Python
 * `json.dumps` (mark floats with `pythonFloat`); a string or bytes is signed as the raw body.
 * @function
 * @example
 * const { body, headers } = await signERPNextWebhook({ doctype: 'Student', name: 'EDU-STU-0001' }, 'secret')
 */
export const signERPNextWebhook = /* @__PURE__ */ signERPNextWebhookWith(webSigner)

/**
 * Creates a verifier for Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
 * `whsec_` secrets, ±5 minutes tolerance). `svix-*` header names are accepted too.
 * @function
 */
export const createStandardWebhookVerifier = /* @__PURE__ */ createStandardWebhookVerifierWith(webCrypto)

/**
 * Verifies one Standard Webhooks delivery.
 * @function
 */
export const verifyStandardWebhook = /* @__PURE__ */ verifyStandardWebhookWith(webCrypto)

/**
 * Signs a Standard Webhooks message; returns the three headers to send.
 * @function
 */
export const signStandardWebhook = /* @__PURE__ */ signStandardWebhookWith(webSigner)
