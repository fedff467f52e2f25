/**
 * Erasure checks of one page of documents, per adapter: `tombstones.erasedAmong` (one statement for the
 * page's distinct subject ids) against what the engine does without it (one `isErased` per id, issued
 * concurrently), over the same ids and tombstones in the same run.
 *
 * Run from packages/sync-core:  pnpm exec tsx bench/storage/erased-among.ts [memory|sqlite|postgres ...]
 * A page is 1,000 documents = 2,000 subject ids (the document's own id and its student), 1 % of them
 * erased among 10,000 tombstones. PostgreSQL: EDUSYNC_BENCH_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test); a fresh schema is created and dropped. Compare figures only
 * within one run (the machine is shared).
 */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type StorageAdapter, type Store, createStore } from '../../src/index.js'
import { memoryAdapter } from '../../src/memory.js'
import { postgresAdapter } from '../../src/postgres.js'
import { sqliteAdapter } from '../../src/sqlite.js'

const PG_URL = process.env.EDUSYNC_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const PAGE_IDS = 2_000
const TOMBSTONES = 10_000
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < ROUNDS; i++) await fn()
  return (performance.now() - started) / ROUNDS
}

async function run(name: string, adapter: StorageAdapter, cleanup: () => Promise<void>): Promise<void> {
  const store: Store = createStore(adapter)
  await store.open()
  try {
    const t = store.privacy.tombstones
    const erasedAt = new Date()
    for (let i = 0; i < TOMBSTONES; i++)
      await t.put({
        tenant: 'default',
        subjectId: `EDU-STU-${i * 10}`,
        kind: '*',
        requestId: `r${i}`,
        action: 'deleted',
        erasedAt,
      })
    // Half student ids (every 10th one erased, so 1 % of the page), half document ids (never erased).
    const ids = Array.from({ length: PAGE_IDS }, (_, i) =>
      i % 2 ? `Course Enrollment:CE-${i}` : `EDU-STU-${i % 20 === 0 ? i * 5 : i * 5 + 1}`,
    )
    if (!t.erasedAmong) throw new Error(`${name} does not implement erasedAmong`)
    const batched = await t.erasedAmong('default', ids, 'Course Enrollment')
    const flags = await Promise.all(ids.map((id) => t.isErased('default', id, 'Course Enrollment')))
    const expected = new Set(ids.filter((_, i) => flags[i]))
    if (batched.size !== expected.size || [...batched].some((id) => !expected.has(id)))
      throw new Error(`${name}: erasedAmong and isErased disagree`)
    const perId = await timed(() =>
      Promise.all(ids.map((id) => t.isErased('default', id, 'Course Enrollment'))),
    )
    const among = await timed(() => t.erasedAmong!('default', ids, 'Course Enrollment'))
    console.log(
      `${name}: page of ${PAGE_IDS} subject ids (${batched.size} erased): isErased per id ${perId.toFixed(2)} ms, erasedAmong ${among.toFixed(2)} ms, ${(perId / among).toFixed(1)}x`,
    )
  } finally {
    await store.close()
    await cleanup()
  }
}

const kinds = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['memory', 'sqlite', 'postgres']
for (const kind of kinds) {
  if (kind === 'memory') await run('memory', memoryAdapter(), async () => {})
  else if (kind === 'sqlite') {
    const filename = join(tmpdir(), `edusync-bench-erased-${process.pid}.db`)
    await run('sqlite', sqliteAdapter({ filename }), async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true })
    })
  } else if (kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 4 })
    const schema = `edusync_bench_erased_${process.pid}`
    await run('postgres (4 connections)', postgresAdapter({ client: pool, schema }), async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await pool.end()
    })
  } else throw new Error(`unknown adapter "${kind}" (memory, sqlite, postgres)`)
}
