import { AsyncLock, type SqlDialect, type SqlDriver, type SqlExecutor } from './driver.js'

/** The result shape shared by pg and PGlite. */
export interface SqlQueryResult {
  readonly rows: Record<string, unknown>[]
  /** pg */
  readonly rowCount?: number | null
  /** PGlite */
  readonly affectedRows?: number
}

/**
 * The only part of a PostgreSQL client the adapter uses: `query(text, params)` with `$1` placeholders.
 * A pg `Pool`, a pg `Client`, a `PoolClient` and a PGlite instance all fit.
 */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<SqlQueryResult>
}

/** A pool (pg `Pool`): hands out a dedicated connection for each transaction. */
export interface SqlPool extends SqlClient {
  connect(): Promise<SqlClient & { release(error?: Error | boolean): void }>
}

/** The PostgreSQL dialect for tables in `schema`. */
export function postgresDialect(schema: string): SqlDialect {
  let lockKey = 0
  for (const ch of `edusync:${schema}`) lockKey = (Math.imul(lockKey, 31) + ch.charCodeAt(0)) | 0
  return {
    kind: 'postgres',
    table: (name) => `"${schema}".${name}`,
    jsonParam: 'CAST(CAST(? AS TEXT) AS JSONB)',
    readJson: (value) => ({ ok: true, value }),
    greatest: 'GREATEST',
    least: 'LEAST',
    lockClause: 'FOR UPDATE SKIP LOCKED',
    migrationPrelude: [`SELECT pg_advisory_xact_lock(${lockKey})`, `CREATE SCHEMA IF NOT EXISTS "${schema}"`],
    types: {
      json: 'JSONB',
      bool: 'BOOLEAN',
      int: 'BIGINT',
      real: 'DOUBLE PRECISION',
      text: 'TEXT COLLATE "C"',
      id: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    },
  }
}

const converted = new Map<string, string>()
/** Rewrite `?` placeholders to `$1`, `$2`, … (the shared SQL never has `?` inside literals). */
function toNumbered(sql: string): string {
  let out = converted.get(sql)
  if (out === undefined) {
    let n = 0
    out = sql.replace(/\?/g, () => `$${++n}`)
    if (converted.size > 2000) converted.clear()
    converted.set(sql, out)
  }
  return out
}

function executorOf(client: SqlClient): SqlExecutor {
  const params = (p: readonly unknown[] | undefined) => (p ?? []).map((v) => (v === undefined ? null : v))
  return {
    async all(sql, p) {
      return (await client.query(toNumbered(sql), params(p))).rows
    },
    async run(sql, p) {
      const result = await client.query(toNumbered(sql), params(p))
      return result.rowCount ?? result.affectedRows ?? 0
    },
  }
}

/** Whether a client looks like a pg `Pool` (a pg `Client` also has `connect`, but no pool counters). */
export function isPool(client: SqlClient): client is SqlPool {
  const c = client as unknown as Record<string, unknown>
  return (
    typeof c.connect === 'function' && typeof c.totalCount === 'number' && typeof c.idleCount === 'number'
  )
}

/** A pool (one connection per transaction) or a single connection (statements serialised) as a driver. */
export function createPostgresDriver(client: SqlClient, pooled: boolean): SqlDriver {
  if (pooled && isPool(client)) {
    const pool = client
    return {
      executor: executorOf(pool),
      async transaction(fn) {
        const conn = await pool.connect()
        try {
          await conn.query('BEGIN')
          const result = await fn(executorOf(conn))
          await conn.query('COMMIT')
          conn.release()
          return result
        } catch (error) {
          try {
            await conn.query('ROLLBACK')
            conn.release()
          } catch (rollbackError) {
            conn.release(rollbackError instanceof Error ? rollbackError : true)
          }
          throw error
        }
      },
    }
  }
  const lock = new AsyncLock()
  const direct = executorOf(client)
  return {
    executor: {
      all: (sql, p) => lock.run(() => direct.all(sql, p)),
      run: (sql, p) => lock.run(() => direct.run(sql, p)),
    },
    transaction(fn) {
      return lock.run(async () => {
        await client.query('BEGIN')
        try {
          const result = await fn(direct)
          await client.query('COMMIT')
          return result
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined)
          throw error
        }
      })
    },
  }
}
