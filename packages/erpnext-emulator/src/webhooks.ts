/**
 * Frappe's webhook engine (contract §10): matching Webhook documents on document events, building the
 * body exactly as Python's `json.dumps`, HMAC-SHA256 signing, three attempts with the 1 s / 4 s / 7 s
 * back-off (scaled by `timeFactor`), and a Webhook Request Log per attempt.
 */
import { createHmac } from 'node:crypto'
import { type Doc, type Engine, type Txn, cint } from './engine.js'
import { frappeThrow } from './errors.js'
import { pyDumps, pyLoads } from './pyjson.js'
import { compileCondition, renderWebhookTemplate, validateWebhookTemplate } from './template.js'

/** What `fetch` the emulator uses to deliver webhooks. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

/** Timers the delivery loop uses (injectable for tests). */
export interface TimerLike {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** One HTTP attempt of a webhook delivery. */
export interface WebhookAttempt {
  readonly attempt: number
  /** HTTP status, or undefined when the request failed before a response. */
  readonly status: number | undefined
  readonly ok: boolean
  /** `'timeout'`, `'connection'`, or `'http'` when the attempt failed. */
  readonly error?: 'timeout' | 'connection' | 'http'
}

/** A webhook delivery as recorded by the emulator (`emulator.inspect.webhookDeliveries()`). */
export interface WebhookDelivery {
  /** Sequence number, in the order deliveries were queued. */
  readonly id: number
  readonly webhook: string
  readonly doctype: string
  readonly docname: string
  readonly event: string
  readonly url: string
  readonly method: string
  /** Headers sent (signature included; no secret). */
  readonly headers: Readonly<Record<string, string>>
  /** The exact body bytes, as text. */
  readonly body: string
  readonly attempts: WebhookAttempt[]
  /** `pending` until the last attempt ends; `dropped` when a fault dropped it. */
  status: 'pending' | 'delivered' | 'failed' | 'dropped'
}

/** Webhook fault knobs (see `FaultConfig.webhooks`). */
export interface WebhookFaults {
  readonly drop?: number
  readonly duplicate?: number
  readonly reorder?: boolean
  readonly delayMs?: number
  /** Extra random delay in [0, jitterMs) per delivery (seeded), which reorders deliveries across requests. */
  readonly jitterMs?: number
}

/** Headers python-requests adds to every request (Connection is managed by fetch). */
const REQUESTS_HEADERS: Readonly<Record<string, string>> = {
  'User-Agent': 'python-requests/2.32.3',
  'Accept-Encoding': 'gzip, deflate',
  Accept: '*/*',
}

const EVENTS = [
  'after_insert',
  'on_update',
  'on_submit',
  'on_cancel',
  'on_trash',
  'on_update_after_submit',
  'on_change',
]

/** Compute ERPNext's `X-Frappe-Webhook-Signature` for a body. */
export function signWebhookBody(body: string, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(body, 'utf8')).digest('base64')
}

/** Dependencies of the webhook engine. */
export interface WebhookEngineDeps {
  readonly engine: Engine
  readonly fetch: FetchLike
  readonly timers: TimerLike
  readonly timeFactor: number
  readonly random: () => number
  readonly faults: () => WebhookFaults | undefined
  /** The clock (epoch ms) templates read through `frappe.utils.get_datetime_in_timezone`. */
  readonly now: () => number
}

/** Matches events to Webhook documents and delivers them. */
export class WebhookEngine {
  private readonly deps: WebhookEngineDeps
  readonly deliveries: WebhookDelivery[] = []
  private readonly inflight = new Set<Promise<void>>()
  private seq = 0

  constructor(deps: WebhookEngineDeps) {
    this.deps = deps
    deps.engine.validateWebhook = (doc) => this.validate(doc)
  }

