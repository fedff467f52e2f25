/**
 * Engine benchmarks against @edusync/erpnext-emulator on loopback (a script, not a test):
 *
 *   pnpm exec tsx bench/engine/sync.ts            # 10,000 students, SQLite and PostgreSQL (if reachable)
 *   STUDENTS=2000 STORES=sqlite pnpm exec tsx bench/engine/sync.ts
 *
 * 1. backfill of Student (+ guardians, siblings tables), Guardian and Program Enrollment: documents/s and
 *    ERPNext requests per document, against the naive one-GET-per-document approach measured in the same run;
 * 2. the same backfill under a 300 requests/minute limit (the naive time is computed from its request count);
 * 3. webhook-to-mirror latency p50/p95/p99 at 100 events/s through the real HTTP webhook handler;
 * 4. write-back of one AI field for every student (requests, time).
 *
 * The emulator runs in a child process (bench/engine/emulator-child.ts) so that its request handling does
 * not share an event loop with the engine and the load generator. `SECTIONS=latency` (comma-separated:
 * naive, backfill, latency, writeback) runs a subset.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, createRateLimiter } from '@edusync/erpnext-client'
import { signWebhookBody } from '@edusync/erpnext-emulator'
import pg from 'pg'
import {
  type ErpnextPort,
  createStore,
  createSyncEngine,
  educationDoctypes,
  erpnextPortFromClient,
  erpnextWebhookVerifier,
} from '../../src/index.js'
import { postgresAdapter } from '../../src/postgres.js'
import { sqliteAdapter } from '../../src/sqlite.js'
import type { Store } from '../../src/storage/store.js'
import { createFakeErpnext } from '../../test/engine/helpers/fake-erpnext.js'

const STUDENTS = Number(process.env.STUDENTS ?? 10_000)
const STORES = (process.env.STORES ?? 'sqlite,postgres').split(',')
const PG_URL = process.env.EDUSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const DOCTYPES = ['Student', 'Guardian', 'Program Enrollment']
const SECRET = 'bench-secret'
const SECTIONS = new Set((process.env.SECTIONS ?? 'naive,backfill,latency,writeback').split(','))

interface ChildEmulator {
  readonly url: string
  readonly credentials: { readonly admin: { readonly apiKey: string; readonly apiSecret: string } }
  documents(doctype: string, fields: string[]): Promise<Record<string, unknown>[]>
  count(pattern: string): Promise<number>
  close(): Promise<void>
}

/** Start the emulator in a child process and talk to it over IPC. */
async function startChildEmulator(): Promise<ChildEmulator> {
  const child: ChildProcess = fork(new URL('./emulator-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, STUDENTS: String(STUDENTS) },
  })
  const pending = new Map<number, (v: unknown) => void>()
  let seq = 0
  const ready = await new Promise<{ url: string; credentials: ChildEmulator['credentials'] }>(
    (resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`emulator child exited with ${code}`)))
      child.on('message', (m: { ready?: boolean; id?: number; value?: unknown }) => {
        if (m.ready) resolve(m as never)
        else if (m.id !== undefined) pending.get(m.id)?.(m.value)
      })
    },
  )
  const ask = <T>(msg: Record<string, unknown>) =>
    new Promise<T>((resolve) => {
      const id = ++seq
      pending.set(id, (v) => {
        pending.delete(id)
        resolve(v as T)
      })
      child.send({ ...msg, id })
    })
  return {
    url: ready.url,
    credentials: ready.credentials,
    documents: (doctype, fields) => ask({ op: 'documents', doctype, fields }),
    count: (pattern) => ask({ op: 'count', pattern }),
    close: async () => {
      child.removeAllListeners('exit')
      await ask({ op: 'close' })
    },
  }
}

function counting(port: ErpnextPort) {
  const c = { requests: 0 }
  const wrapped: ErpnextPort = {
    list: (d, r) => {
      c.requests++
      return port.list(d, r)
    },
    count: (d, f) => {
      c.requests++
      return port.count(d, f)
    },
    bulkUpdate: (i) => {
      c.requests++
      return port.bulkUpdate(i)
    },
    insertMany: (d, x) => {
      c.requests++
      return port.insertMany(d, x)
    },
  }
  return { c, port: wrapped }
}

function clientFor(erp: ChildEmulator, perMinute?: number) {
  return createClient({
    url: erp.url,
    auth: { type: 'token', apiKey: erp.credentials.admin.apiKey, apiSecret: erp.credentials.admin.apiSecret },
    ...(perMinute
      ? {
          rateLimit: createRateLimiter({
            requestsPerInterval: perMinute,
            interval: 60_000,
            maxConcurrent: 1,
          }),
        }
      : {}),
    validate: 'off',
  } as never)
}

