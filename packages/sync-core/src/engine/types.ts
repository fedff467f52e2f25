import type { SubjectDataSource } from '@edusync/privacy-toolkit'
import type { Store } from '../storage/store.js'
import type { CircuitState } from './circuit.js'
import type {
  AuditEntry,
  ConflictResolverPort,
  DocValidator,
  EngineStore,
  ErpDoc,
  ErpnextPort,
  PrivacyPort,
  QueueTask,
  ReviewItem,
  WebhookVerifyPort,
} from './ports.js'

/** How the engine treats one doctype. */
export interface DoctypeConfig {
  /** Child tables: table fieldname → child doctype, e.g. `{ guardians: 'Student Guardian' }`. @default {} */
  readonly children?: Readonly<Record<string, string>>
  /** Validates fetched documents; invalid ones are quarantined (dead-lettered with the issues). */
  readonly validate?: DocValidator
  /** Fields the AI layer owns and enhancers may set (written back with `bulk_update`). @default [] */
  readonly aiFields?: readonly string[]
  /**
   * For AI doctypes the engine only inserts (Assessment Insight, AI Engagement Log): the unique field
   * holding the idempotency key. Such doctypes are not pulled.
   */
  readonly idempotencyField?: string
  /**
   * The field naming the data subject (a Student) for erasure tombstones and consent: `'name'` for Student,
   * `'student'` for Program Enrollment. @default 'name' for `Student`, else 'student'
   */
  readonly subjectField?: string
  /** Pull this doctype (backfill, incremental pull, reconciliation). @default true unless `idempotencyField` */
  readonly sync?: boolean
}

/** Read access an enhancer gets: privacy-filtered views of mirrored documents. */
export interface EnhancerMirror {
  /** The privacy-filtered view of a mirrored document, or `undefined`. */
  get(doctype: string, name: string): Promise<ErpDoc | undefined>
}

/** What an enhancer receives. */
export interface EnhancerContext {
  readonly doctype: string
  /**
   * The document's name. For a document that is itself the data subject (`subjectField: 'name'`, e.g. a
   * Student) this is the name its privacy view shows — the pseudonym under the default education policy,
   * `''` if the view withholds it — never the real id. Other documents keep their ERPNext name.
   */
  readonly name: string
  /** The `modified` the enhancement is computed against. */
  readonly modified: string
  /** The privacy-filtered view of the document (never the raw document). */
  readonly view: Readonly<ErpDoc>
  readonly mirror: EnhancerMirror
  /** Aborted when the enhancer times out or the engine stops. */
  readonly signal: AbortSignal
}

/** A new AI document to insert into ERPNext (exactly once, by idempotency key). */
export interface AiDocument {
  /** An AI doctype configured with `idempotencyField`. */
  readonly doctype: string
  /** Idempotency key, unique within the doctype (e.g. `insight:<assessment result>:v1`). */
  readonly key: string
  /** Field values (JSON fields may be objects; they are serialised). */
  readonly doc: Readonly<ErpDoc>
}

/** What an enhancer returns. */
export interface Enhancement {
  /** AI field values for the document (only fields in the doctype's `aiFields`). */
  readonly fields?: Readonly<Record<string, unknown>>
  /** New AI documents (insights, engagement logs). */
  readonly documents?: readonly AiDocument[]
  /**
   * Mirrored documents whose enhancers should run again because this document changed (e.g. a new Student
   * Attendance refreshes its Student's insights). Each becomes a coalesced enhance-only task, exactly as
   * {@link SyncEngine.reenhance} would enqueue it: no ERPNext request while the document is mirrored.
   * Refreshes do not cascade: an enhancement that itself runs because of a refresh has its `refresh` list
   * ignored, so two enhancers that refresh each other cannot loop. Entries of doctypes the engine does not
   * configure are ignored (and audited).
   */
  readonly refresh?: readonly { readonly doctype: string; readonly name: string }[]
}

