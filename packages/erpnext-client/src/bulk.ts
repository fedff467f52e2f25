import { type ERPNextError, isERPNextError, ValidationError } from './errors.js'
import type { DocTypeMeta } from './meta.js'
import type { CallOptions } from './resource.js'
import { errorForStatus } from './response.js'
import type { Transport } from './transport.js'
import type { AnyDoc } from './types.js'
import type { Validator } from './validation.js'

/** One document for {@link BulkApi.bulkUpdate}: which document, and the fields to set. */
export type BulkUpdateItem = {
  /** The doctype. */
  readonly doctype: string
  /** The document name. */
  readonly docname: string
  /** Include the `modified` you read to get the optimistic lock for this item. */
  readonly modified?: string
} & { readonly [field: string]: unknown }

/** The outcome of one item of a bulk update. */
export type BulkUpdateResult =
  | { readonly ok: true; readonly doctype: string; readonly docname: string }
  | {
      readonly ok: false
      readonly doctype: string
      readonly docname: string
      /** Frappe's exception class, e.g. `TimestampMismatchError`. */
      readonly excType: string | undefined
      /** The typed error for this item (status is undefined: the request itself succeeded). */
      readonly error: ERPNextError
    }

/** Summary of {@link BulkApi.bulkUpdate}. */
export interface BulkUpdateSummary {
  /** One result per input item, in input order. */
  readonly results: readonly BulkUpdateResult[]
  /** Items that failed. */
  readonly failed: readonly Extract<BulkUpdateResult, { ok: false }>[]
  /** Number of items updated. */
  readonly updatedCount: number
  /** Requests sent. */
  readonly requests: number
}

/** Options of {@link BulkApi.bulkUpdate}. */
export interface BulkUpdateOptions extends CallOptions {
  /** Items per request. @default 200 */
  readonly chunkSize?: number
}

/** One chunk of {@link BulkApi.insertMany}: a chunk is one server transaction, all or nothing. */
export type InsertChunkResult =
  | {
      readonly status: 'inserted'
      readonly offset: number
      readonly count: number
      readonly names: readonly string[]
    }
  | {
      readonly status: 'failed'
      readonly offset: number
      readonly count: number
      readonly error: ERPNextError
    }
  | { readonly status: 'skipped'; readonly offset: number; readonly count: number }

/** Summary of {@link BulkApi.insertMany}. */
export interface InsertManySummary {
  /** Names of every inserted document, in input order. */
  readonly names: readonly string[]
  /** Per chunk: inserted (all its docs), failed (none of its docs — the server rolled it back) or skipped. */
  readonly chunks: readonly InsertChunkResult[]
  /** True when every document was inserted. */
  readonly complete: boolean
  /** Documents not inserted (failed or skipped chunks). */
  readonly notInsertedCount: number
}

/** Options of {@link BulkApi.insertMany}. */
export interface InsertManyOptions extends CallOptions {
  /** Documents per request (one transaction each), at most 200 (Frappe's limit). @default 200 */
  readonly chunkSize?: number
  /** Keep sending later chunks after one fails. @default false */
  readonly continueOnError?: boolean
}

/** Options of {@link BulkApi.getMany}. */
export interface GetManyOptions<S extends readonly string[] = readonly string[]> extends CallOptions {
  /** Parent columns. @default ['*'] */
  readonly fields?: S
  /** Child tables to attach: `true` for all of them, or table field names. @default false */
  readonly withChildren?: boolean | readonly string[]
  /**
   * `post` sends one `frappe.client.get_list` per list with the names in the body (no URL limit, so one
   * request per list); `get` uses `GET /api/resource` with names chunked to keep URLs under `maxUrlLength`.
   * @default 'post'
   */
  readonly transport?: 'post' | 'get'
  /** Longest URL for `transport: 'get'`. @default 7000 */
  readonly maxUrlLength?: number
}

/** Result of {@link BulkApi.getMany}. */
export interface GetManyResult<D> {
  /** Found documents, in the order of the input names. */
  readonly docs: readonly D[]
  /** Names that do not exist (or are not readable). */
  readonly missing: readonly string[]
  /** Requests sent. */
  readonly requests: number
}

