import { randomUUID } from 'node:crypto'
import type {
  ConsentStore,
  DataKeyStore,
  DisclosureLedger,
  ReidentificationStore,
} from '@edusync/privacy-toolkit'
import {
  isStorageError,
  LeaseExpiredError,
  StorageClosedError,
  StorageNotFoundError,
  StorageOperationError,
} from './errors.js'
import { contentHash } from './hash.js'
import { normalizeModified } from './modified.js'
import type {
  AiChatInteraction,
  AiInsight,
  TombstoneAdapter,
  AuditEntry,
  AuditEntryInput,
  AuditQuery,
  DoctypeStats,
  DocumentCursor,
  DocumentData,
  DocumentRow,
  FailOutcome,
  InsightStatus,
  JsonValue,
  KnowledgeBaseContent,
  LeasedTask,
  MirrorDocument,
  QueueStats,
  QueueTask,
  ReviewInput,
  ReviewItem,
  StorageAdapter,
  StorageAreas,
  StorageCapabilities,
  StudentAiProfile,
  SyncCursor,
  TaskRow,
  UpsertResult,
} from './types.js'

const P = '[@edusync/sync-core]'

// ---------------------------------------------------------------------------------------------------------
// options

/** Retry back-off of failed tasks: `min(maxMs, baseMs * 2^(attempts-1))`, optionally jittered. */
export interface BackoffOptions {
  /** @default 1000 */
  readonly baseMs?: number
  /** @default 600000 (10 minutes) */
  readonly maxMs?: number
  /** Multiply each delay by a random factor in [0.5, 1) so retries spread out. @default true */
  readonly jitter?: boolean
}

/** Options of {@link createStore}. */
export interface StoreOptions {
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number
  /** A number in [0, 1), for back-off jitter. @default Math.random */
  readonly random?: () => number
  /** Unique ids (lease tokens, interaction and insight ids). @default crypto.randomUUID */
  readonly randomId?: () => string
  /** Attempts before a task is dead-lettered, unless the task sets its own. @default 8 */
  readonly maxAttempts?: number
  /** Back-off of failed tasks. */
  readonly backoff?: BackoffOptions
}

interface Resolved {
  readonly clock: () => number
  readonly random: () => number
  readonly randomId: () => string
  readonly maxAttempts: number
  readonly backoff: Required<BackoffOptions>
}

function resolveOptions(options: StoreOptions): Resolved {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${P} createStore: options must be an object.`)
  }
  const {
    clock = Date.now,
    random = Math.random,
    randomId = randomUUID,
    maxAttempts = 8,
    backoff = {},
  } = options
  for (const [name, fn] of [
    ['clock', clock],
    ['random', random],
    ['randomId', randomId],
  ] as const) {
    if (typeof fn !== 'function') throw new TypeError(`${P} createStore: \`${name}\` must be a function.`)
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(
      `${P} createStore: \`maxAttempts\` must be a positive integer, got ${String(maxAttempts)}.`,
    )
  }
  const { baseMs = 1000, maxMs = 600_000, jitter = true } = backoff
  if (!Number.isFinite(baseMs) || baseMs < 0) {
    throw new RangeError(`${P} createStore: \`backoff.baseMs\` must be a non-negative number.`)
  }
  if (!Number.isFinite(maxMs) || maxMs < baseMs) {
    throw new RangeError(`${P} createStore: \`backoff.maxMs\` must be a number not below backoff.baseMs.`)
  }
  if (typeof jitter !== 'boolean')
    throw new TypeError(`${P} createStore: \`backoff.jitter\` must be a boolean.`)
  return Object.freeze({
    clock,
    random,
    randomId,
    maxAttempts,
    backoff: Object.freeze({ baseMs, maxMs, jitter }),
  })
}

// ---------------------------------------------------------------------------------------------------------
// the public store surface

/** A document to upsert into the mirror. */
export interface DocumentInput<T extends DocumentData = DocumentData> {
  readonly doctype: string
  readonly name: string
  readonly data: T
  /** ERPNext's `modified`, exactly as read. */
  readonly modified: string
  /**
   * The last-synced snapshot for three-way merges.
   * @default data (the version just read from ERPNext is, by definition, in sync)
   */
  readonly base?: T | null
  /** The `modified` of `base`. @default modified when `base` is defaulted, else null */
  readonly baseModified?: string | null
  /** @default the store clock */
  readonly syncedAt?: number
}

/** A page of mirrored documents and the cursor of the next page (`null` at the end). */
export interface DocumentPage<T extends DocumentData = DocumentData> {
  readonly items: MirrorDocument<T>[]
  readonly next: DocumentCursor | null
}

/** The mirror of ERPNext documents. */
export interface DocumentStore {
  get<T extends DocumentData = DocumentData>(doctype: string, name: string): Promise<MirrorDocument<T> | null>
  getMany<T extends DocumentData = DocumentData>(
    doctype: string,
    names: readonly string[],
  ): Promise<MirrorDocument<T>[]>
  /**
   * Insert, or replace when `modified` is newer than the stored one. The same or an older `modified` changes
   * nothing, so applying a version twice is harmless.
   */
  upsert<T extends DocumentData>(doc: DocumentInput<T>): Promise<UpsertResult>
  /** {@link DocumentStore.upsert} for a batch; results in input order. Within a batch the newest version of a document wins. */
  upsertMany<T extends DocumentData>(docs: readonly DocumentInput<T>[]): Promise<UpsertResult[]>
  /** Keep the row but flag it deleted (ERPNext deleted it). `false` when absent or already deleted. */
  markDeleted(doctype: string, name: string): Promise<boolean>
  /** One page in (modified, name) order, after `after`. */
  list<T extends DocumentData = DocumentData>(
    doctype: string,
    options?: {
      after?: DocumentCursor | null
      /** @default 100 */
      limit?: number
      /** @default false */
      includeDeleted?: boolean
    },
  ): Promise<DocumentPage<T>>
  stats(doctype: string): Promise<DoctypeStats>
}

