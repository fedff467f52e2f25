import {
  DocumentValidationError,
  ResponseValidationError,
  UnknownDocTypeError,
  UnknownFieldError,
  type ValidationIssue,
} from './errors.js'
import type { DocTypeMeta } from './meta.js'
import type { ResolvedOptions, ValidationMode } from './options.js'

/** Columns every document has, whatever its doctype. */
export const STANDARD_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'owner',
  'creation',
  'modified',
  'modified_by',
  'docstatus',
  'idx',
  'doctype',
  'amended_from',
  '_user_tags',
  '_comments',
  '_assign',
  '_liked_by',
  '_seen',
])

/** Extra columns on child rows. */
export const CHILD_FIELDS: ReadonlySet<string> = new Set(['parent', 'parentfield', 'parenttype'])

const TABLE_TYPES = new Set(['Table', 'Table MultiSelect'])

/** @internal Validation helpers bound to the client's options. */
export class Validator {
  constructor(private readonly options: ResolvedOptions) {}

  metaOf(doctype: string): DocTypeMeta | undefined {
    return this.options.meta?.[doctype]
  }

  /** Throw when the typed API is used with a doctype the metadata does not know (only when metadata is set). */
  assertKnown(doctype: string): void {
    if (typeof doctype !== 'string' || doctype.length === 0) {
      throw new TypeError(
        '[@edusync/erpnext-client] doc(doctype): expected a doctype name such as "Student".',
      )
    }
    const meta = this.options.meta
    if (meta !== undefined && !(doctype in meta)) {
      throw new UnknownDocTypeError(
        `Unknown doctype "${doctype}": it is not in the client's \`meta\`. Check the spelling (doctype names are Title Case with spaces), add its metadata, or use client.docUntyped().`,
        { doctype },
      )
    }
  }

  /** Check that `field` exists on `doctype` (when metadata is known). */
  assertField(doctype: string, field: string, where: string): void {
    const meta = this.metaOf(doctype)
    if (!meta) return
    if (STANDARD_FIELDS.has(field) || field === '*') return
    if (meta.istable && CHILD_FIELDS.has(field)) return
    if (meta.fields.some((f) => f.fieldname === field)) return
    throw new UnknownFieldError(
      `${where} refers to "${field}", which ${doctype} does not have; check the field name against the DocType (nothing was sent).`,
      { doctype, field },
    )
  }

