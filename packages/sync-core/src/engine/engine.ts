import { CircuitBreaker } from './circuit.js'
import {
  CircuitOpenError,
  DocumentInvalidError,
  DocumentNotFoundError,
  ErasureHeldError,
  EnhancerError,
  EnhancerTimeoutError,
  ReviewNotFoundError,
  UnknownDoctypeError,
  WebhookRejectedError,
  WriteBackError,
  isCircuitOpenError,
} from './errors.js'
import type { SubjectDataKind, SubjectDataSource } from '@edusync/privacy-toolkit'
import { DocFetcher, modifiedKey } from './fetcher.js'
import { type ResolvedDoctype, type ResolvedOptions, resolveOptions } from './options.js'
import type {
  AuditRow,
  BulkUpdateFailure,
  DocumentRow,
  EngineStoreAreas,
  ErpDoc,
  ErpnextPort,
  JsonValue,
  MirrorDocument,
  QueueTask,
  ReviewItem,
  TaskRow,
  WebhookVerifyPort,
} from './ports.js'
import { sameValue, threeWay } from './resolve.js'
import type {
  BackfillProgress,
  ChangeEvent,
  ChatInteraction,
  Enhancement,
  EraseResult,
  PlannedWrite,
  PullResult,
  ReconcileLevel,
  ReconcileReport,
  RollupOptions,
  SyncEngine,
  SyncEngineEvents,
  SyncEngineOptions,
  SyncEngineStatus,
  WebhookHandler,
} from './types.js'
import {
  backoffMs,
  canonicalJson,
  chunk,
  classifyError,
  contentHash,
  describeError,
  isPlainObject,
  sha256,
  mapBounded,
} from './util.js'

const P = '[@edusync/sync-core]'
/**
 * The name an enhancer sees. A document that is itself the data subject (`subjectField: 'name'`, e.g. a
 * Student, whose name is the student id) is named as its privacy view names it, so the AI layer never
 * receives the real id the view pseudonymised; other documents (results, enrollments, courses) are named
 * by their ERPNext document id, which AI documents link to. A subject document whose view withholds the
 * name is named `''`.
 */
function enhancerName(cfg: ResolvedDoctype, doc: ErpDoc, view: ErpDoc): string {
  if (cfg.subjectField === 'name') return typeof view.name === 'string' ? view.name : ''
  return String(doc.name)
}

/** `modified` of an erased document's placeholder: newer than any real version, so re-sync cannot replace it. */
const ERASED_MODIFIED = '9999-12-31 23:59:59.999999'
const ERASED_KIND = '*'
/** Documents replaced per erasure transaction. */
const ERASE_CHUNK = 500
/**
 * How many privacy views of one page are computed at a time (see #computeWrites). Each view writes a
 * pseudonym mapping and a disclosure record; a group-committing store commits the writes of the views in
 * flight together, so this is about how many documents share one commit (16 made a durable SQLite
 * backfill of the school-small seed commit 1,291 times, 128 makes it 263).
 */
const VIEW_CONCURRENCY = 128
const MODIFIED_FORMAT = /^\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}:\d{2}(\.\d{1,6})?$/

interface PushPayload {
  modified: string
  fields: Record<string, JsonValue>
  base: Record<string, JsonValue>
}
interface InsertPayload {
  doc: Record<string, JsonValue>
  subject: string | null
  subjectDoctype: string | null
}

interface ComputedWrites {
  tasks: TaskRow[]
  /** Enhance-only tasks requested through `Enhancement.refresh`. */
  refresh: TaskRow[]
  planned: PlannedWrite[]
  failed: Set<string>
  audit: AuditRow[]
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue)
}

/** AI values as ERPNext stores them: JSON fields are strings of JSON text. */
function serialiseField(value: unknown): JsonValue {
  if (value !== null && typeof value === 'object') return JSON.stringify(value)
  return toJson(value)
}

function dedupeByName(docs: readonly ErpDoc[]): ErpDoc[] {
  const map = new Map<string, ErpDoc>()
  for (const doc of docs) {
    const name = String(doc.name)
    const prev = map.get(name)
    if (!prev || modifiedKey(String(doc.modified)) >= modifiedKey(String(prev.modified))) map.set(name, doc)
  }
  return [...map.values()]
}

class Engine implements SyncEngine {
  readonly #o: ResolvedOptions
  readonly #circuit: CircuitBreaker
  readonly #erp: ErpnextPort
  readonly #fetcher: DocFetcher
  readonly #listeners = new Map<string, Set<(payload: never) => void>>()
  #running = false
  #loops: Promise<void>[] = []
  /** Bumped by stop(): a loop of an earlier start() that outlived a timed-out stop() does not go on. */
  #generation = 0
  /** The batches in flight: the tasks each holds and how to stop renewing their leases. */
  readonly #inFlight = new Set<{ readonly tasks: number; readonly release: () => void }>()
  #wakers = new Set<() => void>()
  /** Bumped by every wake-up, so a worker whose lease raced an intake does not sleep through it. */
  #wakeups = 0
  #leaseSeq = 0
  readonly #confirmed = new Map<string, number>()
  readonly #inflight = new Map<string, Promise<ErpDoc>>()
  readonly #misses = new Map<
    string,
    Map<string, { resolve: (d: ErpDoc) => void; reject: (e: unknown) => void }[]>
  >()
  // statistics of this process
  #requests = 0
  #synced = 0
  readonly #errors: Record<string, number> = {}
  readonly #lag = new Map<string, { lastLatencyMs: number | null; lastAppliedAt: number | null }>()
  readonly #buckets: { second: number; count: number }[] = []

