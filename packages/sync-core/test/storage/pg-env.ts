import pg from 'pg'

/** The PostgreSQL server the tests use (trust auth on loopback). */
export const PG_URL = process.env.EDUSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Whether the server answers. Returns a skip reason, or `false` when reachable. Under `CI=true` an
 * unreachable server is an error, never a skip.
 */
export async function pgSkipReason(): Promise<string | false> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return false
  } catch (error) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL at ${PG_URL} is unreachable and CI=true: ${(error as Error).message}`)
    }
    return `PostgreSQL at ${PG_URL} is unreachable (${(error as Error).message})`
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** A schema name unique to this run. */
export function uniqueSchema(label: string): string {
  return `edusync_t_${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`
}
