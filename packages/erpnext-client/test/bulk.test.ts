import { describe, expect, it } from 'vitest'
import { isTimestampMismatchError } from '../src/index.js'
import { frappeError, json, meta, type Seen, testClient } from './helpers.js'

const body = (s: Seen | undefined) => JSON.parse(s?.body ?? '{}') as Record<string, unknown>

describe('bulkUpdate', () => {
  it('sends docs as a JSON string and returns per-item typed results', async () => {
    const { client, seen } = testClient(() =>
      json({
        message: {
          failed_docs: [
            {
              doc: { doctype: 'Student', docname: 'S2', first_name: 'B', modified: 'old' },
              exc: 'Traceback (most recent call last):\n  File "x"\nfrappe.exceptions.TimestampMismatchError: Document has been modified after you have opened it',
            },
          ],
        },
      }),
    )
    const summary = await client.bulkUpdate([
      { doctype: 'Student', docname: 'S1', first_name: 'A' },
      { doctype: 'Student', docname: 'S2', first_name: 'B', modified: 'old' },
    ])
    expect(seen[0]?.url.pathname).toBe('/api/method/frappe.client.bulk_update')
    const sent = body(seen[0])
    expect(typeof sent.docs).toBe('string')
    expect(JSON.parse(sent.docs as string)).toHaveLength(2)
    expect(summary.updatedCount).toBe(1)
    expect(summary.results[0]).toEqual({ ok: true, doctype: 'Student', docname: 'S1' })
    const failure = summary.failed[0]
    expect(failure?.docname).toBe('S2')
    expect(failure?.excType).toBe('TimestampMismatchError')
    expect(isTimestampMismatchError(failure?.error)).toBe(true)
    expect(failure?.error.status).toBeUndefined()
  })

  it('chunks large updates', async () => {
    const { client, seen } = testClient(() => json({ message: { failed_docs: [] } }))
    const items = Array.from({ length: 450 }, (_, i) => ({
      doctype: 'Student',
      docname: `S${i}`,
      enabled: 1,
    }))
    const summary = await client.bulkUpdate(items)
    expect(seen).toHaveLength(3)
    expect(summary.requests).toBe(3)
    expect(summary.updatedCount).toBe(450)
  })

  it('is not retried after a 503 (a write)', async () => {
    const { client, seen } = testClient(() => frappeError(503, 'x'))
    await expect(
      client.bulkUpdate([{ doctype: 'Student', docname: 'S1', enabled: 1 }]),
    ).rejects.toMatchObject({ status: 503 })
    expect(seen).toHaveLength(1)
  })

  it('validates items before sending', async () => {
    const { client, seen } = testClient(() => json({ message: { failed_docs: [] } }), { meta })
    await expect(client.bulkUpdate([{ doctype: 'Student', docname: 'S1', nope: 1 }])).rejects.toMatchObject({
      code: 'DOCUMENT_VALIDATION',
    })
    expect(seen).toHaveLength(0)
  })
})

describe('insertMany', () => {
  it('sends chunks of at most 200 with the doctype on every doc', async () => {
    const { client, seen } = testClient((req) => {
      const docs = body(req).docs as { first_name: string }[]
      return json({ message: docs.map((d) => `N-${d.first_name}`) })
    })
    const docs = Array.from({ length: 450 }, (_, i) => ({ first_name: String(i) }))
    const summary = await client.insertMany('Student', docs)
    expect(seen.map((s) => (body(s).docs as unknown[]).length)).toEqual([200, 200, 50])
    expect((body(seen[0]).docs as { doctype: string }[])[0]?.doctype).toBe('Student')
    expect(summary.complete).toBe(true)
    expect(summary.names).toHaveLength(450)
  })

  it('reports a failed chunk as all-or-nothing and skips the rest by default', async () => {
    const { client } = testClient((_, i) =>
      i === 1 ? frappeError(417, 'MandatoryError', 'missing') : json({ message: ['a'] }),
    )
    const docs = Array.from({ length: 5 }, (_, i) => ({ first_name: String(i) }))
    const summary = await client.insertMany('Student', docs, { chunkSize: 2 })
    expect(summary.chunks.map((c) => c.status)).toEqual(['inserted', 'failed', 'skipped'])
    expect(summary.complete).toBe(false)
    expect(summary.notInsertedCount).toBe(3)
  })

  it('continueOnError sends the later chunks', async () => {
    const { client } = testClient((_, i) =>
      i === 0 ? frappeError(417, 'ValidationError', 'x') : json({ message: ['b'] }),
    )
    const summary = await client.insertMany('Student', [{ first_name: 'a' }, { first_name: 'b' }], {
      chunkSize: 1,
      continueOnError: true,
    })
    expect(summary.chunks.map((c) => c.status)).toEqual(['failed', 'inserted'])
  })

  it('refuses a chunkSize above 200', async () => {
    const { client } = testClient(() => json({}))
    await expect(client.insertMany('Student', [], { chunkSize: 201 })).rejects.toThrow(RangeError)
  })
})

