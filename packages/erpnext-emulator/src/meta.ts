/**
 * DocType metadata as the emulator consumes it. The shape is the one `@edusync/doctype-schemas`
 * exports (`DocTypeMeta` / `FieldMeta`); it is restated structurally here so that metadata from any
 * source (a live site's `getdoctype`, a custom DocType created at run time) can be registered.
 */

/** Frappe's boolean flag encoding. */
export type Flag = 0 | 1

/** One value field of a DocType. */
export interface EmulatorFieldMeta {
  readonly fieldname: string
  readonly fieldtype: string
  readonly label?: string
  readonly options?: string
  readonly reqd: Flag
  readonly unique: Flag
  readonly read_only: Flag
  readonly hidden: Flag
  readonly allow_on_submit: Flag
  readonly default?: string
  readonly fetch_from?: string
  readonly in_list_view: Flag
  readonly is_custom_field?: Flag
}

/** A DocType's metadata. */
export interface EmulatorDocTypeMeta {
  readonly name: string
  readonly module: string
  readonly istable: Flag
  readonly issingle: Flag
  readonly is_submittable: Flag
  readonly autoname?: string
  readonly naming_rule?: string
  readonly title_field?: string
  readonly sort_field?: string
  readonly sort_order?: 'ASC' | 'DESC'
  readonly custom?: Flag
  readonly fields: readonly EmulatorFieldMeta[]
}

/** Fieldtypes whose value is a list of child rows. */
export const TABLE_TYPES: ReadonlySet<string> = new Set(['Table', 'Table MultiSelect'])
/** Fieldtypes Frappe stores as `decimal` and serialises as floats. */
export const FLOAT_TYPES: ReadonlySet<string> = new Set(['Float', 'Currency', 'Percent'])
/** Fieldtypes Frappe stores as `int`. */
export const INT_TYPES: ReadonlySet<string> = new Set(['Int', 'Check', 'Rating'])
/** Fieldtypes that carry no value. */
export const NO_VALUE_TYPES: ReadonlySet<string> = new Set([
  'Section Break',
  'Column Break',
  'Tab Break',
  'HTML',
  'Heading',
  'Button',
  'Fold',
  'Image',
])
/** Fieldtypes limited to 140 characters (varchar(140)). */
export const VARCHAR_TYPES: ReadonlySet<string> = new Set([
  'Data',
  'Link',
  'Dynamic Link',
  'Select',
  'Read Only',
  'Color',
  'Phone',
  'Autocomplete',
])

/** Columns every document carries, in Frappe's table order. */
export const STANDARD_COLUMNS = [
  'name',
  'creation',
  'modified',
  'modified_by',
  'owner',
  'docstatus',
  'idx',
] as const
/** Columns child rows add. */
export const CHILD_COLUMNS = ['parent', 'parentfield', 'parenttype'] as const
/** Extra columns of non-child tables (null unless set). */
export const UNDERSCORE_COLUMNS = ['_user_tags', '_comments', '_assign', '_liked_by'] as const

type FieldOpts = Partial<Omit<EmulatorFieldMeta, 'fieldname' | 'fieldtype'>>

/** Build a field with Frappe's defaults for every flag. */
export function field(fieldname: string, fieldtype: string, opts: FieldOpts = {}): EmulatorFieldMeta {
  return {
    fieldname,
    fieldtype,
    label: opts.label ?? labelFor(fieldname),
    reqd: 0,
    unique: 0,
    read_only: 0,
    hidden: 0,
    allow_on_submit: 0,
    in_list_view: 0,
    ...opts,
  }
}

/** Title-case a fieldname the way Frappe labels fields by default (`first_name` → `First Name`). */
export function labelFor(fieldname: string): string {
  return fieldname
    .split('_')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ')
}

function doctype(
  name: string,
  module: string,
  fields: EmulatorFieldMeta[],
  opts: Partial<Omit<EmulatorDocTypeMeta, 'name' | 'module' | 'fields'>> = {},
): EmulatorDocTypeMeta {
  return { name, module, istable: 0, issingle: 0, is_submittable: 0, fields, ...opts }
}

