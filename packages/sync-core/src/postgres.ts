/**
 * The PostgreSQL storage adapter: for deployments with several processes on several machines sharing one
 * database. Works with any client that has `query(text, params)`: a pg `Pool` (recommended), a pg
 * `Client`, or PGlite. Tasks are leased with `FOR UPDATE SKIP LOCKED`; migrations are versioned, run under
 * an advisory lock, and live in a schema of your choice.
 *
 * `pg` (or `@electric-sql/pglite`) is an optional peer dependency.
 * @module
 */
import { createSqlAdapter } from './storage/sql/adapter.js'
import {
  type SqlClient,
  type SqlPool,
  type SqlQueryResult,
  createPostgresDriver,
  isPool,
  postgresDialect,
} from './storage/sql/postgres-driver.js'
import type { StorageAdapter } from './storage/types.js'

export type { SqlClient, SqlPool, SqlQueryResult }

/** Options of {@link postgresAdapter}. */
export interface PostgresAdapterOptions {
  /** Anything with `query(text, params)`. The adapter never ends or closes it. */
  readonly client: SqlClient
  /**
   * The schema holding the tables (created if missing). Lowercase letters, digits and `_`.
   * @default 'edusync'
   */
  readonly schema?: string
  /**
   * Whether other processes may share the database. Set `false` for an in-process database such as PGlite.
   * @default true
   */
  readonly multiProcess?: boolean
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Create a PostgreSQL storage adapter. Wrap it with `createStore`.
 *
 * With a pg `Pool`, each transaction gets its own pooled connection and everything else runs on the pool;
 * with a single connection (pg `Client`, PGlite) statements are serialised so a transaction is never
 * interleaved with other work.
 *
 * @example
 * import pg from 'pg'
 * import { createStore } from '@edusync/sync-core'
 * import { postgresAdapter } from '@edusync/sync-core/postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const store = createStore(postgresAdapter({ client: pool, schema: 'edusync' }))
 */
export function postgresAdapter(options: PostgresAdapterOptions): StorageAdapter {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('[@edusync/sync-core] postgresAdapter(options): expected an options object.')
  }
  const { client, schema = 'edusync', multiProcess = true } = options
  if (typeof client !== 'object' || client === null || typeof client.query !== 'function') {
    throw new TypeError(
      '[@edusync/sync-core] postgresAdapter: `client` must have a query(text, params) method.',
    )
  }
  if (typeof schema !== 'string' || !SCHEMA.test(schema)) {
    throw new TypeError(
      '[@edusync/sync-core] postgresAdapter: `schema` must be 1-63 lowercase letters, digits or "_", not starting with a digit.',
    )
  }
  if (typeof multiProcess !== 'boolean') {
    throw new TypeError('[@edusync/sync-core] postgresAdapter: `multiProcess` must be a boolean.')
  }
  return createSqlAdapter({
    name: 'postgres',
    capabilities: { durable: true, multiProcess, transactions: true },
    dialect: postgresDialect(schema),
    driver: createPostgresDriver(client, isPool(client)),
    async close() {},
  })
}
