import { type BulkApi, createBulkApi } from './bulk.js'
import { MESSAGE_PREFIX, NotFoundError, isNotFoundError } from './errors.js'
import { type DocTypeMeta, type DriftReport, diffDocTypeMeta, normalizeDocTypeDoc } from './meta.js'
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { type CallOptions, createResource, type Resource } from './resource.js'
import {
  type CustomizationReport,
  type CustomizationSpec,
  type EnsureOptions,
  ensureCustomizations,
} from './setup.js'
import { type HttpMethod, Transport } from './transport.js'
import type { AnyDoc, DocOf, DocTypeMapLike, DocTypeName, NewDoc, UntypedDocTypeMap } from './types.js'
import type { CreateDocTypeMap, DocTypeMap } from '@edusync/doctype-schemas'
import { Validator } from './validation.js'

/** Arguments and results of the `frappe.client.*` methods, for the typed `call()` overloads. */
export interface FrappeClientMethods {
  'frappe.client.get_list': {
    args: {
      doctype: string
      fields?: readonly string[]
      filters?: unknown
      or_filters?: unknown
      order_by?: string
      group_by?: string
      limit_start?: number
      limit_page_length?: number
      parent?: string
    }
    result: AnyDoc[]
  }
  'frappe.client.get_count': { args: { doctype: string; filters?: unknown }; result: number }
  'frappe.client.get': {
    args: { doctype: string; name?: string; filters?: unknown; parent?: string }
    result: AnyDoc
  }
  'frappe.client.get_value': {
    args: { doctype: string; fieldname: string | readonly string[]; filters?: unknown; as_dict?: 0 | 1 }
    result: AnyDoc | undefined
  }
  'frappe.client.set_value': {
    args: { doctype: string; name: string; fieldname: string | AnyDoc; value?: unknown }
    result: AnyDoc
  }
  'frappe.client.insert': { args: { doc: AnyDoc & { doctype: string } }; result: AnyDoc }
  'frappe.client.insert_many': { args: { docs: readonly (AnyDoc & { doctype: string })[] }; result: string[] }
  'frappe.client.save': {
    args: { doc: AnyDoc & { doctype: string; name: string; modified: string } }
    result: AnyDoc
  }
  'frappe.client.submit': {
    args: { doc: AnyDoc & { doctype: string; name: string; modified: string } }
    result: AnyDoc
  }
  'frappe.client.cancel': { args: { doctype: string; name: string }; result: AnyDoc }
  'frappe.client.delete': { args: { doctype: string; name: string }; result: undefined }
  'frappe.client.rename_doc': {
    args: { doctype: string; old_name: string; new_name: string; merge?: 0 | 1 }
    result: string
  }
  'frappe.client.bulk_update': {
    args: { docs: string }
    result: { failed_docs: { doc: AnyDoc; exc: string }[] }
  }
  'frappe.client.has_permission': {
    args: { doctype: string; docname: string; perm_type?: string }
    result: { has_permission: boolean }
  }
  'frappe.auth.get_logged_user': { args: Record<string, never>; result: string }
  'frappe.ping': { args: Record<string, never>; result: string }
}

/** Options of `call()`. */
export interface MethodCallOptions extends CallOptions {
  /** HTTP verb. @default 'POST' (or 'GET' for the read-only methods in `retry.safeMethods`) */
  readonly verb?: HttpMethod
  /** Declare the method read-only, so it is retried like a GET. @default false */
  readonly safe?: boolean
}

/** The document type `create()` accepts for doctype `K`: from the create map when it has `K`. */
export type CreateDocOf<
  M extends DocTypeMapLike,
  C extends DocTypeMapLike,
  K extends keyof M,
> = K extends keyof C ? C[K] : NewDoc<DocOf<M, K>>

/**
 * An immutable ERPNext client. Create it with {@link createClient}; derive variants with `extend()`.
 *
 * @typeParam M - Doctype map, doctype name → document as read. @default the Education `DocTypeMap`
 * @typeParam C - Doctype map, doctype name → document to create. @default the Education `CreateDocTypeMap`
 */
export interface ERPNextClient<
  M extends DocTypeMapLike = DocTypeMap,
  C extends DocTypeMapLike = CreateDocTypeMap,
