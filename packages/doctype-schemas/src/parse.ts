import type { z } from 'zod'
import type { GeneratedCreateDocTypeMap, GeneratedDocTypeMap } from './doctypes.generated.js'
import { generatedSchemas } from './doctypes.generated.js'
import { type DocIssue, DocValidationError, UnknownDocTypeError } from './errors.js'
import { fieldSchemas } from './runtime.js'

/**
 * Doctype name → document as read. Covers every doctype this package ships; add your own by declaration
 * merging (types only — pair it with {@link createDocTypeRegistry} for run-time validation):
 *
 * @example
 * ```ts
 * declare module '@edusync/doctype-schemas' {
 *   interface DocTypeMap { 'Library Member': LibraryMember }
 *   interface CreateDocTypeMap { 'Library Member': LibraryMemberCreate }
 * }
 * ```
 */
export interface DocTypeMap extends GeneratedDocTypeMap {}

/** Doctype name → document to create. Extensible like {@link DocTypeMap}. */
export interface CreateDocTypeMap extends GeneratedCreateDocTypeMap {}

/** An update sent to ERPNext (`PUT`, `frappe.client.bulk_update`): any subset of the create fields. */
export type UpdateDoc<T> = Partial<T> & {
  /** The document to update. */
  name?: string
  /** `modified` exactly as read: ERPNext's optimistic lock. */
  modified?: string
}

/** Which shape to validate against. */
export type Flavour = 'read' | 'create' | 'update'

/** Options of `parseDoc()`. */
export interface ParseOptions<F extends Flavour = Flavour> {
  /**
   * `read`: a document as ERPNext returns it (unknown fields tolerated and kept).
   * `create`: a document to insert (mandatory fields required, server-set fields and unknown fields refused).
   * `update`: a partial document to save (any create field, plus `name` and `modified`; unknown refused).
   * @default 'read'
   */
  readonly flavour?: F
}

/** The result of validating a document: the typed document, or every issue found. */
export type ParseResult<T> =
  | { readonly success: true; readonly data: T; readonly issues?: undefined; readonly error?: undefined }
  | {
      readonly success: false
      readonly data?: undefined
      /** Every issue found, each naming the doctype, the document and the field path. */
      readonly issues: readonly DocIssue[]
      /** The same issues as a throwable error. */
      readonly error: DocValidationError
    }

/** Read and create schemas of one doctype. `create` must be a zod object (update is derived from it). */
export interface DocTypeSchemaPair<R = unknown, C = unknown> {
  readonly read: z.ZodType<R>
  readonly create: z.ZodObject & z.ZodType<C>
}

type Thunk<T> = () => T
/** Any {@link DocTypeSchemaPair}, whatever its document types. */
export type AnyDocTypeSchemaPair = DocTypeSchemaPair<any, any>
/** Doctype name → document as read, inferred from a record of schema pairs. */
export type ReadMapOf<M extends Record<string, AnyDocTypeSchemaPair>> = {
  [K in keyof M]: z.output<M[K]['read']>
}
/** Doctype name → document to create, inferred from a record of schema pairs. */
export type CreateMapOf<M extends Record<string, AnyDocTypeSchemaPair>> = {
  [K in keyof M]: z.output<M[K]['create']>
}

