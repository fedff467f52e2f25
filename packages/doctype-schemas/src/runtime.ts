/**
 * Building blocks that generated schema modules import: the zod schema of each Frappe fieldtype in its
 * REST JSON form, the standard fields, and small helpers that keep generated metadata compact.
 * Exported publicly so that modules generated for your own doctypes can use them too.
 */
import { z } from 'zod'
import type { DocTypeMeta, FieldMeta, Flag, ValueFieldType } from './meta.js'

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/
const DATETIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?$/
// MariaDB TIME read back through pymysql's timedelta: hour not zero-padded, optional fraction.
const TIME_READ = /^\d{1,2}:[0-5]\d:[0-5]\d(\.\d{1,6})?$/
// Frappe also accepts `9:05` or `09:05` on write and stores it as a time.
const TIME_WRITE = /^\d{1,2}:[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$/

function isJsonText(value: string): boolean {
  try {
    JSON.parse(value)
    return true
  } catch {
    return false
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Frappe's Check value: the integers 0 and 1, never booleans. */
export type Check = 0 | 1
/** A document's docstatus: 0 draft, 1 submitted, 2 cancelled. */
export type DocStatus = 0 | 1 | 2

/**
 * The zod schema of each Frappe fieldtype as it appears in REST JSON. Each call returns a new schema.
 *
 * @example
 * ```ts
 * fieldSchemas.time().parse('9:05:00') // ERPNext does not pad the hour
 * ```
 */
export const fieldSchemas = Object.freeze({
  /** Check: `0` or `1`. */
  check: () =>
    z.union([z.literal(0), z.literal(1)], { error: 'expected 0 or 1 (a Check is never a boolean)' }),
  /** Int: an integer. */
  int: () => z.number().int(),
  /** Float, Currency, Percent, Duration (seconds), Rating: a finite number. */
  float: () => z.number(),
  /** Date: `YYYY-MM-DD`. */
  date: () => z.string().regex(DATE, 'expected a date as YYYY-MM-DD'),
  /** Datetime: `YYYY-MM-DD HH:MM:SS[.ffffff]`, no `T`, no offset. */
  datetime: () =>
    z.string().regex(DATETIME, 'expected a datetime as YYYY-MM-DD HH:MM:SS[.ffffff] (no T, no offset)'),
  /** Time as read: `H:MM:SS[.ffffff]`, hour not zero-padded. */
  time: () => z.string().regex(TIME_READ, 'expected a time as H:MM:SS[.ffffff]'),
  /** Time as sent: `H:MM`, `H:MM:SS` or with a fraction. */
  timeInput: () => z.string().regex(TIME_WRITE, 'expected a time as H:MM or H:MM:SS'),
  /** Data, Text, Link and the other string fieldtypes. */
  string: () => z.string(),
  /** Select: one of its options (`""` only when the options start with a newline). */
  select: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values as unknown as { [K in T[number]]: K }, {
      error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
    }),
  /** JSON as read: a string holding JSON text. */
  json: () => z.string().refine(isJsonText, 'expected a string holding valid JSON'),
  /** JSON as sent: a string holding JSON text, or a plain object (Frappe serializes it; lists are refused). */
  jsonInput: () =>
    z.union(
      [
        z.string().refine(isJsonText, 'expected a string holding valid JSON'),
        z.custom<Record<string, unknown>>(isPlainObject, 'expected a plain object (not a list)'),
      ],
      { error: 'expected a string holding valid JSON, or a plain object (not a list)' },
    ),
})

/** Standard fields of every document as read. */
export interface DocReadBase<D extends string> {
  name: string
  owner: string
  creation: string
  modified: string
  modified_by: string
  docstatus: DocStatus
  idx: number
  /** Present on single-document reads; absent from list rows. */
  doctype?: D
}

/** Standard fields of every child-table row as read. */
export interface ChildReadBase<D extends string> extends DocReadBase<D> {
  parent: string
  parentfield: string
  parenttype: string
}

/** Standard fields a new document may carry (everything else is set by the server). */
export interface DocCreateBase<D extends string> {
  doctype?: D
  /** Ignored by Frappe unless the doctype is named by prompt. */
  name?: string
}

/** A submittable document may be inserted already submitted (`docstatus: 1`). */
export interface SubmittableCreateBase<D extends string> extends DocCreateBase<D> {
  docstatus?: 0 | 1
}

/** Standard fields a new child row may carry. */
export interface ChildCreateBase<D extends string> {
  doctype?: D
  /** An existing row's name when the parent is saved again; omitted for new rows. */
  name?: string
  idx?: number
}

/** The zod shape of the standard fields of a document as read. */
export function readBaseShape<const D extends string>(doctype: D) {
  return {
    name: z.string(),
    owner: z.string(),
    creation: fieldSchemas.datetime(),
    modified: fieldSchemas.datetime(),
    modified_by: z.string(),
    docstatus: z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'expected 0, 1 or 2' }),
    idx: z.number().int(),
    doctype: z.literal(doctype).optional(),
  }
}

