import { createHash, createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto'
import type { Op } from './core.js'
import { diagnose } from './diagnose.js'
import { runSync } from './run.js'

const keys = new WeakMap<Uint8Array, KeyObject>()

function key(raw: Uint8Array): KeyObject {
  let k = keys.get(raw)
  if (!k) {
    k = createSecretKey(raw)
    keys.set(raw, k)
  }
  return k
}

/** @internal performs a core operation with node:crypto, synchronously. */
export function nodeExec(op: Op): unknown {
  switch (op.op) {
    case 'sign':
      return createHmac('sha256', key(op.key)).update(op.data).digest()
    case 'verify': {
      const mac = createHmac('sha256', key(op.key)).update(op.data).digest()
      return op.sig.length === mac.length && timingSafeEqual(mac, op.sig)
    }
    case 'digest':
      return createHash('sha256').update(op.data).digest()
    case 'seen':
      return op.store.markSeen(op.id, op.ttl)
    case 'diagnose':
      return runSync(diagnose(op), nodeExec)
  }
}
