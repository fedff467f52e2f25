/**
 * The storage contract. An adapter implements {@link StorageAdapter}: a handful of small "areas", each a
 * plain object of async methods that receive inputs the core has already validated and normalised
 * (timestamps, hashes, sortable `modified` keys, lease tokens). Applications never call an adapter
 * directly: they wrap it with `createStore(adapter)`, which enforces the lifecycle and fills in the rest.
 *
 * Every timestamp is a number of milliseconds since the Unix epoch, taken from the store's injected clock.
 * @module
 */

import type {
  ConsentStore,
  DataKeyStore,
  DisclosureLedger,
  ReidentificationStore,
  TombstoneStore,
} from '@edusync/privacy-toolkit'

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A document body as ERPNext returns it (field name → value). */
export type DocumentData = Record<string, unknown>

/** What an adapter can do. The conformance suite and the engine read these flags. */
export interface StorageCapabilities {
  /** State survives `close()` and a process crash. */
  readonly durable: boolean
  /** Several processes (or machines) may share one database safely; leases are exclusive across them. */
  readonly multiProcess: boolean
  /** `transaction(fn)` is atomic: all of `fn`'s writes commit together or none do. */
  readonly transactions: boolean
}

// ---------------------------------------------------------------------------------------------------------
// documents

/** One mirrored ERPNext document. */
export interface MirrorDocument<T extends DocumentData = DocumentData> {
  readonly doctype: string
  readonly name: string
  /** The current data, as last read from ERPNext. */
  readonly data: T
  /** ERPNext's `modified`, exactly as read (echo it back on writes). */
  readonly modified: string
  /** SHA-256 (hex) of the canonical JSON of `data`. */
  readonly hash: string
  /** The last-synced snapshot used as the base of three-way merges; `null` when none was recorded. */
  readonly base: T | null
  /** The `modified` the base was taken at. */
  readonly baseModified: string | null
  /** Whether the document was deleted in ERPNext (the row is kept as a tombstone). */
  readonly deleted: boolean
  /** When the deletion was recorded. */
  readonly deletedAt: number | null
  /** When this version was synced. */
  readonly syncedAt: number
  /** When the row last changed. */
  readonly updatedAt: number
}

/** A (modified, name) watermark used to page documents in ERPNext order. */
export interface DocumentCursor {
  /** ERPNext `modified` string. */
  readonly modified: string
  readonly name: string
}

/** What `upsert` did with one document. */
export type UpsertStatus = 'inserted' | 'updated' | 'unchanged'

/** The outcome of upserting one document. */
export interface UpsertResult {
  readonly doctype: string
  readonly name: string
  readonly status: UpsertStatus
}

/** Counts and the newest `modified` of one doctype in the mirror (for quick reconciliation). */
export interface DoctypeStats {
  /** Live (not deleted) documents. */
  readonly count: number
  /** Deleted documents kept as tombstones. */
  readonly deleted: number
  /** The greatest `modified` among live documents, or `null` when there are none. */
  readonly latestModified: string | null
}

/** A normalised document row handed to adapters. */
export interface DocumentRow {
  readonly doctype: string
  readonly name: string
  readonly data: DocumentData
  readonly modified: string
  /** `modified` normalised to `YYYY-MM-DD HH:MM:SS.ffffff` so it sorts lexically. Compare on this. */
  readonly modifiedKey: string
  readonly hash: string
  readonly base: DocumentData | null
  readonly baseModified: string | null
  readonly syncedAt: number
}

/** The documents area an adapter implements. */
export interface DocumentsAdapter {
  get(doctype: string, name: string): Promise<MirrorDocument | null>
  /** Documents of one doctype by name; missing names are absent from the result. */
  getMany(doctype: string, names: readonly string[]): Promise<MirrorDocument[]>
  /**
   * Insert each row, or replace the stored one when the row's `modifiedKey` is strictly greater. A row whose
   * `modifiedKey` is equal or older changes nothing (`'unchanged'`). An applied row clears the deleted flag.
   * The batch holds at most one row per (doctype, name).
   */
  upsertMany(rows: readonly DocumentRow[], now: number): Promise<UpsertResult[]>
  /** Mark a stored document deleted; `false` when it is not stored or already deleted. */
  markDeleted(doctype: string, name: string, now: number): Promise<boolean>
  /** One page of a doctype ordered by (modifiedKey, name), strictly after `after` when given. */
  list(
    doctype: string,
    options: { after: { modifiedKey: string; name: string } | null; limit: number; includeDeleted: boolean },
  ): Promise<MirrorDocument[]>
  stats(doctype: string): Promise<DoctypeStats>
}

