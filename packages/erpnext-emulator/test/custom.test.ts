import { aiCustomDocTypes, aiCustomFields } from '@edusync/doctype-schemas'
import { createEmulator } from '../src/index.js'
import { expect, it } from 'vitest'
import { conformance, serverMessages, studentFixture } from './harness.js'

conformance('§12 custom fields and doctypes', (h) => {
  it('derives custom_ fieldnames from the label and names the doc {dt}-{fieldname}', async () => {
    const r = await h().call('/api/resource/Custom Field', {
      method: 'POST',
      json: {
        dt: 'Student',
        label: 'Loyalty Tier!',
        fieldtype: 'Select',
        options: 'Gold\nSilver',
        insert_after: 'first_name',
      },
    })
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({
      name: 'Student-custom_loyalty_tier',
      fieldname: 'custom_loyalty_tier',
    })
  })

  it('keeps an explicit fieldname (lowercased) without prefix', async () => {
    const r = await h().call('/api/resource/Custom Field', {
      method: 'POST',
      json: { dt: 'Student', fieldname: 'AI_Score', label: 'AI Score', fieldtype: 'Float' },
    })
    expect(r.body.data.fieldname).toBe('ai_score')
  })

  it('makes the new field behave like a built-in one (reads, lists, filters, validation)', async () => {
    await h().call('/api/resource/Custom Field', {
      method: 'POST',
      json: { dt: 'Student', label: 'Loyalty Tier', fieldtype: 'Select', options: 'Gold\nSilver' },
    })
    const s = (
      await h().call('/api/resource/Student', {
        method: 'POST',
        json: { ...studentFixture(), custom_loyalty_tier: 'Gold' },
      })
    ).body.data
    expect(s.custom_loyalty_tier).toBe('Gold')
    const list = await h().call(
      `/api/resource/Student?fields=["name","custom_loyalty_tier"]&filters=${encodeURIComponent('[["custom_loyalty_tier","=","Gold"]]')}`,
    )
    expect(list.body.data).toEqual([{ name: s.name, custom_loyalty_tier: 'Gold' }])
    const bad = await h().call(`/api/resource/Student/${s.name}`, {
      method: 'PUT',
      json: { custom_loyalty_tier: 'Bronze' },
    })
    expect(bad.status).toBe(417)
    const meta = await h().call('/api/v2/doctype/Student/meta')
    expect(meta.body.data.fields.find((f: any) => f.fieldname === 'custom_loyalty_tier')).toMatchObject({
      is_custom_field: 1,
    })
  })

  it('refuses a duplicate fieldname with 417', async () => {
    const r = await h().call('/api/resource/Custom Field', {
      method: 'POST',
      json: { dt: 'Student', fieldname: 'first_name', label: 'x', fieldtype: 'Data' },
    })
    expect(r.status).toBe(417)
    expect(serverMessages(r.body)[0]?.message).toBe(
      'A field with the name first_name already exists in Student',
    )
  })

  it('adds a reserved-name suffix', async () => {
    const r = await h().call('/api/resource/Custom Field', {
      method: 'POST',
      json: { dt: 'Student', fieldname: 'owner', label: 'Owner', fieldtype: 'Data' },
    })
    expect(r.body.data.fieldname).toBe('owner1')
  })

  it('removes the field when the Custom Field is deleted', async () => {
    const cf = (
      await h().call('/api/resource/Custom Field', {
        method: 'POST',
        json: { dt: 'Student', label: 'Temp', fieldtype: 'Data' },
      })
    ).body.data
    await h().call(`/api/resource/Custom Field/${cf.name}`, { method: 'DELETE' })
    const r = await h().call('/api/resource/Student?fields=["custom_temp"]')
    expect(r.status).toBe(417)
  })

  it('creates a custom DocType over REST that then works like a built-in one', async () => {
    const dt = await h().call('/api/resource/DocType', {
      method: 'POST',
      json: {
        name: 'AI Engagement Log',
        module: 'Education',
        custom: 1,
        autoname: 'hash',
        fields: [
          { fieldname: 'student', label: 'Student', fieldtype: 'Link', options: 'Student', reqd: 1 },
          { fieldname: 'session_date', label: 'Session Date', fieldtype: 'Date' },
          { fieldname: 'independence_score', label: 'Independence Score', fieldtype: 'Float' },
          { fieldname: 'idempotency_key', label: 'Idempotency Key', fieldtype: 'Data', unique: 1 },
        ],
        permissions: [{ role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 }],
      },
    })
    expect(dt.status).toBe(200)
    const s = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const doc = await h().fetch('/api/resource/AI Engagement Log', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        student: s,
        session_date: '2025-01-02',
        independence_score: 3,
        idempotency_key: 'k1',
      }),
    })
    const text = await doc.text()
    expect(text).toContain('"independence_score":3.0')
    const dup = await h().call('/api/resource/AI Engagement Log', {
      method: 'POST',
      json: { student: s, idempotency_key: 'k1' },
    })
    expect(dup.body.exc_type).toBe('UniqueValidationError')
    const missing = await h().call('/api/resource/AI Engagement Log', {
      method: 'POST',
      json: { student: 'NOPE' },
    })
    expect(missing.body.exc_type).toBe('LinkValidationError')
  })
})