/** The zod shape of the standard fields of a child row as read. */
export function childReadBaseShape<const D extends string>(doctype: D) {
  return { ...readBaseShape(doctype), parent: z.string(), parentfield: z.string(), parenttype: z.string() }
}

/** The zod shape of the standard fields a new document may carry. */
export function createBaseShape<const D extends string>(doctype: D) {
  return { doctype: z.literal(doctype).optional(), name: z.string().optional() }
}

/** The zod shape of the standard fields a new submittable document may carry. */
export function submittableCreateBaseShape<const D extends string>(doctype: D) {
  return {
    ...createBaseShape(doctype),
    docstatus: z
      .union([z.literal(0), z.literal(1)], { error: 'expected 0 (draft) or 1 (submit on insert)' })
      .optional(),
  }
}

/** The zod shape of the standard fields a new child row may carry. */
export function childCreateBaseShape<const D extends string>(doctype: D) {
  return { ...createBaseShape(doctype), idx: z.number().int().optional() }
}

/**
 * Build a value once, on first use. Generated modules wrap every schema in it so importing the package
 * costs nothing until a doctype is validated.
 */
export function memo<T>(build: () => T): () => T {
  let value: T | undefined
  let built = false
  return () => {
    if (!built) {
      value = build()
      built = true
    }
    return value as T
  }
}

/** Options of {@link defineField}: the non-zero flags and optional strings of a field. */
export type FieldExtras = Partial<Omit<FieldMeta, 'fieldname' | 'fieldtype'>>

/** Build a frozen {@link FieldMeta}, filling every flag not given with `0`. Used by generated code. */
export function defineField(
  fieldname: string,
  fieldtype: ValueFieldType,
  extras: FieldExtras = {},
): FieldMeta {
  const zero: Flag = 0
  return Object.freeze({
    fieldname,
    fieldtype,
    reqd: zero,
    unique: zero,
    read_only: zero,
    hidden: zero,
    allow_on_submit: zero,
    in_list_view: zero,
    ...extras,
  })
}

/** Options of {@link defineDocType}: everything but the fields, with flags defaulting to `0`. */
export type DocTypeExtras = Partial<Omit<DocTypeMeta, 'name' | 'module' | 'fields'>>

/** Build a frozen {@link DocTypeMeta}, filling every flag not given with `0`. Used by generated code. */
export function defineDocType(
  name: string,
  module: string,
  extras: DocTypeExtras,
  fields: readonly FieldMeta[],
): DocTypeMeta {
  return Object.freeze({
    name,
    module,
    istable: 0 as Flag,
    issingle: 0 as Flag,
    is_submittable: 0 as Flag,
    ...extras,
    fields: Object.freeze([...fields]),
  })
}

export type { DocTypeMeta, FieldMeta } from './meta.js'
export type { FieldClassification } from './classification.js'