/** Bulk operations. */
export interface BulkApi {
  /**
   * Update many documents through `frappe.client.bulk_update` (`docs` sent as a JSON string, as the
   * server requires). Per-item failures come back as typed results; the request itself commits. Not
   * retried on failure (it is a write), except after a 429.
   */
  bulkUpdate(items: readonly BulkUpdateItem[], options?: BulkUpdateOptions): Promise<BulkUpdateSummary>
  /**
   * Insert many documents through `frappe.client.insert_many`, in chunks of at most 200. Each chunk is
   * all-or-nothing on the server; the summary says exactly which documents were inserted.
   */
  insertMany(
    doctype: string,
    docs: readonly AnyDoc[],
    options?: InsertManyOptions,
  ): Promise<InsertManySummary>
  /**
   * Fetch many documents with their child tables in a constant number of requests: one list for the
   * parents (`name in [...]`) and one per child table (`parent in [...]`), never one request per document.
   */
  getMany(doctype: string, names: readonly string[], options?: GetManyOptions): Promise<GetManyResult<AnyDoc>>
}

function chunkSize(value: unknown, option: string, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`[@edusync/erpnext-client] \`${option}\` must be an integer from 1 to ${max}.`)
  }
  return value
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Turn one `failed_docs` traceback into a typed error (last line: `frappe.exceptions.X: message`). */
function itemError(
  exc: unknown,
  doctype: string,
  docname: string,
  exposeServerMessages: boolean,
): { excType: string | undefined; error: ERPNextError } {
  let text = typeof exc === 'string' ? exc : ''
  try {
    const parsed = JSON.parse(text)
    if (Array.isArray(parsed)) text = String(parsed.at(-1) ?? '')
  } catch {
    // a plain traceback string
  }
  const lines = text.trim().split('\n')
  const last = lines.at(-1)?.trim() ?? ''
  const match = /^(?:[\w.]+\.)?(\w+(?:Error|Exception))(?::\s*(.*))?$/.exec(last)
  const excType = match?.[1]
  const message = match?.[2]?.trim()
  const error = errorForStatus({
    status: 417,
    body: {
      exc_type: excType,
      _server_messages: message
        ? JSON.stringify([JSON.stringify({ message, raise_exception: 1 })])
        : undefined,
    },
    request: { method: 'POST', url: 'frappe.client.bulk_update', headers: {} },
    label: `bulk_update item ${doctype} ${docname}`,
    doctype,
    docname,
    authenticated: true,
    expiringCredential: false,
    exposeServerMessages,
  })
  Object.defineProperty(error, 'status', { value: undefined })
  return { excType, error: isERPNextError(error) ? error : new ValidationError(String(message)) }
}

