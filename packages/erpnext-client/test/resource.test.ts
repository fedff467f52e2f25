import { describe, expect, it } from 'vitest'
import {
  isDocumentValidationError,
  isUnknownDocTypeError,
  isUnknownFieldError,
  isResponseValidationError,
} from '../src/index.js'
import { z } from 'zod'
import { json, meta, type Seen, testClient } from './helpers.js'

const q = (s: Seen | undefined, key: string) => {
  const v = s?.url.searchParams.get(key)
  return v === null || v === undefined ? v : v.startsWith('[') || v.startsWith('{') ? JSON.parse(v) : v
}

describe('list', () => {
  it('encodes fields, filters, or_filters, order, limit and start as Frappe expects', async () => {
    const { client, seen } = testClient(() => json({ data: [{ name: 'A', first_name: 'Ann' }] }))
    const rows = await client.doc('Student').list({
      fields: ['name', 'first_name'],
      filters: [['enabled', '=', 1]],
      orFilters: { first_name: ['like', 'A%'] },
      orderBy: 'first_name asc',
      limit: 50,
      start: 100,
    })
    expect(rows).toEqual([{ name: 'A', first_name: 'Ann' }])
    const s = seen[0]
    expect(s?.url.pathname).toBe('/api/resource/Student')
    expect(q(s, 'fields')).toEqual(['name', 'first_name'])
    expect(q(s, 'filters')).toEqual([['enabled', '=', 1]])
    expect(q(s, 'or_filters')).toEqual({ first_name: ['like', 'A%'] })
    expect(q(s, 'order_by')).toBe('first_name asc')
    expect(q(s, 'limit_page_length')).toBe('50')
    expect(q(s, 'limit_start')).toBe('100')
  })

  it('always sends an order (Frappe v15 has no default order)', async () => {
    const { client, seen } = testClient(() => json({ data: [] }))
    await client.doc('Student').list()
    expect(q(seen[0], 'order_by')).toBe('modified desc, name desc')
  })

  it('rejects a negative limit with a RangeError naming it', async () => {
    const { client } = testClient(() => json({ data: [] }))
    await expect(client.doc('Student').list({ limit: -1 })).rejects.toThrow(/`limit`/)
  })
})

describe('metadata checks (nothing is sent)', () => {
  it('an unknown doctype in the typed API is an UnknownDocTypeError', () => {
    const { client } = testClient(() => json({}), { meta })
    let error: unknown
    try {
      client.doc('Studnet')
    } catch (e) {
      error = e
    }
    expect(isUnknownDocTypeError(error)).toBe(true)
    expect((error as Error).message).toContain('docUntyped')
  })

  it('docUntyped reaches any doctype', async () => {
    const { client, seen } = testClient(() => json({ data: { name: 'X' } }), { meta })
    await client.docUntyped('ToDo').get('X')
    expect(seen[0]?.url.pathname).toBe('/api/resource/ToDo/X')
  })

  it('a filter on an unknown field is an UnknownFieldError', async () => {
    const { client, seen } = testClient(() => json({ data: [] }), { meta })
    const error = await client
      .doc('Student')
      .list({ filters: { frist_name: 'A' } })
      .catch((e: unknown) => e)
    expect(isUnknownFieldError(error)).toBe(true)
    expect((error as { field: string }).field).toBe('frist_name')
    expect(seen).toHaveLength(0)
  })

  it('child-table filters are checked against the child doctype', async () => {
    const { client } = testClient(() => json({ data: [] }), { meta })
    await expect(
      client.doc('Student').list({ filters: [['Student Guardian', 'guardian', '=', 'G1']] }),
    ).resolves.toEqual([])
    const error = await client
      .doc('Student')
      .list({ filters: [['Student Guardian', 'nope', '=', 'G1']] })
      .catch((e: unknown) => e)
    expect(isUnknownFieldError(error)).toBe(true)
  })

  it('`fields` with table.column are checked', async () => {
    const { client } = testClient(() => json({ data: [] }), { meta })
    await expect(client.doc('Student').list({ fields: ['name', 'guardians.guardian'] })).resolves.toEqual([])
    await expect(client.doc('Student').list({ fields: ['guardians.nope'] })).rejects.toMatchObject({
      code: 'UNKNOWN_FIELD',
    })
  })

  it('unknown fields in orderBy are rejected', async () => {
    const { client } = testClient(() => json({ data: [] }), { meta })
    await expect(client.doc('Student').list({ orderBy: 'nope desc' })).rejects.toMatchObject({
      code: 'UNKNOWN_FIELD',
    })
  })
})