conformance('§12 installing EduSync AI fields and doctypes over REST', (h) => {
  it('accepts every AI Custom Field and custom DocType definition as setup-erpnext posts them', async () => {
    for (const cf of aiCustomFields) {
      const r = await h().call('/api/resource/Custom Field', { method: 'POST', json: cf })
      expect(r.status, `${cf.dt}.${cf.fieldname}: ${JSON.stringify(r.body).slice(0, 200)}`).toBe(200)
      expect(r.body.data.fieldname).toBe(cf.fieldname)
    }
    for (const dt of aiCustomDocTypes) {
      const r = await h().call('/api/resource/DocType', { method: 'POST', json: dt })
      expect(r.status, `${dt.name}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200)
    }
    const pe = (await h().call('/api/resource/Program Enrollment?limit=1')).body.data[0].name
    const upd = await h().call(`/api/resource/Program Enrollment/${pe}`, {
      method: 'PUT',
      json: { ai_progress_tracking: { week: 3 } },
    })
    expect(upd.status).toBe(200)
    expect(upd.body.data.ai_progress_tracking).toBe('{"week":3}')
    const again = await h().call('/api/resource/Custom Field', { method: 'POST', json: aiCustomFields[0] })
    expect(again.status).toBe(417)
  })
})

it('installAi pre-installs the AI fields and doctypes', () => {
  const e = createEmulator({ installAi: true, seed: 'school-small', seedSize: 4 })
  const s = e.inspect.documents('Student')[0]!
  expect(s).toHaveProperty('ai_learning_profile', null)
  expect(e.inspect.documents('Custom Field').length).toBe(aiCustomFields.length)
  expect(e.inspect.documents('Assessment Insight')).toEqual([])
})

conformance('§12 Module Def records', (h) => {
  const customDocType = (name: string, module: string) => ({
    doctype: 'DocType',
    name,
    module,
    custom: 1,
    autoname: 'hash',
    fields: [{ fieldname: 'note', label: 'Note', fieldtype: 'Data' }],
    permissions: [{ role: 'System Manager', read: 1, write: 1, create: 1, delete: 1 }],
  })

  it('seeds the modules of a Frappe + ERPNext + Education site with their apps', async () => {
    const r = await h().call('/api/resource/Module Def?limit=0&fields=["name","app_name","custom"]')
    const apps = Object.fromEntries(r.body.data.map((m: any) => [m.name, m.app_name]))
    expect(apps).toMatchObject({
      Education: 'education',
      Core: 'frappe',
      Custom: 'frappe',
      Integrations: 'frappe',
      Contacts: 'frappe',
      Setup: 'erpnext',
      Selling: 'erpnext',
    })
    expect(r.body.data.every((m: any) => m.custom === 0)).toBe(true)
  })

  it('a custom DocType in module Education is created through frappe.client.insert', async () => {
    const r = await h().call('/api/method/frappe.client.insert', {
      method: 'POST',
      json: { doc: customDocType('Tutor Note', 'Education') },
    })
    expect(r.status).toBe(200)
    expect(r.body.message.module).toBe('Education')
  })

  it('a custom DocType in a module that does not exist is a LinkValidationError', async () => {
    const r = await h().call('/api/method/frappe.client.insert', {
      method: 'POST',
      json: { doc: customDocType('Tutor Note', 'No Such Module') },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('LinkValidationError')
    expect(serverMessages(r.body)[0]?.message).toBe('Could not find Module: No Such Module')
  })
})

it('the empty seed has the Education Module Def too', async () => {
  const e = createEmulator({ seed: 'empty', timeFactor: 0 })
  const dt = e.insert('DocType', {
    name: 'Tutor Note',
    module: 'Education',
    custom: 1,
    autoname: 'hash',
    fields: [{ fieldname: 'note', label: 'Note', fieldtype: 'Data' }],
    permissions: [{ role: 'System Manager', read: 1, write: 1, create: 1 }],
  })
  expect(dt.module).toBe('Education')
  expect(e.inspect.document('Module Def', 'Education')).toMatchObject({ app_name: 'education' })
  await e.close()
})