> extends BulkApi {
  /** The site URL (normalized). */
  readonly url: string
  /** Typed resource API of a doctype in the map. */
  doc<K extends DocTypeName<M>>(doctype: K): Resource<M, DocOf<M, K>, CreateDocOf<M, C, K>>
  /** Resource API of any doctype by name, untyped (for doctypes outside the map). */
  docUntyped(doctype: string): Resource<UntypedDocTypeMap, AnyDoc, AnyDoc>
  /** Call a typed `frappe.client.*` method. Returns `message`. */
  call<K extends keyof FrappeClientMethods>(
    method: K,
    ...rest: Record<string, never> extends FrappeClientMethods[K]['args']
      ? [args?: FrappeClientMethods[K]['args'], options?: MethodCallOptions]
      : [args: FrappeClientMethods[K]['args'], options?: MethodCallOptions]
  ): Promise<FrappeClientMethods[K]['result']>
  /** Call any other whitelisted method. Returns `message`. */
  call<T = unknown, const K extends string = string>(
    method: K extends keyof FrappeClientMethods ? never : K,
    args?: Record<string, unknown>,
    options?: MethodCallOptions,
  ): Promise<T>
  /** Live DocType metadata of the site (with its custom fields). */
  meta(doctype: string, options?: CallOptions): Promise<DocTypeMeta>
  /**
   * Compare the site's live metadata with the expected metadata (the client's `meta` option by default)
   * and report fields added, removed or retyped.
   */
  checkDrift(
    doctypes?: readonly string[],
    options?: CallOptions & { expected?: Readonly<Record<string, DocTypeMeta>> },
  ): Promise<DriftReport>
  /** Site setup helpers. */
  readonly setup: {
    /**
     * Idempotently install custom fields and custom doctypes (by default the AI fields and doctypes of
     * `@edusync/doctype-schemas`); reports what it created, changed or left, and refuses destructive
     * changes unless `allowDestructive` is set. Needs a System Manager.
     */
    ensureCustomizations(spec?: CustomizationSpec, options?: EnsureOptions): Promise<CustomizationReport>
  }
  /** A new client with these options merged over this one's (hooks are appended). */
  extend<N extends DocTypeMapLike = M, NC extends DocTypeMapLike = C>(
    overrides: Partial<ClientOptions>,
  ): ERPNextClient<N, NC>
}

function mergeOptions(
  base: ClientOptions,
  overrides: Partial<ClientOptions>,
): { -readonly [K in keyof ClientOptions]: ClientOptions[K] } {
  if (typeof overrides !== 'object' || overrides === null) {
    throw new TypeError(`${MESSAGE_PREFIX} extend(overrides): expected an options object.`)
  }
  const hooks = {
    beforeRequest: [...(base.hooks?.beforeRequest ?? []), ...(overrides.hooks?.beforeRequest ?? [])],
    afterResponse: [...(base.hooks?.afterResponse ?? []), ...(overrides.hooks?.afterResponse ?? [])],
    beforeRetry: [...(base.hooks?.beforeRetry ?? []), ...(overrides.hooks?.beforeRetry ?? [])],
  }
  return {
    ...base,
    ...overrides,
    hooks,
    headers: { ...base.headers, ...overrides.headers },
    retry:
      overrides.retry === false || base.retry === false || overrides.retry === undefined
        ? (overrides.retry ?? base.retry)
        : { ...base.retry, ...overrides.retry },
  }
}

/**
 * Create an immutable ERPNext client. Options are validated here (a `TypeError`/`RangeError` names the
 * bad option) and frozen.
 *
 * @typeParam M - Doctype map (name → document as read). @default the Education `DocTypeMap` of `@edusync/doctype-schemas`
 * @typeParam C - Doctype map (name → document to create). @default the Education `CreateDocTypeMap`
 * @example
 * ```ts
 * import { createClient } from '@edusync/erpnext-client'
 *
 * const client = createClient({
 *   url: 'https://erp.school.edu',
 *   auth: { type: 'token', apiKey: process.env.KEY!, apiSecret: process.env.SECRET! },
 * })
 * const student = await client.doc('Student').get('EDU-STU-2024-00001')
 * ```
 */
export function createClient<
  M extends DocTypeMapLike = DocTypeMap,
  C extends DocTypeMapLike = CreateDocTypeMap,
>(options: ClientOptions): ERPNextClient<M, C> {
  const resolved = resolveOptions(options)
  return build<M, C>(resolved, options)
}

