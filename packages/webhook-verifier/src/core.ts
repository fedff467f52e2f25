// The verification logic, written once as generators that call the crypto they are given (and the
// seen-store) and yield only what is still pending: Web Crypto's promises, an async store's. The Node
// entry gives them node:crypto, whose plain values never yield, so its synchronous functions run a
// generator straight through; the Web entry gives them Web Crypto. Every path takes exactly the same
// decisions. Kept small: verifyERPNextWebhook has a 2 kB
// (minified + gzipped) budget on both builds (scripts/size-budget.mjs), so failures are data (a numeric
// kind, turned into an error with its message by fail.ts, which the async functions load on the first
// failure).
import type { Mismatch } from './diagnose.js'
import type { SeenStore } from './seen-store.js'

/** @internal message prefix of every error this package throws. */
export const P = '[@edusync/webhook-verifier] '

/** @internal throws the `TypeError` (`RangeError` when `range`) of a misuse, its message prefixed. */
export function misuse(message: string, range?: boolean): never {
  throw new (range ? RangeError : TypeError)(P + message)
}

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object'

/**
 * @internal What went wrong, as a number: fail.ts maps each kind to its error class, code and message.
 * (A const enum: esbuild inlines the values, so neither the names nor the codes reach the hot path.)
 */
export enum Kind {
  /** `data`: the limit. */
  TooLarge,
  BodyMissing,
  BodyParsed,
  MissingERPNext,
  MissingStandard,
  MalformedERPNext,
  MalformedSeveral,
  MalformedStandard,
  /** `data`: the header name. */
  MalformedStandardSeveral,
  /** `data`: the {@link Mismatch} to diagnose (the failure module finds out why no secret matched). */
  MismatchERPNext,
  MismatchStandard,
  PayloadJson,
  /** `data`: what `parse` threw. */
  PayloadParse,
  /** `data` of the replay kinds: the event id. */
  Duplicate,
  Stale,
  Future,
  TimestampSentAt,
  TimestampStandard,
}

/**
 * @internal A verification failure as data. The runner turns it into its `WebhookVerificationError`
 * (the error classes and messages are loaded only then, which keeps the happy path small).
 */
export class Failure {
  // Declared, not class fields: assigned once in the constructor (fewer bytes on the hot path).
  declare readonly kind: Kind
  declare readonly data: unknown
  constructor(kind: Kind, data?: unknown) {
    this.kind = kind
    this.data = data
  }
}
/** @internal */
export const failure = (kind: Kind, data?: unknown): Failure => new Failure(kind, data)

/** The header ERPNext puts its signature in (matched case-insensitively). */
export const ERPNEXT_SIGNATURE_HEADER = 'X-Frappe-Webhook-Signature'

/**
 * Request headers in any common shape: a Fetch `Headers`, Node's `IncomingHttpHeaders`, or a plain record
 * (names matched case-insensitively).
 */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>

/** The raw request body exactly as received: bytes (a Node `Buffer` is a `Uint8Array`) or text. */
export type RawBody = string | Uint8Array | ArrayBuffer

/** One delivery to verify. */
export interface WebhookRequest {
  /** The raw body, never a parsed object. */
  body: RawBody
  headers: HeadersLike
}

/**
 * @internal The crypto an entry gives the core: node:crypto (plain values) or Web Crypto (promises). The core
 * yields a promise to its runner, which awaits it (async) or rejects it (sync), so the core goes on with
 * plain values either way.
 */
export interface Crypto {
  /** Whether HMAC-SHA256 of `data` under `key` equals `sig` (compared in constant time). */
  verify(key: Uint8Array, data: Uint8Array, sig: Uint8Array): unknown
  /** SHA-256 of `data` as lowercase hex. */
  digest(data: Uint8Array): unknown
}

/**
 * @internal {@link Crypto} that also signs: only the signing functions use it, so a bundle of the
 * verification functions leaves signing out.
 */
export interface Signer extends Crypto {
  /** HMAC-SHA256 of `data` under `key`. */
  sign(key: Uint8Array, data: Uint8Array): unknown
}

/**
 * @internal A core generator: it yields only pending values (promises, thenables) and is resumed with what
 * they resolve to.
 */
export type Gen<R> = Generator<PromiseLike<unknown>, R, unknown>

