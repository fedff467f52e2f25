// Standard Webhooks (https://www.standardwebhooks.com): `{id}.{timestamp}.{body}` signed with HMAC-SHA256
// under a `whsec_` base64 secret, sent as space-separated `v1,<base64>` entries.
import {
  b64decode,
  b64encode,
  type BaseConfig,
  baseConfig,
  type CommonVerifierOptions,
  type Crypto,
  decoder,
  failure,
  fresh,
  type Gen,
  headerValues,
  Kind,
  P,
  pending,
  payloadOf,
  request,
  SIG_B64,
  type Signer,
  signOp,
  toBytes,
  utf8,
  verifyOp,
  type WebhookRequest,
  window,
} from './core.js'

/** Options of the Standard Webhooks verifier. */
export interface StandardWebhookVerifierOptions<T = unknown> extends CommonVerifierOptions<T> {
  /** `whsec_`-prefixed base64 secret(s); several for rotation. */
  secret: string | readonly string[]
  /**
   * Allowed distance between `webhook-timestamp` and `now`, both ways, in seconds.
   * @default 300
   */
  toleranceSeconds?: number
}

/** A verified Standard Webhooks delivery. */
export interface VerifiedStandardWebhook<T = unknown> {
  readonly payload: T
  /** `webhook-id`: the same across retries of one message; use it as an idempotency key. */
  readonly id: string
  /** `webhook-timestamp` as a Date. */
  readonly timestamp: Date
  /** Index into the configured secrets of the one that matched. */
  readonly secretIndex: number
}

const B64 =
  /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$|^(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/

/** @internal */
export function decodeWhsec(secret: string): Uint8Array {
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret
  if (!B64.test(b64)) throw new TypeError(`${P}secret must be "whsec_" followed by standard base64.`)
  return b64decode(b64)
}

/** @internal */
export type StandardConfig<T> = BaseConfig<T>

/** @internal */
export function standardConfig<T>(options: StandardWebhookVerifierOptions<T>): StandardConfig<T> {
  if (options === null || typeof options !== 'object') throw new TypeError(`${P}options must be an object.`)
  const seconds = options.toleranceSeconds ?? 300
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new RangeError(`${P}toleranceSeconds must be a positive integer.`)
  }
  return baseConfig(options, decodeWhsec, seconds * 1000)
}

function one(headers: unknown, name: string): string | undefined {
  const v = headerValues(headers, `webhook-${name}`)
  const all = v.length > 0 ? v : headerValues(headers, `svix-${name}`)
  if (all.length > 1) throw failure(Kind.MalformedStandardSeveral, `webhook-${name}`)
  return all[0]
}

/** @internal verifies a Standard Webhooks delivery. */
export function* verifyStandard<T>(
  c: StandardConfig<T>,
  input: WebhookRequest,
  x: Crypto,
): Gen<VerifiedStandardWebhook<T>> {
  const req = request(input)
  const bytes = toBytes(req.body, c.max)
  const id = one(req.headers, 'id')
  const ts = one(req.headers, 'timestamp')
  const list = one(req.headers, 'signature')
  if (id === undefined || ts === undefined || list === undefined) {
    throw failure(Kind.MissingStandard)
  }
  if (!/^\d{1,15}$/.test(ts)) throw failure(Kind.TimestampStandard)
  const seconds = Number(ts)
  window(seconds * 1000, c, id)
  const sigs: Uint8Array[] = []
  for (const part of list.split(' ')) {
    const [version, value] = part.split(',')
    if (version === 'v1' && value !== undefined && SIG_B64.test(value)) sigs.push(b64decode(value))
  }
  if (sigs.length === 0) throw failure(Kind.MalformedStandard)
  const prefix = utf8(`${id}.${ts}.`)
  const data = new Uint8Array(prefix.length + bytes.length)
  data.set(prefix)
  data.set(bytes, prefix.length)
  let index = -1
  for (let i = 0; index < 0 && i < c.keys.length; i++) {
    for (const sig of sigs)
      if (index < 0 && (yield* verifyOp(x, c.keys[i] as Uint8Array, data, sig))) index = i
  }
  if (index < 0) {
    throw failure(Kind.MismatchStandard)
  }
  const [, payload] = payloadOf(c, typeof req.body === 'string' ? req.body : decoder.decode(bytes))
  let first: unknown = c.seen ? c.seen.markSeen(id, 2 * c.tol) : true
  if (pending(first)) first = yield first
  fresh(first, id)
  return { payload, id, timestamp: new Date(seconds * 1000), secretIndex: index }
}

/** Input of {@link signStandardWebhook}. */
export interface StandardWebhookMessage {
  /** The message id (`webhook-id`); must not contain ".". */
  id: string
  /** When the attempt is sent: a Date or integer epoch seconds. */
  timestamp: Date | number
  /** The raw body to send. */
  body: string
  /** The `whsec_` secret. */
  secret: string
}

/** A signed Standard Webhooks message: the signature and the three headers to send. */
export interface SignedStandardWebhook {
  readonly signature: string
  readonly headers: Readonly<{
    'webhook-id': string
    'webhook-timestamp': string
    'webhook-signature': string
  }>
}

/** @internal */
export function* signStandard(m: StandardWebhookMessage, x: Signer): Gen<SignedStandardWebhook> {
  if (m === null || typeof m !== 'object')
    throw new TypeError(`${P}expected { id, timestamp, body, secret }.`)
  if (typeof m.id !== 'string' || m.id === '' || m.id.includes('.')) {
    throw new TypeError(`${P}id must be a non-empty string without ".".`)
  }
  if (typeof m.body !== 'string') throw new TypeError(`${P}body must be a string.`)
  if (typeof m.secret !== 'string') throw new TypeError(`${P}secret must be a string.`)
  const seconds = m.timestamp instanceof Date ? Math.floor(m.timestamp.getTime() / 1000) : m.timestamp
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`${P}timestamp must be a Date or non-negative integer epoch seconds.`)
  }
  const signature = `v1,${b64encode(yield* signOp(x, decodeWhsec(m.secret), utf8(`${m.id}.${seconds}.${m.body}`)))}`
  return Object.freeze({
    signature,
    headers: Object.freeze({
      'webhook-id': m.id,
      'webhook-timestamp': String(seconds),
      'webhook-signature': signature,
    }),
  })
}
