/**
 * The in-memory Frappe site: metadata registry, document store with an undo journal (so a request
 * commits or rolls back as a whole), naming, validation, docstatus transitions, the `modified`
 * optimistic lock, links, controller-computed values and list queries.
 */
import { formatFrappeDate, formatFrappeTimestamp } from '@edusync/doctype-schemas'
import { FrappeException, frappeThrow } from './errors.js'
import {
  type FilterCondition,
  collate,
  columnKind,
  conditionPredicate,
  listValue,
  parseFilters,
} from './filters.js'
import {
  CHILD_COLUMNS,
  type EmulatorDocTypeMeta,
  type EmulatorFieldMeta,
  FLOAT_TYPES,
  INT_TYPES,
  NO_VALUE_TYPES,
  STANDARD_COLUMNS,
  TABLE_TYPES,
  UNDERSCORE_COLUMNS,
  VARCHAR_TYPES,
} from './meta.js'
import { PyFloat, pyDumps } from './pyjson.js'
import { normalizeDate, normalizeDatetime, normalizeTime, timeSeconds } from './time.js'
import { timespanRange } from './timespan.js'

/** A stored document: every column present (null when unset), tables as arrays of child rows. */
export type Doc = Record<string, unknown>

/** Permission types Frappe checks. */
export type PermType = 'read' | 'write' | 'create' | 'delete' | 'submit' | 'cancel'

/** An account on the emulated site. */
export interface SiteUser {
  readonly name: string
  readonly fullName: string
  readonly apiKey: string
  readonly apiSecret: string
  readonly password: string
  /** `'all'` for Administrator; otherwise the doctypes and permission types granted. */
  readonly perms: 'all' | Readonly<Record<string, readonly PermType[]>>
}

/** Document events Frappe runs (the ones webhooks can listen to). */
export type DocEvent =
  | 'after_insert'
  | 'on_update'
  | 'on_submit'
  | 'on_cancel'
  | 'on_trash'
  | 'on_change'
  | 'on_update_after_submit'

/** A request's unit of work. */
export interface Txn {
  readonly user: string
  readonly undo: (() => void)[]
  /** Events raised during the request, in order (webhooks are matched on commit). */
  readonly events: { doctype: string; doc: Doc; event: DocEvent }[]
}

interface Table {
  readonly docs: Map<string, Doc>
  sorted: string[] | null
  /** Secondary indexes (collated value → names), built on first use and then kept up to date. */
  readonly indexes: Map<string, Map<string, Set<string>>>
}

/** Engine configuration. */
export interface EngineOptions {
  readonly timeZone: string
  readonly now: () => number
  readonly random: () => number
  /** System Settings `first_day_of_the_week`, Sunday = 0 (`this week`, `last week`…). @default 1 (Monday) */
  readonly firstDayOfWeek?: number
}

const CONTROL_KEYS = new Set([
  'doctype',
  'flags',
  '__islocal',
  '__unsaved',
  '__last_sync_on',
  '_comments',
  '_assign',
  '_liked_by',
  '_user_tags',
  '_seen',
])
const STANDARD_FIELD_SET = new Set<string>([...STANDARD_COLUMNS, ...CHILD_COLUMNS, 'doctype'])

const SCHEDULE_COLOURS: Record<string, string> = {
  blue: '#EDF6FD',
  green: '#E4F5E9',
  red: '#FFF0F0',
  orange: '#FFF1E7',
  yellow: '#FFF7D3',
  teal: '#E6F7F4',
  violet: '#F5F2FF',
  cyan: '#E0F8FF',
  amber: '#FCF3CF',
  pink: '#FEEEF8',
  purple: '#F9F0FF',
}

const TREE_OPERATORS = new Set([
  'descendants of',
  'not descendants of',
  'ancestors of',
  'not ancestors of',
  'descendants of (inclusive)',
])

const TIMESPAN_OPERATORS = new Set(['timespan', 'previous', 'next'])

/** Arguments of a list query (contract §3 and §9). */
export interface ListArgs {
  readonly fields?: unknown
  readonly filters?: unknown
  readonly or_filters?: unknown
  readonly order_by?: unknown
  readonly group_by?: unknown
  readonly limit_start?: unknown
  readonly limit_page_length?: unknown
  readonly as_dict?: unknown
  readonly parent?: unknown
  /** `true` when `fields` must be JSON (v1 resource route), so a bare `*` fails. */
  readonly strictFields?: boolean
  /** Skip the permission check (`get_count`). */
  readonly ignorePermissions?: boolean
}

interface Column {
  /** Output key. */
  readonly key: string
  /** Row accessor. */
  readonly get: (row: ListRow) => unknown
  readonly aggregate?: 'count' | 'sum' | 'max' | 'min' | 'avg'
}

interface ListRow {
  readonly doc: Doc
  readonly child?: Doc
}

/** Parse Frappe's truthy flags (`1`, `"1"`, `true`, `"true"`). */
export function cint(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0
  if (value === null || value === undefined) return 0
  const s = String(value).trim().toLowerCase()
  if (s === 'true') return 1
  if (s === 'false') return 0
  const n = Number.parseInt(s, 10)
  return Number.isFinite(n) ? n : 0
}

/** Parse a number the way Frappe's `flt` does. */
export function flt(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof PyFloat) return value.value
  const n = Number.parseFloat(String(value ?? '').replace(/,/g, ''))
  return Number.isFinite(n) ? n : 0
}

/** The in-memory Frappe site. */
export class Engine {
  readonly metas = new Map<string, EmulatorDocTypeMeta>()
  readonly users = new Map<string, SiteUser>()
  private readonly tables = new Map<string, Table>()
  private readonly series = new Map<string, number>()
  private readonly lazy = new Map<string, () => void>()
  private lastMicros = 0
  readonly options: EngineOptions
  /** Hook run when a Webhook document is validated (set by the webhook module). */
  validateWebhook: ((doc: Doc) => void) | undefined

  constructor(options: EngineOptions) {
    this.options = options
  }

  // --- metadata -----------------------------------------------------------------------------------

  /** Register (or replace) a doctype's metadata. */
  registerMeta(meta: EmulatorDocTypeMeta): void {
    this.metas.set(meta.name, meta)
  }

  /** Metadata of `doctype`, or DoesNotExistError "DocType X not found". */
  meta(doctype: string): EmulatorDocTypeMeta {
    const meta = this.metas.get(doctype)
    if (!meta) frappeThrow('DoesNotExistError', `DocType ${doctype} not found`)
    return meta
  }

  /** Value fields of a doctype (layout fields removed). */
  valueFields(meta: EmulatorDocTypeMeta): EmulatorFieldMeta[] {
    return meta.fields.filter((f) => !NO_VALUE_TYPES.has(f.fieldtype))
  }

  private fieldOf(meta: EmulatorDocTypeMeta, fieldname: string): EmulatorFieldMeta | undefined {
    return meta.fields.find((f) => f.fieldname === fieldname && !NO_VALUE_TYPES.has(f.fieldtype))
  }

  /** The fieldtype of any column of `meta` (standard columns included), or undefined. */
  columnType(meta: EmulatorDocTypeMeta, column: string): string | undefined {
    switch (column) {
      case 'name':
      case 'owner':
      case 'modified_by':
      case 'parent':
      case 'parentfield':
      case 'parenttype':
        return column === 'name' || meta.istable || !CHILD_COLUMNS.includes(column as never)
          ? 'Data'
          : undefined
      case 'creation':
      case 'modified':
        return 'Datetime'
      case 'docstatus':
      case 'idx':
        return 'Int'
      case '_user_tags':
      case '_comments':
      case '_assign':
      case '_liked_by':
        return meta.istable ? undefined : 'Text'
    }
    const f = this.fieldOf(meta, column)
    if (!f || TABLE_TYPES.has(f.fieldtype)) return undefined
    return f.fieldtype
  }

  /** DocTypes that hold `childDoctype` rows, with the table field names. */
  parentsOf(childDoctype: string): { parent: string; fieldname: string }[] {
    const out: { parent: string; fieldname: string }[] = []
    for (const meta of this.metas.values()) {
      for (const f of meta.fields) {
        if (TABLE_TYPES.has(f.fieldtype) && f.options === childDoctype)
          out.push({ parent: meta.name, fieldname: f.fieldname })
      }
    }
    return out
  }

  // --- storage ------------------------------------------------------------------------------------

  /** Register a loader run the first time `doctype` is touched (lazy seeds). */
  setLazy(doctype: string, loader: () => void): void {
    this.lazy.set(doctype, loader)
  }

  private table(doctype: string): Table {
    const loader = this.lazy.get(doctype)
    if (loader) {
      this.lazy.delete(doctype)
      loader()
    }
    let t = this.tables.get(doctype)
    if (!t) {
      t = { docs: new Map(), sorted: null, indexes: new Map() }
      this.tables.set(doctype, t)
    }
    return t
  }

  /** Stored document or undefined (no copy: treat as read-only). */
  peek(doctype: string, name: string): Doc | undefined {
    return this.table(doctype).docs.get(name)
  }

  /** Stored document or DoesNotExistError. */
  get(doctype: string, name: string): Doc {
    this.meta(doctype)
    const doc = this.peek(doctype, name)
    if (!doc) frappeThrow('DoesNotExistError', `${doctype} ${name} not found`)
    return doc
  }

  /** All stored documents of a doctype, in insertion order. */
  all(doctype: string): IterableIterator<Doc> {
    return this.table(doctype).docs.values()
  }

  /** Number of stored documents of a doctype. */
  count(doctype: string): number {
    return this.table(doctype).docs.size
  }

  /** Names in Frappe's natural order (primary key, collated). */
  private sortedNames(doctype: string): string[] {
    const t = this.table(doctype)
    if (!t.sorted) {
      const names = [...t.docs.keys()]
      const keyed = names.map((n) => [collate(n), n] as const)
      keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      t.sorted = keyed.map((k) => k[1])
    }
    return t.sorted
  }

