import { expect, it } from 'vitest'
import { conformance, serverMessages, studentFixture } from './harness.js'

const form = (params: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
})

conformance('§5 /api/method', (h) => {
  it('get_list accepts fields="*" and JSON-string params', async () => {
    const r = await h().call(
      '/api/method/frappe.client.get_list',
      form({ doctype: 'Student', fields: '*', limit_page_length: '2' }),
    )
    expect(r.status).toBe(200)
    expect(r.body.message).toHaveLength(2)
    expect(r.body.message[0]).toHaveProperty('first_name')
  })

  it('get_list in a JSON body accepts native arrays', async () => {
    const r = await h().call('/api/method/frappe.client.get_list', {
      method: 'POST',
      json: {
        doctype: 'Student',
        fields: ['name'],
        filters: [['name', 'like', 'EDU-STU-%']],
        limit_page_length: 0,
      },
    })
    expect(r.body.message).toHaveLength(24)
  })

  it('ignores the query string when a JSON body is sent', async () => {
    const r = await h().call('/api/method/frappe.client.get_count?doctype=Nope', {
      method: 'POST',
      json: { doctype: 'Student' },
    })
    expect(r.body.message).toBe(24)
  })

  it('get_count counts with filters', async () => {
    const r = await h().call(
      `/api/method/frappe.client.get_count?doctype=Student&filters=${encodeURIComponent('{"gender":"Female"}')}`,
    )
    expect(typeof r.body.message).toBe('number')
  })

  it('get returns the doc with nulls kept', async () => {
    const name = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const r = await h().call(`/api/method/frappe.client.get?doctype=Student&name=${name}`)
    expect(r.body.message).toHaveProperty('date_of_leaving', null)
    expect(r.body.message.doctype).toBe('Student')
  })

  it('get_value returns {f: v}, {} when nothing matches, and a scalar with as_dict=0', async () => {
    const name = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const one = await h().call(
      `/api/method/frappe.client.get_value?doctype=Student&fieldname=first_name&filters=${name}`,
    )
    expect(Object.keys(one.body.message)).toEqual(['first_name'])
    const none = await h().call(
      '/api/method/frappe.client.get_value?doctype=Student&fieldname=first_name&filters=NOPE',
    )
    expect(none.body.message).toEqual({})
    const scalar = await h().call(
      `/api/method/frappe.client.get_value?doctype=Student&fieldname=first_name&filters=${name}&as_dict=0`,
    )
    expect(typeof scalar.body.message).toBe('string')
  })

  it('set_value updates one field without a modified check; standard fields are refused', async () => {
    const name = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const r = await h().call(
      '/api/method/frappe.client.set_value',
      form({ doctype: 'Student', name, fieldname: 'city', value: 'Bern' }),
    )
    expect(r.body.message.city).toBe('Bern')
    const bad = await h().call(
      '/api/method/frappe.client.set_value',
      form({ doctype: 'Student', name, fieldname: 'owner', value: 'x' }),
    )
    expect(bad.status).toBe(417)
    expect(serverMessages(bad.body)[0]?.message).toBe('Cannot edit standard fields')
  })

  it('set_value is POST/PUT only: GET gives 403', async () => {
    const r = await h().call(
      '/api/method/frappe.client.set_value?doctype=Student&name=x&fieldname=city&value=y',
    )
    expect(r.status).toBe(403)
  })

  it('insert returns the doc with nulls', async () => {
    const r = await h().call('/api/method/frappe.client.insert', {
      method: 'POST',
      json: { doc: { doctype: 'Student', ...studentFixture() } },
    })
    expect(r.body.message).toHaveProperty('middle_name', 'K')
    expect(r.body.message).toHaveProperty('date_of_leaving', null)
  })

  it('insert of a child row returns the parent', async () => {
    const g = (await h().call('/api/resource/Guardian', { method: 'POST', json: { guardian_name: 'G' } }))
      .body.data
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
    const r = await h().call('/api/method/frappe.client.insert', {
      method: 'POST',
      json: {
        doc: {
          doctype: 'Student Guardian',
          parenttype: 'Student',
          parent: s.name,
          parentfield: 'guardians',
          guardian: g.name,
        },
      },
    })
    expect(r.body.message.doctype).toBe('Student')
    expect(r.body.message.guardians).toHaveLength(1)
  })

  it('insert_many returns names and is all-or-nothing', async () => {
    const ok = await h().call('/api/method/frappe.client.insert_many', {
      method: 'POST',
      json: { docs: [1, 2].map((n) => ({ doctype: 'Student', ...studentFixture(n) })) },
    })
    expect(ok.body.message).toHaveLength(2)
    const before = (await h().call('/api/method/frappe.client.get_count?doctype=Student')).body.message
    const bad = await h().call('/api/method/frappe.client.insert_many', {
      method: 'POST',
      json: {
        docs: [
          { doctype: 'Student', ...studentFixture(3) },
          { doctype: 'Student', last_name: 'x' },
        ],
      },
    })
    expect(bad.status).toBe(417)
    expect((await h().call('/api/method/frappe.client.get_count?doctype=Student')).body.message).toBe(before)
  })

  it('insert_many refuses more than 200 docs', async () => {
    const docs = Array.from({ length: 201 }, (_, i) => ({ doctype: 'Student', ...studentFixture(i) }))
    const r = await h().call('/api/method/frappe.client.insert_many', { method: 'POST', json: { docs } })
    expect(r.status).toBe(417)
    expect(serverMessages(r.body)[0]?.message).toBe('Only 200 inserts allowed in one request')
  })

  it('bulk_update takes docs as a JSON string and reports per-item failed_docs', async () => {
    const names = (await h().call('/api/resource/Student?limit=2')).body.data.map((s: any) => s.name)
    const docs = JSON.stringify([
      { doctype: 'Student', docname: names[0], city: 'Lugano' },
      { doctype: 'Student', docname: 'NOPE', city: 'x' },
      { doctype: 'Student', docname: names[1], city: 'Chur', modified: '2000-01-01 00:00:00' },
    ])
    const r = await h().call('/api/method/frappe.client.bulk_update', { method: 'POST', json: { docs } })
    expect(r.status).toBe(200)
    expect(r.body.message.failed_docs).toHaveLength(2)
    expect(r.body.message.failed_docs[0].doc).toEqual({ doctype: 'Student', docname: 'NOPE', city: 'x' })
    expect(r.body.message.failed_docs[0].exc).toMatch(
      /^Traceback \(most recent call last\):\n[\s\S]*frappe\.exceptions\.DoesNotExistError: /,
    )
    expect(r.body.message.failed_docs[1].exc).toContain('TimestampMismatchError')
    expect((await h().call(`/api/resource/Student/${names[0]}`)).body.data.city).toBe('Lugano')
  })

  it('bulk_update with a native JSON array is a 500 TypeError', async () => {
    const r = await h().call('/api/method/frappe.client.bulk_update', { method: 'POST', json: { docs: [] } })
    expect(r.status).toBe(500)
    expect(r.body.exc_type).toBe('TypeError')
  })

  it('delete returns {} and cancel returns the cancelled doc', async () => {
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
    const del = await h().call('/api/method/frappe.client.delete', form({ doctype: 'Student', name: s.name }))
    expect(del.body).toEqual({})
    const student = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const ay = (await h().call('/api/resource/Academic Year')).body.data[0].name
    const pe = (
      await h().call('/api/resource/Program Enrollment', {
        method: 'POST',
        json: {
          student,
          program: 'Grade 11',
          academic_year: ay,
          enrollment_date: '2024-09-01',
          docstatus: 1,
        },
      })
    ).body.data.name
    const c = await h().call(
      '/api/method/frappe.client.cancel',
      form({ doctype: 'Program Enrollment', name: pe }),
    )
    expect(c.status).toBe(200)
    expect(c.body.message.docstatus).toBe(2)
  })

  it('submit submits a full draft doc', async () => {
    const s = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const ay = (await h().call('/api/resource/Academic Year')).body.data[0].name
    const draft = (
      await h().call('/api/method/frappe.client.insert', {
        method: 'POST',
        json: {
          doc: {
            doctype: 'Program Enrollment',
            student: s,
            program: 'Grade 10',
            academic_year: ay,
            enrollment_date: '2024-09-01',
          },
        },
      })
    ).body.message
    const r = await h().call('/api/method/frappe.client.submit', { method: 'POST', json: { doc: draft } })
    expect(r.body.message.docstatus).toBe(1)
  })

  it('answers 417 "Failed to get method" for an unknown method', async () => {
    const r = await h().call('/api/method/frappe.client.nope')
    expect(r.status).toBe(417)
    expect(serverMessages(r.body)[0]?.message).toContain(
      'Failed to get method for command frappe.client.nope',
    )
  })

  it('answers 500 TypeError when a required argument is missing', async () => {
    const r = await h().call('/api/method/frappe.client.get_count')
    expect(r.status).toBe(500)
    expect(r.body.exc_type).toBe('TypeError')
  })

  it('returns metadata from frappe.desk.form.load.getdoctype under "docs"', async () => {
    const r = await h().call('/api/method/frappe.desk.form.load.getdoctype?doctype=Student')
    expect(r.body.docs[0].name).toBe('Student')
    expect(r.body.docs.map((d: any) => d.name)).toContain('Student Guardian')
    expect(r.body.docs[0].fields.find((f: any) => f.fieldname === 'first_name')).toMatchObject({
      fieldtype: 'Data',
      reqd: 1,
    })
  })

  it('a method returning None gives {}', async () => {
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
    const r = await h().call(`/api/method/frappe.client.delete?doctype=Student&name=${s.name}`, {
      method: 'DELETE',
    })
    expect(r.body).toEqual({})
  })
})

