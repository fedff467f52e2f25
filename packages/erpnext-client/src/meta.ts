/**
 * DocType metadata as the client reads it: the structural subset of `@edusync/doctype-schemas`'
 * `DocTypeMeta` (so its bundled metadata can be passed as is) and of what a live site returns.
 */

/** One value field of a DocType. */
export interface FieldMeta {
  /** Column name. */
  readonly fieldname: string
  /** Frappe fieldtype, e.g. `Data`, `Link`, `Table`. */
  readonly fieldtype: string
  /** Link/Table target doctype, or Select options separated by newlines. */
  readonly options?: string | undefined
  /** Label shown in the form. */
  readonly label?: string | undefined
  /** `1` when mandatory. */
  readonly reqd?: 0 | 1 | undefined
  /** `1` when unique. */
  readonly unique?: 0 | 1 | undefined
  /** `1` when editable after submit. */
  readonly allow_on_submit?: 0 | 1 | undefined
  /** `1` on custom fields. */
  readonly is_custom_field?: 0 | 1 | undefined
}

/** A DocType's metadata. */
export interface DocTypeMeta {
  /** DocType name, e.g. `Student`. */
  readonly name: string
  /** Module, e.g. `Education`. */
  readonly module?: string | undefined
  /** `1` for child tables. */
  readonly istable?: 0 | 1 | undefined
  /** `1` for submittable doctypes. */
  readonly is_submittable?: 0 | 1 | undefined
  /** Frappe autoname rule. */
  readonly autoname?: string | undefined
  /** `1` for doctypes created at run time. */
  readonly custom?: 0 | 1 | undefined
  /** Value fields, in order. */
  readonly fields: readonly FieldMeta[]
}

const LAYOUT_TYPES = new Set([
  'Section Break',
  'Column Break',
  'Tab Break',
  'HTML',
  'Heading',
  'Button',
  'Fold',
])

/** @internal Normalize a DocType document (from the site) into {@link DocTypeMeta}. */
export function normalizeDocTypeDoc(doc: Record<string, unknown>): DocTypeMeta {
  const flag = (v: unknown): 0 | 1 => (v === 1 || v === true || v === '1' ? 1 : 0)
  const fields = (Array.isArray(doc.fields) ? doc.fields : [])
    .filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null)
    .filter((f) => typeof f.fieldname === 'string' && !LAYOUT_TYPES.has(String(f.fieldtype)))
    .map(
      (f): FieldMeta =>
        Object.freeze({
          fieldname: String(f.fieldname),
          fieldtype: String(f.fieldtype),
          ...(typeof f.options === 'string' && f.options !== '' ? { options: f.options } : {}),
          ...(typeof f.label === 'string' ? { label: f.label } : {}),
          reqd: flag(f.reqd),
          unique: flag(f.unique),
          allow_on_submit: flag(f.allow_on_submit),
          is_custom_field: flag(f.is_custom_field),
        }),
    )
  return Object.freeze({
    name: String(doc.name),
    ...(typeof doc.module === 'string' ? { module: doc.module } : {}),
    istable: flag(doc.istable),
    is_submittable: flag(doc.is_submittable),
    ...(typeof doc.autoname === 'string' ? { autoname: doc.autoname } : {}),
    custom: flag(doc.custom),
    fields: Object.freeze(fields),
  })
}

/** A field whose type (or Link/Table target) differs between the bundled schema and the site. */
export interface RetypedField {
  /** The field. */
  readonly fieldname: string
  /** What the bundled metadata says. */
  readonly expected: { readonly fieldtype: string; readonly options?: string | undefined }
  /** What the site says. */
  readonly actual: { readonly fieldtype: string; readonly options?: string | undefined }
}

/** Drift of one doctype. */
export interface DocTypeDrift {
  /** The doctype. */
  readonly doctype: string
  /** On the site, not in the bundled metadata (e.g. site customizations). */
  readonly added: readonly FieldMeta[]
  /** In the bundled metadata, missing on the site. */
  readonly removed: readonly FieldMeta[]
  /** Present on both with another fieldtype or target. */
  readonly retyped: readonly RetypedField[]
  /** True when the doctype does not exist on the site at all. */
  readonly missingDocType: boolean
}

/** Result of `client.checkDrift()`. */
export interface DriftReport {
  /** True when any doctype drifted. */
  readonly drifted: boolean
  /** One entry per checked doctype. */
  readonly doctypes: readonly DocTypeDrift[]
}

const TARGET_TYPES = new Set(['Link', 'Table', 'Table MultiSelect', 'Select', 'Dynamic Link'])

/**
 * Compare metadata: fields added on the site, removed from it, or retyped (fieldtype, or the target of
 * Link/Table fields and the options of Select fields).
 */
export function diffDocTypeMeta(expected: DocTypeMeta, actual: DocTypeMeta | undefined): DocTypeDrift {
  if (actual === undefined) {
    return Object.freeze({
      doctype: expected.name,
      added: [],
      removed: [...expected.fields],
      retyped: [],
      missingDocType: true,
    })
  }
  const live = new Map(actual.fields.map((f) => [f.fieldname, f]))
  const bundled = new Map(expected.fields.map((f) => [f.fieldname, f]))
  const added = actual.fields.filter((f) => !bundled.has(f.fieldname))
  const removed = expected.fields.filter((f) => !live.has(f.fieldname))
  const retyped: RetypedField[] = []
  for (const want of expected.fields) {
    const have = live.get(want.fieldname)
    if (!have) continue
    const optionsMatter = TARGET_TYPES.has(want.fieldtype)
    const norm = (o: string | undefined) => (o ?? '').trim()
    if (have.fieldtype !== want.fieldtype || (optionsMatter && norm(have.options) !== norm(want.options))) {
      retyped.push({
        fieldname: want.fieldname,
        expected: { fieldtype: want.fieldtype, options: want.options },
        actual: { fieldtype: have.fieldtype, options: have.options },
      })
    }
  }
  return Object.freeze({ doctype: expected.name, added, removed, retyped, missingDocType: false })
}
