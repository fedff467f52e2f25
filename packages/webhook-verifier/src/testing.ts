/**
 * A conformance check for {@link SeenStore} implementations, written once and run against the built-in
 * store in this package's tests. Implementers of a durable store (Redis, SQL) run the same checks:
 *
 * @example
 * import { checkSeenStore } from '@edusync/webhook-verifier/testing'
 * it('PostgresSeenStore conforms', async () => {
 *   const report = await checkSeenStore(() => new PostgresSeenStore(pool, { table: `seen_${runId}` }))
 *   expect(report.failures).toEqual([])
 * })
 * @packageDocumentation
 */
import { P } from './core.js'
import type { SeenStore } from './seen-store.js'

/** Options of {@link checkSeenStore}. */
export interface CheckSeenStoreOptions {
  /**
   * TTL used by the expiry checks; the check waits `3 * ttlMs` for an entry to expire. Raise it for stores
   * with coarse expiry (Redis `PX` is exact; a SQL store is as exact as its clock).
   * @default 100
   */
  ttlMs?: number
  /** How many concurrent `markSeen` calls race for one id. @default 25 */
  concurrency?: number
  /** Waits; inject a fake for stores driven by a fake clock. @default setTimeout */
  sleep?: (ms: number) => Promise<void>
  /** Prefix of the ids used, so runs sharing a database do not collide. @default a random prefix */
  prefix?: string
}

/** One check and its outcome. */
export interface SeenStoreCheck {
  readonly name: string
  readonly ok: boolean
  /** Why it failed (absent when ok). */
  readonly detail?: string
}

/** What {@link checkSeenStore} found. */
export interface SeenStoreReport {
  readonly checks: readonly SeenStoreCheck[]
  /** The failed checks; empty when the store conforms. */
  readonly failures: readonly SeenStoreCheck[]
}

/**
 * Runs the {@link SeenStore} contract against a store made by `create` (called once per check, so each
 * check starts from a fresh store or a fresh id prefix): first-seen/duplicate answers, independence of ids,
 * atomicity under concurrent calls, TTL expiry, no TTL extension by duplicates, and `release` when present.
 * Resolves with a report; never throws for a non-conforming store (it throws `TypeError` for bad options).
 */
export async function checkSeenStore(
  create: () => SeenStore | Promise<SeenStore>,
  options: CheckSeenStoreOptions = {},
): Promise<SeenStoreReport> {
  if (typeof create !== 'function') throw new TypeError(`${P}checkSeenStore: create must be a function.`)
  const {
    ttlMs = 100,
    concurrency = 25,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    prefix = `conformance-${Math.random().toString(36).slice(2)}-`,
  } = options
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`${P}checkSeenStore: ttlMs must be a positive integer.`)
  if (!Number.isSafeInteger(concurrency) || concurrency < 2) {
    throw new RangeError(`${P}checkSeenStore: concurrency must be an integer of at least 2.`)
  }
  const long = 60_000
  const id = (name: string) => `${prefix}${name}`
  const expect = (cond: boolean, detail: string) => {
    if (!cond) throw new Error(detail)
  }
  const checks: [string, (store: SeenStore) => Promise<void>][] = [
    [
      'answers true the first time and false for a duplicate',
      async (s) => {
        expect((await s.markSeen(id('a'), long)) === true, 'first markSeen did not answer true')
        expect((await s.markSeen(id('a'), long)) === false, 'second markSeen did not answer false')
      },
    ],
    [
      'keeps ids independent',
      async (s) => {
        await s.markSeen(id('b1'), long)
        expect((await s.markSeen(id('b2'), long)) === true, 'a different id was reported as seen')
      },
    ],
    [
      'lets exactly one of many concurrent calls win',
      async (s) => {
        const answers = await Promise.all(
          Array.from({ length: concurrency }, () => s.markSeen(id('race'), long)),
        )
        const wins = answers.filter((a) => a === true).length
        expect(wins === 1, `${wins} of ${concurrency} concurrent calls answered true`)
      },
    ],
    [
      'forgets an id once its TTL has passed',
      async (s) => {
        await s.markSeen(id('ttl'), ttlMs)
        await sleep(3 * ttlMs)
        expect((await s.markSeen(id('ttl'), ttlMs)) === true, 'the id was still seen after 3 × ttlMs')
      },
    ],
    [
      'does not extend the TTL on a duplicate',
      async (s) => {
        await s.markSeen(id('ext'), 2 * ttlMs)
        await sleep(ttlMs)
        await s.markSeen(id('ext'), 2 * ttlMs)
        await sleep(2 * ttlMs)
        expect((await s.markSeen(id('ext'), ttlMs)) === true, 'a duplicate extended the entry')
      },
    ],
    [
      'release() (when implemented) forgets the id',
      async (s) => {
        if (!s.release) return
        await s.markSeen(id('rel'), long)
        await s.release(id('rel'))
        expect((await s.markSeen(id('rel'), long)) === true, 'the id was still seen after release()')
      },
    ],
  ]
  const results = await Promise.all(
    checks.map(async ([name, run]): Promise<SeenStoreCheck> => {
      try {
        await run(await create())
        return { name, ok: true }
      } catch (error) {
        return { name, ok: false, detail: error instanceof Error ? error.message : String(error) }
      }
    }),
  )
  return { checks: results, failures: results.filter((c) => !c.ok) }
}
