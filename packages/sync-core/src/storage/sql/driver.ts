/** A row as a driver returns it. */
export type SqlRow = Record<string, unknown>

/** Runs SQL written with `?` placeholders. */
export interface SqlExecutor {
  /** Run a statement and return its rows (use for SELECT and for statements with RETURNING). */
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>
  /** Run a statement and return the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>
}

/** The differences between the SQL dialects the shared implementation targets. */
export interface SqlDialect {
  readonly kind: 'sqlite' | 'postgres'
  /** The (possibly schema-qualified) name of a table. */
  table(name: string): string
  /** A placeholder for a JSON parameter (passed as a JSON string). */
  readonly jsonParam: string
  /** Decode a JSON column value; `undefined` when it cannot be decoded. */
  readJson(value: unknown): { ok: true; value: unknown } | { ok: false }
  readonly greatest: string
  readonly least: string
  /** Appended to the lease sub-select. */
  readonly lockClause: string
  /** Statements to run first inside the migration transaction (locks, schema creation). */
  readonly migrationPrelude: readonly string[]
  /** Column types. */
  readonly types: {
    readonly json: string
    readonly bool: string
    readonly int: string
    readonly real: string
    readonly text: string
    readonly id: string
  }
}

/** A connection (or pool) with transactions. */
export interface SqlDriver {
  /** For statements outside a transaction. */
  readonly executor: SqlExecutor
  /** Run `fn` in a transaction; nested calls are not supported. */
  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T>
}

/**
 * A FIFO mutex. Single-connection drivers serialise every statement through it so that statements from
 * outside a transaction never run inside another caller's open transaction.
 */
export class AsyncLock {
  #tail: Promise<void> = Promise.resolve()
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(fn)
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}

/** `(?, ?, ?)` with `n` placeholders. */
export function placeholders(n: number, p = '?'): string {
  return `(${Array.from({ length: n }, () => p).join(', ')})`
}
