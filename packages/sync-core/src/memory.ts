/**
 * The in-memory storage adapter: the full contract, not durable. For tests, experiments and demos.
 * Transactions work on a copy of the state that replaces it on commit (cost proportional to the state).
 * @module
 */
import type {
  ConsentFlags,
  DisclosureEntry,
  ReidentificationEntry,
  Tombstone,
  WrappedDataKey,
} from '@edusync/privacy-toolkit'
import { AsyncLock } from './storage/sql/driver.js'
import type {
  AiChatInteraction,
  AiInsight,
  AuditEntry,
  FailOutcome,
  KnowledgeBaseContent,
  LeasedTask,
  MirrorDocument,
  QueueTask,
  ReviewItem,
  StorageAdapter,
  StorageAreas,
  StudentAiProfile,
  SyncCursor,
  UpsertResult,
} from './storage/types.js'

type Task = QueueTask & { modifiedKey: string | null }
type Doc = MirrorDocument & { modifiedKey: string }

interface State {
  docs: Map<string, Doc>
  tasks: Map<number, Task>
  /** Indexes over `tasks`: the pending task of each key, and the task of each lease token. */
  pendingKey: Map<string, number>
  tokens: Map<string, number>
  nextTaskId: number
  cursors: Map<string, SyncCursor>
  reviews: Map<number, ReviewItem>
  nextReviewId: number
  logs: Map<number, AuditEntry>
  nextLogId: number
  profiles: Map<string, StudentAiProfile>
  interactions: Map<string, AiChatInteraction>
  knowledge: Map<string, KnowledgeBaseContent>
  insights: Map<string, AiInsight>
  reid: Map<string, ReidentificationEntry>
  disclosures: Map<string, DisclosureEntry>
  tombstones: Map<string, Tombstone>
  consent: Map<string, ConsentFlags>
  dataKeys: Map<string, WrappedDataKey>
  seen: Map<string, number>
}

const emptyState = (): State => ({
  docs: new Map(),
  tasks: new Map(),
  pendingKey: new Map(),
  tokens: new Map(),
  nextTaskId: 1,
  cursors: new Map(),
  reviews: new Map(),
  nextReviewId: 1,
  logs: new Map(),
  nextLogId: 1,
  profiles: new Map(),
  interactions: new Map(),
  knowledge: new Map(),
  insights: new Map(),
  reid: new Map(),
  disclosures: new Map(),
  tombstones: new Map(),
  consent: new Map(),
  dataKeys: new Map(),
  seen: new Map(),
})

/** Copy through JSON, as a database would store it. */
const j = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)))
const k = (...parts: string[]) => parts.join('\u0000')
const byStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function publicDoc(d: Doc): MirrorDocument {
  const { modifiedKey: _, ...doc } = d
  return structuredClone(doc)
}
function publicTask(t: Task): QueueTask {
  const { modifiedKey: _, ...task } = t
  return structuredClone(task)
}

