import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fieldClassification } from '@edusync/doctype-schemas'
import {
  type ERPNextClient,
  type RateLimiter,
  createClient,
  createRateLimiter,
} from '@edusync/erpnext-client'
import {
  atRestPolicy,
  createEnvKeyring,
  createFieldEncryptor,
  createMemoryKeyring,
  createPrivacyToolkit,
  createPseudonymizer,
  defaultEducationPolicy,
  type Keyring,
} from '@edusync/privacy-toolkit'
import {
  type ConflictResolverPort,
  type DoctypeConfig,
  type Enhancer,
  type Store,
  type SyncEngine,
  createStore,
  createSyncEngine,
  educationDoctypes,
  erpnextPortFromClient,
  erpnextWebhookVerifier,
  privacyPortFromToolkit,
} from '@edusync/sync-core'
import type { RunnerConfig } from './config.js'
import { ConfigError, StartupError } from './errors.js'

/** Secrets the runner generates on first start when they are not configured (kept in the data folder). */
interface LocalState {
  adminToken: string
  webhookSecret: string
  kek: string
  psn: string
}

/** Counters the HTTP layer and the demo read; the engine's own numbers come from `engine.status()`. */
export interface ServiceCounters {
  /** Webhook responses by HTTP status. */
  readonly webhooks: Map<number, number>
  /** Change-to-sync latencies (ms) of documents applied after a webhook or pull. */
  readonly latencies: number[]
  /** Conflicts seen at write-back: doctype, name, fields and how they were decided. */
  readonly conflicts: {
    doctype: string
    name: string
    fields: readonly string[]
    review: readonly string[]
  }[]
  /** AI documents inserted into ERPNext. */
  inserted: number
  /** AI field write-backs pushed. */
  pushed: number
  /** HTTP requests ERPNext answered for the runner's client (retries included; attempts lost on the network excluded). */
  erpnextRequests: number
}

/** A running service: the assembled parts, and how to stop them. */
export interface Service {
  readonly config: RunnerConfig
  readonly store: Store
  readonly client: ERPNextClient
  readonly engine: SyncEngine
  readonly limiter: RateLimiter
  /** The admin token protecting the pages and the JSON API. */
  readonly adminToken: string
  /** The secret ERPNext signs webhooks with. */
  readonly webhookSecret: string
  readonly counters: ServiceCounters
  /** Whether the store answers and ERPNext is reachable (for `/readyz`). */
  readiness(): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; detail: string }> }>
  close(): Promise<void>
}

/** Options of {@link createService}. */
export interface ServiceOptions {
  /** The AI layer. @default [] */
  readonly enhancers?: readonly Enhancer[]
  /** Injected fetch for the ERPNext client. @default globalThis.fetch */
  readonly fetch?: typeof fetch
  /** Environment the privacy keys are read from (`EDUSYNC_KEK_*`, `EDUSYNC_PSN_*`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Poll interval of idle workers. @default 200 */
  readonly pollIntervalMs?: number
  /** Retry delays (tests and the demo shorten them). @default engine defaults */
  readonly retryBaseMs?: number
  readonly retryMaxMs?: number
  /** Attempts before a task is dead-lettered. @default 8 */
  readonly maxAttempts?: number
  /** Conflict rules. @default conflictRulesResolver() (`@edusync/conflict-rules`' defaultEducationRules) */
  readonly rules?: ConflictResolverPort
}

const key32 = () => randomBytes(32).toString('base64')

function loadState(dataDir: string): LocalState {
  const file = join(dataDir, 'state.json')
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as LocalState
    } catch (error) {
      throw new StartupError(
        `${file} is not valid JSON; restore it from a backup or delete it to start afresh.`,
        {
          cause: error,
        },
      )
    }
  }
  const state: LocalState = {
    adminToken: randomBytes(24).toString('hex'),
    webhookSecret: randomBytes(24).toString('hex'),
    kek: key32(),
    psn: key32(),
  }
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return state
}

/** The data folder, created if missing, and its generated state. */
export function openDataDir(config: RunnerConfig): { dir: string; state: LocalState } {
  const dir = resolve(config.dataDir)
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new StartupError(
      `cannot create the data folder ${dir} (${(error as NodeJS.ErrnoException).code}); set EDUSYNC_DATA_DIR to a writable folder.`,
      { cause: error },
    )
  }
  return { dir, state: loadState(dir) }
}

