import type {
  ConflictResolverPort,
  EngineStore,
  ErpnextPort,
  PrivacyPort,
  WebhookVerifyPort,
} from './ports.js'
import { conflictRulesResolver } from './resolve.js'
import { toEngineStore } from './store-port.js'
import type { DoctypeConfig, EngineHooks, EngineTimers, Enhancer, SyncEngineOptions } from './types.js'

const P = '[@edusync/sync-core]'

/** A doctype configuration with its defaults filled in. @internal */
export interface ResolvedDoctype {
  readonly name: string
  readonly children: Readonly<Record<string, string>>
  readonly validate: DoctypeConfig['validate']
  readonly aiFields: readonly string[]
  readonly idempotencyField: string | null
  readonly subjectField: string
  readonly sync: boolean
}

/** Options after validation, frozen. @internal */
export interface ResolvedOptions {
  readonly client: ErpnextPort
  readonly store: EngineStore
  readonly doctypes: ReadonlyMap<string, ResolvedDoctype>
  readonly site: string
  readonly tenant: string
  readonly rules: ConflictResolverPort
  readonly privacy: PrivacyPort | null
  readonly enhancers: readonly Enhancer[]
  readonly verifyWebhook: WebhookVerifyPort | null
  readonly batchSize: number
  readonly pageSize: number
  readonly fetchChunkSize: number
  readonly writeChunkSize: number
  readonly leaseMs: number
  readonly maxAttempts: number
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  readonly enhancerTimeoutMs: number
  readonly pollIntervalMs: number
  readonly batchWaitMs: number
  readonly seenTtlMs: number
  readonly maxWebhookBytes: number
  readonly cacheMaxAgeMs: number
  readonly circuit: { readonly failureThreshold: number; readonly openMs: number }
  readonly workerId: string
  readonly now: () => number
  readonly random: () => number
  readonly timers: EngineTimers
  readonly hooks: EngineHooks
}

function int(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new TypeError(`${P} Option "${name}" must be an integer, got ${typeof value}.`)
  if (value < min || value > max)
    throw new RangeError(`${P} Option "${name}" must be between ${min} and ${max}, got ${value}.`)
  return value
}

function fn<T>(name: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw new TypeError(`${P} Option "${name}" must be a function.`)
  return value as T
}

function hasMethods(name: string, value: unknown, methods: readonly string[]): void {
  if (value === null || typeof value !== 'object')
    throw new TypeError(`${P} Option "${name}" is required and must be an object.`)
  for (const m of methods) {
    if (typeof (value as Record<string, unknown>)[m] !== 'function')
      throw new TypeError(`${P} Option "${name}" must have a "${m}" method.`)
  }
}

