// What every framework adapter shares: options, the HTTP outcome of a delivery, and raw-body reading.
import { type ERPNextVerifierOptions, P, type VerifiedWebhook, type WebhookRequest } from './core.js'
import { isWebhookVerificationError, TooLargeError } from './errors.js'
import { MemorySeenStore, type SeenStore } from './seen-store.js'

/** Options of every framework adapter. */
export interface AdapterOptions<T, C> extends Omit<ERPNextVerifierOptions<T>, 'seen'> {
  /**
   * Called with each verified delivery (never with a bad one). Respond 200 happens after it resolves; if it
   * throws, the event id is released from the seen-store and the adapter answers 500, so ERPNext retries.
   */
  onEvent: (event: VerifiedWebhook<T>, context: C) => unknown
  /**
   * Dedupe store. Duplicates are answered `200 {"received":true,"duplicate":true}` without calling
   * `onEvent` (answering an error would only make ERPNext retry). `false` turns dedupe off.
   * @default a new MemorySeenStore() per adapter
   */
  seen?: SeenStore | false
  /**
   * Told about handler failures and internal errors (not about rejected deliveries, which are answered 4xx).
   * @default no-op
   */
  onError?: (error: unknown) => void
}

/** @internal */
export interface Outcome {
  status: number
  body: Record<string, unknown>
}

/** @internal validates adapter options and returns the verifier options. */
export function adapterOptions<T, C>(
  options: AdapterOptions<T, C>,
): {
  verifier: ERPNextVerifierOptions<T>
  onEvent: AdapterOptions<T, C>['onEvent']
  onError: (e: unknown) => void
} {
  if (options === null || typeof options !== 'object') throw new TypeError(`${P}options must be an object.`)
  const { onEvent, onError = () => {}, seen, ...rest } = options
  if (typeof onEvent !== 'function') throw new TypeError(`${P}onEvent must be a function.`)
  if (typeof onError !== 'function') throw new TypeError(`${P}onError must be a function.`)
  const store = seen === false ? undefined : (seen ?? new MemorySeenStore())
  return { verifier: { ...rest, ...(store ? { seen: store } : {}) }, onEvent, onError }
}

/** @internal runs one delivery through the verifier and the handler; never throws. */
export async function deliver<T, C>(
  verify: (req: WebhookRequest) => Promise<VerifiedWebhook<T>>,
  seen: SeenStore | undefined,
  onEvent: AdapterOptions<T, C>['onEvent'],
  onError: (e: unknown) => void,
  read: () => Promise<WebhookRequest>,
  context: C,
): Promise<Outcome> {
  let event: VerifiedWebhook<T>
  try {
    event = await verify(await read())
  } catch (error) {
    if (isWebhookVerificationError(error)) {
      if (isWebhookVerificationError(error, 'replayed') && error.reason === 'duplicate') {
        return { status: 200, body: { received: true, duplicate: true } }
      }
      return {
        status: error.code === 'too_large' ? 413 : 401,
        body: { error: { code: error.code, message: error.message } },
      }
    }
    onError(error)
    return {
      status: 500,
      body: { error: { code: 'internal_error', message: `${P}verification could not run.` } },
    }
  }
  try {
    await onEvent(event, context)
  } catch (error) {
    onError(error)
    try {
      await seen?.release?.(event.eventId)
    } catch (releaseError) {
      onError(releaseError)
    }
    return {
      status: 500,
      body: { error: { code: 'handler_failed', message: `${P}the event handler failed.` } },
    }
  }
  return { status: 200, body: { received: true } }
}

/** The part of a Node `IncomingMessage` the adapters use. */
export interface NodeRequestLike {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown
  on(event: 'end', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  removeAllListeners(event?: string): unknown
  pause(): unknown
  readonly readableEnded?: boolean
}

/**
 * Reads a Node request's raw body, refusing (with `too_large`) a declared `Content-Length` above
 * `maxBytes` before reading anything, and stopping as soon as more than `maxBytes` arrived.
 */
export function readNodeBody(req: NodeRequestLike, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'])
  if (declared > maxBytes) return Promise.reject(new TooLargeError(maxBytes))
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let total = 0
    const stop = () => {
      req.removeAllListeners('data')
      req.removeAllListeners('end')
    }
    req.on('data', (chunk) => {
      total += chunk.byteLength
      if (total > maxBytes) {
        stop()
        req.pause()
        reject(new TooLargeError(maxBytes))
      } else chunks.push(chunk)
    })
    req.on('end', () => {
      stop()
      const out = new Uint8Array(total)
      let at = 0
      for (const c of chunks) {
        out.set(c, at)
        at += c.byteLength
      }
      resolve(out)
    })
    req.on('error', reject)
  })
}

/**
 * Reads a Fetch `Request`'s raw body with the same limits as {@link readNodeBody}, cancelling the stream
 * once more than `maxBytes` arrived.
 */
export async function readRequestBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (Number(request.headers.get('content-length')) > maxBytes) throw new TooLargeError(maxBytes)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = request.body?.getReader()
  while (reader) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel()
      throw new TooLargeError(maxBytes)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/** @internal */
export function respond(outcome: Outcome): Response {
  return new Response(JSON.stringify(outcome.body), {
    status: outcome.status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  })
}
