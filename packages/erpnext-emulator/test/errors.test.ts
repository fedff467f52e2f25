import { expect, it } from 'vitest'
import { conformance, serverMessages, studentFixture } from './harness.js'

conformance('§6 errors', (h) => {
  it('MandatoryError: 417, exception names the fields, one message per missing field', async () => {
    const { first_name: _f, ...rest } = studentFixture()
    const r = await h().call('/api/resource/Student', { method: 'POST', json: rest })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('MandatoryError')
    expect(r.body.exception).toMatch(
      /^frappe\.exceptions\.MandatoryError: \[Student, EDU-STU-\d{4}-\d{5}\]: first_name$/,
    )
    expect(serverMessages(r.body).map((m) => m.message)).toEqual([
      'Error: Value missing for Student: First Name',
    ])
  })

  it('LinkValidationError: "Could not find {Label}: {value}"', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), gender: 'Martian' },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('LinkValidationError')
    expect(serverMessages(r.body)[0]?.message).toBe('Could not find Gender: Martian')
  })

  it('DuplicateEntryError 409 for an existing name', async () => {
    const r = await h().call('/api/resource/Program', { method: 'POST', json: { program_name: 'Grade 9' } })
    expect(r.status).toBe(409)
    expect(r.body.exc_type).toBe('DuplicateEntryError')
    const m = serverMessages(r.body)[0]
    expect(m).toMatchObject({
      message: 'Program <strong>Grade 9</strong> already exists',
      title: 'Duplicate Name',
    })
  })

  it('UniqueValidationError 417 for a duplicate unique field', async () => {
    await h().call('/api/resource/Student', { method: 'POST', json: studentFixture(7) })
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(7), first_name: 'Other' },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('UniqueValidationError')
  })

  it('Select validation rejects values outside the options', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), blood_group: 'Z+' },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('ValidationError')
  })

  it('CharacterLengthExceededError above 140 characters in Data fields', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), city: 'x'.repeat(141) },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('CharacterLengthExceededError')
  })

  it('_server_messages is double-encoded with Python separators and __frappe_exc_id', async () => {
    const r = await h().fetch('/api/resource/Student/NOPE')
    const raw = await r.text()
    const body = JSON.parse(raw)
    expect(body._server_messages).toMatch(
      /^\["\{\\"message\\": \\"Student NOPE not found\\", \\"title\\": \\"Message\\", \\"indicator\\": \\"red\\", \\"raise_exception\\": 1, \\"__frappe_exc_id\\": \\"[0-9a-f]+\\"\}"\]$/,
    )
  })

  it('malformed JSON body is a 500 JSONDecodeError', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    })
    expect(r.status).toBe(500)
    expect(r.body.exc_type).toBe('JSONDecodeError')
  })

  it('exc is a JSON string of a traceback list, exception the last line', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), gender: 'Martian' },
    })
    const exc = JSON.parse(r.body.exc)
    expect(exc[0]).toMatch(/^Traceback \(most recent call last\):/)
    expect(r.body.exception).toBe('frappe.exceptions.LinkValidationError: Could not find Gender: Martian')
  })

  it('answers an HTML error page when the client asks for text/html', async () => {
    const res = await h().fetch('/api/resource/Student/NOPE', { headers: { accept: 'text/html' } })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('text/html')
  })

  it('oversized bodies get 413', async () => {
    const big = JSON.stringify({ ...studentFixture(), city: 'x'.repeat(11 * 1024 * 1024) })
    const res = await h().fetch('/api/resource/Student', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    })
    expect(res.status).toBe(413)
  })

  it('a failed write leaves nothing behind (rolled back)', async () => {
    const before = (await h().call('/api/method/frappe.client.get_count?doctype=Guardian')).body.message
    await h().call('/api/method/frappe.client.insert_many', {
      method: 'POST',
      json: { docs: [{ doctype: 'Guardian', guardian_name: 'ok' }, { doctype: 'Guardian' }] },
    })
    expect((await h().call('/api/method/frappe.client.get_count?doctype=Guardian')).body.message).toBe(before)
  })
})

conformance('§7 modified locking', (h) => {
  const fresh = async () =>
    (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data

  it('PUT without modified is last-write-wins', async () => {
    const s = await fresh()
    await h().call(`/api/resource/Student/${s.name}`, { method: 'PUT', json: { city: 'A' } })
    const r = await h().call(`/api/resource/Student/${s.name}`, { method: 'PUT', json: { city: 'B' } })
    expect(r.status).toBe(200)
  })

  it('PUT with the current modified succeeds, with a stale one fails with TimestampMismatchError', async () => {
    const s = await fresh()
    const ok = await h().call(`/api/resource/Student/${s.name}`, {
      method: 'PUT',
      json: { city: 'A', modified: s.modified },
    })
    expect(ok.status).toBe(200)
    const stale = await h().call(`/api/resource/Student/${s.name}`, {
      method: 'PUT',
      json: { city: 'B', modified: s.modified },
    })
    expect(stale.status).toBe(417)
    expect(stale.body.exc_type).toBe('TimestampMismatchError')
    expect(serverMessages(stale.body)[0]?.message).toMatch(
      /^Error: Document has been modified after you have opened it \(.+, .+\)\. Please refresh to get the latest document\.$/,
    )
  })

  it('an ISO form of the same instant fails (string compare)', async () => {
    const s = await fresh()
    const r = await h().call(`/api/resource/Student/${s.name}`, {
      method: 'PUT',
      json: { city: 'A', modified: s.modified.replace(' ', 'T') },
    })
    expect(r.status).toBe(417)
  })

  it('frappe.client.save always checks: a missing modified fails', async () => {
    const s = await fresh()
    const { modified: _m, ...doc } = (
      await h().call(`/api/method/frappe.client.get?doctype=Student&name=${s.name}`)
    ).body.message
    const r = await h().call('/api/method/frappe.client.save', { method: 'POST', json: { doc } })
    expect(r.body.exc_type).toBe('TimestampMismatchError')
  })

  it('frappe.client.save rebuilds the doc: omitted fields become null', async () => {
    const s = await fresh()
    const full = (await h().call(`/api/method/frappe.client.get?doctype=Student&name=${s.name}`)).body.message
    const { middle_name: _mn, ...doc } = full
    const r = await h().call('/api/method/frappe.client.save', { method: 'POST', json: { doc } })
    expect(r.status).toBe(200)
    expect(r.body.message.middle_name).toBeNull()
  })

  it('set_value never conflicts', async () => {
    const s = await fresh()
    await h().call(`/api/resource/Student/${s.name}`, { method: 'PUT', json: { city: 'A' } })
    const r = await h().call('/api/method/frappe.client.set_value', {
      method: 'POST',
      json: { doctype: 'Student', name: s.name, fieldname: 'city', value: 'B' },
    })
    expect(r.status).toBe(200)
  })
})
