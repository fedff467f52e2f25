import { createHmac } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { expect, it } from 'vitest'
import { conformance, serverMessages, studentFixture } from './harness.js'

const python = spawnSync('python3', ['--version']).status === 0

conformance('§10 webhooks', (h) => {
  const hook = (extra: Record<string, unknown> = {}) =>
    h().call('/api/resource/Webhook', {
      method: 'POST',
      json: {
        name: `hook-${Math.random().toString(16).slice(2, 8)}`,
        webhook_doctype: 'Student',
        webhook_docevent: 'on_update',
        request_url: 'http://receiver.test/hook',
        webhook_data: [
          { fieldname: 'name', key: 'name' },
          { fieldname: 'modified', key: 'modified' },
        ],
        ...extra,
      },
    })

  it('fires after_insert and on_update on insert, after commit, with a Python json.dumps body', async () => {
    expect((await hook()).status).toBe(200)
    expect((await hook({ webhook_docevent: 'after_insert' })).status).toBe(200)
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(2)
    expect(h().received[0]!.body).toBe(`{"name": "${s.name}", "modified": "${s.modified}"}`)
    expect(h().received[0]!.headers['content-type']).toBeUndefined()
    expect(h().received[0]!.headers['user-agent']).toMatch(/^python-requests\//)
  })

  it('de-duplicates per (webhook, document) within one request', async () => {
    await hook({ webhook_docevent: 'on_change' })
    await hook({ webhook_docevent: 'on_update' })
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
    await h().emulator.inspect.webhooksIdle()
    h().received.length = 0
    await h().call(`/api/resource/Student/${s.name}`, { method: 'PUT', json: { city: 'Thun' } })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(2) // one per webhook, although save raises on_update and on_change
  })

  it('sends nothing for a rolled-back request', async () => {
    await hook({ webhook_docevent: 'after_insert' })
    await h().call('/api/method/frappe.client.insert_many', {
      method: 'POST',
      json: { docs: [{ doctype: 'Student', ...studentFixture() }, { doctype: 'Student' }] },
    })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(0)
  })

  it('signs with base64 HMAC-SHA256 of the body when enable_security is set', async () => {
    await hook({ enable_security: 1, webhook_secret: 'secret' })
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    await h().emulator.inspect.webhooksIdle()
    const got = h().received[0]!
    const expected = createHmac('sha256', 'secret').update(got.body).digest('base64')
    expect(got.headers['x-frappe-webhook-signature']).toBe(expected)
  })

  it('renders webhook_json templates with {{ doc.x }} and | tojson, and keeps floats as x.0', async () => {
    await h().call('/api/resource/Webhook', {
      method: 'POST',
      json: {
        name: 'results',
        webhook_doctype: 'Assessment Result',
        webhook_docevent: 'on_submit',
        request_url: 'http://receiver.test/results',
        request_structure: 'JSON',
        webhook_json:
          '{"doctype": "{{ doc.doctype }}", "name": {{ doc.name | tojson }}, "score": {{ doc.total_score }}, "fixed": 1.5}',
      },
    })
    const plan = (await h().call('/api/resource/Assessment Plan?limit=1')).body.data[0].name
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
      .name
    const r = await h().call('/api/resource/Assessment Result', {
      method: 'POST',
      json: {
        assessment_plan: plan,
        student: s,
        docstatus: 1,
        details: [{ assessment_criteria: 'Written Exam', score: 50 }],
      },
    })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received[0]!.body).toBe(
      `{"doctype": "Assessment Result", "name": "${r.body.data.name}", "score": 50.0, "fixed": 1.5}`,
    )
  })

  it('rejects unsupported template syntax when the Webhook is saved', async () => {
    const r = await hook({
      request_structure: 'JSON',
      webhook_json: '{% for x in doc %}{% endfor %}',
      webhook_data: [],
    })
    expect(r.status).toBe(417)
    expect(serverMessages(r.body)[0]?.message).toContain('webhook_json')
  })

  it('evaluates the condition at event time', async () => {
    await hook({ condition: 'doc.city == "Basel"' })
    await h().call('/api/resource/Student', { method: 'POST', json: { ...studentFixture(1), city: 'Bern' } })
    await h().call('/api/resource/Student', { method: 'POST', json: { ...studentFixture(2), city: 'Basel' } })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(1)
  })

  it('retries failures 3 times and records a Webhook Request Log per attempt', async () => {
    const created = (await hook({ webhook_docevent: 'after_insert' })).body.data
    h().receiverStatuses.push(500, 503, 200)
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(3)
    const delivery = h().emulator.inspect.webhookDeliveries()[0]!
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 503, 200])
    expect(delivery.status).toBe('delivered')
    const logs = await h().call(
      `/api/resource/Webhook Request Log?filters=${encodeURIComponent(JSON.stringify({ webhook: created.name }))}&fields=["name","error"]`,
    )
    expect(logs.body.data).toHaveLength(3)
  })

  it('retries a read timeout immediately, per attempt timeout = Webhook.timeout', async () => {
    await hook({ webhook_docevent: 'after_insert', timeout: 1 })
    h().receiverStatuses.push(0, 200)
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    await h().emulator.inspect.webhooksIdle()
    const d = h().emulator.inspect.webhookDeliveries()[0]!
    expect(d.attempts.map((a) => a.error ?? 'ok')).toEqual(['timeout', 'ok'])
    expect(d.status).toBe('delivered')
  })

  it('reproduces the contract test vector end to end (body and signature)', async () => {
    await h().call('/api/resource/DocType', {
      method: 'POST',
      json: {
        name: 'Vector Doc',
        module: 'Custom',
        custom: 1,
        autoname: 'prompt',
        fields: [
          { fieldname: 'grand_total', label: 'Grand Total', fieldtype: 'Currency' },
          { fieldname: 'city', label: 'City', fieldtype: 'Data' },
        ],
      },
    })
    await h().call('/api/resource/Webhook', {
      method: 'POST',
      json: {
        name: 'vector',
        webhook_doctype: 'Vector Doc',
        webhook_docevent: 'after_insert',
        request_url: 'http://receiver.test/vector',
        enable_security: 1,
        webhook_secret: 'secret',
        webhook_data: [
          { fieldname: 'name', key: 'name' },
          { fieldname: 'grand_total', key: 'grand_total' },
          { fieldname: 'city', key: 'city' },
        ],
      },
    })
    await h().call('/api/resource/Vector Doc', {
      method: 'POST',
      json: { name: 'CUST-0001', grand_total: 100, city: 'Zürich' },
    })
    await h().emulator.inspect.webhooksIdle()
    const got = h().received[0]!
    expect(got.body).toBe('{"name": "CUST-0001", "grand_total": 100.0, "city": "Z\\u00fcrich"}')
    expect(got.headers['x-frappe-webhook-signature']).toBe('UvIlMY7/rgSzh69BZVgZs1V/wdss5Cv9bhCmJ5L6Z1A=')
  })

  it('gives up after 3 failed attempts', async () => {
    await hook({ webhook_docevent: 'after_insert' })
    h().receiverStatuses.push(500, 500, 500, 500)
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received).toHaveLength(3)
    expect(h().emulator.inspect.webhookDeliveries()[0]!.status).toBe('failed')
  })

  it('fires on_submit and on_cancel for submittable doctypes, never on_update_after_submit', async () => {
    await hook({ webhook_doctype: 'Program Enrollment', webhook_docevent: 'on_submit' })
    await hook({ webhook_doctype: 'Program Enrollment', webhook_docevent: 'on_cancel' })
    await hook({ webhook_doctype: 'Program Enrollment', webhook_docevent: 'on_update_after_submit' })
    const student = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const ay = (await h().call('/api/resource/Academic Year')).body.data[0].name
    const pe = (
      await h().call('/api/resource/Program Enrollment', {
        method: 'POST',
        json: { student, program: 'Grade 9', academic_year: ay, enrollment_date: '2024-09-01' },
      })
    ).body.data
    await h().call(`/api/resource/Program Enrollment/${pe.name}`, { method: 'PUT', json: { docstatus: 1 } })
    await h().call(`/api/resource/Program Enrollment/${pe.name}`, {
      method: 'PUT',
      json: { student_batch_name: 'B' },
    })
    await h().call(`/api/resource/Program Enrollment/${pe.name}`, { method: 'PUT', json: { docstatus: 2 } })
    await h().emulator.inspect.webhooksIdle()
    expect(
      h()
        .emulator.inspect.webhookDeliveries()
        .map((d) => d.event),
    ).toEqual(['on_submit', 'on_cancel'])
  })

  it('header rows are sent and may overwrite the signature', async () => {
    await hook({
      enable_security: 1,
      webhook_secret: 's',
      webhook_headers: [
        { key: 'Content-Type', value: 'application/json' },
        { key: 'X-Frappe-Webhook-Signature', value: 'overridden' },
      ],
    })
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    await h().emulator.inspect.webhooksIdle()
    expect(h().received[0]!.headers['content-type']).toBe('application/json')
    expect(h().received[0]!.headers['x-frappe-webhook-signature']).toBe('overridden')
  })

  it.skipIf(!python)('body and signature equal Python json.dumps + hmac for Unicode and floats', async () => {
    await hook({
      enable_security: 1,
      webhook_secret: 'k\u00e9y',
      webhook_data: [
        { fieldname: 'first_name', key: 'first' },
        { fieldname: 'city', key: 'city' },
        { fieldname: 'enabled', key: 'enabled' },
        { fieldname: 'middle_name', key: 'middle' },
      ],
    })
    await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), first_name: 'J\u00fcrgen \ud83d\ude00', city: 'Z\u00fcrich' },
    })
    await h().emulator.inspect.webhooksIdle()
    const got = h().received[0]!
    const script = [
      'import json,hmac,hashlib,base64',
      'data={"first": "J\\u00fcrgen \\U0001F600", "city": "Z\\u00fcrich", "enabled": 1, "middle": "K"}',
      'body=json.dumps(data, default=str)',
      'print(body)',
      'print(base64.b64encode(hmac.new("k\\u00e9y".encode(), body.encode("utf8"), hashlib.sha256).digest()).decode())',
    ].join('\n')
    const [body, sig] = spawnSync('python3', ['-c', script], { encoding: 'utf8' }).stdout.trim().split('\n')
    expect(got.body).toBe(body)
    expect(got.headers['x-frappe-webhook-signature']).toBe(sig)
  })
})
