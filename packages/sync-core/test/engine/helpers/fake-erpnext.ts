/**
 * An in-memory ERPNext port for the engine's unit tests: Frappe's list semantics (filters `=`, `!=`, `>`,
 * `>=`, `<`, `<=`, `in`; `order_by`; `limit`), `get_count`, `bulk_update` with the `modified` check and
 * `insert_many` (all or nothing, unique fields). End-to-end tests use `@edusync/erpnext-emulator` instead.
 */
import type {
  BulkUpdateFailure,
  ErpDoc,
  ErpFilter,
  ErpnextPort,
  ListRequest,
} from '../../../src/engine/ports.js'

export interface FakeErpnext extends ErpnextPort {
  readonly tables: Map<string, Map<string, ErpDoc>>
  /** Requests made, by method. */
  readonly calls: { method: string; doctype: string }[]
  /** Throw this error on the next N requests. */
  failNext(n: number, error: () => unknown): void
  /** Create or replace a parent document (children given under their table fields). */
  put(doctype: string, doc: ErpDoc, children?: Record<string, string>): ErpDoc
  /** Edit fields as a user in ERPNext would: bumps `modified`. */
  edit(doctype: string, name: string, fields: ErpDoc): ErpDoc
  remove(doctype: string, name: string): void
  unique: Map<string, string>
}

export function createFakeErpnext(options: { start?: number } = {}): FakeErpnext {
  const tables = new Map<string, Map<string, ErpDoc>>()
  const calls: { method: string; doctype: string }[] = []
  const childOf = new Map<string, Record<string, string>>()
  let clock = options.start ?? Date.UTC(2025, 0, 1)
  let failures: { n: number; error: () => unknown } = { n: 0, error: () => new Error('x') }
  let seq = 0
  const stamp = () => {
    clock += 1
    const d = new Date(clock)
    const pad = (n: number, w = 2) => String(n).padStart(w, '0')
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000`
  }
  const table = (doctype: string) => {
    let t = tables.get(doctype)
    if (!t) tables.set(doctype, (t = new Map()))
    return t
  }
  const maybeFail = (method: string, doctype: string) => {
    calls.push({ method, doctype })
    if (failures.n > 0) {
      failures.n--
      throw failures.error()
    }
  }
  const cmp = (a: unknown, b: unknown) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)
  const match = (row: ErpDoc, [field, op, value]: ErpFilter) => {
    const v = row[field]
    switch (op) {
      case '=':
        return String(v ?? '') === String(value)
      case '!=':
        return String(v ?? '') !== String(value)
      case '>':
        return cmp(v, value) > 0
      case '>=':
        return cmp(v, value) >= 0
      case '<':
        return cmp(v, value) < 0
      case '<=':
        return cmp(v, value) <= 0
      case 'in':
        return (value as unknown[]).map(String).includes(String(v))
      default:
        throw Object.assign(new Error(`operator ${op}`), { status: 417, code: 'VALIDATION' })
    }
  }
  const rowsOf = (doctype: string): ErpDoc[] => {
    const parentTables = [...childOf.entries()].filter(([, c]) => Object.values(c).includes(doctype))
    if (parentTables.length === 0) return [...table(doctype).values()]
    const out: ErpDoc[] = []
    for (const [parent, fields] of parentTables)
      for (const doc of table(parent).values())
        for (const [field, child] of Object.entries(fields))
          if (child === doctype) for (const row of (doc[field] as ErpDoc[]) ?? []) out.push(row)
    return out
  }
  const fake: FakeErpnext = {
    tables,
    calls,
    unique: new Map(),
    failNext(n, error) {
      failures = { n, error }
    },
    put(doctype, doc, children = {}) {
      if (Object.keys(children).length > 0)
        childOf.set(doctype, { ...(childOf.get(doctype) ?? {}), ...children })
      const name = String(doc.name)
      const modified = typeof doc.modified === 'string' ? doc.modified : stamp()
      const full: ErpDoc = { doctype, docstatus: 0, idx: 0, ...doc, name, modified }
      for (const [field] of Object.entries(childOf.get(doctype) ?? {})) {
        full[field] = ((doc[field] as ErpDoc[]) ?? []).map((row, i) => ({
          name: `row${++seq}`,
          ...row,
          parent: name,
          parentfield: field,
          parenttype: doctype,
          idx: i + 1,
          doctype: childOf.get(doctype)?.[field],
        }))
      }
      table(doctype).set(name, full)
      return full
    },
    edit(doctype, name, fields) {
      const prev = table(doctype).get(name)
      if (!prev) throw new Error(`no ${doctype} ${name}`)
      const next = { ...prev, ...fields, modified: stamp() }
      table(doctype).set(name, next)
      return next
    },
    remove(doctype, name) {
      table(doctype).delete(name)
    },
    async list(doctype: string, request: ListRequest) {
      maybeFail('list', doctype)
      let rows = rowsOf(doctype).filter((r) => (request.filters ?? []).every((f) => match(r, f)))
      const order = request.orderBy.split(',').map((p) => p.trim().split(/\s+/) as [string, string?])
      rows.sort((a, b) => {
        for (const [field, dir] of order) {
          const c = cmp(a[field], b[field])
          if (c !== 0) return dir === 'desc' ? -c : c
        }
        return 0
      })
      rows = rows.slice(request.limitStart ?? 0)
      if (request.limit > 0) rows = rows.slice(0, request.limit)
      const childTables = childOf.get(doctype) ?? {}
      return rows.map((r) => {
        const out: ErpDoc = {}
        if (request.fields.includes('*')) {
          for (const [k, v] of Object.entries(r)) if (!(k in childTables)) out[k] = v
        } else for (const f of request.fields) out[f] = r[f] ?? null
        return structuredClone(out)
      })
    },
    async count(doctype, filters) {
      maybeFail('count', doctype)
      return rowsOf(doctype).filter((r) => (filters ?? []).every((f) => match(r, f))).length
    },
    async bulkUpdate(items) {
      maybeFail('bulk_update', items[0]?.doctype ?? '')
      const failed: BulkUpdateFailure[] = []
      for (const item of items) {
        const prev = table(item.doctype).get(item.docname)
        if (!prev) {
          failed.push({
            doctype: item.doctype,
            docname: item.docname,
            timestampMismatch: false,
            error: 'DoesNotExistError',
          })
          continue
        }
        if (prev.modified !== item.modified) {
          failed.push({
            doctype: item.doctype,
            docname: item.docname,
            timestampMismatch: true,
            error: 'TimestampMismatchError',
          })
          continue
        }
        table(item.doctype).set(item.docname, { ...prev, ...item.fields, modified: stamp() })
      }
      return failed
    },
    async insertMany(doctype, docs) {
      maybeFail('insert_many', doctype)
      if (docs.length > 200)
        throw Object.assign(new Error('Only 200 inserts allowed'), { status: 417, code: 'VALIDATION' })
      const field = fake.unique.get(doctype)
      const t = table(doctype)
      for (const d of docs) {
        if (d.bad === true)
          throw Object.assign(new Error('MandatoryError'), { status: 417, code: 'MANDATORY' })
        if (field && [...t.values()].some((x) => x[field] === d[field]))
          throw Object.assign(new Error('UniqueValidationError'), { status: 417, code: 'UNIQUE_VALIDATION' })
      }
      return docs.map((d) => {
        const name = `${doctype.replace(/\s/g, '').toUpperCase()}-${++seq}`
        t.set(name, { ...d, name, doctype, modified: stamp() })
        return name
      })
    },
  }
  return fake
}
