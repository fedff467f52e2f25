import { type AiDocTypeName, aiDocTypes } from './ai.js'
import { UnknownDocTypeError } from './errors.js'
import {
  type GeneratedDocTypeName,
  generatedDocTypeMeta,
  generatedDocTypeNames,
  generatedFieldClassification,
} from './doctypes.generated.js'
import type { DocTypeMeta } from './meta.js'
import { type FieldClassification, classifyField } from './classification.js'

/** Name of a doctype this package ships schemas for (Education doctypes, child tables, AI doctypes). */
export type DocTypeName = GeneratedDocTypeName

/** Name of an Education doctype or child table (the AI doctypes excluded). */
export type EducationDocTypeName = Exclude<DocTypeName, AiDocTypeName>

/**
 * Metadata of every doctype this package knows, keyed by name: the Education doctypes and their child
 * tables exactly as the Education app defines them, with EduSync's AI custom fields merged in (flagged
 * `is_custom_field: 1`), plus the two AI doctypes (flagged `custom: 1`). Value fields only, in form order.
 *
 * @example
 * ```ts
 * doctypeMeta['Program Enrollment'].is_submittable // 1
 * ```
 */
export const doctypeMeta: Readonly<Record<DocTypeName, DocTypeMeta>> = generatedDocTypeMeta

const aiSet = new Set<string>(aiDocTypes)

/** Names of the Education doctypes and child tables (sorted), Program Enrollment Fee (legacy) included. */
export const educationDocTypes: readonly EducationDocTypeName[] = Object.freeze(
  generatedDocTypeNames.filter((n): n is EducationDocTypeName => !aiSet.has(n)),
)

/** Metadata of the AI doctypes EduSync adds (Assessment Insight, AI Engagement Log). */
export const aiDocTypeMeta: Readonly<Record<AiDocTypeName, DocTypeMeta>> = Object.freeze({
  'AI Engagement Log': generatedDocTypeMeta['AI Engagement Log'],
  'Assessment Insight': generatedDocTypeMeta['Assessment Insight'],
})

/** Whether `name` is a doctype this package knows. */
export function isKnownDocType(name: string): name is DocTypeName {
  return Object.hasOwn(generatedDocTypeMeta, name)
}

/**
 * Metadata of one doctype.
 *
 * @throws {UnknownDocTypeError} when the doctype is not one this package knows
 */
export function getDocTypeMeta(name: DocTypeName): DocTypeMeta
export function getDocTypeMeta(name: string): DocTypeMeta
export function getDocTypeMeta(name: string): DocTypeMeta {
  if (!isKnownDocType(name)) throw new UnknownDocTypeError(name)
  return generatedDocTypeMeta[name]
}

/**
 * Privacy classification of every field of every known doctype (standard fields `name`, `owner`,
 * `modified_by` and, for child rows, `parent` included). See {@link FieldClassification}.
 */
export const fieldClassification: Readonly<
  Record<DocTypeName, Readonly<Record<string, FieldClassification>>>
> = generatedFieldClassification

const BOOKKEEPING = new Set([
  'creation',
  'modified',
  'docstatus',
  'idx',
  'doctype',
  'parentfield',
  'parenttype',
])

/**
 * The classification of one field. Standard bookkeeping fields (`creation`, `idx`, …) are `none`; a
 * field the metadata does not know (a site's own custom field) gets the conservative default of its
 * doctype from {@link classifyField} (`education_record` on a student's records).
 *
 * @throws {UnknownDocTypeError} for an unknown doctype
 */
export function getFieldClassification(doctype: string, fieldname: string): FieldClassification {
  if (!isKnownDocType(doctype)) throw new UnknownDocTypeError(doctype)
  const known = generatedFieldClassification[doctype][fieldname]
  if (known !== undefined) return known
  if (BOOKKEEPING.has(fieldname)) return 'none'
  return classifyField(doctype, { fieldname, fieldtype: 'Data' })
}
