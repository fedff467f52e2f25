import { Failure, type Gen, type Op, P } from './core.js'
import type { WebhookVerificationError } from './errors.js'

/**
 * @internal Drives a core generator synchronously. A failure becomes its error through `explain`, driven by
 * the same executor (diagnosing a mismatch computes HMACs).
 */
export function runSync<R>(
  gen: Gen<R>,
  exec: (op: Op) => unknown,
  explain: (f: Failure) => Gen<WebhookVerificationError>,
): R {
  try {
    return drive(gen, exec)
  } catch (error) {
    throw error instanceof Failure ? drive(explain(error), exec) : error
  }
}

function drive<R>(gen: Gen<R>, exec: (op: Op) => unknown): R {
  let step = gen.next()
  while (!step.done) {
    const value = exec(step.value)
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
 * failure module, loaded on the first failure and driven by the same executor.
 */
export async function runAsync<R>(gen: Gen<R>, exec: (op: Op) => unknown): Promise<R> {
  try {
    let step = gen.next()
    while (!step.done) step = gen.next(await exec(step.value))
    return step.value
  } catch (error) {
    throw error instanceof Failure ? await runAsync((await import('./fail.js')).explain(error), exec) : error
  }
}