/** The AI layer's hook: computes AI values for documents of the listed doctypes. */
export interface Enhancer {
  /** Used in logs, the audit trail and errors. */
  readonly name: string
  readonly doctypes: readonly string[]
  enhance(context: EnhancerContext): Enhancement | undefined | Promise<Enhancement | undefined>
}

/** Attributes of a traced operation (OpenTelemetry-compatible primitive values). */
export type TraceAttributes = Record<string, string | number | boolean>

/**
 * Hooks that map onto OpenTelemetry without depending on it: wrap `trace` around `tracer.startActiveSpan`
 * and feed `onRequest` into a histogram.
 */
export interface EngineHooks {
  /** Wraps every engine operation (batch, backfill page, reconciliation, write-back). */
  trace?<T>(name: string, attributes: TraceAttributes, fn: () => Promise<T>): Promise<T>
  /** Called after every ERPNext request. */
  onRequest?(info: {
    operation: string
    doctype: string
    ok: boolean
    durationMs: number
    error?: string
  }): void
}

/** Timer functions the engine uses (injectable for tests). */
export interface EngineTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Options of {@link createSyncEngine}. */
export interface SyncEngineOptions {
  /** ERPNext: an `@edusync/erpnext-client` client adapted with `erpnextPortFromClient`, or any port. */
  readonly client: ErpnextPort
  /** The store: `createStore(adapter)` with any storage adapter (memory, SQLite, PostgreSQL, your own). */
  readonly store: Store | EngineStore
  /** The doctypes to sync and write, by name. */
  readonly doctypes: Readonly<Record<string, DoctypeConfig>>
  /** The site id used for cursors. @default 'default' */
  readonly site?: string
  /** The privacy tenant. @default 'default' */
  readonly tenant?: string
  /** Conflict resolver. @default conflictRulesResolver() (`@edusync/conflict-rules`' defaultEducationRules) */
  readonly rules?: ConflictResolverPort
  /** The privacy boundary; required when `enhancers` are given. */
  readonly privacy?: PrivacyPort
  /** The AI layer's hooks. @default [] */
  readonly enhancers?: readonly Enhancer[]
  /** Verifies webhooks (e.g. `@edusync/webhook-verifier`); required by `webhookHandler`. */
  readonly verifyWebhook?: WebhookVerifyPort
  /** Tasks leased per batch. @default 100 */
  readonly batchSize?: number
  /** Documents per backfill/pull page. @default 500 */
  readonly pageSize?: number
  /** Names per `name in [...]` request. @default 200 */
  readonly fetchChunkSize?: number
  /** Items per `bulk_update` request. @default 200 */
  readonly writeChunkSize?: number
  /** Lease length; renewed while a batch runs. @default 30000 */
  readonly leaseMs?: number
  /** Attempts before a task is dead-lettered. @default 8 */
  readonly maxAttempts?: number
  /** First retry delay. @default 1000 */
  readonly retryBaseMs?: number
  /** Largest retry delay. @default 300000 */
  readonly retryMaxMs?: number
  /** Enhancer time limit. @default 10000 */
  readonly enhancerTimeoutMs?: number
  /**
   * Idle workers poll the queue this often. Intake, `reenhance()` and enqueued write-backs wake idle workers
   * at once, so this only bounds how soon work enqueued by another process is seen. @default 200
   */
  readonly pollIntervalMs?: number
  /**
   * Adaptive batch collection: a worker woken from idle by new work waits this long before leasing, so a burst
   * of webhooks (an import, a bulk edit) lands in one batch instead of one batch per event. A worker that
   * just finished a batch leases at once (the events that arrived meanwhile form its next batch). `0`
   * disables it. @default 2
   */
  readonly batchWaitMs?: number
  /** How long webhook bodies are remembered for duplicate detection. @default 86400000 */
  readonly seenTtlMs?: number
  /** Largest accepted webhook body. @default 65536 */
  readonly maxWebhookBytes?: number
  /** `engine.get()` freshness. @default 60000 */
  readonly cacheMaxAgeMs?: number
  /** Circuit breaker. @default { failureThreshold: 5, openMs: 10000 } */
  readonly circuit?: { readonly failureThreshold?: number; readonly openMs?: number }
  /** This process's worker id (lease owner). @default a random id */
  readonly workerId?: string
  /** @default Date.now */
  readonly now?: () => number
  /** @default Math.random */
  readonly random?: () => number
  /** @default globalThis timers */
  readonly timers?: EngineTimers
  readonly hooks?: EngineHooks
}

