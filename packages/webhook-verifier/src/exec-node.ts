import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Op } from './core.js'
import { diagnose } from './diagnose.js'
import { toError } from './fail.js'
import { runAsync, runSync } from './run.js'

// Raw key bytes, not a cached KeyObject: createHmac is faster with bytes (measured in bench/).

/** node:crypto for every operation except the failure diagnosis, which the two executors load differently. */
function crypt(op: Op): unknown {
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

/** @internal performs a core operation with node:crypto, synchronously (the `*Sync` functions). */
export const nodeExec = (op: Op): unknown =>
  op.op === 'diagnose' ? runSync(diagnose(op), nodeExec, toError) : crypt(op)

/**
 * @internal performs a core operation with node:crypto for the async functions: the diagnosis (and, through
 * runAsync, the error messages) load on the first rejected delivery, as in the Web build, so a bundle of
 * the async API stays small.
 */
export const nodeExecAsync = (op: Op): unknown =>
  op.op === 'diagnose'
    ? import('./diagnose.js').then((m) => runAsync(m.diagnose(op), nodeExecAsync))
    : crypt(op)
