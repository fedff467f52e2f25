import { describe, expect, it } from 'vitest'
import { diffDocTypeMeta, type DocTypeMeta } from '../src/index.js'
import { frappeError, json, meta, type Seen, testClient } from './helpers.js'

/** A fake site holding Custom Field and DocType documents, answering like Frappe's REST API. */
function site() {
  const customFields = new Map<string, Record<string, unknown>>()
  const doctypes = new Map<string, Record<string, unknown>>()
  let tick = 0
  const handler = (req: Seen) => {
    const path = decodeURIComponent(req.url.pathname)
    if (path === '/api/resource/Custom Field' && req.method === 'GET') {
      const [, , dts] =
        (JSON.parse(req.url.searchParams.get('filters') ?? '[]') as [string, string, string[]][])[0] ?? []
      return json({ data: [...customFields.values()].filter((f) => dts?.includes(String(f.dt))) })
    }
    if (path === '/api/resource/Custom Field' && req.method === 'POST') {
      const doc = JSON.parse(req.body) as Record<string, unknown>
      const name = `${doc.dt}-${doc.fieldname}`
      customFields.set(name, {
        reqd: 0,
        unique: 0,
        allow_on_submit: 0,
        read_only: 0,
        ...doc,
        name,
        modified: `m${++tick}`,
      })
      return json({ data: customFields.get(name) })
    }
    if (path.startsWith('/api/resource/Custom Field/') && req.method === 'PUT') {
      const name = path.slice('/api/resource/Custom Field/'.length)
      const current = customFields.get(name)
      const patch = JSON.parse(req.body) as Record<string, unknown>
      if (!current) return frappeError(404, 'DoesNotExistError')
      if (patch.modified !== current.modified) return frappeError(417, 'TimestampMismatchError', 'changed')
      customFields.set(name, { ...current, ...patch, modified: `m${++tick}` })
      return json({ data: customFields.get(name) })
    }
    if (path.startsWith('/api/resource/DocType/') && req.method === 'GET') {
      const doc = doctypes.get(path.slice('/api/resource/DocType/'.length))
      return doc ? json({ data: doc }) : json({ exc_type: 'DoesNotExistError' }, 404)
    }
    if (path === '/api/resource/DocType' && req.method === 'POST') {
      const doc = JSON.parse(req.body) as Record<string, unknown>
      doctypes.set(String(doc.name), { ...doc, modified: `m${++tick}` })
      return json({ data: doc })
    }
    if (path.startsWith('/api/resource/DocType/') && req.method === 'PUT') {
      const name = path.slice('/api/resource/DocType/'.length)
      const current = doctypes.get(name) as Record<string, unknown>
      doctypes.set(name, { ...current, ...(JSON.parse(req.body) as object), modified: `m${++tick}` })
      return json({ data: doctypes.get(name) })
    }
    return frappeError(404, 'DoesNotExistError')
  }
  return { handler, customFields, doctypes }
}

const spec = {
  customFields: [
    {
      dt: 'Student',
      fieldname: 'ai_learning_profile',
      label: 'AI Learning Profile',
      fieldtype: 'JSON',
      insert_after: 'student_name',
    },
    {
      dt: 'Program Enrollment',
      fieldname: 'ai_learning_path',
      label: 'AI Learning Path',
      fieldtype: 'JSON',
      allow_on_submit: 1 as const,
    },
  ],
  customDocTypes: [
    {
      name: 'AI Engagement Log',
      module: 'EduSync',
      fields: [
        { fieldname: 'student', fieldtype: 'Link', options: 'Student', reqd: 1 as const },
        { fieldname: 'session_date', fieldtype: 'Date' },
      ],
    },
  ],
}

