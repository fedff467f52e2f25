import { type Crypto, Failure, type Gen, P } from './core.js'
import type { WebhookVerificationError } from './errors.js'

/**
 * @internal Drives a core generator synchronously. A failure becomes its error through `explain`, driven by
 * the same crypto (diagnosing a mismatch computes HMACs).
 */
export function runSync<R, X extends Crypto>(
  gen: Gen<R, X>,
  exec: X,
  explain: (f: Failure) => Gen<WebhookVerificationError>,
): R {
  try {
    return drive(gen, exec)
  } catch (error) {
    throw error instanceof Failure ? drive(explain(error), exec) : error
  }
}

function drive<R, X extends Crypto>(gen: Gen<R, X>, exec: X): R {
  let step = gen.next()
  while (!step.done) {
    const value = step.value(exec)
    if (value instanceof Promise || (value as { then?: unknown } | null)?.then) {
      Promise.resolve(value).catch(() => {})
      throw new TypeError(
        `${P}verifySync needs a synchronous SeenStore (markSeen returned a promise); use the async verify() with this store.`,
      )
    }
    step = gen.next(value)
  }
  return step.value
}

/**
 * @internal Drives a core generator, awaiting every operation. A failure becomes its error through the
 * failure module, loaded on the first failure and driven by the same crypto.
 */
export async function runAsync<R, X extends Crypto>(gen: Gen<R, X>, exec: X): Promise<R> {
  try {
    let step = gen.next()
    while (!step.done) step = gen.next(await step.value(exec))
    return step.value
  } catch (error) {
    throw error instanceof Failure ? await runAsync((await import('./fail.js')).explain(error), exec) : error
  }
}