describe('getMany', () => {
  const parents = Array.from({ length: 30 }, (_, i) => ({
    name: `S${String(i).padStart(3, '0')}`,
    first_name: `F${i}`,
  }))
  const guardians = parents.flatMap((p, i) => [
    {
      name: `g${i}a`,
      parent: p.name,
      parentfield: 'guardians',
      parenttype: 'Student',
      idx: 2,
      guardian: `G${i}b`,
    },
    {
      name: `g${i}b`,
      parent: p.name,
      parentfield: 'guardians',
      parenttype: 'Student',
      idx: 1,
      guardian: `G${i}a`,
    },
  ])
  const server = (req: Seen) => {
    const args =
      req.method === 'POST'
        ? body(req)
        : Object.fromEntries(
            [...req.url.searchParams].map(([k, v]) => [
              k,
              k === 'filters' || k === 'fields' ? JSON.parse(v) : v,
            ]),
          )
    const doctype =
      req.method === 'POST' ? args.doctype : decodeURIComponent(req.url.pathname.split('/').pop() ?? '')
    const [field, , values] = (args.filters as [string, string, string[]][])[0] ?? ['', '', []]
    if (doctype === 'Student') {
      const data = parents.filter((p) => values.includes(p.name))
      return json(req.method === 'POST' ? { message: data } : { data })
    }
    if (doctype === 'Student Guardian') {
      if (args.parent !== 'Student') return frappeError(403, 'PermissionError')
      const data = guardians.filter((g) => values.includes(g[field as 'parent']))
      return json(req.method === 'POST' ? { message: data } : { data })
    }
    return json(req.method === 'POST' ? { message: [] } : { data: [] })
  }

  it('fetches parents and one child table in 2 requests, rows in idx order, input order kept', async () => {
    const { client, seen } = testClient(server, { meta })
    const names = [...parents.map((p) => p.name)].reverse()
    const result = await client.getMany('Student', [...names, 'MISSING'], { withChildren: ['guardians'] })
    expect(seen).toHaveLength(2)
    expect(result.requests).toBe(2)
    expect(result.docs.map((d) => d.name)).toEqual(names)
    expect(result.missing).toEqual(['MISSING'])
    const first = result.docs[0] as { guardians: { guardian: string }[] }
    expect(first.guardians.map((g) => g.guardian)).toEqual(['G29a', 'G29b'])
    expect(body(seen[1]).parent).toBe('Student')
  })

  it('withChildren: true fetches every child table (one request each)', async () => {
    const { client, seen } = testClient(server, { meta })
    const result = await client.getMany('Student', ['S000'], { withChildren: true })
    expect(seen).toHaveLength(3)
    expect(result.docs[0]).toMatchObject({ guardians: expect.any(Array), siblings: [] })
  })

  it("transport: 'get' chunks names by URL length", async () => {
    const { client, seen } = testClient(server, { meta })
    const result = await client.getMany(
      'Student',
      parents.map((p) => p.name),
      { transport: 'get', maxUrlLength: 600, withChildren: ['guardians'] },
    )
    expect(result.docs).toHaveLength(30)
    expect(seen.every((s) => s.url.href.length <= 600)).toBe(true)
    expect(seen.length).toBeGreaterThan(2)
    expect(
      seen
        .filter((s) => s.url.pathname.endsWith('Student%20Guardian'))
        .every((s) => s.url.searchParams.get('parent') === 'Student'),
    ).toBe(true)
  })

  it('loads metadata from the site when the client has none', async () => {
    const { client, seen } = testClient((req) =>
      req.url.pathname.endsWith('getdoctype')
        ? json({
            docs: [
              {
                name: 'Student',
                fields: [{ fieldname: 'guardians', fieldtype: 'Table', options: 'Student Guardian' }],
              },
            ],
          })
        : server(req),
    )
    const result = await client.getMany('Student', ['S001'], { withChildren: true })
    expect(seen).toHaveLength(3)
    expect(result.requests).toBe(3)
    expect((result.docs[0] as { guardians: unknown[] }).guardians).toHaveLength(2)
  })

  it('an unknown child table name is an error', async () => {
    const { client } = testClient(server, { meta })
    await expect(client.getMany('Student', ['S001'], { withChildren: ['nope'] })).rejects.toMatchObject({
      code: 'UNKNOWN_FIELD',
    })
  })

  it('no names, no requests', async () => {
    const { client, seen } = testClient(server, { meta })
    await expect(client.getMany('Student', [])).resolves.toMatchObject({ docs: [], requests: 0 })
    expect(seen).toHaveLength(0)
  })
})
