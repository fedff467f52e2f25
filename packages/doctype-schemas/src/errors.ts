/**
 * Errors of `@edusync/doctype-schemas`. Every error extends {@link DocTypeSchemasError}, carries a
 * literal `name` and a stable `code`, and can be recognised across realms with the `is*Error()` guards.
 */

const PREFIX = '[@edusync/doctype-schemas]'

/** Stable error codes, one per failure mode. */
export type DocTypeSchemasErrorCode =
  | 'ERR_METADATA'
  | 'ERR_METADATA_FETCH'
  | 'ERR_UNKNOWN_DOCTYPE'
  | 'ERR_DOC_VALIDATION'

const BRAND = Symbol.for('@edusync/doctype-schemas/error')

/** Base class of every error thrown by this package. */
export class DocTypeSchemasError extends Error {
  override readonly name: string = 'DocTypeSchemasError'
  /** Stable machine-readable code. */
  readonly code: DocTypeSchemasErrorCode
  /** @internal brand for realm-safe guards */
  readonly [BRAND] = true

  constructor(code: DocTypeSchemasErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${PREFIX} ${message}`, options)
    this.code = code
  }
}

/**
 * DocType metadata is malformed (missing or unknown fieldtype, broken JSON, missing Table target…).
 * The generator stops without writing anything.
 */
export class MetadataError extends DocTypeSchemasError {
  override readonly name = 'MetadataError' as const
  /** The file (or URL) the metadata came from. */
  readonly source: string
  /** The DocType, when known. */
  readonly doctype: string | undefined
  /** The field at fault, when the problem is one field. */
  readonly field: string | undefined

  constructor(
    details: { source: string; doctype?: string | undefined; field?: string | undefined; problem: string },
    options?: { cause?: unknown },
  ) {
    const where = [
      details.source,
      details.doctype ? `doctype "${details.doctype}"` : undefined,
      details.field ? `field "${details.field}"` : undefined,
    ]
      .filter(Boolean)
      .join(', ')
    super('ERR_METADATA', `Malformed DocType metadata in ${where}: ${details.problem}`, options)
    this.source = details.source
    this.doctype = details.doctype
    this.field = details.field
  }
}

/** Fetching metadata from a live site failed (network error, non-2xx status, unexpected body). */
export class MetadataFetchError extends DocTypeSchemasError {
  override readonly name = 'MetadataFetchError' as const
  /** The URL requested (never carries credentials: they travel in a header). */
  readonly url: string
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined

  constructor(details: { url: string; status?: number; problem: string }, options?: { cause?: unknown }) {
    super(
      'ERR_METADATA_FETCH',
      `Could not fetch DocType metadata from GET ${details.url}: ${details.problem}. Check the site URL, ` +
        'that the API key/secret belong to a user who may read DocType, and that the doctype exists.',
      options,
    )
    this.url = details.url
    this.status = details.status
  }
}

/** A doctype name that no registry knows. */
export class UnknownDocTypeError extends DocTypeSchemasError {
  override readonly name = 'UnknownDocTypeError' as const
  /** The name asked for. */
  readonly doctype: string

  constructor(doctype: string) {
    super(
      'ERR_UNKNOWN_DOCTYPE',
      `Unknown doctype "${doctype}". Use one of the names in educationDocTypes/aiDocTypes, or register ` +
        'your own schemas with createDocTypeRegistry().',
    )
    this.doctype = doctype
  }
}

/** One problem found while validating a document. */
export interface DocIssue {
  /** The doctype validated. */
  readonly doctype: string
  /** The document's `name` when it has one (a name is an identifier, never a person's data). */
  readonly docname: string | undefined
  /** Path to the value, e.g. `['guardians', 0, 'relation']`; empty for the document itself. */
  readonly path: readonly (string | number)[]
  /** The path as text, e.g. `guardians[0].relation`. */
  readonly field: string
  /** What is wrong, e.g. `unknown_field`, `required`, `invalid_type`, `invalid_value`, `invalid_format`. */
  readonly code: string
  /** A readable sentence naming doctype, document and field. Never contains the offending value. */
  readonly message: string
}

/** Thrown by `assertDoc()`: a document failed validation. Carries every issue found. */
export class DocValidationError extends DocTypeSchemasError {
  override readonly name = 'DocValidationError' as const
  readonly doctype: string
  readonly docname: string | undefined
  /** Every issue found (never just the first). */
  readonly issues: readonly DocIssue[]

  constructor(doctype: string, docname: string | undefined, issues: readonly DocIssue[]) {
    const head = issues
      .slice(0, 5)
      .map((i) => i.message)
      .join('; ')
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''
    super(
      'ERR_DOC_VALIDATION',
      `${issues.length} issue(s) in ${doctype}${docname ? ` ${docname}` : ''}: ${head}${more}`,
    )
    this.doctype = doctype
    this.docname = docname
    this.issues = issues
  }
}

function hasBrand(value: unknown): value is DocTypeSchemasError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

function isNamed(value: unknown, name: string): boolean {
  return hasBrand(value) && (value as { name?: unknown }).name === name
}

/** Realm-safe check for any error of this package. */
export function isDocTypeSchemasError(value: unknown): value is DocTypeSchemasError {
  return hasBrand(value)
}
/** Realm-safe check for {@link MetadataError}. */
export function isMetadataError(value: unknown): value is MetadataError {
  return isNamed(value, 'MetadataError')
}
/** Realm-safe check for {@link MetadataFetchError}. */
export function isMetadataFetchError(value: unknown): value is MetadataFetchError {
  return isNamed(value, 'MetadataFetchError')
}
/** Realm-safe check for {@link UnknownDocTypeError}. */
export function isUnknownDocTypeError(value: unknown): value is UnknownDocTypeError {
  return isNamed(value, 'UnknownDocTypeError')
}
/** Realm-safe check for {@link DocValidationError}. */
export function isDocValidationError(value: unknown): value is DocValidationError {
  return isNamed(value, 'DocValidationError')
}