/** @internal whether `v` is pending (a thenable): the core yields those, and uses anything else as is. */
export const pending = (v: unknown): v is PromiseLike<unknown> =>
  typeof (v as { then?: unknown } | null)?.then === 'function'

/** @internal */
export function* verifyOp(x: Crypto, key: Uint8Array, data: Uint8Array, sig: Uint8Array): Gen<boolean> {
  const ok = x.verify(key, data, sig)
  return (pending(ok) ? yield ok : ok) as boolean
}
/** @internal */
export function* signOp(x: Signer, key: Uint8Array, data: Uint8Array): Gen<Uint8Array> {
  const mac = x.sign(key, data)
  return (pending(mac) ? yield mac : mac) as Uint8Array
}

const encoder = new TextEncoder()
/** @internal */
export const decoder = new TextDecoder()
/** @internal */
export const utf8 = (s: string): Uint8Array => encoder.encode(s)

/** @internal */
export function b64encode(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}
/** @internal decodes base64 already validated by a regular expression. */
export function b64decode(s: string): Uint8Array {
  // Buffer (Node, Bun, Deno) is faster on the verification path (measured in bench/); atob elsewhere.
  return typeof Buffer === 'function'
    ? Buffer.from(s, 'base64')
    : Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
}

/** @internal 32 bytes in standard padded base64: 42 characters, one whose low bits are zero, then "=". */
export const SIG_B64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/

/** @internal the body as bytes, rejecting non-raw and oversized bodies before any work. */
export function toBytes(body: unknown, max: number): Uint8Array {
  // UTF-8 never takes fewer bytes than UTF-16 code units, so huge strings are rejected before encoding.
  if (typeof body === 'string') {
    if (body.length > max) throw failure(Kind.TooLarge, max)
    body = utf8(body)
  } else if (body instanceof ArrayBuffer) body = new Uint8Array(body)
  // Any other view becomes a Uint8Array over the same memory (no copy); a Uint8Array (a Buffer too) is used
  // as is.
  else if (ArrayBuffer.isView(body)) {
    if (!(body instanceof Uint8Array)) body = new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  } else throw failure(body == null ? Kind.BodyMissing : Kind.BodyParsed)
  if ((body as Uint8Array).byteLength > max) throw failure(Kind.TooLarge, max)
  return body as Uint8Array
}

/** @internal every value of a header, names compared case-insensitively. */
export function headerValues(headers: unknown, name: string): string[] {
  if (!isObject(headers)) misuse('headers must be an object.')
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(n: string): string | null }).get(name)
    return v == null ? [] : [v]
  }
  const out: string[] = []
  const record = headers as Record<string, unknown>
  for (const k in record) {
    const v = record[k]
    // The length check spares a toLowerCase() for nearly every other header (this runs per request).
    if (v == null || k.length !== name.length || k.toLowerCase() !== name) continue
    // Not [v].flat(): it is an order of magnitude slower (measured).
    if (Array.isArray(v)) for (const x of v) out.push(String(x))
    else out.push(String(v))
  }
  return out
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) <= 0)
    misuse(`${name} must be a positive integer.`, true)
  return value as number
}

/** Options shared by both schemes. */
export interface CommonVerifierOptions<T> {
  /**
   * Bodies larger than this many bytes are rejected with `too_large` before any hashing or parsing.
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number
  /**
   * Rejects a delivery whose id was already accepted within the dedupe window. No store, no dedupe.
   * The framework adapters default to a fresh {@link MemorySeenStore}.
   */
  seen?: SeenStore
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number
  /**
   * Validates and types the parsed JSON payload (e.g. a zod schema's `parse`). Runs after the signature
   * check; if it throws, verification fails with `invalid_payload` (the thrown error is the `cause`).
   */
  parse?: (payload: unknown) => T
}

/** Options of the ERPNext verifier. */
export interface ERPNextVerifierOptions<T = unknown> extends CommonVerifierOptions<T> {
  /**
   * The Webhook Secret configured in ERPNext. Several secrets are accepted (rotation: list the new one and
   * the old one); the result's `secretIndex` says which matched. Never trimmed or altered.
   */
  secret: string | readonly string[]
  /**
   * How far `sent_at` (from the recommended template) may be from `now`, in either direction.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number
  /**
   * How long an accepted event id is remembered by `seen`. Must be at least `2 * toleranceMs`.
   * @default 2 * toleranceMs
   */
  dedupeTtlMs?: number
}

