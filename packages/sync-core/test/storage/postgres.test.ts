import { PGlite } from '@electric-sql/pglite'
import { postgresAdapter } from '@edusync/sync-core/postgres'
import { testStorageAdapter } from '@edusync/sync-core/testing'
import type { StorageAdapter } from '@edusync/sync-core'
import pg from 'pg'
import { afterAll } from 'vitest'
import { PG_URL, pgSkipReason, uniqueSchema } from './pg-env.js'

interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
}

/**
 * Fresh, empty schemas for each test without paying for migrations every time: a schema is migrated
 * once, emptied (DELETE) after its test, and reused; all are dropped at the end.
 */
function schemaPool(client: Queryable, label: string) {
  const free: string[] = []
  const all: string[] = []
  let n = 0
  return {
    take(): string {
      const schema = free.pop() ?? `${uniqueSchema(label)}_${++n}`
      if (!all.includes(schema)) all.push(schema)
      return schema
    },
    async give(schema: string) {
      const { rows } = await client.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'`,
        [schema],
      )
      // DELETE, not TRUNCATE: on small tables it avoids TRUNCATE's file rewrites and is much faster. One
      // statement (a CTE per table) is one round trip and one commit.
      if (rows.length > 0) {
        const deletes = rows.map((r, i) => `d${i} AS (DELETE FROM "${schema}"."${String(r.tablename)}")`)
        await client.query(`WITH ${deletes.join(', ')} SELECT 1`)
      }
      free.push(schema)
    },
    async dropAll() {
      for (const schema of all) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    },
  }
}

// --- the real server -----------------------------------------------------------------------------
const skip = await pgSkipReason()
const pool = skip ? undefined : new pg.Pool({ connectionString: PG_URL, max: 8 })
const serverSchemas = pool ? schemaPool(pool, 'conf') : undefined
const schemaOf = new WeakMap<StorageAdapter, string>()

testStorageAdapter({
  name: 'postgres (pg Pool, real server)',
  skip,
  create: () => {
    const schema = serverSchemas!.take()
    const adapter = postgresAdapter({ client: pool!, schema })
    schemaOf.set(adapter, schema)
    return adapter
  },
  reopen: (previous) => {
    const adapter = postgresAdapter({ client: pool!, schema: schemaOf.get(previous)! })
    schemaOf.set(adapter, schemaOf.get(previous)!)
    return adapter
  },
  destroy: (adapter) => serverSchemas!.give(schemaOf.get(adapter)!),
  capabilities: { durable: true, multiProcess: true, transactions: true },
})

// --- PGlite (same SQL, no server) -----------------------------------------------------------------
const lite = new PGlite()
const liteSchemas = schemaPool(lite, 'lite')

testStorageAdapter({
  name: 'postgres (PGlite)',
  create: () => {
    const schema = liteSchemas.take()
    const adapter = postgresAdapter({ client: lite, schema, multiProcess: false })
    schemaOf.set(adapter, schema)
    return adapter
  },
  reopen: (previous) => {
    const adapter = postgresAdapter({ client: lite, schema: schemaOf.get(previous)!, multiProcess: false })
    schemaOf.set(adapter, schemaOf.get(previous)!)
    return adapter
  },
  destroy: (adapter) => liteSchemas.give(schemaOf.get(adapter)!),
  capabilities: { durable: true, multiProcess: false, transactions: true },
})

afterAll(async () => {
  await serverSchemas?.dropAll()
  await pool?.end()
  await liteSchemas.dropAll()
  await lite.close()
})
