/**
 * A small in-memory implementation of the storage areas the engine uses, for the engine's unit tests
 * (the real adapters are tested by the conformance suite). Transactions snapshot and restore all state.
 */
import type {
  AuditEntry,
  EngineStore,
  EngineStoreAreas,
  MirrorDocument,
  QueueTask,
  ReviewItem,
} from '../../../src/engine/ports.js'

interface State {
  docs: Map<string, MirrorDocument & { modifiedKey: string }>
  tasks: Map<number, QueueTask & { modifiedKey: string | null }>
  nextTask: number
  cursors: Map<string, { site: string; doctype: string; modified: string; name: string; updatedAt: number }>
  reviews: Map<number, ReviewItem>
  nextReview: number
  audit: AuditEntry[]
  seen: Map<string, number>
  tombstones: { tenant: string; subjectId: string; kind: string }[]
}

export interface MemoryStore extends EngineStore {
  /** Make every call throw (a store that is down). */
  down: boolean
  readonly state: State
}

export function createMemoryStore(): MemoryStore {
  const state: State = {
    docs: new Map(),
    tasks: new Map(),
    nextTask: 1,
    cursors: new Map(),
    reviews: new Map(),
    nextReview: 1,
    audit: [],
    seen: new Map(),
    tombstones: [],
  }
  const store = { down: false } as MemoryStore
  const check = () => {
    if (store.down) throw Object.assign(new Error('store down'), { code: 'STORAGE_UNAVAILABLE' })
  }
  const key = (d: string, n: string) => `${d}\u0000${n}`
  const areas: EngineStoreAreas = {
    documents: {
      async get(doctype, name) {
        check()
        return state.docs.get(key(doctype, name)) ?? null
      },
      async getMany(doctype, names) {
        check()
        return names.map((n) => state.docs.get(key(doctype, n))).filter((d) => d !== undefined)
      },
      async upsertMany(rows, now) {
        check()
        return rows.map((row) => {
          const k = key(row.doctype, row.name)
          const prev = state.docs.get(k)
          if (prev && prev.modifiedKey >= row.modifiedKey)
            return { doctype: row.doctype, name: row.name, status: 'unchanged' as const }
          state.docs.set(k, {
            ...row,
            deleted: false,
            deletedAt: null,
            updatedAt: now,
          })
          return {
            doctype: row.doctype,
            name: row.name,
            status: prev ? ('updated' as const) : ('inserted' as const),
          }
        })
      },
      async markDeleted(doctype, name, now) {
        check()
        const prev = state.docs.get(key(doctype, name))
        if (!prev || prev.deleted) return false
        state.docs.set(key(doctype, name), { ...prev, deleted: true, deletedAt: now, updatedAt: now })
        return true
      },
      async list(doctype, { after, limit, includeDeleted }) {
        check()
        return [...state.docs.values()]
          .filter((d) => d.doctype === doctype && (includeDeleted || !d.deleted))
          .sort((a, b) =>
            a.modifiedKey === b.modifiedKey
              ? a.name < b.name
                ? -1
                : 1
              : a.modifiedKey < b.modifiedKey
                ? -1
                : 1,
          )
          .filter(
            (d) =>
              !after ||
              d.modifiedKey > after.modifiedKey ||
              (d.modifiedKey === after.modifiedKey && d.name > after.name),
          )
          .slice(0, limit)
      },
      async stats(doctype) {
        check()
        let count = 0
        let deleted = 0
        let latest: (MirrorDocument & { modifiedKey: string }) | null = null
        for (const d of state.docs.values()) {
          if (d.doctype !== doctype) continue
          if (d.deleted) deleted++
          else {
            count++
            if (!latest || d.modifiedKey > latest.modifiedKey) latest = d
          }
        }
        return { count, deleted, latestModified: latest?.modified ?? null }
      },
    },
    queue: {
      async enqueueMany(rows, now) {
        check()
        return rows.map((row) => {
          const pending = [...state.tasks.values()].find((t) => t.key === row.key && t.state === 'pending')
          if (pending) {
            const newer =
              row.modifiedKey === null ||
              pending.modifiedKey === null ||
              row.modifiedKey >= pending.modifiedKey
            state.tasks.set(pending.id, {
              ...pending,
              ...(newer
                ? { payload: row.payload, modified: row.modified, modifiedKey: row.modifiedKey }
                : {}),
              priority: Math.max(pending.priority, row.priority),
              runAt: Math.min(pending.runAt, row.runAt),
              updatedAt: now,
            })
            return pending.id
          }
          const id = state.nextTask++
          state.tasks.set(id, {
            id,
            ...row,
            attempts: 0,
            state: 'pending',
            lastError: null,
            worker: null,
            leaseToken: null,
            leaseExpiresAt: null,
            createdAt: now,
            updatedAt: now,
          })
          return id
        })
      },
      async lease({ worker, limit, now, expiresAt, tokenPrefix, kind, doctype }) {
        check()
        const due = [...state.tasks.values()]
          .filter(
            (t) =>
              ((t.state === 'pending' && t.runAt <= now) ||
                (t.state === 'leased' && (t.leaseExpiresAt ?? 0) <= now)) &&
              (kind === null || t.kind === kind) &&
              (doctype === null || t.doctype === doctype),
          )
          .sort((a, b) => b.priority - a.priority || a.runAt - b.runAt || a.id - b.id)
        const out: QueueTask[] = []
        for (const t of due) {
          if (out.length >= limit) break
          if (t.state === 'leased' && t.attempts >= t.maxAttempts) {
            state.tasks.set(t.id, { ...t, state: 'dead', leaseToken: null, worker: null })
            continue
          }
          const leased = {
            ...t,
            state: 'leased' as const,
            worker,
            leaseToken: `${tokenPrefix}:${t.id}`,
            leaseExpiresAt: expiresAt,
            attempts: t.attempts + 1,
            updatedAt: now,
          }
          state.tasks.set(t.id, leased)
          out.push(leased)
        }
        return out
      },
      async renew(token, expiresAt, now) {
        check()
        const t = [...state.tasks.values()].find((x) => x.leaseToken === token && x.state === 'leased')
        if (!t || (t.leaseExpiresAt ?? 0) <= now) return null
        state.tasks.set(t.id, { ...t, leaseExpiresAt: expiresAt })
        return expiresAt
      },
      async complete(token, now) {
        check()
        const t = [...state.tasks.values()].find((x) => x.leaseToken === token && x.state === 'leased')
        if (!t || (t.leaseExpiresAt ?? 0) <= now) return false
        state.tasks.delete(t.id)
        return true
      },
      async fail(token, { error, now, dead, retryAt }) {
        check()
        const t = [...state.tasks.values()].find((x) => x.leaseToken === token && x.state === 'leased')
        if (!t || (t.leaseExpiresAt ?? 0) <= now) return null
        if (dead || t.attempts >= t.maxAttempts) {
          state.tasks.set(t.id, {
            ...t,
            state: 'dead',
            lastError: error,
            leaseToken: null,
            worker: null,
            updatedAt: now,
          })
          return 'dead'
        }
        if ([...state.tasks.values()].some((x) => x.key === t.key && x.state === 'pending')) {
          state.tasks.delete(t.id)
          return 'superseded'
        }
        state.tasks.set(t.id, {
          ...t,
          state: 'pending',
          lastError: error,
          runAt: retryAt(t.attempts),
          leaseToken: null,
          worker: null,
          leaseExpiresAt: null,
          updatedAt: now,
        })
        return 'retry'
      },
      async reclaimExpired() {
        check()
        return { requeued: 0, dead: 0 }
      },
      async listDead({ afterId, limit, kind }) {
        check()
        return [...state.tasks.values()]
          .filter((t) => t.state === 'dead' && t.id > afterId && (kind === null || t.kind === kind))
          .sort((a, b) => a.id - b.id)
          .slice(0, limit)
      },
      async redrive(ids, now) {
        check()
        let n = 0
        for (const t of [...state.tasks.values()]) {
          if (t.state !== 'dead' || (ids !== 'all' && !ids.includes(t.id))) continue
          state.tasks.set(t.id, { ...t, state: 'pending', attempts: 0, runAt: now, updatedAt: now })
          n++
        }
        return n
      },
      async discard(ids) {
        check()
        let n = 0
        for (const t of [...state.tasks.values()]) {
          if (t.state !== 'dead' || (ids !== 'all' && !ids.includes(t.id))) continue
          state.tasks.delete(t.id)
          n++
        }
        return n
      },
      async stats() {
        check()
        const byKind: Record<string, { pending: number; leased: number; dead: number }> = {}
        let pending = 0
        let leased = 0
        let dead = 0
        let oldest: number | null = null
        for (const t of state.tasks.values()) {
          const k = (byKind[t.kind] ??= { pending: 0, leased: 0, dead: 0 })
          k[t.state]++
          if (t.state === 'pending') {
            pending++
            oldest = oldest === null ? t.runAt : Math.min(oldest, t.runAt)
          } else if (t.state === 'leased') leased++
          else dead++
        }
        return { pending, leased, dead, byKind, oldestPendingRunAt: oldest }
      },
    },
    cursors: {
      async get(site, doctype) {
        check()
        return state.cursors.get(key(site, doctype)) ?? null
      },
      async set(cursor, now) {
        check()
        state.cursors.set(key(cursor.site, cursor.doctype), { ...cursor, updatedAt: now })
      },
      async delete(site, doctype) {
        check()
        return state.cursors.delete(key(site, doctype))
      },
    },
    reviews: {
      async create(input, now) {
        check()
        const item: ReviewItem = {
          id: state.nextReview++,
          ...input,
          status: 'open',
          resolution: null,
          resolvedBy: null,
          createdAt: now,
          resolvedAt: null,
        }
        state.reviews.set(item.id, item)
        return item
      },
      async get(id) {
        check()
        return state.reviews.get(id) ?? null
      },
      async list({ status, doctype, name, afterId, limit }) {
        check()
        return [...state.reviews.values()]
          .filter(
            (r) =>
              r.id > afterId &&
              (status === null || r.status === status) &&
              (doctype === null || r.doctype === doctype) &&
              (name === null || r.name === name),
          )
          .slice(0, limit)
      },
      async resolve(id, resolution, resolvedBy, now) {
        check()
        const r = state.reviews.get(id)
        if (r?.status !== 'open') return null
        const next: ReviewItem = { ...r, status: 'resolved', resolution, resolvedBy, resolvedAt: now }
        state.reviews.set(id, next)
        return next
      },
    },
    audit: {
      async append(rows) {
        check()
        return rows.map((row) => {
          const entry = { ...row, id: state.audit.length + 1 }
          state.audit.push(entry)
          return entry.id
        })
      },
      async query(q) {
        check()
        return state.audit
          .filter(
            (e) =>
              (q.type === null || e.type === q.type) &&
              (q.doctype === null || e.doctype === q.doctype) &&
              (q.name === null || e.name === q.name) &&
              (q.status === null || e.status === q.status) &&
              e.at >= q.from &&
              e.at < q.to &&
              e.id < q.beforeId,
          )
          .reverse()
          .slice(0, q.limit)
      },
    },
    seen: {
      async insertIfAbsent(k, expiresAt, now) {
        check()
        const prev = state.seen.get(k)
        if (prev !== undefined && prev > now) return false
        state.seen.set(k, expiresAt)
        return true
      },
    },
    privacy: {
      tombstones: {
        async put(t) {
          check()
          state.tombstones.push({ tenant: t.tenant, subjectId: t.subjectId, kind: t.kind })
        },
        async isErased(tenant, subjectId, kind) {
          check()
          return state.tombstones.some(
            (t) => t.tenant === tenant && t.subjectId === subjectId && (t.kind === kind || t.kind === '*'),
          )
        },
      },
    },
  }
  Object.assign(store, areas, {
    state,
    capabilities: { durable: false, multiProcess: false, transactions: true },
    async transaction<T>(fn: (tx: EngineStoreAreas) => Promise<T>): Promise<T> {
      check()
      const snapshot = structuredClone({ ...state })
      try {
        return await fn(areas)
      } catch (error) {
        Object.assign(state, snapshot)
        throw error
      }
    },
  })
  return store
}
