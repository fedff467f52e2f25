/**
 * The narrow interfaces ("ports") the sync engine needs from the outside world: ERPNext, the durable
 * store, conflict resolution, privacy, webhook verification and document validation.
 *
 * The engine depends only on these shapes, so it is testable in isolation and works with any
 * implementation that fits: `erpnextPortFromClient()` adapts an `@edusync/erpnext-client` client, and a
 * storage adapter that implements {@link EngineStore} is used as is.
 */

import type {
  AuditEntry,
  AuditRow,
  DocumentRow,
  JsonValue,
  QueueStats,
  QueueTask,
  ReviewItem,
  SyncCursor,
  TaskRow,
} from '../storage/types.js'

/** Storage contract types the engine's ports speak in, re-exported for port implementers. */
export type {
  AuditEntry,
  AuditRow,
  DocumentRow,
  JsonValue,
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

/** One mirrored ERPNext document (the storage contract's `MirrorDocument`). */
export interface MirrorDocument {
  readonly doctype: string
  readonly name: string
  /** The document as last read from ERPNext (PII fields sealed by the privacy layer), children included. */
  readonly data: ErpDoc
  /** ERPNext's `modified`, exactly as read. */
  readonly modified: string
  /** Content hash (see `contentHash`) of the plaintext document. */
  readonly hash: string
  /** The last-synced snapshot used as the base of three-way merges. */
  readonly base: ErpDoc | null
  readonly baseModified: string | null
  readonly deleted: boolean
  readonly deletedAt: number | null
  /** When this version was last confirmed with ERPNext (epoch ms). */
  readonly syncedAt: number
  readonly updatedAt: number
}

/**
 * The subset of the storage contract (`StorageAreas` of `@edusync/sync-core`) the engine uses. Every
 * storage adapter satisfies it; timestamps are epoch milliseconds from the engine's clock.
 */
export interface EngineStoreAreas {
  readonly documents: {
    get(doctype: string, name: string): Promise<MirrorDocument | null>
    getMany(doctype: string, names: readonly string[]): Promise<MirrorDocument[]>
    upsertMany(
      rows: readonly DocumentRow[],
      now: number,
    ): Promise<{ doctype: string; name: string; status: 'inserted' | 'updated' | 'unchanged' }[]>
    markDeleted(doctype: string, name: string, now: number): Promise<boolean>
    list(
      doctype: string,
      options: {
        after: { modifiedKey: string; name: string } | null
        limit: number
        includeDeleted: boolean
      },
    ): Promise<MirrorDocument[]>
    stats(doctype: string): Promise<{ count: number; deleted: number; latestModified: string | null }>
  }
  readonly queue: {
    enqueueMany(rows: readonly TaskRow[], now: number): Promise<number[]>
    lease(options: {
      worker: string
      limit: number
      now: number
      expiresAt: number
      tokenPrefix: string
      kind: string | null
      doctype: string | null
    }): Promise<QueueTask[]>
    renew(token: string, expiresAt: number, now: number): Promise<number | null>
    complete(token: string, now: number): Promise<boolean>
    /** Complete several tasks at once; returns the tokens that were live. Optional. */
    completeMany?(tokens: readonly string[], now: number): Promise<string[]>
    fail(
      token: string,
      options: { error: string; now: number; dead: boolean; retryAt: (attempts: number) => number },
    ): Promise<'retry' | 'dead' | 'superseded' | null>
    reclaimExpired(now: number): Promise<{ requeued: number; dead: number }>
    listDead(options: { afterId: number; limit: number; kind: string | null }): Promise<QueueTask[]>
    redrive(ids: readonly number[] | 'all', now: number): Promise<number>
    discard(ids: readonly number[] | 'all'): Promise<number>
    stats(): Promise<QueueStats>
  }
  readonly cursors: {
    get(site: string, doctype: string): Promise<SyncCursor | null>
    set(cursor: { site: string; doctype: string; modified: string; name: string }, now: number): Promise<void>
    delete(site: string, doctype: string): Promise<boolean>
  }
  readonly reviews: {
    create(
      input: {
        doctype: string
        name: string
        field: string
        base: JsonValue | null
        local: JsonValue | null
        remote: JsonValue | null
        reason: string | null
      },
      now: number,
    ): Promise<ReviewItem>
    get(id: number): Promise<ReviewItem | null>
    list(options: {
      status: 'open' | 'resolved' | null
      doctype: string | null
      name: string | null
      afterId: number
      limit: number
    }): Promise<ReviewItem[]>
    resolve(
      id: number,
      resolution: JsonValue | null,
      resolvedBy: string | null,
      now: number,
    ): Promise<ReviewItem | null>
  }
  readonly audit: {
    append(rows: readonly AuditRow[]): Promise<number[]>
    query(query: {
      type: string | null
      doctype: string | null
      name: string | null
      status: string | null
      from: number
      to: number
      beforeId: number
      limit: number
    }): Promise<AuditEntry[]>
  }
  readonly seen: {
    insertIfAbsent(key: string, expiresAt: number, now: number): Promise<boolean>
  }
  readonly privacy: {
    readonly tombstones: {
      put(tombstone: {
        tenant: string
        subjectId: string
        kind: string
        requestId: string
        action: 'deleted' | 'pseudonymised'
        erasedAt: Date
      }): Promise<void>
      isErased(tenant: string, subjectId: string, kind: string): Promise<boolean>
      /**
       * The subjects among `subjectIds` that have a tombstone for `kind` or for `*`, in one statement.
       * Optional: without it the engine asks `isErased` once per distinct subject.
       */
      erasedAmong?(tenant: string, subjectIds: readonly string[], kind: string): Promise<ReadonlySet<string>>
    }
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
