import type { ServerResponse } from 'node:http'
import type { Outcome } from './adapter.js'

/** @internal */
export function send(res: ServerResponse, outcome: Outcome): void {
  const body = JSON.stringify(outcome.body)
  res.writeHead(outcome.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(outcome.status === 413 ? { connection: 'close' } : {}),
  })
  res.end(body)
}