// ---------------------------------------------------------------------------------------------------------
// queue

/** The state of a queue task. Completed tasks are removed. */
export type TaskState = 'pending' | 'leased' | 'dead'

/** A queued unit of work. */
export interface QueueTask {
  readonly id: number
  /** The coalescing key: at most one pending task exists per key. */
  readonly key: string
  readonly kind: string
  readonly doctype: string
  readonly name: string
  readonly payload: JsonValue | null
  /** The `modified` of the event that last updated the task, if known. */
  readonly modified: string | null
  /** Higher runs first. */
  readonly priority: number
  /** Not leased before this time. */
  readonly runAt: number
  /** How many times the task was leased. */
  readonly attempts: number
  readonly maxAttempts: number
  readonly state: TaskState
  /** The last failure message (no personal data: callers pass codes and ids). */
  readonly lastError: string | null
  readonly worker: string | null
  readonly leaseToken: string | null
  readonly leaseExpiresAt: number | null
  readonly createdAt: number
  readonly updatedAt: number
}

/** A task handed to a worker by `lease`. */
export interface LeasedTask extends QueueTask {
  readonly state: 'leased'
  readonly worker: string
  /** Pass to `complete`, `fail` and `renew`. */
  readonly leaseToken: string
  readonly leaseExpiresAt: number
}

/** A normalised task handed to adapters by `enqueue`. */
export interface TaskRow {
  readonly key: string
  readonly kind: string
  readonly doctype: string
  readonly name: string
  readonly payload: JsonValue | null
  readonly modified: string | null
  readonly modifiedKey: string | null
  readonly priority: number
  readonly runAt: number
  readonly maxAttempts: number
}

/** Queue depth, overall and per kind. */
export interface QueueStats {
  readonly pending: number
  readonly leased: number
  readonly dead: number
  readonly byKind: Readonly<Record<string, { pending: number; leased: number; dead: number }>>
  /** The earliest `runAt` among pending tasks (queue lag), or `null`. */
  readonly oldestPendingRunAt: number | null
}

/** What `fail` did. `'superseded'`: a newer pending task for the same key already exists; this one was dropped. */
export type FailOutcome = 'retry' | 'dead' | 'superseded'

/** The queue area an adapter implements. */
export interface QueueAdapter {
  /**
   * Insert each task, or coalesce it into the pending task with the same key: the pending task takes the
   * newer payload and `modified` (when the incoming `modifiedKey` is not older), the higher priority and the
   * earlier `runAt`. Returns the task ids in input order.
   */
  enqueueMany(rows: readonly TaskRow[], now: number): Promise<number[]>
  /**
   * Atomically hand up to `limit` due tasks to `worker`: pending tasks with `runAt <= now`, and leased tasks
   * whose lease expired (taken over), ordered by priority desc, runAt, id. Each leased task gets
   * `token = tokenPrefix + ':' + id`, `attempts + 1` and `leaseExpiresAt = expiresAt`. Expired leases whose
   * attempts are exhausted are dead-lettered instead. A task is never handed to two holders of live leases.
   */
  lease(options: {
    worker: string
    limit: number
    now: number
    expiresAt: number
    tokenPrefix: string
    kind: string | null
    doctype: string | null
  }): Promise<LeasedTask[]>
  /** Extend a live lease; `null` when the lease is no longer live. */
  renew(token: string, expiresAt: number, now: number): Promise<number | null>
  /** Remove a task held under a live lease; `false` when the lease is not live. */
  complete(token: string, now: number): Promise<boolean>
  /**
   * Optional: complete several tasks at once; returns the tokens whose lease was live (and whose task is
   * now removed). When absent, the core calls `complete` for each token.
   */
  completeMany?(tokens: readonly string[], now: number): Promise<string[]>
  /**
   * Record a failure under a live lease: dead-letter when `dead` or the attempts are exhausted, else make
   * the task pending again at `retryAt(attempts)` (or drop it when a pending task with its key exists).
   * `null` when the lease is not live.
   */
  fail(
    token: string,
    options: { error: string; now: number; dead: boolean; retryAt: (attempts: number) => number },
  ): Promise<FailOutcome | null>
  /** Return expired leases to pending (or dead-letter them when attempts are exhausted). */
  reclaimExpired(now: number): Promise<{ requeued: number; dead: number }>
  get(id: number): Promise<QueueTask | null>
  /** Dead letters by ascending id, after `afterId`. */
  listDead(options: { afterId: number; limit: number; kind: string | null }): Promise<QueueTask[]>
  /** Make dead letters pending again with zero attempts (or drop them when their key already has a pending task). */
  redrive(ids: readonly number[] | 'all', now: number): Promise<number>
  /** Delete dead letters. */
  discard(ids: readonly number[] | 'all'): Promise<number>
  /**
   * Optional: delete the pending and dead tasks of these documents (`doctype` and `name` as queued); leased
   * tasks are left to their holders. Returns how many were deleted. Erasure uses it so no queued copy of an
   * erased document's values stays behind; without it the engine relies on its processing-time checks.
   */
  cancel?(doctype: string, names: readonly string[]): Promise<number>
  stats(): Promise<QueueStats>
}

