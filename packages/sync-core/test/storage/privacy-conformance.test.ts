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
import pg from 'pg'
import { afterAll, describe, it } from 'vitest'
import { PG_URL, pgSkipReason, uniqueSchema } from './pg-env.js'

/**
 * `@edusync/privacy-toolkit` ships its own conformance cases for its store interfaces; the privacy areas
 * of every adapter here must pass them too. Each case uses its own tenant, so one store per adapter
 * suffices. (PGlite runs the same SQL as the server in the storage conformance suite.)
 */
const skip = await pgSkipReason()
const pool = skip ? undefined : new pg.Pool({ connectionString: PG_URL, max: 2 })
const schema = uniqueSchema('privacy')
const stores: [string, Store | undefined][] = [
  ['memory', createStore(memoryAdapter())],
  ['sqlite', createStore(sqliteAdapter({ filename: ':memory:' }))],
  ['postgres', pool && createStore(postgresAdapter({ client: pool, schema }))],
]

afterAll(async () => {
  for (const [, store] of stores) await store?.close()
  await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await pool?.end()
})

for (const [name, maybeStore] of stores) {
  const store = maybeStore as Store
  const title = `privacy-toolkit conformance on the ${name} adapter${maybeStore ? '' : ` (skipped: ${skip})`}`
  describe.skipIf(!maybeStore)(title, { timeout: 60_000 }, () => {
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