/** A task to enqueue. */
export interface EnqueueInput {
  /** What to do, e.g. `pull`, `writeback`, `enhance`. */
  readonly kind: string
  readonly doctype: string
  readonly name: string
  readonly payload?: JsonValue | null
  /** The `modified` of the event; a pending task keeps the newest payload. */
  readonly modified?: string | null
  /** Higher first. @default 0 */
  readonly priority?: number
  /** Not before this time. @default now */
  readonly runAt?: number
  /** @default the store's maxAttempts */
  readonly maxAttempts?: number
  /** The coalescing key. @default one key per (kind, doctype, name) */
  readonly key?: string
}

/** Which tasks `lease` may hand out. */
export interface LeaseFilter {
  readonly kind?: string
  readonly doctype?: string
}

/** The work queue. */
export interface QueueStore {
  /** Enqueue, coalescing with the pending task of the same key. Returns the task id. */
  enqueue(task: EnqueueInput): Promise<number>
  enqueueMany(tasks: readonly EnqueueInput[]): Promise<number[]>
  /**
   * Lease up to `limit` due tasks for `leaseMs`. A task is never leased to two workers holding live
   * leases; a task whose lease expired is taken over (its `attempts` count the lost lease).
   */
  lease(worker: string, limit: number, leaseMs: number, filter?: LeaseFilter): Promise<LeasedTask[]>
  /** Extend a lease by `leaseMs` from now. @throws LeaseExpiredError */
  renew(leaseToken: string, leaseMs: number): Promise<number>
  /** Finish a task (it is removed). @throws LeaseExpiredError */
  complete(leaseToken: string): Promise<void>
  /**
   * Finish several tasks in one go (one statement on SQL adapters). Tokens whose lease is no longer live
   * are not errors here: they come back in `expired`, and their tasks belong to whoever leased them since.
   * Call it on a transaction's `tx.queue` to make it all-or-nothing with your other writes.
   */
  completeMany(leaseTokens: readonly string[]): Promise<{ completed: string[]; expired: string[] }>
  /**
   * Record a failure: retry after back-off, or dead-letter when attempts are exhausted or `deadLetter`.
   * `error` is stored and shown to operators: pass a code or a message without personal data.
   * @throws LeaseExpiredError
   */
  fail(
    leaseToken: string,
    error: string,
    options?: { deadLetter?: boolean; retryInMs?: number },
  ): Promise<FailOutcome>
  /** Return tasks whose lease expired to pending (dead-lettering those out of attempts). */
  reclaimExpired(): Promise<{ requeued: number; dead: number }>
  get(id: number): Promise<QueueTask | null>
  /** Dead letters, oldest first. */
  listDead(options?: { afterId?: number; limit?: number; kind?: string }): Promise<QueueTask[]>
  /** Re-drive dead letters: pending again, attempts reset. Returns how many. */
  redrive(ids: readonly number[] | 'all'): Promise<number>
  /** Delete dead letters. Returns how many. */
  discard(ids: readonly number[] | 'all'): Promise<number>
  /**
   * Delete the pending and dead tasks of these documents (leased ones are left to their holders); returns
   * how many. Present when the adapter implements `queue.cancel`.
   */
  cancel?(doctype: string, names: readonly string[]): Promise<number>
  stats(): Promise<QueueStats>
}

/** Incremental-pull watermarks. */
export interface CursorStore {
  get(site: string, doctype: string): Promise<SyncCursor | null>
  set(cursor: { site: string; doctype: string; modified: string; name: string }): Promise<void>
  list(site?: string): Promise<SyncCursor[]>
  delete(site: string, doctype: string): Promise<boolean>
}

/** Manual-review items. */
export interface ReviewStore {
  create(input: ReviewInput): Promise<ReviewItem>
  get(id: number): Promise<ReviewItem | null>
  list(options?: {
    status?: 'open' | 'resolved'
    doctype?: string
    name?: string
    afterId?: number
    /** @default 100 */
    limit?: number
  }): Promise<ReviewItem[]>
  /**
   * Resolve an open item with the chosen value. Returns `null` when it was already resolved.
   * @throws StorageNotFoundError for an unknown id
   */
  resolve(id: number, value: JsonValue | null, options?: { resolvedBy?: string }): Promise<ReviewItem | null>
  /**
   * Delete every review item, open or resolved, of these documents (no shell keeps their values); returns
   * how many. Present when the adapter implements `reviews.purgeDocuments`.
   */
  purgeDocuments?(doctype: string, names: readonly string[]): Promise<number>
}

/** The append-only audit log (`sync_logs`). */
export interface AuditStore {
  append(entry: AuditEntryInput): Promise<number>
  appendMany(entries: readonly AuditEntryInput[]): Promise<number[]>
  /** Newest first. */
  query(query?: AuditQuery): Promise<AuditEntry[]>
  /** Retention: delete entries older than `olderThanMs` (relative to now) or before `before`. */
  purge(options: { olderThanMs: number } | { before: number }): Promise<number>
}

