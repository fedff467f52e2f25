import { type Crypto, Failure, type Gen, P } from './core.js'
import type { WebhookVerificationError } from './errors.js'

/**
 * @internal Runs a core generator synchronously: given node:crypto it never yields, so one `next()` runs it
 * through; a yield is a pending seen-store, which a synchronous function cannot wait for. A failure becomes
 * its error through `explain`, given the same crypto (diagnosing a mismatch computes HMACs).
 */
export function runSync<R, X extends Crypto>(
  gen: Gen<R>,
  x: X,
  explain: (f: Failure, x: X) => Gen<WebhookVerificationError>,
): R {
  try {
    return complete(gen)
  } catch (error) {
    throw error instanceof Failure ? complete(explain(error, x)) : error
  }
}

function complete<R>(gen: Gen<R>): R {
  const step = gen.next()
  if (step.done) return step.value
  Promise.resolve(step.value).then(undefined, () => {})
  throw new TypeError(
    `${P}verifySync needs a synchronous SeenStore (markSeen returned a promise); use the async verify() with this store.`,
  )
}

/**
 * @internal Runs a core generator, awaiting what it yields. A failure becomes its error through the failure
 * module, loaded on the first failure and given the same crypto.
 */
export async function runAsync<R>(gen: Gen<R>, x: Crypto): Promise<R> {
  try {
    let step = gen.next()
    while (!step.done) step = gen.next(await step.value)
    return step.value
  } catch (error) {
    throw error instanceof Failure ? await runAsync((await import('./fail.js')).explain(error, x), x) : error
  }
}
