import { expect, it } from 'vitest'
import { conformance } from './harness.js'

conformance('§2 request parsing and envelope', (h) => {
  it('merges query string and form body when the body is not JSON', async () => {
    const r = await h().call('/api/method/frappe.client.get_count?doctype=Student', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'filters=%7B%22gender%22%3A%22Nope%22%7D',
    })
    expect(r.body.message).toBe(0)
  })

  it('accepts multipart form bodies', async () => {
    const form = new FormData()
    form.set('doctype', 'Student')
    const r = await h().call('/api/method/frappe.client.get_count', { method: 'POST', body: form })
    expect(r.body.message).toBe(24)
  })

  it('drops the "_" cache-buster key', async () => {
    const r = await h().call('/api/method/frappe.client.get_count?doctype=Student&_=12345')
    expect(r.status).toBe(200)
  })

  it('answers application/json with compact separators', async () => {
    const res = await h().fetch('/api/method/frappe.ping')
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(await res.text()).toBe('{"message":"pong"}')
  })

  it('puts resources under "data" and RPC results under "message"', async () => {
    expect(Object.keys((await h().call('/api/resource/Student?limit=1')).body)).toEqual(['data'])
    expect(Object.keys((await h().call('/api/method/frappe.client.get_count?doctype=Student')).body)).toEqual(
      ['message'],
    )
  })

  it('an empty JSON body falls back to the query string', async () => {
    const r = await h().call('/api/method/frappe.client.get_count?doctype=Student', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '',
    })
    expect(r.body.message).toBe(24)
  })
})

conformance('§2 HEAD requests', (h) => {
  it('answers HEAD on resource routes like GET, without a body', async () => {
    const res = await h().fetch('/api/resource/Student', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(await res.text()).toBe('')
  })
})