/** Input of `ai.profiles.upsert`. */
export interface ProfileInput {
  readonly studentId: string
  readonly learningStyle?: string | null
  readonly profile: JsonValue
  readonly preferences?: JsonValue | null
}
/** Input of `ai.interactions.append`. */
export interface InteractionInput {
  /** @default a random id */
  readonly id?: string
  readonly studentId: string
  readonly sessionId: string
  readonly courseId?: string | null
  readonly question: string
  readonly response: string
  readonly concepts?: readonly string[]
  readonly helpRequested?: boolean
  readonly durationMs?: number
  /** @default now */
  readonly createdAt?: number
}
/** Input of `ai.knowledge.upsert`. */
export interface KnowledgeInput {
  readonly id: string
  readonly courseId?: string | null
  readonly topic: string
  readonly title: string
  readonly content: string
  /** @default 'text' */
  readonly contentType?: string
  readonly metadata?: JsonValue | null
}
/** Input of `ai.insights.insert`. */
export interface InsightInput {
  /** An idempotency key; @default a random id */
  readonly id?: string
  readonly studentId: string
  readonly insightType: string
  readonly data: JsonValue
  readonly confidence?: number | null
  /** @default 'pending' */
  readonly status?: InsightStatus
}

/** The AI layer's records. */
export interface AiRecordStore {
  readonly profiles: {
    upsert(profile: ProfileInput): Promise<StudentAiProfile>
    get(studentId: string): Promise<StudentAiProfile | null>
    list(options?: { afterId?: string; limit?: number; updatedSince?: number }): Promise<StudentAiProfile[]>
    delete(studentId: string): Promise<boolean>
  }
  readonly interactions: {
    /** Returns how many were new (ids already stored are ignored). */
    append(interactions: InteractionInput | readonly InteractionInput[]): Promise<number>
    list(options?: {
      studentId?: string
      from?: number
      to?: number
      after?: { createdAt: number; id: string }
      limit?: number
    }): Promise<AiChatInteraction[]>
    deleteByStudent(studentId: string): Promise<number>
    /** Retention: delete interactions older than `olderThanMs`. */
    purge(olderThanMs: number): Promise<number>
  }
  readonly knowledge: {
    upsert(item: KnowledgeInput): Promise<KnowledgeBaseContent>
    get(id: string): Promise<KnowledgeBaseContent | null>
    list(options?: {
      courseId?: string
      topic?: string
      afterId?: string
      limit?: number
    }): Promise<KnowledgeBaseContent[]>
    delete(id: string): Promise<boolean>
  }
  readonly insights: {
    /** Insert once: inserting an existing id returns the stored insight unchanged. */
    insert(insight: InsightInput): Promise<AiInsight>
    get(id: string): Promise<AiInsight | null>
    list(options?: {
      studentId?: string
      status?: InsightStatus
      syncedToErpnext?: boolean
      after?: { createdAt: number; id: string }
      limit?: number
    }): Promise<AiInsight[]>
    setStatus(id: string, status: InsightStatus): Promise<boolean>
    markSynced(id: string, erpnextName?: string | null): Promise<boolean>
    deleteByStudent(studentId: string): Promise<number>
  }
}

/** Privacy state, implementing `@edusync/privacy-toolkit`'s store interfaces. */
export interface PrivacyStores {
  readonly reidentification: ReidentificationStore
  readonly disclosures: DisclosureLedger
  /** Erasure tombstones; `erasedAmong` is present when the adapter implements it. */
  readonly tombstones: TombstoneAdapter
  readonly consent: ConsentStore
  readonly dataKeys: DataKeyStore
}

/**
 * Webhook replay protection; structurally a `SeenStore` of `@edusync/webhook-verifier`, so it can be
 * passed to the verifier as is.
 */
export interface SeenStoreArea {
  /** Atomically record `id` for `ttlMs`; `true` the first time (or after expiry), `false` for a replay. */
  markSeen(id: string, ttlMs: number): Promise<boolean>
  /** Forget `id`, so a retried delivery whose processing failed is accepted again. */
  release(id: string): Promise<void>
  has(id: string): Promise<boolean>
  purgeExpired(): Promise<number>
}

/** Every area of a store. Inside `transaction(fn)`, `fn` receives these bound to the transaction. */
export interface StoreAreas {
  readonly documents: DocumentStore
  readonly queue: QueueStore
  readonly cursors: CursorStore
  readonly reviews: ReviewStore
  readonly audit: AuditStore
  readonly ai: AiRecordStore
  readonly privacy: PrivacyStores
  readonly seen: SeenStoreArea
}

/** A storage adapter wrapped with lifecycle, validation and defaults: what the engine and applications use. */
export interface Store extends StoreAreas {
  /** The adapter's name. */
  readonly name: string
  readonly capabilities: StorageCapabilities
  /** Whether `close()` was called. */
  readonly closed: boolean
  /** Connect and migrate (once; concurrent calls share one attempt). Other methods call it implicitly. */
  open(): Promise<void>
  /** Close the adapter (once). Every later call rejects with `StorageClosedError`. */
  close(): Promise<void>
  /**
   * Run `fn` atomically: every write through `tx` commits together or not at all. Use only `tx` inside
   * `fn` — calling the store itself from inside would wait for the transaction to end.
   * @example
   * await store.transaction(async (tx) => {
   *   await tx.documents.upsert(doc)
   *   await tx.queue.complete(task.leaseToken)
   * })
   */
  transaction<T>(fn: (tx: StoreAreas) => Promise<T>): Promise<T>
}

