import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
// Test-only import through the workspace source aliases: @edusync/webhook-verifier is NOT a dependency.
import { MemorySeenStore, createERPNextVerifier } from '@edusync/webhook-verifier'
import { describe, expect, it } from 'vitest'
import { createEmulator } from '../src/index.js'
import { renderWebhookTemplate, utcIsoformat, validateWebhookTemplate } from '../src/template.js'
import { conformance, serverMessages, studentFixture } from './harness.js'

/** The recommended `webhook_json` of @edusync/webhook-verifier's README, verbatim. */
const RECOMMENDED = `{
  "event": "on_update",
  "event_id": {{ (doc.doctype ~ ":" ~ doc.name ~ ":" ~ doc.modified ~ ":on_update") | tojson }},
  "doctype": {{ doc.doctype | tojson }},
  "name": {{ doc.name | tojson }},
  "modified": {{ doc.modified | tojson }},
  "sent_at": {{ frappe.utils.get_datetime_in_timezone("UTC").isoformat() | tojson }}
}`

const SECRET = 'emulator-test-secret-0123456789abcdef'

describe('webhook_json expressions', () => {
  const doc = { doctype: 'Student', name: 'EDU-STU-2026-00001', modified: '2026-01-02 03:04:05.123456' }
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678)

  it('is the template of the webhook-verifier README', () => {
    const readme = fileURLToPath(new URL('../../webhook-verifier/README.md', import.meta.url))
    expect(readFileSync(readme, 'utf8')).toContain(RECOMMENDED)
  })

  it('renders ~ concatenation, parentheses and tojson with Jinja precedence', () => {
    expect(renderWebhookTemplate('{{ (doc.doctype ~ ":" ~ doc.name) | tojson }}', doc)).toBe(
      '"Student:EDU-STU-2026-00001"',
    )
    // A filter binds tighter than ~: only doc.name is JSON-encoded.
    expect(renderWebhookTemplate("{{ 'x' ~ doc.name | tojson }}", doc)).toBe('x"EDU-STU-2026-00001"')
  })

  it('renders get_datetime_in_timezone("UTC").isoformat() from the injected clock', () => {
    expect(
      renderWebhookTemplate('{{ frappe.utils.get_datetime_in_timezone("UTC").isoformat() }}', doc, () => at),
    ).toBe('2026-01-02T03:04:05.678000+00:00')
    expect(utcIsoformat(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02T03:04:05+00:00')
  })

  it('renders the recommended template to the JSON the verifier expects', () => {
    expect(JSON.parse(renderWebhookTemplate(RECOMMENDED, doc, () => at))).toEqual({
      event: 'on_update',
      event_id: 'Student:EDU-STU-2026-00001:2026-01-02 03:04:05.123456:on_update',
      doctype: 'Student',
      name: 'EDU-STU-2026-00001',
      modified: '2026-01-02 03:04:05.123456',
      sent_at: '2026-01-02T03:04:05.678000+00:00',
    })
  })

  it.each([
    ['another time zone', '{{ frappe.utils.get_datetime_in_timezone("Asia/Kolkata").isoformat() }}'],
    ['another frappe function', '{{ frappe.utils.now() }}'],
    ['a dangling ~', '{{ doc.name ~ }}'],
    ['an unknown filter', '{{ doc.name | upper }}'],
    ['arithmetic', '{{ doc.idx + 1 }}'],
    ['a statement', '{% if doc.name %}x{% endif %}'],
  ])('rejects %s', (_what, template) => {
    expect(() => validateWebhookTemplate(template)).toThrow(/webhook_json/)
  })
})

conformance('§10 the recommended webhook-verifier template end to end', (h) => {
  it('delivers a body @edusync/webhook-verifier accepts, with its event_id and sent_at', async () => {
    const created = await h().call('/api/resource/Webhook', {
      method: 'POST',
      json: {
        name: 'students-on-update',
        webhook_doctype: 'Student',
        webhook_docevent: 'on_update',
        request_url: 'http://receiver.test/erpnext',
        request_structure: 'JSON',
        enable_security: 1,
        webhook_secret: SECRET,
        webhook_json: RECOMMENDED,
      },
    })
    expect(created.status).toBe(200)
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(1)
    const delivery = h().received[0]!
    const verifier = createERPNextVerifier({ secret: SECRET, seen: new MemorySeenStore() })
    const verified = await verifier.verify({ body: delivery.body, headers: delivery.headers })
    expect(verified.eventIdSource).toBe('payload')
    expect(verified.eventId).toBe(`Student:${s.name}:${s.modified}:on_update`)
    expect(verified.event).toBe('on_update')
    expect(verified.sentAt).toBeInstanceOf(Date)
    expect(verified.payload).toMatchObject({ doctype: 'Student', name: s.name, modified: s.modified })
    // The same delivery again (a retry) is a duplicate for the verifier.
    await expect(verifier.verify({ body: delivery.body, headers: delivery.headers })).rejects.toMatchObject({
      reason: 'duplicate',
    })
  })

  it('refuses a Webhook whose template uses an unsupported expression when it is saved', async () => {
    const r = await h().call('/api/resource/Webhook', {
      method: 'POST',
      json: {
        name: 'bad-template',
        webhook_doctype: 'Student',
        webhook_docevent: 'on_update',
        request_url: 'http://receiver.test/erpnext',
        request_structure: 'JSON',
        webhook_json: '{"at": {{ frappe.utils.now() | tojson }}}',
      },
    })
    expect(r.status).toBe(417)
    expect(serverMessages(r.body)[0]?.message).toContain('webhook_json')
  })
})

it('renders sent_at from the emulator clock', async () => {
  const at = Date.UTC(2026, 5, 1, 12, 0, 0, 250)
  const e = createEmulator({
    seed: 'empty',
    timeFactor: 0,
    now: () => at,
    fetch: async () => new Response('ok'),
  })
  e.insert('Webhook', {
    name: 'clocked',
    webhook_doctype: 'Gender',
    webhook_docevent: 'after_insert',
    request_url: 'http://receiver.test/erpnext',
    request_structure: 'JSON',
    webhook_json: '{"sent_at": {{ frappe.utils.get_datetime_in_timezone("UTC").isoformat() | tojson }}}',
  })
  e.insert('Gender', { gender: 'Nonbinary' })
  await e.inspect.webhooksIdle()
  const body = e.inspect.webhookDeliveries().at(-1)?.body
  expect(body).toBe('{"sent_at": "2026-06-01T12:00:00.250000+00:00"}')
  await e.close()
})
