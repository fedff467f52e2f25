import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Op } from './core.js'

// Raw key bytes, not a cached KeyObject: createHmac is faster with bytes (measured in bench/).

/** @internal performs a core operation with node:crypto, synchronously (the async runner awaits it). */
export function nodeExec(op: Op): unknown {
  switch (op.op) {
    case 'hmac': {
      const mac = createHmac('sha256', op.key).update(op.data).digest()
      return op.sig ? op.sig.length === mac.length && timingSafeEqual(mac, op.sig) : mac
    }
    case 'digest':
      return createHash('sha256').update(op.data).digest('hex')
    case 'seen':
      return op.store.markSeen(op.id, op.ttl)
  }
}
