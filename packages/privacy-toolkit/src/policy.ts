import { PolicyError } from './errors.js'

/** The strategies a policy can apply to a field. */
export type Strategy = 'keep' | 'drop' | 'pseudonymise' | 'hash' | 'mask' | 'generalise' | 'encrypt' | 'table'

/** The strategy names, in a stable order. */
export const STRATEGIES: readonly Strategy[] = Object.freeze([
  'keep',
  'drop',
  'pseudonymise',
  'hash',
  'mask',
  'generalise',
  'encrypt',
  'table',
])

/** How `mask` hides a value: `email` → `a•••@school.edu`, `phone` → `•••89`, `text` → `A•••`, `auto` picks by shape. */
export type MaskStyle = 'auto' | 'email' | 'phone' | 'text'

/**
 * What `generalise` reduces a value to: `year` / `month` of a date (`2011-04-09` → `2011` / `2011-04`),
 * `city` (an address field → the document's city field), `postcode_prefix` (first `digits` characters).
 */
export type GeneraliseTo = 'year' | 'month' | 'city' | 'postcode_prefix'

/** A field rule as written in a policy: a strategy name, or an object with the strategy's options. */
export type FieldRule =
  | 'keep'
  | 'drop'
  | 'pseudonymise'
  | 'hash'
  | 'mask'
  | 'encrypt'
  | { readonly strategy: 'keep' | 'drop' | 'pseudonymise' | 'hash' | 'encrypt' }
  | { readonly strategy: 'mask'; readonly style?: MaskStyle }
  | {
      readonly strategy: 'generalise'
      readonly to: GeneraliseTo
      /** For `city`: the field holding the city. @default 'city' */
      readonly from?: string
      /** For `postcode_prefix`: characters kept. @default 3 */
      readonly digits?: number
    }
  /** A child table: each row is filtered by the policy of `doctype`. */
  | { readonly strategy: 'table'; readonly doctype: string }

/** A normalized field rule (what {@link definePolicy} stores). */
export type NormalizedRule =
  | { readonly strategy: 'keep' | 'drop' | 'pseudonymise' | 'hash' | 'encrypt' }
  | { readonly strategy: 'mask'; readonly style: MaskStyle }
  | {
      readonly strategy: 'generalise'
      readonly to: GeneraliseTo
      readonly from: string
      readonly digits: number
    }
  | { readonly strategy: 'table'; readonly doctype: string }

/** The policy of one doctype, as written. */
export interface DoctypePolicyInput {
  /** Rules by field name. */
  readonly fields: Readonly<Record<string, FieldRule>>
  /** The rule for fields not listed. @default 'drop' */
  readonly otherFields?: FieldRule
  /**
   * The field holding the student id the document is about (consent lookup and disclosure ledger),
   * e.g. `name` for Student, `student` for Program Enrollment. @default none
   */
  readonly subjectField?: string
  /** Fields withheld for students who opted out of directory information (FERPA §99.37). @default [] */
  readonly directoryFields?: readonly string[]
}

/** A policy as written, before {@link definePolicy} validates it. */
export interface PolicyInput {
  /** A name for logs and the ledger. */
  readonly name: string
  /** The purpose of the disclosure (`analytics`, `tutoring_chat`, `reporting`, …); pseudonyms are per purpose. */
  readonly purpose: string
  /** The recipient is the AI layer: a GDPR Art. 18 restriction refuses the disclosure. @default true */
  readonly ai?: boolean
  /** Policies per doctype. A document of a doctype not listed is refused, never passed through. */
  readonly doctypes: Readonly<Record<string, DoctypePolicyInput>>
}

/** A validated, frozen doctype policy. */
export interface DoctypePolicy {
  /** Normalized rules by field name. */
  readonly fields: Readonly<Record<string, NormalizedRule>>
  /** The rule for fields not listed. */
  readonly otherFields: NormalizedRule
  /** The field holding the student id, if any. */
  readonly subjectField: string | undefined
  /** Fields withheld for students who opted out of directory information. */
  readonly directoryFields: ReadonlySet<string>
}

/** A validated, frozen policy. Build one with {@link definePolicy} or the default-policy builders. */
export interface Policy {
  /** The policy's name (logs, errors). */
  readonly name: string
  /** The purpose: pseudonyms are per purpose, ledger entries name it. */
  readonly purpose: string
  /** Whether the recipient is the AI layer (a restriction then refuses the disclosure). */
  readonly ai: boolean
  /** Policies per doctype. */
  readonly doctypes: Readonly<Record<string, DoctypePolicy>>
}

const GENERALISE: readonly GeneraliseTo[] = ['year', 'month', 'city', 'postcode_prefix']
const MASKS: readonly MaskStyle[] = ['auto', 'email', 'phone', 'text']