  /** Validation run when a Webhook document is saved. */
  validate(doc: Doc): void {
    const engine = this.deps.engine
    const dt = String(doc.webhook_doctype ?? '')
    if (dt && !engine.metas.has(dt)) frappeThrow('LinkValidationError', `Could not find DocType: ${dt}`)
    const event = String(doc.webhook_docevent ?? '')
    if (event && !EVENTS.includes(event)) frappeThrow('ValidationError', `Invalid Doc Event: ${event}`)
    if (
      dt &&
      ['on_submit', 'on_cancel', 'on_update_after_submit'].includes(event) &&
      !engine.meta(dt).is_submittable
    ) {
      frappeThrow('ValidationError', 'DocType must be Submittable for the selected Doc Event')
    }
    if (doc.condition) compileCondition(String(doc.condition))
    const url = String(doc.request_url ?? '')
    if (url && !cint(doc.is_dynamic_url)) {
      let host = ''
      try {
        host = new URL(url).host
      } catch {
        host = ''
      }
      if (!host) frappeThrow('ValidationError', 'Check Request URL')
    }
    if (doc.webhook_json) {
      validateWebhookTemplate(String(doc.webhook_json))
    }
    if (cint(doc.enable_security) && !doc.webhook_secret) {
      frappeThrow('MandatoryError', 'Error: Value missing for Webhook: Webhook Secret')
    }
  }

  /** Queue the webhooks a committed transaction triggers (de-duplicated per webhook and document). */
  flush(txn: Txn): void {
    if (!txn.events.length) return
    const engine = this.deps.engine
    const hooks = [...engine.all('Webhook')].filter((w) => cint(w.enabled))
    if (!hooks.length) return
    const queue = new Map<string, { hook: Doc; doctype: string; doc: Doc; event: string }>()
    for (const e of txn.events) {
      if (e.event === 'on_update_after_submit') continue // never fires in v14/v15 (contract §10)
      for (const hook of hooks) {
        if (hook.webhook_doctype !== e.doctype || hook.webhook_docevent !== e.event) continue
        if (hook.condition) {
          let pass = false
          try {
            pass = Boolean(compileCondition(String(hook.condition))(engine.toWire(e.doctype, e.doc, false)))
          } catch {
            pass = false
          }
          if (!pass) continue
        }
        const key = `${hook.name}\u0000${e.doc.name}`
        queue.set(key, { hook, doctype: e.doctype, doc: e.doc, event: e.event })
      }
    }
    let items = [...queue.values()].map((q) => this.build(q.hook, q.doctype, q.doc, q.event, txn.user))
    const faults = this.deps.faults()
    if (faults?.reorder && items.length > 1) items = items.reverse()
    for (const item of items) {
      if (!item) continue
      if (faults?.drop && this.deps.random() < faults.drop) {
        item.status = 'dropped'
        this.deliveries.push(item)
        continue
      }
      this.deliveries.push(item)
      this.track(this.send(item, txn.user, this.delayFor(faults)))
      if (faults?.duplicate && this.deps.random() < faults.duplicate) {
        const copy: WebhookDelivery = { ...item, id: ++this.seq, attempts: [], status: 'pending' }
        this.deliveries.push(copy)
        this.track(this.send(copy, txn.user, this.delayFor(faults)))
      }
    }
  }

