/**
 * Fetch `Request`/`Response` adapter (Web Crypto): Next.js route handlers, Cloudflare Workers, Deno,
 * Bun, Vercel Edge, and anything else that speaks the Fetch API.
 * @packageDocumentation
 */
import { type AdapterOptions, adapterOptions, deliver, readRequestBody, respond } from './adapter.js'
import { createERPNextVerifier } from './web.js'

export type { AdapterOptions } from './adapter.js'
export { readRequestBody } from './adapter.js'

/**
 * A `(request: Request) => Promise<Response>` handler for ERPNext webhooks.
 * @example
 * // app/api/erpnext/route.ts (Next.js)
 * export const POST = createFetchHandler({ secret: process.env.ERPNEXT_WEBHOOK_SECRET!, onEvent: handle })
 */
export function createFetchHandler<T = unknown>(
  options: AdapterOptions<T, { request: Request }>,
): (request: Request) => Promise<Response> {
  const { verifier: vo, onEvent, onError } = adapterOptions(options)
  const verifier = createERPNextVerifier(vo)
  const max = vo.maxBodyBytes ?? 1_048_576
  return async (request) => {
    const read = async () => ({ body: await readRequestBody(request, max), headers: request.headers })
    return respond(await deliver(verifier.verify, verifier.seen, onEvent, onError, read, { request }))
  }
}