/** Validation of documents against a set of doctype schemas. */
export interface DocTypeRegistry<R extends object, C extends object> {
  /** Names of the doctypes this registry validates. */
  readonly doctypes: readonly (keyof R & string)[]
  /** Whether the registry knows `doctype`. */
  has(doctype: string): doctype is keyof R & string
  /**
   * Validate `json` as a document of `doctype`. Never throws for invalid documents: the result lists
   * every issue. Throws {@link UnknownDocTypeError} for a doctype the registry does not know.
   */
  parseDoc<K extends keyof R & string>(
    doctype: K,
    json: unknown,
    options?: ParseOptions<'read'>,
  ): ParseResult<R[K]>
  parseDoc<K extends keyof C & string>(
    doctype: K,
    json: unknown,
    options: ParseOptions<'create'>,
  ): ParseResult<C[K]>
  parseDoc<K extends keyof C & string>(
    doctype: K,
    json: unknown,
    options: ParseOptions<'update'>,
  ): ParseResult<UpdateDoc<C[K]>>
  /**
   * Validate a document before sending it to ERPNext, which silently drops unknown fields: any field
   * the doctype does not have is an issue naming it. `mode: 'update'` accepts a partial document.
   */
  validateOutgoing<K extends keyof C & string>(
    doctype: K,
    doc: unknown,
    options?: { readonly mode?: 'create' },
  ): ParseResult<C[K]>
  validateOutgoing<K extends keyof C & string>(
    doctype: K,
    doc: unknown,
    options: { readonly mode: 'update' },
  ): ParseResult<UpdateDoc<C[K]>>
  /** Like `parseDoc`, but throws {@link DocValidationError} carrying every issue. */
  assertDoc<K extends keyof R & string>(doctype: K, json: unknown, options?: ParseOptions<'read'>): R[K]
  assertDoc<K extends keyof C & string>(doctype: K, json: unknown, options: ParseOptions<'create'>): C[K]
  assertDoc<K extends keyof C & string>(
    doctype: K,
    json: unknown,
    options: ParseOptions<'update'>,
  ): UpdateDoc<C[K]>
  /** The zod schema of a doctype in one flavour. */
  schemaFor<K extends keyof R & string>(doctype: K, flavour?: 'read'): z.ZodType<R[K]>
  schemaFor<K extends keyof C & string>(doctype: K, flavour: 'create'): z.ZodType<C[K]>
  schemaFor<K extends keyof C & string>(doctype: K, flavour: 'update'): z.ZodType<UpdateDoc<C[K]>>
}

interface Entry {
  read: Thunk<z.ZodType>
  create: Thunk<z.ZodObject>
  update: Thunk<z.ZodType>
}

