/**
 * Storage benchmarks, per adapter: batched document upserts per second, enqueue→lease→complete cycles per
 * second with 1 and 4 workers, and the on-disk size of a 100,000-document mirror.
 *
 * Run from packages/sync-core:  pnpm exec tsx bench/storage/storage.bench.ts [memory|sqlite|postgres|pglite ...]
 * PostgreSQL: EDUSYNC_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test); a fresh schema is
 * created and dropped. Compare figures only within one run (the machine is shared).
 */
import { rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { createStore, type DocumentInput, type StorageAdapter, type Store } from '../../src/index.js'
import { memoryAdapter } from '../../src/memory.js'
import { postgresAdapter } from '../../src/postgres.js'
import { sqliteAdapter } from '../../src/sqlite.js'

const PG_URL = process.env.EDUSYNC_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const UPSERTS = Number(process.env.BENCH_UPSERTS ?? 20_000)
const CYCLES = Number(process.env.BENCH_CYCLES ?? 2_000)
const MIRROR = Number(process.env.BENCH_MIRROR ?? 100_000)
const BATCH = 500

/** A Student-sized document (about 1.2 KB of JSON), different per index. */
function studentDoc(i: number, version = 0): DocumentInput {
  const name = `EDU-STU-2026-${String(i).padStart(6, '0')}`
  const second = String(version % 60).padStart(2, '0')
  return {
    doctype: 'Student',
    name,
    modified: `2026-01-05 10:00:${second}.${String(i % 1_000_000).padStart(6, '0')}`,
    data: {
      name,
      doctype: 'Student',
      naming_series: 'EDU-STU-.YYYY.-',
      first_name: `First${i}`,
      middle_name: null,
      last_name: `Last${i % 977}`,
      student_name: `First${i} Last${i % 977}`,
      student_email_id: `student${i}@school.example`,
      student_mobile_number: `+1555${String(i).padStart(7, '0')}`,
      joining_date: '2025-09-01',
      date_of_birth: '2012-04-17',
      gender: i % 2 ? 'Female' : 'Male',
      blood_group: 'O+',
      nationality: 'Examplian',
      enabled: 1,
      address_line_1: `${i} School Road`,
      city: 'Springfield',
      state: 'State',
      pincode: '12345',
      country: 'Examplia',
      guardians: [
        {
          name: `g${i}a`,
          guardian: `EDU-GRD-${i}`,
          guardian_name: `Parent ${i}`,
          relation: 'Mother',
          idx: 1,
        },
      ],
      siblings: [],
      ai_learning_profile: { pace: i % 5, style: 'visual', strengths: ['fractions', 'reading'] },
      owner: 'Administrator',
      creation: '2025-09-01 08:00:00.000000',
      modified_by: 'Administrator',
      docstatus: 0,
      idx: 0,
    },
  }
}

interface Target {
  name: string
  /** A fresh adapter over a fresh database, plus extra connections on it and cleanup. */
  setup(): Promise<{
    adapter: StorageAdapter
    more: () => StorageAdapter
    size: () => Promise<number | null>
    done: () => Promise<void>
  }>
}

function sqliteTarget(synchronous: 'full' | 'normal'): Target {
  return {
    name: `sqlite (synchronous=${synchronous})`,
    async setup() {
      const filename = join(tmpdir(), `edusync-bench-${process.pid}-${Date.now()}.db`)
      const adapter = sqliteAdapter({ filename, synchronous })
      return {
        adapter,
        more: () => adapter,
        async size() {
          // Checkpoint so the size is the database itself, not a WAL backlog.
          const Database = (await import('better-sqlite3')).default
          const db = new Database(filename)
          db.pragma('wal_checkpoint(TRUNCATE)')
          db.close()
          return statSync(filename).size
        },
        async done() {
          for (const s of ['', '-wal', '-shm']) rmSync(filename + s, { force: true })
        },
      }
    },
  }
}

const targets: Record<string, Target> = {
  memory: {
    name: 'memory',
    async setup() {
      const adapter = memoryAdapter()
      return { adapter, more: () => adapter, size: async () => null, done: async () => {} }
    },
  },
  sqlite: sqliteTarget('full'),
  'sqlite-normal': sqliteTarget('normal'),
  postgres: {
    name: 'postgres (pg Pool, local server)',
    async setup() {
      const schema = `edusync_bench_${process.pid}_${Date.now().toString(36)}`
      const pools: pg.Pool[] = []
      const connect = () => {
        const pool = new pg.Pool({ connectionString: PG_URL, max: 4 })
        pools.push(pool)
        return postgresAdapter({ client: pool, schema })
      }
      const adapter = connect()
      return {
        adapter,
        more: connect,
        async size() {
          await pools[0]!.query(`VACUUM "${schema}".sync_documents`)
          const { rows } = await pools[0]!.query(
            `SELECT pg_total_relation_size('"${schema}".sync_documents') AS n`,
          )
          return Number(rows[0]!.n)
        },
        async done() {
          await pools[0]!.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
          for (const p of pools) await p.end()
        },
      }
    },
  },
  pglite: {
    name: 'postgres (PGlite, in memory)',
    async setup() {
      const lite = new PGlite()
      const adapter = postgresAdapter({ client: lite, schema: 'bench', multiProcess: false })
      return {
        adapter,
        more: () => adapter,
        async size() {
          const { rows } = await lite.query<{ n: number }>(
            `SELECT pg_total_relation_size('bench.sync_documents') AS n`,
          )
          return Number(rows[0]!.n)
        },
        async done() {
          await lite.close()
        },
      }
    },
  },
}

async function upserts(store: Store, count: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < count; i += BATCH) {
    await store.documents.upsertMany(
      Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => studentDoc(i + j)),
    )
  }
  return count / ((performance.now() - start) / 1000)
}

