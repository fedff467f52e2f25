/**
 * Fastify adapter: a plugin that registers one POST route with its own raw-body content-type parser
 * (encapsulated, so the rest of the app keeps its JSON parsing).
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http'
import { type AdapterOptions, adapterOptions, deliver, readNodeBody } from './adapter.js'
import { TooLargeError } from './errors.js'
import { createERPNextVerifier } from './node.js'

export type { AdapterOptions } from './adapter.js'

/** The parts of Fastify's request and reply the adapter uses. */
export interface FastifyRequestLike {
  readonly body: unknown
  readonly headers: IncomingMessage['headers']
  readonly raw: IncomingMessage
}
/** @see FastifyRequestLike */
export interface FastifyReplyLike {
  code(status: number): FastifyReplyLike
  header(name: string, value: string): FastifyReplyLike
  send(payload: string): unknown
}

/** Options of {@link erpnextWebhookPlugin}. */
export interface FastifyAdapterOptions<T> extends AdapterOptions<T, { request: FastifyRequestLike }> {
  /** Route path, relative to the plugin prefix. @default '/' */
  path?: string
}

/**
 * A Fastify plugin serving ERPNext webhooks at `path`.
 * @example
 * await app.register(erpnextWebhookPlugin({ path: '/erpnext/webhook', secret, onEvent: handle }))
 */
export function erpnextWebhookPlugin<T = unknown>(
  options: FastifyAdapterOptions<T>,
): (instance: any) => Promise<void> {
  const { path = '/', ...rest } = options ?? ({} as FastifyAdapterOptions<T>)
  const { verifier: vo, onEvent, onError } = adapterOptions(rest)
  const verifier = createERPNextVerifier(vo)
  const max = vo.maxBodyBytes ?? 1_048_576
  return async (instance) => {
    instance.removeAllContentTypeParsers()
    instance.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: max },
      (_req: unknown, body: Uint8Array, done: (err: Error | null, body?: unknown) => void) =>
        done(null, body),
    )
    // Fastify enforces bodyLimit itself; answer its refusal in this package's format.
    instance.setErrorHandler(
      (
        error: { code?: string },
        _request: unknown,
        reply: FastifyReplyLike & { send(e: unknown): unknown },
      ) => {
        if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.send(error)
        const tooLarge = new TooLargeError(max)
        return reply
          .code(413)
          .header('content-type', 'application/json; charset=utf-8')
          .send(JSON.stringify({ error: { code: tooLarge.code, message: tooLarge.message } }))
      },
    )
    instance.post(path, async (request: FastifyRequestLike, reply: FastifyReplyLike) => {
      const read = async () => ({
        // No Content-Type (ERPNext's default) means Fastify parsed nothing: read the stream ourselves.
        body: (request.body instanceof Uint8Array
          ? request.body
          : await readNodeBody(request.raw, max)) as Uint8Array,
        headers: request.headers,
      })
      const outcome = await deliver(verifier.verify, verifier.seen, onEvent, onError, read, { request })
      return reply
        .code(outcome.status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(outcome.body))
    })
  }
}