/** A thin change event, as the ERPNext webhook sends it. */
export interface ChangeEvent {
  readonly doctype: string
  readonly name: string
  /** e.g. `on_update`, `on_trash`. */
  readonly event?: string
  /** The document's `modified` at the event (lets replays be detected). */
  readonly modified?: string
}

/** Progress of a backfill. */
export interface BackfillProgress {
  readonly doctype: string
  readonly done: number
  /** From `get_count` at the start. */
  readonly total: number
  /** Documents per second so far. */
  readonly rate: number
  /** Estimated time left (ms); `null` until a rate is known. */
  readonly etaMs: number | null
}

/** Result of a backfill or pull, per doctype. */
export interface PullResult {
  readonly doctype: string
  /** Documents fetched. */
  readonly fetched: number
  /** Documents whose mirror content changed. */
  readonly changed: number
  readonly quarantined: number
}

/** What `privacy.erase()` replaced with placeholders: documents per doctype (none on a repeat). */
export interface EraseResult {
  readonly documents: readonly { readonly doctype: string; readonly count: number }[]
  /** Pseudonym mappings of the subject deleted, so the AI layer's pseudonyms no longer resolve to them. */
  readonly pseudonymMappings: number
}

/** Reconciliation levels. */
export type ReconcileLevel = 'quick' | 'full' | 'deep'

/** What reconciliation found for one doctype. */
export interface ReconcileReport {
  readonly level: ReconcileLevel
  readonly doctype: string
  readonly erpnext: { readonly count: number; readonly latestModified: string | null }
  readonly mirror: { readonly count: number; readonly latestModified: string | null }
  /** Names missing from the mirror (full/deep). */
  readonly missing: readonly string[]
  /** Names whose mirror version is stale (full) or whose content differs (deep). */
  readonly stale: readonly string[]
  /** Names deleted in ERPNext and tombstoned in the mirror. */
  readonly deleted: readonly string[]
  /** Repairs enqueued or applied. */
  readonly repaired: number
  readonly inSync: boolean
}

/** One write the engine would make. */
export type PlannedWrite =
  | {
      readonly type: 'update'
      readonly doctype: string
      readonly name: string
      readonly modified: string
      readonly fields: Readonly<Record<string, unknown>>
    }
  | {
      readonly type: 'insert'
      readonly doctype: string
      readonly key: string
      readonly doc: Readonly<ErpDoc>
    }

/** The engine's events and their payloads. */
export interface SyncEngineEvents {
  'document.applied': {
    doctype: string
    name: string
    modified: string
    changed: boolean
    latencyMs: number | null
  }
  'document.deleted': { doctype: string; name: string }
  'document.quarantined': { doctype: string; name: string; issues: readonly string[] }
  'task.failed': {
    kind: string
    doctype: string
    name: string
    attempts: number
    outcome: string
    error: string
  }
  'writeback.pushed': { doctype: string; name: string; fields: readonly string[] }
  'writeback.conflict': {
    doctype: string
    name: string
    fields: readonly string[]
    review: readonly string[]
  }
  'document.inserted': { doctype: string; key: string; name: string }
  'review.created': { id: number; doctype: string; name: string; field: string }
  'enhancer.failed': { enhancer: string; doctype: string; name: string; error: string }
  'circuit.changed': { state: CircuitState }
  'backfill.progress': BackfillProgress
  'reconcile.report': ReconcileReport
  /** `stop({ timeoutMs })` gave up waiting: these in-flight tasks' leases now lapse for other workers. */
  'workers.abandoned': { tasks: number; timeoutMs: number }
}

