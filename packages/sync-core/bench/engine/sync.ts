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
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, createRateLimiter } from '@edusync/erpnext-client'
import { type RunningEmulator, signWebhookBody, startEmulator } from '@edusync/erpnext-emulator'
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

const STUDENTS = Number(process.env.STUDENTS ?? 10_000)
const STORES = (process.env.STORES ?? 'sqlite,postgres').split(',')
const PG_URL = process.env.EDUSYNC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const DOCTYPES = ['Student', 'Guardian', 'Program Enrollment']
const SECRET = 'bench-secret'

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

function clientFor(erp: RunningEmulator, perMinute?: number) {
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

async function main() {
  const startedSeed = performance.now()
  const erp = await startEmulator({
    seed: 'school-small',
    seedSize: STUDENTS,
    installAi: true,
    timeFactor: 0.001,
  })
  const totals = Object.fromEntries(DOCTYPES.map((d) => [d, erp.emulator.inspect.documents(d).length]))
  const totalDocs = Object.values(totals).reduce((a, b) => a + b, 0)
  console.log(
    `# emulator seeded in ${fmt((performance.now() - startedSeed) / 1000)} s: ${JSON.stringify(totals)} (${totalDocs} documents)`,
  )

  // Naive: one GET /api/resource/{doctype}/{name} per document (children included), over a sample.
  const naiveClient = clientFor(erp)
  const sample = DOCTYPES.flatMap((d) =>
    erp.emulator.inspect
      .documents(d)
      .slice(0, 700)
      .map((x) => [d, String(x.name)] as const),
  )
  let t = performance.now()
  for (const [d, n] of sample) await naiveClient.docUntyped(d).get(n)
  const naiveRate = sample.length / ((performance.now() - t) / 1000)
  console.log(
    `naive: ${sample.length} documents, 1 request each, ${fmt(naiveRate)} docs/s -> ${fmt(totalDocs / naiveRate)} s for all ${totalDocs}`,
  )

  for (const kind of STORES) {
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

  // Webhook-to-mirror latency at 100 events/s, SQLite store, 2 workers, the real HTTP handler.
  {
    const { store, cleanup } = await makeStore('sqlite')
    const engine = createSyncEngine({
      client: erpnextPortFromClient(clientFor(erp)),
      store,
      doctypes: educationDoctypes(DOCTYPES),
      verifyWebhook: erpnextWebhookVerifier(SECRET),
      pollIntervalMs: 5,
      batchSize: 50,
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
    const students = erp.emulator.inspect.documents('Student')
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
      `webhook->mirror @100 events/s (${events} events, sqlite, 2 workers): p50 ${pct(sorted, 50)} ms, p95 ${pct(sorted, 95)} ms, p99 ${pct(sorted, 99)} ms`,
    )
    await cleanup()
  }

  // Write-back of one AI field for every student.
  {
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
    const bulkBefore = erp.emulator.inspect.count(/bulk_update/)
    t = performance.now()
    await engine.drain()
    const secs = (performance.now() - t) / 1000
    const written = erp.emulator.inspect.documents('Student').filter((s) => s.ai_learning_profile).length
    console.log(
      `write-back of ai_learning_profile for ${written} students: ${fmt(secs, 2)} s, ${erp.emulator.inspect.count(/bulk_update/) - bulkBefore} bulk_update requests, ${c.requests - before} requests in all (re-reads of the written documents included)`,
    )
    await cleanup()
  }
  await erp.close()
}

await main()