function areas(s: State): StorageAreas {
  const unindex = (t: Task | undefined) => {
    if (!t) return
    if (t.leaseToken !== null && s.tokens.get(t.leaseToken) === t.id) s.tokens.delete(t.leaseToken)
    if (t.state === 'pending' && s.pendingKey.get(t.key) === t.id) s.pendingKey.delete(t.key)
  }
  const putTask = (id: number, t: Task) => {
    unindex(s.tasks.get(id))
    s.tasks.set(id, t)
    if (t.leaseToken !== null) s.tokens.set(t.leaseToken, id)
    if (t.state === 'pending') s.pendingKey.set(t.key, id)
  }
  const dropTask = (id: number) => {
    unindex(s.tasks.get(id))
    s.tasks.delete(id)
  }
  const due = (t: Task, now: number) =>
    (t.state === 'pending' && t.runAt <= now) ||
    (t.state === 'leased' && (t.leaseExpiresAt ?? 0) <= now && t.attempts < t.maxAttempts)
  const live = (token: string, now: number) => {
    const id = s.tokens.get(token)
    const t = id === undefined ? undefined : s.tasks.get(id)
    return t && t.state === 'leased' && (t.leaseExpiresAt ?? 0) > now ? t : undefined
  }
  const cleared = { worker: null, leaseToken: null, leaseExpiresAt: null }
  const toPending = (tasks: Task[], patch: Partial<Task>): number => {
    let kept = 0
    for (const t of [...tasks].sort((a, b) => b.id - a.id)) {
      if (s.pendingKey.has(t.key)) dropTask(t.id)
      else {
        putTask(t.id, { ...t, ...cleared, state: 'pending', ...patch })
        kept++
      }
    }
    return kept
  }
  const deadLetterExpired = (now: number) => {
    let n = 0
    for (const t of s.tasks.values()) {
      if (t.state === 'leased' && (t.leaseExpiresAt ?? 0) <= now && t.attempts >= t.maxAttempts) {
        putTask(t.id, {
          ...t,
          ...cleared,
          state: 'dead',
          lastError: 'lease expired with attempts exhausted',
          updatedAt: now,
        })
        n++
      }
    }
    return n
  }
  const afterCreated = (
    x: { createdAt: number; id: string },
    after: { createdAt: number; id: string } | null,
  ) => !after || x.createdAt > after.createdAt || (x.createdAt === after.createdAt && x.id > after.id)
  const byCreated = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }) =>
    a.createdAt - b.createdAt || byStr(a.id, b.id)

  return {
    documents: {
      async get(doctype, name) {
        const d = s.docs.get(k(doctype, name))
        return d ? publicDoc(d) : null
      },
      async getMany(doctype, names) {
        return [...new Set(names)].flatMap((n) => {
          const d = s.docs.get(k(doctype, n))
          return d ? [publicDoc(d)] : []
        })
      },
      async upsertMany(rows, now) {
        return rows.map((r): UpsertResult => {
          const id = k(r.doctype, r.name)
          const existing = s.docs.get(id)
          if (existing && r.modifiedKey <= existing.modifiedKey) {
            return { doctype: r.doctype, name: r.name, status: 'unchanged' }
          }
          s.docs.set(id, {
            doctype: r.doctype,
            name: r.name,
            data: j(r.data),
            modified: r.modified,
            modifiedKey: r.modifiedKey,
            hash: r.hash,
            base: j(r.base),
            baseModified: r.baseModified,
            deleted: false,
            deletedAt: null,
            syncedAt: r.syncedAt,
            updatedAt: now,
          })
          return { doctype: r.doctype, name: r.name, status: existing ? 'updated' : 'inserted' }
        })
      },
      async markDeleted(doctype, name, now) {
        const d = s.docs.get(k(doctype, name))
        if (!d || d.deleted) return false
        s.docs.set(k(doctype, name), { ...d, deleted: true, deletedAt: now, updatedAt: now })
        return true
      },
      async list(doctype, { after, limit, includeDeleted }) {
        return [...s.docs.values()]
          .filter(
            (d) =>
              d.doctype === doctype &&
              (includeDeleted || !d.deleted) &&
              (!after ||
                d.modifiedKey > after.modifiedKey ||
                (d.modifiedKey === after.modifiedKey && d.name > after.name)),
          )
          .sort((a, b) => byStr(a.modifiedKey, b.modifiedKey) || byStr(a.name, b.name))
          .slice(0, limit)
          .map(publicDoc)
      },
      async stats(doctype) {
        let count = 0
        let deleted = 0
        let latest: Doc | null = null
        for (const d of s.docs.values()) {
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
        return rows.map((r) => {
          const pendingId = s.pendingKey.get(r.key)
          const pending = pendingId === undefined ? undefined : s.tasks.get(pendingId)
          if (pending) {
            const newer =
              pending.modifiedKey === null || r.modifiedKey === null || r.modifiedKey >= pending.modifiedKey
            putTask(pending.id, {
              ...pending,
              ...(newer ? { payload: j(r.payload), modified: r.modified, modifiedKey: r.modifiedKey } : {}),
              priority: Math.max(pending.priority, r.priority),
              runAt: Math.min(pending.runAt, r.runAt),
              maxAttempts: r.maxAttempts,
              updatedAt: now,
            })
            return pending.id
          }
          const id = s.nextTaskId++
          putTask(id, {
            id,
            key: r.key,
            kind: r.kind,
            doctype: r.doctype,
            name: r.name,
            payload: j(r.payload),
            modified: r.modified,
            modifiedKey: r.modifiedKey,
            priority: r.priority,
            runAt: r.runAt,
            attempts: 0,
            maxAttempts: r.maxAttempts,
            state: 'pending',
            lastError: null,
            ...cleared,
            createdAt: now,
            updatedAt: now,
          })
          return id
        })
      },
      async lease({ worker, limit, now, expiresAt, tokenPrefix, kind, doctype }) {
        deadLetterExpired(now)
        const picked = [...s.tasks.values()]
          .filter(
            (t) =>
              due(t, now) &&
              (kind === null || t.kind === kind) &&
              (doctype === null || t.doctype === doctype),
          )
          .sort((a, b) => b.priority - a.priority || a.runAt - b.runAt || a.id - b.id)
          .slice(0, limit)
        return picked.map((t) => {
          const leased: Task = {
            ...t,
            state: 'leased',
            worker,
            leaseToken: `${tokenPrefix}:${t.id}`,
            leaseExpiresAt: expiresAt,
            attempts: t.attempts + 1,
            updatedAt: now,
          }
          putTask(t.id, leased)
          return publicTask(leased) as LeasedTask
        })
      },
      async renew(token, expiresAt, now) {
        const t = live(token, now)
        if (!t) return null
        putTask(t.id, { ...t, leaseExpiresAt: expiresAt, updatedAt: now })
        return expiresAt
      },
      async complete(token, now) {
        const t = live(token, now)
        if (!t) return false
        dropTask(t.id)
        return true
      },
      async completeMany(tokens, now) {
        const done: string[] = []
        for (const token of new Set(tokens)) {
          const t = live(token, now)
          if (!t) continue
          dropTask(t.id)
          done.push(token)
        }
        return done
      },
      async fail(token, { error, now, dead, retryAt }): Promise<FailOutcome | null> {
        const t = live(token, now)
        if (!t) return null
        if (dead || t.attempts >= t.maxAttempts) {
          putTask(t.id, { ...t, ...cleared, state: 'dead', lastError: error, updatedAt: now })
          return 'dead'
        }
        const kept = toPending([t], { runAt: retryAt(t.attempts), lastError: error, updatedAt: now })
        return kept === 1 ? 'retry' : 'superseded'
      },
      async reclaimExpired(now) {
        const dead = deadLetterExpired(now)
        const expired = [...s.tasks.values()].filter(
          (t) => t.state === 'leased' && (t.leaseExpiresAt ?? 0) <= now,
        )
        const requeued = toPending(expired, { lastError: 'lease expired', updatedAt: now })
        return { requeued, dead }
      },
      async get(id) {
        const t = s.tasks.get(id)
        return t ? publicTask(t) : null
      },
      async listDead({ afterId, limit, kind }) {
        return [...s.tasks.values()]
          .filter((t) => t.state === 'dead' && t.id > afterId && (kind === null || t.kind === kind))
          .sort((a, b) => a.id - b.id)
          .slice(0, limit)
          .map(publicTask)
      },
      async redrive(ids, now) {
        const wanted = ids === 'all' ? null : new Set(ids)
        const dead = [...s.tasks.values()].filter((t) => t.state === 'dead' && (!wanted || wanted.has(t.id)))
        return toPending(dead, { attempts: 0, runAt: now, updatedAt: now })
      },
      async discard(ids) {
        const wanted = ids === 'all' ? null : new Set(ids)
        let n = 0
        for (const t of [...s.tasks.values()]) {
          if (t.state === 'dead' && (!wanted || wanted.has(t.id))) {
            dropTask(t.id)
            n++
          }
        }
        return n
      },
      async cancel(doctype, names) {
        const wanted = new Set(names)
        let n = 0
        for (const t of [...s.tasks.values()]) {
          if (t.state !== 'leased' && t.doctype === doctype && wanted.has(t.name)) {
            dropTask(t.id)
            n++
          }
        }
        return n
      },
      async stats() {
        const totals = { pending: 0, leased: 0, dead: 0 }
        const byKind: Record<string, { pending: number; leased: number; dead: number }> = {}
        let oldest: number | null = null
        for (const t of s.tasks.values()) {
          totals[t.state]++
          byKind[t.kind] ??= { pending: 0, leased: 0, dead: 0 }
          byKind[t.kind]![t.state]++
          if (t.state === 'pending' && (oldest === null || t.runAt < oldest)) oldest = t.runAt
        }
        return { ...totals, byKind, oldestPendingRunAt: oldest }
      },
    },

    cursors: {
      async get(site, doctype) {
        const c = s.cursors.get(k(site, doctype))
        return c ? { ...c } : null
      },
      async set(c, now) {
        s.cursors.set(k(c.site, c.doctype), { ...c, updatedAt: now })
      },
      async list(site) {
        return [...s.cursors.values()]
          .filter((c) => site === null || c.site === site)
          .sort((a, b) => byStr(a.site, b.site) || byStr(a.doctype, b.doctype))
          .map((c) => ({ ...c }))
      },
      async delete(site, doctype) {
        return s.cursors.delete(k(site, doctype))
      },
    },

    reviews: {
      async create(input, now) {
        const id = s.nextReviewId++
        const item: ReviewItem = {
          id,
          doctype: input.doctype,
          name: input.name,
          field: input.field,
          base: j(input.base),
          local: j(input.local),
          remote: j(input.remote),
          reason: input.reason,
          status: 'open',
          resolution: null,
          resolvedBy: null,
          createdAt: now,
          resolvedAt: null,
        }
        s.reviews.set(id, item)
        return structuredClone(item)
      },
      async get(id) {
        const r = s.reviews.get(id)
        return r ? structuredClone(r) : null
      },
      async list({ status, doctype, name, afterId, limit }) {
        return [...s.reviews.values()]
          .filter(
            (r) =>
              r.id > afterId &&
              (status === null || r.status === status) &&
              (doctype === null || r.doctype === doctype) &&
              (name === null || r.name === name),
          )
          .sort((a, b) => a.id - b.id)
          .slice(0, limit)
          .map((r) => structuredClone(r))
      },
      async resolve(id, resolution, resolvedBy, now) {
        const r = s.reviews.get(id)
        if (r?.status !== 'open') return null
        const item: ReviewItem = {
          ...r,
          status: 'resolved',
          resolution: j(resolution),
          resolvedBy,
          resolvedAt: now,
        }
        s.reviews.set(id, item)
        return structuredClone(item)
      },
      async purgeDocuments(doctype, names) {
        const wanted = new Set(names)
        let n = 0
        for (const r of [...s.reviews.values()]) {
          if (r.doctype === doctype && wanted.has(r.name)) {
            s.reviews.delete(r.id)
            n++
          }
        }
        return n
      },
    },

    audit: {
      async append(rows) {
        return rows.map((r) => {
          const id = s.nextLogId++
          s.logs.set(id, { id, ...structuredClone(r) })
          return id
        })
      },
      async query(q) {
        return [...s.logs.values()]
          .filter(
            (e) =>
              e.at >= q.from &&
              e.at < q.to &&
              e.id < q.beforeId &&
              (q.type === null || e.type === q.type) &&
              (q.doctype === null || e.doctype === q.doctype) &&
              (q.name === null || e.name === q.name) &&
              (q.status === null || e.status === q.status),
          )
          .sort((a, b) => b.id - a.id)
          .slice(0, q.limit)
          .map((e) => structuredClone(e))
      },
      async purge(before) {
        let n = 0
        for (const e of [...s.logs.values()]) {
          if (e.at < before) {
            s.logs.delete(e.id)
            n++
          }
        }
        return n
      },
    },

    ai: {
      profiles: {
        async upsert(p) {
          const existing = s.profiles.get(p.studentId)
          s.profiles.set(p.studentId, { ...j(p), createdAt: existing?.createdAt ?? p.createdAt })
        },
        async get(id) {
          const p = s.profiles.get(id)
          return p ? structuredClone(p) : null
        },
        async list({ afterId, limit, updatedSince }) {
          return [...s.profiles.values()]
            .filter((p) => p.studentId > afterId && (updatedSince === null || p.updatedAt >= updatedSince))
            .sort((a, b) => byStr(a.studentId, b.studentId))
            .slice(0, limit)
            .map((p) => structuredClone(p))
        },
        async delete(id) {
          return s.profiles.delete(id)
        },
      },
      interactions: {
        async append(rows) {
          let n = 0
          for (const r of rows) {
            if (s.interactions.has(r.id)) continue
            s.interactions.set(r.id, j(r))
            n++
          }
          return n
        },
        async list({ studentId, from, to, after, limit }) {
          return [...s.interactions.values()]
            .filter(
              (i) =>
                i.createdAt >= from &&
                i.createdAt < to &&
                (studentId === null || i.studentId === studentId) &&
                afterCreated(i, after),
            )
            .sort(byCreated)
            .slice(0, limit)
            .map((i) => structuredClone(i))
        },
        async deleteByStudent(studentId) {
          let n = 0
          for (const i of [...s.interactions.values()]) {
            if (i.studentId === studentId) {
              s.interactions.delete(i.id)
              n++
            }
          }
          return n
        },
        async purge(before) {
          let n = 0
          for (const i of [...s.interactions.values()]) {
            if (i.createdAt < before) {
              s.interactions.delete(i.id)
              n++
            }
          }
          return n
        },
      },
      knowledge: {
        async upsert(item) {
          const existing = s.knowledge.get(item.id)
          s.knowledge.set(item.id, { ...j(item), createdAt: existing?.createdAt ?? item.createdAt })
        },
        async get(id) {
          const x = s.knowledge.get(id)
          return x ? structuredClone(x) : null
        },
        async list({ courseId, topic, afterId, limit }) {
          return [...s.knowledge.values()]
            .filter(
              (x) =>
                x.id > afterId &&
                (courseId === null || x.courseId === courseId) &&
                (topic === null || x.topic === topic),
            )
            .sort((a, b) => byStr(a.id, b.id))
            .slice(0, limit)
            .map((x) => structuredClone(x))
        },
        async delete(id) {
          return s.knowledge.delete(id)
        },
      },
      insights: {
        async insert(i) {
          if (s.insights.has(i.id)) return false
          s.insights.set(i.id, j(i))
          return true
        },
        async get(id) {
          const x = s.insights.get(id)
          return x ? structuredClone(x) : null
        },
        async list({ studentId, status, syncedToErpnext, after, limit }) {
          return [...s.insights.values()]
            .filter(
              (x) =>
                (studentId === null || x.studentId === studentId) &&
                (status === null || x.status === status) &&
                (syncedToErpnext === null || x.syncedToErpnext === syncedToErpnext) &&
                afterCreated(x, after),
            )
            .sort(byCreated)
            .slice(0, limit)
            .map((x) => structuredClone(x))
        },
        async setStatus(id, status, now) {
          const x = s.insights.get(id)
          if (!x) return false
          s.insights.set(id, { ...x, status, updatedAt: now })
          return true
        },
        async markSynced(id, erpnextName, now) {
          const x = s.insights.get(id)
          if (!x) return false
          s.insights.set(id, { ...x, syncedToErpnext: true, erpnextName, updatedAt: now })
          return true
        },
        async deleteByStudent(studentId) {
          let n = 0
          for (const x of [...s.insights.values()]) {
            if (x.studentId === studentId) {
              s.insights.delete(x.id)
              n++
            }
          }
          return n
        },
      },
    },

    privacy: {
      reidentification: {
        async put(e) {
          if (!s.reid.has(e.pseudonym)) s.reid.set(e.pseudonym, structuredClone(e))
        },
        async resolve(pseudonym) {
          const e = s.reid.get(pseudonym)
          return e ? structuredClone(e) : undefined
        },
        async listBySubject(tenant, subjectId) {
          return [...s.reid.values()]
            .filter((e) => e.tenant === tenant && e.subjectId === subjectId)
            .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || byStr(a.pseudonym, b.pseudonym))
            .map((e) => structuredClone(e))
        },
        async deleteBySubject(tenant, subjectId) {
          let n = 0
          for (const e of [...s.reid.values()]) {
            if (e.tenant === tenant && e.subjectId === subjectId) {
              s.reid.delete(e.pseudonym)
              n++
            }
          }
          return n
        },
      },
      disclosures: {
        async append(e) {
          if (s.disclosures.has(e.id)) return
          const copy: DisclosureEntry = {
            id: e.id,
            tenant: e.tenant,
            studentId: e.studentId,
            doctype: e.doctype,
            docname: e.docname,
            purpose: e.purpose,
            recipient: e.recipient,
            ...(e.actor === undefined ? {} : { actor: e.actor }),
            ...(e.legalBasis === undefined ? {} : { legalBasis: e.legalBasis }),
            fields: e.fields.map((f) => ({ field: f.field, strategy: f.strategy })),
            withheld: [...e.withheld],
            at: new Date(e.at.getTime()),
          }
          s.disclosures.set(e.id, copy)
        },
        async query(q) {
          return [...s.disclosures.values()]
            .filter(
              (e) =>
                e.tenant === q.tenant &&
                e.studentId === q.studentId &&
                (!q.from || e.at >= q.from) &&
                (!q.to || e.at < q.to),
            )
            .sort((a, b) => a.at.getTime() - b.at.getTime() || byStr(a.id, b.id))
            .map((e) => structuredClone(e))
        },
      },
      tombstones: {
        async put(t) {
          const key = k(t.tenant, t.subjectId, t.kind, t.requestId)
          if (!s.tombstones.has(key)) s.tombstones.set(key, structuredClone(t))
        },
        async list(tenant, subjectId) {
          return [...s.tombstones.values()]
            .filter((t) => t.tenant === tenant && t.subjectId === subjectId)
            .sort(
              (a, b) =>
                a.erasedAt.getTime() - b.erasedAt.getTime() ||
                byStr(a.kind, b.kind) ||
                byStr(a.requestId, b.requestId),
            )
            .map((t) => structuredClone(t))
        },
        async isErased(tenant, subjectId, kind) {
          for (const t of s.tombstones.values()) {
            if (t.tenant === tenant && t.subjectId === subjectId && (t.kind === kind || t.kind === '*'))
              return true
          }
          return false
        },
        async erasedAmong(tenant, subjectIds, kind) {
          const wanted = new Set(subjectIds)
          const out = new Set<string>()
          for (const t of s.tombstones.values())
            if (t.tenant === tenant && wanted.has(t.subjectId) && (t.kind === kind || t.kind === '*'))
              out.add(t.subjectId)
          return out
        },
      },
      consent: {
        async get(tenant, studentId) {
          const c = s.consent.get(k(tenant, studentId))
          return c ? structuredClone(c) : undefined
        },
        async set(tenant, studentId, flags) {
          s.consent.set(k(tenant, studentId), {
            directoryOptOut: flags.directoryOptOut,
            restricted: flags.restricted,
            objectedPurposes: [...flags.objectedPurposes],
            legalHold: flags.legalHold,
            updatedAt: new Date(flags.updatedAt.getTime()),
          })
        },
      },
      dataKeys: {
        async list(tenant) {
          return [...s.dataKeys.values()]
            .filter((d) => d.tenant === tenant)
            .sort((a, b) => a.version - b.version)
            .map((d) => structuredClone(d))
        },
        async get(tenant, id) {
          const d = s.dataKeys.get(k(tenant, id))
          return d ? structuredClone(d) : undefined
        },
        async create(key) {
          const id = k(key.tenant, key.id)
          if (s.dataKeys.has(id)) return false
          s.dataKeys.set(id, structuredClone(key))
          return true
        },
        async rewrap(tenant, id, kekId, wrapped) {
          const d = s.dataKeys.get(k(tenant, id))
          if (!d) return false
          s.dataKeys.set(k(tenant, id), { ...d, kekId, wrapped })
          return true
        },
      },
    },

    seen: {
      async insertIfAbsent(key, expiresAt, now) {
        const current = s.seen.get(key)
        if (current !== undefined && current > now) return false
        s.seen.set(key, expiresAt)
        return true
      },
      async has(key, now) {
        return (s.seen.get(key) ?? 0) > now
      },
      async delete(key) {
        return s.seen.delete(key)
      },
      async purgeExpired(now) {
        let n = 0
        for (const [key, expires] of [...s.seen]) {
          if (expires <= now) {
            s.seen.delete(key)
            n++
          }
        }
        return n
      },
    },
  }
}

