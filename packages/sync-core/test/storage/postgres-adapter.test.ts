import { PGlite } from '@electric-sql/pglite'
import {
  createStore,
  isCorruptRowError,
  isMigrationError,
  isSchemaVersionError,
  isStorageOperationError,
  LATEST_SCHEMA_VERSION,
} from '@edusync/sync-core'
import { postgresAdapter, type SqlClient } from '@edusync/sync-core/postgres'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { PG_URL, pgSkipReason, uniqueSchema } from './pg-env.js'

const skip = await pgSkipReason()
const pool = skip ? undefined : new pg.Pool({ connectionString: PG_URL, max: 4 })
const lite = new PGlite()
const dropped: [SqlClient, string][] = []

afterAll(async () => {
  for (const [client, schema] of dropped) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await pool?.end()
  await lite.close()
})

const targets: [string, () => SqlClient, string | false][] = [
  ['real server', () => pool!, skip],
  ['PGlite', () => lite, false],
]

for (const [label, client, skipReason] of targets) {
  describe.skipIf(skipReason !== false)(
    `postgres adapter on ${label}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    { timeout: 60_000 },
    () => {
      async function migrated(): Promise<string> {
        const schema = uniqueSchema('pga')
        dropped.push([client(), schema])
        const store = createStore(postgresAdapter({ client: client(), schema }))
        await store.documents.upsert({
          doctype: 'Student',
          name: 'A',
          modified: '2026-01-05 10:00:00',
          data: { a: 1 },
        })
        await store.audit.append({ type: 'x', status: 'ok' })
        await store.close()
        return schema
      }

      it('migrates into the chosen schema and records the version', async () => {
        const schema = await migrated()
        const { rows } = await client().query(
          `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
        )
        expect(rows.map((r) => [Number(r.version), r.name])).toEqual([
          [1, 'initial'],
          [2, 'queue_document_index'],
        ])
        expect(LATEST_SCHEMA_VERSION).toBe(2)
      })

      it('upgrades a version-1 schema: the queue gains its (doctype, name) index, data kept', async () => {
        const schema = await migrated()
        // What version 1 left behind: no sync_queue_document index, one migration recorded.
        await client().query(`DROP INDEX "${schema}".sync_queue_document`)
        await client().query(`DELETE FROM "${schema}".schema_migrations WHERE version = 2`)
        const store = createStore(postgresAdapter({ client: client(), schema }))
        expect((await store.documents.get('Student', 'A'))?.data).toEqual({ a: 1 })
        await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
        expect(await store.queue.cancel!('Student', ['A'])).toBe(1)
        await store.close()
        const { rows } = await client().query(
          `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'sync_queue_document'`,
          [schema],
        )
        expect(rows).toHaveLength(1)
        expect(String(rows[0]!.indexdef)).toContain('(doctype, name)')
        const versions = await client().query(
          `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
        )
        expect(versions.rows.map((r) => Number(r.version))).toEqual([1, 2])
      })

      it('opening twice (a second process) migrates nothing and keeps the data', async () => {
        const schema = await migrated()
        const store = createStore(postgresAdapter({ client: client(), schema }))
        expect((await store.documents.get('Student', 'A'))?.data).toEqual({ a: 1 })
        await store.close()
      })

      it('refuses a schema migrated by a newer version', async () => {
        const schema = await migrated()
        await client().query(
          `INSERT INTO "${schema}".schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)`,
        )
        const store = createStore(postgresAdapter({ client: client(), schema }))
        const error = await store.open().catch((e: unknown) => e)
        expect(isSchemaVersionError(error)).toBe(true)
        expect(error).toMatchObject({ found: 99, supported: LATEST_SCHEMA_VERSION })
        await store.close()
      })

      it('rolls a failed migration back and reports MigrationError', async () => {
        const schema = uniqueSchema('pgf')
        dropped.push([client(), schema])
        await client().query(`CREATE SCHEMA "${schema}"`)
        await client().query(`CREATE TABLE "${schema}".sync_logs (unrelated TEXT)`)
        const store = createStore(postgresAdapter({ client: client(), schema }))
        const error = await store.open().catch((e: unknown) => e)
        expect(isMigrationError(error)).toBe(true)
        const { rows } = await client().query(
          `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename = 'sync_documents'`,
          [schema],
        )
        expect(rows).toEqual([])
        await store.close()
      })

      it('reports a row that does not decode as CorruptRowError', async () => {
        const schema = await migrated()
        await client().query(`UPDATE "${schema}".sync_logs SET fields = '{"not": "a list"}'::jsonb`)
        const store = createStore(postgresAdapter({ client: client(), schema }))
        const error = await store.audit.query().catch((e: unknown) => e)
        expect(isCorruptRowError(error)).toBe(true)
        expect(error).toMatchObject({ table: 'sync_logs' })
        await store.close()
      })

      it('validates its options', () => {
        expect(() => postgresAdapter({ client: {} as never })).toThrow(TypeError)
        expect(() => postgresAdapter({ client: client(), schema: 'Bad-Name' })).toThrow(TypeError)
        expect(() => postgresAdapter({ client: client(), schema: 'x"; DROP' })).toThrow(TypeError)
        expect(() => postgresAdapter({ client: client(), multiProcess: 'yes' as never })).toThrow(TypeError)
      })
    },
  )
}

describe.skipIf(skip !== false)('postgres adapter: races across connections', { timeout: 60_000 }, () => {
  it('a failure racing a concurrent enqueue of the same document is superseded, not a unique violation', async () => {
    const schema = uniqueSchema('race')
    dropped.push([pool!, schema])
    const store = createStore(postgresAdapter({ client: pool!, schema }))
    await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
    const [task] = await store.queue.lease('w', 1, 60_000)
    // Another connection makes the pending task of the same key, uncommitted for now.
    const other = await pool!.connect()
    await other.query('BEGIN')
    await other.query(
      `INSERT INTO "${schema}".sync_queue (coalesce_key, kind, doctype, name, priority, run_at, state, attempts,
         max_attempts, created_at, updated_at) VALUES ($1, 'pull', 'Student', 'A', 0, 0, 'pending', 0, 8, 0, 0)`,
      [task!.key],
    )
    const failing = store.queue.fail(task!.leaseToken, 'E_TIMEOUT')
    // Let the failure reach the unique index (it waits there for the other transaction), then commit.
    await new Promise((r) => setTimeout(r, 300))
    await other.query('COMMIT')
    other.release()
    expect(await failing).toBe('superseded')
    expect((await store.queue.stats()).pending).toBe(1)
    await store.close()
  })
})

describe('postgres adapter: an unreachable server', { timeout: 60_000 }, () => {
  it('fails open with StorageOperationError carrying the driver code', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const down = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      connectionTimeoutMillis: 2000,
    })
    const store = createStore(postgresAdapter({ client: down, schema: 'unreachable' }))
    const error = await store.queue.stats().catch((e: unknown) => e)
    expect(isStorageOperationError(error)).toBe(true)
    expect(error).toMatchObject({ operation: 'open', driverCode: 'ECONNREFUSED' })
    await store.close()
    await down.end()
  })
})

describe.skipIf(skip !== false)('postgres adapter on a single pg Client', { timeout: 60_000 }, () => {
  it('serialises work on the one connection: transactions commit, roll back, and never swallow other calls', async () => {
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    const schema = uniqueSchema('client')
    dropped.push([pool!, schema])
    const store = createStore(postgresAdapter({ client, schema }))
    const failure = new Error('boom')
    // A call issued while a transaction is open must wait for it, not run inside it (and be rolled back).
    let outside: Promise<unknown> | undefined
    await expect(
      store.transaction(async (tx) => {
        await tx.cursors.set({ site: 's', doctype: 'Student', modified: '2026-01-05 10:00:00', name: 'A' })
        outside = store.cursors.set({
          site: 's',
          doctype: 'Guardian',
          modified: '2026-01-05 10:00:00',
          name: 'G',
        })
        throw failure
      }),
    ).rejects.toBe(failure)
    await outside
    expect(await store.cursors.get('s', 'Student')).toBeNull()
    expect(await store.cursors.get('s', 'Guardian')).not.toBeNull()
    await store.transaction(async (tx) => {
      await tx.cursors.set({ site: 's', doctype: 'Student', modified: '2026-01-05 10:00:00', name: 'B' })
    })
    expect((await store.cursors.get('s', 'Student'))?.name).toBe('B')
    await store.close()
    await client.end()
  })
})