// ---------------------------------------------------------------------------------------------------------
// validation helpers

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${P} \`${name}\` must be a non-empty string.`)
  }
  return value
}
function texts(value: unknown, name: string): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${P} \`${name}\` must be an array of non-empty strings.`)
  return value.map((v, i) => text(v, `${name}[${i}]`))
}
function optText(value: unknown, name: string): string | null {
  return value === undefined || value === null ? null : text(value, name)
}
function int(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new RangeError(`${P} \`${name}\` must be an integer from ${min} to ${max}, got ${String(value)}.`)
  }
  return value as number
}
function time(value: unknown, name: string): number {
  return int(value, name, 0)
}
function finite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${P} \`${name}\` must be a finite number.`)
  }
  return value
}
function plainObject(value: unknown, name: string): DocumentData {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${P} \`${name}\` must be a plain object.`)
  }
  return value as DocumentData
}
const LIMIT_MAX = 10_000
const limitOf = (value: unknown, fallback: number) => int(value ?? fallback, 'limit', 1, LIMIT_MAX)
const INSIGHT_STATUSES: readonly InsightStatus[] = ['pending', 'reviewed', 'acted_upon']
function insightStatus(value: unknown): InsightStatus {
  if (!INSIGHT_STATUSES.includes(value as InsightStatus)) {
    throw new TypeError(`${P} insight \`status\` must be one of ${INSIGHT_STATUSES.join(', ')}.`)
  }
  return value as InsightStatus
}

// ---------------------------------------------------------------------------------------------------------
// the wrapper

type Run = <T>(operation: string, fn: () => Promise<T>) => Promise<T>

function wrapMethods<T extends object>(target: T, prefix: string, run: Run): T {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(target) as (keyof T & string)[]) {
    const method = target[key]
    if (typeof method === 'function') {
      out[key] = (...args: unknown[]) =>
        run(`${prefix}.${key}`, () => (method as (...a: unknown[]) => Promise<unknown>).apply(target, args))
    }
  }
  return Object.freeze(out) as T
}