/** Wrap every method so it runs under the lock (outside transactions). */
function locked(target: StorageAreas, lock: AsyncLock): StorageAreas {
  const wrap = (obj: object): object => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(obj)) {
      out[key] =
        typeof value === 'function'
          ? (...args: unknown[]) => lock.run(() => (value as (...a: unknown[]) => unknown).apply(obj, args))
          : wrap(value as object)
    }
    return out
  }
  return wrap(target) as StorageAreas
}

/**
 * Create an in-memory storage adapter. Wrap it with `createStore`. Its state lives as long as the adapter
 * object (closing and reopening the same adapter keeps it; a new adapter starts empty).
 *
 * @example
 * import { createStore } from '@edusync/sync-core'
 * import { memoryAdapter } from '@edusync/sync-core/memory'
 *
 * const store = createStore(memoryAdapter())
 */
export function memoryAdapter(): StorageAdapter {
  const state = emptyState()
  const lock = new AsyncLock()
  const current = locked(areas(state), lock)
  return {
    name: 'memory',
    capabilities: Object.freeze({ durable: false, multiProcess: false, transactions: true }),
    ...current,
    async open() {},
    async close() {},
    transaction(fn) {
      return lock.run(async () => {
        const copy = structuredClone(state)
        const result = await fn(areas(copy))
        // The live areas hold `state` itself, so commit by moving the copy's contents into it.
        Object.assign(state, copy)
        return result
      })
    },
  }
}
