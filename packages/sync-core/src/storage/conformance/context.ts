import { afterEach, beforeEach } from 'vitest'
import { type Store, createStore } from '../store.js'
import type { StorageAdapter, StorageCapabilities } from '../types.js'

/** Options of `testStorageAdapter`. */
export interface StorageAdapterSuiteOptions {
  /** Shown in the suite title. @default the adapter's name */
  readonly name?: string
  /** A new adapter over a new, empty database. Called once per test. */
  readonly create: () => StorageAdapter | Promise<StorageAdapter>
  /**
   * Another adapter over the same database as `previous` (a second connection or process view). Needed for
   * the durability tests (`durable`) and the multi-connection lease tests (`multiProcess`); those are
   * skipped without it.
   */
  readonly reopen?: (previous: StorageAdapter) => StorageAdapter | Promise<StorageAdapter>
  /** Release what `create` set up (drop the schema, delete the file), after each test. */
  readonly destroy?: (adapter: StorageAdapter) => void | Promise<void>
  /** The capabilities the adapter must declare; checked, and used to pick the optional test groups. */
  readonly capabilities: StorageCapabilities
  /** Skip the whole suite with this reason (e.g. the database is unreachable). */
  readonly skip?: string | false
}

/** The per-test state shared by the area files. */
export interface SuiteContext {
  /** The store under test (fake clock). */
  readonly store: Store
  readonly adapter: StorageAdapter
  /** Current fake time. */
  now: number
  /** Advance the fake clock. */
  tick(ms: number): void
  /** A store over `reopen(adapter)` sharing the fake clock; closed after the test. */
  reopen(): Promise<Store>
  readonly options: StorageAdapterSuiteOptions
}

/** Real databases on a busy machine may take a while to migrate or clean up. */
const HOOK_TIMEOUT_MS = 60_000

/** Start of the fake clock: 2026-01-05T08:00:00Z. */
export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0)

/** Register per-test setup and return an accessor for the current context. */
export function useSuiteContext(options: StorageAdapterSuiteOptions): () => SuiteContext {
  let ctx: SuiteContext | undefined
  const extra: { adapter: StorageAdapter; store: Store }[] = []
  beforeEach(async () => {
    const adapter = await options.create()
    let ids = 0
    const clock = { now: T0 }
    const make = (a: StorageAdapter) =>
      createStore(a, {
        clock: () => clock.now,
        random: () => 0.5,
        randomId: () => `id-${(++ids).toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        backoff: { baseMs: 1000, maxMs: 60_000, jitter: false },
        maxAttempts: 3,
      })
    const store = make(adapter)
    await store.open()
    ctx = {
      store,
      adapter,
      get now() {
        return clock.now
      },
      set now(v: number) {
        clock.now = v
      },
      tick(ms: number) {
        clock.now += ms
      },
      async reopen() {
        if (!options.reopen) throw new Error('reopen not provided')
        const other = await options.reopen(adapter)
        const s = make(other)
        extra.push({ adapter: other, store: s })
        await s.open()
        return s
      },
      options,
    }
  }, HOOK_TIMEOUT_MS)
  afterEach(async () => {
    for (const e of extra.splice(0)) await e.store.close()
    if (ctx) {
      await ctx.store.close()
      await options.destroy?.(ctx.adapter)
      ctx = undefined
    }
  }, HOOK_TIMEOUT_MS)
  return () => {
    if (!ctx) throw new Error('suite context used outside a test')
    return ctx
  }
}
