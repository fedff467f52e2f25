import { PGlite } from '@electric-sql/pglite'
import {
  consentStoreCases,
  dataKeyStoreCases,
  disclosureLedgerCases,
  reidentificationStoreCases,
  tombstoneStoreCases,
} from '@edusync/privacy-toolkit/testing'
import { createStore, type Store } from '@edusync/sync-core'
import { memoryAdapter } from '@edusync/sync-core/memory'
import { postgresAdapter } from '@edusync/sync-core/postgres'
import { sqliteAdapter } from '@edusync/sync-core/sqlite'
import { afterAll, describe, it } from 'vitest'

/**
 * `@edusync/privacy-toolkit` ships its own conformance cases for its store interfaces; the privacy areas
 * of every adapter here must pass them too. Each case uses its own tenant, so one store per adapter
 * suffices.
 */
const lite = new PGlite()
const stores: [string, Store][] = [
  ['memory', createStore(memoryAdapter())],
  ['sqlite', createStore(sqliteAdapter({ filename: ':memory:' }))],
  [
    'postgres (PGlite)',
    createStore(postgresAdapter({ client: lite, schema: 'privacy', multiProcess: false })),
  ],
]

afterAll(async () => {
  for (const [, store] of stores) await store.close()
  await lite.close()
})

for (const [name, store] of stores) {
  describe(`privacy-toolkit conformance on the ${name} adapter`, { timeout: 60_000 }, () => {
    const cases = [
      ...reidentificationStoreCases(() => store.privacy.reidentification),
      ...disclosureLedgerCases(() => store.privacy.disclosures),
      ...tombstoneStoreCases(() => store.privacy.tombstones),
      ...consentStoreCases(() => store.privacy.consent),
      ...dataKeyStoreCases(() => store.privacy.dataKeys),
    ]
    for (const c of cases) it(c.name, c.run)
  })
}
