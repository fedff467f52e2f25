/**
 * The runner's HTTP server end to end: the real emulator on loopback, the real client, SQLite in a
 * temporary folder, and HTTP requests from outside.
 */
import { signWebhookBody } from '@edusync/erpnext-emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type TestRunner, WEBHOOK_SECRET, startRunner } from './helpers/runner.js'

let r: TestRunner
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

beforeAll(async () => {
  r = await startRunner({
    seedSize: 6,
    maxAttempts: 2,
    doctypes: ['Student', 'Guardian', 'Student Group', 'Course', 'Instructor'],
  })
  await r.service.engine.backfill()
})
afterAll(async () => {
  await r?.close()
})

function webhook(body: string, signature = signWebhookBody(body, WEBHOOK_SECRET)) {
  return fetch(`${r.server.url}/webhooks/erpnext`, {
    method: 'POST',
    body,
    headers: { 'x-frappe-webhook-signature': signature },
  })
}

async function metric(name: string): Promise<string[]> {
  const text = await (await fetch(`${r.server.url}/metrics`)).text()
  return text.split('\n').filter((l) => l.startsWith(name))
}

describe('health, readiness and metrics', () => {
  it('GET /healthz answers ok', async () => {
    const res = await fetch(`${r.server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('GET /readyz checks the store and ERPNext', async () => {
    const res = await fetch(`${r.server.url}/readyz`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> }
    expect(body.ready).toBe(true)
    expect(body.checks.store?.ok).toBe(true)
    expect(body.checks.erpnext?.ok).toBe(true)
  })

  it('GET /readyz answers 503 when ERPNext is down', async () => {
    r.erp.emulator.faults.set({ routes: [{ path: /frappe\.auth\.get_logged_user/, status: 503 }] })
    try {
      const res = await fetch(`${r.server.url}/readyz`)
      expect(res.status).toBe(503)
      expect(((await res.json()) as { checks: { erpnext: { ok: boolean } } }).checks.erpnext.ok).toBe(false)
    } finally {
      r.erp.emulator.faults.clear()
    }
  })

  it('GET /metrics is Prometheus text with queue depth, requests per document and mirror counts', async () => {
    const res = await fetch(`${r.server.url}/metrics`)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(text).toMatch(/^# HELP edusync_queue_depth /m)
    expect(text).toMatch(/^# TYPE edusync_erpnext_requests_total counter$/m)
    expect(text).toMatch(/^edusync_queue_depth\{state="pending"\} \d+$/m)
    expect(text).toMatch(/^edusync_requests_per_document [\d.]+$/m)
    expect(text).toContain(
      `edusync_mirror_documents{doctype="Student"} ${r.erp.emulator.inspect.documents('Student').length}`,
    )
  })
})

describe('GET /metrics with EDUSYNC_METRICS_TOKEN', () => {
  const METRICS_TOKEN = 'scrape-token-0123456789abcdef'
  let guarded: TestRunner
  beforeAll(async () => {
    guarded = await startRunner({
      seedSize: 2,
      doctypes: ['Student'],
      env: { EDUSYNC_METRICS_TOKEN: METRICS_TOKEN },
    })
  })
  afterAll(async () => {
    await guarded?.close()
  })

  it('answers 401 with a Bearer challenge without the token, or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }]
    for (const headers of attempts) {
      const res = await fetch(`${guarded.server.url}/metrics`, { headers })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"')
      expect(await res.text()).not.toContain('edusync_')
    }
  })

  it('serves the metrics to the metrics token and to the admin token', async () => {
    for (const token of [METRICS_TOKEN, ADMIN_TOKEN]) {
      const res = await fetch(`${guarded.server.url}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      })
      expect(res.status).toBe(200)
      expect(await res.text()).toMatch(/^edusync_queue_depth\{state="pending"\} \d+$/m)
    }
  })

  it('leaves health and readiness open for probes', async () => {
    expect((await fetch(`${guarded.server.url}/healthz`)).status).toBe(200)
    expect((await fetch(`${guarded.server.url}/readyz`)).status).toBe(200)
  })
})

describe('POST /webhooks/erpnext', () => {
  it('accepts a signed thin event and the change reaches the mirror', async () => {
    const [student] = r.erp.emulator.inspect.documents('Student')
    const body = JSON.stringify({
      doctype: 'Student',
      name: student!.name,
      modified: '2099-01-01 00:00:00.000000',
    })
    const res = await webhook(body)
    expect(res.status).toBeLessThan(300)
    expect(await r.service.engine.drain()).toBeGreaterThan(0)
  })

  it('answers 401 with JSON to a bad signature, and counts it', async () => {
    const before = (await metric('edusync_webhooks_total{status="401"}'))[0]?.split(' ')[1] ?? '0'
    const res = await webhook('{"doctype": "Student", "name": "X"}', 'AAAA')
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/json/)
    const after = (await metric('edusync_webhooks_total{status="401"}'))[0]?.split(' ')[1]
    expect(Number(after)).toBe(Number(before) + 1)
  })

  it('answers 4xx with JSON to a signed body that is not JSON', async () => {
    const res = await webhook('not json')
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expect(await res.json()).toHaveProperty('error')
  })

  it('refuses GET', async () => {
    expect((await fetch(`${r.server.url}/webhooks/erpnext`)).status).toBe(405)
  })
})

