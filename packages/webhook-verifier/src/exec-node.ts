import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Op } from './core.js'
import { diagnose } from './diagnose.js'
import { toError } from './fail.js'
import { runSync } from './run.js'

// Raw key bytes, not a cached KeyObject: createHmac is faster with bytes (measured in bench/).

/** @internal performs a core operation with node:crypto, synchronously. */
export function nodeExec(op: Op): unknown {
  switch (op.op) {
    case 'sign':
      return createHmac('sha256', op.key).update(op.data).digest()
    case 'verify': {
      const mac = createHmac('sha256', op.key).update(op.data).digest()
      return op.sig.length === mac.length && timingSafeEqual(mac, op.sig)
    }
    case 'digest':
      return createHash('sha256').update(op.data).digest()
    case 'seen':
      return op.store.markSeen(op.id, op.ttl)
    case 'diagnose':
      return runSync(diagnose(op), nodeExec, toError)
  }
}
