import { isWebhookVerificationError, verifyERPNextSignature } from '@edusync/webhook-verifier'
import type { WebhookVerifyPort } from './ports.js'

/**
 * A webhook verifier for `webhookHandler()` backed by `@edusync/webhook-verifier`: checks ERPNext's
 * `X-Frappe-Webhook-Signature` (base64 HMAC-SHA256 of the raw body). Pass several secrets to accept the
 * old and the new one during a rotation.
 *
 * @example
 * ```ts
 * createSyncEngine({ ..., verifyWebhook: erpnextWebhookVerifier(process.env.ERPNEXT_WEBHOOK_SECRET!) })
 * ```
 */
export function erpnextWebhookVerifier(
  secret: string | readonly string[],
  options?: { readonly maxBodyBytes?: number },
): WebhookVerifyPort {
  const secrets = typeof secret === 'string' ? [secret] : [...secret]
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === ''))
    throw new TypeError(
      '[@edusync/sync-core] erpnextWebhookVerifier(): "secret" must be a non-empty string or list.',
    )
  return async (rawBody, headers) => {
    try {
      await verifyERPNextSignature({
        body: rawBody,
        headers,
        secret: secrets,
        ...(options?.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
      })
      return { ok: true }
    } catch (error) {
      // The verifier's code says why (missing header, re-serialised body, whitespace in the secret...).
      if (isWebhookVerificationError(error)) return { ok: false, reason: error.code }
      throw error
    }
  }
}