  private put(t: Table, name: string, doc: Doc | undefined): void {
    const before = t.docs.get(name)
    if (doc) t.docs.set(name, doc)
    else t.docs.delete(name)
    if (!before || !doc) t.sorted = null
    for (const [fieldname, index] of t.indexes) {
      if (before && before[fieldname] != null) index.get(collate(before[fieldname]))?.delete(name)
      if (doc && doc[fieldname] != null) {
        const key = collate(doc[fieldname])
        let set = index.get(key)
        if (!set) index.set(key, (set = new Set()))
        set.add(name)
      }
    }
  }

  private write(txn: Txn | undefined, doctype: string, name: string, doc: Doc | undefined): void {
    const t = this.table(doctype)
    const before = t.docs.get(name)
    this.put(t, name, doc)
    txn?.undo.push(() => this.put(t, name, before))
  }

  /** Names of the documents whose `fieldname` equals `value` (collated), via a maintained index. */
  lookup(doctype: string, fieldname: string, value: unknown): readonly string[] {
    const t = this.table(doctype)
    let index = t.indexes.get(fieldname)
    if (!index) {
      index = new Map()
      for (const [name, doc] of t.docs) {
        const v = doc[fieldname]
        if (v == null) continue
        const key = collate(v)
        let set = index.get(key)
        if (!set) index.set(key, (set = new Set()))
        set.add(name)
      }
      t.indexes.set(fieldname, index)
    }
    return [...(index.get(collate(value)) ?? [])]
  }

  /** Roll back every change of a transaction. */
  rollback(txn: Txn): void {
    for (let i = txn.undo.length - 1; i >= 0; i--) txn.undo[i]!()
    txn.undo.length = 0
    txn.events.length = 0
  }

  /** Start a unit of work for `user`. */
  begin(user: string): Txn {
    return { user, undo: [], events: [] }
  }

  /** Remove every document, counter and lazy loader (metadata stays). */
  clearData(): void {
    this.tables.clear()
    this.series.clear()
    this.lazy.clear()
  }

  // --- time, ids ----------------------------------------------------------------------------------

  /** Frappe `now()`: strictly increasing, 6 fraction digits, site-local. */
  now(): string {
    const micros = Math.max(Math.floor(this.options.now() * 1000), this.lastMicros + 1)
    this.lastMicros = micros
    return formatFrappeTimestamp(micros, this.options.timeZone)
  }

  private todayCache: { at: number; value: string } | undefined

  /** Today in the site's time zone. */
  today(): string {
    const at = this.options.now()
    if (this.todayCache && Math.abs(at - this.todayCache.at) < 1000) return this.todayCache.value
    const value = formatFrappeDate(at, this.options.timeZone)
    this.todayCache = { at, value }
    return value
  }

  /** Random lowercase hex of `length` characters (Frappe's `generate_hash`). */
  hash(length = 10): string {
    let s = ''
    while (s.length < length) s += Math.floor(this.options.random() * 16).toString(16)
    return s
  }

  // --- permissions --------------------------------------------------------------------------------

  /** Whether `user` has `ptype` on `doctype`. */
  can(user: string, doctype: string, ptype: PermType): boolean {
    if (user === 'Administrator') return true
    const u = this.users.get(user)
    if (!u) return false
    if (u.perms === 'all') return true
    return u.perms[doctype]?.includes(ptype) ?? false
  }

  /** Throw Frappe's PermissionError unless allowed. */
  check(user: string, doctype: string, ptype: PermType, name?: string): void {
    if (this.can(user, doctype, ptype)) return
    const msg =
      name === undefined
        ? `No permission for ${doctype}`
        : `You need the '${ptype}' permission on <strong>${doctype}</strong> ${name} to perform this action.`
    throw new FrappeException('PermissionError', msg, {
      errorMessage: msg,
      exceptionText: '',
      title: 'Not Permitted',
    })
  }

  // --- naming -------------------------------------------------------------------------------------

  private nextInSeries(txn: Txn | undefined, key: string): number {
    const before = this.series.get(key)
    const next = (before ?? 0) + 1
    this.series.set(key, next)
    txn?.undo.push(() => {
      if (before === undefined) this.series.delete(key)
      else this.series.set(key, before)
    })
    return next
  }

  /** Current counter of a naming-series key (e.g. `EDU-STU-2024-`). */
  seriesCurrent(key: string): number {
    return this.series.get(key) ?? 0
  }

  /** Set a naming-series counter (seeds). */
  setSeries(key: string, value: number): void {
    this.series.set(key, value)
  }

  private datePart(token: string): string | undefined {
    const today = this.today()
    const [y, m, d] = today.split('-') as [string, string, string]
    switch (token) {
      case 'YYYY':
        return y
      case 'YY':
        return y.slice(2)
      case 'MM':
        return m
      case 'DD':
        return d
      default:
        return undefined
    }
  }

  /** Frappe's `make_autoname` for dotted series such as `EDU-STU-.YYYY.-.#####`. */
  makeSeriesName(txn: Txn | undefined, pattern: string, doc: Doc): string {
    let series = pattern
    if (!series.includes('#')) series = `${series}.#####`
    let name = ''
    for (const part of series.split('.')) {
      if (!part) continue
      if (/^#+$/.test(part)) {
        const n = this.nextInSeries(txn, name)
        name += String(n).padStart(part.length, '0')
        continue
      }
      const date = this.datePart(part)
      if (date !== undefined) name += date
      else if (part.startsWith('{') && part.endsWith('}')) name += String(doc[part.slice(1, -1)] ?? '')
      else name += part
    }
    return name
  }

  private makeFormatName(txn: Txn | undefined, format: string, doc: Doc): string {
    let out = ''
    const re = /\{([^{}]+)\}/g
    let last = 0
    for (let m = re.exec(format); m; m = re.exec(format)) {
      out += format.slice(last, m.index)
      last = re.lastIndex
      const token = m[1]!
      if (/^#+$/.test(token)) {
        out += String(this.nextInSeries(txn, out)).padStart(token.length, '0')
      } else {
        out += this.datePart(token) ?? String(doc[token] ?? '')
      }
    }
    return out + format.slice(last)
  }

  private setNewName(txn: Txn | undefined, meta: EmulatorDocTypeMeta, doc: Doc, supplied: unknown): void {
    if (meta.name === 'Academic Term') {
      doc.name = `${doc.academic_year ?? ''} (${doc.term_name ?? ''})`
      return
    }
    if (meta.name === 'Custom Field') {
      doc.name = `${doc.dt}-${doc.fieldname}`
      return
    }
    const autoname = (meta.autoname ?? '').trim()
    const lower = autoname.toLowerCase()
    if (lower === 'prompt' || meta.naming_rule === 'Set by user') {
      const name = typeof supplied === 'string' ? supplied.trim() : supplied == null ? '' : String(supplied)
      if (!name) frappeThrow('ValidationError', 'Please set the document name', { title: 'Name Required' })
      doc.name = name
      return
    }
    if (lower.startsWith('field:')) {
      const fieldname = autoname.slice(6).trim()
      const value = String(doc[fieldname] ?? '').trim()
      if (!value) {
        const f = this.fieldOf(meta, fieldname)
        frappeThrow('ValidationError', `${f?.label ?? fieldname} is required`)
      }
      doc.name = value
      return
    }
    if (lower.startsWith('naming_series:')) {
      const f = this.fieldOf(meta, 'naming_series')
      let series = String(doc.naming_series ?? '').trim()
      if (!series) series = (f?.default ?? (f?.options ?? '').split('\n').find((o) => o.trim()) ?? '').trim()
      if (!series) frappeThrow('ValidationError', 'Naming Series mandatory', { title: 'Naming Series' })
      doc.naming_series = series
      doc.name = this.makeSeriesName(txn, series, doc)
      return
    }
    if (lower.startsWith('format:')) {
      doc.name = this.makeFormatName(txn, autoname.slice(7), doc)
      return
    }
    if (lower === 'autoincrement') {
      doc.name = String(this.nextInSeries(txn, `__autoincrement__${meta.name}`))
      return
    }
    if (autoname?.includes('#')) {
      doc.name = this.makeSeriesName(txn, autoname, doc)
      return
    }
    doc.name = this.hash(10)
  }

  // --- value casting ------------------------------------------------------------------------------

  private defaultFor(f: EmulatorFieldMeta, user: string): unknown {
    const d = f.default
    if (d === undefined || d === null || d === '') return undefined
    const lower = d.toLowerCase()
    if (f.fieldtype === 'Date' && lower === 'today') return this.today()
    if ((f.fieldtype === 'Datetime' || f.fieldtype === 'Time') && lower === 'now') {
      const now = this.now()
      return f.fieldtype === 'Time' ? normalizeTime(now.slice(11)) : now
    }
    if (d === '__user') return user
    return d
  }

  /** Cast a value to how the column stores it (Frappe `get_valid_dict` + DB round trip). */
  castValue(_meta: EmulatorDocTypeMeta, f: EmulatorFieldMeta, value: unknown, rowLabel = ''): unknown {
    const t = f.fieldtype
    if (value instanceof PyFloat) value = value.value
    if (t === 'Check') return cint(value) ? 1 : 0
    if (INT_TYPES.has(t)) return cint(value)
    if (FLOAT_TYPES.has(t)) return flt(value)
    if (value === undefined || value === null) return null
    if (t === 'Date' || t === 'Datetime' || t === 'Time') {
      if (value === '') return null
      const norm =
        t === 'Date'
          ? normalizeDate(value)
          : t === 'Datetime'
            ? normalizeDatetime(value)
            : normalizeTime(value)
      if (norm === undefined) {
        const kind = t === 'Date' ? 'date' : t === 'Datetime' ? 'datetime' : 'time'
        frappeThrow('ValidationError', `<strong>${String(value)}</strong> is not a valid ${kind} string.`, {
          title: `Invalid ${kind === 'date' ? 'Date' : kind === 'time' ? 'Time' : 'Datetime'}`,
        })
      }
      return norm
    }
    if (t === 'JSON') {
      if (Array.isArray(value))
        frappeThrow('ValidationError', `${rowLabel}Value for ${f.label ?? f.fieldname} cannot be a list`)
      if (typeof value === 'object') return pyDumps(value, { compact: true })
      return String(value)
    }
    if (typeof value === 'object') {
      frappeThrow(
        'DataError',
        `${rowLabel}Value for ${f.label ?? f.fieldname} cannot be a ${Array.isArray(value) ? 'list' : 'dict'}`,
      )
    }
    return String(value)
  }

