// Every async function of the public API, written once over the crypto it is given: node.ts binds these
// to node:crypto (and adds the synchronous functions), web.ts to Web Crypto. Each binding is a call marked
// pure, so a bundle that imports one function leaves the others (and their dependencies) out. Internal:
// the entries re-export public.ts, not this module.
import {
  type Crypto,
  type ERPNextConfig,
  type ERPNextSignatureOptions,
  type ERPNextVerifierOptions,
  erpnextConfig,
  type Signer,
  signatureConfig,
  type VerifiedWebhook,
  verifyERPNext,
  verifySignatureOnly,
  type WebhookRequest,
} from './core.js'
import { type SignedERPNextWebhook, signERPNext } from './sign.js'
import {
  type SignedStandardWebhook,
  type StandardConfig,
  type StandardWebhookMessage,
  type StandardWebhookVerifierOptions,
  signStandard,
  standardConfig,
  type VerifiedStandardWebhook,
  verifyStandard,
} from './standard.js'
import type { ERPNextVerifier, StandardWebhookVerifier } from './public.js'
import { runAsync } from './run.js'

/** @internal the async methods of an ERPNext verifier over a frozen configuration. */
export const erpnextMethods = <T>(c: ERPNextConfig<T>, x: Crypto): ERPNextVerifier<T> => ({
  verify: (req) => runAsync(verifyERPNext(c, req, x), x),
  verifySignature: (req) => runAsync(verifySignatureOnly(c, req, x), x),
  seen: c.seen,
})

/** @internal the async methods of a Standard Webhooks verifier over a frozen configuration. */
export const standardMethods = <T>(c: StandardConfig<T>, x: Crypto): StandardWebhookVerifier<T> => ({
  verify: (req) => runAsync(verifyStandard(c, req, x), x),
  seen: c.seen,
})

/** @internal `createERPNextVerifier` over `x`. */
export const createERPNextVerifierWith =
  (x: Crypto) =>
  <T = unknown>(options: ERPNextVerifierOptions<T>): ERPNextVerifier<T> =>
    Object.freeze(erpnextMethods(Object.freeze(erpnextConfig(options)), x))

/** @internal `verifyERPNextWebhook` over `x`. */
export const verifyERPNextWebhookWith =
  (x: Crypto) =>
  async <T = unknown>(input: WebhookRequest & ERPNextVerifierOptions<T>): Promise<VerifiedWebhook<T>> =>
    runAsync(verifyERPNext(erpnextConfig(input), input, x), x)

/** @internal `verifyERPNextSignature` over `x`. */
export const verifyERPNextSignatureWith =
  (x: Crypto) =>
  async (input: WebhookRequest & ERPNextSignatureOptions): Promise<{ readonly secretIndex: number }> =>
    runAsync(verifySignatureOnly(signatureConfig(input), input, x), x)

/** @internal `signERPNextWebhook` over `x`. */
export const signERPNextWebhookWith =
  (x: Signer) =>
  async (payload: unknown, secret: string): Promise<SignedERPNextWebhook> =>
    runAsync(signERPNext(payload, secret, x), x)

/** @internal `createStandardWebhookVerifier` over `x`. */
export const createStandardWebhookVerifierWith =
  (x: Crypto) =>
  <T = unknown>(options: StandardWebhookVerifierOptions<T>): StandardWebhookVerifier<T> =>
    Object.freeze(standardMethods(Object.freeze(standardConfig(options)), x))

/** @internal `verifyStandardWebhook` over `x`. */
export const verifyStandardWebhookWith =
  (x: Crypto) =>
  async <T = unknown>(
    input: WebhookRequest & StandardWebhookVerifierOptions<T>,
  ): Promise<VerifiedStandardWebhook<T>> =>
    runAsync(verifyStandard(standardConfig(input), input, x), x)

/** @internal `signStandardWebhook` over `x`. */
export const signStandardWebhookWith =
  (x: Signer) =>
  async (message: StandardWebhookMessage): Promise<SignedStandardWebhook> =>
    runAsync(signStandard(message, x), x)
