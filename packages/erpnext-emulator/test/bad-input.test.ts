import { expect, it } from 'vitest'
import { conformance } from './harness.js'

conformance('bad input never crashes the emulator', (h) => {
  const cases: [string, RequestInit][] = [
    ['/api/resource/Student/%E0%A4%A', {}],
    ['/api/resource/Student?filters=not-json', {}],
    ['/api/resource/Student?filters=%7B%22a%22', {}],
    ['/api/resource/Student?fields=%7B%7D', {}],
    ['/api/resource/Student?limit_page_length=-5', {}],
    ['/api/resource/Student?order_by=%3B%20drop%20table', {}],
    [
      '/api/resource/Student',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' },
    ],
    [
      '/api/resource/Student',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '42' },
    ],
    [
      '/api/resource/Student',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' },
    ],
    [
      '/api/resource/Student',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"guardians": "x"}' },
    ],
    [
      '/api/resource/Student',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"guardians": [5]}' },
    ],
    [
      '/api/method/frappe.client.insert',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"doc": "{oops"}' },
    ],
    [
      '/api/method/frappe.client.insert_many',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"docs": 5}' },
    ],
    [
      '/api/method/frappe.client.get_value',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"doctype": "Student", "fieldname": {"a": 1}}',
      },
    ],
    [
      '/api/method/frappe.client.save',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"doc": {"doctype": "Nope"}}',
      },
    ],
    ['/api/v2/document/Student/x/method/', {}],
    ['/api/v2/doctype/Student/other', {}],
    ['/api/method/', {}],
  ]

  it.each(cases)('%s answers a JSON error or success, never a crash', async (path, init) => {
    const res = await h().fetch(path, init)
    expect(res.status).toBeGreaterThanOrEqual(200)
    expect(res.status).toBeLessThan(600)
    const text = await res.text()
    if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
      const body = JSON.parse(text)
      expect(body.exc_type ?? body.errors?.[0]?.type).toBeTruthy()
    }
  })
})
