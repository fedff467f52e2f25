/**
 * One engine worker process for the multi-process tests: PostgreSQL store, the real client with the
 * Redis-backed shared limiter, the emulator's URL from the environment. Prints `ready`, then one line per
 * applied document (`applied <doctype> <name>`), and stops gracefully on SIGTERM. Optional environment:
 * RATE_PER_SECOND, MAX_CONCURRENT (the shared limiter's, set by the first process to register its id),
 * TIMEOUT_MS (the client's request timeout), BATCH_SIZE, LEASE_MS.
 */
import { createClient, createRateLimiter } from '@edusync/erpnext-client'
import Redis from 'ioredis'
import pg from 'pg'
import { createSyncEngine } from '../../../src/engine/engine.js'
import { erpnextPortFromClient } from '../../../src/engine/client-port.js'
import { educationDoctypes } from '../../../src/engine/schemas.js'
import { postgresAdapter } from '../../../src/postgres.js'
import { createStore } from '../../../src/storage/store.js'
import { profileEnhancer } from './ai.js'
import { testPrivacy } from './fixture.js'

const env = (k: string) => {
  const v = process.env[k]
  if (!v) throw new Error(`missing ${k}`)
  return v
}

const pool = new pg.Pool({ connectionString: env('PG_URL'), max: 4 })
const redis = new Redis(env('REDIS_URL'), { lazyConnect: false, maxRetriesPerRequest: 2 })
const limiter = createRateLimiter({
  requestsPerInterval: Number(process.env.RATE_PER_SECOND ?? 200),
  interval: 1000,
  maxConcurrent: Number(process.env.MAX_CONCURRENT ?? 4),
  redis: { client: redis, id: env('LIMITER_ID') },
})
const client = createClient({
  url: env('ERP_URL'),
  auth: { type: 'token', apiKey: env('API_KEY'), apiSecret: env('API_SECRET') },
  rateLimit: limiter,
  retry: { limit: 2, minDelay: 5, maxDelay: 50 },
  // Also bounds how long the SIGKILLed worker's slots in the shared limiter stay taken (timeout + 5 s).
  timeout: Number(process.env.TIMEOUT_MS ?? 5_000),
} as never)
const store = createStore(postgresAdapter({ client: pool, schema: env('PG_SCHEMA') }))
const engine = createSyncEngine({
  client: erpnextPortFromClient(client),
  store,
  doctypes: educationDoctypes(['Student', 'Guardian', 'Program Enrollment', 'AI Engagement Log']),
  privacy: testPrivacy,
  enhancers: [profileEnhancer],
  workerId: env('WORKER_ID'),
  batchSize: Number(process.env.BATCH_SIZE ?? 10),
  leaseMs: Number(process.env.LEASE_MS ?? 3000),
  retryBaseMs: 20,
  retryMaxMs: 200,
  pollIntervalMs: 20,
  maxAttempts: 20,
  circuit: { failureThreshold: 5, openMs: 200 },
})
engine.on('document.applied', (e) => process.stdout.write(`applied ${e.doctype} ${e.name}\n`))
await limiter.ready()
engine.start({ concurrency: 2 })
process.stdout.write('ready\n')

process.on('SIGTERM', () => {
  void (async () => {
    await engine.stop({ timeoutMs: 5_000 })
    // erpnext-client's Redis limiter throws in disconnect() (connection.ready is not a function); exit anyway.
    await limiter.disconnect().catch(() => undefined)
    redis.disconnect()
    await store.close()
    await pool.end()
    process.exit(0)
  })()
})