async function makeStore(kind: string): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'edusync-bench-'))
    const store = createStore(sqliteAdapter({ filename: join(dir, 'bench.db'), synchronous: 'normal' }))
    return {
      store,
      cleanup: async () => {
        await store.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 })
  const schema = `edusync_bench_${process.pid}_${Date.now().toString(36)}`
  const store = createStore(postgresAdapter({ client: pool, schema }))
  return {
    store,
    cleanup: async () => {
      await store.close()
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await pool.end()
    },
  }
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
  try {
    await c.connect()
    return true
  } catch {
    return false
  } finally {
    await c.end().catch(() => undefined)
  }
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
const fmt = (n: number, d = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

/** Webhook-to-mirror latency at 100 events/s through the real HTTP handler, SQLite store, 2 workers. */
async function latency(label: string, client: ErpnextPort, students: readonly Record<string, unknown>[]) {
  {
    const { store, cleanup } = await makeStore('sqlite')
    const requestMs: number[] = []
    const batchMs: number[] = []
    const batchTasks: number[] = []
    const engine = createSyncEngine({
      client,
      store,
      doctypes: educationDoctypes(DOCTYPES),
      verifyWebhook: erpnextWebhookVerifier(SECRET),
      batchSize: 50,
      ...(process.env.BATCH_WAIT_MS ? { batchWaitMs: Number(process.env.BATCH_WAIT_MS) } : {}),
      hooks: {
        onRequest: (info) => requestMs.push(info.durationMs),
        trace: async (name, attributes, fn) => {
          const started = performance.now()
          try {
            return await fn()
          } finally {
            if (name === 'edusync.pull') {
              batchMs.push(performance.now() - started)
              batchTasks.push(Number(attributes.tasks))
            }
          }
        },
      },
    })
    const handler = engine.webhookHandler()
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const ch of req) chunks.push(ch as Buffer)
      const headers = new Headers()
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
      const r = await handler(
        new Request('http://127.0.0.1/hook', { method: 'POST', headers, body: Buffer.concat(chunks) }),
      )
      res.writeHead(r.status).end(await r.text())
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    const latencies: number[] = []
    engine.on('document.applied', (e) => e.latencyMs !== null && latencies.push(e.latencyMs))
    engine.start({ concurrency: 2 })
    const events = Math.min(1000, students.length)
    const t0 = performance.now()
    const sends: Promise<unknown>[] = []
    for (let i = 0; i < events; i++) {
      const due = t0 + i * 10
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const s = students[i]!
      const body = `{"doctype": "Student", "name": "${String(s.name)}", "modified": "${String(s.modified)}"}`
      sends.push(
        fetch(url, {
          method: 'POST',
          body,
          headers: { 'X-Frappe-Webhook-Signature': signWebhookBody(body, SECRET) },
        }),
      )
    }
    const statuses = await Promise.all(sends)
    const refused = (statuses as Response[]).filter((r) => r.status !== 200).length
    if (refused > 0) console.log(`# ${refused} webhook deliveries were refused`)
    const deadline = Date.now() + 30_000
    while (latencies.length < events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await engine.stop()
    server.close()
    const sorted = [...latencies].sort((a, b) => a - b)
    console.log(
      `webhook->mirror @100 events/s, ${label} (${events} events, sqlite, 2 workers): p50 ${pct(sorted, 50)} ms, p95 ${pct(sorted, 95)} ms, p99 ${pct(sorted, 99)} ms, max ${sorted[sorted.length - 1] ?? 0} ms (${sorted.length} measured)`,
    )
    const req = [...requestMs].sort((a, b) => a - b)
    const bms = [...batchMs].sort((a, b) => a - b)
    console.log(
      `  where the time goes: ${batchMs.length} batches of ${fmt(events / Math.max(1, batchMs.length))} tasks on average (max ${Math.max(0, ...batchTasks)}), batch p50 ${fmt(pct(bms, 50))} ms / p99 ${fmt(pct(bms, 99))} ms; ${requestMs.length} ERPNext requests, p50 ${fmt(pct(req, 50))} ms / p99 ${fmt(pct(req, 99))} ms`,
    )
    await cleanup()
  }
}

async function main() {
  const startedSeed = performance.now()
  const erp = await startChildEmulator()
  const names = Object.fromEntries(
    await Promise.all(DOCTYPES.map(async (d) => [d, await erp.documents(d, ['name', 'modified'])] as const)),
  )
  const totals = Object.fromEntries(DOCTYPES.map((d) => [d, names[d]!.length]))
  const totalDocs = Object.values(totals).reduce((a, b) => a + b, 0)
  console.log(
    `# emulator seeded in ${fmt((performance.now() - startedSeed) / 1000)} s: ${JSON.stringify(totals)} (${totalDocs} documents)`,
  )

  // Naive: one GET /api/resource/{doctype}/{name} per document (children included), over a sample.
  let t = performance.now()
  if (SECTIONS.has('naive')) {
    const naiveClient = clientFor(erp)
    const sample = DOCTYPES.flatMap((d) => names[d]!.slice(0, 700).map((x) => [d, String(x.name)] as const))
    t = performance.now()
    for (const [d, n] of sample) await naiveClient.docUntyped(d).get(n)
    const naiveRate = sample.length / ((performance.now() - t) / 1000)
    console.log(
      `naive: ${sample.length} documents, 1 request each, ${fmt(naiveRate)} docs/s -> ${fmt(totalDocs / naiveRate)} s for all ${totalDocs}`,
    )
  }

  for (const kind of SECTIONS.has('backfill') ? STORES : []) {
    if (kind === 'postgres' && !(await pgReachable())) {
      console.log('postgres: skipped (server unreachable)')
      continue
    }
    for (const limited of [false, true]) {
      const { store, cleanup } = await makeStore(kind)
      const { c, port } = counting(erpnextPortFromClient(clientFor(erp, limited ? 300 : undefined)))
      const engine = createSyncEngine({
        client: port,
        store,
        doctypes: educationDoctypes(DOCTYPES),
        pageSize: limited ? 5000 : 1000,
        fetchChunkSize: 5000,
      })
      t = performance.now()
      const results = await engine.backfill(DOCTYPES)
      const secs = (performance.now() - t) / 1000
      const fetched = results.reduce((a, r) => a + r.fetched, 0)
      console.log(
        `backfill ${kind}${limited ? ' @300 req/min' : ''}: ${fetched} documents in ${fmt(secs, 2)} s = ${fmt(fetched / secs, 0)} docs/s, ${c.requests} requests = ${fmt(c.requests / fetched, 4)} requests/document${limited ? `; naive at 300 req/min: ${fmt(totalDocs / 5 / 60, 0)} min` : ''}`,
      )
      await cleanup()
    }
  }

  // Webhook-to-mirror latency at 100 events/s, SQLite store, 2 workers, the real HTTP handler: against the
  // emulator (in its child process), and against an in-memory ERPNext port in this process, which shows what
  // the engine itself adds (same run, so the two figures compare under the same machine load).
  if (SECTIONS.has('latency')) {
    const students = names.Student!.slice(0, 1000)
    await latency('emulator (child process)', erpnextPortFromClient(clientFor(erp)), students)
    // The same 1,000 students, with their child tables, copied into an in-memory port.
    const port = erpnextPortFromClient(clientFor(erp))
    const studentNames = students.map((st) => String(st.name))
    const docs = await port.list('Student', {
      fields: ['*'],
      filters: [['name', 'in', studentNames]],
      orderBy: 'name asc',
      limit: 0,
    })
    const children = { guardians: 'Student Guardian', siblings: 'Student Sibling' }
    for (const field of Object.keys(children)) for (const d of docs) d[field] = []
    const byName = new Map(docs.map((d) => [String(d.name), d]))
    for (const child of Object.values(children)) {
      const rows = await port.list(child, {
        fields: ['*'],
        filters: [
          ['parenttype', '=', 'Student'],
          ['parent', 'in', studentNames],
        ],
        orderBy: 'parent asc, idx asc',
        limit: 0,
        parent: 'Student',
      })
      for (const row of rows)
        (byName.get(String(row.parent))?.[String(row.parentfield)] as unknown[] | undefined)?.push(row)
    }
    const fake = createFakeErpnext()
    for (const d of docs) fake.put('Student', d, children)
    await latency('in-memory ERPNext (the engine alone)', fake, students)
  }

  // Write-back of one AI field for every student.
  if (SECTIONS.has('writeback')) {
    const { store, cleanup } = await makeStore('sqlite')
    const { c, port } = counting(erpnextPortFromClient(clientFor(erp)))
    const engine = createSyncEngine({
      client: port,
      store,
      doctypes: educationDoctypes(['Student']),
      privacy: {
        view: (_d, doc) => ({ name: doc.name }),
        seal: (_d, _n, doc) => doc,
        unseal: (_d, _n, doc) => doc,
      },
      enhancers: [
        {
          name: 'bench',
          doctypes: ['Student'],
          enhance: () => ({ fields: { ai_learning_profile: { style: 'visual' } } }),
        },
      ],
      batchSize: 1000,
      writeChunkSize: 1000,
      fetchChunkSize: 1000,
      pageSize: 1000,
    })
    await engine.backfill(['Student'])
    const before = c.requests
    const bulkBefore = await erp.count('bulk_update')
    t = performance.now()
    await engine.drain()
    const secs = (performance.now() - t) / 1000
    const written = (await erp.documents('Student', ['ai_learning_profile'])).filter(
      (s) => s.ai_learning_profile,
    ).length
    const bulkAfter = await erp.count('bulk_update')
    console.log(
      `write-back of ai_learning_profile for ${written} students: ${fmt(secs, 2)} s, ${bulkAfter - bulkBefore} bulk_update requests, ${c.requests - before} requests in all (re-reads of the written documents included)`,
    )
    await cleanup()
  }
  await erp.close()
}

await main()
