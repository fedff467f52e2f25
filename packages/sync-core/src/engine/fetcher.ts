import type { ErpDoc, ErpnextPort } from './ports.js'
import { chunk } from './util.js'

/** Normalise ERPNext's `modified` to `YYYY-MM-DD HH:MM:SS.ffffff` so it compares lexically. */
export function modifiedKey(modified: string): string {
  const [date = '', time = ''] = modified.trim().split(' ')
  if (!time) return `${date} 00:00:00.000000`
  const [hms = '', frac = ''] = time.split('.')
  const [h = '0', m = '0', s = '0'] = hms.split(':')
  return `${date} ${h.padStart(2, '0')}:${m.padStart(2, '0')}:${s.padStart(2, '0')}.${frac.padEnd(6, '0').slice(0, 6)}`
}

/** The children of a doctype: table fieldname → child doctype. */
export type ChildTables = Readonly<Record<string, string>>

/**
 * Fetches documents with their child tables in a constant number of requests: one list request for the
 * parents and one per child doctype, whatever the number of documents (up to `chunkSize` names per request).
 * @internal
 */
export class DocFetcher {
  readonly #client: ErpnextPort
  readonly #chunkSize: number
  constructor(client: ErpnextPort, chunkSize: number) {
    // List rows carry no `doctype` key (only `frappe.client.get` adds it): add it so a mirrored document
    // looks like the document ERPNext serves.
    this.#client = {
      ...client,
      list: async (doctype, request) => {
        const rows = await client.list(doctype, request)
        if (request.fields.includes('*'))
          for (const row of rows) if (row.doctype === undefined) row.doctype = doctype
        return rows
      },
    }
    this.#chunkSize = chunkSize
  }

  /**
   * Fetch the named documents; names ERPNext does not return are reported as missing. The parent list and
   * the child-table lists are independent (children are filtered by the requested names), so they run
   * concurrently: one round trip of latency.
   */
  async byNames(
    doctype: string,
    children: ChildTables,
    names: readonly string[],
  ): Promise<{ docs: ErpDoc[]; missing: string[] }> {
    const unique = [...new Set(names)]
    const parts = chunk(unique, this.#chunkSize)
    const [lists, rows] = await Promise.all([
      Promise.all(
        parts.map((part) =>
          this.#client.list(doctype, {
            fields: ['*'],
            filters: [['name', 'in', part]],
            orderBy: 'name asc',
            limit: 0,
          }),
        ),
      ),
      this.#childRows(doctype, children, unique),
    ])
    const docs = lists.flat()
    this.#assign(children, docs, rows)
    const found = new Set(docs.map((d) => String(d.name)))
    return { docs, missing: unique.filter((n) => !found.has(n)) }
  }

  /** Fill the child tables of `docs` in place: one list request per child doctype (per chunk of parents). */
  async attachChildren(doctype: string, children: ChildTables, docs: ErpDoc[]): Promise<void> {
    if (Object.keys(children).length === 0 || docs.length === 0) return
    const rows = await this.#childRows(
      doctype,
      children,
      docs.map((d) => String(d.name)),
    )
    this.#assign(children, docs, rows)
  }

  /** The child rows of the named parents, one list per child doctype, all concurrently. */
  async #childRows(doctype: string, children: ChildTables, parents: readonly string[]): Promise<ErpDoc[]> {
    const childDoctypes = [...new Set(Object.values(children))]
    if (childDoctypes.length === 0 || parents.length === 0) return []
    const lists = await Promise.all(
      childDoctypes.flatMap((childDoctype) =>
        chunk(parents, this.#chunkSize).map((part) =>
          this.#client.list(childDoctype, {
            fields: ['*'],
            filters: [
              ['parenttype', '=', doctype],
              ['parent', 'in', part],
            ],
            orderBy: 'parent asc, idx asc',
            limit: 0,
            parent: doctype,
          }),
        ),
      ),
    )
    return lists.flat()
  }

  #assign(children: ChildTables, docs: ErpDoc[], rows: readonly ErpDoc[]): void {
    const fields = Object.keys(children)
    if (fields.length === 0) return
    const byName = new Map(docs.map((d) => [String(d.name), d]))
    for (const doc of docs) for (const field of fields) doc[field] = []
    for (const row of rows) {
      const parent = byName.get(String(row.parent))
      const field = String(row.parentfield)
      if (parent && fields.includes(field) && children[field] === row.doctype)
        (parent[field] as ErpDoc[]).push(row)
    }
    for (const doc of docs)
      for (const field of fields)
        (doc[field] as ErpDoc[]).sort((a, b) => Number(a.idx ?? 0) - Number(b.idx ?? 0))
  }

  /**
   * The next page after a (modified, name) cursor, in (modified, name) order, with tie handling: documents
   * sharing the cursor's `modified` are never skipped, even when more than a page of them exists.
   */
  async nextPage(
    doctype: string,
    cursor: { modified: string; name: string } | null,
    pageSize: number,
  ): Promise<{ docs: ErpDoc[]; exhausted: boolean }> {
    const order = 'modified asc, name asc'
    if (!cursor) {
      const docs = await this.#client.list(doctype, { fields: ['*'], orderBy: order, limit: pageSize })
      return { docs, exhausted: docs.length < pageSize }
    }
    const key = modifiedKey(cursor.modified)
    // `>=` returns the cursor's own row again (and any ties before it): ask for one more to keep pages full.
    const limit = pageSize + 1
    const rows = await this.#client.list(doctype, {
      fields: ['*'],
      filters: [['modified', '>=', cursor.modified]],
      orderBy: order,
      limit,
    })
    const after = rows.filter((r) => {
      const k = modifiedKey(String(r.modified))
      return k > key || (k === key && String(r.name) > cursor.name)
    })
    if (after.length > 0 || rows.length < limit) return { docs: after, exhausted: rows.length < limit }
    // A full page of already-applied ties: walk the rest of the tie group by name, then move past it.
    const ties = await this.#client.list(doctype, {
      fields: ['*'],
      filters: [
        ['modified', '=', cursor.modified],
        ['name', '>', cursor.name],
      ],
      orderBy: 'name asc',
      limit: pageSize,
    })
    if (ties.length > 0) return { docs: ties, exhausted: false }
    const later = await this.#client.list(doctype, {
      fields: ['*'],
      filters: [['modified', '>', cursor.modified]],
      orderBy: order,
      limit: pageSize,
    })
    return { docs: later, exhausted: later.length < pageSize }
  }
}