// ---------------------------------------------------------------------------------------------------------
// cursors

/** The incremental-pull watermark of one doctype on one site. */
export interface SyncCursor extends DocumentCursor {
  readonly site: string
  readonly doctype: string
  readonly updatedAt: number
}

/** The cursors area an adapter implements. */
export interface CursorsAdapter {
  get(site: string, doctype: string): Promise<SyncCursor | null>
  set(cursor: Omit<SyncCursor, 'updatedAt'>, now: number): Promise<void>
  list(site: string | null): Promise<SyncCursor[]>
  delete(site: string, doctype: string): Promise<boolean>
}

// ---------------------------------------------------------------------------------------------------------
// reviews

/** A conflict waiting for a human decision. */
export interface ReviewItem {
  readonly id: number
  readonly doctype: string
  readonly name: string
  readonly field: string
  /** The value at the last sync. */
  readonly base: JsonValue | null
  /** The AI layer's value. */
  readonly local: JsonValue | null
  /** ERPNext's value. */
  readonly remote: JsonValue | null
  /** Why it needs review (a rule name or code, no personal data). */
  readonly reason: string | null
  readonly status: 'open' | 'resolved'
  /** The value chosen by the reviewer. */
  readonly resolution: JsonValue | null
  readonly resolvedBy: string | null
  readonly createdAt: number
  readonly resolvedAt: number | null
}

/** A new review item. */
export interface ReviewInput {
  readonly doctype: string
  readonly name: string
  readonly field: string
  readonly base: JsonValue | null
  readonly local: JsonValue | null
  readonly remote: JsonValue | null
  readonly reason?: string | null
}

/** The reviews area an adapter implements. */
export interface ReviewsAdapter {
  create(input: Required<ReviewInput>, now: number): Promise<ReviewItem>
  get(id: number): Promise<ReviewItem | null>
  /** By ascending id, after `afterId`. */
  list(options: {
    status: 'open' | 'resolved' | null
    doctype: string | null
    name: string | null
    afterId: number
    limit: number
  }): Promise<ReviewItem[]>
  /** Resolve an open item; `null` when it does not exist or is already resolved. */
  resolve(
    id: number,
    resolution: JsonValue | null,
    resolvedBy: string | null,
    now: number,
  ): Promise<ReviewItem | null>
  /**
   * Optional: delete every review item, open or resolved, of these documents (`doctype` and `name` as
   * stored) and return how many were deleted. Erasure uses it: an item holds the document's conflicting
   * values (base, local, remote, resolution), so no shell of it may stay behind. Without it the engine can
   * only resolve the open items, and their values (and those of resolved ones) remain stored.
   */
  purgeDocuments?(doctype: string, names: readonly string[]): Promise<number>
}

// ---------------------------------------------------------------------------------------------------------
// audit log (sync_logs)

/** Direction of a logged operation. */
export type AuditDirection = 'inbound' | 'outbound' | 'internal'

/** An audit entry to append. Never put personal data here: hashes, ids and field names only. */
export interface AuditEntryInput {
  /** What happened, e.g. `webhook.received`, `document.applied`, `writeback.conflict`. */
  readonly type: string
  readonly doctype?: string | null
  readonly name?: string | null
  readonly direction?: AuditDirection | null
  /** e.g. `ok`, `error`, `skipped`, `conflict`. */
  readonly status: string
  /** An error code or a message free of personal data. */
  readonly error?: string | null
  /** Hash of the payload involved. */
  readonly payloadHash?: string | null
  /** Field names involved. */
  readonly fields?: readonly string[] | null
  /** Defaults to the store's clock. */
  readonly at?: number
}

