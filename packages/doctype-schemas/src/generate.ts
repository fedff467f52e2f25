import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type CustomDocTypeDefinition,
  type CustomFieldDefinition,
  aiCustomDocTypes,
  aiCustomFields,
} from './ai.js'
import { MetadataError, MetadataFetchError } from './errors.js'
import type { DocTypeMeta, FieldMeta } from './meta.js'
import { normalizeDocType } from './normalize.js'
import { type RenderOptions, renderSchemaModule } from './render.js'

/** Notes printed above doctypes in the generated module. */
export const DEFAULT_NOTES: Readonly<Record<string, string>> = Object.freeze({
  'Program Enrollment Fee':
    'Legacy: still shipped by the Education app but referenced by nothing; Program Enrollment.fees is a ' +
    'Table of Program Fee.',
})

/**
 * Read every `*.json` DocType file in a folder (non-recursive, sorted by file name).
 *
 * @throws {MetadataError} naming the file (and field) when a file is not valid JSON or not valid metadata
 */
export async function loadDocTypesFromDir(dir: string | URL): Promise<DocTypeMeta[]> {
  const path = typeof dir === 'string' ? dir : dir.pathname
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch (cause) {
    throw new MetadataError({ source: path, problem: 'the folder cannot be read' }, { cause })
  }
  const files = entries.filter((f) => f.endsWith('.json')).sort()
  if (files.length === 0)
    throw new MetadataError({ source: path, problem: 'the folder holds no *.json file' })
  const metas: DocTypeMeta[] = []
  for (const file of files) {
    const full = join(path, file)
    const text = await readFile(full, 'utf8')
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (cause) {
      throw new MetadataError(
        { source: full, problem: `broken JSON (${(cause as Error).message})` },
        { cause },
      )
    }
    metas.push(normalizeDocType(raw, full))
  }
  return metas
}

/** Options of {@link fetchDocTypesFromSite}. */
export interface FetchFromSiteOptions {
  /** Site URL, e.g. `https://school.example.com`. */
  readonly url: string
  /** API key of a user who may read DocType. */
  readonly apiKey: string
  /** API secret (sent in the Authorization header only; never in errors). */
  readonly apiSecret: string
  /** Doctypes to fetch; their child tables are fetched too. */
  readonly doctypes: readonly string[]
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch
  /**
   * Which endpoint to read: `getdoctype` (`/api/method/frappe.desk.form.load.getdoctype`, includes
   * custom fields and child doctypes) or `resource` (`/api/resource/DocType/{name}`).
   * @default 'getdoctype'
   */
  readonly endpoint?: 'getdoctype' | 'resource'
}

/**
 * Fetch DocType metadata from a live Frappe/ERPNext site, child tables included.
 *
 * @throws {MetadataFetchError} on network errors, non-2xx answers or unexpected bodies
 * @throws {MetadataError} when the site's metadata is malformed
 */
export async function fetchDocTypesFromSite(options: FetchFromSiteOptions): Promise<DocTypeMeta[]> {
  if (typeof options.url !== 'string' || !/^https?:\/\//.test(options.url)) {
    throw new TypeError('[@edusync/doctype-schemas] options.url must be an http(s) URL')
  }
  if (typeof options.apiKey !== 'string' || options.apiKey === '') {
    throw new TypeError('[@edusync/doctype-schemas] options.apiKey must be a non-empty string')
  }
  if (typeof options.apiSecret !== 'string' || options.apiSecret === '') {
    throw new TypeError('[@edusync/doctype-schemas] options.apiSecret must be a non-empty string')
  }
  if (!Array.isArray(options.doctypes) || options.doctypes.length === 0) {
    throw new TypeError('[@edusync/doctype-schemas] options.doctypes must list at least one doctype')
  }
  const doFetch = options.fetch ?? globalThis.fetch
  const endpoint = options.endpoint ?? 'getdoctype'
  if (endpoint !== 'getdoctype' && endpoint !== 'resource') {
    throw new RangeError("[@edusync/doctype-schemas] options.endpoint must be 'getdoctype' or 'resource'")
  }
  const base = options.url.replace(/\/+$/, '')
  const headers = {
    Authorization: `token ${options.apiKey}:${options.apiSecret}`,
    Accept: 'application/json',
  }

  const getJson = async (url: string): Promise<unknown> => {
    let res: Response
    try {
      res = await doFetch(url, { headers })
    } catch (cause) {
      throw new MetadataFetchError({ url, problem: 'the request failed' }, { cause })
    }
    if (!res.ok) throw new MetadataFetchError({ url, status: res.status, problem: `HTTP ${res.status}` })
    try {
      return await res.json()
    } catch (cause) {
      throw new MetadataFetchError({ url, status: res.status, problem: 'the body is not JSON' }, { cause })
    }
  }

  const found = new Map<string, DocTypeMeta>()
  const queue = [...options.doctypes]
  while (queue.length > 0) {
    const name = queue.shift() as string
    if (found.has(name)) continue
    let docs: unknown[]
    let url: string
    if (endpoint === 'getdoctype') {
      url = `${base}/api/method/frappe.desk.form.load.getdoctype?doctype=${encodeURIComponent(name)}`
      const body = (await getJson(url)) as { docs?: unknown }
      if (!Array.isArray(body?.docs))
        throw new MetadataFetchError({ url, problem: 'the answer has no "docs" list' })
      docs = body.docs
    } else {
      url = `${base}/api/resource/DocType/${encodeURIComponent(name)}`
      const body = (await getJson(url)) as { data?: unknown }
      if (typeof body?.data !== 'object' || body.data === null) {
        throw new MetadataFetchError({ url, problem: 'the answer has no "data" object' })
      }
      docs = [body.data]
    }
    for (const doc of docs) {
      const meta = normalizeDocType(doc, url)
      if (found.has(meta.name)) continue
      found.set(meta.name, meta)
      for (const f of meta.fields) {
        if ((f.fieldtype === 'Table' || f.fieldtype === 'Table MultiSelect') && f.options)
          queue.push(f.options)
      }
    }
  }
  return [...found.values()]
}

