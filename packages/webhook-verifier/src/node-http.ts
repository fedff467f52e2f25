/**
 * Adapter for plain `node:http` servers (and anything built on `IncomingMessage`/`ServerResponse`).
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type AdapterOptions, adapterOptions, deliver, readNodeBody } from './adapter.js'
import { send } from './adapter-node.js'
import { createERPNextVerifier } from './node.js'

export type { AdapterOptions, NodeRequestLike } from './adapter.js'
export { readNodeBody } from './adapter.js'

/**
 * A `node:http` request listener that reads the raw body (up to `maxBodyBytes`), verifies it, calls
 * `onEvent`, and answers JSON: 200 on success (and for duplicates), 401 for a rejected delivery, 413 when
 * too large, 500 when `onEvent` throws.
 * @example
 * http.createServer(createNodeHandler({ secret, onEvent: (e) => queue.push(e.payload) })).listen(3000)
 */
export function createNodeHandler<T = unknown>(
  options: AdapterOptions<T, { req: IncomingMessage; res: ServerResponse }>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { verifier: vo, onEvent, onError } = adapterOptions(options)
  const verifier = createERPNextVerifier(vo)
  const max = vo.maxBodyBytes ?? 1_048_576
  return async (req, res) => {
    const outcome = await deliver(
      verifier.verify,
      verifier.seen,
      onEvent,
      onError,
      async () => ({ body: await readNodeBody(req, max), headers: req.headers }),
      { req, res },
    )
    send(res, outcome)
  }
}