  private delayFor(faults: WebhookFaults | undefined): number {
    if (!faults) return 0
    return (faults.delayMs ?? 0) + (faults.jitterMs ? Math.floor(this.deps.random() * faults.jitterMs) : 0)
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p)
    void p.finally(() => this.inflight.delete(p))
  }

  /** Resolve once every queued delivery has finished all its attempts. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight])
  }

  /** Build the request of one delivery; undefined (and a log) when building fails. */
  private build(
    hook: Doc,
    doctype: string,
    doc: Doc,
    event: string,
    user: string,
  ): WebhookDelivery | undefined {
    const engine = this.deps.engine
    const dict = engine.toWire(doctype, doc, false)
    let data: unknown = {}
    try {
      const rows = (hook.webhook_data as Doc[]) ?? []
      if (rows.length) {
        const out: Record<string, unknown> = {}
        for (const row of rows) out[String(row.key)] = dict[String(row.fieldname)] ?? null
        data = out
      } else if (hook.webhook_json) {
        data = pyLoads(renderWebhookTemplate(String(hook.webhook_json), dict, this.deps.now))
      }
    } catch (error) {
      this.log(
        hook,
        doctype,
        doc,
        user,
        String(hook.request_url ?? ''),
        {},
        '',
        '',
        `Traceback (most recent call last):\n${String(error)}`,
      )
      return undefined
    }
    const body = pyDumps(data)
    const headers: Record<string, string> = { ...REQUESTS_HEADERS }
    if (cint(hook.enable_security)) {
      headers['X-Frappe-Webhook-Signature'] = signWebhookBody(body, String(hook.webhook_secret ?? ''))
    }
    for (const row of (hook.webhook_headers as Doc[]) ?? []) {
      if (row.key) headers[String(row.key)] = String(row.value ?? '')
    }
    let url = String(hook.request_url ?? '')
    if (cint(hook.is_dynamic_url)) url = renderWebhookTemplate(url, dict, this.deps.now)
    return {
      id: ++this.seq,
      webhook: String(hook.name),
      doctype,
      docname: String(doc.name),
      event,
      url,
      method: String(hook.request_method || 'POST'),
      headers,
      body,
      attempts: [],
      status: 'pending',
    }
  }

  private sleep(ms: number): Promise<void> {
    const scaled = ms * this.deps.timeFactor
    if (scaled <= 0) return Promise.resolve()
    return new Promise((resolve) => this.deps.timers.setTimeout(resolve, scaled))
  }

  private async send(d: WebhookDelivery, user: string, delayMs: number): Promise<void> {
    if (delayMs > 0) await new Promise<void>((r) => this.deps.timers.setTimeout(() => r(), delayMs))
    const hook = this.deps.engine.peek('Webhook', d.webhook)
    const timeoutS = hook && cint(hook.timeout) > 0 ? cint(hook.timeout) : 5
    const bytes = new TextEncoder().encode(d.body)
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController()
      // The per-attempt timeout is the Webhook's own `timeout`, not scaled by timeFactor, so a fast test
      // (timeFactor 0) still gives real receivers time to answer.
      const timer = this.deps.timers.setTimeout(() => controller.abort(), timeoutS * 1000)
      let status: number | undefined
      let responseText = ''
      let error: WebhookAttempt['error']
      try {
        const res = await this.deps.fetch(d.url, {
          method: d.method,
          headers: d.headers,
          body: d.method === 'GET' ? undefined : bytes,
          signal: controller.signal,
          redirect: 'follow',
        })
        status = res.status
        responseText = await res.text().catch(() => '')
        if (status >= 400) error = 'http'
      } catch (e) {
        error = controller.signal.aborted ? 'timeout' : 'connection'
        responseText = ''
        void e
      } finally {
        this.deps.timers.clearTimeout(timer)
      }
      const ok = error === undefined
      d.attempts.push(error ? { attempt: i + 1, status, ok, error } : { attempt: i + 1, status, ok })
      this.log(
        hook ?? { name: d.webhook },
        d.doctype,
        { name: d.docname },
        user,
        d.url,
        d.headers,
        d.body,
        responseText,
        ok
          ? ''
          : `Traceback (most recent call last):\nrequests.exceptions.${error === 'timeout' ? 'ReadTimeout' : error === 'http' ? `HTTPError: ${status}` : 'ConnectionError'}`,
      )
      if (ok) {
        d.status = 'delivered'
        return
      }
      if (error !== 'timeout') await this.sleep((3 * i + 1) * 1000)
    }
    d.status = 'failed'
  }

  private log(
    hook: Doc,
    doctype: string,
    doc: Doc,
    user: string,
    url: string,
    headers: Record<string, string>,
    data: string,
    response: string,
    error: string,
  ): void {
    const engine = this.deps.engine
    const txn = engine.begin('Administrator')
    try {
      engine.insert(
        txn,
        'Webhook Request Log',
        {
          webhook: hook.name,
          reference_doctype: doctype,
          reference_document: doc.name,
          user,
          url,
          headers: pyDumps(headers),
          data,
          response,
          error: error || null,
        },
        { ignorePermissions: true },
      )
    } catch {
      engine.rollback(txn)
    }
  }

  /** Forget recorded deliveries. */
  reset(): void {
    this.deliveries.length = 0
  }
}
