/**
 * Express adapter: a route handler that reads the raw body itself (or uses `req.body` when `express.raw()`
 * already produced a Buffer). Mount it before (or instead of) `express.json()` on its route.
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type AdapterOptions, adapterOptions, deliver, readNodeBody } from './adapter.js'
import { send } from './adapter-node.js'
import { createERPNextVerifier } from './node.js'

export type { AdapterOptions } from './adapter.js'

/** The part of Express's `Request` the adapter uses. */
export type ExpressRequestLike = IncomingMessage & { body?: unknown }

/**
 * An Express handler for ERPNext webhooks: verifies, calls `onEvent(event, { req, res })`, answers JSON.
 * If `express.json()` already parsed the body, deliveries are rejected with `body_not_raw`.
 * @example
 * app.post('/erpnext/webhook', erpnextWebhook({ secret: process.env.ERPNEXT_WEBHOOK_SECRET!, onEvent: handle }))
 */
export function erpnextWebhook<T = unknown>(
  options: AdapterOptions<T, { req: ExpressRequestLike; res: ServerResponse }>,
): (req: ExpressRequestLike, res: ServerResponse) => Promise<void> {
  const { verifier: vo, onEvent, onError } = adapterOptions(options)
  const verifier = createERPNextVerifier(vo)
  const max = vo.maxBodyBytes ?? 1_048_576
  return async (req, res) => {
    const read = async () => ({
      // A body parser ran if req.body is set: use what it left (raw Buffer/string passes, an object fails).
      body: (req.body !== undefined ? req.body : await readNodeBody(req, max)) as Uint8Array,
      headers: req.headers,
    })
    send(res, await deliver(verifier.verify, verifier.seen, onEvent, onError, read, { req, res }))
  }
}
