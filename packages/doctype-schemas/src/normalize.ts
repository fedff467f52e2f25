import { MetadataError } from './errors.js'
import type { DocTypeMeta, FieldMeta, Flag, LayoutFieldType, ValueFieldType } from './meta.js'

/** Every fieldtype that holds a value, in a stable order. */
export const VALUE_FIELD_TYPES: readonly ValueFieldType[] = Object.freeze([
  'Attach',
  'Attach Image',
  'Autocomplete',
  'Barcode',
  'Check',
  'Code',
  'Color',
  'Currency',
  'Data',
  'Date',
  'Datetime',
  'Duration',
  'Dynamic Link',
  'Float',
  'Geolocation',
  'HTML Editor',
  'Icon',
  'Image',
  'Int',
  'JSON',
  'Link',
  'Long Text',
  'Markdown Editor',
  'Password',
  'Percent',
  'Phone',
  'Rating',
  'Read Only',
  'Select',
  'Signature',
  'Small Text',
  'Table',
  'Table MultiSelect',
  'Text',
  'Text Editor',
  'Time',
])

/** Fieldtypes that only shape the form; the generator skips them. */
export const LAYOUT_FIELD_TYPES: readonly LayoutFieldType[] = Object.freeze([
  'Section Break',
  'Column Break',
  'Tab Break',
  'HTML',
  'Heading',
  'Button',
  'Fold',
])

const valueTypes = new Set<string>(VALUE_FIELD_TYPES)
const layoutTypes = new Set<string>(LAYOUT_FIELD_TYPES)

/** A JSON object (not an array, not null). */
type JsonObject = Record<string, unknown>

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Turn one DocType document (a `<doctype>.json` file, a `getdoctype` doc or `/api/resource/DocType/X`
 * data) into {@link DocTypeMeta}: value fields only, in form order, flags as `0 | 1`.
 *
 * @param raw - the parsed DocType document
 * @param source - where it came from (a file path or URL), named in errors
 * @throws {MetadataError} naming the source, doctype and field when the metadata is malformed
 */
export function normalizeDocType(raw: unknown, source: string): DocTypeMeta {
  if (!isObject(raw)) throw new MetadataError({ source, problem: 'expected a DocType object' })
  const name = raw.name
  if (typeof name !== 'string' || name.trim() === '') {
    throw new MetadataError({ source, problem: 'the DocType has no "name"' })
  }
  const fail = (problem: string, field?: string): never => {
    throw new MetadataError({ source, doctype: name, field, problem })
  }
  if (!Array.isArray(raw.fields)) fail('"fields" must be an array')
  const rawFields = raw.fields as unknown[]

  const seen = new Map<string, JsonObject>()
  const ordered: JsonObject[] = []
  for (const [i, f] of rawFields.entries()) {
    if (!isObject(f)) fail(`fields[${i}] is not an object`)
    const field = f as JsonObject
    const fieldname = field.fieldname
    if (typeof fieldname !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(fieldname)) {
      fail(`fields[${i}] has a missing or invalid "fieldname"`)
    }
    const fname = fieldname as string
    if (seen.has(fname)) fail('the fieldname appears twice', fname)
    if (field.fieldtype === undefined || field.fieldtype === null || field.fieldtype === '') {
      fail('the field has no "fieldtype"', fname)
    }
    if (
      typeof field.fieldtype !== 'string' ||
      (!valueTypes.has(field.fieldtype) && !layoutTypes.has(field.fieldtype))
    ) {
      fail(`unknown fieldtype ${JSON.stringify(field.fieldtype)}`, fname)
    }
    seen.set(fname, field)
    ordered.push(field)
  }

  // Frappe lays fields out by `field_order` when the DocType has one, by `idx` for documents read from a
  // site, and by array order otherwise. Fields missing from field_order keep their relative order at the end.
  let inOrder = ordered
  if (Array.isArray(raw.field_order) && raw.field_order.length > 0) {
    const order = raw.field_order.filter((x): x is string => typeof x === 'string')
    const rank = new Map(order.map((fieldname, i) => [fieldname, i]))
    inOrder = ordered
      .map((f, i) => ({ f, i }))
      .sort((a, b) => {
        const ra = rank.get(a.f.fieldname as string) ?? order.length + a.i
        const rb = rank.get(b.f.fieldname as string) ?? order.length + b.i
        return ra - rb
      })
      .map((x) => x.f)
  } else if (ordered.every((f) => typeof f.idx === 'number')) {
    inOrder = ordered
      .map((f, i) => ({ f, i }))
      .sort((a, b) => (a.f.idx as number) - (b.f.idx as number) || a.i - b.i)
      .map((x) => x.f)
  }

  const fields: FieldMeta[] = []
  for (const f of inOrder) {
    if (layoutTypes.has(f.fieldtype as string)) continue
    fields.push(normalizeField(f, (problem, field) => fail(problem, field)))
  }

  const flag = (key: string): Flag => toFlag(raw[key], (p) => fail(`"${key}" ${p}`))
  const meta: {
    -readonly [K in keyof DocTypeMeta]: DocTypeMeta[K]
  } = {
    name,
    module: typeof raw.module === 'string' ? raw.module : '',
    istable: flag('istable'),
    issingle: flag('issingle'),
    is_submittable: flag('is_submittable'),
    fields,
  }
  const optString = (key: 'autoname' | 'naming_rule' | 'title_field' | 'sort_field') => {
    const v = raw[key]
    if (typeof v === 'string' && v !== '') meta[key] = v
  }
  optString('autoname')
  optString('naming_rule')
  optString('title_field')
  optString('sort_field')
  if (raw.sort_order === 'ASC' || raw.sort_order === 'DESC') meta.sort_order = raw.sort_order
  if (toFlag(raw.custom, () => 0) === 1) meta.custom = 1
  return meta
}

