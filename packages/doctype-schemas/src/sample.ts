import type { CreateDocTypeMap, DocTypeMap } from './parse.js'
import type { DocTypeMeta, FieldMeta } from './meta.js'
import { type DocTypeName, doctypeMeta, getDocTypeMeta } from './metadata.js'
import { selectOptions } from './normalize.js'
import { isRequiredOnCreate } from './render.js'

/** Options of {@link sampleDoc}. */
export interface SampleOptions {
  /**
   * `read`: the document as ERPNext returns it (standard fields, child rows with parent fields, unset
   * fields omitted or null, unpadded times, JSON fields as strings). `create`: a valid insert body.
   * @default 'read'
   */
  readonly flavour?: 'read' | 'create'
  /**
   * Seed of the built-in pseudo-random generator; the same seed gives the same document.
   * @default 1
   */
  readonly seed?: number
  /** A random source in [0, 1) to use instead of the seeded one (e.g. from fast-check). */
  readonly random?: () => number
  /**
   * Metadata of the doctype's child tables (and of the doctype itself when given by name).
   * @default getDocTypeMeta
   */
  readonly resolveMeta?: (doctype: string) => DocTypeMeta
  /**
   * How often an optional field is present, from 0 to 1.
   * @default 0.6
   */
  readonly fillRate?: number
}