const req = { reqd: 1 } as const

/**
 * The Frappe / ERPNext core doctypes the Education module links to, plus the ones the emulator itself
 * serves (Custom Field, DocType, Webhook, Webhook Request Log, OAuth Client, File). Fields are the subset that
 * matters on the wire.
 */
export const coreDoctypes: readonly EmulatorDocTypeMeta[] = [
  doctype(
    'User',
    'Core',
    [
      field('email', 'Data', req),
      field('first_name', 'Data', req),
      field('last_name', 'Data'),
      field('full_name', 'Data', { read_only: 1 }),
      field('enabled', 'Check', { default: '1' }),
      field('user_type', 'Select', { options: 'System User\nWebsite User', default: 'System User' }),
      field('api_key', 'Data', { read_only: 1 }),
      field('api_secret', 'Password'),
      field('new_password', 'Password'),
      field('roles', 'Table', { options: 'Has Role' }),
    ],
    { autoname: 'field:email', title_field: 'full_name' },
  ),
  doctype('Has Role', 'Core', [field('role', 'Link', { options: 'Role' })], { istable: 1 }),
  doctype('Role', 'Core', [field('role_name', 'Data', { ...req, unique: 1 })], {
    autoname: 'field:role_name',
  }),
  doctype('Gender', 'Contacts', [field('gender', 'Data', { ...req, unique: 1 })], {
    autoname: 'field:gender',
  }),
  doctype('Country', 'Geo', [field('country_name', 'Data', { ...req, unique: 1 }), field('code', 'Data')], {
    autoname: 'field:country_name',
  }),
  doctype(
    'Holiday List',
    'Setup',
    [
      field('holiday_list_name', 'Data', { ...req, unique: 1 }),
      field('from_date', 'Date', req),
      field('to_date', 'Date', req),
      field('holidays', 'Table', { options: 'Holiday' }),
    ],
    { autoname: 'field:holiday_list_name' },
  ),
  doctype(
    'Holiday',
    'Setup',
    [
      field('holiday_date', 'Date', req),
      field('weekly_off', 'Check'),
      field('description', 'Text Editor', req),
    ],
    { istable: 1 },
  ),
  doctype(
    'Company',
    'Setup',
    [
      field('company_name', 'Data', { ...req, unique: 1 }),
      field('abbr', 'Data', req),
      field('default_holiday_list', 'Link', { options: 'Holiday List' }),
    ],
    { autoname: 'field:company_name' },
  ),
  doctype(
    'Department',
    'Setup',
    [
      field('department_name', 'Data', req),
      field('parent_department', 'Link', { options: 'Department' }),
      field('company', 'Link', { options: 'Company' }),
      field('is_group', 'Check'),
    ],
    { autoname: 'field:department_name' },
  ),
  doctype(
    'Employee',
    'Setup',
    [
      field('naming_series', 'Select', { options: 'HR-EMP-' }),
      field('first_name', 'Data', req),
      field('last_name', 'Data'),
      field('employee_name', 'Data', { read_only: 1 }),
      field('gender', 'Link', { options: 'Gender', ...req }),
      field('date_of_birth', 'Date', req),
      field('date_of_joining', 'Date', req),
      field('status', 'Select', { options: 'Active\nInactive\nSuspended\nLeft', default: 'Active', ...req }),
      field('company', 'Link', { options: 'Company' }),
      field('department', 'Link', { options: 'Department' }),
      field('user_id', 'Link', { options: 'User' }),
    ],
    { autoname: 'naming_series:', title_field: 'employee_name' },
  ),
  doctype(
    'Customer Group',
    'Setup',
    [
      field('customer_group_name', 'Data', { ...req, unique: 1 }),
      field('parent_customer_group', 'Link', { options: 'Customer Group' }),
      field('is_group', 'Check'),
    ],
    { autoname: 'field:customer_group_name' },
  ),
  doctype(
    'Customer',
    'Selling',
    [
      field('naming_series', 'Select', { options: 'CUST-.YYYY.-' }),
      field('customer_name', 'Data', req),
      field('customer_type', 'Select', { options: 'Company\nIndividual\nPartnership', default: 'Company' }),
      field('customer_group', 'Link', { options: 'Customer Group' }),
      field('territory', 'Data'),
      field('disabled', 'Check'),
    ],
    { autoname: 'naming_series:', title_field: 'customer_name' },
  ),
  doctype('Student Category', 'Education', [field('category', 'Data', { ...req, unique: 1 })], {
    autoname: 'field:category',
  }),
  doctype('School House', 'Education', [field('house_name', 'Data', { ...req, unique: 1 })], {
    autoname: 'field:house_name',
  }),
  doctype(
    'Assessment Group',
    'Education',
    [
      field('assessment_group_name', 'Data', { ...req, unique: 1 }),
      field('is_group', 'Check'),
      field('parent_assessment_group', 'Link', { options: 'Assessment Group' }),
    ],
    { autoname: 'field:assessment_group_name' },
  ),
  doctype(
    'Assessment Criteria Group',
    'Education',
    [field('assessment_criteria_group', 'Data', { ...req, unique: 1 })],
    { autoname: 'field:assessment_criteria_group' },
  ),
  doctype(
    'Custom Field',
    'Custom',
    [
      field('dt', 'Link', { options: 'DocType', ...req, label: 'DocType' }),
      field('label', 'Data'),
      field('fieldname', 'Data'),
      field('insert_after', 'Data'),
      field('fieldtype', 'Data', { ...req, default: 'Data', label: 'Field Type' }),
      field('options', 'Small Text'),
      field('reqd', 'Check', { label: 'Is Mandatory Field' }),
      field('unique', 'Check'),
      field('read_only', 'Check'),
      field('hidden', 'Check'),
      field('allow_on_submit', 'Check'),
      field('in_list_view', 'Check'),
      field('default', 'Text'),
      field('fetch_from', 'Small Text'),
      field('description', 'Text'),
      field('is_system_generated', 'Check'),
    ],
    { autoname: 'prompt' },
  ),
  doctype(
    'DocField',
    'Core',
    [
      field('label', 'Data'),
      field('fieldtype', 'Data', { ...req, default: 'Data' }),
      field('fieldname', 'Data'),
      field('options', 'Small Text'),
      field('reqd', 'Check'),
      field('unique', 'Check'),
      field('read_only', 'Check'),
      field('hidden', 'Check'),
      field('allow_on_submit', 'Check'),
      field('in_list_view', 'Check'),
      field('default', 'Text'),
      field('fetch_from', 'Small Text'),
    ],
    { istable: 1 },
  ),
  doctype(
    'DocType',
    'Core',
    [
      field('module', 'Link', { options: 'Module Def', ...req }),
      field('custom', 'Check'),
      field('istable', 'Check'),
      field('issingle', 'Check'),
      field('is_submittable', 'Check'),
      field('autoname', 'Data'),
      field('naming_rule', 'Data'),
      field('title_field', 'Data'),
      field('sort_field', 'Data', { default: 'modified' }),
      field('sort_order', 'Data', { default: 'DESC' }),
      field('fields', 'Table', { options: 'DocField' }),
      field('permissions', 'Table', { options: 'DocPerm' }),
    ],
    { autoname: 'prompt' },
  ),
  doctype(
    'DocPerm',
    'Core',
    [
      field('role', 'Link', { options: 'Role' }),
      field('read', 'Check', { default: '1' }),
      field('write', 'Check'),
      field('create', 'Check'),
      field('delete', 'Check'),
      field('submit', 'Check'),
      field('cancel', 'Check'),
    ],
    { istable: 1 },
  ),
  doctype(
    'Module Def',
    'Core',
    [
      field('module_name', 'Data', { ...req, unique: 1 }),
      field('custom', 'Check'),
      field('app_name', 'Data'),
    ],
    {
      autoname: 'field:module_name',
    },
  ),
  doctype('Webhook Header', 'Integrations', [field('key', 'Small Text'), field('value', 'Small Text')], {
    istable: 1,
  }),
  doctype('Webhook Data', 'Integrations', [field('fieldname', 'Select', req), field('key', 'Data', req)], {
    istable: 1,
  }),
  doctype(
    'Webhook',
    'Integrations',
    [
      field('webhook_doctype', 'Link', { options: 'DocType', ...req, label: 'DocType' }),
      field('webhook_docevent', 'Select', {
        options: 'after_insert\non_update\non_submit\non_cancel\non_trash\non_update_after_submit\non_change',
        label: 'Doc Event',
      }),
      field('enabled', 'Check', { default: '1' }),
      field('condition', 'Small Text'),
      field('request_url', 'Small Text', { ...req, label: 'Request URL' }),
      field('is_dynamic_url', 'Check'),
      field('timeout', 'Int', { default: '5' }),
      field('background_jobs_queue', 'Data', { default: 'default' }),
      field('request_method', 'Select', { options: 'POST\nPUT\nDELETE', default: 'POST' }),
      field('request_structure', 'Select', { options: '\nForm URL-Encoded\nJSON' }),
      field('enable_security', 'Check'),
      field('webhook_secret', 'Password'),
      field('webhook_headers', 'Table', { options: 'Webhook Header' }),
      field('webhook_data', 'Table', { options: 'Webhook Data' }),
      field('webhook_json', 'Code', { label: 'JSON Request Body' }),
    ],
    { autoname: 'prompt' },
  ),
  doctype(
    'Webhook Request Log',
    'Integrations',
    [
      field('webhook', 'Link', { options: 'Webhook' }),
      field('reference_doctype', 'Data'),
      field('reference_document', 'Data'),
      field('user', 'Link', { options: 'User' }),
      field('url', 'Text'),
      field('headers', 'Code'),
      field('data', 'Code'),
      field('response', 'Code'),
      field('error', 'Text'),
    ],
    { autoname: 'hash' },
  ),
  doctype(
    'OAuth Client',
    'Integrations',
    [
      field('client_id', 'Data', { read_only: 1 }),
      field('app_name', 'Data'),
      field('user', 'Link', { options: 'User' }),
      field('client_secret', 'Data', { read_only: 1 }),
      field('skip_authorization', 'Check'),
      field('scopes', 'Text', { default: 'all openid', ...req }),
      field('redirect_uris', 'Text'),
      field('default_redirect_uri', 'Data', req),
      field('grant_type', 'Select', {
        options: 'Authorization Code\nImplicit',
        default: 'Authorization Code',
      }),
      field('response_type', 'Select', { options: 'Code\nToken', default: 'Code' }),
    ],
    { autoname: 'hash' },
  ),
  doctype(
    'File',
    'Core',
    [
      field('file_name', 'Data'),
      field('is_private', 'Check'),
      field('file_type', 'Data', { read_only: 1 }),
      field('is_home_folder', 'Check', { hidden: 1 }),
      field('is_attachments_folder', 'Check', { hidden: 1 }),
      field('file_size', 'Int', { read_only: 1 }),
      field('file_url', 'Code'),
      field('thumbnail_url', 'Small Text'),
      field('folder', 'Link', { options: 'File', read_only: 1 }),
      field('is_folder', 'Check', { read_only: 1 }),
      field('attached_to_doctype', 'Link', { options: 'DocType' }),
      field('attached_to_name', 'Data'),
      field('attached_to_field', 'Data'),
      field('old_parent', 'Data', { hidden: 1 }),
      field('content_hash', 'Data', { read_only: 1 }),
      field('uploaded_to_dropbox', 'Check', { read_only: 1 }),
      field('uploaded_to_google_drive', 'Check', { read_only: 1 }),
    ],
    { autoname: 'hash', title_field: 'file_name' },
  ),
]
