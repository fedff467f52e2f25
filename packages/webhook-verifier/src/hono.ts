/**
 * Hono adapter (Web Crypto, so it runs wherever Hono runs).
 * @packageDocumentation
 */
import { type AdapterOptions, adapterOptions, deliver, readRequestBody, respond } from './adapter.js'
import { createERPNextVerifier } from './web.js'

export type { AdapterOptions } from './adapter.js'

/** The part of Hono's `Context` the adapter uses. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request }
}

/**
 * A Hono handler for ERPNext webhooks; `onEvent` receives the Hono context.
 * @example
 * app.post('/erpnext/webhook', erpnextWebhook({ secret: env.ERPNEXT_WEBHOOK_SECRET, onEvent: handle }))
 */
export function erpnextWebhook<T = unknown, C extends HonoContextLike = HonoContextLike>(
  options: AdapterOptions<T, C>,
): (c: C) => Promise<Response> {
  const { verifier: vo, onEvent, onError } = adapterOptions(options)
  const verifier = createERPNextVerifier(vo)
  const max = vo.maxBodyBytes ?? 1_048_576
  return async (c) => {
    const read = async () => ({ body: await readRequestBody(c.req.raw, max), headers: c.req.raw.headers })
    return respond(await deliver(verifier.verify, verifier.seen, onEvent, onError, read, c))
  }
}