/** A small, fast, seedable PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Tim', 'Radia', 'Dennis', 'Frances']
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Berners-Lee', 'Perlman']
const WORDS = ['algebra', 'biology', 'history', 'music', 'physics', 'poetry', 'robotics', 'geometry', 'art']

interface Ctx {
  readonly rnd: () => number
  readonly resolve: (doctype: string) => DocTypeMeta
  readonly fillRate: number
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const int = (ctx: Ctx, lo: number, hi: number) => lo + Math.floor(ctx.rnd() * (hi - lo + 1))
const pick = <T>(ctx: Ctx, list: readonly T[]): T => list[Math.floor(ctx.rnd() * list.length)] as T

function date(ctx: Ctx): string {
  return `${int(ctx, 2019, 2026)}-${pad(int(ctx, 1, 12))}-${pad(int(ctx, 1, 28))}`
}
function datetime(ctx: Ctx): string {
  const micro = ctx.rnd() < 0.7 ? `.${pad(int(ctx, 0, 999999), 6)}` : ''
  return `${date(ctx)} ${pad(int(ctx, 0, 23))}:${pad(int(ctx, 0, 59))}:${pad(int(ctx, 0, 59))}${micro}`
}
function seriesName(ctx: Ctx, prefix: string): string {
  return `${prefix}${int(ctx, 2019, 2026)}-${pad(int(ctx, 1, 99999), 5)}`
}
function hash(ctx: Ctx): string {
  let s = ''
  for (let i = 0; i < 10; i++) s += Math.floor(ctx.rnd() * 16).toString(16)
  return s
}

function linkValue(ctx: Ctx, target: string): string {
  const prefixes: Record<string, string> = {
    Student: 'EDU-STU-',
    Guardian: 'EDU-GRD-',
    Instructor: 'EDU-INS-',
    'Program Enrollment': 'EDU-ENR-',
    'Assessment Plan': 'EDU-ASP-',
    'Assessment Result': 'EDU-RES-',
    'Course Schedule': 'EDU-CSH-',
    Room: 'HTL-ROOM-',
  }
  const prefix = prefixes[target]
  if (prefix) return seriesName(ctx, prefix)
  if (target === 'User') return `${pick(ctx, FIRST).toLowerCase()}@example.org`
  if (target === 'Gender') return pick(ctx, ['Female', 'Male', 'Non-Conforming'])
  if (target === 'Academic Year') {
    const y = int(ctx, 2019, 2026)
    return `${y}-${pad((y + 1) % 100)}`
  }
  return `${target} ${int(ctx, 1, 40)}`
}

function dataValue(ctx: Ctx, field: FieldMeta): string {
  const n = field.fieldname
  if (n.includes('email')) return `${pick(ctx, FIRST).toLowerCase()}.${int(ctx, 1, 999)}@example.org`
  if (n.includes('mobile') || n.includes('number') || n.includes('phone'))
    return `+1 555 01${pad(int(ctx, 0, 99))}`
  if (n === 'first_name' || n === 'middle_name') return pick(ctx, FIRST)
  if (n === 'last_name') return pick(ctx, LAST)
  if (n.endsWith('_name') || n === 'full_name' || n === 'title')
    return `${pick(ctx, FIRST)} ${pick(ctx, LAST)}`
  return `${pick(ctx, WORDS)} ${int(ctx, 1, 99)}`
}

function fieldValue(
  ctx: Ctx,
  field: FieldMeta,
  flavour: 'read' | 'create',
  doc: Record<string, unknown>,
): unknown {
  switch (field.fieldtype) {
    case 'Check':
      return int(ctx, 0, 1)
    case 'Int':
      return int(ctx, 0, 500)
    case 'Float':
    case 'Currency':
    case 'Duration':
      return Math.round(ctx.rnd() * 100000) / 100
    case 'Percent':
      return Math.round(ctx.rnd() * 10000) / 100
    case 'Rating':
      return Math.round(ctx.rnd() * 5) / 5
    case 'Date':
      return date(ctx)
    case 'Datetime':
      return datetime(ctx)
    case 'Time': {
      // Read: as MariaDB returns it, hour unpadded. Create: what people type.
      const h = int(ctx, 0, 23)
      const m = pad(int(ctx, 0, 59))
      if (flavour === 'create') return ctx.rnd() < 0.5 ? `${pad(h)}:${m}` : `${h}:${m}:00`
      return ctx.rnd() < 0.8
        ? `${h}:${m}:${pad(int(ctx, 0, 59))}`
        : `${h}:${m}:00.${pad(int(ctx, 0, 999999), 6)}`
    }
    case 'Select': {
      const values = selectOptions(field)
      return values && values.length > 0 ? pick(ctx, values) : `${pick(ctx, WORDS)}`
    }
    case 'JSON':
    case 'Geolocation': {
      const content = { version: 1, note: pick(ctx, WORDS) }
      return flavour === 'create' && ctx.rnd() < 0.5 ? content : JSON.stringify(content)
    }
    case 'Link':
      return linkValue(ctx, field.options ?? 'Link')
    case 'Dynamic Link': {
      const typeField = field.options ? doc[field.options] : undefined
      return typeof typeField === 'string' && typeField !== ''
        ? linkValue(ctx, typeField)
        : `${pick(ctx, WORDS)} ${int(ctx, 1, 9)}`
    }
    case 'Color':
      return pick(ctx, ['#EDF6FD', '#E4F5E9', '#FFF0F0', '#FFF1E7'])
    case 'Attach':
    case 'Attach Image':
    case 'Image':
      return `/files/sample-${int(ctx, 1, 999)}.png`
    case 'Text Editor':
    case 'HTML Editor':
      return `<p>${pick(ctx, WORDS)} ${pick(ctx, WORDS)}</p>`
    case 'Small Text':
    case 'Text':
    case 'Long Text':
    case 'Markdown Editor':
    case 'Code':
      return `${pick(ctx, WORDS)} ${pick(ctx, WORDS)}\n${pick(ctx, WORDS)}`
    default:
      return dataValue(ctx, field)
  }
}

function buildDoc(
  ctx: Ctx,
  meta: DocTypeMeta,
  flavour: 'read' | 'create',
  child?: { parent: string; parenttype: string; parentfield: string; idx: number },
): Record<string, unknown> {
  const doc: Record<string, unknown> = {}
  const now = datetime(ctx)
  for (const field of meta.fields) {
    const isTable = field.fieldtype === 'Table' || field.fieldtype === 'Table MultiSelect'
    const required = flavour === 'read' ? field.reqd === 1 : isRequiredOnCreate(field)
    if (isTable) {
      const min = required || (flavour === 'read' && field.reqd === 1) ? 1 : 0
      if (min === 0 && ctx.rnd() >= ctx.fillRate) continue
      const target = ctx.resolve(field.options ?? '')
      const rows: Record<string, unknown>[] = []
      const count = int(ctx, min, 2)
      for (let i = 0; i < count; i++) {
        rows.push(
          buildDoc(ctx, target, flavour, {
            parent: '',
            parenttype: meta.name,
            parentfield: field.fieldname,
            idx: i + 1,
          }),
        )
      }
      doc[field.fieldname] = rows
      continue
    }
    if (!required) {
      const roll = ctx.rnd()
      if (roll >= ctx.fillRate) {
        // ERPNext omits unset fields on single reads; list rows carry them as null.
        if (roll >= ctx.fillRate + (1 - ctx.fillRate) / 2) doc[field.fieldname] = null
        continue
      }
    }
    doc[field.fieldname] = fieldValue(ctx, field, flavour, doc)
  }
  if (flavour === 'create') return doc

  const autoname = meta.autoname ?? ''
  let name: string
  if (child) name = hash(ctx)
  else if (autoname.startsWith('field:')) {
    const v = doc[autoname.slice(6)]
    name = typeof v === 'string' && v !== '' ? v : `${meta.name} ${int(ctx, 1, 99)}`
  } else if (autoname === 'naming_series:' || /\.#+$/.test(autoname) || autoname.startsWith('format:')) {
    const series = typeof doc.naming_series === 'string' ? doc.naming_series : undefined
    const prefix = series
      ? series.replace('.YYYY.-', '').replace('.YYYY.', '')
      : autoname.startsWith('format:')
        ? autoname.slice(7).replace(/\{YYYY\}-\{#+\}$/, '')
        : autoname.replace(/\.YYYY\.-\.#+$/, '')
    name = seriesName(ctx, prefix.endsWith('-') ? prefix : `${prefix}-`)
  } else name = hash(ctx)

  const owner = `${pick(ctx, FIRST).toLowerCase()}@example.org`
  const standard: Record<string, unknown> = {
    name,
    owner,
    creation: now,
    modified: now,
    modified_by: owner,
    docstatus: meta.is_submittable ? int(ctx, 0, 2) : 0,
    idx: child ? child.idx : 0,
    doctype: meta.name,
  }
  if (child) {
    Object.assign(standard, {
      parent: child.parent,
      parentfield: child.parentfield,
      parenttype: child.parenttype,
    })
  }
  const out = { ...standard, ...doc }
  // Child rows point at their parent's name, known only now.
  for (const field of meta.fields) {
    const rows = out[field.fieldname]
    if ((field.fieldtype === 'Table' || field.fieldtype === 'Table MultiSelect') && Array.isArray(rows)) {
      for (const row of rows as Record<string, unknown>[]) row.parent = name
    }
  }
  return out
}

/**
 * Build a valid sample document of a doctype from its metadata, as ERPNext would return it (`read`)
 * or as you would send it (`create`). Deterministic for a given seed; every schema of this package
 * accepts what it builds, which makes it a fixture factory for tests and emulators.
 *
 * @example
 * ```ts
 * const student = sampleDoc('Student', { seed: 42 })
 * student.first_name // e.g. 'Grace'
 * ```
 */
