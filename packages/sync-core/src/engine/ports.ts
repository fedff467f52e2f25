/**
 * The narrow interfaces ("ports") the sync engine needs from the outside world: ERPNext, the durable
 * store, conflict resolution, privacy, webhook verification and document validation.
 *
 * The engine depends only on these shapes, so it is testable in isolation and works with any
 * implementation that fits: `erpnextPortFromClient()` adapts an `@edusync/erpnext-client` client, and a
 * storage adapter that implements {@link EngineStore} is used as is.
 */

import type {
  AuditAdapter,
  CursorsAdapter,
  DocumentsAdapter,
  PrivacyAdapter,
  QueueAdapter,
  ReviewsAdapter,
  SeenAdapter,
  TombstoneAdapter,
} from '../storage/types.js'

/** Storage contract types the engine's ports speak in, re-exported for port implementers. */
export type {
  AuditEntry,
  AuditRow,
  DocumentRow,
  JsonValue,
  LeasedTask,
  MirrorDocument,
  QueueStats,
  QueueTask,
  ReviewItem,
  SyncCursor,
  TaskRow,
} from '../storage/types.js'

/** A JSON-like ERPNext document as returned by a list request with `fields ["*"]`. */
export type ErpDoc = Record<string, unknown>

/** One Frappe list filter: `[field, operator, value]`. */
export type ErpFilter = readonly [field: string, operator: string, value: unknown]

/** Arguments of one list request (`GET /api/resource/{doctype}` / `frappe.client.get_list`). */
export interface ListRequest {
  /** Columns to return; `['*']` for every column. */
  readonly fields: readonly string[]
  /** AND-ed filters. */
  readonly filters?: readonly ErpFilter[]
  /** SQL-ish order, e.g. `modified asc, name asc`. Always sent: ERPNext has no stable default order. */
  readonly orderBy: string
  /** Maximum rows; `0` means unlimited. */
  readonly limit: number
  /** Offset. */
  readonly limitStart?: number
  /** Parent doctype; required by ERPNext when `doctype` is a child table. */
  readonly parent?: string
}

/** One item of a `frappe.client.bulk_update` call. */
export interface BulkUpdateItem {
  readonly doctype: string
  readonly docname: string
  /**
   * The `modified` string exactly as read; ERPNext then refuses the item with `TimestampMismatchError` when
   * the document changed since.
   */
  readonly modified: string
  /** Field values to set. */
  readonly fields: Readonly<Record<string, unknown>>
}

/** One item ERPNext refused in a `bulk_update` call. */
export interface BulkUpdateFailure {
  readonly doctype: string
  readonly docname: string
  /** True when ERPNext refused the item because `modified` no longer matched. */
  readonly timestampMismatch: boolean
  /** ERPNext's exception text (a traceback); never shown to users as is. */
  readonly error: string
}

/**
 * What the engine needs from ERPNext. Every method is one HTTP request, so the engine can count requests
 * per synced document exactly. Errors are thrown as the client throws them; the engine recognises
 * rate-limit, timeout, network and 5xx errors by their `code`/`status` (see `classifyError`).
 */
export interface ErpnextPort {
  /** One list request. */
  list(doctype: string, request: ListRequest): Promise<ErpDoc[]>
  /** `frappe.client.get_count`. */
  count(doctype: string, filters?: readonly ErpFilter[]): Promise<number>
  /** `frappe.client.bulk_update` (one request, per-item failures). */
  bulkUpdate(items: readonly BulkUpdateItem[]): Promise<BulkUpdateFailure[]>
  /** `frappe.client.insert_many` (≤ 200 documents, all or nothing); returns the new names in order. */
  insertMany(doctype: string, docs: readonly ErpDoc[]): Promise<string[]>
}

/** Task kinds the engine queues. */
export type TaskKind = 'pull' | 'enhance' | 'push' | 'insert'

/**
 * The subset of the storage contract (`StorageAreas` of `@edusync/sync-core`) the engine uses, method for
 * method as a storage adapter declares it, so every adapter satisfies it as is. Timestamps are epoch
 * milliseconds from the engine's clock. Optional methods (`queue.completeMany`, `queue.cancel`,
 * `reviews.purgeDocuments`, `tombstones.erasedAmong`) are used when present.
 */