  // --- building documents -------------------------------------------------------------------------

  /** A fresh stored-form document with every column present. */
  blank(meta: EmulatorDocTypeMeta): Doc {
    const doc: Doc = {
      name: null,
      owner: null,
      creation: null,
      modified: null,
      modified_by: null,
      docstatus: 0,
      idx: 0,
    }
    if (meta.istable) {
      doc.parent = null
      doc.parentfield = null
      doc.parenttype = null
    }
    for (const f of meta.fields) {
      if (NO_VALUE_TYPES.has(f.fieldtype)) continue
      if (TABLE_TYPES.has(f.fieldtype)) doc[f.fieldname] = []
      else doc[f.fieldname] = INT_TYPES.has(f.fieldtype) || FLOAT_TYPES.has(f.fieldtype) ? 0 : null
    }
    return doc
  }

  /**
   * Fill a document from client data. `base` is the stored doc for updates (shallow merge) or a blank
   * doc; unknown keys are ignored as ERPNext does.
   */
  private fill(txn: Txn, meta: EmulatorDocTypeMeta, base: Doc, data: Doc, isNew: boolean): Doc {
    const doc: Doc = { ...base }
    for (const [key, value] of Object.entries(data)) {
      if (CONTROL_KEYS.has(key) || key.startsWith('__') || STANDARD_FIELD_SET.has(key)) continue
      const f = this.fieldOf(meta, key)
      if (!f) continue
      if (TABLE_TYPES.has(f.fieldtype)) {
        if (!Array.isArray(value)) {
          if (value === null || value === undefined) doc[key] = []
          else frappeThrow('ValidationError', `${f.label ?? key} must be a list of rows`)
          continue
        }
        const childMeta = this.meta(f.options ?? '')
        const previous = new Map(((base[key] as Doc[] | undefined) ?? []).map((r) => [String(r.name), r]))
        doc[key] = value.map((row, i) => this.fillChild(txn, meta, childMeta, f.fieldname, row, i, previous))
        continue
      }
      doc[key] = value
    }
    // Rows of unsent tables are copied, so validation and stamping never touch the stored (pre-image) rows
    // that a rollback restores.
    for (const f of meta.fields) {
      if (TABLE_TYPES.has(f.fieldtype) && !(f.fieldname in data) && Array.isArray(base[f.fieldname])) {
        doc[f.fieldname] = (base[f.fieldname] as Doc[]).map((r) => ({ ...r }))
      }
    }
    if (isNew) {
      for (const f of meta.fields) {
        if (NO_VALUE_TYPES.has(f.fieldtype) || TABLE_TYPES.has(f.fieldtype)) continue
        const v = data[f.fieldname]
        if (v === null || v === undefined || v === '') {
          const d = this.defaultFor(f, txn.user)
          if (d !== undefined) doc[f.fieldname] = d
        }
      }
    }
    return doc
  }