export function sampleDoc<K extends DocTypeName>(
  doctype: K,
  options?: SampleOptions & { readonly flavour?: 'read' },
): DocTypeMap[K]
export function sampleDoc<K extends DocTypeName>(
  doctype: K,
  options: SampleOptions & { readonly flavour: 'create' },
): CreateDocTypeMap[K]
export function sampleDoc(doctype: string | DocTypeMeta, options?: SampleOptions): Record<string, unknown>
export function sampleDoc(
  doctype: string | DocTypeMeta,
  options: SampleOptions = {},
): Record<string, unknown> {
  const flavour = options.flavour ?? 'read'
  if (flavour !== 'read' && flavour !== 'create') {
    throw new RangeError("[@edusync/doctype-schemas] options.flavour must be 'read' or 'create'")
  }
  const fillRate = options.fillRate ?? 0.6
  if (typeof fillRate !== 'number' || !(fillRate >= 0 && fillRate <= 1)) {
    throw new RangeError('[@edusync/doctype-schemas] options.fillRate must be a number from 0 to 1')
  }
  if (options.random !== undefined && typeof options.random !== 'function') {
    throw new TypeError('[@edusync/doctype-schemas] options.random must be a function returning [0, 1)')
  }
  const seed = options.seed ?? 1
  if (!Number.isInteger(seed))
    throw new TypeError('[@edusync/doctype-schemas] options.seed must be an integer')
  const resolve = options.resolveMeta ?? ((name: string) => getDocTypeMeta(name))
  const ctx: Ctx = { rnd: options.random ?? seeded(seed), resolve, fillRate }
  const meta = typeof doctype === 'string' ? resolve(doctype) : doctype
  if (meta.istable && flavour === 'read') {
    // A child row on its own (as `frappe.client.get_list` with `parent` returns it) still has a parent.
    const parent = Object.values(doctypeMeta).find((m) =>
      m.fields.some((f) => f.fieldtype.startsWith('Table') && f.options === meta.name),
    )
    const parentfield = parent?.fields.find((f) => f.options === meta.name)?.fieldname ?? 'items'
    const parenttype = parent?.name ?? 'Parent'
    const row = buildDoc(ctx, meta, flavour, { parent: '', parenttype, parentfield, idx: int(ctx, 1, 5) })
    row.parent = linkValue(ctx, parenttype)
    return row
  }
  return buildDoc(ctx, meta, flavour)
}
