/**
 * `@edusync/doctype-schemas`: metadata, zod schemas, TypeScript types and privacy classification of
 * ERPNext's Education doctypes, generated from the real DocType definitions.
 *
 * @packageDocumentation
 */

export type {
  AiDocTypeName,
  CustomDocFieldDefinition,
  CustomDocPermDefinition,
  CustomDocTypeDefinition,
  CustomFieldDefinition,
} from './ai.js'
export { aiCustomDocTypes, aiCustomFields, aiDocTypes } from './ai.js'
export type { FieldClassification } from './classification.js'
export { classifyField, classifyStandardField, fieldClassifications } from './classification.js'
export type { DocIssue, DocTypeSchemasErrorCode } from './errors.js'
export {
  DocTypeSchemasError,
  DocValidationError,
  isDocTypeSchemasError,
  isDocValidationError,
  isMetadataError,
  isMetadataFetchError,
  isUnknownDocTypeError,
  MetadataError,
  MetadataFetchError,
  UnknownDocTypeError,
} from './errors.js'
export type { DocTypeMeta, FieldMeta, FieldType, Flag, LayoutFieldType, ValueFieldType } from './meta.js'
export type { DocTypeName, EducationDocTypeName } from './metadata.js'
export {
  aiDocTypeMeta,
  doctypeMeta,
  educationDocTypes,
  fieldClassification,
  getDocTypeMeta,
  getFieldClassification,
  isKnownDocType,
} from './metadata.js'
export { LAYOUT_FIELD_TYPES, normalizeDocType, selectOptions, VALUE_FIELD_TYPES } from './normalize.js'
