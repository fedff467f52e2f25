import type {
  ConsentFlags,
  DisclosureEntry,
  ReidentificationEntry,
  Tombstone,
  WrappedDataKey,
} from '@edusync/privacy-toolkit'
import type {
  AiChatInteraction,
  AiInsight,
  AuditEntry,
  DoctypeStats,
  FailOutcome,
  JsonValue,
  KnowledgeBaseContent,
  LeasedTask,
  MirrorDocument,
  QueueTask,
  ReviewItem,
  StorageAreas,
  StudentAiProfile,
  SyncCursor,
  UpsertResult,
} from '../types.js'
import { RowReader, jsonParam } from './decode.js'
import { type SqlDialect, type SqlExecutor, type SqlRow, placeholders } from './driver.js'

const CHUNK = 200

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * The areas of the storage contract over SQL, shared by the SQLite and PostgreSQL adapters.
 * `inTx` runs a multi-statement operation atomically (a new transaction, or the current one).
 */
export function createSqlAreas(
  ex: SqlExecutor,
  d: SqlDialect,
  inTx: <T>(fn: (ex: SqlExecutor) => Promise<T>) => Promise<T>,
  /** Whether these areas are bound to a caller's transaction (which a failed statement aborts). */
  nested = false,
): StorageAreas {
  const T = {
    documents: d.table('sync_documents'),
    queue: d.table('sync_queue'),
    cursors: d.table('sync_cursors'),
    reviews: d.table('sync_reviews'),
    logs: d.table('sync_logs'),
    profiles: d.table('student_ai_profiles'),
    interactions: d.table('ai_chat_interactions'),
    knowledge: d.table('knowledge_base_content'),
    insights: d.table('ai_insights'),
    reid: d.table('privacy_reidentification'),
    disclosures: d.table('privacy_disclosures'),
    tombstones: d.table('privacy_tombstones'),
    consent: d.table('privacy_consent'),
    dataKeys: d.table('privacy_data_keys'),
    seen: d.table('webhook_seen'),
  }
  const J = d.jsonParam
  /**
   * Run a state change that may race with a concurrent enqueue of the same key on another connection
   * (making a task pending while another transaction inserts the pending task of that key): PostgreSQL then
   * reports a unique violation (23505) and the whole transaction is retried. Inside a caller's transaction
   * the error propagates, since the caller's transaction is aborted.
   */
  const txRetryingUnique = async <R>(fn: (x: SqlExecutor) => Promise<R>): Promise<R> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTx(fn)
      } catch (error) {
        if (nested || attempt >= 3 || (error as { code?: unknown }).code !== '23505') throw error
      }
    }
  }
  const maybeTx = <R>(needed: boolean, fn: (x: SqlExecutor) => Promise<R>): Promise<R> =>
    needed ? inTx(fn) : fn(ex)
  const reader = (table: string, row: SqlRow, key: string) => new RowReader(d, table, row, key)

  // ------------------------------------------------------------------------------------------ decoders
  const toDocument = (row: SqlRow): MirrorDocument => {
    const r = reader('sync_documents', row, `${String(row.doctype)}/${String(row.name)}`)
    return {
      doctype: r.str('doctype'),
      name: r.str('name'),
      data: r.object('data'),
      modified: r.str('modified'),
      hash: r.str('hash'),
      base: r.objectOrNull('base'),
      baseModified: r.strOrNull('base_modified'),
      deleted: r.bool('deleted'),
      deletedAt: r.numOrNull('deleted_at'),
      syncedAt: r.num('synced_at'),
      updatedAt: r.num('updated_at'),
    }
  }
  const toTask = (row: SqlRow): QueueTask => {
    const r = reader('sync_queue', row, `id ${String(row.id)}`)
    return {
      id: r.num('id'),
      key: r.str('coalesce_key'),
      kind: r.str('kind'),
      doctype: r.str('doctype'),
      name: r.str('name'),
      payload: r.jsonOrNull('payload') as JsonValue | null,
      modified: r.strOrNull('modified'),
      priority: r.num('priority'),
      runAt: r.num('run_at'),
      attempts: r.num('attempts'),
      maxAttempts: r.num('max_attempts'),
      state: r.oneOf('state', ['pending', 'leased', 'dead'] as const),
      lastError: r.strOrNull('last_error'),
      worker: r.strOrNull('worker'),
      leaseToken: r.strOrNull('lease_token'),
      leaseExpiresAt: r.numOrNull('lease_expires_at'),
      createdAt: r.num('created_at'),
      updatedAt: r.num('updated_at'),
    }
  }
  const toCursor = (row: SqlRow): SyncCursor => {
    const r = reader('sync_cursors', row, `${String(row.site)}/${String(row.doctype)}`)
    return {
      site: r.str('site'),
      doctype: r.str('doctype'),
      modified: r.str('modified'),
      name: r.str('name'),
      updatedAt: r.num('updated_at'),
    }
  }
  const toReview = (row: SqlRow): ReviewItem => {
    const r = reader('sync_reviews', row, `id ${String(row.id)}`)
    return {
      id: r.num('id'),
      doctype: r.str('doctype'),
      name: r.str('name'),
      field: r.str('field'),
      base: r.jsonOrNull('base') as JsonValue | null,
      local: r.jsonOrNull('local') as JsonValue | null,
      remote: r.jsonOrNull('remote') as JsonValue | null,
      reason: r.strOrNull('reason'),
      status: r.oneOf('status', ['open', 'resolved'] as const),
      resolution: r.jsonOrNull('resolution') as JsonValue | null,
      resolvedBy: r.strOrNull('resolved_by'),
      createdAt: r.num('created_at'),
      resolvedAt: r.numOrNull('resolved_at'),
    }
  }
  const toAudit = (row: SqlRow): AuditEntry => {
    const r = reader('sync_logs', row, `id ${String(row.id)}`)
    const direction = r.strOrNull('direction')
    if (direction !== null) r.oneOf('direction', ['inbound', 'outbound', 'internal'] as const)
    return {
      id: r.num('id'),
      type: r.str('type'),
      doctype: r.strOrNull('doctype'),
      name: r.strOrNull('name'),
      direction: direction as AuditEntry['direction'],
      status: r.str('status'),
      error: r.strOrNull('error'),
      payloadHash: r.strOrNull('payload_hash'),
      fields: r.strings('fields'),
      at: r.num('at'),
    }
  }
  const toProfile = (row: SqlRow): StudentAiProfile => {
    const r = reader('student_ai_profiles', row, String(row.student_id))
    return {
      studentId: r.str('student_id'),
      learningStyle: r.strOrNull('learning_style'),
      profile: r.json('profile') as JsonValue,
      preferences: r.jsonOrNull('preferences') as JsonValue | null,
      createdAt: r.num('created_at'),
      updatedAt: r.num('updated_at'),
    }
  }
  const toInteraction = (row: SqlRow): AiChatInteraction => {
    const r = reader('ai_chat_interactions', row, String(row.id))
    return {
      id: r.str('id'),
      studentId: r.str('student_id'),
      sessionId: r.str('session_id'),
      courseId: r.strOrNull('course_id'),
      question: r.str('question'),
      response: r.str('response'),
      concepts: r.strings('concepts'),
      helpRequested: r.bool('help_requested'),
      durationMs: r.num('duration_ms'),
      createdAt: r.num('created_at'),
    }
  }
  const toKnowledge = (row: SqlRow): KnowledgeBaseContent => {
    const r = reader('knowledge_base_content', row, String(row.id))
    return {
      id: r.str('id'),
      courseId: r.strOrNull('course_id'),
      topic: r.str('topic'),
      title: r.str('title'),
      content: r.str('content'),
      contentType: r.str('content_type'),
      metadata: r.jsonOrNull('metadata') as JsonValue | null,
      createdAt: r.num('created_at'),
      updatedAt: r.num('updated_at'),
    }
  }
  const toInsight = (row: SqlRow): AiInsight => {
    const r = reader('ai_insights', row, String(row.id))
    return {
      id: r.str('id'),
      studentId: r.str('student_id'),
      insightType: r.str('insight_type'),
      data: r.json('data') as JsonValue,
      confidence: r.numOrNull('confidence'),
      status: r.oneOf('status', ['pending', 'reviewed', 'acted_upon'] as const),
      syncedToErpnext: r.bool('synced_to_erpnext'),
      erpnextName: r.strOrNull('erpnext_name'),
      createdAt: r.num('created_at'),
      updatedAt: r.num('updated_at'),
    }
  }
  const toReid = (row: SqlRow): ReidentificationEntry => {
    const r = reader('privacy_reidentification', row, String(row.pseudonym))
    return {
      pseudonym: r.str('pseudonym'),
      tenant: r.str('tenant'),
      purpose: r.str('purpose'),
      keyId: r.str('key_id'),
      subjectId: r.str('subject_id'),
      createdAt: new Date(r.num('created_at')),
    }
  }
  const toDisclosure = (row: SqlRow): DisclosureEntry => {
    const r = reader('privacy_disclosures', row, String(row.id))
    const fields = r.json('fields')
    if (
      !Array.isArray(fields) ||
      !fields.every((f) => f && typeof f.field === 'string' && typeof f.strategy === 'string')
    ) {
      r.strings('fields')
    }
    const actor = r.strOrNull('actor')
    const legalBasis = r.strOrNull('legal_basis')
    return {
      id: r.str('id'),
      tenant: r.str('tenant'),
      studentId: r.str('student_id'),
      doctype: r.str('doctype'),
      docname: r.str('docname'),
      purpose: r.str('purpose'),
      recipient: r.str('recipient'),
      ...(actor === null ? {} : { actor }),
      ...(legalBasis === null ? {} : { legalBasis }),
      fields: (fields as { field: string; strategy: string }[]).map((f) => ({
        field: f.field,
        strategy: f.strategy,
      })),
      withheld: r.strings('withheld'),
      at: new Date(r.num('at')),
    }
  }
  const toTombstone = (row: SqlRow): Tombstone => {
    const r = reader('privacy_tombstones', row, String(row.request_id))
    return {
      tenant: r.str('tenant'),
      subjectId: r.str('subject_id'),
      kind: r.str('kind'),
      requestId: r.str('request_id'),
      action: r.oneOf('action', ['deleted', 'pseudonymised'] as const),
      erasedAt: new Date(r.num('erased_at')),
    }
  }
  const toConsent = (row: SqlRow): ConsentFlags => {
    const r = reader('privacy_consent', row, `${String(row.tenant)}/${String(row.student_id)}`)
    return {
      directoryOptOut: r.bool('directory_opt_out'),
      restricted: r.bool('restricted'),
      objectedPurposes: r.strings('objected_purposes'),
      legalHold: r.bool('legal_hold'),
      updatedAt: new Date(r.num('updated_at')),
    }
  }
  const toDataKey = (row: SqlRow): WrappedDataKey => {
    const r = reader('privacy_data_keys', row, `${String(row.tenant)}/${String(row.id)}`)
    return {
      tenant: r.str('tenant'),
      id: r.str('id'),
      version: r.num('version'),
      kekId: r.str('kek_id'),
      wrapped: r.str('wrapped'),
      createdAt: new Date(r.num('created_at')),
    }
  }

  // ------------------------------------------------------------------------------------------ queue helpers
  const clearLease = 'worker = NULL, lease_token = NULL, lease_expires_at = NULL'

  /** Make the given non-pending tasks pending; drop those whose key already has a pending task (or repeats). */
  async function toPending(
    tx: SqlExecutor,
    tasks: readonly { id: number; key: string }[],
    set: string,
    params: readonly unknown[],
  ): Promise<number> {
    if (tasks.length === 0) return 0
    const keys = [...new Set(tasks.map((t) => t.key))]
    const pending = new Set<string>()
    for (const part of chunks(keys)) {
      const rows = await tx.all(
        `SELECT coalesce_key FROM ${T.queue} WHERE state = 'pending' AND coalesce_key IN ${placeholders(part.length)}`,
        part,
      )
      for (const row of rows) pending.add(String(row.coalesce_key))
    }
    const keep: number[] = []
    const drop: number[] = []
    // The newest task of a key wins; older duplicates are dropped.
    for (const task of [...tasks].sort((a, b) => b.id - a.id)) {
      if (pending.has(task.key)) drop.push(task.id)
      else {
        pending.add(task.key)
        keep.push(task.id)
      }
    }
    for (const part of chunks(drop)) {
      await tx.run(`DELETE FROM ${T.queue} WHERE id IN ${placeholders(part.length)}`, part)
    }
    for (const part of chunks(keep)) {
      await tx.run(
        `UPDATE ${T.queue} SET state = 'pending', ${clearLease}, ${set} WHERE id IN ${placeholders(part.length)}`,
        [...params, ...part],
      )
    }
    return keep.length
  }

  async function deadLetterExpired(tx: SqlExecutor, now: number): Promise<number> {
    return tx.run(
      `UPDATE ${T.queue} SET state = 'dead', ${clearLease}, last_error = ?, updated_at = ?
       WHERE state = 'leased' AND lease_expires_at <= ? AND attempts >= max_attempts`,
      ['lease expired with attempts exhausted', now, now],
    )
  }

  const idFilter = (ids: readonly number[] | 'all') =>
    ids === 'all' ? '' : ` AND id IN ${placeholders(ids.length)}`

  return {
    documents: {
      async get(doctype, name) {
        const rows = await ex.all(`SELECT * FROM ${T.documents} WHERE doctype = ? AND name = ?`, [
          doctype,
          name,
        ])
        return rows[0] ? toDocument(rows[0]) : null
      },
      async getMany(doctype, names) {
        const out: MirrorDocument[] = []
        for (const part of chunks([...new Set(names)], 500)) {
          const rows = await ex.all(
            `SELECT * FROM ${T.documents} WHERE doctype = ? AND name IN ${placeholders(part.length)}`,
            [doctype, ...part],
          )
          for (const row of rows) out.push(toDocument(row))
        }
        return out
      },
      async upsertMany(rows, now) {
        if (rows.length === 0) return []
        // One transaction: the batch applies as a whole, and SQLite flushes once.
        return maybeTx(d.kind === 'sqlite' || rows.length > CHUNK, async (x) => {
          const existing = new Set<string>()
          const byDoctype = new Map<string, string[]>()
          for (const row of rows)
            byDoctype.set(row.doctype, [...(byDoctype.get(row.doctype) ?? []), row.name])
          for (const [doctype, names] of byDoctype) {
            for (const part of chunks(names, 500)) {
              const found = await x.all(
                `SELECT name FROM ${T.documents} WHERE doctype = ? AND name IN ${placeholders(part.length)}`,
                [doctype, ...part],
              )
              for (const f of found) existing.add(`${doctype}\u0000${String(f.name)}`)
            }
          }
          const applied = new Set<string>()
          const tuple = `(?, ?, ${J}, ?, ?, ?, ${J}, ?, FALSE, NULL, ?, ?)`
          for (const part of chunks(rows)) {
            const params: unknown[] = []
            for (const r of part) {
              params.push(
                r.doctype,
                r.name,
                jsonParam(r.data),
                r.modified,
                r.modifiedKey,
                r.hash,
                jsonParam(r.base),
                r.baseModified,
                r.syncedAt,
                now,
              )
            }
            const returned = await x.all(
              `INSERT INTO ${T.documents} AS d (doctype, name, data, modified, modified_key, hash, base, base_modified,
               deleted, deleted_at, synced_at, updated_at)
             VALUES ${part.map(() => tuple).join(', ')}
             ON CONFLICT (doctype, name) DO UPDATE SET data = excluded.data, modified = excluded.modified,
               modified_key = excluded.modified_key, hash = excluded.hash, base = excluded.base,
               base_modified = excluded.base_modified, deleted = FALSE, deleted_at = NULL,
               synced_at = excluded.synced_at, updated_at = excluded.updated_at
             WHERE excluded.modified_key > d.modified_key
             RETURNING doctype, name`,
              params,
            )
            for (const r of returned) applied.add(`${String(r.doctype)}\u0000${String(r.name)}`)
          }
          return rows.map((r): UpsertResult => {
            const id = `${r.doctype}\u0000${r.name}`
            const status = !applied.has(id) ? 'unchanged' : existing.has(id) ? 'updated' : 'inserted'
            return { doctype: r.doctype, name: r.name, status }
          })
        })
      },
      async markDeleted(doctype, name, now) {
        const n = await ex.run(
          `UPDATE ${T.documents} SET deleted = TRUE, deleted_at = ?, updated_at = ? WHERE doctype = ? AND name = ? AND deleted = FALSE`,
          [now, now, doctype, name],
        )
        return n > 0
      },
      async list(doctype, { after, limit, includeDeleted }) {
        const params: unknown[] = [doctype]
        let where = 'doctype = ?'
        if (!includeDeleted) where += ' AND deleted = FALSE'
        if (after) {
          where += ' AND (modified_key > ? OR (modified_key = ? AND name > ?))'
          params.push(after.modifiedKey, after.modifiedKey, after.name)
        }
        params.push(limit)
        const rows = await ex.all(
          `SELECT * FROM ${T.documents} WHERE ${where} ORDER BY modified_key, name LIMIT ?`,
          params,
        )
        return rows.map(toDocument)
      },
      async stats(doctype): Promise<DoctypeStats> {
        const [counts] = await ex.all(
          `SELECT SUM(CASE WHEN deleted THEN 0 ELSE 1 END) AS live, SUM(CASE WHEN deleted THEN 1 ELSE 0 END) AS dead
           FROM ${T.documents} WHERE doctype = ?`,
          [doctype],
        )
        const [latest] = await ex.all(
          `SELECT modified FROM ${T.documents} WHERE doctype = ? AND deleted = FALSE ORDER BY modified_key DESC, name DESC LIMIT 1`,
          [doctype],
        )
        return {
          count: Number(counts?.live ?? 0),
          deleted: Number(counts?.dead ?? 0),
          latestModified: latest ? String(latest.modified) : null,
        }
      },
    },

    queue: {
      async enqueueMany(rows, now) {
        // One transaction: the batch is enqueued as a whole, and SQLite flushes once.
        return maybeTx(rows.length > 1, async (x) => {
          const ids: number[] = []
          const newer =
            '(q.modified_key IS NULL OR excluded.modified_key IS NULL OR excluded.modified_key >= q.modified_key)'
          for (const r of rows) {
            const [row] = await x.all(
              `INSERT INTO ${T.queue} AS q (coalesce_key, kind, doctype, name, payload, modified, modified_key, priority,
               run_at, state, attempts, max_attempts, created_at, updated_at)
             VALUES (?, ?, ?, ?, ${J}, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
             ON CONFLICT (coalesce_key) WHERE state = 'pending' DO UPDATE SET
               payload = CASE WHEN ${newer} THEN excluded.payload ELSE q.payload END,
               modified = CASE WHEN ${newer} THEN excluded.modified ELSE q.modified END,
               modified_key = CASE WHEN ${newer} THEN excluded.modified_key ELSE q.modified_key END,
               priority = ${d.greatest}(q.priority, excluded.priority), run_at = ${d.least}(q.run_at, excluded.run_at),
               max_attempts = excluded.max_attempts, updated_at = excluded.updated_at
             RETURNING id`,
              [
                r.key,
                r.kind,
                r.doctype,
                r.name,
                jsonParam(r.payload),
                r.modified,
                r.modifiedKey,
                r.priority,
                r.runAt,
                r.maxAttempts,
                now,
                now,
              ],
            )
            ids.push(Number(row?.id))
          }
          return ids
        })
      },
      async lease({ worker, limit, now, expiresAt, tokenPrefix, kind, doctype }) {
        // On SQLite, one transaction flushes once for both statements.
        return maybeTx(d.kind === 'sqlite', async (x) => {
          await deadLetterExpired(x, now)
          const due: unknown[] = [now, now]
          let filter = ''
          if (kind !== null) {
            filter += ' AND kind = ?'
            due.push(kind)
          }
          if (doctype !== null) {
            filter += ' AND doctype = ?'
            due.push(doctype)
          }
          due.push(limit)
          const pick = `SELECT id FROM ${T.queue}
             WHERE ((state = 'pending' AND run_at <= ?) OR (state = 'leased' AND lease_expires_at <= ? AND attempts < max_attempts))${filter}
             ORDER BY priority DESC, run_at, id LIMIT ?`
          const set = `state = 'leased', worker = ?, lease_token = CAST(? AS TEXT) || ':' || CAST(q.id AS TEXT),
             lease_expires_at = ?, attempts = q.attempts + 1, updated_at = ?`
          const setParams = [worker, tokenPrefix, expiresAt, now]
          // PostgreSQL: lock the picked rows exactly once in a materialised CTE (a sub-select in WHERE may be
          // re-executed by some plans, and SKIP LOCKED with LIMIT must run once). SQLite runs this inside its
          // single-writer transaction, so a plain sub-select is atomic.
          const rows =
            d.kind === 'postgres'
              ? await x.all(
                  `WITH picked AS MATERIALIZED (${pick} ${d.lockClause})
                   UPDATE ${T.queue} AS q SET ${set} FROM picked WHERE q.id = picked.id RETURNING q.*`,
                  [...due, ...setParams],
                )
              : await x.all(`UPDATE ${T.queue} AS q SET ${set} WHERE q.id IN (${pick}) RETURNING *`, [
                  ...setParams,
                  ...due,
                ])
          return rows
            .map((row) => toTask(row) as LeasedTask)
            .sort((a, b) => b.priority - a.priority || a.runAt - b.runAt || a.id - b.id)
        })
      },
      async renew(token, expiresAt, now) {
        const rows = await ex.all(
          `UPDATE ${T.queue} SET lease_expires_at = ?, updated_at = ?
           WHERE lease_token = ? AND state = 'leased' AND lease_expires_at > ? RETURNING lease_expires_at`,
          [expiresAt, now, token, now],
        )
        return rows[0] ? Number(rows[0].lease_expires_at) : null
      },
      async complete(token, now) {
        const n = await ex.run(
          `DELETE FROM ${T.queue} WHERE lease_token = ? AND state = 'leased' AND lease_expires_at > ?`,
          [token, now],
        )
        return n > 0
      },
      async completeMany(tokens, now) {
        const done: string[] = []
        for (const part of chunks([...new Set(tokens)], 500)) {
          const rows = await ex.all(
            `DELETE FROM ${T.queue} WHERE lease_token IN ${placeholders(part.length)} AND state = 'leased'
               AND lease_expires_at > ? RETURNING lease_token`,
            [...part, now],
          )
          for (const r of rows) done.push(String(r.lease_token))
        }
        return done
      },
      async fail(token, { error, now, dead, retryAt }) {
        return txRetryingUnique(async (tx): Promise<FailOutcome | null> => {
          const [row] = await tx.all(
            `SELECT id, coalesce_key, attempts, max_attempts FROM ${T.queue}
             WHERE lease_token = ? AND state = 'leased' AND lease_expires_at > ?${d.kind === 'postgres' ? ' FOR UPDATE' : ''}`,
            [token, now],
          )
          if (!row) return null
          const id = Number(row.id)
          const attempts = Number(row.attempts)
          if (dead || attempts >= Number(row.max_attempts)) {
            await tx.run(
              `UPDATE ${T.queue} SET state = 'dead', ${clearLease}, last_error = ?, updated_at = ? WHERE id = ?`,
              [error, now, id],
            )
            return 'dead'
          }
          const kept = await toPending(
            tx,
            [{ id, key: String(row.coalesce_key) }],
            'run_at = ?, last_error = ?, updated_at = ?',
            [retryAt(attempts), error, now],
          )
          return kept === 1 ? 'retry' : 'superseded'
        })
      },
      async reclaimExpired(now) {
        return txRetryingUnique(async (tx) => {
          const dead = await deadLetterExpired(tx, now)
          const rows = await tx.all(
            `SELECT id, coalesce_key FROM ${T.queue} WHERE state = 'leased' AND lease_expires_at <= ?${d.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : ''}`,
            [now],
          )
          const requeued = await toPending(
            tx,
            rows.map((r) => ({ id: Number(r.id), key: String(r.coalesce_key) })),
            'last_error = ?, updated_at = ?',
            ['lease expired', now],
          )
          return { requeued, dead }
        })
      },
      async get(id) {
        const rows = await ex.all(`SELECT * FROM ${T.queue} WHERE id = ?`, [id])
        return rows[0] ? toTask(rows[0]) : null
      },
      async listDead({ afterId, limit, kind }) {
        const rows = await ex.all(
          `SELECT * FROM ${T.queue} WHERE state = 'dead' AND id > ?${kind === null ? '' : ' AND kind = ?'} ORDER BY id LIMIT ?`,
          kind === null ? [afterId, limit] : [afterId, kind, limit],
        )
        return rows.map(toTask)
      },
      async redrive(ids, now) {
        if (ids !== 'all' && ids.length === 0) return 0
        return txRetryingUnique(async (tx) => {
          let total = 0
          for (const part of ids === 'all' ? ['all' as const] : chunks(ids)) {
            const rows = await tx.all(
              `SELECT id, coalesce_key FROM ${T.queue} WHERE state = 'dead'${idFilter(part)}`,
              part === 'all' ? [] : part,
            )
            total += await toPending(
              tx,
              rows.map((r) => ({ id: Number(r.id), key: String(r.coalesce_key) })),
              'attempts = 0, run_at = ?, updated_at = ?',
              [now, now],
            )
          }
          return total
        })
      },
      async discard(ids) {
        if (ids !== 'all' && ids.length === 0) return 0
        let total = 0
        for (const part of ids === 'all' ? ['all' as const] : chunks(ids)) {
          total += await ex.run(
            `DELETE FROM ${T.queue} WHERE state = 'dead'${idFilter(part)}`,
            part === 'all' ? [] : part,
          )
        }
        return total
      },
      async cancel(doctype, names) {
        // Served by the sync_queue_document index (migration 2).
        let total = 0
        for (const part of chunks([...new Set(names)], 500)) {
          total += await ex.run(
            `DELETE FROM ${T.queue} WHERE state <> 'leased' AND doctype = ? AND name IN ${placeholders(part.length)}`,
            [doctype, ...part],
          )
        }
        return total
      },
      async stats() {
        const rows = await ex.all(`SELECT kind, state, COUNT(*) AS n FROM ${T.queue} GROUP BY kind, state`)
        const byKind: Record<string, { pending: number; leased: number; dead: number }> = {}
        const totals = { pending: 0, leased: 0, dead: 0 }
        for (const row of rows) {
          const state = String(row.state) as keyof typeof totals
          const kind = String(row.kind)
          const n = Number(row.n)
          byKind[kind] ??= { pending: 0, leased: 0, dead: 0 }
          if (state in totals) {
            byKind[kind][state] += n
            totals[state] += n
          }
        }
        const [oldest] = await ex.all(`SELECT MIN(run_at) AS m FROM ${T.queue} WHERE state = 'pending'`)
        return {
          ...totals,
          byKind,
          oldestPendingRunAt: oldest?.m === null || oldest?.m === undefined ? null : Number(oldest.m),
        }
      },
    },

    cursors: {
      async get(site, doctype) {
        const rows = await ex.all(`SELECT * FROM ${T.cursors} WHERE site = ? AND doctype = ?`, [
          site,
          doctype,
        ])
        return rows[0] ? toCursor(rows[0]) : null
      },
      async set(c, now) {
        await ex.run(
          `INSERT INTO ${T.cursors} (site, doctype, modified, name, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (site, doctype) DO UPDATE SET modified = excluded.modified, name = excluded.name,
             updated_at = excluded.updated_at`,
          [c.site, c.doctype, c.modified, c.name, now],
        )
      },
      async list(site) {
        const rows =
          site === null
            ? await ex.all(`SELECT * FROM ${T.cursors} ORDER BY site, doctype`)
            : await ex.all(`SELECT * FROM ${T.cursors} WHERE site = ? ORDER BY doctype`, [site])
        return rows.map(toCursor)
      },
      async delete(site, doctype) {
        return (await ex.run(`DELETE FROM ${T.cursors} WHERE site = ? AND doctype = ?`, [site, doctype])) > 0
      },
    },

    reviews: {
      async create(input, now) {
        const [row] = await ex.all(
          `INSERT INTO ${T.reviews} (doctype, name, field, base, local, remote, reason, status, created_at)
           VALUES (?, ?, ?, ${J}, ${J}, ${J}, ?, 'open', ?) RETURNING *`,
          [
            input.doctype,
            input.name,
            input.field,
            jsonParam(input.base),
            jsonParam(input.local),
            jsonParam(input.remote),
            input.reason,
            now,
          ],
        )
        return toReview(row!)
      },
      async get(id) {
        const rows = await ex.all(`SELECT * FROM ${T.reviews} WHERE id = ?`, [id])
        return rows[0] ? toReview(rows[0]) : null
      },
      async list({ status, doctype, name, afterId, limit }) {
        const params: unknown[] = [afterId]
        let where = 'id > ?'
        if (status !== null) {
          where += ' AND status = ?'
          params.push(status)
        }
        if (doctype !== null) {
          where += ' AND doctype = ?'
          params.push(doctype)
        }
        if (name !== null) {
          where += ' AND name = ?'
          params.push(name)
        }
        params.push(limit)
        return (await ex.all(`SELECT * FROM ${T.reviews} WHERE ${where} ORDER BY id LIMIT ?`, params)).map(
          toReview,
        )
      },
      async resolve(id, resolution, resolvedBy, now) {
        const rows = await ex.all(
          `UPDATE ${T.reviews} SET status = 'resolved', resolution = ${J}, resolved_by = ?, resolved_at = ?
           WHERE id = ? AND status = 'open' RETURNING *`,
          [jsonParam(resolution), resolvedBy, now, id],
        )
        return rows[0] ? toReview(rows[0]) : null
      },
      async purgeDocuments(doctype, names) {
        // Served by the sync_reviews_document index.
        let total = 0
        for (const part of chunks([...new Set(names)], 500)) {
          total += await ex.run(
            `DELETE FROM ${T.reviews} WHERE doctype = ? AND name IN ${placeholders(part.length)}`,
            [doctype, ...part],
          )
        }
        return total
      },
    },

    audit: {
      async append(rows) {
        const tuple = `(?, ?, ?, ?, ?, ?, ?, ${J}, ?)`
        // Several statements: one transaction, so the batch is appended as a whole.
        return maybeTx(rows.length > CHUNK, async (x) => {
          const ids: number[] = []
          for (const part of chunks(rows)) {
            const params: unknown[] = []
            for (const r of part) {
              params.push(
                r.type,
                r.doctype,
                r.name,
                r.direction,
                r.status,
                r.error,
                r.payloadHash,
                jsonParam(r.fields),
                r.at,
              )
            }
            const returned = await x.all(
              `INSERT INTO ${T.logs} (type, doctype, name, direction, status, error, payload_hash, fields, at)
             VALUES ${part.map(() => tuple).join(', ')} RETURNING id`,
              params,
            )
            ids.push(...returned.map((r) => Number(r.id)).sort((a, b) => a - b))
          }
          return ids
        })
      },
      async query(q) {
        const params: unknown[] = [q.from, q.to, q.beforeId]
        let where = 'at >= ? AND at < ? AND id < ?'
        for (const [column, value] of [
          ['type', q.type],
          ['doctype', q.doctype],
          ['name', q.name],
          ['status', q.status],
        ] as const) {
          if (value !== null) {
            where += ` AND ${column} = ?`
            params.push(value)
          }
        }
        params.push(q.limit)
        return (await ex.all(`SELECT * FROM ${T.logs} WHERE ${where} ORDER BY id DESC LIMIT ?`, params)).map(
          toAudit,
        )
      },
      async purge(before) {
        return ex.run(`DELETE FROM ${T.logs} WHERE at < ?`, [before])
      },
    },

    ai: {
      profiles: {
        async upsert(p) {
          await ex.run(
            `INSERT INTO ${T.profiles} (student_id, learning_style, profile, preferences, created_at, updated_at)
             VALUES (?, ?, ${J}, ${J}, ?, ?)
             ON CONFLICT (student_id) DO UPDATE SET learning_style = excluded.learning_style,
               profile = excluded.profile, preferences = excluded.preferences, updated_at = excluded.updated_at`,
            [
              p.studentId,
              p.learningStyle,
              jsonParam(p.profile),
              jsonParam(p.preferences),
              p.createdAt,
              p.updatedAt,
            ],
          )
        },
        async get(studentId) {
          const rows = await ex.all(`SELECT * FROM ${T.profiles} WHERE student_id = ?`, [studentId])
          return rows[0] ? toProfile(rows[0]) : null
        },
        async list({ afterId, limit, updatedSince }) {
          const rows =
            updatedSince === null
              ? await ex.all(`SELECT * FROM ${T.profiles} WHERE student_id > ? ORDER BY student_id LIMIT ?`, [
                  afterId,
                  limit,
                ])
              : await ex.all(
                  `SELECT * FROM ${T.profiles} WHERE student_id > ? AND updated_at >= ? ORDER BY student_id LIMIT ?`,
                  [afterId, updatedSince, limit],
                )
          return rows.map(toProfile)
        },
        async delete(studentId) {
          return (await ex.run(`DELETE FROM ${T.profiles} WHERE student_id = ?`, [studentId])) > 0
        },
      },
      interactions: {
        async append(rows) {
          let inserted = 0
          for (const r of rows) {
            inserted += await ex.run(
              `INSERT INTO ${T.interactions} (id, student_id, session_id, course_id, question, response, concepts,
                 help_requested, duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ${J}, ?, ?, ?)
               ON CONFLICT (id) DO NOTHING`,
              [
                r.id,
                r.studentId,
                r.sessionId,
                r.courseId,
                r.question,
                r.response,
                jsonParam(r.concepts),
                r.helpRequested,
                r.durationMs,
                r.createdAt,
              ],
            )
          }
          return inserted
        },
        async list({ studentId, from, to, after, limit }) {
          const params: unknown[] = [from, to]
          let where = 'created_at >= ? AND created_at < ?'
          if (studentId !== null) {
            where += ' AND student_id = ?'
            params.push(studentId)
          }
          if (after) {
            where += ' AND (created_at > ? OR (created_at = ? AND id > ?))'
            params.push(after.createdAt, after.createdAt, after.id)
          }
          params.push(limit)
          return (
            await ex.all(
              `SELECT * FROM ${T.interactions} WHERE ${where} ORDER BY created_at, id LIMIT ?`,
              params,
            )
          ).map(toInteraction)
        },
        async deleteByStudent(studentId) {
          return ex.run(`DELETE FROM ${T.interactions} WHERE student_id = ?`, [studentId])
        },
        async purge(before) {
          return ex.run(`DELETE FROM ${T.interactions} WHERE created_at < ?`, [before])
        },
      },
      knowledge: {
        async upsert(k) {
          await ex.run(
            `INSERT INTO ${T.knowledge} (id, course_id, topic, title, content, content_type, metadata, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ${J}, ?, ?)
             ON CONFLICT (id) DO UPDATE SET course_id = excluded.course_id, topic = excluded.topic,
               title = excluded.title, content = excluded.content, content_type = excluded.content_type,
               metadata = excluded.metadata, updated_at = excluded.updated_at`,
            [
              k.id,
              k.courseId,
              k.topic,
              k.title,
              k.content,
              k.contentType,
              jsonParam(k.metadata),
              k.createdAt,
              k.updatedAt,
            ],
          )
        },
        async get(id) {
          const rows = await ex.all(`SELECT * FROM ${T.knowledge} WHERE id = ?`, [id])
          return rows[0] ? toKnowledge(rows[0]) : null
        },
        async list({ courseId, topic, afterId, limit }) {
          const params: unknown[] = [afterId]
          let where = 'id > ?'
          if (courseId !== null) {
            where += ' AND course_id = ?'
            params.push(courseId)
          }
          if (topic !== null) {
            where += ' AND topic = ?'
            params.push(topic)
          }
          params.push(limit)
          return (
            await ex.all(`SELECT * FROM ${T.knowledge} WHERE ${where} ORDER BY id LIMIT ?`, params)
          ).map(toKnowledge)
        },
        async delete(id) {
          return (await ex.run(`DELETE FROM ${T.knowledge} WHERE id = ?`, [id])) > 0
        },
      },
      insights: {
        async insert(i) {
          const n = await ex.run(
            `INSERT INTO ${T.insights} (id, student_id, insight_type, data, confidence, status, synced_to_erpnext,
               erpnext_name, created_at, updated_at) VALUES (?, ?, ?, ${J}, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO NOTHING`,
            [
              i.id,
              i.studentId,
              i.insightType,
              jsonParam(i.data),
              i.confidence,
              i.status,
              i.syncedToErpnext,
              i.erpnextName,
              i.createdAt,
              i.updatedAt,
            ],
          )
          return n > 0
        },
        async get(id) {
          const rows = await ex.all(`SELECT * FROM ${T.insights} WHERE id = ?`, [id])
          return rows[0] ? toInsight(rows[0]) : null
        },
        async list({ studentId, status, syncedToErpnext, after, limit }) {
          const params: unknown[] = []
          const where: string[] = []
          if (studentId !== null) {
            where.push('student_id = ?')
            params.push(studentId)
          }
          if (status !== null) {
            where.push('status = ?')
            params.push(status)
          }
          if (syncedToErpnext !== null)
            where.push(`synced_to_erpnext = ${syncedToErpnext ? 'TRUE' : 'FALSE'}`)
          if (after) {
            where.push('(created_at > ? OR (created_at = ? AND id > ?))')
            params.push(after.createdAt, after.createdAt, after.id)
          }
          params.push(limit)
          const clause = where.length ? `WHERE ${where.join(' AND ')}` : ''
          return (
            await ex.all(`SELECT * FROM ${T.insights} ${clause} ORDER BY created_at, id LIMIT ?`, params)
          ).map(toInsight)
        },
        async setStatus(id, status, now) {
          return (
            (await ex.run(`UPDATE ${T.insights} SET status = ?, updated_at = ? WHERE id = ?`, [
              status,
              now,
              id,
            ])) > 0
          )
        },
        async markSynced(id, erpnextName, now) {
          const n = await ex.run(
            `UPDATE ${T.insights} SET synced_to_erpnext = TRUE, erpnext_name = ?, updated_at = ? WHERE id = ?`,
            [erpnextName, now, id],
          )
          return n > 0
        },
        async deleteByStudent(studentId) {
          return ex.run(`DELETE FROM ${T.insights} WHERE student_id = ?`, [studentId])
        },
      },
    },

    privacy: {
      reidentification: {
        async put(e) {
          await ex.run(
            `INSERT INTO ${T.reid} (pseudonym, tenant, purpose, key_id, subject_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (pseudonym) DO NOTHING`,
            [e.pseudonym, e.tenant, e.purpose, e.keyId, e.subjectId, e.createdAt.getTime()],
          )
        },
        async resolve(pseudonym) {
          const rows = await ex.all(`SELECT * FROM ${T.reid} WHERE pseudonym = ?`, [pseudonym])
          return rows[0] ? toReid(rows[0]) : undefined
        },
        async listBySubject(tenant, subjectId) {
          const rows = await ex.all(
            `SELECT * FROM ${T.reid} WHERE tenant = ? AND subject_id = ? ORDER BY created_at, pseudonym`,
            [tenant, subjectId],
          )
          return rows.map(toReid)
        },
        async deleteBySubject(tenant, subjectId) {
          return ex.run(`DELETE FROM ${T.reid} WHERE tenant = ? AND subject_id = ?`, [tenant, subjectId])
        },
      },
      disclosures: {
        async append(e) {
          await ex.run(
            `INSERT INTO ${T.disclosures} (id, tenant, student_id, doctype, docname, purpose, recipient, actor,
               legal_basis, fields, withheld, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ${J}, ${J}, ?)
             ON CONFLICT (id) DO NOTHING`,
            [
              e.id,
              e.tenant,
              e.studentId,
              e.doctype,
              e.docname,
              e.purpose,
              e.recipient,
              e.actor ?? null,
              e.legalBasis ?? null,
              jsonParam(e.fields.map((f) => ({ field: f.field, strategy: f.strategy }))),
              jsonParam([...e.withheld]),
              e.at.getTime(),
            ],
          )
        },
        async query(q) {
          const params: unknown[] = [q.tenant, q.studentId]
          let where = 'tenant = ? AND student_id = ?'
          if (q.from) {
            where += ' AND at >= ?'
            params.push(q.from.getTime())
          }
          if (q.to) {
            where += ' AND at < ?'
            params.push(q.to.getTime())
          }
          return (await ex.all(`SELECT * FROM ${T.disclosures} WHERE ${where} ORDER BY at, id`, params)).map(
            toDisclosure,
          )
        },
      },
      tombstones: {
        async put(t) {
          await ex.run(
            `INSERT INTO ${T.tombstones} (tenant, subject_id, kind, request_id, action, erased_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant, subject_id, kind, request_id) DO NOTHING`,
            [t.tenant, t.subjectId, t.kind, t.requestId, t.action, t.erasedAt.getTime()],
          )
        },
        async list(tenant, subjectId) {
          const rows = await ex.all(
            `SELECT * FROM ${T.tombstones} WHERE tenant = ? AND subject_id = ? ORDER BY erased_at, kind, request_id`,
            [tenant, subjectId],
          )
          return rows.map(toTombstone)
        },
        async isErased(tenant, subjectId, kind) {
          const rows = await ex.all(
            `SELECT 1 AS hit FROM ${T.tombstones} WHERE tenant = ? AND subject_id = ? AND kind IN (?, '*') LIMIT 1`,
            [tenant, subjectId, kind],
          )
          return rows.length > 0
        },
        async erasedAmong(tenant, subjectIds, kind) {
          const out = new Set<string>()
          // One statement per call (a page of the engine's subject ids); chunked only past 5000 ids so the
          // bound parameters stay well under SQLite's and PostgreSQL's limits.
          for (const part of chunks([...new Set(subjectIds)], 5000)) {
            const rows = await ex.all(
              `SELECT DISTINCT subject_id FROM ${T.tombstones} WHERE tenant = ? AND kind IN (?, '*') AND subject_id IN ${placeholders(part.length)}`,
              [tenant, kind, ...part],
            )
            for (const row of rows) out.add(String(row.subject_id))
          }
          return out
        },
      },
      consent: {
        async get(tenant, studentId) {
          const rows = await ex.all(`SELECT * FROM ${T.consent} WHERE tenant = ? AND student_id = ?`, [
            tenant,
            studentId,
          ])
          return rows[0] ? toConsent(rows[0]) : undefined
        },
        async set(tenant, studentId, f) {
          await ex.run(
            `INSERT INTO ${T.consent} (tenant, student_id, directory_opt_out, restricted, objected_purposes, legal_hold,
               updated_at) VALUES (?, ?, ?, ?, ${J}, ?, ?)
             ON CONFLICT (tenant, student_id) DO UPDATE SET directory_opt_out = excluded.directory_opt_out,
               restricted = excluded.restricted, objected_purposes = excluded.objected_purposes,
               legal_hold = excluded.legal_hold, updated_at = excluded.updated_at`,
            [
              tenant,
              studentId,
              f.directoryOptOut,
              f.restricted,
              jsonParam([...f.objectedPurposes]),
              f.legalHold,
              f.updatedAt.getTime(),
            ],
          )
        },
      },
      dataKeys: {
        async list(tenant) {
          return (
            await ex.all(`SELECT * FROM ${T.dataKeys} WHERE tenant = ? ORDER BY version`, [tenant])
          ).map(toDataKey)
        },
        async get(tenant, id) {
          const rows = await ex.all(`SELECT * FROM ${T.dataKeys} WHERE tenant = ? AND id = ?`, [tenant, id])
          return rows[0] ? toDataKey(rows[0]) : undefined
        },
        async create(k) {
          const n = await ex.run(
            `INSERT INTO ${T.dataKeys} (tenant, id, version, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant, id) DO NOTHING`,
            [k.tenant, k.id, k.version, k.kekId, k.wrapped, k.createdAt.getTime()],
          )
          return n > 0
        },
        async rewrap(tenant, id, kekId, wrapped) {
          const n = await ex.run(
            `UPDATE ${T.dataKeys} SET kek_id = ?, wrapped = ? WHERE tenant = ? AND id = ?`,
            [kekId, wrapped, tenant, id],
          )
          return n > 0
        },
      },
    },

    seen: {
      async insertIfAbsent(key, expiresAt, now) {
        const rows = await ex.all(
          `INSERT INTO ${T.seen} AS w (seen_key, expires_at) VALUES (?, ?)
           ON CONFLICT (seen_key) DO UPDATE SET expires_at = excluded.expires_at WHERE w.expires_at <= ?
           RETURNING seen_key`,
          [key, expiresAt, now],
        )
        return rows.length === 1
      },
      async has(key, now) {
        const rows = await ex.all(`SELECT 1 AS hit FROM ${T.seen} WHERE seen_key = ? AND expires_at > ?`, [
          key,
          now,
        ])
        return rows.length > 0
      },
      async delete(key) {
        return (await ex.run(`DELETE FROM ${T.seen} WHERE seen_key = ?`, [key])) > 0
      },
      async purgeExpired(now) {
        return ex.run(`DELETE FROM ${T.seen} WHERE expires_at <= ?`, [now])
      },
    },
  }
}