describe('admin token', () => {
  it('the JSON API answers 401 without it', async () => {
    const res = await fetch(`${r.server.url}/api/status`)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'unauthorized' })
  })

  it('the JSON API answers 401 to a wrong token', async () => {
    expect(
      (await fetch(`${r.server.url}/api/status`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401)
  })

  it('pages redirect to the sign-in form', async () => {
    const res = await fetch(`${r.server.url}/reviews`, { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Freviews')
  })

  it('signing in with the token sets an HttpOnly SameSite=Strict cookie', async () => {
    const res = await fetch(`${r.server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ token: ADMIN_TOKEN, next: '/reviews' }),
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/reviews')
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/)
  })

  it('signing in with a wrong token is refused', async () => {
    const res = await fetch(`${r.server.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope' }),
    })
    expect(res.status).toBe(401)
  })

  it('cross-origin form posts are refused', async () => {
    const res = await fetch(`${r.server.url}/dead-letters/retry-all`, {
      method: 'POST',
      headers: { ...auth, origin: 'https://evil.example' },
    })
    expect(res.status).toBe(403)
  })
})

describe('JSON status API and pages', () => {
  it('GET /api/status reports the engine and the mirror', async () => {
    const res = await fetch(`${r.server.url}/api/status`, { headers: auth })
    const s = (await res.json()) as {
      mirror: Record<string, number>
      queue: { pending: number }
      storage: string
    }
    expect(s.mirror.Student).toBe(r.erp.emulator.inspect.documents('Student').length)
    expect(s.storage).toBe('sqlite')
  })

  it('the status page renders with security headers', async () => {
    const res = await fetch(`${r.server.url}/`, { headers: auth })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await res.text()
    expect(html).toContain('<h1>Sync status</h1>')
    expect(html).toContain('data-metric="mirror:Student"')
  })

  it('a class page lists its students', async () => {
    const [group] = r.erp.emulator.inspect.documents('Student Group')
    const res = await fetch(`${r.server.url}/api/classes/${encodeURIComponent(String(group!.name))}`, {
      headers: auth,
    })
    const view = (await res.json()) as { students: unknown[] }
    expect(view.students.length).toBe((group!.students as unknown[]).length)
  })

  it('a class page links its instructors', async () => {
    const group = r.erp.emulator.inspect
      .documents('Student Group')
      .find((g) => (g.instructors as unknown[]).length > 0)
    const res = await fetch(`${r.server.url}/api/classes/${encodeURIComponent(String(group!.name))}`, {
      headers: auth,
    })
    const view = (await res.json()) as { links: { href: string }[] }
    const instructor = (group!.instructors as { instructor: string }[])[0]!.instructor
    expect(view.links.map((l) => l.href)).toContain(`/instructors/${encodeURIComponent(instructor)}`)
  })

  it('a course page shows the course', async () => {
    const [course] = r.erp.emulator.inspect.documents('Course')
    const res = await fetch(`${r.server.url}/courses/${encodeURIComponent(String(course!.name))}`, {
      headers: auth,
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(`<span data-title>${String(course!.course_name)}</span>`)
  })

  it('the instructors list names every mirrored instructor', async () => {
    const html = await (await fetch(`${r.server.url}/instructors`, { headers: auth })).text()
    for (const i of r.erp.emulator.inspect.documents('Instructor'))
      expect(html).toContain(String(i.instructor_name))
  })

  it('an unknown student is a 404 page', async () => {
    const res = await fetch(`${r.server.url}/students/EDU-STU-NOPE`, { headers: auth })
    expect(res.status).toBe(404)
  })
})

describe('dead letters', () => {
  it('a task that keeps failing is dead-lettered, inspected, retried and discarded', async () => {
    const [guardian] = r.erp.emulator.inspect.documents('Guardian')
    r.erp.emulator.faults.set({ routes: [{ path: /frappe\.client\.get_list/, status: 500 }] })
    try {
      await r.service.engine.intake({ doctype: 'Guardian', name: String(guardian!.name) })
      for (let i = 0; i < 50 && (await r.service.engine.status()).deadLetters === 0; i++) {
        await r.service.engine.drain()
        await new Promise((res) => setTimeout(res, 60))
      }
    } finally {
      r.erp.emulator.faults.clear()
    }
    const list = (await (await fetch(`${r.server.url}/api/dead-letters`, { headers: auth })).json()) as {
      id: number
      name: string
    }[]
    expect(list.map((t) => t.name)).toContain(String(guardian!.name))
    const id = list[0]!.id
    const page = await (await fetch(`${r.server.url}/dead-letters/${id}`, { headers: auth })).text()
    expect(page).toContain(`Dead letter #${id}`)
    const retried = await fetch(`${r.server.url}/api/dead-letters/${id}/retry`, {
      method: 'POST',
      headers: auth,
    })
    expect(await retried.json()).toEqual({ retried: 1 })
    await r.service.engine.drain()
    expect((await r.service.engine.status()).deadLetters).toBe(0)
    const discarded = await fetch(`${r.server.url}/api/dead-letters/${id}/discard`, {
      method: 'POST',
      headers: auth,
    })
    expect(await discarded.json()).toEqual({ discarded: 0 })
  })
})