/** A stored audit entry. */
export interface AuditEntry {
  readonly id: number
  readonly type: string
  readonly doctype: string | null
  readonly name: string | null
  readonly direction: AuditDirection | null
  readonly status: string
  readonly error: string | null
  readonly payloadHash: string | null
  readonly fields: string[]
  readonly at: number
}

/** A normalised audit row handed to adapters. */
export type AuditRow = Omit<AuditEntry, 'id'>

/** Audit log query. Results are newest first. */
export interface AuditQuery {
  readonly type?: string
  readonly doctype?: string
  readonly name?: string
  readonly status?: string
  /** Inclusive lower bound on `at`. */
  readonly from?: number
  /** Exclusive upper bound on `at`. */
  readonly to?: number
  /** Only entries with an id smaller than this (paging backwards). */
  readonly beforeId?: number
  /** @default 100 */
  readonly limit?: number
}

/** The audit area an adapter implements. */
export interface AuditAdapter {
  append(rows: readonly AuditRow[]): Promise<number[]>
  query(
    query: Required<Omit<AuditQuery, 'type' | 'doctype' | 'name' | 'status'>> & {
      type: string | null
      doctype: string | null
      name: string | null
      status: string | null
    },
  ): Promise<AuditEntry[]>
  /** Delete entries with `at < before`. */
  purge(before: number): Promise<number>
}

// ---------------------------------------------------------------------------------------------------------
// AI records (tables of the original design)

/** `student_ai_profiles`: one learning profile per (pseudonymous) student. */
export interface StudentAiProfile {
  /** The student's pseudonymous id (never the ERPNext name). */
  readonly studentId: string
  readonly learningStyle: string | null
  readonly profile: JsonValue
  readonly preferences: JsonValue | null
  readonly createdAt: number
  readonly updatedAt: number
}

/** `ai_chat_interactions`: one question/answer exchange. */
export interface AiChatInteraction {
  readonly id: string
  readonly studentId: string
  readonly sessionId: string
  readonly courseId: string | null
  /** The question text (encrypt it before storing if it may hold personal data). */
  readonly question: string
  readonly response: string
  readonly concepts: string[]
  readonly helpRequested: boolean
  readonly durationMs: number
  readonly createdAt: number
}

/** `knowledge_base_content`: course material the AI layer retrieves from. */
export interface KnowledgeBaseContent {
  readonly id: string
  readonly courseId: string | null
  readonly topic: string
  readonly title: string
  readonly content: string
  readonly contentType: string
  readonly metadata: JsonValue | null
  readonly createdAt: number
  readonly updatedAt: number
}

/** The review status of an AI insight. */
export type InsightStatus = 'pending' | 'reviewed' | 'acted_upon'

/** `ai_insights`: a generated insight about a student. */
export interface AiInsight {
  readonly id: string
  readonly studentId: string
  readonly insightType: string
  readonly data: JsonValue
  readonly confidence: number | null
  readonly status: InsightStatus
  /** Whether it was written back to ERPNext (e.g. as an Assessment Insight). */
  readonly syncedToErpnext: boolean
  /** The ERPNext document name it was written back as. */
  readonly erpnextName: string | null
  readonly createdAt: number
  readonly updatedAt: number
}

/** The AI-records area an adapter implements. */
export interface AiRecordsAdapter {
  readonly profiles: {
    upsert(profile: StudentAiProfile): Promise<void>
    get(studentId: string): Promise<StudentAiProfile | null>
    /** By ascending studentId, after `afterId`. */
    list(options: {
      afterId: string
      limit: number
      updatedSince: number | null
    }): Promise<StudentAiProfile[]>
    delete(studentId: string): Promise<boolean>
  }
  readonly interactions: {
    /** Insert; an interaction whose id exists is ignored (idempotent). */
    append(rows: readonly AiChatInteraction[]): Promise<number>
    /** By ascending (createdAt, id) within [from, to). */
    list(options: {
      studentId: string | null
      from: number
      to: number
      after: { createdAt: number; id: string } | null
      limit: number
    }): Promise<AiChatInteraction[]>
    deleteByStudent(studentId: string): Promise<number>
    purge(before: number): Promise<number>
  }
  readonly knowledge: {
    upsert(item: KnowledgeBaseContent): Promise<void>
    get(id: string): Promise<KnowledgeBaseContent | null>
    /** By ascending id, after `afterId`. */
    list(options: {
      courseId: string | null
      topic: string | null
      afterId: string
      limit: number
    }): Promise<KnowledgeBaseContent[]>
    delete(id: string): Promise<boolean>
  }
  readonly insights: {
    /** Insert; an insight whose id exists is ignored (idempotent). Returns whether it was inserted. */
    insert(insight: AiInsight): Promise<boolean>
    get(id: string): Promise<AiInsight | null>
    /** By ascending (createdAt, id). */
    list(options: {
      studentId: string | null
      status: InsightStatus | null
      syncedToErpnext: boolean | null
      after: { createdAt: number; id: string } | null
      limit: number
    }): Promise<AiInsight[]>
    setStatus(id: string, status: InsightStatus, now: number): Promise<boolean>
    markSynced(id: string, erpnextName: string | null, now: number): Promise<boolean>
    deleteByStudent(studentId: string): Promise<number>
  }
}

