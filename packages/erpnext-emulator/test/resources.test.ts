import { expect, it } from 'vitest'
import { conformance, serverMessages, studentFixture } from './harness.js'

const enc = encodeURIComponent

conformance('§3 /api/resource (v1)', (h) => {
  it('creates with 200 (not 201), server-set standard fields, and drops the client name', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), name: 'MINE' },
    })
    expect(r.status).toBe(200)
    const doc = r.body.data
    expect(doc.name).toMatch(/^EDU-STU-\d{4}-\d{5}$/)
    expect(doc).toMatchObject({
      owner: 'Administrator',
      modified_by: 'Administrator',
      docstatus: 0,
      idx: 0,
      doctype: 'Student',
    })
    expect(doc.creation).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/)
  })

  it('omits null keys on create and read but keeps them in list rows', async () => {
    const created = await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    expect('date_of_leaving' in created.body.data).toBe(false)
    const read = await h().call(`/api/resource/Student/${created.body.data.name}`)
    expect('date_of_leaving' in read.body.data).toBe(false)
    const list = await h().call(
      `/api/resource/Student?fields=${enc('["name","date_of_leaving"]')}&filters=${enc(JSON.stringify([['name', '=', created.body.data.name]]))}`,
    )
    expect(list.body.data).toEqual([{ name: created.body.data.name, date_of_leaving: null }])
  })

  it('silently ignores unknown fields on create', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), no_such_field: 'x' },
    })
    expect(r.status).toBe(200)
    expect('no_such_field' in r.body.data).toBe(false)
  })

  it('accepts form field data=<json>', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ data: JSON.stringify(studentFixture()) }).toString(),
    })
    expect(r.status).toBe(200)
    expect(r.body.data.first_name).toBe('Ada')
  })

  it('gives child rows 10-hex names, idx 1..n and parent fields', async () => {
    const guardian = (
      await h().call('/api/resource/Guardian', { method: 'POST', json: { guardian_name: 'G One' } })
    ).body.data
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: {
        ...studentFixture(),
        guardians: [
          { guardian: guardian.name, relation: 'Mother' },
          { guardian: guardian.name, relation: 'Others' },
        ],
      },
    })
    const rows = r.body.data.guardians
    expect(rows.map((x: any) => x.idx)).toEqual([1, 2])
    expect(rows[0].name).toMatch(/^[0-9a-f]{10}$/)
    expect(rows[0]).toMatchObject({
      parent: r.body.data.name,
      parentfield: 'guardians',
      parenttype: 'Student',
      doctype: 'Student Guardian',
      guardian_name: 'G One',
    })
  })

  it('computes student_name from first/middle/last name', async () => {
    const r = await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    expect(r.body.data.student_name).toBe('Ada K Lovelace1')
  })

  it('percent-decodes names and doctypes and allows a trailing slash', async () => {
    const list = await h().call('/api/resource/Student%20Group/')
    expect(list.status).toBe(200)
    const name = list.body.data[0].name as string
    const r = await h().call(`/api/resource/Student%20Group/${enc(name)}`)
    expect(r.body.data.name).toBe(name)
  })

  it('accepts /api/v1/resource as an alias', async () => {
    const r = await h().call('/api/v1/resource/Student?limit=1')
    expect(r.status).toBe(200)
    expect(r.body.data).toHaveLength(1)
  })

  it('answers 404 with _server_messages for a missing document', async () => {
    const r = await h().call('/api/resource/Student/NOPE')
    expect(r.status).toBe(404)
    expect(r.body.exc_type).toBe('DoesNotExistError')
    expect(serverMessages(r.body)[0]?.message).toBe('Student NOPE not found')
    expect(r.body.exc).toBeUndefined()
  })

  it('updates by shallow merge, keeping unsent fields', async () => {
    const created = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body
      .data
    const r = await h().call(`/api/resource/Student/${created.name}`, {
      method: 'PUT',
      json: { city: 'Basel' },
    })
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({ city: 'Basel', first_name: 'Ada' })
    expect(r.body.data.modified > created.modified).toBe(true)
  })

  it('replaces the whole table when a table field is sent', async () => {
    const g = (await h().call('/api/resource/Guardian', { method: 'POST', json: { guardian_name: 'G' } }))
      .body.data
    const created = (
      await h().call('/api/resource/Student', {
        method: 'POST',
        json: {
          ...studentFixture(),
          guardians: [
            { guardian: g.name, relation: 'Mother' },
            { guardian: g.name, relation: 'Father' },
          ],
        },
      })
    ).body.data
    const keep = created.guardians[1]
    const r = await h().call(`/api/resource/Student/${created.name}`, {
      method: 'PUT',
      json: {
        guardians: [
          { name: keep.name, guardian: g.name },
          { guardian: g.name, relation: 'Others' },
        ],
      },
    })
    const rows = r.body.data.guardians
    expect(rows).toHaveLength(2)
    expect(rows[0].name).toBe(keep.name)
    expect(rows[0].relation).toBeUndefined() // unsent column of a sent row becomes null (dropped on read)
    expect(rows[1].relation).toBe('Others')
  })

  it('deletes with 202 {"data":"ok"}', async () => {
    const created = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body
      .data
    const r = await h().call(`/api/resource/Student/${created.name}`, { method: 'DELETE' })
    expect(r).toMatchObject({ status: 202, body: { data: 'ok' } })
    expect((await h().call(`/api/resource/Student/${created.name}`)).status).toBe(404)
  })

  it('answers a bare {"exc_type":"DoesNotExistError"} 404 when deleting a missing document', async () => {
    const r = await h().call('/api/resource/Student/NOPE', { method: 'DELETE' })
    expect(r).toEqual({ status: 404, body: { exc_type: 'DoesNotExistError' }, headers: r.headers })
  })

  it('refuses to delete a submitted document', async () => {
    const pe = (await h().call('/api/resource/Program Enrollment?limit=1')).body.data[0].name
    const r = await h().call(`/api/resource/Program Enrollment/${pe}`, { method: 'DELETE' })
    expect(r.status).toBe(417)
    expect(serverMessages(r.body)[0]?.message).toContain('Submitted Record cannot be deleted')
  })

  it('refuses to delete a linked document with LinkExistsError', async () => {
    const g = (await h().call('/api/resource/Guardian', { method: 'POST', json: { guardian_name: 'G' } }))
      .body.data
    await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), guardians: [{ guardian: g.name }] },
    })
    const r = await h().call(`/api/resource/Guardian/${g.name}`, { method: 'DELETE' })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('LinkExistsError')
  })

  it('answers werkzeug HTML 405 for a wrong verb', async () => {
    const res = await h().fetch('/api/resource/Student', { method: 'PATCH' })
    expect(res.status).toBe(405)
    expect(res.headers.get('content-type')).toContain('text/html')
  })

  it('answers 404 {"exc_type":"DoesNotExistError"} for an unknown /api route', async () => {
    const r = await h().call('/api/nothing/here')
    expect(r.status).toBe(404)
    expect(r.body).toEqual({ exc_type: 'DoesNotExistError' })
  })

  it('answers 404 DoesNotExistError for an unknown doctype', async () => {
    const r = await h().call('/api/resource/Spaceship')
    expect(r.status).toBe(404)
    expect(serverMessages(r.body)[0]?.message).toBe('DocType Spaceship not found')
  })

  it('runs whitelisted controller methods with run_method (submit)', async () => {
    const s = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const pe = (
      await h().call('/api/resource/Program Enrollment', {
        method: 'POST',
        json: {
          student: s,
          program: 'Grade 9',
          academic_year: (await h().call('/api/resource/Academic Year')).body.data[0].name,
          enrollment_date: '2024-09-01',
        },
      })
    ).body.data
    const r = await h().call(`/api/resource/Program Enrollment/${pe.name}`, {
      method: 'POST',
      json: { run_method: 'submit' },
    })
    expect(r.status).toBe(200)
    expect(r.body.data.docstatus).toBe(1)
  })

  it('requires parent for child doctypes (403 without it)', async () => {
    const no = await h().call('/api/resource/Student Guardian')
    expect(no.status).toBe(403)
    const yes = await h().call(
      `/api/resource/Student Guardian?parent=Student&fields=${enc('["name","parent","guardian"]')}&limit=2`,
    )
    expect(yes.status).toBe(200)
    expect(yes.body.data[0]).toHaveProperty('parent')
  })

  it('forbids the restricted user from writing (403 PermissionError)', async () => {
    const r = await h().call('/api/resource/Student', {
      auth: 'restricted',
      method: 'POST',
      json: studentFixture(),
    })
    expect(r.status).toBe(403)
    expect(r.body.exc_type).toBe('PermissionError')
    const read = await h().call('/api/resource/Student?limit=1', { auth: 'restricted' })
    expect(read.status).toBe(200)
  })
})