function buildAreas(a: StorageAreas, o: Resolved, run: Run): StoreAreas {
  const toRow = (doc: DocumentInput, now: number): DocumentRow => {
    plainObject(doc, 'document')
    const data = plainObject(doc.data, 'data')
    const modifiedKey = normalizeModified(doc.modified)
    const defaulted = doc.base === undefined
    const base = defaulted ? data : doc.base === null ? null : plainObject(doc.base, 'base')
    const baseModified = defaulted ? doc.modified : (optText(doc.baseModified, 'baseModified') ?? null)
    if (baseModified !== null) normalizeModified(baseModified)
    return {
      doctype: text(doc.doctype, 'doctype'),
      name: text(doc.name, 'name'),
      data,
      modified: doc.modified,
      modifiedKey,
      hash: contentHash(data),
      base,
      baseModified,
      syncedAt: doc.syncedAt === undefined ? now : time(doc.syncedAt, 'syncedAt'),
    }
  }

  const documents: DocumentStore = {
    get: (doctype, name) =>
      run('documents.get', () => a.documents.get(text(doctype, 'doctype'), text(name, 'name'))) as never,
    getMany: (doctype, names) =>
      run('documents.getMany', async () => {
        if (!Array.isArray(names)) throw new TypeError(`${P} \`names\` must be an array of strings.`)
        for (const [i, n] of names.entries()) text(n, `names[${i}]`)
        return a.documents.getMany(text(doctype, 'doctype'), names)
      }) as never,
    upsert: (doc) =>
      run('documents.upsert', async () => {
        const [result] = await a.documents.upsertMany([toRow(doc, o.clock())], o.clock())
        return result!
      }),
    upsertMany: (docs) =>
      run('documents.upsertMany', async () => {
        if (!Array.isArray(docs)) throw new TypeError(`${P} upsertMany expects an array of documents.`)
        const now = o.clock()
        const rows = docs.map((d) => toRow(d, now))
        // Keep only the newest version of each document in the batch (first one on ties).
        const newest = new Map<string, DocumentRow>()
        for (const row of rows) {
          const id = `${row.doctype}\u0000${row.name}`
          const seen = newest.get(id)
          if (!seen || row.modifiedKey > seen.modifiedKey) newest.set(id, row)
        }
        const results = await a.documents.upsertMany([...newest.values()], now)
        const byId = new Map(results.map((r) => [`${r.doctype}\u0000${r.name}`, r]))
        return rows.map((row): UpsertResult => {
          const id = `${row.doctype}\u0000${row.name}`
          if (newest.get(id) === row) return byId.get(id)!
          return { doctype: row.doctype, name: row.name, status: 'unchanged' }
        })
      }),
    markDeleted: (doctype, name) =>
      run('documents.markDeleted', () =>
        a.documents.markDeleted(text(doctype, 'doctype'), text(name, 'name'), o.clock()),
      ),
    list: (doctype, options = {}) =>
      run('documents.list', async () => {
        const limit = limitOf(options.limit, 100)
        const after = options.after
          ? {
              modifiedKey: normalizeModified(options.after.modified),
              name: text(options.after.name, 'after.name'),
            }
          : null
        const items = await a.documents.list(text(doctype, 'doctype'), {
          after,
          limit,
          includeDeleted: options.includeDeleted === true,
        })
        const last = items[items.length - 1]
        return {
          items,
          next: items.length === limit && last ? { modified: last.modified, name: last.name } : null,
        }
      }) as never,
    stats: (doctype) => run('documents.stats', () => a.documents.stats(text(doctype, 'doctype'))),
  }

  const toTask = (t: EnqueueInput, now: number): TaskRow => {
    plainObject(t, 'task')
    const kind = text(t.kind, 'kind')
    const doctype = text(t.doctype, 'doctype')
    const name = text(t.name, 'name')
    const modified = optText(t.modified, 'modified')
    if (t.payload !== undefined && t.payload !== null) JSON.stringify(t.payload)
    return {
      key: t.key === undefined ? JSON.stringify([kind, doctype, name]) : text(t.key, 'key'),
      kind,
      doctype,
      name,
      payload: t.payload ?? null,
      modified,
      modifiedKey: modified === null ? null : normalizeModified(modified),
      priority: int(t.priority ?? 0, 'priority', -1_000_000, 1_000_000),
      runAt: t.runAt === undefined ? now : time(t.runAt, 'runAt'),
      maxAttempts: int(t.maxAttempts ?? o.maxAttempts, 'maxAttempts', 1, 1000),
    }
  }
  const backoffAt = (now: number) => (attempts: number) => {
    const { baseMs, maxMs, jitter } = o.backoff
    const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1))
    return now + Math.round(jitter ? delay * (0.5 + o.random() / 2) : delay)
  }

  const queue: QueueStore = {
    enqueue: (task) =>
      run('queue.enqueue', async () => {
        const now = o.clock()
        const [id] = await a.queue.enqueueMany([toTask(task, now)], now)
        return id!
      }),
    enqueueMany: (tasks) =>
      run('queue.enqueueMany', async () => {
        if (!Array.isArray(tasks)) throw new TypeError(`${P} enqueueMany expects an array of tasks.`)
        const now = o.clock()
        return a.queue.enqueueMany(
          tasks.map((t) => toTask(t, now)),
          now,
        )
      }),
    lease: (worker, limit, leaseMs, filter = {}) =>
      run('queue.lease', () => {
        const now = o.clock()
        return a.queue.lease({
          worker: text(worker, 'worker'),
          limit: int(limit, 'limit', 1, LIMIT_MAX),
          now,
          expiresAt: now + int(leaseMs, 'leaseMs', 1),
          tokenPrefix: o.randomId(),
          kind: optText(filter.kind, 'filter.kind'),
          doctype: optText(filter.doctype, 'filter.doctype'),
        })
      }),
    renew: (token, leaseMs) =>
      run('queue.renew', async () => {
        const now = o.clock()
        const until = await a.queue.renew(text(token, 'leaseToken'), now + int(leaseMs, 'leaseMs', 1), now)
        if (until === null) throw new LeaseExpiredError(token, 'renew')
        return until
      }),
    complete: (token) =>
      run('queue.complete', async () => {
        if (!(await a.queue.complete(text(token, 'leaseToken'), o.clock()))) {
          throw new LeaseExpiredError(token, 'complete')
        }
      }),
    completeMany: (tokens) =>
      run('queue.completeMany', async () => {
        if (!Array.isArray(tokens)) throw new TypeError(`${P} completeMany expects an array of lease tokens.`)
        for (const [i, t] of tokens.entries()) text(t, `leaseTokens[${i}]`)
        const now = o.clock()
        let completed: string[]
        if (a.queue.completeMany) completed = await a.queue.completeMany(tokens, now)
        else {
          completed = []
          for (const t of new Set(tokens)) if (await a.queue.complete(t, now)) completed.push(t)
        }
        const done = new Set(completed)
        return { completed: [...done], expired: [...new Set(tokens)].filter((t) => !done.has(t)) }
      }),
    fail: (token, error, options = {}) =>
      run('queue.fail', async () => {
        const now = o.clock()
        const message = text(error, 'error').slice(0, 2000)
        const retryInMs = options.retryInMs === undefined ? undefined : int(options.retryInMs, 'retryInMs', 0)
        const outcome = await a.queue.fail(text(token, 'leaseToken'), {
          error: message,
          now,
          dead: options.deadLetter === true,
          retryAt: retryInMs === undefined ? backoffAt(now) : () => now + retryInMs,
        })
        if (outcome === null) throw new LeaseExpiredError(token, 'fail')
        return outcome
      }),
    reclaimExpired: () => run('queue.reclaimExpired', () => a.queue.reclaimExpired(o.clock())),
    get: (id) => run('queue.get', () => a.queue.get(int(id, 'id', 0))),
    listDead: (options = {}) =>
      run('queue.listDead', () =>
        a.queue.listDead({
          afterId: int(options.afterId ?? 0, 'afterId', 0),
          limit: limitOf(options.limit, 100),
          kind: optText(options.kind, 'kind'),
        }),
      ),
    redrive: (ids) =>
      run('queue.redrive', () =>
        a.queue.redrive(ids === 'all' ? 'all' : ids.map((id) => int(id, 'id', 0)), o.clock()),
      ),
    discard: (ids) =>
      run('queue.discard', () => a.queue.discard(ids === 'all' ? 'all' : ids.map((id) => int(id, 'id', 0)))),
    ...(a.queue.cancel
      ? {
          cancel: (doctype: string, names: readonly string[]) =>
            run('queue.cancel', async () => {
              const d = text(doctype, 'doctype')
              const list = texts(names, 'names')
              return list.length === 0 ? 0 : a.queue.cancel!(d, list)
            }),
        }
      : {}),
    stats: () => run('queue.stats', () => a.queue.stats()),
  }

  const cursors: CursorStore = {
    get: (site, doctype) =>
      run('cursors.get', () => a.cursors.get(text(site, 'site'), text(doctype, 'doctype'))),
    set: (c) =>
      run('cursors.set', () => {
        plainObject(c, 'cursor')
        normalizeModified(c.modified)
        return a.cursors.set(
          {
            site: text(c.site, 'site'),
            doctype: text(c.doctype, 'doctype'),
            modified: c.modified,
            name: text(c.name, 'name'),
          },
          o.clock(),
        )
      }),
    list: (site) => run('cursors.list', () => a.cursors.list(site === undefined ? null : text(site, 'site'))),
    delete: (site, doctype) =>
      run('cursors.delete', () => a.cursors.delete(text(site, 'site'), text(doctype, 'doctype'))),
  }

  const json = (v: unknown): JsonValue | null => (v === undefined ? null : (v as JsonValue))
  const reviews: ReviewStore = {
    create: (input) =>
      run('reviews.create', () => {
        plainObject(input, 'review')
        return a.reviews.create(
          {
            doctype: text(input.doctype, 'doctype'),
            name: text(input.name, 'name'),
            field: text(input.field, 'field'),
            base: json(input.base),
            local: json(input.local),
            remote: json(input.remote),
            reason: optText(input.reason, 'reason'),
          },
          o.clock(),
        )
      }),
    get: (id) => run('reviews.get', () => a.reviews.get(int(id, 'id', 0))),
    list: (options = {}) =>
      run('reviews.list', () => {
        const status = options.status ?? null
        if (status !== null && status !== 'open' && status !== 'resolved') {
          throw new TypeError(`${P} review \`status\` must be "open" or "resolved".`)
        }
        return a.reviews.list({
          status,
          doctype: optText(options.doctype, 'doctype'),
          name: optText(options.name, 'name'),
          afterId: int(options.afterId ?? 0, 'afterId', 0),
          limit: limitOf(options.limit, 100),
        })
      }),
    resolve: (id, value, options = {}) =>
      run('reviews.resolve', async () => {
        int(id, 'id', 0)
        const item = await a.reviews.resolve(
          id,
          json(value),
          optText(options.resolvedBy, 'resolvedBy'),
          o.clock(),
        )
        if (item) return item
        if (!(await a.reviews.get(id))) throw new StorageNotFoundError('review item', String(id))
        return null
      }),
    ...(a.reviews.purgeDocuments
      ? {
          purgeDocuments: (doctype: string, names: readonly string[]) =>
            run('reviews.purgeDocuments', async () => {
              const d = text(doctype, 'doctype')
              const list = texts(names, 'names')
              return list.length === 0 ? 0 : a.reviews.purgeDocuments!(d, [...new Set(list)])
            }),
        }
      : {}),
  }

  const DIRECTIONS = ['inbound', 'outbound', 'internal']
  const toAudit = (e: AuditEntryInput, now: number) => {
    plainObject(e, 'audit entry')
    if (e.direction != null && !DIRECTIONS.includes(e.direction)) {
      throw new TypeError(`${P} audit \`direction\` must be one of ${DIRECTIONS.join(', ')}.`)
    }
    const fields = e.fields ?? []
    if (!Array.isArray(fields)) throw new TypeError(`${P} audit \`fields\` must be an array of field names.`)
    for (const [i, f] of fields.entries()) text(f, `fields[${i}]`)
    return {
      type: text(e.type, 'type'),
      doctype: optText(e.doctype, 'doctype'),
      name: optText(e.name, 'name'),
      direction: e.direction ?? null,
      status: text(e.status, 'status'),
      error: e.error == null ? null : text(e.error, 'error').slice(0, 2000),
      payloadHash: optText(e.payloadHash, 'payloadHash'),
      fields: [...fields],
      at: e.at === undefined ? now : time(e.at, 'at'),
    }
  }
  const audit: AuditStore = {
    append: (entry) =>
      run('audit.append', async () => {
        const [id] = await a.audit.append([toAudit(entry, o.clock())])
        return id!
      }),
    appendMany: (entries) =>
      run('audit.appendMany', () => {
        if (!Array.isArray(entries)) throw new TypeError(`${P} appendMany expects an array of entries.`)
        const now = o.clock()
        return a.audit.append(entries.map((e) => toAudit(e, now)))
      }),
    query: (q = {}) =>
      run('audit.query', () =>
        a.audit.query({
          type: optText(q.type, 'type'),
          doctype: optText(q.doctype, 'doctype'),
          name: optText(q.name, 'name'),
          status: optText(q.status, 'status'),
          from: time(q.from ?? 0, 'from'),
          to: time(q.to ?? Number.MAX_SAFE_INTEGER, 'to'),
          beforeId: int(q.beforeId ?? Number.MAX_SAFE_INTEGER, 'beforeId', 0),
          limit: limitOf(q.limit, 100),
        }),
      ),
    purge: (options) =>
      run('audit.purge', () => {
        const before =
          'before' in options
            ? time(options.before, 'before')
            : o.clock() - time(options.olderThanMs, 'olderThanMs')
        return a.audit.purge(before)
      }),
  }

  const ai: AiRecordStore = {
    profiles: {
      upsert: (p) =>
        run('ai.profiles.upsert', async () => {
          plainObject(p, 'profile')
          const now = o.clock()
          const studentId = text(p.studentId, 'studentId')
          if (p.profile === undefined) throw new TypeError(`${P} \`profile\` is required.`)
          await a.ai.profiles.upsert({
            studentId,
            learningStyle: optText(p.learningStyle, 'learningStyle'),
            profile: p.profile,
            preferences: json(p.preferences),
            createdAt: now,
            updatedAt: now,
          })
          return (await a.ai.profiles.get(studentId))!
        }),
      get: (id) => run('ai.profiles.get', () => a.ai.profiles.get(text(id, 'studentId'))),
      list: (options = {}) =>
        run('ai.profiles.list', () =>
          a.ai.profiles.list({
            afterId: options.afterId ?? '',
            limit: limitOf(options.limit, 100),
            updatedSince:
              options.updatedSince === undefined ? null : time(options.updatedSince, 'updatedSince'),
          }),
        ),
      delete: (id) => run('ai.profiles.delete', () => a.ai.profiles.delete(text(id, 'studentId'))),
    },
    interactions: {
      append: (input) =>
        run('ai.interactions.append', () => {
          const now = o.clock()
          const list = Array.isArray(input) ? input : [input as InteractionInput]
          return a.ai.interactions.append(
            list.map((i) => {
              plainObject(i, 'interaction')
              const concepts: readonly string[] = i.concepts ?? []
              for (const [n, c] of concepts.entries()) text(c, `concepts[${n}]`)
              return {
                id: i.id === undefined ? o.randomId() : text(i.id, 'id'),
                studentId: text(i.studentId, 'studentId'),
                sessionId: text(i.sessionId, 'sessionId'),
                courseId: optText(i.courseId, 'courseId'),
                question: typeof i.question === 'string' ? i.question : text(i.question, 'question'),
                response: typeof i.response === 'string' ? i.response : text(i.response, 'response'),
                concepts: [...concepts],
                helpRequested: i.helpRequested === true,
                durationMs: int(i.durationMs ?? 0, 'durationMs', 0),
                createdAt: i.createdAt === undefined ? now : time(i.createdAt, 'createdAt'),
              }
            }),
          )
        }),
      list: (options = {}) =>
        run('ai.interactions.list', () =>
          a.ai.interactions.list({
            studentId: optText(options.studentId, 'studentId'),
            from: time(options.from ?? 0, 'from'),
            to: time(options.to ?? Number.MAX_SAFE_INTEGER, 'to'),
            after: options.after ?? null,
            limit: limitOf(options.limit, 100),
          }),
        ),
      deleteByStudent: (id) =>
        run('ai.interactions.deleteByStudent', () =>
          a.ai.interactions.deleteByStudent(text(id, 'studentId')),
        ),
      purge: (olderThanMs) =>
        run('ai.interactions.purge', () =>
          a.ai.interactions.purge(o.clock() - time(olderThanMs, 'olderThanMs')),
        ),
    },
    knowledge: {
      upsert: (k) =>
        run('ai.knowledge.upsert', async () => {
          plainObject(k, 'knowledge item')
          const now = o.clock()
          const id = text(k.id, 'id')
          await a.ai.knowledge.upsert({
            id,
            courseId: optText(k.courseId, 'courseId'),
            topic: text(k.topic, 'topic'),
            title: text(k.title, 'title'),
            content: typeof k.content === 'string' ? k.content : text(k.content, 'content'),
            contentType: k.contentType === undefined ? 'text' : text(k.contentType, 'contentType'),
            metadata: json(k.metadata),
            createdAt: now,
            updatedAt: now,
          })
          return (await a.ai.knowledge.get(id))!
        }),
      get: (id) => run('ai.knowledge.get', () => a.ai.knowledge.get(text(id, 'id'))),
      list: (options = {}) =>
        run('ai.knowledge.list', () =>
          a.ai.knowledge.list({
            courseId: optText(options.courseId, 'courseId'),
            topic: optText(options.topic, 'topic'),
            afterId: options.afterId ?? '',
            limit: limitOf(options.limit, 100),
          }),
        ),
      delete: (id) => run('ai.knowledge.delete', () => a.ai.knowledge.delete(text(id, 'id'))),
    },
    insights: {
      insert: (i) =>
        run('ai.insights.insert', async () => {
          plainObject(i, 'insight')
          const now = o.clock()
          const id = i.id === undefined ? o.randomId() : text(i.id, 'id')
          if (i.data === undefined) throw new TypeError(`${P} insight \`data\` is required.`)
          await a.ai.insights.insert({
            id,
            studentId: text(i.studentId, 'studentId'),
            insightType: text(i.insightType, 'insightType'),
            data: i.data,
            confidence: i.confidence == null ? null : finite(i.confidence, 'confidence'),
            status: insightStatus(i.status ?? 'pending'),
            syncedToErpnext: false,
            erpnextName: null,
            createdAt: now,
            updatedAt: now,
          })
          return (await a.ai.insights.get(id))!
        }),
      get: (id) => run('ai.insights.get', () => a.ai.insights.get(text(id, 'id'))),
      list: (options = {}) =>
        run('ai.insights.list', () =>
          a.ai.insights.list({
            studentId: optText(options.studentId, 'studentId'),
            status: options.status === undefined ? null : insightStatus(options.status),
            syncedToErpnext: options.syncedToErpnext === undefined ? null : options.syncedToErpnext === true,
            after: options.after ?? null,
            limit: limitOf(options.limit, 100),
          }),
        ),
      setStatus: (id, status) =>
        run('ai.insights.setStatus', () =>
          a.ai.insights.setStatus(text(id, 'id'), insightStatus(status), o.clock()),
        ),
      markSynced: (id, erpnextName = null) =>
        run('ai.insights.markSynced', () =>
          a.ai.insights.markSynced(text(id, 'id'), optText(erpnextName, 'erpnextName'), o.clock()),
        ),
      deleteByStudent: (id) =>
        run('ai.insights.deleteByStudent', () => a.ai.insights.deleteByStudent(text(id, 'studentId'))),
    },
  }

  const privacy: PrivacyStores = Object.freeze({
    reidentification: wrapMethods(a.privacy.reidentification, 'privacy.reidentification', run),
    disclosures: wrapMethods(a.privacy.disclosures, 'privacy.disclosures', run),
    tombstones: Object.freeze({
      ...wrapMethods(a.privacy.tombstones, 'privacy.tombstones', run),
      ...(a.privacy.tombstones.erasedAmong
        ? {
            erasedAmong: (tenant: string, subjectIds: readonly string[], kind: string) =>
              run('privacy.tombstones.erasedAmong', async () => {
                const t = text(tenant, 'tenant')
                const k = text(kind, 'kind')
                const ids = texts(subjectIds, 'subjectIds')
                return ids.length === 0
                  ? new Set<string>()
                  : a.privacy.tombstones.erasedAmong!(t, [...new Set(ids)], k)
              }),
          }
        : {}),
    }),
    consent: wrapMethods(a.privacy.consent, 'privacy.consent', run),
    dataKeys: wrapMethods(a.privacy.dataKeys, 'privacy.dataKeys', run),
  })

  const seen: SeenStoreArea = {
    markSeen: (id, ttlMs) =>
      run('seen.markSeen', () => {
        const now = o.clock()
        return a.seen.insertIfAbsent(text(id, 'id'), now + int(ttlMs, 'ttlMs', 1), now)
      }),
    release: (id) =>
      run('seen.release', async () => {
        await a.seen.delete(text(id, 'id'))
      }),
    has: (id) => run('seen.has', () => a.seen.has(text(id, 'id'), o.clock())),
    purgeExpired: () => run('seen.purgeExpired', () => a.seen.purgeExpired(o.clock())),
  }

  return Object.freeze({
    documents: Object.freeze(documents),
    queue: Object.freeze(queue),
    cursors: Object.freeze(cursors),
    reviews: Object.freeze(reviews),
    audit: Object.freeze(audit),
    ai: Object.freeze({
      profiles: Object.freeze(ai.profiles),
      interactions: Object.freeze(ai.interactions),
      knowledge: Object.freeze(ai.knowledge),
      insights: Object.freeze(ai.insights),
    }),
    privacy,
    seen: Object.freeze(seen),
  })
}