/** A snapshot of the engine's state. */
export interface SyncEngineStatus {
  readonly running: boolean
  readonly workerId: string
  readonly queue: {
    readonly pending: number
    readonly leased: number
    readonly byKind: Readonly<Record<string, { pending: number; leased: number; dead: number }>>
    readonly oldestPendingAgeMs: number | null
  }
  /** Per doctype: the last observed change-to-mirror latency and when the doctype last synced. */
  readonly lag: Readonly<
    Record<string, { readonly lastLatencyMs: number | null; readonly lastAppliedAt: number | null }>
  >
  /** Documents applied per second over the last minute. */
  readonly throughput: number
  /** ERPNext requests made by this engine and documents synced by it. */
  readonly requests: number
  readonly documentsSynced: number
  /** `requests / documentsSynced` (0 before any document). */
  readonly requestsPerDocument: number
  /** Error counts by code. */
  readonly errors: Readonly<Record<string, number>>
  readonly deadLetters: number
  readonly openReviews: number
  readonly circuit: { readonly state: CircuitState; readonly retryAt: number | null }
}

/** A Fetch-style request handler. */
export type WebhookHandler = (request: Request) => Promise<Response>

/** The sync engine. */
export interface SyncEngine {
  /** Durably record change events (coalesced per document) before the caller acknowledges them. */
  intake(events: ChangeEvent | readonly ChangeEvent[]): Promise<void>
  /** A Fetch-style webhook endpoint: verify, dedupe, enqueue, answer 2xx/4xx (5xx when the store is down). */
  webhookHandler(options?: { readonly verify?: WebhookVerifyPort }): WebhookHandler
  /**
   * Run the enhancers of mirrored documents again, on demand (for instance when related documents changed).
   * Enqueues one coalesced enhance-only task per document: the workers (or `drain()`) run the enhancers over
   * the mirrored copy without any ERPNext request and write back what changed. Names not in the mirror (or
   * tombstoned) get a pull task instead, so they are fetched, mirrored and enhanced. Duplicate names and
   * repeated calls before the task runs coalesce into one task. Resolves with the counts enqueued.
   * @throws TypeError when the doctype is not configured, has no enhancers, or a name is not a non-empty
   * string.
   * @example
   * ```ts
   * engine.on('document.applied', ({ doctype, name }) => {
   *   if (doctype === 'Student Attendance') void engine.reenhance('Student', [studentOf(name)])
   * })
   * ```
   */
  reenhance(doctype: string, names: readonly string[]): Promise<{ enhance: number; pull: number }>
  /** Start `concurrency` worker loops in this process. */
  start(options?: { readonly concurrency?: number }): void
  /**
   * Stop the workers gracefully: no new batch starts, and in-flight batches finish. With `timeoutMs`,
   * resolves after at most that long: batches still running then stop renewing their leases (which lapse
   * after `leaseMs`, so another worker takes the tasks over; nothing acknowledged is lost) and a
   * `workers.abandoned` event names how many tasks that was. Use it in a SIGTERM handler with the
   * platform's grace period. A process that dies instead (even SIGKILL) has the same outcome.
   * @throws RangeError when `timeoutMs` is not a non-negative integer.
   */
  stop(options?: { readonly timeoutMs?: number }): Promise<void>
  /** Run queued work until the queue has nothing due (tests, scripts, cron jobs). Returns tasks processed. */
  drain(options?: { readonly maxBatches?: number }): Promise<number>
  /** Full load of doctypes by the (modified, name) cursor; resumable after a crash. */
  backfill(
    doctypes?: readonly string[],
    options?: { readonly onProgress?: (progress: BackfillProgress) => void; readonly restart?: boolean },
  ): Promise<PullResult[]>
  /** Fetch what changed since each doctype's cursor. */
  pull(doctypes?: readonly string[]): Promise<PullResult[]>
  /** Read-through cache: the mirror while fresh, else ERPNext (concurrent misses coalesced). */
  get(doctype: string, name: string, options?: { readonly maxAgeMs?: number }): Promise<ErpDoc>
  /** Warm the cache: pull the doctypes. */
  preload(doctypes?: readonly string[]): Promise<PullResult[]>
  /** Compare ERPNext with the mirror and repair. */
  reconcile(level: ReconcileLevel, doctypes?: readonly string[]): Promise<ReconcileReport[]>
  /** Run reconciliation on a schedule (the design's hourly quick / daily full / weekly deep). Returns a stop function. */
  schedule(intervals?: {
    readonly quickMs?: number
    readonly fullMs?: number
    readonly deepMs?: number
  }): () => void
  /** The writes the enhancers would make for mirrored documents, without making them. */
  plan(options?: { readonly doctypes?: readonly string[]; readonly limit?: number }): Promise<PlannedWrite[]>
  /** Turn daily chat interactions into AI Engagement Log inserts. Returns the number enqueued. */
  rollupEngagement(options: RollupOptions): Promise<number>
  readonly reviews: {
    list(options?: { readonly status?: 'open' | 'resolved'; readonly limit?: number }): Promise<ReviewItem[]>
    /** Decide a review: `'local'` (the AI value), `'remote'` (ERPNext's) or `{ value }`. The decision is written back. */
    resolve(
      id: number,
      decision: 'local' | 'remote' | { readonly value: unknown },
      resolvedBy?: string,
    ): Promise<ReviewItem>
  }
  readonly deadLetters: {
    list(options?: { readonly limit?: number; readonly kind?: string }): Promise<QueueTask[]>
    retry(ids: readonly number[] | 'all'): Promise<number>
    discard(ids: readonly number[] | 'all'): Promise<number>
  }
  readonly privacy: {
    /** Everything the engine holds about a subject document (decrypted), with its audit trail. */
    access(
      doctype: string,
      name: string,
    ): Promise<{ document: ErpDoc | null; reviews: ReviewItem[]; audit: AuditEntry[] }>
    /** Re-read a subject document from ERPNext (the system of record, where corrections are made). */
    rectify(doctype: string, name: string): Promise<void>
    /**
     * Erase a subject's mirrored data and tombstone it so re-sync does not bring it back. Erasing a
     * Student replaces every mirrored document that holds the student's data, in every configured doctype
     * whose `subjectField` names the student, and cancels their pending queue work. Idempotent: a retry
     * after a failure finishes the job; a repeat replaces nothing.
     */
    erase(doctype: string, name: string, requestId: string): Promise<EraseResult>
    /**
     * The mirror as `@edusync/privacy-toolkit`'s `SubjectDataSource` (kinds = synced doctypes, origin
     * `mirror`), for `createSubjectRequests({ source })`: access/portability read it, rectification queues
     * the correction for write-back to ERPNext, erasure replaces and tombstones the mirrored copy.
     */
    readonly source: SubjectDataSource
    /**
     * Apply retention limits over the store: audit entries and chat interactions older than their limit
     * are deleted, expired webhook ids are forgotten. Returns the numbers deleted. Run it daily.
     */
    retention(limits: { readonly auditMaxAgeMs?: number; readonly interactionsMaxAgeMs?: number }): Promise<{
      audit: number
      interactions: number
      seen: number
    }>
  }
  status(): Promise<SyncEngineStatus>
  on<E extends keyof SyncEngineEvents>(event: E, listener: (payload: SyncEngineEvents[E]) => void): () => void
}

/** One chat interaction as the store's `ai_chat_interactions` holds it (the fields the roll-up uses). */
export interface ChatInteraction {
  readonly studentId: string
  readonly concepts: readonly string[]
  readonly helpRequested: boolean
  readonly durationMs: number
  readonly createdAt: number
}

/** Options of `rollupEngagement`. */
export interface RollupOptions {
  /** The day to roll up, `YYYY-MM-DD` (UTC). */
  readonly date: string
  /** The interactions of that day. @default the store's `ai_chat_interactions` of that day */
  readonly interactions?: Iterable<ChatInteraction> | AsyncIterable<ChatInteraction>
  /** Maps the store's pseudonymous student id to the ERPNext Student name. @default identity */
  readonly resolveStudent?: (studentId: string) => string | undefined | Promise<string | undefined>
  /** The AI doctype. @default 'AI Engagement Log' */
  readonly doctype?: string
}
