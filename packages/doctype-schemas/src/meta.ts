/**
 * DocType metadata as Frappe defines it, reduced to what EduSync needs. Flags keep Frappe's `0 | 1`
 * encoding so metadata can be served and posted exactly as a Frappe site would.
 */

/** The Frappe fieldtypes that hold a value (layout types such as Section Break are never stored). */
export type ValueFieldType =
  | 'Attach'
  | 'Attach Image'
  | 'Autocomplete'
  | 'Barcode'
  | 'Check'
  | 'Code'
  | 'Color'
  | 'Currency'
  | 'Data'
  | 'Date'
  | 'Datetime'
  | 'Duration'
  | 'Dynamic Link'
  | 'Float'
  | 'Geolocation'
  | 'HTML Editor'
  | 'Icon'
  | 'Image'
  | 'Int'
  | 'JSON'
  | 'Link'
  | 'Long Text'
  | 'Markdown Editor'
  | 'Password'
  | 'Percent'
  | 'Phone'
  | 'Rating'
  | 'Read Only'
  | 'Select'
  | 'Signature'
  | 'Small Text'
  | 'Table'
  | 'Table MultiSelect'
  | 'Text'
  | 'Text Editor'
  | 'Time'

/** Fieldtypes that only shape the form and never appear in documents. */
export type LayoutFieldType =
  | 'Section Break'
  | 'Column Break'
  | 'Tab Break'
  | 'HTML'
  | 'Heading'
  | 'Button'
  | 'Fold'

/** Every fieldtype EduSync understands. */
export type FieldType = ValueFieldType | LayoutFieldType

/** Frappe's boolean flag encoding. */
export type Flag = 0 | 1

/** One field of a DocType, as in the DocType JSON (`fields[]`), value fields only. */
export interface FieldMeta {
  readonly fieldname: string
  readonly fieldtype: ValueFieldType
  readonly label?: string
  /** Link/Table target doctype, Select options (newline-separated), or Dynamic Link's type field. */
  readonly options?: string
  readonly reqd: Flag
  readonly unique: Flag
  readonly read_only: Flag
  readonly hidden: Flag
  readonly allow_on_submit: Flag
  readonly default?: string
  readonly fetch_from?: string
  readonly in_list_view: Flag
  /** Help text shown under the field (for the AI fields: what the value holds and its unit). */
  readonly description?: string
  /** Set on custom fields (Custom Field documents) rather than fields of the DocType itself. */
  readonly is_custom_field?: Flag
}

/** A DocType's metadata: naming, submittability, child-table status and its value fields in order. */
export interface DocTypeMeta {
  readonly name: string
  readonly module: string
  readonly istable: Flag
  readonly issingle: Flag
  readonly is_submittable: Flag
  /** Frappe autoname, e.g. `naming_series:`, `field:course_name`, `format:EDU-CE-{YYYY}-{#####}`, `hash`, `prompt`. */
  readonly autoname?: string
  readonly naming_rule?: string
  readonly title_field?: string
  readonly sort_field?: string
  readonly sort_order?: 'ASC' | 'DESC'
  /** Set on doctypes created at run time or shipped by EduSync (the AI doctypes). */
  readonly custom?: Flag
  readonly fields: readonly FieldMeta[]
}
