import { isLeaseExpiredError } from '../storage/errors.js'
import type { Store, StoreAreas } from '../storage/store.js'
import type { EngineStore, EngineStoreAreas, JsonValue } from './ports.js'

/** True for a store made by `createStore()` (as opposed to a bare {@link EngineStore}). */
export function isWrappedStore(value: unknown): value is Store {
  if (value === null || typeof value !== 'object') return false
  const s = value as Partial<Store>
  return (
    typeof s.open === 'function' &&
    typeof s.documents?.upsert === 'function' &&
    typeof s.seen?.markSeen === 'function'
  )
}

function idOf(token: string): number {
  return Number(token.slice(token.lastIndexOf(':') + 1))
}

async function leaseLive<T>(fn: () => Promise<T>, dead: T): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (isLeaseExpiredError(error)) return dead
    throw error
  }
}

function areas(s: StoreAreas): EngineStoreAreas {
  return {
    documents: {
      get: (doctype, name) => s.documents.get(doctype, name),
      getMany: (doctype, names) => s.documents.getMany(doctype, names),
      upsertMany: (rows) =>
        s.documents.upsertMany(
          rows.map((r) => ({
            doctype: r.doctype,
            name: r.name,
            data: r.data,
            modified: r.modified,
            base: r.base,
            baseModified: r.baseModified,
            syncedAt: r.syncedAt,
          })),
        ),
      markDeleted: (doctype, name) => s.documents.markDeleted(doctype, name),
      list: async (doctype, { after, limit, includeDeleted }) =>
        (
          await s.documents.list(doctype, {
            after: after ? { modified: after.modifiedKey, name: after.name } : null,
            limit,
            includeDeleted,
          })
        ).items,
      stats: (doctype) => s.documents.stats(doctype),
    },
    queue: {
      enqueueMany: (rows) =>
        s.queue.enqueueMany(
          rows.map((r) => ({
            key: r.key,
            kind: r.kind,
            doctype: r.doctype,
            name: r.name,
            payload: r.payload,
            modified: r.modified,
            priority: r.priority,
            runAt: r.runAt,
            maxAttempts: r.maxAttempts,
          })),
        ),
      lease: ({ worker, limit, now, expiresAt, kind, doctype }) =>
        s.queue.lease(worker, limit, Math.max(1, expiresAt - now), {
          ...(kind === null ? {} : { kind }),
          ...(doctype === null ? {} : { doctype }),
        }),
      renew: (token, expiresAt, now) =>
        leaseLive<number | null>(() => s.queue.renew(token, Math.max(1, expiresAt - now)), null),
      complete: (token) =>
        leaseLive(async () => {
          await s.queue.complete(token)
          return true
        }, false),
      completeMany: async (tokens) => (await s.queue.completeMany(tokens)).completed,
      fail: (token, { error, now, dead, retryAt }) =>
        leaseLive<'retry' | 'dead' | 'superseded' | null>(async () => {
          const task = dead ? null : await s.queue.get(idOf(token))
          const retryInMs = task ? Math.max(0, retryAt(task.attempts) - now) : 0
          return s.queue.fail(token, error, { deadLetter: dead, retryInMs })
        }, null),
      reclaimExpired: () => s.queue.reclaimExpired(),
      listDead: ({ afterId, limit, kind }) =>
        s.queue.listDead({ afterId, limit, ...(kind === null ? {} : { kind }) }),
      redrive: (ids) => s.queue.redrive(ids),
      discard: (ids) => s.queue.discard(ids),
      ...(s.queue.cancel ? { cancel: s.queue.cancel } : {}),
      stats: () => s.queue.stats(),
    },
    cursors: {
      get: (site, doctype) => s.cursors.get(site, doctype),
      set: (cursor) => s.cursors.set(cursor),
      delete: (site, doctype) => s.cursors.delete(site, doctype),
    },
    reviews: {
      create: (input) => s.reviews.create(input),
      get: (id) => s.reviews.get(id),
      list: ({ status, doctype, name, afterId, limit }) =>
        s.reviews.list({
          ...(status === null ? {} : { status }),
          ...(doctype === null ? {} : { doctype }),
          ...(name === null ? {} : { name }),
          afterId,
          limit,
        }),
      resolve: (id, resolution: JsonValue | null, resolvedBy) =>
        s.reviews.resolve(id, resolution, resolvedBy === null ? {} : { resolvedBy }),
      ...(s.reviews.purgeDocuments ? { purgeDocuments: s.reviews.purgeDocuments } : {}),
    },
    audit: {
      append: (rows) => s.audit.appendMany(rows),
      query: (q) =>
        s.audit.query({
          ...(q.type === null ? {} : { type: q.type }),
          ...(q.doctype === null ? {} : { doctype: q.doctype }),
          ...(q.name === null ? {} : { name: q.name }),
          ...(q.status === null ? {} : { status: q.status }),
          from: q.from,
          to: q.to,
          beforeId: q.beforeId,
          limit: q.limit,
        }),
    },
    seen: {
      insertIfAbsent: (key, expiresAt, now) => s.seen.markSeen(key, Math.max(1, expiresAt - now)),
    },
    privacy: {
      tombstones: s.privacy.tombstones,
      consent: s.privacy.consent,
      reidentification: s.privacy.reidentification,
    },
  }
}

/**
 * Adapt a store from `createStore()` to the engine's {@link EngineStore}; a bare `EngineStore` is returned
 * as is. The store keeps its own clock for leases and back-off, so give `createStore` and the engine the
 * same clock.
 * @internal
 */
export function toEngineStore(store: Store | EngineStore): EngineStore {
  if (!isWrappedStore(store)) return store
  return {
    ...areas(store),
    interactions: {
      list: ({ from, to, after, limit }) =>
        store.ai.interactions.list({ from, to, limit, ...(after ? { after } : {}) }),
    },
    retention: {
      purgeAudit: (olderThanMs) => store.audit.purge({ olderThanMs }),
      purgeInteractions: (olderThanMs) => store.ai.interactions.purge(olderThanMs),
      purgeSeen: () => store.seen.purgeExpired(),
    },
    capabilities: store.capabilities,
    transaction: (fn) => store.transaction((tx) => fn(areas(tx))),
  }
}