conformance('§5 frappe.client.rename_doc', (h) => {
  it('renames a document, moves its child rows and updates links to it', async () => {
    const g = (await h().call('/api/resource/Guardian', { method: 'POST', json: { guardian_name: 'G' } }))
      .body.data
    const s = (
      await h().call('/api/resource/Student', {
        method: 'POST',
        json: { ...studentFixture(), guardians: [{ guardian: g.name }] },
      })
    ).body.data
    const r = await h().call('/api/method/frappe.client.rename_doc', {
      method: 'POST',
      json: { doctype: 'Guardian', old_name: g.name, new_name: 'GUARDIAN-RENAMED' },
    })
    expect(r.body.message).toBe('GUARDIAN-RENAMED')
    expect((await h().call(`/api/resource/Guardian/${g.name}`)).status).toBe(404)
    const student = (await h().call(`/api/resource/Student/${s.name}`)).body.data
    expect(student.guardians[0].guardian).toBe('GUARDIAN-RENAMED')
  })

  it('refuses an existing target name with DuplicateEntryError', async () => {
    const r = await h().call('/api/method/frappe.client.rename_doc', {
      method: 'POST',
      json: { doctype: 'Program', old_name: 'Grade 9', new_name: 'Grade 10' },
    })
    expect(r.status).toBe(409)
  })
})