export interface EngineStoreAreas {
  readonly documents: Pick<
    DocumentsAdapter,
    'get' | 'getMany' | 'upsertMany' | 'markDeleted' | 'list' | 'stats'
  >
  readonly queue: Omit<QueueAdapter, 'get'>
  readonly cursors: Pick<CursorsAdapter, 'get' | 'set' | 'delete'>
  readonly reviews: ReviewsAdapter
  readonly audit: Pick<AuditAdapter, 'append' | 'query'>
  readonly seen: Pick<SeenAdapter, 'insertIfAbsent'>
  readonly privacy: {
    readonly tombstones: Pick<TombstoneAdapter, 'put' | 'isErased' | 'erasedAmong'>
    /** Consent flags: a legal hold stops `privacy.erase()`. Optional; stores from `createStore()` have it. */
    readonly consent?: Pick<PrivacyAdapter['consent'], 'get'>
    /** Pseudonym mappings, deleted by `privacy.erase()`. Optional; stores from `createStore()` have it. */
    readonly reidentification?: Pick<PrivacyAdapter['reidentification'], 'deleteBySubject'>
  }
}

/** The store the engine runs on: the areas plus capabilities and transactions. */
export interface EngineStore extends EngineStoreAreas {
  /** Retention purges, if the store supports them (stores from `createStore()` do). */
  readonly retention?: {
    /** Delete audit entries older than `olderThanMs`; returns the number deleted. */
    purgeAudit(olderThanMs: number): Promise<number>
    /** Delete chat interactions older than `olderThanMs`; returns the number deleted. */
    purgeInteractions(olderThanMs: number): Promise<number>
    /** Delete expired seen-store entries; returns the number deleted. */
    purgeSeen(): Promise<number>
  }
  /** The AI layer's `ai_chat_interactions`, by ascending (createdAt, id) within [from, to), if the store holds them. */
  readonly interactions?: {
    list(options: {
      from: number
      to: number
      after: { createdAt: number; id: string } | null
      limit: number
    }): Promise<
      {
        id: string
        studentId: string
        concepts: string[]
        helpRequested: boolean
        durationMs: number
        createdAt: number
      }[]
    >
  }
  readonly capabilities: {
    readonly durable: boolean
    readonly multiProcess: boolean
    readonly transactions: boolean
  }
  transaction<T>(fn: (tx: EngineStoreAreas) => Promise<T>): Promise<T>
}

/** What a conflict resolver is asked: one document, three versions, the fields in play. */
export interface ConflictQuestion {
  readonly doctype: string
  readonly name: string
  readonly fields: readonly string[]
  /** The last-synced snapshot. */
  readonly base: Readonly<ErpDoc>
  /** The AI layer's values. */
  readonly ours: Readonly<ErpDoc>
  /** ERPNext's current values. */
  readonly theirs: Readonly<ErpDoc>
}

/** A resolver's answer. */
export interface ConflictAnswer {
  /** Values to write to ERPNext (fields where the result differs from ERPNext's current value). */
  readonly write: Readonly<Record<string, unknown>>
  /** Fields a human must decide. */
  readonly review: readonly string[]
}

/** Three-way, field-level conflict resolution (backed by `@edusync/conflict-rules`). */
export interface ConflictResolverPort {
  resolve(question: ConflictQuestion): ConflictAnswer | Promise<ConflictAnswer>
}

/** Privacy boundary (backed by `@edusync/privacy-toolkit`). */
export interface PrivacyPort {
  /** The view of a document an enhancer (the AI layer) may see; `null` when consent forbids any use. */
  view(doctype: string, doc: Readonly<ErpDoc>): ErpDoc | null | Promise<ErpDoc | null>
  /** Encrypt the PII fields of a document before it reaches the store. */
  seal(doctype: string, name: string, doc: Readonly<ErpDoc>): ErpDoc | Promise<ErpDoc>
  /** Reverse of `seal`. */
  unseal(doctype: string, name: string, doc: Readonly<ErpDoc>): ErpDoc | Promise<ErpDoc>
  /**
   * The real id behind a pseudonym that this port's views handed out, or `undefined` when `value` is not
   * one it can resolve (not a pseudonym, unknown, erased, another tenant's). When present, enhancers can
   * work in pseudonyms end to end: the engine re-identifies the values of the AI documents they return,
   * their refresh targets and their mirror lookups, at the boundary, before anything reaches ERPNext.
   */
  reidentify?(value: string): Promise<string | undefined>
}

/** Result of validating one document. */
export type ValidationResult =
  | { readonly ok: true; readonly value: ErpDoc }
  | { readonly ok: false; readonly issues: readonly string[] }

/** Validates an ERPNext document of one doctype (e.g. a `@edusync/doctype-schemas` zod schema). */
export type DocValidator = (doc: ErpDoc) => ValidationResult

/** Verifies a webhook from its raw body and headers (backed by `@edusync/webhook-verifier`). */
export type WebhookVerifyPort = (
  rawBody: Uint8Array,
  headers: Headers,
) =>
  | boolean
  | { readonly ok: boolean; readonly reason?: string }
  | Promise<boolean | { readonly ok: boolean; readonly reason?: string }>
