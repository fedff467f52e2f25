/**
 * The SQLite storage adapter (better-sqlite3): the embedded default. One process, durable, zero setup;
 * WAL journal, versioned migrations, every multi-statement change in one transaction.
 *
 * `better-sqlite3` is an optional peer dependency: install it to use this entry point.
 * @module
 */
import Database from 'better-sqlite3'
import { createSqlAdapter } from './storage/sql/adapter.js'
import { createSqliteDriver, sqliteDialect } from './storage/sql/sqlite-driver.js'
import type { StorageAdapter } from './storage/types.js'

/** Options of {@link sqliteAdapter}. */
export interface SqliteAdapterOptions {
  /**
   * Path of the database file (created if missing), or `':memory:'` for a throw-away database. Ignored
   * when `database` is given.
   */
  readonly filename?: string
  /** An open better-sqlite3 database to use instead of opening `filename`; the adapter never closes it. */
  readonly database?: Database.Database
  /**
   * `full` syncs the WAL on every commit (survives power loss); `normal` syncs at checkpoints (survives a
   * process crash, may lose the last commits on power loss; faster). Writes outside a transaction are
   * group-committed (those issued within one turn of the event loop share one commit, each settling only
   * after it), so concurrent single writes pay one sync between them.
   * @default 'full'
   */
  readonly synchronous?: 'full' | 'normal'
  /**
   * How long a statement waits for another connection's lock before failing, in ms.
   * @default 5000
   */
  readonly busyTimeoutMs?: number
}

/**
 * Create a SQLite storage adapter. Wrap it with `createStore`.
 *
 * @example
 * import { createStore } from '@edusync/sync-core'
 * import { sqliteAdapter } from '@edusync/sync-core/sqlite'
 *
 * const store = createStore(sqliteAdapter({ filename: './edusync.db' }))
 * await store.open()
 */
export function sqliteAdapter(options: SqliteAdapterOptions): StorageAdapter {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('[@edusync/sync-core] sqliteAdapter(options): expected an options object.')
  }
  const { filename, database, synchronous = 'full', busyTimeoutMs = 5000 } = options
  if (database === undefined && (typeof filename !== 'string' || filename === '')) {
    throw new TypeError(
      '[@edusync/sync-core] sqliteAdapter: `filename` must be a non-empty path or ":memory:".',
    )
  }
  if (database !== undefined && (typeof database !== 'object' || typeof database?.prepare !== 'function')) {
    throw new TypeError('[@edusync/sync-core] sqliteAdapter: `database` must be a better-sqlite3 Database.')
  }
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new TypeError('[@edusync/sync-core] sqliteAdapter: `synchronous` must be "full" or "normal".')
  }
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(
      '[@edusync/sync-core] sqliteAdapter: `busyTimeoutMs` must be a non-negative integer.',
    )
  }
  const owned = database === undefined
  const db = database ?? new Database(filename as string)
  const memory = owned && filename === ':memory:'
  return createSqlAdapter({
    name: 'sqlite',
    capabilities: { durable: !memory && db.memory !== true, multiProcess: false, transactions: true },
    dialect: sqliteDialect,
    driver: createSqliteDriver(db),
    async connect() {
      if (!memory) db.pragma('journal_mode = WAL')
      db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
      db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    },
    async close() {
      if (owned && db.open) db.close()
    },
  })
}