/** @internal Build the bulk API. */
export function createBulkApi(
  transport: Transport,
  validator: Validator,
  loadMeta: (doctype: string, options?: CallOptions) => Promise<DocTypeMeta>,
): BulkApi {
  const listPost = async (
    doctype: string,
    args: Record<string, unknown>,
    options: CallOptions | undefined,
  ): Promise<AnyDoc[]> => {
    const { body } = await transport.request({
      method: 'POST',
      path: '/api/method/frappe.client.get_list',
      json: { doctype, limit_page_length: 0, ...args },
      idempotent: true,
      doctype,
      signal: options?.signal,
    })
    const rows = (body as { message?: unknown }).message
    return Array.isArray(rows) ? (rows as AnyDoc[]) : []
  }

  const api: BulkApi = {
    async bulkUpdate(items, options = {}) {
      if (!Array.isArray(items))
        throw new TypeError('[@edusync/erpnext-client] bulkUpdate(items): expected an array.')
      const size = chunkSize(options.chunkSize, 'chunkSize', 10_000, 200)
      const outgoing = options.validateOutgoing ?? transport.options.validateOutgoing
      for (const item of items) {
        if (typeof item?.doctype !== 'string' || typeof item?.docname !== 'string') {
          throw new TypeError(
            '[@edusync/erpnext-client] bulkUpdate(items): every item needs `doctype` and `docname` strings.',
          )
        }
        const { doctype, docname, ...fields } = item
        validator.checkOutgoing(doctype, fields, 'update', outgoing)
      }
      const results: BulkUpdateResult[] = []
      let requests = 0
      for (const chunk of chunks(items, size)) {
        requests++
        const { body } = await transport.request({
          method: 'POST',
          path: '/api/method/frappe.client.bulk_update',
          // The server calls json.loads on `docs`: a native array would be a 500.
          json: { docs: JSON.stringify(chunk) },
          idempotent: false,
          signal: options.signal,
        })
        const message = (body as { message?: { failed_docs?: unknown } }).message
        const failedDocs = Array.isArray(message?.failed_docs) ? message.failed_docs : []
        // Frappe echoes each failed item (with doctype and docname) in input order. Match on the name
        // when present; otherwise on the item's other fields, in order.
        const failedAt = new Map<number, unknown>()
        const canonical = (doc: Record<string, unknown>) => {
          const { doctype: _t, docname: _n, name: _m, ...rest } = doc
          return JSON.stringify(
            Object.keys(rest)
              .sort()
              .map((k) => [k, rest[k]]),
          )
        }
        let cursor = 0
        for (const f of failedDocs as { doc?: Record<string, unknown>; exc?: unknown }[]) {
          const doc = f?.doc ?? {}
          const name = doc.docname ?? doc.name
          let index = -1
          if (name !== undefined) {
            index = chunk.findIndex(
              (item, i) =>
                !failedAt.has(i) &&
                item.docname === String(name) &&
                (doc.doctype === undefined || item.doctype === doc.doctype),
            )
          } else {
            const key = canonical(doc)
            for (let i = cursor; i < chunk.length; i++) {
              if (!failedAt.has(i) && canonical(chunk[i] as Record<string, unknown>) === key) {
                index = i
                break
              }
            }
          }
          if (index !== -1) {
            failedAt.set(index, f?.exc)
            cursor = Math.max(cursor, index + 1)
          }
        }
        chunk.forEach((item, i) => {
          if (failedAt.has(i)) {
            const { excType, error } = itemError(
              failedAt.get(i),
              item.doctype,
              item.docname,
              transport.options.exposeServerMessages,
            )
            results.push({ ok: false, doctype: item.doctype, docname: item.docname, excType, error })
          } else results.push({ ok: true, doctype: item.doctype, docname: item.docname })
        })
      }
      const failed = results.filter((r): r is Extract<BulkUpdateResult, { ok: false }> => !r.ok)
      return Object.freeze({ results, failed, updatedCount: results.length - failed.length, requests })
    },

    async insertMany(doctype, docs, options = {}) {
      if (typeof doctype !== 'string' || doctype.length === 0) {
        throw new TypeError('[@edusync/erpnext-client] insertMany(doctype, docs): expected a doctype name.')
      }
      if (!Array.isArray(docs))
        throw new TypeError('[@edusync/erpnext-client] insertMany(doctype, docs): expected an array.')
      const size = chunkSize(options.chunkSize, 'chunkSize', 200, 200)
      const outgoing = options.validateOutgoing ?? transport.options.validateOutgoing
      for (const doc of docs) validator.checkOutgoing(doctype, doc, 'create', outgoing)
      const names: string[] = []
      const results: InsertChunkResult[] = []
      let stopped = false
      let offset = 0
      for (const chunk of chunks(docs, size)) {
        const count = chunk.length
        if (stopped) {
          results.push({ status: 'skipped', offset, count })
          offset += count
          continue
        }
        try {
          const { body } = await transport.request({
            method: 'POST',
            path: '/api/method/frappe.client.insert_many',
            json: { docs: chunk.map((d) => ({ ...d, doctype })) },
            idempotent: false,
            doctype,
            signal: options.signal,
          })
          const message = (body as { message?: unknown }).message
          const inserted = Array.isArray(message) ? message.map(String) : []
          names.push(...inserted)
          results.push({ status: 'inserted', offset, count, names: inserted })
        } catch (error) {
          if (!isERPNextError(error)) throw error
          results.push({ status: 'failed', offset, count, error })
          if (!options.continueOnError) stopped = true
        }
        offset += count
      }
      const notInsertedCount = results.filter((r) => r.status !== 'inserted').reduce((n, r) => n + r.count, 0)
      return Object.freeze({ names, chunks: results, complete: notInsertedCount === 0, notInsertedCount })
    },

    async getMany(doctype, names, options = {}) {
      if (typeof doctype !== 'string' || doctype.length === 0) {
        throw new TypeError('[@edusync/erpnext-client] getMany(doctype, names): expected a doctype name.')
      }
      if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
        throw new TypeError('[@edusync/erpnext-client] getMany(doctype, names): expected an array of names.')
      }
      const via = options.transport ?? 'post'
      if (via !== 'post' && via !== 'get') {
        throw new TypeError("[@edusync/erpnext-client] getMany(): `transport` must be 'post' or 'get'.")
      }
      const maxUrl = options.maxUrlLength ?? 7000
      if (typeof maxUrl !== 'number' || maxUrl < 500) {
        throw new RangeError('[@edusync/erpnext-client] getMany(): `maxUrlLength` must be a number ≥ 500.')
      }
      const unique = [...new Set(names)]
      const fields = options.fields ? [...options.fields] : ['*']
      validator.checkFields(doctype, fields)
      if (!fields.includes('*') && !fields.includes('name')) fields.push('name')
      let requests = 0
      if (unique.length === 0) return Object.freeze({ docs: [], missing: [], requests })

      // Chunks of names whose encoded `filters` keep the GET URL under the limit (one chunk for POST).
      const chunkByUrl = (keys: readonly string[], overhead: number): string[][] => {
        if (via === 'post') return [[...keys]]
        const out: string[][] = []
        let current: string[] = []
        let length = overhead
        for (const key of keys) {
          const cost = encodeURIComponent(JSON.stringify(key)).length + 3
          if (current.length > 0 && length + cost > maxUrl) {
            out.push(current)
            current = []
            length = overhead
          }
          current.push(key)
          length += cost
        }
        if (current.length > 0) out.push(current)
        return out
      }
      const fetchList = async (
        target: string,
        args: { fields: string[]; filters: unknown[]; parent?: string; order_by: string },
      ): Promise<AnyDoc[]> => {
        requests++
        if (via === 'post') return listPost(target, args, options)
        const { body } = await transport.request({
          method: 'GET',
          path: `/api/resource/${encodeURIComponent(target)}`,
          query: {
            fields: JSON.stringify(args.fields),
            filters: JSON.stringify(args.filters),
            order_by: args.order_by,
            limit_page_length: 0,
            parent: args.parent,
          },
          idempotent: true,
          doctype: target,
          signal: options.signal,
        })
        const rows = (body as { data?: unknown }).data
        return Array.isArray(rows) ? (rows as AnyDoc[]) : []
      }
      const base = transport.url({
        method: 'GET',
        path: `/api/resource/${encodeURIComponent(doctype)}`,
        idempotent: true,
      })
      const overhead = base.length + 200 + encodeURIComponent(JSON.stringify(fields)).length

      const parents: AnyDoc[] = []
      for (const chunk of chunkByUrl(unique, overhead)) {
        parents.push(
          ...(await fetchList(doctype, { fields, filters: [['name', 'in', chunk]], order_by: 'name asc' })),
        )
      }
      const byName = new Map<string, Record<string, unknown>>()
      for (const row of parents) byName.set(String(row.name), { ...row })

      if (options.withChildren && byName.size > 0) {
        const meta = validator.metaOf(doctype) ?? (await loadMeta(doctype, options))
        requests += validator.metaOf(doctype) ? 0 : 1
        let tables = meta.fields.filter(
          (f) => (f.fieldtype === 'Table' || f.fieldtype === 'Table MultiSelect') && f.options,
        )
        if (Array.isArray(options.withChildren)) {
          const wanted = options.withChildren as readonly string[]
          for (const w of wanted) {
            if (!tables.some((t) => t.fieldname === w)) {
              validator.assertField(doctype, w, '`withChildren`')
              throw new TypeError(
                `[@edusync/erpnext-client] getMany(): \`withChildren\` entry "${w}" is not a child table of ${doctype}.`,
              )
            }
          }
          tables = tables.filter((t) => wanted.includes(t.fieldname))
        }
        const found = [...byName.keys()]
        for (const table of tables) {
          const childDoctype = table.options as string
          for (const doc of byName.values()) doc[table.fieldname] = []
          for (const chunk of chunkByUrl(found, overhead + 200)) {
            const rows = await fetchList(childDoctype, {
              fields: ['*'],
              filters: [
                ['parent', 'in', chunk],
                ['parenttype', '=', doctype],
                ['parentfield', '=', table.fieldname],
              ],
              // ERPNext requires the parent doctype for child-table lists (else 403).
              parent: doctype,
              order_by: 'idx asc',
            })
            for (const row of rows) {
              const parent = byName.get(String(row.parent))
              if (parent && row.parentfield === table.fieldname)
                (parent[table.fieldname] as AnyDoc[]).push(row)
            }
          }
          for (const doc of byName.values()) {
            ;(doc[table.fieldname] as AnyDoc[]).sort((a, b) => Number(a.idx ?? 0) - Number(b.idx ?? 0))
          }
        }
      }
      const mode = options.validate ?? transport.options.validate
      const docs: AnyDoc[] = []
      const missing: string[] = []
      for (const name of unique) {
        const doc = byName.get(name)
        if (doc)
          docs.push(
            validator.checkIncoming(
              doctype,
              doc,
              fields.includes('*') && options.withChildren ? mode : 'off',
            ),
          )
        else missing.push(name)
      }
      return Object.freeze({ docs, missing, requests })
    },
  }
  return Object.freeze(api)
}
