import { expect, it } from 'vitest'
import { conformance, serverMessages } from './harness.js'

interface FieldMeta {
  fieldname: string
  fieldtype: string
  label?: string
  options?: string
  fetch_from?: string | null
}

conformance('§6 Link validation on every Link field', (h) => {
  it('every Link field of every seeded draft document refuses a missing target with LinkValidationError', async () => {
    const doctypes = (await h().call('/api/resource/DocType?limit=0&fields=["name","istable","issingle"]'))
      .body.data as { name: string; istable: number; issingle: number }[]
    let checked = 0
    const failures: string[] = []
    for (const dt of doctypes) {
      if (dt.istable || dt.issingle) continue
      const meta = (await h().call(`/api/v2/doctype/${encodeURIComponent(dt.name)}/meta`)).body.data
      const links = (meta.fields as FieldMeta[]).filter(
        // fetch_from fields are overwritten from their source Link before validation, as Frappe does.
        (f) => f.fieldtype === 'Link' && f.options && !f.fetch_from,
      )
      if (links.length === 0) continue
      const drafts = (
        await h().call(
          `/api/resource/${encodeURIComponent(dt.name)}?filters=${encodeURIComponent('[["docstatus","=",0]]')}&limit=1`,
        )
      ).body.data as { name: string }[]
      const draft = drafts[0]
      if (!draft) continue
      for (const f of links) {
        const value = `NoSuch${f.options!.replace(/\W/g, '')}`
        const r = await h().call(
          `/api/resource/${encodeURIComponent(dt.name)}/${encodeURIComponent(draft.name)}`,
          { method: 'PUT', json: { [f.fieldname]: value } },
        )
        const message = serverMessages(r.body)[0]?.message
        const expected = `Could not find ${f.label ?? f.fieldname}: ${value}`
        if (r.status !== 417 || r.body.exc_type !== 'LinkValidationError' || message !== expected) {
          failures.push(`${dt.name}.${f.fieldname}: ${r.status} ${r.body.exc_type} ${message}`)
        }
        checked++
      }
    }
    expect(failures).toEqual([])
    expect(checked).toBeGreaterThan(30)
  })

  it('a Link in a child-table row is validated with the row prefix', async () => {
    const s = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const r = await h().call(`/api/resource/Student/${s}`, {
      method: 'PUT',
      json: { siblings: [{ full_name: 'Sib', gender: 'NoSuchGender' }] },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('LinkValidationError')
    expect(serverMessages(r.body)[0]?.message).toBe('Row #1: Could not find Gender: NoSuchGender')
  })

  it('a Link to a doctype the site does not serve (Student Applicant) finds nothing', async () => {
    const s = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const r = await h().call(`/api/resource/Student/${s}`, {
      method: 'PUT',
      json: { student_applicant: 'EDU-APP-2024-00001' },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('LinkValidationError')
  })

  it('Guardian has no gender field in Education: a sent gender is ignored like any unknown field', async () => {
    const r = await h().call('/api/resource/Guardian', {
      method: 'POST',
      json: { guardian_name: 'Grace Hopper', gender: 'NoSuchGender' },
    })
    expect(r.status).toBe(200)
    expect(r.body.data).not.toHaveProperty('gender')
  })
})