/**
 * Merge Custom Field definitions into metadata the way Frappe shows them: each after its
 * `insert_after` field (appended when that field is missing), flagged `is_custom_field: 1`. A field that
 * already exists (metadata read from a site where it is installed) is left as it is.
 */
export function applyCustomFields(
  doctypes: readonly DocTypeMeta[],
  customFields: readonly CustomFieldDefinition[],
): DocTypeMeta[] {
  return doctypes.map((meta) => {
    const mine = customFields.filter((c) => c.dt === meta.name)
    if (mine.length === 0) return meta
    const fields: FieldMeta[] = [...meta.fields]
    for (const c of mine) {
      if (fields.some((f) => f.fieldname === c.fieldname)) continue
      const field: FieldMeta = {
        fieldname: c.fieldname,
        fieldtype: c.fieldtype,
        label: c.label,
        ...(c.options !== undefined ? { options: c.options } : {}),
        reqd: c.reqd ?? 0,
        unique: c.unique ?? 0,
        read_only: c.read_only ?? 0,
        hidden: 0,
        allow_on_submit: c.allow_on_submit ?? 0,
        in_list_view: 0,
        ...(c.description !== undefined ? { description: c.description } : {}),
        is_custom_field: 1,
      }
      const at = fields.findIndex((f) => f.fieldname === c.insert_after)
      if (at === -1) fields.push(field)
      else fields.splice(at + 1, 0, field)
    }
    return { ...meta, fields }
  })
}

function defaultIncludeAi(doctypes: readonly DocTypeMeta[]): boolean {
  return doctypes.some((m) => m.name === 'Student')
}

/** Options of {@link generateSchemaSource}. */
export interface GenerateOptions extends RenderOptions {
  /**
   * Add EduSync's AI custom fields and AI doctypes to the metadata.
   * @default true when the metadata includes the Education doctypes (a `Student` doctype), else false
   */
  readonly includeAi?: boolean
  /** Extra Custom Field definitions to merge (after the AI ones). */
  readonly customFields?: readonly CustomFieldDefinition[]
  /** Extra custom DocType definitions to add (after the AI ones). */
  readonly customDocTypes?: readonly CustomDocTypeDefinition[]
}

/**
 * Build the complete metadata (doctypes + customizations), check it is closed (every Table target is
 * present, no duplicate doctype) and render the schema module source. Nothing is written: the caller
 * writes the string, so malformed metadata never leaves a partial file.
 *
 * @throws {MetadataError} when metadata is inconsistent
 * @example
 * ```ts
 * const source = generateSchemaSource(await loadDocTypesFromDir('./doctypes'))
 * await writeFile('src/doctypes.generated.ts', source)
 * ```
 */
export function generateSchemaSource(
  doctypes: readonly DocTypeMeta[],
  options: GenerateOptions = {},
): string {
  const includeAi = options.includeAi ?? defaultIncludeAi(doctypes)
  const sourceDescription =
    options.sourceDescription ??
    `${doctypes.length} DocType definitions${includeAi ? ' + EduSync AI custom fields and doctypes' : ''}`
  return renderSchemaModule(buildMetadata(doctypes, options), {
    notes: DEFAULT_NOTES,
    ...options,
    sourceDescription,
  })
}

/** The metadata {@link generateSchemaSource} renders: doctypes plus customizations, validated. */
export function buildMetadata(
  doctypes: readonly DocTypeMeta[],
  options: GenerateOptions = {},
): DocTypeMeta[] {
  const includeAi = options.includeAi ?? defaultIncludeAi(doctypes)
  const customDocTypes = [...(includeAi ? aiCustomDocTypes : []), ...(options.customDocTypes ?? [])]
  const customFields = [...(includeAi ? aiCustomFields : []), ...(options.customFields ?? [])]
  const all: DocTypeMeta[] = [...doctypes]
  for (const def of customDocTypes) {
    if (all.some((m) => m.name === def.name)) continue
    all.push(normalizeDocType(def, `custom DocType ${def.name}`))
  }
  const seen = new Set<string>()
  for (const m of all) {
    if (seen.has(m.name))
      throw new MetadataError({ source: 'input', doctype: m.name, problem: 'defined twice' })
    seen.add(m.name)
  }
  for (const c of customFields) {
    if (!seen.has(c.dt)) {
      throw new MetadataError({
        source: 'custom fields',
        doctype: c.dt,
        field: c.fieldname,
        problem: 'the Custom Field targets a doctype that is not in the metadata',
      })
    }
  }
  const merged = applyCustomFields(all, customFields)
  for (const m of merged) {
    for (const f of m.fields) {
      if (
        (f.fieldtype === 'Table' || f.fieldtype === 'Table MultiSelect') &&
        f.options &&
        !seen.has(f.options)
      ) {
        throw new MetadataError({
          source: 'input',
          doctype: m.name,
          field: f.fieldname,
          problem: `the child doctype "${f.options}" is missing; include its metadata`,
        })
      }
    }
  }
  return merged
}
