import { FAILURE, type Failure, type Gen, type Op } from './core.js'
import type { WebhookVerificationError } from './errors.js'
import { P } from './errors.js'

function checkSeen(op: Op, value: unknown): void {
  if (op.op === 'seen' && typeof value !== 'boolean') {
    throw new TypeError(`${P}SeenStore.markSeen must return (or resolve to) a boolean.`)
  }
}

const isFailure = (e: unknown): e is Failure => (e as Failure | null)?.[FAILURE] === true

/** @internal drives a core generator synchronously; failures become errors through `toError`. */
export function runSync<R>(
  gen: Gen<R>,
  exec: (op: Op) => unknown,
  toError: (f: Failure) => WebhookVerificationError,
): R {
  try {
    return drive(gen, exec)
  } catch (error) {
    throw isFailure(error) ? toError(error) : error
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
    checkSeen(step.value, value)
    step = gen.next(value)
  }
  return step.value
}

/** @internal drives a core generator, awaiting every operation; failures become errors through `toError`. */
export async function runAsync<R>(
  gen: Gen<R>,
  exec: (op: Op) => unknown,
  toError: (f: Failure) => WebhookVerificationError | Promise<WebhookVerificationError>,
): Promise<R> {
  try {
    let step = gen.next()
    while (!step.done) {
      const value = await exec(step.value)
      checkSeen(step.value, value)
      step = gen.next(value)
    }
    return step.value
  } catch (error) {
    throw isFailure(error) ? await toError(error) : error
  }
}
