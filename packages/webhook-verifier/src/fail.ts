// Turns a verification failure (data) into its WebhookVerificationError with a message that says what to
// do. The Web build imports this module only when a delivery fails.
import type { Failure } from './core.js'
import {
  BodyNotRawError,
  InvalidPayloadError,
  InvalidTimestampError,
  MalformedSignatureError,
  MissingSignatureError,
  type ReplayReason,
  ReplayedError,
  SecretWhitespaceError,
  SignatureMismatchError,
  TooLargeError,
  type WebhookVerificationError,
} from './errors.js'

const REPLAY: Record<ReplayReason, string> = {
  duplicate: 'this event id was already accepted: a retry or a replay of a delivery already processed.',
  stale:
    'the delivery timestamp is older than the tolerance window: check the clocks of ERPNext and this server, or raise the tolerance if deliveries queue up.',
  future:
    "the delivery timestamp is ahead of this server's clock by more than the tolerance: check the clocks.",
}

/** @internal */
export function toError(f: Failure): WebhookVerificationError {
  const d = f.detail
  switch (f.code) {
    case 'too_large':
      return new TooLargeError(d as number)
    case 'body_not_raw':
      return new BodyNotRawError(
        `the body is ${String(d)}: signatures cover the raw bytes, so pass the raw request body (Buffer, Uint8Array, ArrayBuffer or string) and verify before any JSON body parser.`,
      )
    case 'missing_signature':
      return new MissingSignatureError(
        d === 'standard'
          ? 'webhook-id, webhook-timestamp and webhook-signature headers are all required.'
          : 'no X-Frappe-Webhook-Signature header: tick "Enable Security" and set a Webhook Secret on the ERPNext Webhook, and check that no proxy strips the header.',
      )
    case 'malformed_signature':
      return new MalformedSignatureError(
        d === 'erpnext'
          ? 'X-Frappe-Webhook-Signature is not a standard padded base64 HMAC-SHA256 (44 characters ending in "="); ERPNext sends exactly that, so the sender or a proxy changed it.'
          : d === 'several'
            ? 'several X-Frappe-Webhook-Signature headers were received; expected exactly one.'
            : d === 'standard'
              ? 'webhook-signature holds no "v1,<base64>" entry.'
              : `several ${String(d)} headers were received; expected exactly one.`,
      )
    case 'signature_mismatch':
      return new SignatureMismatchError(
        'no configured secret produces any webhook-signature entry over this id, timestamp and raw body: check the secret(s) and pass the raw body.',
      )
    case 'invalid_payload':
      return d === 'json'
        ? new InvalidPayloadError('the signature is valid but the body is not JSON.')
        : new InvalidPayloadError(
            'the signature is valid but the parse option rejected the payload (see cause).',
            f.extra,
          )
    case 'invalid_timestamp':
      return new InvalidTimestampError(
        d === 'sent_at'
          ? 'sent_at must be an ISO 8601 date-time with a UTC offset (ERPNext renders naive local time; use the recommended template) or epoch seconds.'
          : 'webhook-timestamp must be integer epoch seconds.',
      )
    case 'replayed':
      return new ReplayedError(d as ReplayReason, REPLAY[d as ReplayReason], f.extra as string)
    case 'secret_whitespace':
      return new SecretWhitespaceError('a configured secret has leading or trailing whitespace: trim it.')
  }
}