  constructor(options: SyncEngineOptions) {
    this.#o = resolveOptions(options)
    this.#circuit = new CircuitBreaker(this.#o.circuit, this.#o.now, (state) =>
      this.#emit('circuit.changed', { state }),
    )
    const raw = this.#o.client
    this.#erp = {
      list: (doctype, request) => this.#call('list', doctype, () => raw.list(doctype, request)),
      count: (doctype, filters) => this.#call('count', doctype, () => raw.count(doctype, filters)),
      bulkUpdate: (items) => this.#call('bulk_update', items[0]?.doctype ?? '', () => raw.bulkUpdate(items)),
      insertMany: (doctype, docs) => this.#call('insert_many', doctype, () => raw.insertMany(doctype, docs)),
    }
    this.#fetcher = new DocFetcher(this.#erp, this.#o.fetchChunkSize)
    this.reviews = {
      list: (opts) => this.#listReviews(opts),
      resolve: (id, decision, resolvedBy) => this.#resolveReview(id, decision, resolvedBy),
    }
    this.deadLetters = {
      list: (opts) =>
        this.#o.store.queue.listDead({ afterId: 0, limit: opts?.limit ?? 100, kind: opts?.kind ?? null }),
      retry: async (ids) => {
        const n = await this.#o.store.queue.redrive(ids, this.#o.now())
        await this.#audit([this.#row('deadletter.retry', null, null, 'internal', 'ok')])
        this.#wake()
        return n
      },
      discard: async (ids) => {
        const n = await this.#o.store.queue.discard(ids)
        await this.#audit([this.#row('deadletter.discard', null, null, 'internal', 'ok')])
        return n
      },
    }
    this.privacy = {
      access: (doctype, name) => this.#access(doctype, name),
      rectify: (doctype, name) => this.#rectify(doctype, name),
      erase: (doctype, name, requestId) => this.#erase(doctype, name, requestId),
      source: this.#subjectSource(),
      retention: (limits) => this.#retention(limits),
    }
  }

  readonly reviews: SyncEngine['reviews']
  readonly deadLetters: SyncEngine['deadLetters']
  readonly privacy: SyncEngine['privacy']

  // ------------------------------------------------------------------------------------------- plumbing

  on<E extends keyof SyncEngineEvents>(
    event: E,
    listener: (payload: SyncEngineEvents[E]) => void,
  ): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => set.delete(listener as (payload: never) => void)
  }

  #emit<E extends keyof SyncEngineEvents>(event: E, payload: SyncEngineEvents[E]): void {
    const set = this.#listeners.get(event)
    if (!set) return
    for (const listener of set) {
      try {
        ;(listener as (p: SyncEngineEvents[E]) => void)(payload)
      } catch {
        // A listener's failure must not break the sync; listeners own their error handling.
      }
    }
  }

  #countError(code: string): void {
    this.#errors[code] = (this.#errors[code] ?? 0) + 1
  }

  async #trace<T>(name: string, attributes: Record<string, string | number | boolean>, fn: () => Promise<T>) {
    const trace = this.#o.hooks.trace
    return trace ? trace(name, attributes, fn) : fn()
  }

  async #call<T>(operation: string, doctype: string, fn: () => Promise<T>): Promise<T> {
    if (!this.#circuit.allow()) throw new CircuitOpenError(this.#circuit.retryAt)
    const started = this.#o.now()
    try {
      const result = await fn()
      this.#requests++
      this.#circuit.success()
      this.#o.hooks.onRequest?.({ operation, doctype, ok: true, durationMs: this.#o.now() - started })
      return result
    } catch (error) {
      this.#requests++
      const cls = classifyError(error)
      if (cls === 'transient') this.#circuit.failure()
      else this.#circuit.success()
      const described = describeError(error)
      this.#countError(
        cls === 'rate-limit' ? 'RATE_LIMIT' : cls === 'transient' ? 'ERPNEXT_UNAVAILABLE' : 'ERPNEXT_REFUSED',
      )
      this.#o.hooks.onRequest?.({
        operation,
        doctype,
        ok: false,
        durationMs: this.#o.now() - started,
        error: described,
      })
      throw error
    }
  }

  #doctype(doctype: string): ResolvedDoctype {
    const cfg = this.#o.doctypes.get(doctype)
    if (!cfg) throw new UnknownDoctypeError(doctype)
    return cfg
  }

  #syncDoctypes(doctypes?: readonly string[]): ResolvedDoctype[] {
    if (doctypes) return doctypes.map((d) => this.#doctype(d))
    return [...this.#o.doctypes.values()].filter((d) => d.sync)
  }

  #row(
    type: string,
    doctype: string | null,
    name: string | null,
    direction: AuditRow['direction'],
    status: string,
    extra: Partial<Pick<AuditRow, 'error' | 'payloadHash' | 'fields'>> = {},
  ): AuditRow {
    return {
      type,
      doctype,
      name,
      direction,
      status,
      error: extra.error ?? null,
      payloadHash: extra.payloadHash ?? null,
      fields: extra.fields ?? [],
      at: this.#o.now(),
    }
  }

  async #audit(rows: readonly AuditRow[], tx: EngineStoreAreas = this.#o.store): Promise<void> {
    if (rows.length > 0) await tx.audit.append(rows)
  }

  /** Complete tasks in one statement when the store can (a lease that lapsed is simply not completed). */
  async #completeAll(tx: EngineStoreAreas, tasks: readonly QueueTask[], now: number): Promise<void> {
    if (tasks.length === 0) return
    const tokens = tasks.map((t) => t.leaseToken!)
    if (tx.queue.completeMany) await tx.queue.completeMany(tokens, now)
    else for (const token of tokens) await tx.queue.complete(token, now)
  }

  /** An enhance-only task (coalesced per document by its key). */
  #enhanceTask(doctype: string, name: string, now: number, cause: 'refresh' | 'reenhance'): TaskRow {
    return {
      key: `enhance:${doctype}:${name}`,
      kind: 'enhance',
      doctype,
      name,
      payload: { cause },
      modified: null,
      modifiedKey: null,
      priority: 0,
      runAt: now,
      maxAttempts: this.#o.maxAttempts,
    }
  }

  async reenhance(doctype: string, names: readonly string[]): Promise<{ enhance: number; pull: number }> {
    const cfg = this.#o.doctypes.get(doctype)
    if (!cfg)
      throw new TypeError(`${P} reenhance(): doctype "${String(doctype)}" is not configured in "doctypes".`)
    if (!this.#o.enhancers.some((e) => e.doctypes.includes(cfg.name)))
      throw new TypeError(`${P} reenhance(): no enhancer handles "${cfg.name}"; add one to "enhancers".`)
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === ''))
      throw new TypeError(`${P} reenhance(): "names" must be an array of non-empty strings.`)
    const unique = [...new Set(names)]
    if (unique.length === 0) return { enhance: 0, pull: 0 }
    const now = this.#o.now()
    const records = await this.#o.store.documents.getMany(cfg.name, unique)
    // Erased documents are never enhanced again (their tombstone also stops the pull from resurrecting them).
    const erased = new Set(records.filter((r) => r.modified === ERASED_MODIFIED).map((r) => r.name))
    const mirrored = new Set(records.filter((r) => !r.deleted && !erased.has(r.name)).map((r) => r.name))
    const tasks = unique
      .filter((name) => !erased.has(name))
      .map((name) =>
        mirrored.has(name)
          ? this.#enhanceTask(cfg.name, name, now, 'reenhance')
          : this.#pullTask({ doctype: cfg.name, name }, now),
      )
    await this.#tx(async (tx) => {
      await tx.queue.enqueueMany(tasks, now)
      await this.#audit(
        [
          this.#row('enhancer.reenhance', cfg.name, null, 'internal', 'ok', {
            error: `${mirrored.size} enhance, ${tasks.length - mirrored.size} pull`,
          }),
        ],
        tx,
      )
    })
    this.#wake()
    return { enhance: mirrored.size, pull: tasks.length - mirrored.size }
  }

  #tx<T>(fn: (tx: EngineStoreAreas) => Promise<T>): Promise<T> {
    return this.#o.store.transaction(fn)
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false
      const finish = () => {
        if (done) return
        done = true
        this.#wakers.delete(finish)
        this.#o.timers.clearTimeout(handle)
        resolve()
      }
      const handle = this.#o.timers.setTimeout(finish, Math.max(0, ms))
      this.#wakers.add(finish)
    })
  }

  #wake(): void {
    this.#wakeups++
    for (const w of [...this.#wakers]) w()
  }

  #recordApplied(doctype: string, count: number, latencyMs: number | null): void {
    this.#synced += count
    const now = this.#o.now()
    const second = Math.floor(now / 1000)
    const last = this.#buckets[this.#buckets.length - 1]
    if (last && last.second === second) last.count += count
    else this.#buckets.push({ second, count })
    while (this.#buckets.length > 0 && this.#buckets[0]!.second < second - 60) this.#buckets.shift()
    const lag = this.#lag.get(doctype) ?? { lastLatencyMs: null, lastAppliedAt: null }
    this.#lag.set(doctype, { lastLatencyMs: latencyMs ?? lag.lastLatencyMs, lastAppliedAt: now })
  }

  /** The subject ids whose tombstones stop re-sync of `doc`: the document itself and its data subject. */
  #subjectIds(cfg: ResolvedDoctype, doc: ErpDoc): string[] {
    const subject = cfg.subjectField === 'name' ? doc.name : doc[cfg.subjectField]
    const ids = [`${cfg.name}:${String(doc.name)}`]
    if (typeof subject === 'string' && subject !== '') ids.push(subject)
    return ids
  }

  /**
   * The names of `docs` whose subject is erased, checked per page rather than per document: one
   * `erasedAmong` statement when the store has it, else one `isErased` per distinct subject id (concurrent).
   * A tombstone for this doctype (kind) or for every kind (`*`) of the subject stops re-sync.
   */
  async #erasedAmong(cfg: ResolvedDoctype, docs: readonly ErpDoc[]): Promise<Set<string>> {
    const out = new Set<string>()
    if (docs.length === 0) return out
    const erased = await this.#erasedIds(
      [...new Set(docs.flatMap((d) => this.#subjectIds(cfg, d)))],
      cfg.name,
    )
    if (erased.size === 0) return out
    for (const doc of docs)
      if (this.#subjectIds(cfg, doc).some((id) => erased.has(id))) out.add(String(doc.name))
    return out
  }

  /**
   * The ids among `ids` (distinct subject ids) with a tombstone for `kind` or `*`: one `erasedAmong`
   * statement when the store has it, else one `isErased` per id (concurrent).
   */
  async #erasedIds(ids: readonly string[], kind: string): Promise<ReadonlySet<string>> {
    if (ids.length === 0) return new Set()
    const t = this.#o.store.privacy.tombstones
    if (t.erasedAmong) return t.erasedAmong(this.#o.tenant, ids, kind)
    const flags = await Promise.all(ids.map((id) => t.isErased(this.#o.tenant, id, kind)))
    return new Set(ids.filter((_, i) => flags[i]))
  }

  /** Hash of the ERPNext-owned part of a document (AI fields and version stamps left out). */
  #ownedHash(cfg: ResolvedDoctype, doc: ErpDoc): string {
    // Saving a parent re-stamps its child rows too, so version stamps are ignored at every level.
    const strip = (row: ErpDoc, top: boolean): ErpDoc => {
      const out: ErpDoc = {}
      for (const [k, v] of Object.entries(row)) {
        if (k === 'modified' || k === 'modified_by' || (top && cfg.aiFields.includes(k))) continue
        out[k] = Array.isArray(v) ? v.map((r) => (isPlainObject(r) ? strip(r, false) : r)) : v
      }
      return out
    }
    return contentHash(strip(doc, true))
  }

  async #unseal(record: MirrorDocument): Promise<ErpDoc> {
    const p = this.#o.privacy
    return p ? { ...(await p.unseal(record.doctype, record.name, record.data)) } : { ...record.data }
  }

  // --------------------------------------------------------------------------------------------- intake

  #validateEvent(event: unknown): ChangeEvent {
    if (!isPlainObject(event)) throw new WebhookRejectedError(422, 'the event is not a JSON object')
    const { doctype, name, modified } = event
    if (typeof doctype !== 'string' || doctype === '')
      throw new WebhookRejectedError(422, 'the event has no "doctype" string')
    if ((typeof name !== 'string' && typeof name !== 'number') || name === '')
      throw new WebhookRejectedError(422, 'the event has no "name"')
    if (
      modified !== undefined &&
      modified !== null &&
      modified !== '' &&
      (typeof modified !== 'string' || !MODIFIED_FORMAT.test(modified))
    )
      throw new WebhookRejectedError(
        422,
        'the event\'s "modified" is not an ERPNext timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])',
      )
    if (!this.#o.doctypes.get(doctype)?.sync)
      throw new WebhookRejectedError(422, `doctype "${doctype}" is not synced by this engine`)
    return {
      doctype,
      name: String(name),
      ...(typeof event.event === 'string' ? { event: event.event } : {}),
      ...(typeof modified === 'string' && modified !== '' ? { modified } : {}),
    }
  }

  #pullTask(event: ChangeEvent, now: number, priority = 10): TaskRow {
    return {
      key: `pull:${event.doctype}:${event.name}`,
      kind: 'pull',
      doctype: event.doctype,
      name: event.name,
      payload: { receivedAt: now },
      modified: event.modified ?? null,
      modifiedKey: event.modified ? modifiedKey(event.modified) : null,
      priority,
      runAt: now,
      maxAttempts: this.#o.maxAttempts,
    }
  }

  async intake(events: ChangeEvent | readonly ChangeEvent[]): Promise<void> {
    const list = (Array.isArray(events) ? events : [events]).map((e) => {
      try {
        return this.#validateEvent(e)
      } catch (error) {
        throw new TypeError(`${P} intake(): ${(error as Error).message.replace(`${P} `, '')}`)
      }
    })
    const now = this.#o.now()
    await this.#tx(async (tx) => {
      await tx.queue.enqueueMany(
        list.map((e) => this.#pullTask(e, now)),
        now,
      )
      await this.#audit(
        list.map((e) =>
          this.#row('change.received', e.doctype, e.name, 'inbound', 'ok', { error: e.event ?? null }),
        ),
        tx,
      )
    })
    this.#wake()
  }

  webhookHandler(options?: { readonly verify?: WebhookVerifyPort }): WebhookHandler {
    const verify = options?.verify ?? this.#o.verifyWebhook
    if (!verify)
      throw new TypeError(
        `${P} webhookHandler() needs a verifier: pass { verify } or the "verifyWebhook" option.`,
      )
    const json = (status: number, body: Record<string, unknown>) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
    const reject = async (error: WebhookRejectedError, hash: string | null) => {
      this.#countError(error.code)
      await this.#audit([
        this.#row('webhook.rejected', null, null, 'inbound', 'error', {
          error: error.message,
          payloadHash: hash,
        }),
      ]).catch(() => undefined)
      return json(error.status, { error: error.message })
    }
    return async (request: Request): Promise<Response> => {
      if (request.method !== 'POST') return json(405, { error: `${P} Webhooks must be POSTed.` })
      const declared = Number(request.headers.get('content-length') ?? '0')
      if (declared > this.#o.maxWebhookBytes)
        return reject(
          new WebhookRejectedError(413, `the body exceeds ${this.#o.maxWebhookBytes} bytes`),
          null,
        )
      const raw = new Uint8Array(await request.arrayBuffer())
      if (raw.byteLength > this.#o.maxWebhookBytes)
        return reject(
          new WebhookRejectedError(413, `the body exceeds ${this.#o.maxWebhookBytes} bytes`),
          null,
        )
      const text = new TextDecoder().decode(raw)
      const hash = sha256(text)
      let verdict: Awaited<ReturnType<WebhookVerifyPort>>
      try {
        verdict = await verify(raw, request.headers)
      } catch {
        verdict = false
      }
      const ok = typeof verdict === 'boolean' ? verdict : verdict.ok
      if (!ok) {
        const reason = typeof verdict === 'object' && verdict.reason ? verdict.reason : 'invalid signature'
        return reject(new WebhookRejectedError(401, `signature verification failed (${reason})`), hash)
      }
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return reject(new WebhookRejectedError(400, 'the body is not JSON'), hash)
      }
      let events: ChangeEvent[]
      try {
        events = (Array.isArray(body) ? body : [body]).map((e) => this.#validateEvent(e))
      } catch (error) {
        return reject(error as WebhookRejectedError, hash)
      }
      if (events.length === 0) return reject(new WebhookRejectedError(422, 'the body holds no events'), hash)
      const now = this.#o.now()
      // Without `modified`, two different saves can send identical bodies; only versioned events are deduped.
      const dedupe = events.every((e) => e.modified !== undefined)
      try {
        const fresh = await this.#tx(async (tx) => {
          if (dedupe && !(await tx.seen.insertIfAbsent(`webhook:${hash}`, now + this.#o.seenTtlMs, now)))
            return false
          await tx.queue.enqueueMany(
            events.map((e) => this.#pullTask(e, now)),
            now,
          )
          await this.#audit(
            events.map((e) =>
              this.#row('webhook.received', e.doctype, e.name, 'inbound', 'ok', { payloadHash: hash }),
            ),
            tx,
          )
          return true
        })
        if (!fresh) {
          await this.#audit([
            this.#row('webhook.duplicate', null, null, 'inbound', 'skipped', { payloadHash: hash }),
          ])
          return json(200, { accepted: 0, duplicate: true })
        }
      } catch (error) {
        this.#countError('STORE_UNAVAILABLE')
        // Nothing was acknowledged: ERPNext retries the delivery.
        return json(503, {
          error: `${P} The event could not be stored (${describeError(error)}); retry later.`,
        })
      }
      this.#wake()
      return json(200, { accepted: events.length })
    }
  }

  // --------------------------------------------------------------------------------------------- ingest

  /**
   * Validate, seal and apply fetched documents, tombstone missing ones, compute enhancements, and complete
   * the tasks, in one transaction.
   */
  async #ingest(
    cfg: ResolvedDoctype,
    fetched: readonly ErpDoc[],
    missing: readonly string[],
    tasks: readonly QueueTask[],
    /** More writes for the same transaction (a page's cursor), given the names quarantined. */
    alsoInTx?: (tx: EngineStoreAreas, quarantined: readonly string[], now: number) => Promise<void>,
  ): Promise<{ fetched: number; changed: number; quarantined: readonly string[] }> {
    const now = this.#o.now()
    const docs = dedupeByName(fetched)
    const valid: ErpDoc[] = []
    const quarantined = new Map<string, readonly string[]>()
    for (const doc of docs) {
      const result = cfg.validate?.(doc)
      if (result && !result.ok) quarantined.set(String(doc.name), result.issues)
      else valid.push(doc)
    }
    const erased = await this.#erasedAmong(cfg, valid)
    const live = valid.filter((d) => !erased.has(String(d.name)))
    const existing = new Map(
      (
        await this.#o.store.documents.getMany(
          cfg.name,
          live.map((d) => String(d.name)),
        )
      ).map((r) => [r.name, r]),
    )
    const changedDocs = live.filter((d) => {
      const ex = existing.get(String(d.name))
      return !ex || ex.deleted || modifiedKey(String(d.modified)) > modifiedKey(ex.modified)
    })
    // Enhance only documents whose ERPNext-owned content changed: re-reading our own write-back (only AI
    // fields differ) must not run the AI layer again.
    const toEnhance: ErpDoc[] = []
    if (this.#o.enhancers.some((e) => e.doctypes.includes(cfg.name))) {
      for (const doc of changedDocs) {
        const ex = existing.get(String(doc.name))
        if (!ex || ex.deleted || ex.modified === ERASED_MODIFIED) toEnhance.push(doc)
        else if (this.#ownedHash(cfg, doc) !== this.#ownedHash(cfg, await this.#unseal(ex)))
          toEnhance.push(doc)
      }
    }
    const writes = await this.#computeWrites(cfg, toEnhance, false)
    const rows: DocumentRow[] = await Promise.all(
      live.map(async (doc) => {
        const name = String(doc.name)
        const modified = String(doc.modified)
        const sealed = this.#o.privacy ? await this.#o.privacy.seal(cfg.name, name, doc) : doc
        return {
          doctype: cfg.name,
          name,
          data: sealed,
          modified,
          modifiedKey: modifiedKey(modified),
          hash: contentHash(doc),
          base: sealed,
          baseModified: modified,
          syncedAt: now,
        }
      }),
    )
    const receivedAt = new Map<string, number>()
    for (const t of tasks) {
      const at = isPlainObject(t.payload) ? t.payload.receivedAt : undefined
      if (typeof at === 'number') receivedAt.set(t.name, Math.min(at, receivedAt.get(t.name) ?? at))
    }
    const deleted: string[] = []
    const results = await this.#tx(async (tx) => {
      const results = rows.length > 0 ? await tx.documents.upsertMany(rows, now) : []
      for (const name of missing) if (await tx.documents.markDeleted(cfg.name, name, now)) deleted.push(name)
      if (writes.tasks.length + writes.refresh.length > 0)
        await tx.queue.enqueueMany([...writes.tasks, ...writes.refresh], now)
      for (const task of tasks) {
        const issues = quarantined.get(task.name)
        if (issues) {
          await tx.queue.fail(task.leaseToken!, {
            error: describeError(new DocumentInvalidError(cfg.name, task.name, issues)),
            now,
            dead: true,
            retryAt: () => now,
          })
        }
      }
      await this.#completeAll(
        tx,
        tasks.filter((t) => !quarantined.has(t.name)),
        now,
      )
      const audit: AuditRow[] = [...writes.audit]
      for (const [i, r] of results.entries())
        audit.push(
          this.#row(
            'document.applied',
            cfg.name,
            r.name,
            'inbound',
            r.status === 'unchanged' ? 'skipped' : 'ok',
            {
              payloadHash: rows[i]?.hash ?? null,
            },
          ),
        )
      for (const name of erased)
        audit.push(this.#row('document.erased-skip', cfg.name, name, 'inbound', 'skipped'))
      for (const name of deleted) audit.push(this.#row('document.deleted', cfg.name, name, 'inbound', 'ok'))
      for (const [name, issues] of quarantined)
        audit.push(
          this.#row('document.quarantined', cfg.name, name, 'inbound', 'error', {
            error: `ENGINE_DOCUMENT_INVALID ${issues.slice(0, 10).join('; ')}`.slice(0, 500),
          }),
        )
      await this.#audit(audit, tx)
      if (alsoInTx) await alsoInTx(tx, [...quarantined.keys()], now)
      return results
    })
    // An erasure whose tombstone committed after the check above may have scanned the mirror before these
    // copies were written, and missed them: look again now they are committed, and finish its work.
    const written = new Set(results.filter((r) => r.status !== 'unchanged').map((r) => r.name))
    if (written.size > 0) {
      const late = await this.#erasedAmong(
        cfg,
        live.filter((d) => written.has(String(d.name))),
      )
      if (late.size > 0) await this.#replaceWithPlaceholders(cfg.name, [...late], {}, 'erased during sync')
    }
    const latencyNow = this.#o.now()
    let changed = 0
    for (const [i, r] of results.entries()) {
      const isChanged = r.status !== 'unchanged'
      if (isChanged) changed++
      this.#confirmed.set(`${cfg.name}\u0000${r.name}`, now)
      const at = receivedAt.get(r.name)
      const latencyMs = at === undefined ? null : latencyNow - at
      this.#recordApplied(cfg.name, 1, latencyMs)
      this.#emit('document.applied', {
        doctype: cfg.name,
        name: r.name,
        modified: rows[i]!.modified,
        changed: isChanged,
        latencyMs,
      })
    }
    if (this.#confirmed.size > 200_000) this.#confirmed.clear()
    for (const name of deleted) this.#emit('document.deleted', { doctype: cfg.name, name })
    for (const [name, issues] of quarantined) {
      this.#countError('ENGINE_DOCUMENT_INVALID')
      this.#emit('document.quarantined', { doctype: cfg.name, name, issues })
    }
    if (writes.tasks.length + writes.refresh.length > 0) this.#wake()
    return { fetched: docs.length, changed, quarantined: [...quarantined.keys()] }
  }

  // ------------------------------------------------------------------------------------------ enhancers

  async #runEnhancer(
    enhancer: SyncEngineOptions['enhancers'] extends readonly (infer E)[] | undefined ? E : never,
    cfg: ResolvedDoctype,
    doc: ErpDoc,
    view: ErpDoc,
  ): Promise<Enhancement | undefined> {
    const controller = new AbortController()
    let handle: unknown
    const timeout = new Promise<never>((_, reject) => {
      handle = this.#o.timers.setTimeout(() => {
        controller.abort()
        reject(new EnhancerTimeoutError(enhancer.name, this.#o.enhancerTimeoutMs))
      }, this.#o.enhancerTimeoutMs)
    })
    const mirror = {
      get: async (doctype: string, name: string) => {
        const record = await this.#o.store.documents.get(doctype, await this.#reidentify(name))
        if (!record || record.deleted) return undefined
        const plain = await this.#unseal(record)
        const view = await this.#o.privacy!.view(doctype, plain)
        return view === null ? undefined : { ...view }
      },
    }
    try {
      const result = await Promise.race([
        Promise.resolve().then(() =>
          enhancer.enhance({
            doctype: cfg.name,
            name: enhancerName(cfg, doc, view),
            modified: String(doc.modified),
            view: Object.freeze({ ...view }),
            mirror,
            signal: controller.signal,
          }),
        ),
        timeout,
      ])
      return this.#checkEnhancement(enhancer.name, cfg, result)
    } catch (error) {
      if ((error as { name?: string })?.name === 'EnhancerTimeoutError') throw error
      if ((error as { name?: string })?.name === 'EnhancerError') throw error
      throw new EnhancerError(enhancer.name, 'it threw', error)
    } finally {
      this.#o.timers.clearTimeout(handle)
    }
  }

  /** The real id behind a pseudonym the privacy views handed out; any other value unchanged. */
  async #reidentify(value: string): Promise<string> {
    const reidentify = this.#o.privacy?.reidentify
    if (reidentify === undefined || value === '') return value
    return (await reidentify.call(this.#o.privacy, value)) ?? value
  }

  #checkEnhancement(enhancer: string, cfg: ResolvedDoctype, result: unknown): Enhancement | undefined {
    if (result === undefined || result === null) return undefined
    if (!isPlainObject(result)) throw new EnhancerError(enhancer, 'it returned a non-object')
    const { fields, documents } = result
    if (fields !== undefined) {
      if (!isPlainObject(fields)) throw new EnhancerError(enhancer, '"fields" is not an object')
      for (const key of Object.keys(fields))
        if (!cfg.aiFields.includes(key))
          throw new EnhancerError(
            enhancer,
            `"fields.${key}" is not an AI field of ${cfg.name} (see aiFields)`,
          )
    }
    if (documents !== undefined) {
      if (!Array.isArray(documents)) throw new EnhancerError(enhancer, '"documents" is not an array')
      for (const [i, d] of documents.entries()) {
        if (
          !isPlainObject(d) ||
          typeof d.doctype !== 'string' ||
          typeof d.key !== 'string' ||
          !isPlainObject(d.doc)
        )
          throw new EnhancerError(enhancer, `"documents[${i}]" is not { doctype, key, doc }`)
        if (d.key === '' || d.key.length > 140)
          throw new EnhancerError(enhancer, `"documents[${i}].key" must be 1-140 characters`)
        if (!this.#o.doctypes.get(d.doctype)?.idempotencyField)
          throw new EnhancerError(
            enhancer,
            `"documents[${i}].doctype" ${d.doctype} has no idempotencyField configured`,
          )
      }
    }
    return result as Enhancement
  }

  /** Run the enhancers over plaintext documents and turn their output into write tasks. */
  async #computeWrites(
    cfg: ResolvedDoctype,
    docs: readonly ErpDoc[],
    dryRun: boolean,
    noRefresh: ReadonlySet<string> = new Set(),
  ): Promise<ComputedWrites> {
    const out: ComputedWrites = { tasks: [], refresh: [], planned: [], failed: new Set(), audit: [] }
    const enhancers = this.#o.enhancers.filter((e) => e.doctypes.includes(cfg.name))
    if (enhancers.length === 0 || docs.length === 0) return out
    const now = this.#o.now()
    const erased = await this.#erasedAmong(cfg, docs)
    const eligible = docs.filter((doc) => !erased.has(String(doc.name)))
    // The page's views are computed VIEW_CONCURRENCY at a time: each records a disclosure (and possibly a
    // pseudonym mapping) and resolves only once that record is committed, so overlapping them lets a
    // group-committing store (SQLite) commit them together rather than once per document. Enhancers still
    // run one document at a time, in page order, each after its view's record is durable.
    const views = await mapBounded(eligible, VIEW_CONCURRENCY, async (doc) =>
      this.#o.privacy!.view(cfg.name, doc),
    )
    for (const [index, doc] of eligible.entries()) {
      const name = String(doc.name)
      const filtered = views[index] ?? null
      if (filtered === null) {
        // Restriction or objection: the AI layer gets nothing about this subject.
        out.audit.push(
          this.#row('enhancer.skipped', cfg.name, name, 'internal', 'skipped', { error: 'consent' }),
        )
        continue
      }
      const view = { ...filtered }
      const fields: Record<string, JsonValue> = {}
      for (const enhancer of enhancers) {
        let result: Enhancement | undefined
        try {
          result = await this.#runEnhancer(enhancer, cfg, doc, view)
        } catch (error) {
          out.failed.add(name)
          const described = describeError(error)
          this.#countError((error as { code?: string }).code ?? 'ENGINE_ENHANCER_FAILED')
          out.audit.push(
            this.#row('enhancer.failed', cfg.name, name, 'internal', 'error', { error: described }),
          )
          this.#emit('enhancer.failed', {
            enhancer: enhancer.name,
            doctype: cfg.name,
            name,
            error: described,
          })
          continue
        }
        for (const [field, value] of Object.entries(result?.fields ?? {}))
          fields[field] = serialiseField(value)
        if (!dryRun && !noRefresh.has(name) && Array.isArray(result?.refresh))
          for (const ref of result.refresh) {
            const target = isPlainObject(ref) ? this.#o.doctypes.get(String(ref.doctype)) : undefined
            if (!target || typeof ref.name !== 'string' || ref.name === '') {
              out.audit.push(
                this.#row('enhancer.refresh-ignored', cfg.name, name, 'internal', 'skipped', {
                  error: `${enhancer.name}: refresh entry is not a configured {doctype, name}`,
                }),
              )
              continue
            }
            out.refresh.push(this.#enhanceTask(target.name, await this.#reidentify(ref.name), now, 'refresh'))
          }
        for (const d of result?.documents ?? []) {
          const target = this.#doctype(d.doctype)
          const body: Record<string, JsonValue> = {}
          // Links the enhancer wrote as pseudonyms (the only ids it saw) go to ERPNext as the real ids.
          for (const [k, v] of Object.entries(d.doc))
            body[k] = serialiseField(typeof v === 'string' ? await this.#reidentify(v) : v)
          body[target.idempotencyField!] = d.key
          if (dryRun) out.planned.push({ type: 'insert', doctype: d.doctype, key: d.key, doc: body })
          else {
            const payload: InsertPayload = {
              doc: body,
              subject:
                cfg.subjectField === 'name'
                  ? name
                  : typeof doc[cfg.subjectField] === 'string'
                    ? String(doc[cfg.subjectField])
                    : null,
              subjectDoctype: cfg.name,
            }
            out.tasks.push({
              key: `insert:${d.doctype}:${d.key}`,
              kind: 'insert',
              doctype: d.doctype,
              name: d.key,
              payload: payload as unknown as JsonValue,
              modified: null,
              modifiedKey: null,
              priority: 0,
              runAt: now,
              maxAttempts: this.#o.maxAttempts,
            })
          }
        }
      }
      if (out.failed.has(name) && !dryRun) {
        out.tasks.push({
          key: `enhance:${cfg.name}:${name}`,
          kind: 'enhance',
          doctype: cfg.name,
          name,
          payload: null,
          modified: String(doc.modified),
          modifiedKey: modifiedKey(String(doc.modified)),
          priority: 0,
          runAt: now + backoffMs(1, this.#o.retryBaseMs, this.#o.retryMaxMs, this.#o.random),
          maxAttempts: this.#o.maxAttempts,
        })
      }
      const changed: Record<string, JsonValue> = {}
      const base: Record<string, JsonValue> = {}
      const underReview =
        Object.keys(fields).length === 0
          ? new Set<string>()
          : new Set(
              (
                await this.#o.store.reviews.list({
                  status: 'open',
                  doctype: cfg.name,
                  name,
                  afterId: 0,
                  limit: 1000,
                })
              ).map((r) => r.field),
            )
      for (const [field, value] of Object.entries(fields)) {
        // A field waiting for a human decision is not overwritten by a newer AI value.
        if (underReview.has(field) || sameValue(value, doc[field])) continue
        changed[field] = value
        base[field] = toJson(doc[field] ?? null)
      }
      if (Object.keys(changed).length === 0) continue
      const modified = String(doc.modified)
      if (dryRun) out.planned.push({ type: 'update', doctype: cfg.name, name, modified, fields: changed })
      else {
        const payload: PushPayload = { modified, fields: changed, base }
        out.tasks.push({
          key: `push:${cfg.name}:${name}`,
          kind: 'push',
          doctype: cfg.name,
          name,
          payload: payload as unknown as JsonValue,
          modified,
          modifiedKey: modifiedKey(modified),
          priority: 0,
          runAt: now,
          maxAttempts: this.#o.maxAttempts,
        })
      }
    }
    return out
  }

  // -------------------------------------------------------------------------------------------- workers

  start(options?: { readonly concurrency?: number }): void {
    const concurrency = options?.concurrency ?? 1
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
      throw new RangeError(`${P} start(): "concurrency" must be an integer from 1 to 64, got ${concurrency}.`)
    if (this.#running) return
    this.#running = true
    for (let i = 0; i < concurrency; i++) this.#loops.push(this.#loop())
  }

  async stop(options?: { readonly timeoutMs?: number }): Promise<void> {
    const timeoutMs = options?.timeoutMs
    if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 0))
      throw new RangeError(`${P} stop(): "timeoutMs" must be a non-negative integer (ms), got ${timeoutMs}.`)
    this.#running = false
    this.#generation++
    this.#wake()
    const loops = Promise.all(this.#loops)
    this.#loops = []
    if (timeoutMs === undefined) {
      await loops
      return
    }
    let timer: unknown
    const timedOut = await Promise.race([
      loops.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = this.#o.timers.setTimeout(() => resolve(true), timeoutMs)
      }),
    ])
    this.#o.timers.clearTimeout(timer)
    if (!timedOut) return
    // Batches still in flight stop renewing their leases: the leases lapse after `leaseMs` and another
    // worker takes the tasks over. If a batch finishes after all, its completions find the lease gone.
    let tasks = 0
    for (const batch of this.#inFlight) {
      batch.release()
      tasks += batch.tasks
    }
    this.#inFlight.clear()
    this.#emit('workers.abandoned', { tasks, timeoutMs })
  }

  async #loop(): Promise<void> {
    const generation = this.#generation
    while (this.#running && generation === this.#generation) {
      if (this.#circuit.state === 'open') {
        await this.#sleep(Math.min(this.#circuit.retryAt - this.#o.now(), 5 * this.#o.pollIntervalMs))
        continue
      }
      // Work enqueued while this lease was in flight (an intake that committed after the lease query ran)
      // wakes the loop at once instead of after a poll interval: the lost-wake-up race.
      const wakeups = this.#wakeups
      let processed = 0
      try {
        processed = await this.#batch()
      } catch {
        this.#countError('STORE_UNAVAILABLE')
      }
      if (processed === 0 && this.#running && wakeups === this.#wakeups) {
        const woken = this.#wakeups
        await this.#sleep(this.#o.pollIntervalMs)
        // Woken from idle by new work: give a burst a moment to gather into one batch.
        if (woken !== this.#wakeups && this.#running && this.#o.batchWaitMs > 0)
          await new Promise<void>((resolve) => this.#o.timers.setTimeout(resolve, this.#o.batchWaitMs))
      }
    }
  }

  async drain(options?: { readonly maxBatches?: number }): Promise<number> {
    const max = options?.maxBatches ?? 100_000
    let total = 0
    for (let i = 0; i < max; i++) {
      const n = await this.#batch()
      if (n === 0) break
      total += n
    }
    return total
  }

  /** Lease one batch and process it; returns the number of tasks leased. */
  async #batch(): Promise<number> {
    const now = this.#o.now()
    const tasks = await this.#o.store.queue.lease({
      worker: this.#o.workerId,
      limit: this.#o.batchSize,
      now,
      expiresAt: now + this.#o.leaseMs,
      tokenPrefix: `${this.#o.workerId}.${++this.#leaseSeq}`,
      kind: null,
      doctype: null,
    })
    if (tasks.length === 0) return 0
    const renew = this.#renewLoop(tasks)
    const inFlight = { tasks: tasks.length, release: renew }
    this.#inFlight.add(inFlight)
    try {
      const groups = new Map<string, QueueTask[]>()
      for (const t of tasks) {
        const key = t.kind === 'push' ? 'push' : `${t.kind}\u0000${t.doctype}`
        const list = groups.get(key) ?? []
        list.push(t)
        groups.set(key, list)
      }
      for (const group of groups.values()) {
        const first = group[0]!
        try {
          await this.#trace(`edusync.${first.kind}`, { doctype: first.doctype, tasks: group.length }, () =>
            this.#handle(first.kind, first.doctype, group),
          )
        } catch (error) {
          await this.#failTasks(group, error)
        }
      }
    } finally {
      this.#inFlight.delete(inFlight)
      renew()
    }
    return tasks.length
  }

  #renewLoop(tasks: readonly QueueTask[]): () => void {
    let stopped = false
    let handle: unknown
    const tick = () => {
      if (stopped) return
      const now = this.#o.now()
      void Promise.all(
        tasks.map((t) =>
          this.#o.store.queue.renew(t.leaseToken!, now + this.#o.leaseMs, now).catch(() => null),
        ),
      ).finally(() => {
        if (!stopped) handle = this.#o.timers.setTimeout(tick, Math.floor(this.#o.leaseMs / 2))
      })
    }
    handle = this.#o.timers.setTimeout(tick, Math.floor(this.#o.leaseMs / 2))
    return () => {
      stopped = true
      this.#o.timers.clearTimeout(handle)
    }
  }

  async #handle(kind: string, doctype: string, tasks: QueueTask[]): Promise<void> {
    switch (kind) {
      case 'pull':
        return this.#handlePull(doctype, tasks)
      case 'enhance':
        return this.#handleEnhance(doctype, tasks)
      case 'push':
        return this.#handlePush(tasks)
      case 'insert':
        return this.#handleInsert(doctype, tasks)
      default:
        await this.#failTasks(tasks, new TypeError(`unknown task kind "${kind}"`), true)
    }
  }

  async #failTasks(tasks: readonly QueueTask[], error: unknown, dead = false): Promise<void> {
    const now = this.#o.now()
    const described = describeError(error)
    const cls = classifyError(error)
    const retryAfter =
      typeof (error as { retryAfter?: unknown })?.retryAfter === 'number'
        ? (error as { retryAfter: number }).retryAfter * 1000
        : 0
    const floor = isCircuitOpenError(error) ? error.retryAt : now + retryAfter
    const rows: AuditRow[] = []
    for (const task of tasks) {
      let outcome: string | null = null
      try {
        outcome = await this.#o.store.queue.fail(task.leaseToken!, {
          error: described,
          now,
          dead,
          retryAt: (attempts) =>
            Math.max(
              floor,
              now + backoffMs(attempts, this.#o.retryBaseMs, this.#o.retryMaxMs, this.#o.random),
            ),
        })
      } catch {
        // The store is down: the lease lapses and another attempt takes the task over.
        outcome = 'lease-lapsed'
      }
      this.#countError(
        cls === 'permanent' ? ((error as { code?: string })?.code ?? 'ERROR') : `TASK_${cls.toUpperCase()}`,
      )
      rows.push(
        this.#row(`task.${task.kind}`, task.doctype, task.name, 'internal', 'error', {
          error: `${outcome} ${described}`,
        }),
      )
      this.#emit('task.failed', {
        kind: task.kind,
        doctype: task.doctype,
        name: task.name,
        attempts: task.attempts,
        outcome: outcome ?? 'lease-lost',
        error: described,
      })
    }
    await this.#audit(rows).catch(() => undefined)
  }

  async #handlePull(doctype: string, tasks: QueueTask[]): Promise<void> {
    const cfg = this.#doctype(doctype)
    const { docs, missing } = await this.#fetcher.byNames(
      doctype,
      cfg.children,
      tasks.map((t) => t.name),
    )
    await this.#ingest(cfg, docs, missing, tasks)
  }

  async #handleEnhance(doctype: string, tasks: QueueTask[]): Promise<void> {
    const cfg = this.#doctype(doctype)
    const records = await this.#o.store.documents.getMany(
      doctype,
      tasks.map((t) => t.name),
    )
    const docs = await Promise.all(records.filter((r) => !r.deleted).map((r) => this.#unseal(r)))
    // Refreshes do not cascade: an enhancement run because of another document's refresh list cannot
    // request refreshes itself.
    const noRefresh = new Set(
      tasks.filter((t) => isPlainObject(t.payload) && t.payload.cause === 'refresh').map((t) => t.name),
    )
    const real = await this.#computeWrites(cfg, docs, false, noRefresh)
    const failed = real.failed
    const now = this.#o.now()
    const ok = tasks.filter((t) => !failed.has(t.name))
    await this.#tx(async (tx) => {
      const tasksToEnqueue = [...real.tasks.filter((t) => t.kind !== 'enhance'), ...real.refresh]
      if (tasksToEnqueue.length > 0) await tx.queue.enqueueMany(tasksToEnqueue, now)
      await this.#completeAll(tx, ok, now)
      await this.#audit(real.audit, tx)
    })
    const bad = tasks.filter((t) => failed.has(t.name))
    if (bad.length > 0) await this.#failTasks(bad, new EnhancerError('*', 'an enhancer failed again'))
    this.#wake()
  }

  // ----------------------------------------------------------------------------------------- write-back

  async #handlePush(tasks: QueueTask[]): Promise<void> {
    interface Item {
      task: QueueTask
      cfg: ResolvedDoctype
      payload: PushPayload
      modified: string
      fields: Record<string, unknown>
    }
    const items: Item[] = []
    const done: QueueTask[] = []
    const audit: AuditRow[] = []
    const reviews: {
      doctype: string
      name: string
      field: string
      base: JsonValue
      local: JsonValue
      remote: JsonValue
    }[] = []
    const byDoctype = new Map<string, QueueTask[]>()
    for (const t of tasks) byDoctype.set(t.doctype, [...(byDoctype.get(t.doctype) ?? []), t])
    for (const [doctype, group] of byDoctype) {
      const cfg = this.#doctype(doctype)
      const mirror = new Map(
        (
          await this.#o.store.documents.getMany(
            doctype,
            group.map((t) => t.name),
          )
        ).map((r) => [r.name, r]),
      )
      for (const task of group) {
        const payload = task.payload as unknown as PushPayload
        const record = mirror.get(task.name)
        if (!record || record.deleted) {
          done.push(task)
          audit.push(
            this.#row('writeback.skipped', doctype, task.name, 'outbound', 'skipped', {
              error: 'document gone',
            }),
          )
          continue
        }
        if (record.modified === payload.modified) {
          items.push({ task, cfg, payload, modified: payload.modified, fields: payload.fields })
          continue
        }
        // The document changed since the enhancement was computed: merge against the mirror's version.
        const theirs = await this.#unseal(record)
        const outcome = await threeWay(
          this.#o.rules,
          doctype,
          task.name,
          payload.base,
          payload.fields,
          theirs,
        )
        this.#noteConflict(doctype, task.name, outcome, payload, theirs, audit, reviews)
        if (Object.keys(outcome.write).length === 0) done.push(task)
        else items.push({ task, cfg, payload, modified: record.modified, fields: outcome.write })
      }
    }
    const failedFinal: { task: QueueTask; error: unknown }[] = []
    const pushed: Item[] = []
    const retry: Item[] = []
    for (const [item, f] of await this.#bulkUpdate(items)) {
      if (!f) pushed.push(item)
      else if (f.timestampMismatch) retry.push(item)
      else
        failedFinal.push({
          task: item.task,
          error: new WriteBackError(
            item.task.doctype,
            item.task.name,
            f.error.split('\n').at(-1)?.split(':')[0]?.trim() || 'error',
          ),
        })
    }
    // TimestampMismatchError: re-fetch the current versions (one request per doctype) and resolve three-way.
    if (retry.length > 0) {
      const second: Item[] = []
      const byDt = new Map<string, Item[]>()
      for (const i of retry) byDt.set(i.task.doctype, [...(byDt.get(i.task.doctype) ?? []), i])
      for (const [doctype, group] of byDt) {
        const cfg = this.#doctype(doctype)
        const { docs, missing } = await this.#fetcher.byNames(
          doctype,
          cfg.children,
          group.map((i) => i.task.name),
        )
        await this.#ingest(cfg, docs, missing, [])
        const fresh = new Map(docs.map((d) => [String(d.name), d]))
        // Erased while the first attempt was in flight: nothing more is written for it.
        const erased = await this.#erasedAmong(cfg, docs)
        for (const item of group) {
          const theirs = fresh.get(item.task.name)
          if (!theirs || erased.has(item.task.name)) {
            done.push(item.task)
            continue
          }
          const outcome = await threeWay(
            this.#o.rules,
            doctype,
            item.task.name,
            item.payload.base,
            item.payload.fields,
            theirs,
          )
          this.#noteConflict(doctype, item.task.name, outcome, item.payload, theirs, audit, reviews)
          if (Object.keys(outcome.write).length === 0) done.push(item.task)
          else second.push({ ...item, modified: String(theirs.modified), fields: outcome.write })
        }
      }
      for (const [item, f] of await this.#bulkUpdate(second)) {
        if (!f) pushed.push(item)
        else
          failedFinal.push({
            task: item.task,
            error: f.timestampMismatch
              ? Object.assign(new Error('TimestampMismatchError'), { code: 'TIMESTAMP_MISMATCH' })
              : new WriteBackError(item.task.doctype, item.task.name, 'error'),
          })
      }
    }
    const at = this.#o.now()
    const created: SyncEngineEvents['review.created'][] = []
    await this.#tx(async (tx) => {
      for (const r of reviews) {
        const item = await tx.reviews.create({ ...r, reason: 'manual_review' }, at)
        created.push({ id: item.id, doctype: r.doctype, name: r.name, field: r.field })
      }
      await this.#completeAll(tx, [...pushed.map((i) => i.task), ...done], at)
      for (const item of pushed) {
        audit.push(
          this.#row('writeback.pushed', item.task.doctype, item.task.name, 'outbound', 'ok', {
            fields: Object.keys(item.fields),
            payloadHash: sha256(canonicalJson(item.fields)),
          }),
        )
      }
      // Re-read what was written so the mirror (and the next base) carries ERPNext's new `modified`.
      if (pushed.length > 0)
        await tx.queue.enqueueMany(
          pushed.map((i) => this.#pullTask({ doctype: i.task.doctype, name: i.task.name }, at, 5)),
          at,
        )
      await this.#audit(audit, tx)
    })
    // Erased while this batch ran (after its mirror read): the erasure purged the reviews it saw; these
    // were created after, so they go too.
    if (created.length > 0) await this.#purgeLateReviews(created)
    for (const c of created) this.#emit('review.created', c)
    for (const item of pushed)
      this.#emit('writeback.pushed', {
        doctype: item.task.doctype,
        name: item.task.name,
        fields: Object.keys(item.fields),
      })
    for (const f of failedFinal) await this.#failTasks([f.task], f.error)
    if (pushed.length > 0) this.#wake()
  }

  /** Remove review items just created for documents that an erasure replaced with a placeholder meanwhile. */
  async #purgeLateReviews(created: SyncEngineEvents['review.created'][]): Promise<void> {
    const byDoctype = new Map<string, Set<string>>()
    for (const c of created) byDoctype.set(c.doctype, (byDoctype.get(c.doctype) ?? new Set()).add(c.name))
    for (const [doctype, names] of byDoctype) {
      const erased = (await this.#o.store.documents.getMany(doctype, [...names]))
        .filter((r) => r.modified === ERASED_MODIFIED)
        .map((r) => r.name)
      if (erased.length === 0) continue
      await this.#replaceWithPlaceholders(doctype, erased, {}, 'erased during write-back')
      const gone = new Set(erased)
      for (let i = created.length - 1; i >= 0; i--)
        if (created[i]!.doctype === doctype && gone.has(created[i]!.name)) created.splice(i, 1)
    }
  }

  /**
   * `bulk_update` in requests of `writeChunkSize` items; each item paired with ERPNext's refusal of it, or
   * `undefined` when it was written.
   */
  async #bulkUpdate<I extends { task: QueueTask; modified: string; fields: Record<string, unknown> }>(
    items: readonly I[],
  ): Promise<[I, BulkUpdateFailure | undefined][]> {
    const out: [I, BulkUpdateFailure | undefined][] = []
    for (const part of chunk(items, this.#o.writeChunkSize)) {
      const failures = await this.#erp.bulkUpdate(
        part.map((i) => ({
          doctype: i.task.doctype,
          docname: i.task.name,
          modified: i.modified,
          fields: i.fields,
        })),
      )
      const byKey = new Map(failures.map((f) => [`${f.doctype}\u0000${f.docname}`, f]))
      for (const item of part) out.push([item, byKey.get(`${item.task.doctype}\u0000${item.task.name}`)])
    }
    return out
  }

  #noteConflict(
    doctype: string,
    name: string,
    outcome: Awaited<ReturnType<typeof threeWay>>,
    payload: PushPayload,
    theirs: ErpDoc,
    audit: AuditRow[],
    reviews: {
      doctype: string
      name: string
      field: string
      base: JsonValue
      local: JsonValue
      remote: JsonValue
    }[],
  ): void {
    if (outcome.conflicts.length === 0) return
    audit.push(
      this.#row('writeback.conflict', doctype, name, 'outbound', 'conflict', {
        fields: [...outcome.conflicts],
        error: outcome.review.length > 0 ? `manual_review: ${outcome.review.join(',')}` : null,
      }),
    )
    this.#emit('writeback.conflict', { doctype, name, fields: outcome.conflicts, review: outcome.review })
    for (const field of outcome.review)
      reviews.push({
        doctype,
        name,
        field,
        base: toJson(payload.base[field] ?? null),
        local: toJson(payload.fields[field] ?? null),
        remote: toJson(theirs[field] ?? null),
      })
  }

  async #handleInsert(doctype: string, tasks: QueueTask[]): Promise<void> {
    const cfg = this.#doctype(doctype)
    const field = cfg.idempotencyField
    if (!field) {
      await this.#failTasks(tasks, new UnknownDoctypeError(doctype), true)
      return
    }
    const now = this.#o.now()
    // Look the keys up first: an earlier attempt may have inserted them before the worker died.
    const existing = new Set<string>()
    for (const part of chunk(
      tasks.map((t) => t.name),
      this.#o.fetchChunkSize,
    )) {
      const rows = await this.#erp.list(doctype, {
        fields: ['name', field],
        filters: [[field, 'in', part]],
        orderBy: 'name asc',
        limit: 0,
      })
      for (const r of rows) existing.add(String(r[field]))
    }
    const done: QueueTask[] = tasks.filter((t) => existing.has(t.name))
    const todo: QueueTask[] = []
    // The subjects erased since the insert was queued: one statement for the batch when the store can.
    const erased = await this.#erasedIds(
      [
        ...new Set(
          tasks
            .filter((t) => !existing.has(t.name))
            .map((t) => (t.payload as unknown as InsertPayload).subject)
            .filter((s): s is string => typeof s === 'string' && s !== ''),
        ),
      ],
      doctype,
    )
    for (const t of tasks) {
      if (existing.has(t.name)) continue
      const subject = (t.payload as unknown as InsertPayload).subject
      if (subject && erased.has(subject)) done.push(t)
      else todo.push(t)
    }
    const inserted: { task: QueueTask; name: string }[] = []
    const failed: { task: QueueTask; error: unknown }[] = []
    const insert = async (part: QueueTask[]): Promise<void> => {
      try {
        const names = await this.#erp.insertMany(
          doctype,
          part.map((t) => (t.payload as unknown as InsertPayload).doc),
        )
        for (const [i, task] of part.entries()) inserted.push({ task, name: String(names[i] ?? '') })
      } catch (error) {
        const cls = classifyError(error)
        // insert_many is all or nothing: find the one bad document instead of failing its neighbours.
        if (cls === 'permanent' && part.length > 1) for (const t of part) await insert([t])
        else for (const t of part) failed.push({ task: t, error })
      }
    }
    for (const part of chunk(todo, 200)) await insert(part)
    await this.#tx(async (tx) => {
      await this.#completeAll(tx, [...done, ...inserted.map((i) => i.task)], now)
      await this.#audit(
        [
          ...inserted.map((i) =>
            this.#row('insert.created', doctype, i.name, 'outbound', 'ok', {
              payloadHash: sha256(i.task.name),
            }),
          ),
          ...done.map((t) =>
            this.#row('insert.exists', doctype, null, 'outbound', 'skipped', { payloadHash: sha256(t.name) }),
          ),
        ],
        tx,
      )
    })
    for (const i of inserted) this.#emit('document.inserted', { doctype, key: i.task.name, name: i.name })
    for (const f of failed) await this.#failTasks([f.task], f.error)
  }

  async rollupEngagement(options: RollupOptions): Promise<number> {
    if (!options || typeof options.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(options.date))
      throw new TypeError(`${P} rollupEngagement(): "date" must be YYYY-MM-DD.`)
    const doctype = options.doctype ?? 'AI Engagement Log'
    const cfg = this.#doctype(doctype)
    if (!cfg.idempotencyField)
      throw new TypeError(`${P} rollupEngagement(): doctype "${doctype}" needs an idempotencyField.`)
    const start = Date.parse(`${options.date}T00:00:00Z`)
    const end = start + 86_400_000
    const per = new Map<string, { n: number; help: number; ms: number; concepts: Set<string> }>()
    const source = options.interactions ?? this.#storedInteractions(start, end)
    for await (const i of source as AsyncIterable<ChatInteraction>) {
      if (i.createdAt < start || i.createdAt >= end) continue
      const agg = per.get(i.studentId) ?? { n: 0, help: 0, ms: 0, concepts: new Set<string>() }
      agg.n++
      if (i.helpRequested) agg.help++
      agg.ms += Math.max(0, i.durationMs)
      for (const c of i.concepts) agg.concepts.add(c)
      per.set(i.studentId, agg)
    }
    const now = this.#o.now()
    const tasks: TaskRow[] = []
    for (const [studentId, agg] of per) {
      const student = options.resolveStudent ? await options.resolveStudent(studentId) : studentId
      if (!student) continue
      const key = `engagement:${student}:${options.date}`
      const payload: InsertPayload = {
        doc: {
          student,
          session_date: options.date,
          interaction_duration: Math.round(agg.ms / 1000),
          questions_asked: agg.n,
          concepts_explored: JSON.stringify([...agg.concepts].sort()),
          help_requests: agg.help,
          independence_score: Math.round((1 - agg.help / agg.n) * 1000) / 1000,
          [cfg.idempotencyField]: key,
        },
        subject: student,
        subjectDoctype: 'Student',
      }
      tasks.push({
        key: `insert:${doctype}:${key}`,
        kind: 'insert',
        doctype,
        name: key,
        payload: payload as unknown as JsonValue,
        modified: null,
        modifiedKey: null,
        priority: 0,
        runAt: now,
        maxAttempts: this.#o.maxAttempts,
      })
    }
    if (tasks.length > 0) {
      await this.#o.store.queue.enqueueMany(tasks, now)
      await this.#audit([
        this.#row('engagement.rollup', doctype, null, 'internal', 'ok', {
          error: `${tasks.length} students`,
        }),
      ])
      this.#wake()
    }
    return tasks.length
  }

  /** The store's `ai_chat_interactions` of [from, to), page by page. */
  async *#storedInteractions(from: number, to: number): AsyncIterable<ChatInteraction> {
    const source = this.#o.store.interactions
    if (!source)
      throw new TypeError(
        `${P} rollupEngagement(): pass "interactions", or use a store from createStore() that holds ai_chat_interactions.`,
      )
    let after: { createdAt: number; id: string } | null = null
    for (;;) {
      const page: (ChatInteraction & { id: string })[] = await source.list({ from, to, after, limit: 1000 })
      yield* page
      if (page.length < 1000) return
      const last = page[page.length - 1]!
      after = { createdAt: last.createdAt, id: last.id }
    }
  }

  async plan(options?: {
    readonly doctypes?: readonly string[]
    readonly limit?: number
  }): Promise<PlannedWrite[]> {
    const limit = options?.limit ?? 1000
    const targets = options?.doctypes
      ? options.doctypes.map((d) => this.#doctype(d))
      : [...this.#o.doctypes.values()].filter((d) =>
          this.#o.enhancers.some((e) => e.doctypes.includes(d.name)),
        )
    const planned: PlannedWrite[] = []
    for (const cfg of targets) {
      let after: { modifiedKey: string; name: string } | null = null
      while (planned.length < limit) {
        const page: MirrorDocument[] = await this.#o.store.documents.list(cfg.name, {
          after,
          limit: 200,
          includeDeleted: false,
        })
        if (page.length === 0) break
        const docs = await Promise.all(page.map((r) => this.#unseal(r)))
        const writes = await this.#computeWrites(cfg, docs, true)
        planned.push(...writes.planned)
        const last = page[page.length - 1]!
        after = { modifiedKey: modifiedKey(last.modified), name: last.name }
      }
    }
    return planned.slice(0, limit)
  }

  // ------------------------------------------------------------------------------------ reviews, privacy

  async #listReviews(opts?: {
    readonly status?: 'open' | 'resolved'
    readonly limit?: number
  }): Promise<ReviewItem[]> {
    return this.#o.store.reviews.list({
      status: opts?.status ?? 'open',
      doctype: null,
      name: null,
      afterId: 0,
      limit: opts?.limit ?? 100,
    })
  }

  async #resolveReview(
    id: number,
    decision: 'local' | 'remote' | { readonly value: unknown },
    resolvedBy?: string,
  ): Promise<ReviewItem> {
    const item = await this.#o.store.reviews.get(id)
    if (item?.status !== 'open') throw new ReviewNotFoundError(String(id))
    const value: JsonValue =
      decision === 'local' ? item.local : decision === 'remote' ? item.remote : serialiseField(decision.value)
    const now = this.#o.now()
    const record = await this.#o.store.documents.get(item.doctype, item.name)
    const resolved = await this.#tx(async (tx) => {
      const r = await tx.reviews.resolve(id, value, resolvedBy ?? null, now)
      if (!r) throw new ReviewNotFoundError(String(id))
      if (record && !record.deleted) {
        const current = (await this.#unseal(record))[item.field]
        if (!sameValue(value, current)) {
          const payload: PushPayload = {
            modified: record.modified,
            fields: { [item.field]: value },
            base: { [item.field]: toJson(current ?? null) },
          }
          await tx.queue.enqueueMany(
            [
              {
                key: `push:${item.doctype}:${item.name}`,
                kind: 'push',
                doctype: item.doctype,
                name: item.name,
                payload: payload as unknown as JsonValue,
                modified: record.modified,
                modifiedKey: modifiedKey(record.modified),
                priority: 5,
                runAt: now,
                maxAttempts: this.#o.maxAttempts,
              },
            ],
            now,
          )
        }
      }
      await this.#audit(
        [this.#row('review.resolved', item.doctype, item.name, 'internal', 'ok', { fields: [item.field] })],
        tx,
      )
      return r
    })
    this.#wake()
    return resolved
  }

  async #access(doctype: string, name: string) {
    this.#doctype(doctype)
    const record = await this.#o.store.documents.get(doctype, name)
    const document = record && !record.deleted ? await this.#unseal(record) : null
    const reviews = await this.#o.store.reviews.list({
      status: null,
      doctype,
      name,
      afterId: 0,
      limit: 10_000,
    })
    const audit = await this.#o.store.audit.query({
      type: null,
      doctype,
      name,
      status: null,
      from: 0,
      to: Number.MAX_SAFE_INTEGER,
      beforeId: Number.MAX_SAFE_INTEGER,
      limit: 10_000,
    })
    await this.#audit([this.#row('privacy.access', doctype, name, 'internal', 'ok')])
    return { document, reviews, audit }
  }

  async #rectify(doctype: string, name: string): Promise<void> {
    const cfg = this.#doctype(doctype)
    const { docs, missing } = await this.#fetcher.byNames(doctype, cfg.children, [name])
    await this.#ingest(cfg, docs, missing, [])
    await this.#audit([this.#row('privacy.rectify', doctype, name, 'internal', 'ok')])
  }

  /**
   * Mirrored documents that hold data about a subject (a Student): by name for Student, by `subjectField`
   * otherwise. Rows deleted in ERPNext still hold their last data and are included; erased placeholders
   * hold nothing and are not.
   */
  async #subjectRecords(
    cfg: ResolvedDoctype,
    subjectId: string,
  ): Promise<{ name: string; data: ErpDoc; updatedAt: number; deleted: boolean }[]> {
    const held = async (record: MirrorDocument) => ({
      name: record.name,
      data: await this.#unseal(record),
      updatedAt: record.updatedAt,
      deleted: record.deleted,
    })
    if (cfg.subjectField === 'name') {
      const record = await this.#o.store.documents.get(cfg.name, subjectId)
      return record && record.modified !== ERASED_MODIFIED ? [await held(record)] : []
    }
    const out: { name: string; data: ErpDoc; updatedAt: number; deleted: boolean }[] = []
    let after: { modifiedKey: string; name: string } | null = null
    // Data-subject requests are rare: a scan of the doctype's mirror is acceptable and needs no extra index.
    for (;;) {
      const page: MirrorDocument[] = await this.#o.store.documents.list(cfg.name, {
        after,
        limit: 1000,
        includeDeleted: true,
      })
      for (const record of page) {
        if (record.modified === ERASED_MODIFIED) continue
        const r = await held(record)
        if (r.data[cfg.subjectField] === subjectId) out.push(r)
      }
      if (page.length < 1000) return out
      const last = page[page.length - 1]!
      after = { modifiedKey: modifiedKey(last.modified), name: last.name }
    }
  }

  /** Whether the mirrored `doctype`/`name` holds data about `subjectId` (not yet erased). */
  async #holdsSubject(cfg: ResolvedDoctype, subjectId: string, name: string): Promise<boolean> {
    const record = await this.#o.store.documents.get(cfg.name, name)
    if (!record || record.modified === ERASED_MODIFIED) return false
    if (cfg.subjectField === 'name') return name === subjectId
    return (await this.#unseal(record))[cfg.subjectField] === subjectId
  }

  /** `@edusync/privacy-toolkit`'s `SubjectDataSource` over the mirror (kinds are the synced doctypes). */
  #subjectSource(): SubjectDataSource {
    const kinds = () => [...this.#o.doctypes.values()].filter((d) => d.sync)
    const kindOf = (kind: string) => {
      const cfg = this.#o.doctypes.get(kind)
      if (!cfg?.sync) throw new UnknownDoctypeError(kind)
      return cfg
    }
    return {
      listKinds: async (_tenant, subjectId) => {
        const out: SubjectDataKind[] = []
        for (const cfg of kinds()) {
          const count = (await this.#subjectRecords(cfg, subjectId)).length
          if (count > 0) out.push({ kind: cfg.name, origin: 'mirror', count })
        }
        return out
      },
      read: async (_tenant, subjectId, kind) =>
        (await this.#subjectRecords(kindOf(kind), subjectId)).map((r) => ({
          id: r.name,
          data: r.data,
          updatedAt: new Date(r.updatedAt),
        })),
      rectify: async (_tenant, subjectId, kind, recordId, changes) => {
        const cfg = kindOf(kind)
        const record = (await this.#subjectRecords(cfg, subjectId)).find((r) => r.name === recordId)
        // A document deleted in ERPNext has nowhere to take a correction.
        if (!record || record.deleted) return false
        // ERPNext is the system of record: the correction is written there (modified-checked) and re-synced.
        const mirror = await this.#o.store.documents.get(cfg.name, recordId)
        const fields: Record<string, JsonValue> = {}
        const base: Record<string, JsonValue> = {}
        for (const [field, value] of Object.entries(changes)) {
          fields[field] = serialiseField(value)
          base[field] = toJson(record.data[field] ?? null)
        }
        const now = this.#o.now()
        const payload: PushPayload = { modified: mirror!.modified, fields, base }
        await this.#o.store.queue.enqueueMany(
          [
            {
              key: `push:${cfg.name}:${recordId}`,
              kind: 'push',
              doctype: cfg.name,
              name: recordId,
              payload: payload as unknown as JsonValue,
              modified: mirror!.modified,
              modifiedKey: modifiedKey(mirror!.modified),
              priority: 5,
              runAt: now,
              maxAttempts: this.#o.maxAttempts,
            },
          ],
          now,
        )
        await this.#audit([
          this.#row('privacy.rectify', cfg.name, recordId, 'outbound', 'ok', {
            fields: Object.keys(changes),
          }),
        ])
        this.#wake()
        return true
      },
      erase: async (_tenant, subjectId, kind, recordId, action) => {
        const cfg = kindOf(kind)
        if (!(await this.#holdsSubject(cfg, subjectId, recordId))) return false
        const data = action.type === 'replace' ? action.data : {}
        await this.#replaceWithPlaceholders(cfg.name, [recordId], data, 'subject request')
        return true
      },
    }
  }

  /**
   * Replace mirrored documents of one doctype with `data` (`{}`: nothing held) under a `modified` no real
   * version can beat, marked deleted, in transactions of at most {@link ERASE_CHUNK} documents. In the same
   * transaction their pending queue work is cancelled (when the store can) and their review items, open
   * and resolved, are deleted (when the store has `reviews.purgeDocuments`; otherwise the open ones are
   * closed, which is all the rest of the contract allows), so no held copy of their values is pushed back
   * or shown later. Audited per transaction with counts and the request only (no names: the subject's
   * identifiers stay out of the log).
   */
  async #replaceWithPlaceholders(
    doctype: string,
    names: readonly string[],
    data: ErpDoc,
    request: string,
  ): Promise<number> {
    let replaced = 0
    for (const part of chunk([...new Set(names)], ERASE_CHUNK)) {
      const now = this.#o.now()
      const rows: DocumentRow[] = await Promise.all(
        part.map(async (name) => ({
          doctype,
          name,
          data:
            this.#o.privacy && Object.keys(data).length > 0
              ? await this.#o.privacy.seal(doctype, name, data)
              : data,
          modified: ERASED_MODIFIED,
          modifiedKey: ERASED_MODIFIED,
          hash: contentHash(data),
          base: null,
          baseModified: null,
          syncedAt: now,
        })),
      )
      const inPart = new Set(part)
      await this.#tx(async (tx) => {
        await tx.documents.upsertMany(rows, now)
        for (const name of part) await tx.documents.markDeleted(doctype, name, now)
        const cancelled = tx.queue.cancel ? await tx.queue.cancel(doctype, part) : 0
        // Review items hold the documents' values: delete them all when the store can, else close the open ones.
        const purging = typeof tx.reviews.purgeDocuments === 'function'
        const purged = purging ? await tx.reviews.purgeDocuments!(doctype, part) : 0
        for (let afterId = 0; !purging; ) {
          const open = await tx.reviews.list({
            status: 'open',
            doctype,
            name: part.length === 1 ? part[0]! : null,
            afterId,
            limit: 1000,
          })
          for (const review of open)
            if (inPart.has(review.name)) await tx.reviews.resolve(review.id, null, 'privacy.erase', now)
          if (open.length < 1000) break
          afterId = open[open.length - 1]!.id
        }
        await this.#audit(
          [
            this.#row('privacy.erase', doctype, null, 'internal', 'ok', {
              error: `${request}: ${part.length} replaced, ${cancelled} tasks cancelled, ${purged} reviews purged`,
            }),
          ],
          tx,
        )
      })
      replaced += part.length
      for (const name of part) this.#confirmed.delete(`${doctype}\u0000${name}`)
    }
    return replaced
  }

  async #retention(limits: { readonly auditMaxAgeMs?: number; readonly interactionsMaxAgeMs?: number }) {
    const r = this.#o.store.retention
    if (!r)
      throw new TypeError(
        `${P} privacy.retention(): the store does not support purges; use a store from createStore().`,
      )
    for (const key of ['auditMaxAgeMs', 'interactionsMaxAgeMs'] as const) {
      const v = limits?.[key]
      if (v !== undefined && (!Number.isInteger(v) || v < 0))
        throw new RangeError(`${P} privacy.retention(): "${key}" must be a non-negative integer (ms).`)
    }
    const audit = limits.auditMaxAgeMs === undefined ? 0 : await r.purgeAudit(limits.auditMaxAgeMs)
    const interactions =
      limits.interactionsMaxAgeMs === undefined ? 0 : await r.purgeInteractions(limits.interactionsMaxAgeMs)
    const seen = await r.purgeSeen()
    await this.#audit([
      this.#row('privacy.retention', null, null, 'internal', 'ok', {
        error: `audit ${audit}, interactions ${interactions}, seen ${seen}`,
      }),
    ])
    return { audit, interactions, seen }
  }

  /**
   * Erase a subject: tombstone it first (so nothing is re-synced meanwhile), then replace every mirrored
   * document that holds its data with an empty placeholder. Erasing a Student reaches every configured
   * doctype whose `subjectField` names the student (enrollments, attendance, results, ...): exactly what
   * the `*` tombstone stops from re-syncing. Each doctype is done in its own transactions; documents
   * already replaced are skipped, so a retry after a crash finishes the job and a repeat is a no-op.
   */
  async #erase(doctype: string, name: string, requestId: string): Promise<EraseResult> {
    const cfg = this.#doctype(doctype)
    if (typeof name !== 'string' || name === '')
      throw new TypeError(`${P} privacy.erase(): "name" must be a non-empty string.`)
    if (typeof requestId !== 'string' || requestId === '')
      throw new TypeError(`${P} privacy.erase(): "requestId" must be a non-empty string.`)
    const subjectId = doctype === 'Student' ? name : `${doctype}:${name}`
    const privacy = this.#o.store.privacy
    if ((await privacy.consent?.get(this.#o.tenant, subjectId))?.legalHold === true) {
      await this.#audit([
        this.#row('privacy.erase.held', cfg.name, name, 'internal', 'skipped', {
          error: `request ${requestId}: legal hold`,
        }),
      ])
      throw new ErasureHeldError(cfg.name, name)
    }
    await privacy.tombstones.put({
      tenant: this.#o.tenant,
      subjectId,
      kind: ERASED_KIND,
      requestId,
      action: 'deleted',
      erasedAt: new Date(this.#o.now()),
    })
    const request = `request ${requestId}`
    const documents: { doctype: string; count: number }[] = []
    // The named document gets a placeholder even when it was never mirrored: reconciliation and
    // re-enhancement then see it as erased without asking the tombstones.
    const named = await this.#o.store.documents.get(cfg.name, name)
    const targets = new Map<string, string[]>()
    if (named?.modified !== ERASED_MODIFIED) targets.set(cfg.name, [name])
    if (subjectId === name)
      for (const other of this.#o.doctypes.values()) {
        const names = (await this.#subjectRecords(other, name)).map((r) => r.name)
        if (names.length > 0) targets.set(other.name, [...(targets.get(other.name) ?? []), ...names])
      }
    for (const [target, names] of targets) {
      const count = await this.#replaceWithPlaceholders(target, names, {}, request)
      documents.push({ doctype: target, count })
    }
    // The pseudonyms the AI layer holds no longer lead back to the subject.
    const pseudonymMappings =
      (await privacy.reidentification?.deleteBySubject(this.#o.tenant, subjectId)) ?? 0
    const changed = documents.length > 0 || pseudonymMappings > 0
    await this.#audit([
      this.#row('privacy.erase.done', cfg.name, null, 'internal', changed ? 'ok' : 'skipped', {
        error: `${request}: ${documents.reduce((n, d) => n + d.count, 0)} documents in ${documents.length} doctypes, ${pseudonymMappings} pseudonym mappings`,
      }),
    ])
    return { documents, pseudonymMappings }
  }

  // ------------------------------------------------------------------------------------ backfill / pull

  async #walk(cfg: ResolvedDoctype, scope: string, onPage?: (fetched: number) => void): Promise<PullResult> {
    let cursor = await this.#o.store.cursors.get(scope, cfg.name)
    let fetched = 0
    let changed = 0
    let quarantined = 0
    for (;;) {
      const page = await this.#trace('edusync.page', { doctype: cfg.name, scope }, () =>
        this.#fetcher.nextPage(
          cfg.name,
          cursor ? { modified: cursor.modified, name: cursor.name } : null,
          this.#o.pageSize,
        ),
      )
      if (page.docs.length > 0) {
        await this.#fetcher.attachChildren(cfg.name, cfg.children, page.docs)
        const last = page.docs.reduce((a, b) => {
          const ka = modifiedKey(String(a.modified))
          const kb = modifiedKey(String(b.modified))
          return kb > ka || (kb === ka && String(b.name) > String(a.name)) ? b : a
        })
        const next = {
          site: scope,
          doctype: cfg.name,
          modified: String(last.modified),
          name: String(last.name),
        }
        // The page, its retries and the cursor past it commit together: a crash never moves the cursor
        // past documents that were not stored, and a page costs one commit.
        const r = await this.#ingest(cfg, page.docs, [], [], async (tx, bad, now) => {
          // Quarantined outside a task: queue a pull so it is retried and dead-lettered visibly with its issues.
          if (bad.length > 0)
            await tx.queue.enqueueMany(
              bad.map((name) => this.#pullTask({ doctype: cfg.name, name }, now, 0)),
              now,
            )
          await tx.cursors.set(next, now)
        })
        fetched += page.docs.length
        changed += r.changed
        quarantined += r.quarantined.length
        cursor = { ...next, updatedAt: this.#o.now() }
        onPage?.(page.docs.length)
      }
      if (page.exhausted) break
    }
    return { doctype: cfg.name, fetched, changed, quarantined }
  }

  async backfill(
    doctypes?: readonly string[],
    options?: { readonly onProgress?: (progress: BackfillProgress) => void; readonly restart?: boolean },
  ): Promise<PullResult[]> {
    const scope = `${this.#o.site}#backfill`
    const results: PullResult[] = []
    for (const cfg of this.#syncDoctypes(doctypes)) {
      if (options?.restart) await this.#o.store.cursors.delete(scope, cfg.name)
      const result = await this.#trace('edusync.backfill', { doctype: cfg.name }, async () => {
        const started = this.#o.now()
        const total = await this.#erp.count(cfg.name)
        const resumed = await this.#o.store.cursors.get(scope, cfg.name)
        let done = resumed ? await this.#erp.count(cfg.name, [['modified', '<=', resumed.modified]]) : 0
        const initial = done
        const report = () => {
          const elapsed = Math.max(1, this.#o.now() - started)
          const rate = ((done - initial) * 1000) / elapsed
          const progress: BackfillProgress = {
            doctype: cfg.name,
            done,
            total: Math.max(total, done),
            rate,
            etaMs: rate > 0 ? Math.max(0, ((total - done) / rate) * 1000) : null,
          }
          options?.onProgress?.(progress)
          this.#emit('backfill.progress', progress)
        }
        report()
        const r = await this.#walk(cfg, scope, (n) => {
          done += n
          report()
        })
        // Hand over to incremental pull: its cursor moves to where the backfill ended (never backwards).
        const end = await this.#o.store.cursors.get(scope, cfg.name)
        const pull = await this.#o.store.cursors.get(this.#o.site, cfg.name)
        if (end && (!pull || modifiedKey(end.modified) > modifiedKey(pull.modified)))
          await this.#o.store.cursors.set(
            { site: this.#o.site, doctype: cfg.name, modified: end.modified, name: end.name },
            this.#o.now(),
          )
        await this.#o.store.cursors.delete(scope, cfg.name)
        await this.#audit([
          this.#row('backfill.done', cfg.name, null, 'inbound', 'ok', {
            error: `${r.fetched} fetched, ${r.changed} changed`,
          }),
        ])
        return r
      })
      results.push(result)
    }
    return results
  }

  async pull(doctypes?: readonly string[]): Promise<PullResult[]> {
    const results: PullResult[] = []
    for (const cfg of this.#syncDoctypes(doctypes))
      results.push(
        await this.#trace('edusync.pull', { doctype: cfg.name }, () => this.#walk(cfg, this.#o.site)),
      )
    return results
  }

  preload(doctypes?: readonly string[]): Promise<PullResult[]> {
    return this.pull(doctypes)
  }

  // ------------------------------------------------------------------------------------- read-through

  async get(doctype: string, name: string, options?: { readonly maxAgeMs?: number }): Promise<ErpDoc> {
    this.#doctype(doctype)
    if (typeof name !== 'string' || name === '')
      throw new TypeError(`${P} get(): "name" must be a non-empty string.`)
    const maxAgeMs = options?.maxAgeMs ?? this.#o.cacheMaxAgeMs
    const record = await this.#o.store.documents.get(doctype, name)
    if (record) {
      const confirmed = Math.max(record.syncedAt, this.#confirmed.get(`${doctype}\u0000${name}`) ?? 0)
      if (this.#o.now() - confirmed <= maxAgeMs) {
        if (record.deleted) throw new DocumentNotFoundError(doctype, name)
        return this.#unseal(record)
      }
    }
    const key = `${doctype}\u0000${name}`
    const inflight = this.#inflight.get(key)
    if (inflight) return inflight.then((d) => ({ ...d }))
    const promise = new Promise<ErpDoc>((resolve, reject) => {
      let pending = this.#misses.get(doctype)
      if (!pending) {
        pending = new Map()
        this.#misses.set(doctype, pending)
        // Misses of one doctype that arrive together share one request.
        this.#o.timers.setTimeout(() => void this.#flushMisses(doctype), 0)
      }
      const waiters = pending.get(name) ?? []
      waiters.push({ resolve, reject })
      pending.set(name, waiters)
    })
    this.#inflight.set(key, promise)
    const clear = () => this.#inflight.delete(key)
    promise.then(clear, clear)
    return promise.then((d) => ({ ...d }))
  }

  async #flushMisses(doctype: string): Promise<void> {
    const pending = this.#misses.get(doctype)
    this.#misses.delete(doctype)
    if (!pending) return
    const cfg = this.#doctype(doctype)
    try {
      const { docs, missing } = await this.#fetcher.byNames(doctype, cfg.children, [...pending.keys()])
      await this.#ingest(cfg, docs, missing, [])
      const byName = new Map(docs.map((d) => [String(d.name), d]))
      for (const [name, waiters] of pending) {
        const doc = byName.get(name)
        for (const w of waiters)
          doc ? w.resolve({ ...doc }) : w.reject(new DocumentNotFoundError(doctype, name))
      }
    } catch (error) {
      for (const waiters of pending.values()) for (const w of waiters) w.reject(error)
    }
  }

  // ------------------------------------------------------------------------------------ reconciliation

  async reconcile(level: ReconcileLevel, doctypes?: readonly string[]): Promise<ReconcileReport[]> {
    if (level !== 'quick' && level !== 'full' && level !== 'deep')
      throw new TypeError(`${P} reconcile(): level must be "quick", "full" or "deep", got ${String(level)}.`)
    const reports: ReconcileReport[] = []
    for (const cfg of this.#syncDoctypes(doctypes)) {
      const report = await this.#trace(`edusync.reconcile.${level}`, { doctype: cfg.name }, () =>
        level === 'quick' ? this.#quick(cfg) : this.#listing(cfg, level),
      )
      await this.#audit([
        this.#row(`reconcile.${level}`, cfg.name, null, 'internal', report.inSync ? 'ok' : 'repaired', {
          error: `missing ${report.missing.length}, stale ${report.stale.length}, deleted ${report.deleted.length}`,
        }),
      ])
      this.#emit('reconcile.report', report)
      reports.push(report)
    }
    return reports
  }

  async #erpnextHead(cfg: ResolvedDoctype) {
    const count = await this.#erp.count(cfg.name)
    const latest = await this.#erp.list(cfg.name, {
      fields: ['name', 'modified'],
      orderBy: 'modified desc, name desc',
      limit: 1,
    })
    return { count, latestModified: latest[0] ? String(latest[0].modified) : null }
  }

  async #quick(cfg: ResolvedDoctype): Promise<ReconcileReport> {
    const erpnext = await this.#erpnextHead(cfg)
    const stats = await this.#o.store.documents.stats(cfg.name)
    const mirror = { count: stats.count, latestModified: stats.latestModified }
    const inSync =
      erpnext.count === mirror.count &&
      (erpnext.latestModified === null
        ? mirror.latestModified === null
        : mirror.latestModified !== null &&
          modifiedKey(erpnext.latestModified) === modifiedKey(mirror.latestModified))
    let repaired = 0
    if (!inSync) {
      // The cheap repair: pull what changed since the cursor. Missing old documents need a full pass.
      const [r] = await this.pull([cfg.name])
      repaired = r?.changed ?? 0
    }
    return {
      level: 'quick',
      doctype: cfg.name,
      erpnext,
      mirror,
      missing: [],
      stale: [],
      deleted: [],
      repaired,
      inSync,
    }
  }

  async #listing(cfg: ResolvedDoctype, level: 'full' | 'deep'): Promise<ReconcileReport> {
    const remote = new Map<string, { modified: string; doc?: ErpDoc }>()
    let last: string | null = null
    const listLimit = level === 'deep' ? this.#o.pageSize : Math.max(this.#o.pageSize, 5000)
    for (;;) {
      const rows: ErpDoc[] = await this.#erp.list(cfg.name, {
        fields: level === 'deep' ? ['*'] : ['name', 'modified'],
        ...(last === null ? {} : { filters: [['name', '>', last]] as const }),
        orderBy: 'name asc',
        limit: listLimit,
      })
      if (level === 'deep') await this.#fetcher.attachChildren(cfg.name, cfg.children, rows)
      for (const r of rows)
        remote.set(String(r.name), { modified: String(r.modified), ...(level === 'deep' ? { doc: r } : {}) })
      if (rows.length < listLimit) break
      last = String(rows[rows.length - 1]!.name)
    }
    const local = new Map<string, MirrorDocument>()
    let after: { modifiedKey: string; name: string } | null = null
    for (;;) {
      const page: MirrorDocument[] = await this.#o.store.documents.list(cfg.name, {
        after,
        limit: 1000,
        includeDeleted: true,
      })
      for (const r of page) local.set(r.name, r)
      if (page.length < 1000) break
      const tail = page[page.length - 1]!
      after = { modifiedKey: modifiedKey(tail.modified), name: tail.name }
    }
    const missing: string[] = []
    const stale: string[] = []
    const deleted: string[] = []
    let latestRemote: string | null = null
    for (const [name, r] of remote) {
      if (latestRemote === null || modifiedKey(r.modified) > modifiedKey(latestRemote))
        latestRemote = r.modified
      const l = local.get(name)
      if (!l || (l.deleted && l.modified !== ERASED_MODIFIED)) missing.push(name)
      else if (l.modified === ERASED_MODIFIED) continue
      else if (level === 'full' && modifiedKey(l.modified) !== modifiedKey(r.modified)) stale.push(name)
      else if (level === 'deep' && r.doc && contentHash(r.doc) !== contentHash(await this.#unseal(l)))
        stale.push(name)
    }
    let liveLocal = 0
    let latestLocal: string | null = null
    for (const [name, l] of local) {
      if (l.deleted) continue
      liveLocal++
      if (latestLocal === null || modifiedKey(l.modified) > modifiedKey(latestLocal)) latestLocal = l.modified
      if (!remote.has(name)) deleted.push(name)
    }
    let repaired = 0
    const now = this.#o.now()
    if (level === 'deep') {
      const docs = [...missing, ...stale].map((n) => remote.get(n)!.doc!).filter(Boolean)
      // Deep reconciliation already holds the documents: apply them, no further request needed.
      for (const part of chunk(docs, 500)) await this.#ingest(cfg, part, [], [])
      repaired += docs.length
    } else if (missing.length + stale.length > 0) {
      await this.#o.store.queue.enqueueMany(
        [...missing, ...stale].map((name) => this.#pullTask({ doctype: cfg.name, name }, now, 1)),
        now,
      )
      repaired += missing.length + stale.length
      this.#wake()
    }
    for (const name of deleted) {
      if (await this.#o.store.documents.markDeleted(cfg.name, name, now)) {
        repaired++
        this.#emit('document.deleted', { doctype: cfg.name, name })
      }
    }
    return {
      level,
      doctype: cfg.name,
      erpnext: { count: remote.size, latestModified: latestRemote },
      mirror: { count: liveLocal, latestModified: latestLocal },
      missing,
      stale,
      deleted,
      repaired,
      inSync: missing.length + stale.length + deleted.length === 0,
    }
  }

  schedule(intervals?: {
    readonly quickMs?: number
    readonly fullMs?: number
    readonly deepMs?: number
  }): () => void {
    const plan: [ReconcileLevel, number][] = [
      ['quick', intervals?.quickMs ?? 3_600_000],
      ['full', intervals?.fullMs ?? 86_400_000],
      ['deep', intervals?.deepMs ?? 604_800_000],
    ]
    for (const [level, ms] of plan)
      if (!Number.isInteger(ms) || ms < 1000)
        throw new RangeError(
          `${P} schedule(): the ${level} interval must be an integer of at least 1000 ms, got ${ms}.`,
        )
    let stopped = false
    const handles = new Map<ReconcileLevel, unknown>()
    const arm = (level: ReconcileLevel, ms: number) => {
      handles.set(
        level,
        this.#o.timers.setTimeout(() => {
          if (stopped) return
          void this.reconcile(level)
            .catch(() => this.#countError(`RECONCILE_${level.toUpperCase()}_FAILED`))
            .finally(() => {
              if (!stopped) arm(level, ms)
            })
        }, ms),
      )
    }
    for (const [level, ms] of plan) arm(level, ms)
    return () => {
      stopped = true
      for (const h of handles.values()) this.#o.timers.clearTimeout(h)
    }
  }

  // ----------------------------------------------------------------------------------------- status

  async status(): Promise<SyncEngineStatus> {
    const now = this.#o.now()
    const q = await this.#o.store.queue.stats()
    const open = await this.#o.store.reviews.list({
      status: 'open',
      doctype: null,
      name: null,
      afterId: 0,
      limit: 10_000,
    })
    const second = Math.floor(now / 1000)
    const recent = this.#buckets.filter((b) => b.second > second - 60).reduce((a, b) => a + b.count, 0)
    const lag: Record<string, { lastLatencyMs: number | null; lastAppliedAt: number | null }> = {}
    for (const name of this.#o.doctypes.keys())
      lag[name] = this.#lag.get(name) ?? { lastLatencyMs: null, lastAppliedAt: null }
    return {
      running: this.#running,
      workerId: this.#o.workerId,
      queue: {
        pending: q.pending,
        leased: q.leased,
        byKind: q.byKind,
        oldestPendingAgeMs: q.oldestPendingRunAt === null ? null : Math.max(0, now - q.oldestPendingRunAt),
      },
      lag,
      throughput: recent / 60,
      requests: this.#requests,
      documentsSynced: this.#synced,
      requestsPerDocument: this.#synced === 0 ? 0 : this.#requests / this.#synced,
      errors: { ...this.#errors },
      deadLetters: q.dead,
      openReviews: open.length,
      circuit: {
        state: this.#circuit.state,
        retryAt: this.#circuit.state === 'closed' ? null : this.#circuit.retryAt,
      },
    }
  }
}

/**
 * Create the sync engine: ERPNext changes flow into the mirror (webhooks, incremental pull, backfill,
 * reconciliation), enhancers compute AI values on privacy-filtered views, and the results flow back with
 * `bulk_update`/`insert_many`, conflict-checked against ERPNext's `modified`.
 *
 * @example
 * ```ts
 * const engine = createSyncEngine({
 *   client: erpnextPortFromClient(client),
 *   store,
 *   doctypes: { Student: { children: { guardians: 'Student Guardian' }, aiFields: ['ai_learning_profile'] } },
 * })
 * await engine.backfill()
 * engine.start({ concurrency: 2 })
 * ```
 */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  return new Engine(options)
}