/** A verified ERPNext delivery. */
export interface VerifiedWebhook<T = unknown> {
  /** The parsed JSON body (passed through `parse` when given). */
  readonly payload: T
  /** Index into the configured secrets of the one that matched. */
  readonly secretIndex: number
  /** `event_id` from the payload, else `sha256:<hex of the raw body>`. */
  readonly eventId: string
  readonly eventIdSource: 'payload' | 'body-hash'
  /** `event` from the payload when it is a string. */
  readonly event: string | undefined
  /** `sent_at` from the payload when present. */
  readonly sentAt: Date | undefined
}

/** @internal validated options shared by both schemes. */
export interface BaseConfig<T> {
  readonly max: number
  readonly seen: SeenStore | undefined
  readonly now: () => number
  readonly parse: ((payload: unknown) => T) | undefined
  readonly keys: readonly Uint8Array[]
  readonly tol: number
}

/** @internal */
export function baseConfig<T>(
  o: CommonVerifierOptions<T> & { secret: unknown },
  decode: (s: string) => Uint8Array,
  tol: number,
): BaseConfig<T> {
  const { seen, now = Date.now, parse, secret } = o
  if (
    (seen !== undefined && typeof seen?.markSeen !== 'function') ||
    typeof now !== 'function' ||
    (parse !== undefined && typeof parse !== 'function')
  ) {
    misuse('seen must have markSeen(); now and parse must be functions.')
  }
  const list = typeof secret === 'string' ? [secret] : secret
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || !s.trim())) {
    misuse('secret must be a non-blank string or a non-empty array of them.')
  }
  return {
    max: positive('maxBodyBytes', o.maxBodyBytes, 1_048_576),
    seen,
    now,
    parse,
    keys: list.map(decode),
    tol,
  }
}

/** @internal validated ERPNext options (frozen by the verifier factories). */
export interface ERPNextConfig<T> extends BaseConfig<T> {
  readonly ttl: number
}

/** @internal */
export function erpnextConfig<T>(options: ERPNextVerifierOptions<T>): ERPNextConfig<T> {
  if (!isObject(options)) misuse('options must be an object.')
  const tol = positive('toleranceMs', options.toleranceMs, 300_000)
  const ttl = positive('dedupeTtlMs', options.dedupeTtlMs, 2 * tol)
  if (ttl < 2 * tol) misuse('dedupeTtlMs must be at least 2 * toleranceMs.', true)
  return { ...baseConfig(options, utf8, tol), ttl }
}

/** @internal */
export function request(req: unknown): WebhookRequest {
  if (!isObject(req)) misuse('verify expects { body, headers }.')
  return req as WebhookRequest
}

/** @internal parses the verified body, then runs `parse`. */
export function payloadOf<T>(c: BaseConfig<T>, text: string): [unknown, T] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    // The SyntaxError quotes the body, so it is deliberately not kept as the cause.
    throw failure(Kind.PayloadJson)
  }
  try {
    return [data, c.parse ? c.parse(data) : (data as T)]
  } catch (error) {
    throw failure(Kind.PayloadParse, error)
  }
}

/** @internal checks what the seen-store answered for `id` (`true` when there is no store). */
export function fresh(first: unknown, id: string): void {
  if (typeof first !== 'boolean') misuse('SeenStore.markSeen must return (or resolve to) a boolean.')
  if (!first) throw failure(Kind.Duplicate, id)
}

/** @internal */
export function window(at: number, c: BaseConfig<unknown>, id: string): void {
  const now = c.now()
  const old = at < now - c.tol
  if (old || at > now + c.tol) {
    throw failure(old ? Kind.Stale : Kind.Future, id)
  }
}

const ISO = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/

