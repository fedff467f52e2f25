import { createHash, timingSafeEqual } from 'node:crypto'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { aiDocTypes } from '@edusync/doctype-schemas'
import { isDocumentNotFoundError, isReviewNotFoundError, isUnknownDoctypeError } from '@edusync/sync-core'
import { STATUS_SCRIPT, STYLESHEET } from './html.js'
import { renderMetrics } from './metrics.js'
import {
  type InsightView,
  aiDocumentPage,
  type RunnerStatus,
  classPage,
  deadLetterPage,
  deadLettersPage,
  errorPage,
  listPage,
  loginPage,
  reviewsPage,
  statusPage,
  studentPage,
} from './pages.js'
import { type Service, describe } from './service.js'

const COOKIE = 'edusync_admin'
const MAX_FORM_BYTES = 16 * 1024
const MAX_WEBHOOK_BYTES = 1024 * 1024

/** Compare two secrets in constant time (hashing first, so lengths do not leak either). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb) && a.length === b.length
}

/** The running HTTP server. */
export interface RunnerServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  readonly server: Server
  close(): Promise<void>
}

/** The full status: the engine's snapshot, mirror counts and webhook counters. */
export async function collectStatus(service: Service): Promise<RunnerStatus> {
  const status = await service.engine.status()
  const mirror: Record<string, number> = {}
  for (const doctype of service.config.doctypes) {
    // The AI doctypes are written by the runner, not mirrored.
    if ((aiDocTypes as readonly string[]).includes(doctype)) continue
    mirror[doctype] = (await service.store.documents.stats(doctype)).count
  }
  const webhooks: Record<string, number> = {}
  for (const [code, n] of service.counters.webhooks) webhooks[String(code)] = n
  return { ...status, mirror, webhooks, storage: service.store.name }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw new HttpError(413, 'The request body is too large.')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim())
  }
  return out
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
}

function parseJsonField(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/** Whether a warning value says something: not empty, not `false`, not `{ level: 'none' }`. */
function isRaised(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') {
    const level = (v as { level?: unknown }).level
    return level !== 'none' && level !== 'ok' && Object.keys(v).length > 0
  }
  return true
}

/** Early warnings found in AI values: any non-empty entry whose key mentions "warning". */
export function findWarnings(
  label: string,
  value: unknown,
  out: InsightView[] = [],
  depth = 0,
): InsightView[] {
  if (depth > 6 || value === null || typeof value !== 'object') return out
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (/warning/i.test(k)) {
      if (isRaised(v)) out.push({ label: `${label} → ${k}`, value: v })
    } else findWarnings(label, v, out, depth + 1)
  }
  return out
}

/** The non-empty `ai_*` fields of a mirrored document (JSON values parsed) and the early warnings in them. */
function aiInsights(doc: Record<string, unknown>): { aiFields: InsightView[]; warnings: InsightView[] } {
  const aiFields: InsightView[] = []
  const warnings: InsightView[] = []
  for (const [k, v] of Object.entries(doc)) {
    if (!k.startsWith('ai_') || v === null || v === undefined || v === '') continue
    const value = parseJsonField(v)
    aiFields.push({ label: k, value })
    findWarnings(k, value, warnings)
  }
  return { aiFields, warnings }
}

/**
 * Create the runner's HTTP server: the webhook endpoint, health, readiness, metrics, the JSON API and
 * the pages. Everything but `/webhooks/erpnext`, `/healthz`, `/readyz` and `/metrics` needs the admin token
 * (cookie from `/login`, or `Authorization: Bearer <token>`); `/metrics` needs the metrics token when one is
 * configured (`EDUSYNC_METRICS_TOKEN`).
 */
