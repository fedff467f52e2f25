import type { ValidationMode } from './options.js'
import type { Transport } from './transport.js'
import type {
  AnyDoc,
  DocPatch,
  DocTypeMapLike,
  FieldSelector,
  Filters,
  NewDoc,
  SelectResult,
  ValueField,
} from './types.js'
import type { Validator } from './validation.js'

/** Options every call accepts. */
export interface CallOptions {
  /** Cancels the request, its retries and waits; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal
  /** Override the client's response validation for this call. */
  readonly validate?: ValidationMode
  /** Override the client's outgoing-document validation for this call. */
  readonly validateOutgoing?: boolean
}

/** Options of `list()`. */
export interface ListOptions<M extends DocTypeMapLike, D, S extends readonly FieldSelector<D>[] | undefined>
  extends CallOptions {
  /** Columns to return; `['*']` for all. Frappe's default is `['name']`. */
  readonly fields?: S
  /** AND-ed filters. */
  readonly filters?: Filters<M, D>
  /** OR-ed filters, AND-ed with `filters`. */
  readonly orFilters?: Filters<M, D>
  /** SQL-ish order, e.g. `'modified desc, name asc'`. @default 'modified desc, name desc' */
  readonly orderBy?: string
  /** Page size; `0` returns every row. @default 20 (Frappe's default) */
  readonly limit?: number
  /** Offset. @default 0 */
  readonly start?: number
}

/** Options of `iterate()`. */
export interface IterateOptions<
  M extends DocTypeMapLike,
  D,
  S extends readonly FieldSelector<D>[] | undefined,
> extends CallOptions {
  /** Columns to return. `modified` and `name` are fetched as well for the cursor. */
  readonly fields?: S
  /** AND-ed filters. */
  readonly filters?: Filters<M, D>
  /** OR-ed filters (only with a custom `orderBy`, which pages by offset). */
  readonly orFilters?: Filters<M, D>
  /**
   * A custom order pages by offset (not stable under concurrent writes). Without it, pages follow
   * `(modified, name)` ascending with a keyset cursor, so no document is skipped or repeated.
   */
  readonly orderBy?: string
  /** Rows per request. @default 100 */
  readonly pageSize?: number
}

/** Options of `update()`, `submit()` and `cancel()`. */
export interface WriteOptions extends CallOptions {
  /**
   * The `modified` value exactly as read: the server rejects the write with TimestampMismatchError if the
   * document changed since. Without it the write is last-write-wins.
   */
  readonly ifModified?: string
}

/**
 * The typed resource API of one doctype, from `client.doc('Student')`.
 *
 * @example
 * ```ts
 * const students = client.doc('Student')
 * const rows = await students.list({ fields: ['name', 'first_name'], filters: { enabled: 1 }, limit: 50 })
 * for await (const row of students.iterate({ fields: ['name', 'modified'] })) console.log(row.name)
 * ```
 */
export interface Resource<M extends DocTypeMapLike, D extends object, N = NewDoc<D>> {
  /** The doctype name. */
  readonly doctype: string
  /** Read one document with its child tables (`GET /api/resource/{doctype}/{name}`). */
  get(name: string, options?: CallOptions): Promise<D>
  /** One page of rows typed by the selected `fields`. */
  list<const S extends readonly FieldSelector<D>[] | undefined = undefined>(
    options?: ListOptions<M, D, S>,
  ): Promise<SelectResult<D, S>[]>
  /** Every row, page by page, as an async iterator. */
  iterate<const S extends readonly FieldSelector<D>[] | undefined = undefined>(
    options?: IterateOptions<M, D, S>,
  ): AsyncIterableIterator<SelectResult<D, S>>
  /** Number of documents matching `filters` (`frappe.client.get_count`). */
  count(filters?: Filters<M, D>, options?: CallOptions): Promise<number>
  /** Create a document; unknown fields are rejected before sending. Returns the saved document. */
  create(doc: N, options?: CallOptions): Promise<D>
  /** Shallow-merge `patch` into the document; a child table sent replaces the whole table. */
  update(name: string, patch: DocPatch<D>, options?: WriteOptions): Promise<D>
  /** Delete the document. */
  delete(name: string, options?: CallOptions): Promise<void>
  /** Submit a draft (docstatus 0 → 1). */
  submit(name: string, options?: WriteOptions): Promise<D>
  /** Cancel a submitted document (docstatus 1 → 2). */
  cancel(name: string, options?: WriteOptions): Promise<D>
  /** Read some fields of the first document matching a name or filters (`frappe.client.get_value`). */
  getValue<const F extends ValueField<D>>(
    nameOrFilters: string | Filters<M, D>,
    fields: readonly F[],
    options?: CallOptions,
  ): Promise<{ [K in F]: D[K] } | undefined>
  /** Set fields without the `modified` check (`frappe.client.set_value`). Returns the saved document. */
  setValue(name: string, values: DocPatch<D>, options?: CallOptions): Promise<D>
}

