import type {
  ConsentStore,
  DataKeyStore,
  DisclosureLedger,
  ReidentificationStore,
  TombstoneStore,
} from '@edusync/privacy-toolkit'
import {
  createStore,
  type LeasedTask,
  type MirrorDocument,
  type StorageAdapter,
  type Store,
  type StoreAreas,
  type TombstoneAdapter,
  type UpsertResult,
} from '@edusync/sync-core'
import { memoryAdapter } from '@edusync/sync-core/memory'
import { postgresAdapter } from '@edusync/sync-core/postgres'
import { sqliteAdapter } from '@edusync/sync-core/sqlite'
import type { SeenStore } from '@edusync/webhook-verifier'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { describe, expectTypeOf, it } from 'vitest'

interface Student extends Record<string, unknown> {
  first_name: string
  enabled: 0 | 1
}

describe('store types', () => {
  const store = createStore(memoryAdapter())

  it('adapters are StorageAdapters and createStore returns a Store', () => {
    expectTypeOf(memoryAdapter()).toEqualTypeOf<StorageAdapter>()
    expectTypeOf(sqliteAdapter({ filename: ':memory:' })).toEqualTypeOf<StorageAdapter>()
    expectTypeOf(store).toEqualTypeOf<Store>()
  })

  it('documents are typed by the caller', () => {
    expectTypeOf(
      store.documents.get<Student>('Student', 'A'),
    ).resolves.toEqualTypeOf<MirrorDocument<Student> | null>()
    expectTypeOf(store.documents.get('Student', 'A')).resolves.toEqualTypeOf<MirrorDocument | null>()
    expectTypeOf(store.documents.list<Student>('Student'))
      .resolves.toHaveProperty('items')
      .toEqualTypeOf<MirrorDocument<Student>[]>()
    expectTypeOf(
      store.documents.upsert<Student>({
        doctype: 'Student',
        name: 'A',
        modified: 'm',
        data: { first_name: 'a', enabled: 1 },
      }),
    ).resolves.toEqualTypeOf<UpsertResult>()
    const wrong = { first_name: 1, enabled: 1 }
    // @ts-expect-error data must match the declared document type
    store.documents.upsert<Student>({ doctype: 'Student', name: 'A', modified: 'm', data: wrong })
  })

  it('queue signatures', () => {
    expectTypeOf(store.queue.lease('w', 10, 30_000)).resolves.toEqualTypeOf<LeasedTask[]>()
    // @ts-expect-error leaseMs is required
    store.queue.lease('w', 10)
    expectTypeOf<LeasedTask['leaseToken']>().toEqualTypeOf<string>()
  })

  it('transactions pass the areas and return the function result', () => {
    expectTypeOf(
      store.transaction(async (tx) => {
        expectTypeOf(tx).toEqualTypeOf<StoreAreas>()
        return 42
      }),
    ).resolves.toEqualTypeOf<number>()
  })

  it('the seen area is a webhook-verifier SeenStore', () => {
    expectTypeOf(store.seen).toMatchTypeOf<SeenStore>()
  })

  it('the privacy areas implement the privacy-toolkit store interfaces', () => {
    expectTypeOf(store.privacy.reidentification).toEqualTypeOf<ReidentificationStore>()
    expectTypeOf(store.privacy.disclosures).toEqualTypeOf<DisclosureLedger>()
    // A TombstoneStore, plus the optional batched erasedAmong.
    expectTypeOf(store.privacy.tombstones).toMatchTypeOf<TombstoneStore>()
    expectTypeOf(store.privacy.tombstones).toEqualTypeOf<TombstoneAdapter>()
    expectTypeOf(store.privacy.consent).toEqualTypeOf<ConsentStore>()
    expectTypeOf(store.privacy.dataKeys).toEqualTypeOf<DataKeyStore>()
  })

  it('the postgres adapter accepts a pg Pool, a pg Client and PGlite', () => {
    postgresAdapter({ client: new pg.Pool() })
    postgresAdapter({ client: new pg.Client() })
    postgresAdapter({ client: new PGlite() })
    // @ts-expect-error anything without query(text, params) is refused
    postgresAdapter({ client: { execute: async () => [] } })
  })
})