describe('iterate', () => {
  const docs = Array.from({ length: 7 }, (_, i) => ({
    name: `S${i}`,
    // three share one timestamp, to exercise the tie-break on name
    modified: i < 3 ? '2024-01-01 00:00:00.000001' : `2024-01-0${i} 00:00:00.000000`,
  }))
  /** A tiny list endpoint that applies the filters the iterator sends. */
  const server = (req: Seen) => {
    const filters = (q(req, 'filters') ?? []) as [string, string, string][]
    let rows = [...docs]
    for (const [field, op, value] of Array.isArray(filters) ? filters : []) {
      rows = rows.filter((r) => {
        const v = r[field as 'name' | 'modified']
        return op === '=' ? v === value : op === '>' ? v > value : op === '>=' ? v >= value : true
      })
    }
    const order = String(q(req, 'order_by'))
    rows.sort((a, b) =>
      order.startsWith('name')
        ? a.name.localeCompare(b.name)
        : a.modified.localeCompare(b.modified) || a.name.localeCompare(b.name),
    )
    const start = Number(q(req, 'limit_start') ?? 0)
    const limit = Number(q(req, 'limit_page_length'))
    return json({ data: rows.slice(start, start + limit) })
  }

  it('walks every document once in (modified, name) order with a keyset cursor', async () => {
    const { client, seen } = testClient(server)
    const names: string[] = []
    for await (const row of client.doc('Student').iterate({ pageSize: 2 })) names.push(String(row.name))
    expect(names).toEqual(['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6'])
    expect(seen.every((s) => q(s, 'limit_page_length') === '2')).toBe(true)
  })

  it('strips the cursor columns it added', async () => {
    const { client } = testClient(server)
    const rows = []
    for await (const row of client.doc('Student').iterate({ fields: ['name'], pageSize: 3 })) rows.push(row)
    expect(rows[0]).toEqual({ name: 'S0' })
  })

  it('pages by offset with a custom order', async () => {
    const { client, seen } = testClient(server)
    const names: string[] = []
    for await (const row of client.doc('Student').iterate({ orderBy: 'name desc', pageSize: 4 }))
      names.push(String(row.name))
    expect(names).toHaveLength(7)
    expect(seen.map((s) => q(s, 'limit_start'))).toEqual(['0', '4'])
  })
})

