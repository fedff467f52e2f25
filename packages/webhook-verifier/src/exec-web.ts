import type { Failure, Op } from './core.js'
import { runAsync } from './run.js'

/** @internal builds the error of a failure, loading the messages on demand. */
export const lazyToError = async (f: Failure) => (await import('./fail.js')).toError(f)

const keys = new WeakMap<Uint8Array, Promise<CryptoKey>>()
const HMAC = { name: 'HMAC', hash: 'SHA-256' }

function key(raw: Uint8Array): Promise<CryptoKey> {
  let k = keys.get(raw)
  if (!k) {
    k = crypto.subtle.importKey('raw', raw as BufferSource, HMAC, false, ['sign', 'verify'])
    keys.set(raw, k)
  }
  return k
}

/** @internal performs a core operation with Web Crypto. */
export async function webExec(op: Op): Promise<unknown> {
  switch (op.op) {
    case 'sign':
      return new Uint8Array(await crypto.subtle.sign('HMAC', await key(op.key), op.data as BufferSource))
    case 'verify':
      return crypto.subtle.verify('HMAC', await key(op.key), op.sig as BufferSource, op.data as BufferSource)
    case 'digest':
      return new Uint8Array(await crypto.subtle.digest('SHA-256', op.data as BufferSource))
    case 'seen':
      return op.store.markSeen(op.id, op.ttl)
    case 'diagnose':
      // Failure path only: loaded on demand to keep the verify bundle small.
      return runAsync((await import('./diagnose.js')).diagnose(op), webExec, lazyToError)
  }
}