describe('setup.ensureCustomizations', () => {
  it('creates what is missing, then reports everything unchanged on a second run', async () => {
    const s = site()
    const { client } = testClient(s.handler)
    const first = await client.setup.ensureCustomizations(spec)
    expect(first.created.map((i) => i.name)).toEqual([
      'AI Engagement Log',
      'Student-ai_learning_profile',
      'Program Enrollment-ai_learning_path',
    ])
    expect(s.customFields.get('Program Enrollment-ai_learning_path')?.allow_on_submit).toBe(1)
    const second = await client.setup.ensureCustomizations(spec)
    expect(second.created).toEqual([])
    expect(second.changed).toEqual([])
    expect(second.unchanged).toHaveLength(3)
  })

  it('applies safe changes (a label) with the optimistic lock', async () => {
    const s = site()
    const { client } = testClient(s.handler)
    await client.setup.ensureCustomizations(spec)
    const relabelled = {
      ...spec,
      customFields: [{ ...spec.customFields[0], label: 'Learning Profile' }],
    } as typeof spec
    const report = await client.setup.ensureCustomizations(relabelled)
    expect(report.changed[0]?.changes).toEqual(['label: "AI Learning Profile" → "Learning Profile"'])
    expect(s.customFields.get('Student-ai_learning_profile')?.label).toBe('Learning Profile')
  })

  it('refuses a fieldtype change unless allowDestructive', async () => {
    const s = site()
    const { client } = testClient(s.handler)
    await client.setup.ensureCustomizations(spec)
    const retyped = { customFields: [{ ...spec.customFields[0], fieldtype: 'Text' }] } as typeof spec
    const refused = await client.setup.ensureCustomizations(retyped)
    expect(refused.refused[0]?.changes).toEqual(['fieldtype: "JSON" → "Text"'])
    expect(s.customFields.get('Student-ai_learning_profile')?.fieldtype).toBe('JSON')
    const applied = await client.setup.ensureCustomizations(retyped, { allowDestructive: true })
    expect(applied.changed).toHaveLength(1)
    expect(s.customFields.get('Student-ai_learning_profile')?.fieldtype).toBe('Text')
  })

  it('adds a new field to an existing custom DocType', async () => {
    const s = site()
    const { client } = testClient(s.handler)
    await client.setup.ensureCustomizations(spec)
    const more = {
      customDocTypes: [
        {
          ...spec.customDocTypes[0],
          fields: [
            ...(spec.customDocTypes[0]?.fields ?? []),
            { fieldname: 'help_requests', fieldtype: 'Int' },
          ],
        },
      ],
    } as typeof spec
    const report = await client.setup.ensureCustomizations(more)
    expect(report.changed[0]?.changes).toEqual(['add field help_requests (Int)'])
    expect(s.doctypes.get('AI Engagement Log')?.fields).toHaveLength(3)
  })

  it('dryRun writes nothing', async () => {
    const s = site()
    const { client, seen } = testClient(s.handler)
    const report = await client.setup.ensureCustomizations(spec, { dryRun: true })
    expect(report.created).toHaveLength(3)
    expect(seen.every((r) => r.method === 'GET')).toBe(true)
  })
})

describe('meta and drift', () => {
  const liveStudent = {
    name: 'Student',
    istable: 0,
    fields: [
      { fieldname: 'first_name', fieldtype: 'Data', reqd: 1 },
      { fieldname: 'section_1', fieldtype: 'Section Break' },
      { fieldname: 'last_name', fieldtype: 'Small Text' },
      { fieldname: 'student_email_id', fieldtype: 'Data' },
      { fieldname: 'enabled', fieldtype: 'Check' },
      { fieldname: 'joining_date', fieldtype: 'Date' },
      { fieldname: 'guardians', fieldtype: 'Table', options: 'Student Guardian' },
      { fieldname: 'custom_house', fieldtype: 'Link', options: 'School House', is_custom_field: 1 },
    ],
  }
  it('meta() reads getdoctype and drops layout fields', async () => {
    const { client, seen } = testClient(() => json({ docs: [liveStudent] }))
    const m = await client.meta('Student')
    expect(seen[0]?.url.pathname).toBe('/api/method/frappe.desk.form.load.getdoctype')
    expect(m.fields.map((f) => f.fieldname)).not.toContain('section_1')
    expect(m.fields.find((f) => f.fieldname === 'custom_house')?.is_custom_field).toBe(1)
  })

  it('checkDrift reports added, removed and retyped fields', async () => {
    const { client } = testClient(() => json({ docs: [liveStudent] }), { meta })
    const report = await client.checkDrift(['Student'])
    expect(report.drifted).toBe(true)
    const d = report.doctypes[0]
    expect(d?.added.map((f) => f.fieldname)).toEqual(['custom_house'])
    expect(d?.removed.map((f) => f.fieldname)).toEqual(['siblings'])
    expect(d?.retyped).toEqual([
      {
        fieldname: 'last_name',
        expected: { fieldtype: 'Data', options: undefined },
        actual: { fieldtype: 'Small Text', options: undefined },
      },
    ])
  })

  it('a doctype missing on the site is reported', async () => {
    const { client } = testClient(() => json({ exc_type: 'DoesNotExistError' }, 404), { meta })
    const report = await client.checkDrift(['Student'])
    expect(report.doctypes[0]?.missingDocType).toBe(true)
  })

  it('diffDocTypeMeta: identical metadata has no drift', () => {
    const m = meta.Student as unknown as DocTypeMeta
    expect(diffDocTypeMeta(m, m)).toMatchObject({
      added: [],
      removed: [],
      retyped: [],
      missingDocType: false,
    })
  })

  it('diffDocTypeMeta: a Link retargeted is retyped', () => {
    const a: DocTypeMeta = { name: 'X', fields: [{ fieldname: 'l', fieldtype: 'Link', options: 'A' }] }
    const b: DocTypeMeta = { name: 'X', fields: [{ fieldname: 'l', fieldtype: 'Link', options: 'B' }] }
    expect(diffDocTypeMeta(a, b).retyped).toHaveLength(1)
  })
})