function resourcePath(doctype: string, name?: string): string {
  const base = `/api/resource/${encodeURIComponent(doctype)}`
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`
}

function requireName(name: unknown, method: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`[@edusync/erpnext-client] ${method}(name): expected a non-empty document name.`)
  }
  return name
}

function positiveInt(value: unknown, option: string, allowZero: boolean): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(`[@edusync/erpnext-client] \`${option}\` must be an integer ≥ ${allowZero ? 0 : 1}.`)
  }
  return value
}

/** Fields referenced by an `order_by` string such as `modified desc, name asc`. */
function orderFields(orderBy: string): string[] {
  return orderBy
    .split(',')
    .map((part) => part.trim().split(/\s+/)[0] ?? '')
    .filter((f) => f.length > 0 && /^[\w.]+$/.test(f))
    .map((f) => f.replace(/^`?tab[^`]*`?\./, ''))
}

function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value)
}

function toFilterList(filters: unknown): unknown[] {
  if (filters === undefined || filters === null) return []
  if (Array.isArray(filters)) return [...filters]
  return Object.entries(filters as Record<string, unknown>).map(([field, value]) =>
    Array.isArray(value) ? [field, value[0], value[1]] : [field, '=', value],
  )
}

/** @internal Build the resource API of one doctype. */
export function createResource<M extends DocTypeMapLike, D extends object, N>(
  transport: Transport,
  validator: Validator,
  doctype: string,
): Resource<M, D, N> {
  const mode = (options?: CallOptions) => options?.validate ?? transport.options.validate
  const outgoing = (options?: CallOptions) => options?.validateOutgoing ?? transport.options.validateOutgoing
  const readOne = async (body: unknown, options?: CallOptions): Promise<D> => {
    const doc =
      (body as { data?: unknown; message?: unknown }).data ?? (body as { message?: unknown }).message
    return validator.checkIncoming(doctype, doc as D, mode(options))
  }

  const listRaw = async (
    query: {
      fields?: readonly string[] | undefined
      filters?: unknown
      orFilters?: unknown
      orderBy?: string | undefined
      limit?: number | undefined
      start?: number | undefined
    },
    options?: CallOptions,
  ): Promise<AnyDoc[]> => {
    if (query.fields !== undefined) {
      if (!Array.isArray(query.fields) || query.fields.some((f) => typeof f !== 'string')) {
        throw new TypeError('[@edusync/erpnext-client] `fields` must be an array of field names.')
      }
      validator.checkFields(doctype, query.fields)
    }
    validator.checkFilters(doctype, query.filters, 'filters')
    validator.checkFilters(doctype, query.orFilters, 'orFilters')
    if (query.orderBy !== undefined) {
      if (typeof query.orderBy !== 'string') {
        throw new TypeError("[@edusync/erpnext-client] `orderBy` must be a string such as 'modified desc'.")
      }
      for (const f of orderFields(query.orderBy)) validator.assertField(doctype, f, '`orderBy`')
    }
    const limit = positiveInt(query.limit, 'limit', true)
    const start = positiveInt(query.start, 'start', true)
    const { body } = await transport.request({
      method: 'GET',
      path: resourcePath(doctype),
      query: {
        fields: json(query.fields),
        filters: json(query.filters),
        or_filters: json(query.orFilters),
        // Frappe v14/v15 have no default order; always send one so pages are deterministic.
        order_by: query.orderBy ?? 'modified desc, name desc',
        limit_start: start,
        limit_page_length: limit,
      },
      idempotent: true,
      doctype,
      signal: options?.signal,
    })
    const rows = (body as { data?: unknown }).data
    if (!Array.isArray(rows)) return []
    return rows as AnyDoc[]
  }

  const resource: Resource<M, D, N> = {
    doctype,
    async get(name, options) {
      requireName(name, 'get')
      const { body } = await transport.request({
        method: 'GET',
        path: resourcePath(doctype, name),
        idempotent: true,
        doctype,
        docname: name,
        signal: options?.signal,
      })
      return readOne(body, options)
    },
    async list(options = {}) {
      const rows = await listRaw(
        {
          fields: options.fields as readonly string[] | undefined,
          filters: options.filters,
          orFilters: options.orFilters,
          orderBy: options.orderBy,
          limit: options.limit,
          start: options.start,
        },
        options,
      )
      return rows as never
    },
    iterate(options = {}) {
      const pageSize = positiveInt(options.pageSize, 'pageSize', false) ?? 100
      const requested = options.fields as readonly string[] | undefined
      const wantAll = requested?.includes('*') ?? false
      const added: string[] = []
      const fields = requested ? [...requested] : ['name']
      for (const f of ['name', 'modified']) {
        if (!wantAll && !fields.includes(f)) {
          fields.push(f)
          added.push(f)
        }
      }
      const strip = (row: AnyDoc): AnyDoc => {
        if (added.length === 0) return row
        const copy: Record<string, unknown> = { ...row }
        for (const f of added) delete copy[f]
        return copy
      }
      const base = toFilterList(options.filters)
      async function* byOffset(): AsyncGenerator<AnyDoc> {
        for (let start = 0; ; start += pageSize) {
          const rows = await listRaw(
            {
              fields,
              filters: options.filters,
              orFilters: options.orFilters,
              orderBy: `${options.orderBy}, name asc`,
              limit: pageSize,
              start,
            },
            options,
          )
          for (const row of rows) yield strip(row)
          if (rows.length < pageSize) return
        }
      }
      async function* byKeyset(): AsyncGenerator<AnyDoc> {
        if (options.orFilters !== undefined) {
          throw new TypeError(
            '[@edusync/erpnext-client] iterate(): `orFilters` needs a custom `orderBy` (keyset paging AND-s its cursor with the filters).',
          )
        }
        let cursor: { modified: string; name: string } | undefined
        // Names already yielded whose `modified` equals the cursor's (a `>=` page repeats them).
        let seen = new Set<string>()
        let step: 'ge' | 'drain' | 'gt' = 'ge'
        for (;;) {
          if (cursor && step === 'drain') {
            // More than a page of rows share one `modified`: walk them by name, then move strictly past it.
            const rows = await listRaw(
              {
                fields,
                filters: [...base, ['modified', '=', cursor.modified], ['name', '>', cursor.name]],
                orderBy: 'name asc',
                limit: pageSize,
              },
              options,
            )
            for (const row of rows) yield strip(row)
            const last = rows.at(-1)
            if (last) cursor = { modified: cursor.modified, name: String(last.name) }
            if (rows.length < pageSize) step = 'gt'
            continue
          }
          const filters = cursor
            ? [...base, ['modified', step === 'gt' ? '>' : '>=', cursor.modified]]
            : options.filters
          const rows = await listRaw(
            { fields, filters, orderBy: 'modified asc, name asc', limit: pageSize },
            options,
          )
          const atCursor = cursor?.modified
          const fresh = rows.filter((r) => !(r.modified === atCursor && seen.has(String(r.name))))
          for (const row of fresh) yield strip(row)
          if (rows.length < pageSize) return
          const last = rows.at(-1) as AnyDoc
          const lastModified = String(last.modified)
          if (fresh.length === 0) {
            step = 'drain'
            continue
          }
          if (lastModified === atCursor) {
            for (const r of fresh) seen.add(String(r.name))
          } else {
            seen = new Set(rows.filter((r) => r.modified === lastModified).map((r) => String(r.name)))
          }
          cursor = { modified: lastModified, name: String(last.name) }
          step = 'ge'
        }
      }
      return (options.orderBy === undefined ? byKeyset() : byOffset()) as never
    },
    async count(filters, options) {
      validator.checkFilters(doctype, filters, 'filters')
      const { body } = await transport.request({
        method: 'GET',
        path: '/api/method/frappe.client.get_count',
        query: { doctype, filters: json(filters) },
        idempotent: true,
        doctype,
        signal: options?.signal,
      })
      return Number((body as { message?: unknown }).message ?? 0)
    },
    async create(doc, options) {
      validator.checkOutgoing(doctype, doc, 'create', outgoing(options))
      const { body } = await transport.request({
        method: 'POST',
        path: resourcePath(doctype),
        json: doc,
        idempotent: false,
        doctype,
        signal: options?.signal,
      })
      return readOne(body, options)
    },
    async update(name, patch, options) {
      requireName(name, 'update')
      validator.checkOutgoing(doctype, patch, 'update', outgoing(options))
      const payload: Record<string, unknown> = { ...(patch as Record<string, unknown>) }
      delete payload.name // sending another name renames in memory and then 404s
      if (options?.ifModified !== undefined) payload.modified = options.ifModified
      const { body } = await transport.request({
        method: 'PUT',
        path: resourcePath(doctype, name),
        json: payload,
        idempotent: false,
        doctype,
        docname: name,
        signal: options?.signal,
      })
      return readOne(body, options)
    },
    async delete(name, options) {
      requireName(name, 'delete')
      await transport.request({
        method: 'DELETE',
        path: resourcePath(doctype, name),
        idempotent: false,
        doctype,
        docname: name,
        signal: options?.signal,
      })
    },
    async submit(name, options) {
      requireName(name, 'submit')
      return resource.update(name, { docstatus: 1 } as never, { ...options, validateOutgoing: false })
    },
    async cancel(name, options) {
      requireName(name, 'cancel')
      return resource.update(name, { docstatus: 2 } as never, { ...options, validateOutgoing: false })
    },
    async getValue(nameOrFilters, fields, options) {
      if (!Array.isArray(fields) || fields.length === 0) {
        throw new TypeError(
          '[@edusync/erpnext-client] getValue(…, fields): expected a non-empty array of fields.',
        )
      }
      validator.checkFields(doctype, fields)
      if (typeof nameOrFilters !== 'string') validator.checkFilters(doctype, nameOrFilters, 'filters')
      const { body } = await transport.request({
        method: 'GET',
        path: '/api/method/frappe.client.get_value',
        query: {
          doctype,
          fieldname: JSON.stringify(fields),
          filters: typeof nameOrFilters === 'string' ? nameOrFilters : JSON.stringify(nameOrFilters),
        },
        idempotent: true,
        doctype,
        docname: typeof nameOrFilters === 'string' ? nameOrFilters : undefined,
        signal: options?.signal,
      })
      const message = (body as { message?: unknown }).message
      if (message === undefined || message === null) return undefined
      if (typeof message === 'object' && Object.keys(message).length === 0) return undefined
      return message as never
    },
    async setValue(name, values, options) {
      requireName(name, 'setValue')
      validator.checkOutgoing(doctype, values, 'update', outgoing(options))
      const { body } = await transport.request({
        method: 'POST',
        path: '/api/method/frappe.client.set_value',
        json: { doctype, name, fieldname: values },
        idempotent: false,
        doctype,
        docname: name,
        signal: options?.signal,
      })
      return readOne(body, options)
    },
  }
  return Object.freeze(resource)
}
