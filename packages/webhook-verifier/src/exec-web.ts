import type { Op } from './core.js'

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
    case 'hmac': {
      const k = await key(op.key)
      const data = op.data as BufferSource
      return op.sig
        ? crypto.subtle.verify('HMAC', k, op.sig as BufferSource, data)
        : new Uint8Array(await crypto.subtle.sign('HMAC', k, data))
    }
    case 'digest':
      return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', op.data as BufferSource)), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('')
    case 'seen':
      return op.store.markSeen(op.id, op.ttl)
  }
}
