// Turns a verification failure (data) into its WebhookVerificationError with a message that says what to
// do, diagnosing signature mismatches. The async functions of both builds import this module (and the
// diagnosis) only when a delivery fails; the Node build's synchronous functions import it statically.
import { type Crypto, type Failure, type Gen, Kind } from './core.js'
import { diagnose, type Mismatch } from './diagnose.js'
import {
  BodyNotRawError,
  InvalidPayloadError,
  InvalidTimestampError,
  MalformedSignatureError,
  MissingSignatureError,
  type ReplayReason,
  ReplayedError,
  SignatureMismatchError,
  TooLargeError,
  type WebhookVerificationError,
} from './errors.js'

const notRaw = (what: string) =>
  new BodyNotRawError(
    `the body is ${what}: signatures cover the raw bytes, so pass the raw request body (Buffer, Uint8Array, ArrayBuffer or string) and verify before any JSON body parser.`,
  )

const replayed = (reason: ReplayReason, message: string, id: unknown) =>
  new ReplayedError(reason, message, id as string)

/**
 * @internal The error of a failure. A generator because a signature mismatch is diagnosed first, which
 * computes HMACs with `x`, the crypto of the failed call.
 */
export function* explain(f: Failure, x: Crypto): Gen<WebhookVerificationError> {
  const d = f.data
  switch (f.kind) {
    case Kind.TooLarge:
      return new TooLargeError(d as number)
    case Kind.BodyMissing:
      return notRaw('missing')
    case Kind.BodyParsed:
      return notRaw('a parsed object')
    case Kind.MissingERPNext:
      return new MissingSignatureError(
        'no X-Frappe-Webhook-Signature header: tick "Enable Security" and set a Webhook Secret on the ERPNext Webhook, and check that no proxy strips the header.',
      )
    case Kind.MissingStandard:
      return new MissingSignatureError(
        'webhook-id, webhook-timestamp and webhook-signature headers are all required.',
      )
    case Kind.MalformedERPNext:
      return new MalformedSignatureError(
        'X-Frappe-Webhook-Signature is not a standard padded base64 HMAC-SHA256 (44 characters ending in "="); ERPNext sends exactly that, so the sender or a proxy changed it.',
      )
    case Kind.MalformedSeveral:
      return new MalformedSignatureError(
        'several X-Frappe-Webhook-Signature headers were received; expected exactly one.',
      )
    case Kind.MalformedStandard:
      return new MalformedSignatureError('webhook-signature holds no "v1,<base64>" entry.')
    case Kind.MalformedStandardSeveral:
      return new MalformedSignatureError(`several ${String(d)} headers were received; expected exactly one.`)
    case Kind.MismatchERPNext:
      return yield* diagnose(d as Mismatch, x)
    case Kind.MismatchStandard:
      return new SignatureMismatchError(
        'no configured secret produces any webhook-signature entry over this id, timestamp and raw body: check the secret(s) and pass the raw body.',
      )
    case Kind.PayloadJson:
      return new InvalidPayloadError('the signature is valid but the body is not JSON.')
    case Kind.PayloadParse:
      return new InvalidPayloadError(
        'the signature is valid but the parse option rejected the payload (see cause).',
        d,
      )
    case Kind.Duplicate:
      return replayed(
        'duplicate',
        'this event id was already accepted: a retry or a replay of a delivery already processed.',
        d,
      )
    case Kind.Stale:
      return replayed(
        'stale',
        'the delivery timestamp is older than the tolerance window: check the clocks of ERPNext and this server, or raise the tolerance if deliveries queue up.',
        d,
      )
    case Kind.Future:
      return replayed(
        'future',
        "the delivery timestamp is ahead of this server's clock by more than the tolerance: check the clocks.",
        d,
      )
    case Kind.TimestampSentAt:
      return new InvalidTimestampError(
        'sent_at must be an ISO 8601 date-time with a UTC offset (ERPNext renders naive local time; use the recommended template) or epoch seconds.',
      )
    case Kind.TimestampStandard:
      return new InvalidTimestampError('webhook-timestamp must be integer epoch seconds.')
  }
}