async function openStore(
  config: RunnerConfig,
  dir: string,
): Promise<{ store: Store; close(): Promise<void> }> {
  if (config.databaseUrl) {
    const [{ default: pg }, { postgresAdapter }] = await Promise.all([
      import('pg'),
      import('@edusync/sync-core/postgres'),
    ])
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 8, connectionTimeoutMillis: 5000 })
    pool.on('error', () => {})
    const store = createStore(postgresAdapter({ client: pool, schema: config.pgSchema }))
    try {
      await store.open()
    } catch (error) {
      await pool.end().catch(() => {})
      const where = new URL(config.databaseUrl)
      throw new StartupError(
        `cannot open the PostgreSQL database at ${where.hostname}:${where.port || 5432}${where.pathname} (${describe(error)}); check EDUSYNC_DATABASE_URL and that the server is running.`,
        { cause: error },
      )
    }
    return {
      store,
      async close() {
        await store.close()
        await pool.end()
      },
    }
  }
  const { sqliteAdapter } = await import('@edusync/sync-core/sqlite')
  const filename = join(dir, 'edusync.sqlite')
  const store = createStore(sqliteAdapter({ filename, synchronous: config.sqliteSynchronous }))
  try {
    await store.open()
  } catch (error) {
    throw new StartupError(`cannot open the SQLite database ${filename} (${describe(error)}).`, {
      cause: error,
    })
  }
  return { store, close: () => store.close() }
}