function normalizeRule(rule: unknown, doctype: string, field: string): NormalizedRule {
  const where = { doctype, field }
  const strategy = typeof rule === 'string' ? rule : (rule as { strategy?: unknown } | null)?.strategy
  switch (strategy) {
    case 'keep':
    case 'drop':
    case 'pseudonymise':
    case 'hash':
    case 'encrypt':
      return Object.freeze({ strategy })
    case 'mask': {
      const style = typeof rule === 'string' ? 'auto' : ((rule as { style?: unknown }).style ?? 'auto')
      if (!MASKS.includes(style as MaskStyle)) {
        throw new PolicyError(`${doctype}.${field}: mask style must be one of ${MASKS.join(', ')}.`, where)
      }
      return Object.freeze({ strategy, style: style as MaskStyle })
    }
    case 'generalise': {
      if (typeof rule === 'string') {
        throw new PolicyError(
          `${doctype}.${field}: generalise needs a target, e.g. { strategy: 'generalise', to: 'year' }.`,
          where,
        )
      }
      const r = rule as { to?: unknown; from?: unknown; digits?: unknown }
      if (!GENERALISE.includes(r.to as GeneraliseTo)) {
        throw new PolicyError(
          `${doctype}.${field}: generalise.to must be one of ${GENERALISE.join(', ')}.`,
          where,
        )
      }
      const from = r.from ?? 'city'
      const digits = r.digits ?? 3
      if (typeof from !== 'string' || from.length === 0) {
        throw new PolicyError(`${doctype}.${field}: generalise.from must be a field name.`, where)
      }
      if (!Number.isInteger(digits) || (digits as number) < 1 || (digits as number) > 10) {
        throw new PolicyError(
          `${doctype}.${field}: generalise.digits must be an integer from 1 to 10.`,
          where,
        )
      }
      return Object.freeze({ strategy, to: r.to as GeneraliseTo, from, digits: digits as number })
    }
    case 'table': {
      const child = typeof rule === 'string' ? undefined : (rule as { doctype?: unknown }).doctype
      if (typeof child !== 'string' || child.length === 0) {
        throw new PolicyError(
          `${doctype}.${field}: a table rule needs the child doctype: { strategy: 'table', doctype }.`,
          where,
        )
      }
      return Object.freeze({ strategy, doctype: child })
    }
    default:
      throw new PolicyError(
        `${doctype}.${field}: unknown strategy ${JSON.stringify(strategy)}; use one of ${STRATEGIES.join(', ')}.`,
        where,
      )
  }
}

/**
 * Validate a policy once and freeze it. Throws {@link PolicyError} for unknown strategies, missing
 * strategy options, or table rules naming a doctype the policy does not define.
 *
 * @example
 * ```ts
 * const policy = definePolicy({
 *   name: 'tutor', purpose: 'tutoring_chat',
 *   doctypes: {
 *     Student: {
 *       subjectField: 'name',
 *       fields: { name: 'pseudonymise', date_of_birth: { strategy: 'generalise', to: 'year' }, gender: 'keep' },
 *     },
 *   },
 * })
 * ```
 */
export function definePolicy(input: PolicyInput): Policy {
  if (typeof input !== 'object' || input === null) throw new PolicyError('a policy must be an object.')
  if (typeof input.name !== 'string' || input.name.length === 0)
    throw new PolicyError('policy.name must be a non-empty string.')
  if (typeof input.purpose !== 'string' || !/^[a-z][a-z0-9_:-]{0,63}$/.test(input.purpose)) {
    throw new PolicyError(
      `policy "${input.name}": purpose must match /^[a-z][a-z0-9_:-]{0,63}$/ (e.g. "analytics").`,
    )
  }
  if (input.ai !== undefined && typeof input.ai !== 'boolean')
    throw new PolicyError(`policy "${input.name}": ai must be a boolean.`)
  if (
    typeof input.doctypes !== 'object' ||
    input.doctypes === null ||
    Object.keys(input.doctypes).length === 0
  ) {
    throw new PolicyError(`policy "${input.name}": doctypes must list at least one doctype.`)
  }
  const doctypes: Record<string, DoctypePolicy> = {}
  for (const [doctype, dp] of Object.entries(input.doctypes)) {
    if (typeof dp !== 'object' || dp === null || typeof dp.fields !== 'object' || dp.fields === null) {
      throw new PolicyError(`policy "${input.name}": ${doctype}.fields must be an object of field → rule.`, {
        doctype,
      })
    }
    const fields: Record<string, NormalizedRule> = {}
    for (const [field, rule] of Object.entries(dp.fields)) fields[field] = normalizeRule(rule, doctype, field)
    const otherFields = normalizeRule(dp.otherFields ?? 'drop', doctype, '*')
    if (otherFields.strategy === 'table') {
      throw new PolicyError(`${doctype}: otherFields cannot be a table rule.`, { doctype })
    }
    if (
      dp.subjectField !== undefined &&
      (typeof dp.subjectField !== 'string' || dp.subjectField.length === 0)
    ) {
      throw new PolicyError(`${doctype}: subjectField must be a field name.`, { doctype })
    }
    const directory = dp.directoryFields ?? []
    if (!Array.isArray(directory) || directory.some((f) => typeof f !== 'string')) {
      throw new PolicyError(`${doctype}: directoryFields must be an array of field names.`, { doctype })
    }
    doctypes[doctype] = Object.freeze({
      fields: Object.freeze(fields),
      otherFields,
      subjectField: dp.subjectField,
      directoryFields: new Set(directory),
    })
  }
  for (const [doctype, dp] of Object.entries(doctypes)) {
    for (const [field, rule] of Object.entries(dp.fields)) {
      if (rule.strategy === 'table' && doctypes[rule.doctype] === undefined) {
        throw new PolicyError(
          `${doctype}.${field}: the table rule names doctype "${rule.doctype}", which the policy does not define.`,
          { doctype, field },
        )
      }
    }
  }
  return Object.freeze({
    name: input.name,
    purpose: input.purpose,
    ai: input.ai ?? true,
    doctypes: Object.freeze(doctypes),
  })
}