/** @internal `sent_at`: ISO 8601 with an offset, or epoch seconds; epoch milliseconds out. */
export function parseSentAt(v: unknown): number {
  const m = typeof v === 'string' ? ISO.exec(v) : null
  // Normalise to 3 fraction digits, the only form every engine's Date.parse must accept.
  const t = m
    ? Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '.').padEnd(4, '0').slice(0, 4)}${m[4]}`)
    : typeof v === 'number'
      ? v * 1000
      : Number.NaN
  if (!Number.isFinite(t)) {
    throw failure(Kind.TimestampSentAt)
  }
  return t
}

/** @internal the request, its body as bytes and the signature it carries, checked in that order. */
export function signedERPNext(
  c: BaseConfig<unknown>,
  input: WebhookRequest,
): [WebhookRequest, Uint8Array, Uint8Array] {
  const req = request(input)
  const bytes = toBytes(req.body, c.max)
  const values = headerValues(req.headers, 'x-frappe-webhook-signature')
  const value = values[0]
  if (value === undefined) throw failure(Kind.MissingERPNext)
  if (values.length > 1 || !SIG_B64.test(value)) {
    throw failure(values.length > 1 ? Kind.MalformedSeveral : Kind.MalformedERPNext)
  }
  return [req, bytes, b64decode(value)]
}

/**
 * @internal The index of the first secret whose HMAC of `bytes` is `sig`, or its promise when `x` is
 * asynchronous; none matching is a failure (thrown, or the promise rejects with it). A plain function, not
 * a generator: with node:crypto it is a loop and nothing more.
 */
export function keyIndex(
  c: BaseConfig<unknown>,
  bytes: Uint8Array,
  sig: Uint8Array,
  x: Crypto,
  i = 0,
): number | PromiseLike<number> {
  for (; i < c.keys.length; i++) {
    const ok = x.verify(c.keys[i] as Uint8Array, bytes, sig)
    // `i` is not changed after this return, so the callback may read it.
    if (pending(ok)) return ok.then((ok) => (ok ? i : keyIndex(c, bytes, sig, x, i + 1)))
    if (ok) return i
  }
  throw failure(Kind.MismatchERPNext, { keys: c.keys, bytes, sig } satisfies Mismatch)
}

/** @internal verifies an ERPNext delivery. */
export function* verifyERPNext<T>(
  c: ERPNextConfig<T>,
  input: WebhookRequest,
  x: Crypto,
): Gen<VerifiedWebhook<T>> {
  const [req, bytes, sig] = signedERPNext(c, input)
  let index: unknown = keyIndex(c, bytes, sig, x)
  if (pending(index)) index = yield index
  // TextDecoder is as fast as Buffer#toString on Node 20 (measured), so there is one UTF-8 decoder.
  const [data, payload] = payloadOf(c, typeof req.body === 'string' ? req.body : decoder.decode(bytes))
  const obj = (data instanceof Object ? data : {}) as Record<string, unknown>
  const own = typeof obj.event_id === 'string' && obj.event_id !== ''
  let id = own ? obj.event_id : x.digest(bytes)
  if (pending(id)) id = yield id
  const eventId = own ? (id as string) : `sha256:${id}`
  let sentAt: Date | undefined
  if (obj.sent_at !== undefined) {
    const at = parseSentAt(obj.sent_at)
    window(at, c, eventId)
    sentAt = new Date(at)
  }
  let first: unknown = c.seen ? c.seen.markSeen(eventId, c.ttl) : true
  if (pending(first)) first = yield first
  fresh(first, eventId)
  // Not frozen: Object.freeze costs more than the rest of a verification (see bench/).
  return {
    payload,
    secretIndex: index as number,
    eventId,
    eventIdSource: own ? 'payload' : 'body-hash',
    event: typeof obj.event === 'string' ? obj.event : undefined,
    sentAt,
  }
}

/** Options of {@link verifyERPNextSignature}. */
export interface ERPNextSignatureOptions {
  /** As in {@link ERPNextVerifierOptions.secret}. */
  secret: string | readonly string[]
  /** @default 1048576 (1 MiB) */
  maxBodyBytes?: number
}

/** @internal */
export function* verifySignatureOnly(
  c: BaseConfig<unknown>,
  input: WebhookRequest,
  x: Crypto,
): Gen<{ readonly secretIndex: number }> {
  const [, bytes, sig] = signedERPNext(c, input)
  let secretIndex: unknown = keyIndex(c, bytes, sig, x)
  if (pending(secretIndex)) secretIndex = yield secretIndex
  return { secretIndex: secretIndex as number }
}

/** @internal */
export const signatureConfig = (input: WebhookRequest & ERPNextSignatureOptions): BaseConfig<unknown> =>
  baseConfig(request(input) as WebhookRequest & ERPNextSignatureOptions, utf8, 1)