/** Misuse and typed store errors pass through; anything else from the driver becomes a StorageOperationError. */
function typed(operation: string, error: unknown): unknown {
  if (isStorageError(error) || error instanceof TypeError || error instanceof RangeError) return error
  return new StorageOperationError(operation, error)
}

async function guarded<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw typed(operation, error)
  }
}

const REQUIRED_AREAS = ['documents', 'queue', 'cursors', 'reviews', 'audit', 'ai', 'privacy', 'seen'] as const

/**
 * Wrap a storage adapter into a {@link Store}: validates every input once, fills in clocks, hashes,
 * normalised `modified` keys, lease tokens and back-off, opens (and migrates) the adapter once on first
 * use, and refuses every call after `close()` with `StorageClosedError`.
 *
 * @example
 * import { createStore } from '@edusync/sync-core'
 * import { memoryAdapter } from '@edusync/sync-core/memory'
 *
 * const store = createStore(memoryAdapter())
 * await store.documents.upsert({ doctype: 'Student', name: 'EDU-STU-0001', modified: '2026-01-05 10:00:00', data })
 * const [task] = await store.queue.lease('worker-1', 10, 30_000)
 */
export function createStore(adapter: StorageAdapter, options: StoreOptions = {}): Store {
  if (typeof adapter !== 'object' || adapter === null) {
    throw new TypeError(`${P} createStore: \`adapter\` must be a storage adapter object.`)
  }
  for (const method of ['open', 'close', 'transaction'] as const) {
    if (typeof adapter[method] !== 'function') {
      throw new TypeError(`${P} createStore: the adapter has no ${method}() method.`)
    }
  }
  for (const area of REQUIRED_AREAS) {
    if (typeof adapter[area] !== 'object' || adapter[area] === null) {
      throw new TypeError(`${P} createStore: the adapter has no "${area}" area.`)
    }
  }
  const o = resolveOptions(options)
  let opening: Promise<void> | undefined
  let closing: Promise<void> | undefined
  let closed = false

  const open = (): Promise<void> => {
    if (closed) return Promise.reject(new StorageClosedError('open'))
    opening ??= adapter.open().catch((error: unknown) => {
      opening = undefined
      throw typed('open', error)
    })
    return opening
  }
  const run: Run = async (operation, fn) => {
    if (closed) throw new StorageClosedError(operation)
    await open()
    if (closed) throw new StorageClosedError(operation)
    return guarded(operation, fn)
  }
  const txRun: Run = async (operation, fn) => {
    if (closed) throw new StorageClosedError(operation)
    return guarded(operation, fn)
  }

  const runRaw: Run = async (operation, fn) => {
    if (closed) throw new StorageClosedError(operation)
    await open()
    return fn()
  }

  const areas = buildAreas(adapter, o, run)
  const store: Store = {
    name: String(adapter.name),
    capabilities: Object.freeze({ ...adapter.capabilities }),
    get closed() {
      return closed
    },
    open,
    close() {
      if (closing) return closing
      closed = true
      closing = (async () => {
        if (opening) await opening.catch(() => undefined)
        await adapter.close()
      })()
      return closing
    },
    transaction(fn) {
      // Not `run`: errors thrown by `fn` itself must reach the caller unchanged.
      return runRaw('transaction', () => {
        if (typeof fn !== 'function') throw new TypeError(`${P} transaction(fn): fn must be a function.`)
        return adapter.transaction((tx) => fn(buildAreas(tx, o, txRun)))
      })
    },
    ...areas,
  }
  return Object.freeze(store)
}