// ---------------------------------------------------------------------------------------------------
// Default education policies from the field classification
// ---------------------------------------------------------------------------------------------------

/** The class of a field, as published by `@edusync/doctype-schemas`. */
export type FieldClass = 'direct_pii' | 'directory' | 'education_record' | 'personal' | 'none'

/** `{ [doctype]: { [field]: class } }`, passed in as data (this package does not depend on doctype-schemas). */
export type FieldClassification = Readonly<Record<string, Readonly<Record<string, FieldClass>>>>

/** The purpose variants with built-in defaults. */
export type EducationPurpose = 'education' | 'analytics' | 'tutoring_chat' | 'reporting'

/** Options of {@link defaultEducationPolicy} and the purpose variants. */
export interface EducationPolicyOptions {
  /** The student-id field per doctype. @default `name` for `Student`, else `student` when classified */
  readonly subjectFields?: Readonly<Record<string, string>>
  /** Link fields (besides `name`) that hold a person's id and are pseudonymised. @default ['student', 'guardian', 'instructor', 'parent'] */
  readonly identifierFields?: readonly string[]
  /** Child tables: `{ Student: { guardians: 'Student Guardian' } }`. Unlisted tables are dropped. @default {} */
  readonly childTables?: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** Per-field overrides applied last: `{ Student: { gender: 'drop' } }`. @default {} */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, FieldRule>>>>
  /** Policy name. @default `default-<purpose>` */
  readonly name?: string
}

const CLASSES: readonly FieldClass[] = ['direct_pii', 'directory', 'education_record', 'personal', 'none']
const isDob = (f: string) => /(^|_)(date_of_birth|birth_date|dob)$/.test(f)
const isEmail = (f: string) => /email/.test(f)
const isPhone = (f: string) => /(mobile|phone|alternate_number)/.test(f)
const isPersonName = (f: string) =>
  /(^|_)(first_name|middle_name|last_name|student_name|guardian_name|full_name)$/.test(f)
const isAddressLine = (f: string) => /address/.test(f)
const isPostcode = (f: string) => /(pincode|postcode|postal_code|zip)/.test(f)
const isDate = (f: string) => /(^|_)date($|_)/.test(f)

function ruleFor(purpose: EducationPurpose, cls: FieldClass, field: string): FieldRule {
  if (cls === 'education_record' || cls === 'none') return 'keep'
  // Staff personal data is not needed by any student-facing purpose.
  if (cls === 'personal') return 'drop'
  if (cls === 'directory') {
    if (purpose === 'analytics' && isDate(field)) return { strategy: 'generalise', to: 'month' }
    return 'keep'
  }
  // direct_pii
  if (isDob(field)) return { strategy: 'generalise', to: 'year' }
  if (purpose !== 'reporting') return 'drop'
  if (isEmail(field)) return { strategy: 'mask', style: 'email' }
  if (isPhone(field)) return { strategy: 'mask', style: 'phone' }
  if (isPersonName(field)) return { strategy: 'mask', style: 'text' }
  if (isAddressLine(field)) return { strategy: 'generalise', to: 'city' }
  if (isPostcode(field)) return { strategy: 'generalise', to: 'postcode_prefix', digits: 3 }
  return 'drop'
}