async function openLimiter(config: RunnerConfig): Promise<{ limiter: RateLimiter; close(): Promise<void> }> {
  const base = { requestsPerInterval: config.rateLimit, interval: 1000, maxConcurrent: 8 }
  if (!config.redisUrl) {
    const limiter = createRateLimiter(base)
    return { limiter, close: () => limiter.disconnect() }
  }
  const { Redis } = await import('ioredis')
  // Probe first with a throwaway connection, so a wrong URL fails fast with one message.
  const probe = new Redis(config.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: () => null,
  })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
    await probe.quit()
  } catch (error) {
    probe.disconnect()
    const where = new URL(config.redisUrl)
    throw new StartupError(
      `cannot reach Redis at ${where.hostname}:${where.port || 6379} (${describe(error)}); check EDUSYNC_REDIS_URL or unset it to use an in-process limiter.`,
      { cause: error },
    )
  }
  // The limiter duplicates this client for pub/sub, so it must not be lazy.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 })
  redis.on('error', () => {})
  const limiter = createRateLimiter({ ...base, redis: { client: redis, id: `edusync-${config.site}` } })
  await limiter.ready()
  return {
    limiter,
    async close() {
      await limiter.disconnect()
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}

/** One line describing an error, without values that could carry secrets. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    const first = error.message.split('\n')[0] ?? ''
    const causeCode = (error.cause as NodeJS.ErrnoException | undefined)?.code
    return [code, first, causeCode].filter(Boolean).join(': ').slice(0, 300)
  }
  return String(error).slice(0, 300)
}

/** Engine settings per doctype: derived from `@edusync/doctype-schemas`. */
export function doctypeConfig(doctypes: readonly string[]): Record<string, DoctypeConfig> {
  try {
    return educationDoctypes(doctypes)
  } catch (error) {
    throw new ConfigError([`EDUSYNC_DOCTYPES: ${(error as Error).message}`], { cause: error })
  }
}

/**
 * Assemble the service from the packages' public APIs: the store (SQLite in the data folder, or
 * PostgreSQL), the rate limiter (in process, or shared through Redis), the ERPNext client, the privacy
 * boundary and the sync engine. Nothing starts working until `engine.start()` (or `drain()`).
 *
 * @throws {StartupError} when the data folder, the database or Redis cannot be opened
 */
export async function createService(config: RunnerConfig, options: ServiceOptions = {}): Promise<Service> {
  const doctypes = doctypeConfig(config.doctypes)
  const { dir, state } = openDataDir(config)
  const env = options.env ?? process.env
  let kek: Keyring
  let psn: Keyring
  if (env.EDUSYNC_KEK_V1 || env.EDUSYNC_PSN_V1) {
    try {
      kek = createEnvKeyring({ prefix: 'EDUSYNC_KEK_', env })
      psn = createEnvKeyring({ prefix: 'EDUSYNC_PSN_', env })
    } catch (error) {
      throw new ConfigError(
        [`EDUSYNC_KEK_*/EDUSYNC_PSN_*: ${(error as Error).message} (each key: openssl rand -base64 32)`],
        { cause: error },
      )
    }
  } else if (config.databaseUrl) {
    throw new ConfigError([
      'EDUSYNC_KEK_V1 and EDUSYNC_PSN_V1: are required with EDUSYNC_DATABASE_URL, so every runner sharing the database uses the same keys (each: openssl rand -base64 32)',
    ])
  } else {
    kek = createMemoryKeyring({ keys: { v1: state.kek } })
    psn = createMemoryKeyring({ keys: { v1: state.psn } })
  }
  const closers: (() => Promise<void>)[] = []
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => {})
  }
  try {
    const opened = await openStore(config, dir)
    closers.push(opened.close)
    const store = opened.store
    const lim = await openLimiter(config)
    closers.push(lim.close)
    const counters: ServiceCounters = {
      webhooks: new Map(),
      latencies: [],
      conflicts: [],
      inserted: 0,
      pushed: 0,
      erpnextRequests: 0,
    }
    const client = createClient({
      url: config.erpnextUrl,
      ...(config.apiKey && config.apiSecret
        ? { auth: { type: 'token', apiKey: config.apiKey, apiSecret: config.apiSecret } as const }
        : {}),
      rateLimit: lim.limiter,
      retry: { attempts: 3, ...(options.retryMaxMs ? { minDelay: 10, maxDelay: options.retryMaxMs } : {}) },
      timeout: 15_000,
      hooks: {
        // Counted when ERPNext answered: an attempt lost on the network (then retried) never reached it.
        afterResponse: [
          (info) => {
            if (info.status > 0) counters.erpnextRequests++
          },
        ],
      },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    })
    const pseudonymizer = createPseudonymizer({ keyring: psn, store: store.privacy.reidentification })
    const toolkit = createPrivacyToolkit({
      encryptor: createFieldEncryptor({ keyring: kek, dataKeys: store.privacy.dataKeys }),
      pseudonymizer,
      consent: store.privacy.consent,
      ledger: store.privacy.disclosures,
    })
    const childTables: Record<string, Record<string, string>> = {}
    for (const [doctype, c] of Object.entries(doctypes))
      if (c.children) childTables[doctype] = { ...c.children }
    const privacy = privacyPortFromToolkit({
      toolkit,
      viewPolicy: defaultEducationPolicy(fieldClassification, { childTables }),
      storagePolicy: atRestPolicy(fieldClassification),
      // AI documents that link a student by the pseudonym an enhancer saw reach ERPNext with the real id.
      pseudonymizer,
    })
    const webhookSecret = config.webhookSecret ?? state.webhookSecret
    const engine = createSyncEngine({
      client: erpnextPortFromClient(client),
      store,
      doctypes,
      site: config.site,
      privacy,
      enhancers: options.enhancers ?? [],
      verifyWebhook: erpnextWebhookVerifier(webhookSecret),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.retryBaseMs ? { retryBaseMs: options.retryBaseMs } : {}),
      ...(options.retryMaxMs ? { retryMaxMs: options.retryMaxMs } : {}),
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    })
    // Within a typical 30 s termination grace period; a stuck batch's leases then lapse to other workers.
    closers.push(() => engine.stop({ timeoutMs: 20_000 }))
    engine.on('document.applied', (e) => {
      if (e.latencyMs !== null) {
        counters.latencies.push(e.latencyMs)
        if (counters.latencies.length > 10_000) counters.latencies.splice(0, 5_000)
      }
    })
    engine.on('writeback.conflict', (c) => counters.conflicts.push(c))
    engine.on('document.inserted', () => {
      counters.inserted++
    })
    engine.on('writeback.pushed', () => {
      counters.pushed++
    })
    type Readiness = { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> }
    let inflight: Promise<Readiness> | undefined
    return {
      config,
      store,
      client,
      engine,
      limiter: lim.limiter,
      adminToken: config.adminToken ?? state.adminToken,
      webhookSecret,
      counters,
      async readiness() {
        // Probes that arrive together share one check (one ERPNext request).
        if (inflight) return inflight
        inflight = check().finally(() => {
          inflight = undefined
        })
        return inflight
      },
      close: closeAll,
    }
    async function check() {
      const checks: Record<string, { ok: boolean; detail: string }> = {}
      try {
        await store.documents.stats('Student')
        checks.store = { ok: true, detail: store.name }
      } catch (error) {
        checks.store = { ok: false, detail: describe(error) }
      }
      try {
        await client.call('frappe.auth.get_logged_user')
        checks.erpnext = { ok: true, detail: 'reachable' }
      } catch (error) {
        checks.erpnext = { ok: false, detail: describe(error) }
      }
      return { ready: Object.values(checks).every((c) => c.ok), checks }
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}