  private fillChild(
    txn: Txn,
    parentMeta: EmulatorDocTypeMeta,
    childMeta: EmulatorDocTypeMeta,
    parentfield: string,
    row: unknown,
    i: number,
    previous: Map<string, Doc>,
  ): Doc {
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      frappeThrow('ValidationError', `Row #${i + 1} of ${parentfield} must be an object`)
    }
    const data = row as Doc
    const existing = data.name != null ? previous.get(String(data.name)) : undefined
    const child = this.fill(txn, childMeta, this.blank(childMeta), data, true)
    child.name = data.name != null && String(data.name) !== '' ? String(data.name) : this.hash(10)
    child.idx = i + 1
    child.parentfield = parentfield
    child.parenttype = parentMeta.name
    child.docstatus = 0
    if (existing) {
      child.creation = existing.creation
      child.owner = existing.owner
    }
    return child
  }

  // --- validation ---------------------------------------------------------------------------------

  private castAll(meta: EmulatorDocTypeMeta, doc: Doc, rowLabel = ''): void {
    for (const f of meta.fields) {
      if (NO_VALUE_TYPES.has(f.fieldtype)) continue
      if (TABLE_TYPES.has(f.fieldtype)) {
        const childMeta = this.metas.get(f.options ?? '')
        if (!childMeta) continue
        for (const row of (doc[f.fieldname] as Doc[]) ?? []) this.castAll(childMeta, row, `Row #${row.idx}: `)
        continue
      }
      doc[f.fieldname] = this.castValue(meta, f, doc[f.fieldname], rowLabel)
    }
  }

  private setFetchFrom(meta: EmulatorDocTypeMeta, doc: Doc): void {
    for (const f of meta.fields) {
      if (!f.fetch_from) continue
      const [linkField, targetField] = f.fetch_from.split('.')
      if (!linkField || !targetField) continue
      const link = this.fieldOf(meta, linkField)
      const value = doc[linkField]
      if (link?.fieldtype !== 'Link' || !value || !link.options) continue
      if (!this.metas.has(link.options)) continue
      const target = this.peek(link.options, String(value))
      if (target && targetField in target) doc[f.fieldname] = target[targetField] ?? doc[f.fieldname]
    }
  }

  private runController(txn: Txn, meta: EmulatorDocTypeMeta, doc: Doc): void {
    switch (meta.name) {
      case 'Student': {
        doc.student_name = [doc.first_name, doc.middle_name, doc.last_name].filter((p) => p).join(' ')
        const today = this.today()
        if (doc.date_of_birth && String(doc.date_of_birth) >= today) {
          frappeThrow('ValidationError', 'Date of Birth cannot be greater than today.')
        }
        if (doc.date_of_birth && doc.joining_date && String(doc.date_of_birth) > String(doc.joining_date)) {
          frappeThrow('ValidationError', 'Date of Birth cannot be greater than Joining Date.')
        }
        if (
          doc.joining_date &&
          doc.date_of_leaving &&
          String(doc.joining_date) > String(doc.date_of_leaving)
        ) {
          frappeThrow('ValidationError', 'Joining Date can not be greater than Leaving Date')
        }
        break
      }
      case 'Employee':
        doc.employee_name = [doc.first_name, doc.last_name].filter((p) => p).join(' ')
        break
      case 'User':
        doc.full_name = [doc.first_name, doc.last_name].filter((p) => p).join(' ')
        break
      case 'Academic Term':
        doc.title = `${doc.academic_year ?? ''} (${doc.term_name ?? ''})`
        if (
          doc.term_start_date &&
          doc.term_end_date &&
          String(doc.term_start_date) > String(doc.term_end_date)
        ) {
          frappeThrow(
            'ValidationError',
            'The Term End Date cannot be earlier than the Term Start Date. Please correct the dates and try again.',
          )
        }
        break
      case 'Course Schedule': {
        const instructor = doc.instructor ? this.peek('Instructor', String(doc.instructor)) : undefined
        if (instructor) doc.instructor_name = instructor.instructor_name
        doc.title = `${doc.course ?? ''} by ${doc.instructor_name || doc.instructor || ''}`
        doc.color = SCHEDULE_COLOURS[String(doc.class_schedule_color ?? '')] ?? SCHEDULE_COLOURS.green
        if (
          doc.from_time &&
          doc.to_time &&
          timeSeconds(String(doc.from_time)) > timeSeconds(String(doc.to_time))
        ) {
          frappeThrow('ValidationError', 'From Time cannot be greater than To Time.')
        }
        this.scheduleOverlap(doc, 'Course Schedule')
        break
      }
      case 'Assessment Plan':
        this.scheduleOverlap(doc, 'Assessment Plan')
        this.assessmentPlanMaxScore(doc)
        break
      case 'Assessment Result':
        this.assessmentResult(doc)
        break
      case 'Student Attendance':
        this.studentAttendance(doc)
        break
      case 'Webhook':
        this.validateWebhook?.(doc)
        break
    }
    void txn
  }

  private grade(scale: string, percentage: number): string {
    const gs = this.peek('Grading Scale', scale)
    if (!gs) return ''
    const intervals = [...((gs.intervals as Doc[]) ?? [])].sort((a, b) => flt(b.threshold) - flt(a.threshold))
    for (const i of intervals) if (percentage >= flt(i.threshold)) return String(i.grade_code ?? '')
    return ''
  }

  private assessmentResult(doc: Doc): void {
    const plan = doc.assessment_plan ? this.peek('Assessment Plan', String(doc.assessment_plan)) : undefined
    const maxima = new Map<string, number>()
    for (const c of (plan?.assessment_criteria as Doc[] | undefined) ?? []) {
      maxima.set(String(c.assessment_criteria), flt(c.maximum_score))
    }
    const scale = String(doc.grading_scale ?? '')
    let total = 0
    for (const d of (doc.details as Doc[]) ?? []) {
      const max = maxima.get(String(d.assessment_criteria)) ?? flt(d.maximum_score)
      d.maximum_score = max
      const score = flt(d.score)
      if (score > max) frappeThrow('ValidationError', 'Score cannot be greater than Maximum Score')
      d.grade = max ? this.grade(scale, (score / max) * 100) : ''
      total += score
    }
    doc.total_score = total
    const maximum = flt(doc.maximum_score)
    doc.grade = maximum ? this.grade(scale, (total / maximum) * 100) : ''
    for (const otherName of this.lookup('Assessment Result', 'student', doc.student)) {
      const other = this.peek('Assessment Result', otherName)
      if (
        other &&
        other.name !== doc.name &&
        other.student === doc.student &&
        other.assessment_plan === doc.assessment_plan &&
        cint(other.docstatus) !== 2
      ) {
        frappeThrow('ValidationError', `Assessment Result record ${other.name} already exists.`)
      }
    }
  }

  /**
   * The Education app's `validate_overlap` for a Course Schedule or an Assessment Plan, check by check in
   * its order: Course Schedules sharing the student group, instructor or room, then Assessment Plans
   * sharing the student group, the room or the supervisor (a Course Schedule's instructor). The first
   * non-cancelled document on the same `schedule_date` whose span overlaps raises `OverlapError` (a
   * ValidationError, 417). Spans that only touch (one ends when the other starts) do not overlap;
   * identical spans do. An empty value matches nothing (SQL `= NULL`), so an Assessment Plan, which has no
   * instructor, is never checked by one.
   */
  private scheduleOverlap(doc: Doc, doctype: 'Course Schedule' | 'Assessment Plan'): void {
    if (!doc.schedule_date || !doc.from_time || !doc.to_time) return
    const from = timeSeconds(String(doc.from_time))
    const to = timeSeconds(String(doc.to_time))
    // [other doctype, its field, the value, the label]: the label is this doctype's field label, or the bare
    // fieldname when the value is passed explicitly (validate_overlap_for's `value` argument).
    const checks: [string, string, unknown, string][] = [
      ['Course Schedule', 'student_group', doc.student_group, 'Student Group'],
      ['Course Schedule', 'instructor', doc.instructor, 'Instructor'],
      ['Course Schedule', 'room', doc.room, 'Room'],
      ['Assessment Plan', 'student_group', doc.student_group, 'Student Group'],
      ['Assessment Plan', 'room', doc.room, 'Room'],
      [
        'Assessment Plan',
        'supervisor',
        doctype === 'Course Schedule' ? doc.instructor : doc.supervisor,
        'supervisor',
      ],
    ]
    for (const [other, fieldname, value, label] of checks) {
      if (value === null || value === undefined || value === '') continue
      for (const otherName of this.lookup(other, fieldname, value)) {
        const o = this.peek(other, otherName)
        if (
          !o ||
          (other === doctype && o.name === doc.name) ||
          cint(o.docstatus) === 2 ||
          o.schedule_date !== doc.schedule_date ||
          !o.from_time ||
          !o.to_time
        )
          continue
        if (spansOverlap(from, to, timeSeconds(String(o.from_time)), timeSeconds(String(o.to_time)))) {
          frappeThrow(
            'OverlapError',
            `This ${doctype} conflicts with ${String(o.name)} for ${label} ${String(value)}`,
            { module: 'education.education.utils' },
          )
        }
      }
    }
  }

  /** The Education app's Assessment Plan `validate_max_score`: the criteria's maximum scores add up to the plan's. */
  private assessmentPlanMaxScore(doc: Doc): void {
    const total = ((doc.assessment_criteria as Doc[] | undefined) ?? []).reduce(
      (sum, c) => sum + flt(c.maximum_score),
      0,
    )
    const max = flt(doc.maximum_assessment_score)
    if (total !== max) {
      // Python's str() of the Float value: 100.0, 87.5.
      const shown = Number.isInteger(max) ? `${max}.0` : String(max)
      frappeThrow('ValidationError', `Sum of Scores of Assessment Criteria needs to be ${shown}.`)
    }
  }

  /** The Education app's Student Attendance `validate`, in its order. */
  private studentAttendance(doc: Doc): void {
    if (!doc.student_group && !doc.course_schedule) {
      frappeThrow(
        'ValidationError',
        '<strong>Student Group</strong> or <strong>Course Schedule</strong> is mandatory',
        { title: 'Mandatory Fields' },
      )
    }
    this.attendanceDate(doc)
    if (doc.course_schedule) {
      const cs = this.peek('Course Schedule', String(doc.course_schedule))
      if (cs) {
        doc.date = cs.schedule_date
        doc.student_group = cs.student_group
      }
    }
    if (doc.student_group) {
      const group = this.peek('Student Group', String(doc.student_group))
      if (group && !((group.students as Doc[]) ?? []).some((s) => s.student === doc.student)) {
        frappeThrow(
          'ValidationError',
          `Student ${doc.student} does not belong to Student Group ${doc.student_group}`,
        )
      }
    }
    for (const otherName of this.lookup('Student Attendance', 'student', doc.student)) {
      const other = this.peek('Student Attendance', otherName)
      if (!other || other.name === doc.name || other.student !== doc.student || cint(other.docstatus) === 2)
        continue
      const dup = doc.course_schedule
        ? other.course_schedule === doc.course_schedule
        : other.student_group === doc.student_group && other.date === doc.date
      if (dup) {
        frappeThrow(
          'ValidationError',
          `Student Attendance record <a href="/app/student-attendance/${other.name}">${other.name}</a> already exists against the Student <strong>${doc.student}</strong>`,
          {
            title: 'Duplicate Entry',
          },
        )
      }
    }
    this.attendanceHoliday(doc)
  }

  /**
   * The Education app's `validate_date`, on the date as given (it runs before the date is taken from the
   * Course Schedule; no date counts as today, as `getdate(None)` does): not in the future unless the
   * attendance comes from a leave application, and within the dates of the student group's Academic Year.
   */
  private attendanceDate(doc: Doc): void {
    const today = this.today()
    const date = doc.date ? String(doc.date) : today
    if (!doc.leave_application && date > today)
      frappeThrow('ValidationError', 'Attendance cannot be marked for future dates.')
    if (!doc.student_group) return
    const year = this.peek('Student Group', String(doc.student_group))?.academic_year
    if (!year) return
    const ay = this.peek('Academic Year', String(year))
    const start = ay?.year_start_date ? String(ay.year_start_date) : ''
    const end = ay?.year_end_date ? String(ay.year_end_date) : ''
    if (start && end && (date < start || date > end))
      frappeThrow('ValidationError', `Attendance cannot be marked outside of Academic Year ${String(year)}`)
  }

  /**
   * The Education app's `validate_is_holiday`: the date must not be in the default company's
   * `default_holiday_list` (the site's first Company stands for the default company). A company
   * without a default holiday list is an error, as in v15.
   */
  private attendanceHoliday(doc: Doc): void {
    const company = this.all('Company').next().value as Doc | undefined
    if (!company || !doc.date) return
    const listName = company.default_holiday_list
    if (!listName) {
      frappeThrow(
        'ValidationError',
        `Please set a default Holiday List for Company <strong>${String(company.name)}</strong>`,
      )
    }
    const list = this.peek('Holiday List', String(listName))
    const date = String(doc.date)
    if (((list?.holidays as Doc[] | undefined) ?? []).some((h) => h.holiday_date === date)) {
      // formatdate() with the default System Settings date format, dd-mm-yyyy.
      const [y, m, d] = date.split('-')
      frappeThrow(
        'ValidationError',
        `Attendance cannot be marked for <strong>${d}-${m}-${y}</strong> as it is a holiday.`,
      )
    }
  }

  private validateMandatory(meta: EmulatorDocTypeMeta, doc: Doc): void {
    const missing: { field: string; msg: string }[] = []
    const check = (m: EmulatorDocTypeMeta, d: Doc, prefix: string) => {
      for (const f of m.fields) {
        if (!f.reqd || NO_VALUE_TYPES.has(f.fieldtype)) continue
        const v = d[f.fieldname]
        const empty = TABLE_TYPES.has(f.fieldtype)
          ? !Array.isArray(v) || v.length === 0
          : v === null || v === undefined || v === '' || (FLOAT_TYPES.has(f.fieldtype) && false)
        if (empty) {
          missing.push({
            field: f.fieldname,
            msg: TABLE_TYPES.has(f.fieldtype)
              ? `Error: Data missing in table ${f.label ?? f.fieldname}`
              : `${prefix}Error: Value missing for ${m.name}: ${f.label ?? f.fieldname}`,
          })
        }
      }
    }
    check(meta, doc, '')
    for (const f of meta.fields) {
      if (!TABLE_TYPES.has(f.fieldtype)) continue
      const childMeta = this.metas.get(f.options ?? '')
      if (!childMeta) continue
      for (const row of (doc[f.fieldname] as Doc[]) ?? []) check(childMeta, row, `Row #${row.idx}: `)
    }
    if (missing.length) {
      throw new FrappeException('MandatoryError', missing.map((m) => m.msg).join('\n'), {
        messages: missing.map((m) => m.msg),
        exceptionText: `[${meta.name}, ${doc.name}]: ${missing.map((m) => m.field).join(', ')}`,
        serverMessage: false,
      })
    }
  }

  private validateFields(meta: EmulatorDocTypeMeta, doc: Doc, rowLabel = ''): void {
    for (const f of meta.fields) {
      const v = doc[f.fieldname]
      if (TABLE_TYPES.has(f.fieldtype)) {
        const childMeta = this.metas.get(f.options ?? '')
        if (childMeta)
          for (const row of (v as Doc[]) ?? []) this.validateFields(childMeta, row, `Row #${row.idx}: `)
        continue
      }
      if (v === null || v === undefined || v === '') continue
      const label = f.label ?? f.fieldname
      if (f.fieldtype === 'Select' && f.options) {
        const options = f.options.split('\n').map((o) => o.trim())
        if (!options.includes(String(v)) && !(f.fieldname === 'naming_series')) {
          frappeThrow(
            'ValidationError',
            `${rowLabel}${label} cannot be "${String(v)}". It should be one of ${options
              .filter(Boolean)
              .map((o) => `"${o}"`)
              .join(', ')}`,
            { title: 'Invalid Selection' },
          )
        }
      }
      if (VARCHAR_TYPES.has(f.fieldtype) && String(v).length > 140) {
        frappeThrow(
          'CharacterLengthExceededError',
          `${rowLabel}Value too big: '${label}' (${meta.name}) will get truncated, as max characters allowed is 140`,
          { title: 'Value too big' },
        )
      }
      if (f.fieldtype === 'Link' && f.options) {
        // A Link to a doctype this site does not serve (e.g. Fee Structure) finds no row, as on a site
        // whose table for it is empty.
        const target = this.metas.has(f.options) ? this.peek(f.options, String(v)) : undefined
        if (!target) {
          throw new FrappeException(
            'LinkValidationError',
            `${rowLabel}Could not find ${label}: ${String(v)}`,
            {
              title: 'Missing Link',
            },
          )
        }
        const targetMeta = this.metas.get(f.options)!
        if (targetMeta.is_submittable && cint(target.docstatus) === 2 && f.fieldname !== 'amended_from') {
          frappeThrow(
            'CancelledLinkError',
            `${rowLabel}Cannot link cancelled document: ${label}: ${String(v)}`,
          )
        }
      }
    }
  }

  private validateUnique(meta: EmulatorDocTypeMeta, doc: Doc): void {
    const uniques = meta.fields.filter(
      (f) => f.unique && !TABLE_TYPES.has(f.fieldtype) && !NO_VALUE_TYPES.has(f.fieldtype),
    )
    if (!uniques.length) return
    for (const f of uniques) {
      const v = doc[f.fieldname]
      if (v === null || v === undefined || v === '') continue
      for (const otherName of this.lookup(meta.name, f.fieldname, v)) {
        const other = this.peek(meta.name, otherName)
        if (other && other.name !== doc.name) {
          frappeThrow('UniqueValidationError', `${f.label ?? f.fieldname} must be unique`, {
            title: 'Unique Validation',
            exceptionText: `('${meta.name}', '${doc.name}', IntegrityError(1062, "Duplicate entry '${String(v)}' for key '${f.fieldname}'"))`,
          })
        }
      }
    }
  }

  private validateAll(txn: Txn, meta: EmulatorDocTypeMeta, doc: Doc): void {
    this.castAll(meta, doc)
    this.setFetchFrom(meta, doc)
    for (const f of meta.fields) {
      if (!TABLE_TYPES.has(f.fieldtype)) continue
      const childMeta = this.metas.get(f.options ?? '')
      if (childMeta) for (const row of (doc[f.fieldname] as Doc[]) ?? []) this.setFetchFrom(childMeta, row)
    }
    this.runController(txn, meta, doc)
    this.castAll(meta, doc)
    this.validateMandatory(meta, doc)
    this.validateFields(meta, doc)
    this.validateUnique(meta, doc)
  }

  private stampChildren(meta: EmulatorDocTypeMeta, doc: Doc, user: string, now: string): void {
    for (const f of meta.fields) {
      if (!TABLE_TYPES.has(f.fieldtype)) continue
      for (const row of (doc[f.fieldname] as Doc[]) ?? []) {
        row.parent = doc.name
        row.docstatus = doc.docstatus
        row.modified = now
        row.modified_by = user
        if (!row.creation) row.creation = now
        if (!row.owner) row.owner = user
      }
    }
  }

  private emit(txn: Txn, doctype: string, doc: Doc, ...events: DocEvent[]): void {
    for (const event of events) txn.events.push({ doctype, doc, event })
  }

  // --- CRUD ---------------------------------------------------------------------------------------

  /**
   * Insert a document (`frappe.get_doc(data).insert()`). The client `name` is used only for prompt
   * naming. `docstatus: 1` inserts it submitted.
   */
  insert(txn: Txn, doctype: string, data: Doc, opts: { ignorePermissions?: boolean } = {}): Doc {
    const meta = this.meta(doctype)
    if (meta.istable) {
      frappeThrow('ValidationError', `${doctype} is a child table; insert it through its parent document`)
    }
    if (!opts.ignorePermissions) this.check(txn.user, doctype, 'create')
    const doc = this.fill(txn, meta, this.blank(meta), data, true)
    const docstatus = cint(data.docstatus)
    if (docstatus === 2) frappeThrow('DocstatusTransitionError', 'Cannot change docstatus from 0 to 2')
    if (docstatus === 1) {
      if (!meta.is_submittable)
        frappeThrow('ValidationError', `Cannot submit a document of non-submittable DocType ${doctype}`)
      if (!opts.ignorePermissions) this.check(txn.user, doctype, 'submit')
    }
    doc.docstatus = docstatus
    this.castAll(meta, doc)
    this.setNewName(txn, meta, doc, data.name)
    const now = this.now()
    doc.owner = txn.user
    doc.modified_by = txn.user
    doc.creation = now
    doc.modified = now
    doc.idx = 0
    this.validateAll(txn, meta, doc)
    if (this.peek(doctype, String(doc.name))) {
      throw new FrappeException(
        'DuplicateEntryError',
        `${doctype} <strong>${doc.name}</strong> already exists`,
        {
          title: 'Duplicate Name',
          exceptionText: `('${doctype}', '${doc.name}', IntegrityError(1062, "Duplicate entry '${doc.name}' for key 'PRIMARY'"))`,
        },
      )
    }
    this.stampChildren(meta, doc, txn.user, now)
    this.write(txn, doctype, String(doc.name), doc)
    this.afterWrite(txn, meta, doc)
    this.emit(txn, doctype, doc, 'after_insert', 'on_update')
    if (docstatus === 1) this.emit(txn, doctype, doc, 'on_submit')
    return doc
  }

  /** Side effects of saving certain doctypes (metadata changes). */
  private afterWrite(txn: Txn, meta: EmulatorDocTypeMeta, doc: Doc): void {
    if (meta.name === 'Custom Field' || meta.name === 'DocType') this.onMetaChange?.(txn, meta.name, doc)
    if (meta.name === 'Student') this.studentCustomer(txn, doc)
  }

  /**
   * Student.on_update: create or update the linked Customer (customer group defaults to "Student").
   * The written document is updated in place; the journal restores the previous object on rollback.
   */
  private studentCustomer(txn: Txn, doc: Doc): void {
    if (!this.metas.has('Customer')) return
    if (!doc.customer_group && this.peek('Customer Group', 'Student')) doc.customer_group = 'Student'
    const existing = doc.customer ? this.peek('Customer', String(doc.customer)) : undefined
    if (existing) {
      if (existing.customer_name !== doc.student_name || existing.customer_group !== doc.customer_group) {
        this.save(
          txn,
          'Customer',
          String(existing.name),
          { customer_name: doc.student_name, customer_group: doc.customer_group },
          { mode: 'merge', checkModified: 'never', ignorePermissions: true },
        )
      }
      return
    }
    const customer = this.insert(
      txn,
      'Customer',
      { customer_name: doc.student_name, customer_type: 'Individual', customer_group: doc.customer_group },
      { ignorePermissions: true },
    )
    doc.customer = customer.name
  }

  /** Hook run after a Custom Field or DocType document is written (set by the emulator). */
  onMetaChange: ((txn: Txn, doctype: string, doc: Doc) => void) | undefined

  /**
   * Save changes to an existing document.
   * - `merge` (v1 PUT, `bulk_update`, `set_value`): unsent top-level fields are kept.
   * - `replace` (`frappe.client.save`/`submit`): the doc is rebuilt from `data`; omitted fields become null.
   * `checkModified`: `'if-sent'` compares only when `data.modified` is present, `'always'` compares
   * `data.modified ?? ""`, `'never'` skips the lock.
   */
  save(
    txn: Txn,
    doctype: string,
    name: string,
    data: Doc,
    opts: {
      mode: 'merge' | 'replace'
      checkModified: 'if-sent' | 'always' | 'never'
      ignorePermissions?: boolean
    },
  ): Doc {
    const meta = this.meta(doctype)
    const stored = this.get(doctype, name)
    if (data.name !== undefined && data.name !== null && String(data.name) !== name) {
      frappeThrow('DoesNotExistError', `${doctype} ${String(data.name)} not found`)
    }
    const base = opts.mode === 'merge' ? stored : { ...this.blank(meta), ...pick(stored, STANDARD_COLUMNS) }
    const doc = this.fill(txn, meta, base, data, false)
    if (opts.mode === 'replace') {
      for (const f of meta.fields) {
        if (TABLE_TYPES.has(f.fieldtype) && !(f.fieldname in data)) doc[f.fieldname] = []
      }
    }
    const newStatus =
      data.docstatus === undefined || data.docstatus === null ? cint(stored.docstatus) : cint(data.docstatus)
    const oldStatus = cint(stored.docstatus)
    if (!opts.ignorePermissions) this.check(txn.user, doctype, 'write', name)
    const now = this.now()
    const sent = data.modified
    if (opts.checkModified === 'always' || (opts.checkModified === 'if-sent' && sent !== undefined)) {
      const original = sent === undefined || sent === null ? '' : String(sent)
      if (pyStr(stored.modified) !== original) {
        throw new FrappeException(
          'TimestampMismatchError',
          `Error: Document has been modified after you have opened it (${pyStr(stored.modified)}, ${now}). Please refresh to get the latest document.`,
          { title: 'Message', exceptionText: '' },
        )
      }
    }
    let action: 'save' | 'submit' | 'cancel' | 'update_after_submit'
    if (oldStatus === 0) {
      if (newStatus === 0) action = 'save'
      else if (newStatus === 1) action = 'submit'
      else frappeThrow('DocstatusTransitionError', 'Cannot change docstatus from 0 to 2')
    } else if (oldStatus === 1) {
      if (newStatus === 1) action = 'update_after_submit'
      else if (newStatus === 2) action = 'cancel'
      else frappeThrow('DocstatusTransitionError', 'Cannot change docstatus from 1 to 0')
    } else {
      frappeThrow('ValidationError', 'Cannot edit cancelled document')
    }
    if (action === 'submit') {
      if (!meta.is_submittable)
        frappeThrow('ValidationError', `Cannot submit a document of non-submittable DocType ${doctype}`)
      if (!opts.ignorePermissions) this.check(txn.user, doctype, 'submit', name)
    }
    if (action === 'cancel') {
      if (!opts.ignorePermissions) this.check(txn.user, doctype, 'cancel', name)
      return this.cancelDoc(txn, meta, stored, now)
    }
    doc.docstatus = newStatus
    doc.name = name
    doc.modified = now
    doc.modified_by = txn.user
    this.validateAll(txn, meta, doc)
    if (action === 'update_after_submit') this.checkAllowOnSubmit(meta, stored, doc)
    this.stampChildren(meta, doc, txn.user, now)
    this.write(txn, doctype, name, doc)
    this.afterWrite(txn, meta, doc)
    if (action === 'save') this.emit(txn, doctype, doc, 'on_update', 'on_change')
    else if (action === 'submit') this.emit(txn, doctype, doc, 'on_update', 'on_submit', 'on_change')
    else this.emit(txn, doctype, doc, 'on_change')
    return doc
  }

  private checkAllowOnSubmit(meta: EmulatorDocTypeMeta, before: Doc, after: Doc): void {
    for (const f of meta.fields) {
      if (NO_VALUE_TYPES.has(f.fieldtype) || f.allow_on_submit) continue
      if (TABLE_TYPES.has(f.fieldtype)) {
        const childMeta = this.metas.get(f.options ?? '')
        const strip = (rows: Doc[]) =>
          JSON.stringify(
            (rows ?? []).map((r) =>
              Object.fromEntries(
                (childMeta?.fields ?? [])
                  .filter((cf) => !cf.allow_on_submit && !NO_VALUE_TYPES.has(cf.fieldtype))
                  .map((cf) => [cf.fieldname, r[cf.fieldname] ?? null]),
              ),
            ),
          )
        if (strip(before[f.fieldname] as Doc[]) !== strip(after[f.fieldname] as Doc[])) {
          frappeThrow(
            'UpdateAfterSubmitError',
            `Not allowed to change ${f.label ?? f.fieldname} after submission`,
          )
        }
        continue
      }
      const a = before[f.fieldname] ?? null
      const b = after[f.fieldname] ?? null
      if (a !== b && !(a === '' && b === null) && !(a === null && b === '')) {
        frappeThrow(
          'UpdateAfterSubmitError',
          `Not allowed to change ${f.label ?? f.fieldname} after submission from ${pyStr(a)} to ${pyStr(b)}`,
        )
      }
    }
  }

  private cancelDoc(txn: Txn, meta: EmulatorDocTypeMeta, stored: Doc, now: string): Doc {
    if (cint(stored.docstatus) !== 1) {
      frappeThrow('DocstatusTransitionError', `Cannot change docstatus from ${cint(stored.docstatus)} to 2`)
    }
    this.checkNoLinks(meta.name, String(stored.name), 'Cancel')
    const doc: Doc = { ...stored, docstatus: 2, modified: now, modified_by: txn.user }
    for (const f of meta.fields) {
      if (TABLE_TYPES.has(f.fieldtype))
        doc[f.fieldname] = ((stored[f.fieldname] as Doc[]) ?? []).map((r) => ({
          ...r,
          docstatus: 2,
          modified: now,
        }))
    }
    this.write(txn, meta.name, String(stored.name), doc)
    this.emit(txn, meta.name, doc, 'on_cancel', 'on_change')
    return doc
  }

  /** Submit a stored draft (`run_method=submit`). */
  submit(txn: Txn, doctype: string, name: string): Doc {
    return this.save(txn, doctype, name, { docstatus: 1 }, { mode: 'merge', checkModified: 'never' })
  }

  /** Cancel a submitted document (`frappe.client.cancel`). */
  cancel(txn: Txn, doctype: string, name: string): Doc {
    const meta = this.meta(doctype)
    const stored = this.get(doctype, name)
    this.check(txn.user, doctype, 'cancel', name)
    return this.cancelDoc(txn, meta, stored, this.now())
  }

  /** Fields (and tables) linking to `doctype`, per doctype. */
  private linkSources(doctype: string): { doctype: string; fieldname: string; table?: string }[] {
    const out: { doctype: string; fieldname: string; table?: string }[] = []
    for (const meta of this.metas.values()) {
      if (meta.istable) continue
      for (const f of meta.fields) {
        if (f.fieldtype === 'Link' && f.options === doctype && f.fieldname !== 'amended_from') {
          out.push({ doctype: meta.name, fieldname: f.fieldname })
        }
        if (TABLE_TYPES.has(f.fieldtype)) {
          const child = this.metas.get(f.options ?? '')
          for (const cf of child?.fields ?? []) {
            if (cf.fieldtype === 'Link' && cf.options === doctype)
              out.push({ doctype: meta.name, fieldname: cf.fieldname, table: f.fieldname })
          }
        }
      }
    }
    return out
  }

  private checkNoLinks(doctype: string, name: string, method: 'Delete' | 'Cancel'): void {
    if (doctype === 'Webhook') return
    for (const src of this.linkSources(doctype)) {
      if (src.doctype === 'Webhook Request Log') continue
      for (const other of this.all(src.doctype)) {
        const status = cint(other.docstatus)
        const blocks = method === 'Delete' ? status < 2 : status === 1
        if (!blocks || (src.doctype === doctype && other.name === name)) continue
        const hit = src.table
          ? ((other[src.table] as Doc[]) ?? []).some((r) => r[src.fieldname] === name)
          : other[src.fieldname] === name
        if (hit) {
          frappeThrow(
            'LinkExistsError',
            `Cannot delete or cancel because ${doctype} <a href="/app/${slug(doctype)}/${name}">${name}</a> is linked with ${src.doctype} <a href="/app/${slug(src.doctype)}/${other.name}">${other.name}</a>`,
            { title: 'Cannot delete or cancel' },
          )
        }
      }
    }
  }

  /** Delete a document (`DELETE /api/resource`). */
  delete(txn: Txn, doctype: string, name: string, opts: { ignorePermissions?: boolean } = {}): void {
    const meta = this.meta(doctype)
    const stored = this.peek(doctype, name)
    if (!stored)
      throw new FrappeException('DoesNotExistError', `${doctype} ${name} not found`, { bare: true })
    if (!opts.ignorePermissions) this.check(txn.user, doctype, 'delete', name)
    if (cint(stored.docstatus) === 1) {
      frappeThrow(
        'ValidationError',
        `${doctype} ${name}: Submitted Record cannot be deleted. You must Cancel it first.`,
      )
    }
    this.checkNoLinks(doctype, name, 'Delete')
    this.emit(txn, doctype, stored, 'on_trash')
    this.write(txn, doctype, name, undefined)
    if (meta.name === 'Custom Field' || meta.name === 'DocType') this.onMetaDelete?.(txn, meta.name, stored)
  }

  /** Hook run after a Custom Field or DocType document is deleted. */
  onMetaDelete: ((txn: Txn, doctype: string, doc: Doc) => void) | undefined

  /**
   * Rename a document (`frappe.client.rename_doc`): the document moves to the new name, its child rows
   * follow, and every Link to it (fields and child-table fields, any docstatus) is updated in place.
   */
  rename(txn: Txn, doctype: string, oldName: string, newName: string, merge: boolean): string {
    const meta = this.meta(doctype)
    if (meta.istable) frappeThrow('ValidationError', `Cannot rename rows of the child table ${doctype}`)
    const stored = this.get(doctype, oldName)
    this.check(txn.user, doctype, 'write', oldName)
    const target = newName.trim()
    if (!target) frappeThrow('ValidationError', 'Please enter the new name')
    if (target === oldName) return oldName
    if (this.peek(doctype, target)) {
      if (merge) frappeThrow('ValidationError', 'The emulator does not support merging documents on rename')
      throw new FrappeException(
        'DuplicateEntryError',
        `Another ${doctype} with name ${target} exists, select another name`,
        {
          title: 'Duplicate Name',
        },
      )
    }
    const moved: Doc = { ...stored, name: target }
    for (const f of meta.fields) {
      if (TABLE_TYPES.has(f.fieldtype)) {
        moved[f.fieldname] = ((stored[f.fieldname] as Doc[]) ?? []).map((r) => ({ ...r, parent: target }))
      }
    }
    this.write(txn, doctype, oldName, undefined)
    this.write(txn, doctype, target, moved)
    for (const src of this.linkSources(doctype)) {
      for (const other of [...this.all(src.doctype)]) {
        if (src.table) {
          const rows = (other[src.table] as Doc[]) ?? []
          if (!rows.some((r) => r[src.fieldname] === oldName)) continue
          const updated: Doc = {
            ...other,
            [src.table]: rows.map((r) =>
              r[src.fieldname] === oldName ? { ...r, [src.fieldname]: target } : r,
            ),
          }
          this.write(txn, src.doctype, String(other.name), updated)
        } else if (other[src.fieldname] === oldName) {
          this.write(txn, src.doctype, String(other.name), { ...other, [src.fieldname]: target })
        }
      }
    }
    return target
  }

  /** Load documents straight into the store (seeds): no validation, no events, no journal. */
  load(doctype: string, docs: Iterable<Doc>): void {
    const t = this.table(doctype)
    if (t.indexes.size) {
      for (const doc of docs) this.put(t, String(doc.name), doc)
    } else {
      for (const doc of docs) t.docs.set(String(doc.name), doc)
    }
    t.sorted = null
  }

  // --- list queries -------------------------------------------------------------------------------

  private parseFields(_meta: EmulatorDocTypeMeta, raw: unknown, strict: boolean): string[] {
    if (raw === undefined || raw === null || raw === '') return ['name']
    let value = raw
    if (typeof value === 'string') {
      const text = value.trim()
      try {
        value = JSON.parse(text)
      } catch {
        if (strict) {
          frappeThrow('JSONDecodeError', 'Expecting value: line 1 column 1 (char 0)', {
            serverMessage: false,
          })
        }
        value = text.split(',').map((s) => s.trim())
      }
    }
    if (typeof value === 'string') value = [value]
    if (!Array.isArray(value)) frappeThrow('DataError', 'fields must be a list')
    return value.map((v) => String(v))
  }

  private allColumns(meta: EmulatorDocTypeMeta): string[] {
    const cols: string[] = [...STANDARD_COLUMNS]
    for (const f of meta.fields) {
      if (!NO_VALUE_TYPES.has(f.fieldtype) && !TABLE_TYPES.has(f.fieldtype)) cols.push(f.fieldname)
    }
    if (meta.istable) cols.push(...CHILD_COLUMNS)
    else cols.push(...UNDERSCORE_COLUMNS)
    return cols
  }

  private outValue(fieldtype: string | undefined, v: unknown): unknown {
    if (fieldtype && FLOAT_TYPES.has(fieldtype))
      return v === null || v === undefined ? null : new PyFloat(flt(v))
    if (fieldtype === 'Datetime' && typeof v === 'string') return pyStr(v)
    return v === undefined ? null : v
  }

  private resolveColumn(meta: EmulatorDocTypeMeta, spec: string, childTables: Map<string, string>): Column[] {
    const s = spec.trim()
    if (s === '*' || s === `\`tab${meta.name}\`.*`) {
      return this.allColumns(meta).map((c) => {
        const type = this.columnType(meta, c)
        return { key: c, get: (r: ListRow) => this.outValue(type, r.doc[c]) }
      })
    }
    let expr = s
    let alias: string | undefined
    const asMatch = /^(.*?)\s+as\s+[`"']?([A-Za-z0-9_ ]+?)[`"']?$/i.exec(s)
    if (asMatch) {
      expr = asMatch[1]!.trim()
      alias = asMatch[2]!.trim()
    }
    const agg = /^(count|sum|max|min|avg)\s*\(\s*(distinct\s+)?([^()]*)\)$/i.exec(expr)
    if (agg) {
      const fn = agg[1]!.toLowerCase() as Column['aggregate'] & string
      const inner = agg[3]!
        .trim()
        .replace(/`/g, '')
        .replace(/^tab[^.]+\./, '')
      if (inner !== '*' && !this.columnType(meta, inner)) {
        frappeThrow('DataError', `Field not permitted in query: ${spec}`)
      }
      const key = alias ?? `${fn}(${agg[3]!.trim()})`
      return [{ key, aggregate: fn, get: (r) => (inner === '*' ? 1 : r.doc[inner]) }]
    }
    if (/[()]|\bselect\b/i.test(expr)) frappeThrow('DataError', `Field not permitted in query: ${spec}`)
    const bare = expr.replace(/`/g, '')
    const tabMatch = /^tab([^.]+)\.(.+)$/.exec(bare)
    let column = bare
    if (tabMatch) {
      if (tabMatch[1] === meta.name) column = tabMatch[2]!
      else {
        const childDt = tabMatch[1]!
        const tableField = meta.fields.find((f) => TABLE_TYPES.has(f.fieldtype) && f.options === childDt)
        if (!tableField) frappeThrow('DataError', `Field not permitted in query: ${spec}`)
        column = `${tableField.fieldname}.${tabMatch[2]}`
      }
    }
    const dot = column.indexOf('.')
    if (dot > 0) {
      const head = column.slice(0, dot)
      const tail = column.slice(dot + 1)
      const f = this.fieldOf(meta, head)
      if (f && TABLE_TYPES.has(f.fieldtype)) {
        const childMeta = this.meta(f.options ?? '')
        const type = this.columnType(childMeta, tail)
        if (!type) frappeThrow('DataError', `Field not permitted in query: ${spec}`)
        childTables.set(head, f.options ?? '')
        return [{ key: alias ?? tail, get: (r) => this.outValue(type, r.child ? r.child[tail] : null) }]
      }
      if (f && f.fieldtype === 'Link' && f.options && this.metas.has(f.options)) {
        const targetMeta = this.meta(f.options)
        const type = this.columnType(targetMeta, tail)
        if (!type) frappeThrow('DataError', `Field not permitted in query: ${spec}`)
        const target = f.options
        return [
          {
            key: alias ?? tail,
            get: (r) => {
              const link = r.doc[head]
              const t = link ? this.peek(target, String(link)) : undefined
              return this.outValue(type, t ? t[tail] : null)
            },
          },
        ]
      }
      frappeThrow('DataError', `Field not permitted in query: ${spec}`)
    }
    const type = this.columnType(meta, column)
    if (!type) frappeThrow('DataError', `Field not permitted in query: ${spec}`)
    return [{ key: alias ?? column, get: (r) => this.outValue(type, r.doc[column]) }]
  }

  /**
   * Nodes of a tree doctype (parent field `parent_<doctype>`, as Frappe's NestedSet names it) that are
   * descendants or ancestors of `node`.
   */
  private treeSet(doctype: string, node: string, operator: string): Set<string> {
    const parentField = `parent_${doctype.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`
    const out = new Set<string>()
    if (operator.includes('descendants')) {
      const children = new Map<string, string[]>()
      for (const d of this.all(doctype)) {
        const p = d[parentField]
        if (p == null) continue
        let list = children.get(String(p))
        if (!list) children.set(String(p), (list = []))
        list.push(String(d.name))
      }
      const queue = [node]
      while (queue.length) {
        for (const child of children.get(queue.pop()!) ?? []) {
          if (out.has(child)) continue
          out.add(child)
          queue.push(child)
        }
      }
      if (operator.includes('(inclusive)')) out.add(node)
    } else {
      let current = this.peek(doctype, node)?.[parentField]
      while (current != null && current !== '' && !out.has(String(current))) {
        out.add(String(current))
        current = this.peek(doctype, String(current))?.[parentField]
      }
    }
    return out
  }

  /**
   * The predicate of one condition over a column of `meta`. Tree operators match the set of
   * descendants/ancestors of the value. `timespan`, `previous` and `next` become
   * `between` over the day range Frappe computes from the site's today (Datetime columns span
   * 00:00 → 23:59:59.999999); on a column that is not a date Frappe builds invalid SQL (500).
   */
  private predicate(
    meta: EmulatorDocTypeMeta,
    column: string,
    type: string,
    c: FilterCondition,
  ): (v: unknown) => boolean {
    if (TREE_OPERATORS.has(c.operator)) {
      // On `name` of a tree doctype, or on a Link to one (in the queried doctype or a child table).
      const target = column === 'name' ? meta.name : this.fieldOf(meta, column)?.options
      if (!target || !this.metas.has(target)) {
        frappeThrow('ValidationError', `${column} is not a Link to a tree DocType`)
      }
      const set = this.treeSet(target, String(c.value ?? ''), c.operator)
      const negate = c.operator.startsWith('not ')
      return (v) => (v === null || v === undefined || v === '' ? negate : set.has(String(v)) !== negate)
    }
    const kind = columnKind(column, type)
    if (!TIMESPAN_OPERATORS.has(c.operator)) return conditionPredicate(kind, c.operator, c.value)
    if (kind !== 'date' && kind !== 'datetime') {
      frappeThrow(
        'ProgrammingError',
        `(1064, "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '(datetime.date(...' (the ${c.operator} operator needs a Date or Datetime column, not ${column})")`,
        { serverMessage: false, module: 'pymysql.err' },
      )
    }
    const range = timespanRange(c.operator, c.value, this.today(), this.options.firstDayOfWeek ?? 1)
    return conditionPredicate(kind, 'between', range)
  }

  private compileConditions(meta: EmulatorDocTypeMeta, conds: FilterCondition[]): ((doc: Doc) => boolean)[] {
    return conds.map((c) => {
      if (c.doctype === meta.name || !c.doctype) {
        const column = c.fieldname.replace(/`/g, '').replace(new RegExp(`^tab${escapeRe(meta.name)}\\.`), '')
        const type = this.columnType(meta, column)
        if (!type) {
          frappeThrow('OperationalError', `(1054, "Unknown column '${column}' in 'where clause'")`, {
            serverMessage: false,
          })
        }
        const pred = this.predicate(meta, column, type, c)
        return (doc: Doc) => pred(doc[column])
      }
      const tableField = meta.fields.find((f) => TABLE_TYPES.has(f.fieldtype) && f.options === c.doctype)
      const childMeta = this.metas.get(c.doctype)
      if (!tableField || !childMeta) {
        frappeThrow('OperationalError', `(1054, "Unknown column '${c.fieldname}' in 'where clause'")`, {
          serverMessage: false,
        })
      }
      const type = this.columnType(childMeta, c.fieldname)
      if (!type) {
        frappeThrow('OperationalError', `(1054, "Unknown column '${c.fieldname}' in 'where clause'")`, {
          serverMessage: false,
        })
      }
      const pred = this.predicate(childMeta, c.fieldname, type, c)
      const fieldname = c.fieldname
      return (doc: Doc) => ((doc[tableField.fieldname] as Doc[]) ?? []).some((row) => pred(row[fieldname]))
    })
  }

  private parseOrderBy(
    meta: EmulatorDocTypeMeta,
    raw: unknown,
  ): { column: string; type: string; desc: boolean }[] {
    if (raw === undefined || raw === null || raw === '') return []
    const text = String(raw)
    if (/[()]|\bselect\b|;|--/i.test(text)) {
      frappeThrow('DataError', 'Cannot use sub-query or function in order by', { title: 'Invalid Order By' })
    }
    return text.split(',').map((part) => {
      const m = /^\s*([`A-Za-z0-9_ .]+?)\s*(asc|desc)?\s*$/i.exec(part)
      if (!m) frappeThrow('DataError', `Invalid order by: ${part.trim()}`)
      const column = m[1]!
        .replace(/`/g, '')
        .replace(new RegExp(`^tab${escapeRe(meta.name)}\\.`), '')
        .trim()
      const type = this.columnType(meta, column)
      if (!type) {
        frappeThrow('OperationalError', `(1054, "Unknown column '${column}' in 'order clause'")`, {
          serverMessage: false,
        })
      }
      return { column, type, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' }
    })
  }

  /**
   * Collated names an AND filter `name = v` / `name in [...]` (`parent` for a child doctype) restricts the
   * query to, or undefined when no such filter is given (every document is a candidate).
   */
  private pinnedNames(meta: EmulatorDocTypeMeta, conds: readonly FilterCondition[]): Set<string> | undefined {
    const column = meta.istable ? 'parent' : 'name'
    let pinned: Set<string> | undefined
    for (const c of conds) {
      if (c.doctype && c.doctype !== meta.name) continue
      const field = c.fieldname.replace(/`/g, '').replace(new RegExp(`^tab${escapeRe(meta.name)}\\.`), '')
      if (field !== column) continue
      let values: unknown[]
      if (c.operator === 'in') values = listValue(c.value)
      else if (c.operator === '=' && (typeof c.value === 'string' || typeof c.value === 'number'))
        values = [c.value]
      else continue
      const keys = new Set(values.map((v) => collate(v ?? '')))
      pinned = pinned ? new Set([...pinned].filter((k) => keys.has(k))) : keys
    }
    return pinned
  }

  /** Names of `doctype` whose collated name is in `keys`, in natural order, via the name index. */
  private namesIn(doctype: string, keys: ReadonlySet<string>): string[] {
    const names: string[] = []
    for (const key of keys) names.push(...this.lookup(doctype, 'name', key))
    if (names.length > 1) {
      const keyed = names.map((n) => [collate(n), n] as const)
      keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      return keyed.map((k) => k[1])
    }
    return names
  }

  /**
   * Documents of `doctype` (child rows for child doctypes) in natural order; with `pinned`, only the
   * documents (child rows of the parents) whose collated name is in it.
   */
  private *source(
    meta: EmulatorDocTypeMeta,
    parent: string | undefined,
    pinned?: ReadonlySet<string>,
  ): Generator<Doc> {
    if (!meta.istable) {
      const t = this.table(meta.name)
      for (const name of pinned ? this.namesIn(meta.name, pinned) : this.sortedNames(meta.name)) {
        const d = t.docs.get(name)
        if (d) yield d
      }
      return
    }
    for (const p of this.parentsOf(meta.name)) {
      if (parent && p.parent !== parent) continue
      const t = this.table(p.parent)
      for (const name of pinned ? this.namesIn(p.parent, pinned) : this.sortedNames(p.parent)) {
        const d = t.docs.get(name)
        for (const row of (d?.[p.fieldname] as Doc[]) ?? []) yield row
      }
    }
  }

  /** `frappe.client.get_list`: rows as dicts (or arrays when `as_dict` is false). */
  list(txn: Txn, doctype: string, args: ListArgs): unknown[] {
    const meta = this.meta(doctype)
    const parent =
      args.parent === undefined || args.parent === null || args.parent === ''
        ? undefined
        : String(args.parent)
    if (!args.ignorePermissions) {
      if (meta.istable) {
        if (!parent || !this.metas.has(parent) || !this.parentsOf(doctype).some((p) => p.parent === parent)) {
          throw new FrappeException(
            'PermissionError',
            `Please specify a valid parent DocType for <strong>${doctype}</strong>`,
            {
              title: 'Invalid Parent DocType',
              exceptionText: '',
            },
          )
        }
        this.check(txn.user, parent, 'read')
      } else this.check(txn.user, doctype, 'read')
    }
    const childTables = new Map<string, string>()
    const specs = this.parseFields(meta, args.fields, args.strictFields ?? false)
    const columns = specs.flatMap((s) => this.resolveColumn(meta, s, childTables))
    const conditions = parseFilters(args.filters, doctype)
    const filters = this.compileConditions(meta, conditions)
    const orFilters = this.compileConditions(meta, parseFilters(args.or_filters, doctype))
    const order = this.parseOrderBy(meta, args.order_by)
    const start = Math.max(0, cint(args.limit_start))
    const pageLength =
      args.limit_page_length === undefined || args.limit_page_length === null
        ? 20
        : cint(args.limit_page_length)
    const asDict =
      args.as_dict === undefined || args.as_dict === null || args.as_dict === ''
        ? true
        : cint(args.as_dict) !== 0 && String(args.as_dict).toLowerCase() !== 'false'

    const matches: ListRow[] = []
    const childField = childTables.size ? [...childTables.keys()][0] : undefined
    const grouped =
      columns.some((c) => c.aggregate) ||
      (args.group_by !== undefined && args.group_by !== null && args.group_by !== '')
    // Without ORDER BY or grouping the natural order is final, so stop once the page is full.
    const stopAt = !order.length && !grouped && pageLength > 0 ? start + pageLength : Number.POSITIVE_INFINITY
    // `name in [...]` (`parent in [...]` on a child doctype) narrows the scan to the pinned documents
    // through the name index; every filter still runs on them.
    const pinned = this.pinnedNames(meta, conditions)
    for (const doc of this.source(meta, parent, pinned)) {
      if (matches.length >= stopAt) break
      if (parent && meta.istable && doc.parenttype !== parent) continue
      let ok = true
      for (const f of filters)
        if (!f(doc)) {
          ok = false
          break
        }
      if (!ok) continue
      if (orFilters.length && !orFilters.some((f) => f(doc))) continue
      if (childField) {
        const rows = (doc[childField] as Doc[]) ?? []
        if (!rows.length) matches.push({ doc })
        for (const child of rows) matches.push({ doc, child })
      } else matches.push({ doc })
    }
    if (order.length) {
      const keyed = order.map((o) => ({ ...o, kind: columnKind(o.column, o.type) }))
      matches.sort((a, b) => {
        for (const o of keyed) {
          const x = a.doc[o.column]
          const y = b.doc[o.column]
          let c = 0
          if (x === null || x === undefined) c = y === null || y === undefined ? 0 : -1
          else if (y === null || y === undefined) c = 1
          else if (o.kind === 'number') c = flt(x) - flt(y)
          else if (o.kind === 'text' || o.kind === 'raw') {
            const cx = collate(x)
            const cy = collate(y)
            c = cx < cy ? -1 : cx > cy ? 1 : 0
          } else c = String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0
          if (c !== 0) return o.desc ? -c : c
        }
        return 0
      })
    }
    let rows: unknown[][]
    if (grouped) {
      rows = this.aggregate(meta, matches, columns, args.group_by)
    } else {
      const end = pageLength > 0 ? start + pageLength : matches.length
      rows = matches.slice(start, end).map((r) => columns.map((c) => c.get(r)))
      return asDict ? rows.map((r) => toObject(columns, r)) : rows
    }
    const end = pageLength > 0 ? start + pageLength : rows.length
    rows = rows.slice(start, end)
    return asDict ? rows.map((r) => toObject(columns, r)) : rows
  }

  private aggregate(
    meta: EmulatorDocTypeMeta,
    matches: ListRow[],
    columns: Column[],
    groupBy: unknown,
  ): unknown[][] {
    const groupCols = groupBy
      ? String(groupBy)
          .split(',')
          .map((g) =>
            g
              .trim()
              .replace(/`/g, '')
              .replace(new RegExp(`^tab${escapeRe(meta.name)}\\.`), ''),
          )
      : []
    for (const g of groupCols) {
      if (!this.columnType(meta, g)) {
        frappeThrow('OperationalError', `(1054, "Unknown column '${g}' in 'group statement'")`, {
          serverMessage: false,
        })
      }
    }
    const groups = new Map<string, ListRow[]>()
    for (const r of matches) {
      const key = JSON.stringify(groupCols.map((g) => collate(r.doc[g])))
      let list = groups.get(key)
      if (!list) groups.set(key, (list = []))
      list.push(r)
    }
    if (!groupCols.length && !groups.size) groups.set('[]', [])
    const out: unknown[][] = []
    for (const list of groups.values()) {
      out.push(
        columns.map((c) => {
          if (!c.aggregate) return list[0] ? c.get(list[0]) : null
          const values = list.map((r) => c.get(r)).filter((v) => v !== null && v !== undefined)
          switch (c.aggregate) {
            case 'count':
              return values.length
            case 'sum':
              return new PyFloat(values.reduce((a: number, v) => a + flt(v), 0))
            case 'avg':
              return values.length
                ? new PyFloat(values.reduce((a: number, v) => a + flt(v), 0) / values.length)
                : null
            case 'max':
              return values.reduce((a, v) => (a === null || flt(v) > flt(a) ? v : a), null as unknown)
            default:
              return values.reduce((a, v) => (a === null || flt(v) < flt(a) ? v : a), null as unknown)
          }
        }),
      )
    }
    return out
  }

  /** Count documents matching `filters` (`frappe.client.get_count`). */
  countWhere(doctype: string, filters: unknown): number {
    const meta = this.meta(doctype)
    const parsed = parseFilters(filters, doctype)
    const conds = this.compileConditions(meta, parsed)
    if (!conds.length && !meta.istable) return this.count(doctype)
    let n = 0
    for (const doc of this.source(meta, undefined, this.pinnedNames(meta, parsed))) {
      if (conds.every((c) => c(doc))) n++
    }
    return n
  }

  // --- serialisation ------------------------------------------------------------------------------

  /**
   * A document as Frappe's `as_dict()` returns it: floats as {@link PyFloat}, passwords removed,
   * `doctype` added, tables as lists. With `noNulls`, null keys are dropped (v1 GET/PUT, v15 POST).
   */
  toWire(doctype: string, doc: Doc, noNulls: boolean): Record<string, unknown> {
    const meta = this.meta(doctype)
    const out: Record<string, unknown> = {}
    const put = (key: string, value: unknown) => {
      if (value === null || value === undefined) {
        if (!noNulls) out[key] = null
        return
      }
      out[key] = value
    }
    for (const c of ['name', 'owner', 'creation', 'modified', 'modified_by', 'docstatus', 'idx'] as const) {
      put(c, c === 'creation' || c === 'modified' ? (doc[c] == null ? null : pyStr(doc[c])) : doc[c])
    }
    if (meta.istable) for (const c of CHILD_COLUMNS) put(c, doc[c])
    const tables: [string, string][] = []
    for (const f of meta.fields) {
      if (NO_VALUE_TYPES.has(f.fieldtype) || f.fieldtype === 'Password') continue
      if (TABLE_TYPES.has(f.fieldtype)) {
        tables.push([f.fieldname, f.options ?? ''])
        continue
      }
      const v = doc[f.fieldname]
      put(f.fieldname, FLOAT_TYPES.has(f.fieldtype) ? new PyFloat(flt(v)) : v)
    }
    out.doctype = doctype
    for (const [fieldname, child] of tables) {
      out[fieldname] = ((doc[fieldname] as Doc[]) ?? []).map((row) =>
        this.metas.has(child) ? this.toWire(child, row, noNulls) : row,
      )
    }
    return out
  }
}

function toObject(columns: Column[], row: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let i = 0; i < columns.length; i++) out[columns[i]!.key] = row[i]
  return out
}

function pick(doc: Doc, keys: readonly string[]): Doc {
  const out: Doc = {}
  for (const k of keys) out[k] = doc[k]
  return out
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function slug(doctype: string): string {
  return doctype.toLowerCase().replace(/ /g, '-')
}

/**
 * The Education app's overlap test (`get_overlap_for`) on two time spans in seconds: one span starts or
 * ends strictly inside the other, or both are identical.
 */
function spansOverlap(from: number, to: number, otherFrom: number, otherTo: number): boolean {
  return (
    (otherFrom > from && otherFrom < to) ||
    (otherTo > from && otherTo < to) ||
    (from > otherFrom && from < otherTo) ||
    (from === otherFrom && to === otherTo)
  )
}

/** Python `str()` of a stored timestamp (fraction dropped when zero). */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return ''
  const s = String(value)
  return s.endsWith('.000000') ? s.slice(0, -7) : s
}