  /** Check a `fields` list: plain fields, `table.child` and `x as y` forms. */
  checkFields(doctype: string, fields: readonly string[]): void {
    const meta = this.metaOf(doctype)
    if (!meta) return
    for (const entry of fields) {
      const bare = entry.split(/\s+as\s+/i)[0]?.trim() ?? entry
      if (/[()`\s]/.test(bare)) continue // aggregates such as count(name) are the server's business
      const dot = bare.indexOf('.')
      if (dot === -1) {
        this.assertField(doctype, bare, '`fields`')
        continue
      }
      const table = bare.slice(0, dot)
      const column = bare.slice(dot + 1)
      this.assertField(doctype, table, '`fields`')
      const tableField = meta.fields.find((f) => f.fieldname === table)
      if (tableField?.options && TABLE_TYPES.has(tableField.fieldtype)) {
        this.assertField(tableField.options, column, '`fields`')
      } else if (tableField?.options && tableField.fieldtype === 'Link') {
        this.assertField(tableField.options, column, '`fields`')
      }
    }
  }

  /** Check filter field names (3-element, 4-element and object forms). */
  checkFilters(doctype: string, filters: unknown, option: string): void {
    if (filters === undefined || filters === null) return
    if (Array.isArray(filters)) {
      for (const item of filters) {
        if (!Array.isArray(item)) {
          throw new TypeError(
            `[@edusync/erpnext-client] \`${option}\` items must be [field, operator, value] or [doctype, field, operator, value] arrays.`,
          )
        }
        if (item.length >= 4) this.assertField(String(item[0]), String(item[1]), `\`${option}\``)
        else this.assertField(doctype, String(item[0]), `\`${option}\``)
      }
      return
    }
    if (typeof filters !== 'object') {
      throw new TypeError(`[@edusync/erpnext-client] \`${option}\` must be an object or an array of filters.`)
    }
    for (const field of Object.keys(filters)) this.assertField(doctype, field, `\`${option}\``)
  }

  /**
   * Validate a document before sending it: unknown fields are an error (ERPNext would silently drop them),
   * child rows are checked against their child doctype, and the `create` schema is applied when present.
   */
  checkOutgoing(doctype: string, doc: unknown, kind: 'create' | 'update', enabled: boolean): void {
    if (!enabled) return
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new TypeError(`[@edusync/erpnext-client] The ${doctype} document must be a plain object.`)
    }
    const issues: ValidationIssue[] = []
    this.collectUnknown(doctype, doc as Record<string, unknown>, [], issues)
    const schema = this.options.schemas(doctype, kind)
    if (schema) {
      const result = schema.safeParse(doc)
      if (!result.success) {
        const seen = new Set(issues.map((i) => i.path.join('.')))
        for (const issue of result.error.issues) {
          const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)))
          if (seen.has(path.join('.'))) continue
          issues.push({ path, message: issue.message })
        }
      }
    }
    if (issues.length > 0) {
      throw new DocumentValidationError(
        `The ${doctype} document is invalid and was not sent: ${issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
          .join(
            '; ',
          )}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}. Fix the fields, or pass validateOutgoing: false for this call.`,
        { doctype, issues },
      )
    }
  }

  private collectUnknown(
    doctype: string,
    doc: Record<string, unknown>,
    path: (string | number)[],
    issues: ValidationIssue[],
  ): void {
    const meta = this.metaOf(doctype)
    if (!meta) return
    const byName = new Map(meta.fields.map((f) => [f.fieldname, f]))
    for (const [key, value] of Object.entries(doc)) {
      if (STANDARD_FIELDS.has(key) || key === 'naming_series' || key.startsWith('__')) continue
      if (meta.istable && CHILD_FIELDS.has(key)) continue
      const field = byName.get(key)
      if (!field) {
        issues.push({
          path: [...path, key],
          message: `unknown field (${doctype} has no "${key}"; ERPNext would silently drop it)`,
        })
        continue
      }
      if (TABLE_TYPES.has(field.fieldtype) && field.options) {
        if (!Array.isArray(value)) {
          if (value !== undefined && value !== null) {
            issues.push({ path: [...path, key], message: `must be an array of ${field.options} rows` })
          }
          continue
        }
        value.forEach((row, i) => {
          if (typeof row !== 'object' || row === null) {
            issues.push({ path: [...path, key, i], message: `must be a ${field.options} row object` })
          } else
            this.collectUnknown(
              field.options as string,
              row as Record<string, unknown>,
              [...path, key, i],
              issues,
            )
        })
      }
    }
  }

  /** Validate a document read from the server against the doctype's `read` schema. */
  checkIncoming<T>(doctype: string, doc: T, mode: ValidationMode): T {
    if (mode === 'off') return doc
    const schema = this.options.schemas(doctype, 'read')
    if (!schema) return doc
    const result = schema.safeParse(doc)
    if (result.success) return doc
    const issues: ValidationIssue[] = result.error.issues.map((issue) => ({
      path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: issue.message,
    }))
    const summary = issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
      .join('; ')
    if (mode === 'strict') {
      throw new ResponseValidationError(
        `A ${doctype} document from the server does not match its schema: ${summary}. The site's DocType may have drifted (run client.checkDrift()), or use validate: 'lenient'.`,
        { doctype, issues },
      )
    }
    try {
      this.options.logger.warn?.(`${doctype} response does not match its schema`, {
        doctype,
        issues: issues.map((i) => i.path.join('.')),
      })
    } catch {
      // logging must not break reads
    }
    return doc
  }
}