function build<M extends DocTypeMapLike, C extends DocTypeMapLike>(
  resolved: ResolvedOptions,
  source: ClientOptions,
): ERPNextClient<M, C> {
  const transport = new Transport(resolved)
  const validator = new Validator(resolved)
  const resources = new Map<string, Resource<M, AnyDoc, AnyDoc>>()

  const meta = async (doctype: string, options?: CallOptions): Promise<DocTypeMeta> => {
    if (typeof doctype !== 'string' || doctype.length === 0) {
      throw new TypeError(`${MESSAGE_PREFIX} meta(doctype): expected a doctype name.`)
    }
    const { body } = await transport.request({
      method: 'GET',
      path: '/api/method/frappe.desk.form.load.getdoctype',
      query: { doctype },
      idempotent: true,
      doctype,
      signal: options?.signal,
    })
    const docs = (body as { docs?: unknown }).docs
    const doc = Array.isArray(docs)
      ? (docs as Record<string, unknown>[]).find((d) => d?.name === doctype)
      : undefined
    if (!doc) {
      throw new NotFoundError(
        `GET getdoctype returned no metadata for "${doctype}": check the doctype name.`,
        { doctype },
      )
    }
    return normalizeDocTypeDoc(doc)
  }

  const bulk = createBulkApi(transport, validator, meta)

  async function call(
    method: string,
    args: Record<string, unknown> = {},
    options: MethodCallOptions = {},
  ): Promise<unknown> {
    if (typeof method !== 'string' || !/^[\w.]+$/.test(method)) {
      throw new TypeError(
        `${MESSAGE_PREFIX} call(method): expected a dotted method path such as "frappe.client.get_list".`,
      )
    }
    if (typeof args !== 'object' || args === null) {
      throw new TypeError(`${MESSAGE_PREFIX} call(${method}, args): expected an object of arguments.`)
    }
    const readOnly = options.safe === true || resolved.retry.safeMethods.includes(method)
    const verb = options.verb ?? (readOnly ? 'GET' : 'POST')
    if (!['GET', 'POST', 'PUT', 'DELETE'].includes(verb)) {
      throw new TypeError(
        `${MESSAGE_PREFIX} call(): \`verb\` must be GET, POST, PUT or DELETE (Frappe rejects PATCH on methods).`,
      )
    }
    const query: Record<string, string> = {}
    if (verb === 'GET') {
      for (const [k, v] of Object.entries(args)) {
        if (v === undefined) continue
        query[k] = typeof v === 'string' ? v : JSON.stringify(v)
      }
    }
    const { body } = await transport.request({
      method: verb,
      path: `/api/method/${method}`,
      query: verb === 'GET' ? query : undefined,
      json: verb === 'GET' ? undefined : args,
      idempotent: verb === 'GET' || options.safe === true,
      doctype: typeof args.doctype === 'string' ? args.doctype : undefined,
      signal: options.signal,
    })
    return (body as { message?: unknown }).message
  }

  const client: ERPNextClient<M, C> = {
    url: resolved.url,
    doc<K extends DocTypeName<M>>(doctype: K) {
      validator.assertKnown(doctype)
      let resource = resources.get(doctype)
      if (!resource) {
        resource = createResource<M, AnyDoc, AnyDoc>(transport, validator, doctype)
        resources.set(doctype, resource)
      }
      return resource as unknown as Resource<M, DocOf<M, K>, CreateDocOf<M, C, K>>
    },
    docUntyped(doctype: string) {
      if (typeof doctype !== 'string' || doctype.length === 0) {
        throw new TypeError(`${MESSAGE_PREFIX} docUntyped(doctype): expected a doctype name.`)
      }
      return createResource<UntypedDocTypeMap, AnyDoc, AnyDoc>(transport, validator, doctype)
    },
    call: call as ERPNextClient<M, C>['call'],
    meta,
    async checkDrift(doctypes, options = {}) {
      const expected = options.expected ?? resolved.meta
      if (!expected) {
        throw new TypeError(
          `${MESSAGE_PREFIX} checkDrift(): no expected metadata — pass the client option \`meta\` (e.g. doctypeMeta from @edusync/doctype-schemas) or \`expected\`.`,
        )
      }
      const names = doctypes ?? Object.keys(expected)
      const results = []
      for (const name of names) {
        const want = expected[name]
        if (!want) throw new TypeError(`${MESSAGE_PREFIX} checkDrift(): no expected metadata for "${name}".`)
        let live: DocTypeMeta | undefined
        try {
          live = await meta(name, options)
        } catch (error) {
          if (!isNotFoundError(error)) throw error
        }
        results.push(diffDocTypeMeta(want, live))
      }
      const drifted = results.some(
        (r) => r.missingDocType || r.added.length + r.removed.length + r.retyped.length > 0,
      )
      return Object.freeze({ drifted, doctypes: Object.freeze(results) })
    },
    setup: Object.freeze({
      ensureCustomizations: (spec?: CustomizationSpec, options?: EnsureOptions) =>
        ensureCustomizations(transport, spec, options),
    }),
    extend<N extends DocTypeMapLike = M, NC extends DocTypeMapLike = C>(
      overrides: Partial<ClientOptions>,
    ): ERPNextClient<N, NC> {
      const merged = mergeOptions(source, overrides)
      // The derived client shares this one's limiter (same site budget) unless given its own.
      if (overrides.rateLimit === undefined && resolved.rateLimit) merged.rateLimit = resolved.rateLimit
      return build<N, NC>(resolveOptions(merged), merged)
    },
    bulkUpdate: bulk.bulkUpdate,
    insertMany: bulk.insertMany,
    getMany: bulk.getMany,
  }
  return Object.freeze(client)
}