function toFlag(value: unknown, fail: (problem: string) => never | Flag): Flag {
  if (value === undefined || value === null || value === 0 || value === false || value === '0') return 0
  if (value === 1 || value === true || value === '1') return 1
  return fail(`must be 0 or 1, got ${JSON.stringify(value)}`)
}

function normalizeField(f: JsonObject, fail: (problem: string, field?: string) => never): FieldMeta {
  const fieldname = f.fieldname as string
  const fieldtype = f.fieldtype as ValueFieldType
  const flag = (key: string): Flag => toFlag(f[key], (p) => fail(`"${key}" ${p}`, fieldname))
  const str = (key: string): string | undefined => {
    const v = f[key]
    if (v === undefined || v === null || v === '') return undefined
    if (typeof v === 'number') return String(v)
    if (typeof v !== 'string') return fail(`"${key}" must be a string`, fieldname)
    return v
  }
  const options = str('options')
  if ((fieldtype === 'Link' || fieldtype === 'Table' || fieldtype === 'Table MultiSelect') && !options) {
    fail(`a ${fieldtype} field needs "options" (the target doctype)`, fieldname)
  }
  if (fieldtype === 'Dynamic Link' && !options) {
    fail('a Dynamic Link field needs "options" (the field holding the target doctype)', fieldname)
  }
  const out: { -readonly [K in keyof FieldMeta]: FieldMeta[K] } = {
    fieldname,
    fieldtype,
    reqd: flag('reqd'),
    unique: flag('unique'),
    read_only: flag('read_only'),
    hidden: flag('hidden'),
    allow_on_submit: flag('allow_on_submit'),
    in_list_view: flag('in_list_view'),
  }
  const label = str('label')
  if (label !== undefined) out.label = label
  if (options !== undefined) out.options = options
  const def = str('default')
  if (def !== undefined) out.default = def
  const fetchFrom = str('fetch_from')
  if (fetchFrom !== undefined) out.fetch_from = fetchFrom
  const description = str('description')
  if (description !== undefined) out.description = description
  if (toFlag(f.is_custom_field, () => 0) === 1) out.is_custom_field = 1
  return out
}

/** Split a Select field's `options` into its allowed values (a leading newline allows `""`). */
export function selectOptions(
  field: Pick<FieldMeta, 'fieldtype' | 'options'>,
): readonly string[] | undefined {
  if (field.fieldtype !== 'Select' || field.options === undefined) return undefined
  const values = field.options.split('\n')
  return [...new Set(values)]
}