async function cycles(stores: Store[], count: number): Promise<number> {
  let next = 0
  const start = performance.now()
  await Promise.all(
    stores.map(async (s, w) => {
      for (;;) {
        const i = next++
        if (i >= count) return
        await s.queue.enqueue({ kind: 'bench', doctype: 'Student', name: `C-${i}` })
        const [task] = await s.queue.lease(`w${w}`, 1, 60_000)
        if (task) await s.queue.complete(task.leaseToken)
      }
    }),
  )
  return count / ((performance.now() - start) / 1000)
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const selected = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['memory', 'sqlite', 'sqlite-normal', 'postgres', 'pglite']
console.log(
  `node ${process.version}, ${UPSERTS} upserts in batches of ${BATCH}, ${CYCLES} queue cycles, ${MIRROR} mirror docs`,
)
console.log(
  '| adapter | upserts/s (batched) | cycles/s, 1 worker | cycles/s, 4 workers | mirror of 100k docs on disk |',
)
console.log('|---|---:|---:|---:|---:|')
for (const key of selected) {
  const target = targets[key]
  if (!target) throw new Error(`unknown adapter ${key}`)
  const { adapter, more, size, done } = await target.setup()
  const store = createStore(adapter)
  await store.open()
  const ups = await upserts(store, UPSERTS)
  const one = await cycles([store], CYCLES)
  const extra = [more(), more(), more()].map((a) => (a === adapter ? store : createStore(a)))
  const four = await cycles([store, ...extra], CYCLES)
  // Fill the mirror to MIRROR documents (the first UPSERTS are already there).
  for (let i = UPSERTS; i < MIRROR; i += 1000) {
    await store.documents.upsertMany(
      Array.from({ length: Math.min(1000, MIRROR - i) }, (_, j) => studentDoc(i + j)),
    )
  }
  const bytes = await size()
  for (const s of extra) if (s !== store) await s.close()
  await store.close()
  await done()
  const disk =
    bytes === null
      ? 'n/a (not durable)'
      : `${(bytes / 1024 / 1024).toFixed(1)} MiB (${fmt(bytes / MIRROR)} B/doc)`
  console.log(`| ${target.name} | ${fmt(ups)} | ${fmt(one)} | ${fmt(four)} | ${disk} |`)
}