export function createRunnerServer(service: Service): Server {
  const webhook = service.engine.webhookHandler()
  const httpCounts = new Map<string, number>()

  /** The token of an `Authorization: Bearer <token>` header, if the request has one. */
  const bearer = (req: IncomingMessage): string | undefined => {
    const auth = req.headers.authorization
    return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined
  }
  const authorised = (req: IncomingMessage): boolean => {
    const token = bearer(req)
    if (token !== undefined) return safeEqual(token, service.adminToken)
    const cookie = parseCookies(req.headers.cookie)[COOKIE]
    return cookie !== undefined && safeEqual(cookie, service.adminToken)
  }

  // A scraper presents the metrics token; an operator's admin token works too.
  const metricsAuthorised = (req: IncomingMessage, token: string): boolean => {
    const presented = bearer(req)
    return (presented !== undefined && safeEqual(presented, token)) || authorised(req)
  }

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    type: string,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      ...SECURITY_HEADERS,
      ...extra,
    })
    res.end(body)
  }
  const json = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, JSON.stringify(body), 'application/json; charset=utf-8')
  const page = (res: ServerResponse, body: string, status = 200) =>
    send(res, status, body, 'text/html; charset=utf-8')
  const redirect = (res: ServerResponse, to: string, extra: Record<string, string> = {}) => {
    res.writeHead(303, { location: to, ...SECURITY_HEADERS, ...extra })
    res.end()
  }

  async function handleWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: Response
    try {
      const body = await readBody(req, MAX_WEBHOOK_BYTES)
      const headers = new Headers()
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
      response = await webhook(
        new Request('http://runner/webhooks/erpnext', {
          method: 'POST',
          headers,
          body: new Uint8Array(body),
        }),
      )
    } catch (error) {
      response =
        error instanceof HttpError
          ? Response.json({ error: 'payload_too_large', message: error.message }, { status: error.status })
          : Response.json(
              { error: 'internal', message: 'The webhook could not be recorded; ERPNext will retry.' },
              { status: 503 },
            )
    }
    service.counters.webhooks.set(response.status, (service.counters.webhooks.get(response.status) ?? 0) + 1)
    const text = await response.text()
    send(res, response.status, text, response.headers.get('content-type') ?? 'application/json')
  }

  async function studentInsights(name: string) {
    const doc = await service.engine.get('Student', name, { maxAgeMs: Number.MAX_SAFE_INTEGER })
    const { aiFields, warnings } = aiInsights(doc)
    let assessmentInsights: Record<string, unknown>[] = []
    if (service.config.doctypes.includes('Assessment Insight')) {
      const results = await service.client
        .docUntyped('Assessment Result')
        .list({ fields: ['name'], filters: [['student', '=', name]] as never, limit: 500 })
      const names = results.map((r) => String((r as { name: unknown }).name))
      if (names.length > 0)
        assessmentInsights = (await service.client.docUntyped('Assessment Insight').list({
          fields: [
            'name',
            'assessment_result',
            'ai_analysis',
            'improvement_suggestions',
            'learning_gaps',
            'generated_timestamp',
          ] as never,
          filters: [['assessment_result', 'in', names]] as never,
          orderBy: 'generated_timestamp desc',
          limit: 100,
        })) as Record<string, unknown>[]
    }
    const displayName = String(doc.student_name ?? [doc.first_name, doc.last_name].filter(Boolean).join(' '))
    return { name, displayName, aiFields, warnings, assessmentInsights }
  }

  async function classView(name: string) {
    const group = await service.engine.get('Student Group', name, { maxAgeMs: Number.MAX_SAFE_INTEGER })
    const rows = Array.isArray(group.students) ? (group.students as Record<string, unknown>[]) : []
    const students = []
    for (const row of rows) {
      const student = String(row.student ?? '')
      if (!student) continue
      let displayName = String(row.student_name ?? student)
      let summary = '–'
      let warnings = 0
      try {
        const doc = await service.engine.get('Student', student, { maxAgeMs: Number.MAX_SAFE_INTEGER })
        displayName = String(doc.student_name ?? displayName)
        const perf = parseJsonField(doc.ai_performance_insights)
        if (perf && typeof perf === 'object') {
          const p = perf as Record<string, unknown>
          summary = String(p.explanation ?? p.summary ?? p.trend ?? JSON.stringify(p)).slice(0, 200)
        }
        for (const [k, v] of Object.entries(doc))
          if (k.startsWith('ai_')) warnings += findWarnings(k, parseJsonField(v)).length
      } catch (error) {
        if (!isDocumentNotFoundError(error)) throw error
      }
      students.push({ name: student, displayName, summary, warnings })
    }
    const groupFields: InsightView[] = []
    for (const [k, v] of Object.entries(group))
      if (k.startsWith('ai_') && v !== null && v !== '')
        groupFields.push({ label: k, value: parseJsonField(v) })
    const links: { href: string; label: string }[] = []
    if (typeof group.course === 'string' && group.course)
      links.push({ href: `/courses/${encodeURIComponent(group.course)}`, label: `Course ${group.course}` })
    for (const row of Array.isArray(group.instructors)
      ? (group.instructors as Record<string, unknown>[])
      : [])
      if (typeof row.instructor === 'string')
        links.push({
          href: `/instructors/${encodeURIComponent(row.instructor)}`,
          label: `Instructor ${String(row.instructor_name ?? row.instructor)}`,
        })
    return { name, students, groupFields, links }
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string> {
    const method = req.method ?? 'GET'
    const path = url.pathname
    if (path === '/webhooks/erpnext') {
      if (method !== 'POST') throw new HttpError(405, 'Use POST.')
      await handleWebhook(req, res)
      return '/webhooks/erpnext'
    }
    if (path === '/healthz') {
      json(res, 200, { status: 'ok' })
      return path
    }
    if (path === '/readyz') {
      const r = await service.readiness()
      json(res, r.ready ? 200 : 503, r)
      return path
    }
    if (path === '/metrics') {
      if (service.config.metricsToken !== undefined && !metricsAuthorised(req, service.config.metricsToken)) {
        send(res, 401, 'metrics need a bearer token\n', 'text/plain; charset=utf-8', {
          'www-authenticate': 'Bearer realm="metrics"',
        })
        return path
      }
      const body = renderMetrics(await collectStatus(service), httpCounts)
      send(res, 200, body, 'text/plain; version=0.0.4; charset=utf-8')
      return path
    }
    if (path === '/assets/style.css') {
      send(res, 200, STYLESHEET, 'text/css; charset=utf-8')
      return path
    }
    if (path === '/assets/status.js') {
      send(res, 200, STATUS_SCRIPT, 'text/javascript; charset=utf-8')
      return path
    }
    if (path === '/login') {
      const next = safeNext(url.searchParams.get('next'))
      if (method === 'POST') {
        const form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'))
        const token = form.get('token') ?? ''
        const to = safeNext(form.get('next'))
        if (!safeEqual(token, service.adminToken)) {
          page(res, loginPage(to, true), 401)
          return path
        }
        redirect(res, to, {
          'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        })
        return path
      }
      page(res, loginPage(next, false))
      return path
    }
    const api = path.startsWith('/api/')
    if (!authorised(req)) {
      if (api) json(res, 401, { error: 'unauthorized', message: 'Send Authorization: Bearer <admin token>.' })
      else redirect(res, `/login?next=${encodeURIComponent(path)}`)
      return 'unauthorized'
    }
    if (method === 'POST') {
      // Forms are same-origin only (the cookie is SameSite=Strict; this refuses cross-site posts with a token).
      const origin = req.headers.origin
      if (origin && origin !== 'null' && new URL(origin).host !== req.headers.host)
        throw new HttpError(403, 'Cross-origin form posts are refused.')
    }
    let m: RegExpExecArray | null
    if (path === '/api/status' && method === 'GET') {
      json(res, 200, await collectStatus(service))
      return path
    }
    if (path === '/api/reviews' && method === 'GET') {
      json(
        res,
        200,
        await service.engine.reviews.list({ status: (url.searchParams.get('status') as 'open') ?? 'open' }),
      )
      return path
    }
    if ((m = /^\/(api\/)?reviews\/(\d+)\/resolve$/.exec(path)) && method === 'POST') {
      const raw = (await readBody(req, MAX_FORM_BYTES)).toString('utf8')
      let decision: unknown
      if (m[1]) {
        try {
          decision = (JSON.parse(raw) as { decision?: unknown }).decision
        } catch {
          throw new HttpError(400, 'Send JSON: {"decision": "local" | "remote" | {"value": ...}}.')
        }
      } else decision = new URLSearchParams(raw).get('decision')
      if (
        decision !== 'local' &&
        decision !== 'remote' &&
        !(typeof decision === 'object' && decision !== null && 'value' in decision)
      )
        throw new HttpError(400, 'The decision must be "local", "remote" or {"value": ...}.')
      try {
        const item = await service.engine.reviews.resolve(Number(m[2]), decision as 'local', 'admin')
        if (m[1]) json(res, 200, item)
        else redirect(res, `/reviews?resolved=${item.id}`)
      } catch (error) {
        if (isReviewNotFoundError(error))
          throw new HttpError(404, `Review #${m[2]} does not exist or is already resolved.`)
        throw error
      }
      return '/reviews/:id/resolve'
    }
    if (path === '/reviews' && method === 'GET') {
      const resolved = url.searchParams.get('resolved')
      page(
        res,
        reviewsPage(
          await service.engine.reviews.list({ status: 'open' }),
          resolved ? `Review #${resolved} resolved and written back to ERPNext.` : undefined,
        ),
      )
      return path
    }
    if (path === '/api/dead-letters' && method === 'GET') {
      json(res, 200, await service.engine.deadLetters.list({ limit: 500 }))
      return path
    }
    if (
      (m = /^\/(api\/)?dead-letters\/(\d+|retry-all)\/?(retry|discard)?$/.exec(path)) &&
      method === 'POST'
    ) {
      const action = m[2] === 'retry-all' ? 'retry' : m[3]
      if (!action) throw new HttpError(404, 'Unknown action.')
      const ids = m[2] === 'retry-all' ? ('all' as const) : [Number(m[2])]
      const n =
        action === 'retry'
          ? await service.engine.deadLetters.retry(ids)
          : await service.engine.deadLetters.discard(ids)
      if (m[1]) json(res, 200, { [action === 'retry' ? 'retried' : 'discarded']: n })
      else
        redirect(
          res,
          `/dead-letters?done=${encodeURIComponent(`${action === 'retry' ? 'Re-queued' : 'Discarded'} ${n} task(s).`)}`,
        )
      return `/dead-letters/:id/${action}`
    }
    if (path === '/dead-letters' && method === 'GET') {
      page(
        res,
        deadLettersPage(
          await service.engine.deadLetters.list({ limit: 500 }),
          url.searchParams.get('done') ?? undefined,
        ),
      )
      return path
    }
    if ((m = /^\/dead-letters\/(\d+)$/.exec(path)) && method === 'GET') {
      const task = (await service.engine.deadLetters.list({ limit: 10_000 })).find(
        (t) => t.id === Number(m![1]),
      )
      if (!task) throw new HttpError(404, `Dead letter #${m[1]} does not exist.`)
      page(res, deadLetterPage(task))
      return '/dead-letters/:id'
    }
    if ((m = /^\/(api\/)?students\/([^/]+)$/.exec(path)) && method === 'GET') {
      const view = await studentInsights(decodeURIComponent(m[2]!))
      if (m[1]) json(res, 200, view)
      else page(res, studentPage(view))
      return '/students/:name'
    }
    if ((m = /^\/(api\/)?classes\/([^/]+)$/.exec(path)) && method === 'GET') {
      const view = await classView(decodeURIComponent(m[2]!))
      if (m[1]) json(res, 200, view)
      else page(res, classPage(view))
      return '/classes/:name'
    }
    if ((m = /^\/(api\/)?(courses|instructors)\/([^/]+)$/.exec(path)) && method === 'GET') {
      const doctype = m[2] === 'courses' ? 'Course' : 'Instructor'
      const name = decodeURIComponent(m[3]!)
      const doc = await service.engine.get(doctype, name, { maxAgeMs: Number.MAX_SAFE_INTEGER })
      const { aiFields, warnings } = aiInsights(doc)
      const title = String((doctype === 'Course' ? doc.course_name : doc.instructor_name) ?? name)
      const view = { doctype, name, title, aiFields, warnings }
      if (m[1]) json(res, 200, view)
      else page(res, aiDocumentPage(view))
      return `/${m[2]}/:name`
    }
    if ((path === '/courses' || path === '/instructors') && method === 'GET') {
      const doctype = path === '/courses' ? 'Course' : 'Instructor'
      const { items } = await service.store.documents.list(doctype, { limit: 300 })
      const links = []
      for (const item of items) {
        const doc = await service.engine.get(doctype, item.name, { maxAgeMs: Number.MAX_SAFE_INTEGER })
        const title = String((doctype === 'Course' ? doc.course_name : doc.instructor_name) ?? item.name)
        links.push({ href: `${path}/${encodeURIComponent(item.name)}`, label: title })
      }
      page(res, listPage(doctype === 'Course' ? 'Courses' : 'Instructors', links))
      return path
    }
    if ((path === '/students' || path === '/classes') && method === 'GET') {
      const doctype = path === '/students' ? 'Student' : 'Student Group'
      const { items } = await service.store.documents.list(doctype, { limit: 300 })
      const links = []
      for (const item of items) {
        let label = item.name
        if (doctype === 'Student') {
          const doc = await service.engine.get('Student', item.name, { maxAgeMs: Number.MAX_SAFE_INTEGER })
          label = `${String(doc.student_name ?? item.name)} (${item.name})`
        }
        links.push({ href: `${path}/${encodeURIComponent(item.name)}`, label })
      }
      page(res, listPage(doctype === 'Student' ? 'Students' : 'Classes (Student Groups)', links))
      return path
    }
    if (path === '/' && method === 'GET') {
      page(res, statusPage(await collectStatus(service)))
      return path
    }
    throw new HttpError(404, 'Not found.')
  }

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://runner')
    const api = url.pathname.startsWith('/api/') || url.pathname === '/webhooks/erpnext'
    route(req, res, url)
      .then((key) => {
        const k = `${key} ${res.statusCode}`
        httpCounts.set(k, (httpCounts.get(k) ?? 0) + 1)
      })
      .catch((error: unknown) => {
        const status =
          error instanceof HttpError
            ? error.status
            : isDocumentNotFoundError(error) || isUnknownDoctypeError(error)
              ? 404
              : 500
        const message =
          error instanceof HttpError
            ? error.message
            : isUnknownDoctypeError(error)
              ? 'This runner does not sync that doctype (see EDUSYNC_DOCTYPES).'
              : status === 404
                ? 'That document is not in the mirror or in ERPNext.'
                : `Internal error (${describe(error).slice(0, 120)}). See the runner's log.`
        if (status === 500)
          console.error(`[@edusync/reference-runner] ${req.method} ${url.pathname}: ${describe(error)}`)
        const k = `error ${status}`
        httpCounts.set(k, (httpCounts.get(k) ?? 0) + 1)
        if (res.headersSent) return res.end()
        if (api) json(res, status, { error: status === 404 ? 'not_found' : 'error', message })
        else page(res, errorPage(status, message), status)
      })
  })
}

function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/'
}

/** Start the server on `host:port` (port 0 picks a free one). */
export async function listen(service: Service, host: string, port: number): Promise<RunnerServer> {
  const server = createRunnerServer(service)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