function pathText(path: readonly (string | number)[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`
  return out
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined
    v = (v as Record<PropertyKey, unknown>)[p]
  }
  return v
}

function kindOf(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'boolean') return 'a boolean'
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number'
  if (typeof v === 'string') return 'a string'
  return typeof v === 'object' ? 'an object' : typeof v
}

/** The keys a zod object schema accepts at `path` (through arrays, optionals and nullables). */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: any = schema
  const unwrap = () => {
    while (s?._zod?.def && ['optional', 'nullable', 'default', 'pipe'].includes(s._zod.def.type)) {
      s = s._zod.def.innerType ?? s._zod.def.in
    }
  }
  unwrap()
  for (const p of path) {
    if (s?._zod?.def?.type === 'object') s = s._zod.def.shape[p as string]
    else if (s?._zod?.def?.type === 'array') s = s._zod.def.element
    else return []
    unwrap()
  }
  return s?._zod?.def?.type === 'object' ? Object.keys(s._zod.def.shape) : []
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
      prev = tmp
    }
  }
  return row[b.length] as number
}

function suggestion(unknown: string, known: readonly string[]): string {
  let best: string | undefined
  let bestD = Number.POSITIVE_INFINITY
  for (const k of known) {
    const d = distance(unknown.toLowerCase(), k.toLowerCase())
    if (d < bestD) {
      bestD = d
      best = k
    }
  }
  const limit = Math.max(2, Math.floor(unknown.length / 4))
  return best !== undefined && bestD <= limit ? ` Did you mean "${best}"?` : ''
}

/** Turn zod issues into readable {@link DocIssue}s. Messages never include the offending value. */
function toDocIssues(
  doctype: string,
  json: unknown,
  schema: z.ZodType,
  zodIssues: readonly z.core.$ZodIssue[],
  flavour: Flavour,
): DocIssue[] {
  const rawName = valueAt(json, ['name'])
  const docname = typeof rawName === 'string' && rawName !== '' ? rawName : undefined
  const where = `${doctype} ${docname ?? (flavour === 'read' ? '(unnamed document)' : '(new document)')}`
  const issues: DocIssue[] = []
  const push = (path: readonly PropertyKey[], code: string, text: string) => {
    const clean = path.map((p) => (typeof p === 'number' ? p : String(p)))
    const field = pathText(clean)
    issues.push({
      doctype,
      docname,
      path: clean,
      field,
      code,
      message: `${where}${field ? `, field "${field}"` : ''}: ${text}`,
    })
  }
  for (const issue of zodIssues) {
    const path = issue.path
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path)
      for (const k of issue.keys) {
        push(
          [...path, k],
          'unknown_field',
          `unknown field "${k}": ERPNext would silently drop it.${suggestion(k, known)} Remove it or fix its name.`,
        )
      }
      continue
    }
    const value = valueAt(json, path)
    if (value === undefined && path.length > 0) {
      push(path, 'required', 'missing mandatory field.')
      continue
    }
    if (issue.code === 'invalid_type') {
      if (path.length === 0) {
        push(path, 'invalid_type', `expected a document object, got ${kindOf(value)}.`)
      } else {
        push(path, 'invalid_type', `expected ${issue.expected}, got ${kindOf(value)}.`)
      }
      continue
    }
    if (issue.code === 'too_small' && issue.origin === 'array') {
      push(path, 'required', 'a mandatory table needs at least one row.')
      continue
    }
    const code = issue.code === 'invalid_union' || issue.code === 'custom' ? 'invalid_value' : issue.code
    push(path, code, issue.message.endsWith('.') ? issue.message : `${issue.message}.`)
  }
  return issues
}

function buildRegistry(entries: ReadonlyMap<string, Entry>): DocTypeRegistry<any, any> {
  const entryOf = (doctype: string): Entry => {
    const e = typeof doctype === 'string' ? entries.get(doctype) : undefined
    if (!e) throw new UnknownDocTypeError(String(doctype))
    return e
  }
  const schemaOf = (doctype: string, flavour: Flavour): z.ZodType => {
    if (flavour !== 'read' && flavour !== 'create' && flavour !== 'update') {
      throw new RangeError(
        `[@edusync/doctype-schemas] options.flavour must be 'read', 'create' or 'update', got ${JSON.stringify(flavour)}`,
      )
    }
    return entryOf(doctype)[flavour]()
  }
  const parse = (doctype: string, json: unknown, options?: ParseOptions): ParseResult<unknown> => {
    const flavour = options?.flavour ?? 'read'
    const schema = schemaOf(doctype, flavour)
    const result = schema.safeParse(json)
    if (result.success) return { success: true, data: result.data }
    const issues = toDocIssues(doctype, json, schema, result.error.issues, flavour)
    const first = issues[0]
    return { success: false, issues, error: new DocValidationError(doctype, first?.docname, issues) }
  }
  const registry = {
    doctypes: Object.freeze([...entries.keys()].sort()),
    has: (doctype: string) => entries.has(doctype),
    parseDoc: parse,
    validateOutgoing: (doctype: string, doc: unknown, options?: { readonly mode?: 'create' | 'update' }) =>
      parse(doctype, doc, { flavour: options?.mode ?? 'create' }),
    assertDoc: (doctype: string, json: unknown, options?: ParseOptions) => {
      const result = parse(doctype, json, options)
      if (!result.success) throw result.error
      return result.data
    },
    schemaFor: (doctype: string, flavour?: Flavour) => schemaOf(doctype, flavour ?? 'read'),
  }
  return Object.freeze(registry) as unknown as DocTypeRegistry<any, any>
}

function lazy<T>(build: () => T): () => T {
  let cache: { v: T } | undefined
  return () => {
    cache ??= { v: build() }
    return cache.v
  }
}

function entryFrom(read: Thunk<z.ZodType>, create: Thunk<z.ZodObject>): Entry {
  return {
    read,
    create,
    update: lazy(() =>
      create()
        .partial()
        .extend({ name: fieldSchemas.string().optional(), modified: fieldSchemas.datetime().optional() }),
    ),
  }
}

const builtInEntries: ReadonlyMap<string, Entry> = new Map(
  Object.entries(generatedSchemas).map(([name, pair]) => [
    name,
    entryFrom(pair.read as Thunk<z.ZodType>, pair.create as unknown as Thunk<z.ZodObject>),
  ]),
)

/**
 * A registry validating the built-in doctypes plus your own. Your doctypes' types come from their
 * schemas, so no declaration merging is needed; a name that is also built in replaces the built-in.
 *
 * @example
 * ```ts
 * const registry = createDocTypeRegistry({
 *   'Library Member': { read: libraryMemberRead, create: libraryMemberCreate },
 * })
 * const result = registry.parseDoc('Library Member', json) // typed from libraryMemberRead
 * ```
 */
export function createDocTypeRegistry<const M extends Record<string, AnyDocTypeSchemaPair> = {}>(
  extra?: M,
): DocTypeRegistry<
  Omit<DocTypeMap, keyof M> & ReadMapOf<M>,
  Omit<CreateDocTypeMap, keyof M> & CreateMapOf<M>
> {
  const entries = new Map(builtInEntries)
  if (extra !== undefined && (typeof extra !== 'object' || extra === null)) {
    throw new TypeError('[@edusync/doctype-schemas] createDocTypeRegistry(extra): extra must be an object')
  }
  for (const [name, pair] of Object.entries(extra ?? {})) {
    const read = pair?.read as z.ZodType | undefined
    const create = pair?.create as z.ZodObject | undefined
    if (typeof read?.safeParse !== 'function') {
      throw new TypeError(
        `[@edusync/doctype-schemas] createDocTypeRegistry: extra["${name}"].read must be a zod schema`,
      )
    }
    if (typeof create?.partial !== 'function' || typeof create?.safeParse !== 'function') {
      throw new TypeError(
        `[@edusync/doctype-schemas] createDocTypeRegistry: extra["${name}"].create must be a zod object schema`,
      )
    }
    entries.set(
      name,
      entryFrom(
        () => read,
        () => create,
      ),
    )
  }
  return buildRegistry(entries) as never
}

const defaultRegistry: DocTypeRegistry<DocTypeMap, CreateDocTypeMap> = buildRegistry(builtInEntries)

/**
 * Validate `json` as a document of `doctype` (see {@link DocTypeRegistry.parseDoc}). Never throws for an
 * invalid document; the result lists every issue, each naming the doctype, the document and the field.
 *
 * @example
 * ```ts
 * const result = parseDoc('Student', json)
 * if (result.success) console.log(result.data.first_name)
 * else for (const issue of result.issues) console.warn(issue.message)
 * ```
 */
export const parseDoc: DocTypeRegistry<DocTypeMap, CreateDocTypeMap>['parseDoc'] = defaultRegistry.parseDoc

/**
 * Validate a document before sending it (see {@link DocTypeRegistry.validateOutgoing}): unknown fields,
 * which ERPNext would silently drop, are issues that name the field.
 *
 * @example
 * ```ts
 * const result = validateOutgoing('Student', { first_name: 'Ada', student_emial_id: 'a@example.org' })
 * // result.issues[0].message: 'Student (new document), field "student_emial_id": unknown field ...'
 * ```
 */
export const validateOutgoing: DocTypeRegistry<DocTypeMap, CreateDocTypeMap>['validateOutgoing'] =
  defaultRegistry.validateOutgoing

/** Like {@link parseDoc}, but throws {@link DocValidationError} with every issue. */
export const assertDoc: DocTypeRegistry<DocTypeMap, CreateDocTypeMap>['assertDoc'] = defaultRegistry.assertDoc

/** The zod schema of a built-in doctype in one flavour (built on first use, then cached). */
export const schemaFor: DocTypeRegistry<DocTypeMap, CreateDocTypeMap>['schemaFor'] = defaultRegistry.schemaFor
