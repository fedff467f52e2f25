/**
 * The storage-adapter conformance suite. Every adapter shipped with `@edusync/sync-core` runs it, and so
 * should yours: call {@link testStorageAdapter} from a vitest test file.
 *
 * This entry point imports `vitest` (an optional peer dependency, `>=4`); import it only from tests.
 * @module
 */
import { describe } from 'vitest'
import { aiTests, privacyTests, seenTests } from './storage/conformance/ai.js'
import { type StorageAdapterSuiteOptions, T0, useSuiteContext } from './storage/conformance/context.js'
import { documentTests } from './storage/conformance/documents.js'
import {
  durabilityTests,
  lifecycleTests,
  multiConnectionTests,
  transactionTests,
} from './storage/conformance/lifecycle.js'
import { queueTests } from './storage/conformance/queue.js'
import { auditTests, cursorTests, reviewTests } from './storage/conformance/records.js'

export type { StorageAdapterSuiteOptions }
/** Where the suite's fake clock starts (2026-01-05T08:00:00Z, epoch milliseconds). */
export const SUITE_EPOCH: number = T0

/**
 * Register the conformance suite for a storage adapter, organised by area (lifecycle, documents, queue,
 * cursors, reviews, audit log, AI records, privacy state, seen-store, transactions, durability, leases
 * across connections). `create` is called before every test and must return an adapter over a fresh,
 * empty database. Groups that need a capability (`transactions`, `durable`, `multiProcess`) run when the
 * adapter declares it; `durable` and `multiProcess` also need `reopen`.
 *
 * The suite drives the store with a fake clock starting at {@link SUITE_EPOCH}, so lease expiry and
 * back-off are tested without waiting.
 *
 * @example
 * // test/my-adapter.test.ts
 * import { testStorageAdapter } from '@edusync/sync-core/testing'
 * import { myAdapter } from '../src/index.js'
 *
 * testStorageAdapter({
 *   create: () => myAdapter({ url: freshDatabaseUrl() }),
 *   reopen: (previous) => myAdapter({ url: urlOf(previous) }),
 *   destroy: (adapter) => dropDatabase(adapter),
 *   capabilities: { durable: true, multiProcess: true, transactions: true },
 * })
 */
export function testStorageAdapter(options: StorageAdapterSuiteOptions): void {
  if (typeof options !== 'object' || options === null || typeof options.create !== 'function') {
    throw new TypeError(
      '[@edusync/sync-core] testStorageAdapter: `create` must be a function returning an adapter.',
    )
  }
  const caps = options.capabilities
  if (typeof caps !== 'object' || caps === null) {
    throw new TypeError('[@edusync/sync-core] testStorageAdapter: `capabilities` must be given.')
  }
  const title = `storage adapter conformance: ${options.name ?? 'adapter'}`
  if (options.skip) {
    describe.skip(`${title} (skipped: ${options.skip})`, () => {})
    return
  }
  // Real databases on a shared machine can be slow; no test here measures time.
  describe(title, { timeout: 60_000 }, () => {
    const get = useSuiteContext(options)
    lifecycleTests(get)
    documentTests(get)
    queueTests(get)
    cursorTests(get)
    reviewTests(get)
    auditTests(get)
    aiTests(get)
    privacyTests(get)
    seenTests(get)
    if (caps.transactions) transactionTests(get)
    if (caps.durable && options.reopen) durabilityTests(get)
    if (caps.multiProcess && options.reopen) multiConnectionTests(get)
  })
}