// ---------------------------------------------------------------------------------------------------------
// seen-store (webhook replay protection)

/** The seen-store area an adapter implements. */
export interface SeenAdapter {
  /**
   * Atomically record `key` unless a live (unexpired) record exists. `true` when recorded now (first
   * sighting, or the previous record had expired), `false` for a replay.
   */
  insertIfAbsent(key: string, expiresAt: number, now: number): Promise<boolean>
  /** Whether a live record exists. */
  has(key: string, now: number): Promise<boolean>
  /** Forget a record (a delivery whose processing failed may then be retried). */
  delete(key: string): Promise<boolean>
  /** Delete expired records. */
  purgeExpired(now: number): Promise<number>
}

// ---------------------------------------------------------------------------------------------------------
// privacy state

/**
 * Erasure tombstones: `@edusync/privacy-toolkit`'s `TombstoneStore`, plus an optional batched look-up the
 * sync engine uses to check a whole page of documents at once.
 */
export interface TombstoneAdapter extends TombstoneStore {
  /**
   * Optional: the subjects among `subjectIds` that have a tombstone of `tenant` for `kind` or for `*`, in
   * one statement (the set-valued `isErased`). Duplicate ids are allowed; an empty list yields an empty
   * set. When absent, the engine calls `isErased` once per distinct subject id.
   */
  erasedAmong?(tenant: string, subjectIds: readonly string[], kind: string): Promise<ReadonlySet<string>>
}

/**
 * The privacy state an adapter holds, implementing the storage interfaces of `@edusync/privacy-toolkit`
 * directly (they are already small and normalised).
 */
export interface PrivacyAdapter {
  /** Pseudonym ↔ subject map. */
  readonly reidentification: ReidentificationStore
  /** Record of disclosures (append-only). */
  readonly disclosures: DisclosureLedger
  /** Erasure tombstones. */
  readonly tombstones: TombstoneAdapter
  /** Consent and restriction flags. */
  readonly consent: ConsentStore
  /** Wrapped tenant data keys for field encryption. */
  readonly dataKeys: DataKeyStore
}

// ---------------------------------------------------------------------------------------------------------
// the adapter

/** Every area of an adapter; inside `transaction(fn)`, `fn` receives these bound to the transaction. */
export interface StorageAreas {
  readonly documents: DocumentsAdapter
  readonly queue: QueueAdapter
  readonly cursors: CursorsAdapter
  readonly reviews: ReviewsAdapter
  readonly audit: AuditAdapter
  readonly ai: AiRecordsAdapter
  readonly privacy: PrivacyAdapter
  readonly seen: SeenAdapter
}

/**
 * A storage adapter: what integrators implement for their own database. Wrap it with `createStore` before
 * use; the wrapper calls `open()` once and `close()` once and never calls anything after `close()`.
 * Verify an implementation with `testStorageAdapter` from `@edusync/sync-core/testing`.
 */
export interface StorageAdapter extends StorageAreas {
  /** A short name for messages, e.g. `sqlite`. */
  readonly name: string
  readonly capabilities: StorageCapabilities
  /** Connect and apply pending migrations. Refuse (throw `SchemaVersionError`) on an unknown or newer schema. */
  open(): Promise<void>
  /** Release connections the adapter opened (never a client the user passed in). */
  close(): Promise<void>
  /**
   * Run `fn` with areas bound to one transaction: commit when it resolves, roll back when it rejects.
   * Operations outside `fn` must not observe its uncommitted writes, nor interleave with them on a
   * single connection.
   */
  transaction<T>(fn: (tx: StorageAreas) => Promise<T>): Promise<T>
}