describe('writes', () => {
  it('create posts the document and returns data', async () => {
    const { client, seen } = testClient(() => json({ data: { name: 'EDU-STU-1', first_name: 'A' } }), {
      meta,
    })
    const doc = await client.doc('Student').create({ first_name: 'A', student_email_id: 'a@x.org' })
    expect(doc.name).toBe('EDU-STU-1')
    expect(seen[0]?.method).toBe('POST')
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ first_name: 'A', student_email_id: 'a@x.org' })
  })

  it('create refuses unknown fields, including in child rows, before sending', async () => {
    const { client, seen } = testClient(() => json({ data: {} }), { meta })
    const error = await client
      .doc('Student')
      .create({ first_name: 'A', guardians: [{ guardian: 'G', guardain_name: 'x' }] })
      .catch((e: unknown) => e)
    expect(isDocumentValidationError(error)).toBe(true)
    expect((error as { issues: { path: unknown[] }[] }).issues[0]?.path).toEqual([
      'guardians',
      0,
      'guardain_name',
    ])
    expect(seen).toHaveLength(0)
  })

  it('validateOutgoing: false sends unknown fields anyway', async () => {
    const { client, seen } = testClient(() => json({ data: {} }), { meta })
    await client.doc('Student').create({ first_name: 'A', extra: 1 }, { validateOutgoing: false })
    expect(seen).toHaveLength(1)
  })

  it('create applies the zod create schema', async () => {
    const schemas = { Student: { create: z.object({ first_name: z.string().min(1) }).loose() } }
    const { client, seen } = testClient(() => json({ data: {} }), { schemas })
    await expect(client.doc('Student').create({ first_name: '' })).rejects.toMatchObject({
      code: 'DOCUMENT_VALIDATION',
    })
    expect(seen).toHaveLength(0)
  })

  it('update sends modified for the optimistic lock and never a name', async () => {
    const { client, seen } = testClient(() => json({ data: { name: 'A' } }))
    await client
      .doc('Student')
      .update('A', { first_name: 'B', name: 'Z' }, { ifModified: '2024-01-01 10:00:00.123456' })
    expect(seen[0]?.method).toBe('PUT')
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      first_name: 'B',
      modified: '2024-01-01 10:00:00.123456',
    })
  })

  it('delete sends DELETE', async () => {
    const { client, seen } = testClient(() => json({ data: 'ok' }, 202))
    await expect(client.doc('Student').delete('A')).resolves.toBeUndefined()
    expect(seen[0]?.method).toBe('DELETE')
  })

  it('submit and cancel move docstatus', async () => {
    const { client, seen } = testClient(() => json({ data: { name: 'A' } }))
    await client.doc('Program Enrollment').submit('A', { ifModified: 'm1' })
    await client.doc('Program Enrollment').cancel('A')
    expect(seen.map((s) => JSON.parse(s.body))).toEqual([{ docstatus: 1, modified: 'm1' }, { docstatus: 2 }])
  })

  it('count uses frappe.client.get_count', async () => {
    const { client, seen } = testClient(() => json({ message: 42 }))
    await expect(client.doc('Student').count({ enabled: 1 })).resolves.toBe(42)
    expect(seen[0]?.url.pathname).toBe('/api/method/frappe.client.get_count')
    expect(q(seen[0], 'filters')).toEqual({ enabled: 1 })
  })

  it('getValue returns the fields, or undefined when nothing matches', async () => {
    const { client, seen } = testClient((_, i) =>
      i === 0 ? json({ message: { first_name: 'A' } }) : json({}),
    )
    await expect(client.doc('Student').getValue('S1', ['first_name'])).resolves.toEqual({ first_name: 'A' })
    await expect(client.doc('Student').getValue({ enabled: 0 }, ['first_name'])).resolves.toBeUndefined()
    expect(q(seen[0], 'fieldname')).toEqual(['first_name'])
    expect(q(seen[1], 'filters')).toEqual({ enabled: 0 })
  })

  it('setValue posts a fieldname dict', async () => {
    const { client, seen } = testClient(() => json({ message: { name: 'S1' } }))
    await client.doc('Student').setValue('S1', { first_name: 'Z' })
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      doctype: 'Student',
      name: 'S1',
      fieldname: { first_name: 'Z' },
    })
  })
})

describe('response validation', () => {
  const schemas = { Student: { read: z.object({ name: z.string(), first_name: z.string() }) } }
  it('strict throws a ResponseValidationError', async () => {
    const { client } = testClient(() => json({ data: { name: 'A', first_name: 5 } }), {
      schemas,
      validate: 'strict',
    })
    const error = await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)
    expect(isResponseValidationError(error)).toBe(true)
  })
  it('lenient logs a warning and returns the document', async () => {
    const { client, lines } = testClient(() => json({ data: { name: 'A', first_name: 5 } }), {
      schemas,
      validate: 'lenient',
    })
    await expect(client.doc('Student').get('A')).resolves.toEqual({ name: 'A', first_name: 5 })
    expect(lines.some((l) => l.startsWith('warn Student response'))).toBe(true)
  })
  it('per-call validate overrides the client', async () => {
    const { client } = testClient(() => json({ data: { name: 'A', first_name: 5 } }), {
      schemas,
      validate: 'strict',
    })
    await expect(client.doc('Student').get('A', { validate: 'off' })).resolves.toBeTruthy()
  })
})

describe('call', () => {
  it('GETs read-only methods with JSON-encoded args and returns message', async () => {
    const { client, seen } = testClient(() => json({ message: [{ name: 'A' }] }))
    const rows = await client.call('frappe.client.get_list', { doctype: 'Student', fields: ['name'] })
    expect(rows).toEqual([{ name: 'A' }])
    expect(seen[0]?.method).toBe('GET')
    expect(q(seen[0], 'fields')).toEqual(['name'])
  })
  it('POSTs other methods as JSON', async () => {
    const { client, seen } = testClient(() => json({ message: 'ok' }))
    await client.call('my_app.api.do_thing', { a: 1 })
    expect(seen[0]?.method).toBe('POST')
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ a: 1 })
  })
  it('honours verb', async () => {
    const { client, seen } = testClient(() => json({ message: 'ok' }))
    await client.call('my_app.api.thing', {}, { verb: 'PUT' })
    expect(seen[0]?.method).toBe('PUT')
  })
  it('rejects a malformed method path', async () => {
    const { client } = testClient(() => json({}))
    await expect(client.call('../etc', {})).rejects.toThrow(TypeError)
  })
})