/** Validate and freeze the engine options once. @internal */
export function resolveOptions(options: SyncEngineOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${P} createSyncEngine() needs an options object.`)
  hasMethods('client', options.client, ['list', 'count', 'bulkUpdate', 'insertMany'])
  hasMethods('store', options.store, ['transaction'])
  const store = toEngineStore(options.store)
  for (const area of ['documents', 'queue', 'cursors', 'reviews', 'audit', 'seen', 'privacy'] as const) {
    if (!store[area] || typeof store[area] !== 'object')
      throw new TypeError(`${P} Option "store" is missing the "${area}" area; pass a storage adapter.`)
  }
  if (!options.doctypes || typeof options.doctypes !== 'object' || Array.isArray(options.doctypes))
    throw new TypeError(
      `${P} Option "doctypes" must be an object mapping doctype names to their configuration.`,
    )
  const doctypes = new Map<string, ResolvedDoctype>()
  for (const [name, config] of Object.entries(options.doctypes)) {
    if (!config || typeof config !== 'object')
      throw new TypeError(`${P} Option "doctypes.${name}" must be an object.`)
    const children = config.children ?? {}
    for (const [field, child] of Object.entries(children)) {
      if (typeof child !== 'string' || child === '')
        throw new TypeError(`${P} Option "doctypes.${name}.children.${field}" must be a child doctype name.`)
    }
    if (config.validate !== undefined && typeof config.validate !== 'function')
      throw new TypeError(`${P} Option "doctypes.${name}.validate" must be a function.`)
    const aiFields = config.aiFields ?? []
    if (!Array.isArray(aiFields) || aiFields.some((f) => typeof f !== 'string'))
      throw new TypeError(`${P} Option "doctypes.${name}.aiFields" must be an array of field names.`)
    const idempotencyField = config.idempotencyField ?? null
    if (idempotencyField !== null && (typeof idempotencyField !== 'string' || idempotencyField === ''))
      throw new TypeError(`${P} Option "doctypes.${name}.idempotencyField" must be a field name.`)
    doctypes.set(
      name,
      Object.freeze({
        name,
        children: Object.freeze({ ...children }),
        validate: config.validate,
        aiFields: Object.freeze([...aiFields]),
        idempotencyField,
        subjectField: config.subjectField ?? (name === 'Student' ? 'name' : 'student'),
        sync: config.sync ?? idempotencyField === null,
      }),
    )
  }
  if (doctypes.size === 0) throw new RangeError(`${P} Option "doctypes" must name at least one doctype.`)

  const enhancers = options.enhancers ?? []
  if (!Array.isArray(enhancers)) throw new TypeError(`${P} Option "enhancers" must be an array.`)
  for (const [i, e] of enhancers.entries()) {
    if (!e || typeof e.name !== 'string' || typeof e.enhance !== 'function' || !Array.isArray(e.doctypes))
      throw new TypeError(`${P} Option "enhancers[${i}]" must be { name, doctypes, enhance }.`)
    for (const d of e.doctypes)
      if (!doctypes.has(d))
        throw new RangeError(
          `${P} Option "enhancers[${i}].doctypes" names "${d}", which is not in "doctypes".`,
        )
  }
  if (options.privacy !== undefined) hasMethods('privacy', options.privacy, ['view', 'seal', 'unseal'])
  if (enhancers.length > 0 && !options.privacy)
    throw new TypeError(
      `${P} Option "privacy" is required when "enhancers" are given: documents reach the AI layer only through the privacy policy.`,
    )
  if (options.rules !== undefined) hasMethods('rules', options.rules, ['resolve'])
  const verifyWebhook = fn<WebhookVerifyPort | null>('verifyWebhook', options.verifyWebhook, null)
  const circuit = options.circuit ?? {}
  const random = fn('random', options.random, Math.random)
  const site = options.site ?? 'default'
  if (typeof site !== 'string' || site === '')
    throw new TypeError(`${P} Option "site" must be a non-empty string.`)
  const tenant = options.tenant ?? 'default'
  if (typeof tenant !== 'string' || tenant === '')
    throw new TypeError(`${P} Option "tenant" must be a non-empty string.`)
  const workerId = options.workerId ?? `w-${Math.floor(random() * 2 ** 48).toString(36)}`
  if (typeof workerId !== 'string' || workerId === '' || workerId.includes(':'))
    throw new TypeError(`${P} Option "workerId" must be a non-empty string without ":".`)
  const timers = options.timers ?? {
    setTimeout: (f: () => void, ms: number) => globalThis.setTimeout(f, ms),
    clearTimeout: (h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  }
  hasMethods('timers', timers, ['setTimeout', 'clearTimeout'])
  const hooks = options.hooks ?? {}
  if (typeof hooks !== 'object') throw new TypeError(`${P} Option "hooks" must be an object.`)

  return Object.freeze({
    client: options.client,
    store,
    doctypes,
    site,
    tenant,
    rules: options.rules ?? conflictRulesResolver(),
    privacy: options.privacy ?? null,
    enhancers: Object.freeze([...enhancers]),
    verifyWebhook,
    batchSize: int('batchSize', options.batchSize, 100, 1, 10_000),
    pageSize: int('pageSize', options.pageSize, 500, 1, 10_000),
    fetchChunkSize: int('fetchChunkSize', options.fetchChunkSize, 200, 1, 5_000),
    writeChunkSize: int('writeChunkSize', options.writeChunkSize, 200, 1, 5_000),
    leaseMs: int('leaseMs', options.leaseMs, 30_000, 100),
    maxAttempts: int('maxAttempts', options.maxAttempts, 8, 1, 1_000),
    retryBaseMs: int('retryBaseMs', options.retryBaseMs, 1_000, 0),
    retryMaxMs: int('retryMaxMs', options.retryMaxMs, 300_000, 0),
    enhancerTimeoutMs: int('enhancerTimeoutMs', options.enhancerTimeoutMs, 10_000, 1),
    pollIntervalMs: int('pollIntervalMs', options.pollIntervalMs, 200, 1),
    batchWaitMs: int('batchWaitMs', options.batchWaitMs, 2, 0, 1_000),
    seenTtlMs: int('seenTtlMs', options.seenTtlMs, 86_400_000, 1),
    maxWebhookBytes: int('maxWebhookBytes', options.maxWebhookBytes, 65_536, 64),
    cacheMaxAgeMs: int('cacheMaxAgeMs', options.cacheMaxAgeMs, 60_000, 0),
    circuit: Object.freeze({
      failureThreshold: int('circuit.failureThreshold', circuit.failureThreshold, 5, 1),
      openMs: int('circuit.openMs', circuit.openMs, 10_000, 1),
    }),
    workerId,
    now: fn('now', options.now, Date.now),
    random,
    timers,
    hooks,
  })
}
