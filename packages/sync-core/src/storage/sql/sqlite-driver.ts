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

/** A write waiting for the group commit it joined. */
interface GroupedWrite {
  readonly sql: string
  readonly params: readonly unknown[] | undefined
  readonly resolve: (changes: number) => void
  readonly reject: (error: unknown) => void
}

/**
 * A better-sqlite3 connection as a {@link SqlDriver}. better-sqlite3 is synchronous, so a transaction
 * spanning `await`s holds a lock that every other statement waits for.
 *
 * Group commit: a write outside a transaction (`executor.run`) does not commit on its own. Writes issued
 * within one turn of the event loop join a group that runs, in the order they were issued, in a single
 * `BEGIN IMMEDIATE … COMMIT` (one sync of the WAL with `synchronous = FULL` instead of one per write). Each
 * write runs under its own savepoint, so a failing statement is undone alone and rejects only its caller;
 * every caller's promise settles only after the group's COMMIT, and if the COMMIT fails every write in the
 * group is rolled back and every caller rejected. Nothing is acknowledged before it is committed.
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

  let group: GroupedWrite[] = []
  /** Run one group of writes in one transaction; settle each caller after the COMMIT. */
  const commitGroup = (writes: readonly GroupedWrite[]): void => {
    const outcomes: ({ ok: true; changes: number } | { ok: false; error: unknown })[] = []
    try {
      db.exec('BEGIN IMMEDIATE')
      for (const w of writes) {
        db.exec('SAVEPOINT edusync_group_write')
        try {
          const changes = prepare(w.sql).run(...bind(w.params)).changes
          db.exec('RELEASE edusync_group_write')
          outcomes.push({ ok: true, changes })
        } catch (error) {
          db.exec('ROLLBACK TO edusync_group_write')
          db.exec('RELEASE edusync_group_write')
          outcomes.push({ ok: false, error })
        }
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      for (const w of writes) w.reject(error)
      return
    }
    for (const [i, w] of writes.entries()) {
      const outcome = outcomes[i]!
      if (outcome.ok) w.resolve(outcome.changes)
      else w.reject(outcome.error)
    }
  }
  const groupedRun = (sql: string, params: readonly unknown[] | undefined): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      group.push({ sql, params, resolve, reject })
      if (group.length > 1) return
      // The first write of a group waits one turn of the event loop for others to join it.
      setImmediate(() => {
        void lock.run(() => {
          const writes = group
          group = []
          commitGroup(writes)
        })
      })
    })

  return {
    executor: {
      all: (sql, params) => lock.run(() => direct.all(sql, params)),
      run: groupedRun,
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
