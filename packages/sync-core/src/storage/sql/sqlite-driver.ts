import type { Database, Statement } from 'better-sqlite3'
import { AsyncLock, type SqlDialect, type SqlDriver, type SqlExecutor } from './driver.js'

/** The SQLite dialect. */
export const sqliteDialect: SqlDialect = {
  kind: 'sqlite',
  table: (name) => name,
  jsonParam: '?',
  readJson(value) {
    if (typeof value !== 'string') return { ok: false }
    try {
      return { ok: true, value: JSON.parse(value) }
    } catch {
      return { ok: false }
    }
  },
  greatest: 'max',
  least: 'min',
  lockClause: '',
  migrationPrelude: [],
  types: {
    json: 'TEXT',
    bool: 'INTEGER',
    int: 'INTEGER',
    real: 'REAL',
    text: 'TEXT',
    id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  },
}

function bind(params: readonly unknown[] | undefined): unknown[] {
  if (!params) return []
  return params.map((p) => (p === true ? 1 : p === false ? 0 : p === undefined ? null : p))
}

/**
 * A better-sqlite3 connection as a {@link SqlDriver}. better-sqlite3 is synchronous, so a transaction
 * spanning `await`s holds a lock that every other statement waits for.
 */
export function createSqliteDriver(db: Database): SqlDriver {
  const lock = new AsyncLock()
  const cache = new Map<string, Statement>()
  const prepare = (sql: string): Statement => {
    let stmt = cache.get(sql)
    if (!stmt) {
      stmt = db.prepare(sql)
      cache.set(sql, stmt)
    }
    return stmt
  }
  const direct: SqlExecutor = {
    async all(sql, params) {
      const stmt = prepare(sql)
      if (stmt.reader) return stmt.all(...bind(params)) as Record<string, unknown>[]
      stmt.run(...bind(params))
      return []
    },
    async run(sql, params) {
      return prepare(sql).run(...bind(params)).changes
    },
  }
  return {
    executor: {
      all: (sql, params) => lock.run(() => direct.all(sql, params)),
      run: (sql, params) => lock.run(() => direct.run(sql, params)),
    },
    transaction(fn) {
      return lock.run(async () => {
        db.exec('BEGIN IMMEDIATE')
        try {
          const result = await fn(direct)
          db.exec('COMMIT')
          return result
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK')
          throw error
        }
      })
    },
  }
}
