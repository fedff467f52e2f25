import { Failure, type Gen, type Op, P } from './core.js'
import type { WebhookVerificationError } from './errors.js'

/** @internal drives a core generator synchronously; failures become errors through `toError`. */
export function runSync<R>(
  gen: Gen<R>,
  exec: (op: Op) => unknown,
  toError: (f: Failure) => WebhookVerificationError,
): R {
  try {
    return drive(gen, exec)
  } catch (error) {
    throw error instanceof Failure ? toError(error) : error
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

/** @internal drives a core generator, awaiting every operation; failures become errors on demand. */
export async function runAsync<R>(gen: Gen<R>, exec: (op: Op) => unknown): Promise<R> {
  try {
    let step = gen.next()
    while (!step.done) step = gen.next(await exec(step.value))
    return step.value
  } catch (error) {
    // The error classes and messages load on the first failure.
    throw error instanceof Failure ? (await import('./fail.js')).toError(error) : error
  }
}