function checkClassification(classification: FieldClassification): void {
  if (typeof classification !== 'object' || classification === null) {
    throw new PolicyError('the field classification must be an object { [doctype]: { [field]: class } }.')
  }
  for (const [doctype, fields] of Object.entries(classification)) {
    if (typeof fields !== 'object' || fields === null) {
      throw new PolicyError(`classification of ${doctype} must be an object of field → class.`, { doctype })
    }
    for (const [field, cls] of Object.entries(fields)) {
      if (!CLASSES.includes(cls)) {
        throw new PolicyError(
          `classification of ${doctype}.${field} is ${JSON.stringify(cls)}; use one of ${CLASSES.join(', ')}.`,
          { doctype, field },
        )
      }
    }
  }
}

/**
 * Build a purpose policy from a field classification. Identifier fields (`name`, and links such as
 * `student`) are pseudonymised; `direct_pii` is dropped (dates of birth become the birth year; the
 * `reporting` variant masks e-mail, phone and names and reduces address lines to the city);
 * `directory` fields are kept (dates reduced to the month for `analytics`) but withheld, like every
 * readable `direct_pii` transform, for students who opted out; `education_record` and `none` are kept;
 * `personal` (staff data) is dropped. Unclassified fields are dropped. Child tables are dropped unless
 * `options.childTables` maps them to a classified child doctype.
 */
export function educationPolicy(
  classification: FieldClassification,
  purpose: EducationPurpose,
  options: EducationPolicyOptions = {},
): Policy {
  checkClassification(classification)
  const identifiers = new Set(options.identifierFields ?? ['student', 'guardian', 'instructor', 'parent'])
  const doctypes: Record<string, DoctypePolicyInput> = {}
  for (const [doctype, classes] of Object.entries(classification)) {
    const fields: Record<string, FieldRule> = { name: 'pseudonymise' }
    const directoryFields: string[] = []
    for (const [field, cls] of Object.entries(classes)) {
      if (cls === 'directory' || cls === 'direct_pii') directoryFields.push(field)
      fields[field] =
        identifiers.has(field) || field === 'name' ? 'pseudonymise' : ruleFor(purpose, cls, field)
    }
    for (const [field, child] of Object.entries(options.childTables?.[doctype] ?? {})) {
      fields[field] = classification[child] === undefined ? 'drop' : { strategy: 'table', doctype: child }
    }
    Object.assign(fields, options.overrides?.[doctype] ?? {})
    const subjectField =
      options.subjectFields?.[doctype] ??
      (doctype === 'Student' ? 'name' : classes['student'] !== undefined ? 'student' : undefined)
    doctypes[doctype] = {
      fields,
      otherFields: 'drop',
      directoryFields,
      ...(subjectField === undefined ? {} : { subjectField }),
    }
  }
  return definePolicy({ name: options.name ?? `default-${purpose}`, purpose, ai: true, doctypes })
}

/**
 * The default education policy (purpose `education`): see {@link educationPolicy}.
 *
 * @example
 * ```ts
 * import { classification } from '@edusync/doctype-schemas'
 * const policy = defaultEducationPolicy(classification)
 * ```
 */
export function defaultEducationPolicy(
  classification: FieldClassification,
  options?: EducationPolicyOptions,
): Policy {
  return educationPolicy(classification, 'education', options)
}

/** Analytics variant: like the default, and directory dates are reduced to the month. */
export function analyticsPolicy(
  classification: FieldClassification,
  options?: EducationPolicyOptions,
): Policy {
  return educationPolicy(classification, 'analytics', options)
}

/** Tutoring-chat variant: no direct identifiers; birth year kept for age-appropriate content. */
export function tutoringChatPolicy(
  classification: FieldClassification,
  options?: EducationPolicyOptions,
): Policy {
  return educationPolicy(classification, 'tutoring_chat', options)
}

/** Reporting variant: e-mail, phone and names masked, address lines reduced to the city. */
export function reportingPolicy(
  classification: FieldClassification,
  options?: EducationPolicyOptions,
): Policy {
  return educationPolicy(classification, 'reporting', options)
}

/**
 * The at-rest policy for {@link PrivacyToolkit.encryptFields}: every `direct_pii` field is encrypted,
 * everything else kept as is. Purpose `storage`, not an AI purpose.
 */
export function atRestPolicy(
  classification: FieldClassification,
  options?: { readonly name?: string },
): Policy {
  checkClassification(classification)
  const doctypes: Record<string, DoctypePolicyInput> = {}
  for (const [doctype, classes] of Object.entries(classification)) {
    const fields: Record<string, FieldRule> = {}
    for (const [field, cls] of Object.entries(classes))
      fields[field] = cls === 'direct_pii' ? 'encrypt' : 'keep'
    doctypes[doctype] = { fields, otherFields: 'keep' }
  }
  return definePolicy({ name: options?.name ?? 'at-rest', purpose: 'storage', ai: false, doctypes })
}
