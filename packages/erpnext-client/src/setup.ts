import { aiCustomDocTypes, aiCustomFields } from '@edusync/doctype-schemas'
import { isNotFoundError } from './errors.js'
import type { CallOptions } from './resource.js'
import type { Transport } from './transport.js'
import type { AnyDoc } from './types.js'

/** A Custom Field to install (the shape of `aiCustomFields` in `@edusync/doctype-schemas`). */
export interface CustomFieldSpec {
  /** The doctype the field is added to. */
  readonly dt: string
  /** Explicit fieldname (so Frappe adds no `custom_` prefix). */
  readonly fieldname: string
  /** Frappe fieldtype, e.g. `JSON`. Changing it later is destructive. */
  readonly fieldtype: string
  /** Form label. */
  readonly label?: string
  /** Link/Table target or Select options. */
  readonly options?: string
  /** The field this one follows on the form. */
  readonly insert_after?: string
  /** Help text. */
  readonly description?: string
  /** Editable after submit (needed on submittable doctypes). */
  readonly allow_on_submit?: 0 | 1
  /** Mandatory. Turning it on later is destructive. */
  readonly reqd?: 0 | 1
  /** Unique. Turning it on later is destructive. */
  readonly unique?: 0 | 1
  /** Read-only in the form. */
  readonly read_only?: 0 | 1
}

/** One field of a custom DocType to install. */
export interface CustomDocFieldSpec {
  /** Column name. */
  readonly fieldname: string
  /** Frappe fieldtype. */
  readonly fieldtype: string
  /** Form label. */
  readonly label?: string
  /** Link/Table target or Select options. */
  readonly options?: string
  /** Mandatory. */
  readonly reqd?: 0 | 1
  /** Unique. */
  readonly unique?: 0 | 1
}

/** A custom DocType to install (the shape of `aiCustomDocTypes` in `@edusync/doctype-schemas`). */
export interface CustomDocTypeSpec {
  /** DocType name. */
  readonly name: string
  /** Module Def it belongs to (must exist on the site). */
  readonly module: string
  /** Its fields; other keys (permissions, autoname, …) are posted as given. */
  readonly fields: readonly CustomDocFieldSpec[]
}

/** What to install. Defaults to the AI custom fields and doctypes of `@edusync/doctype-schemas`. */
export interface CustomizationSpec {
  /** Custom Fields to add to existing doctypes. */
  readonly customFields?: readonly CustomFieldSpec[]
  /** Custom DocTypes to create (installed before the fields, which may link to them). */
  readonly customDocTypes?: readonly CustomDocTypeSpec[]
}

/** Options of `ensureCustomizations`. */
export interface EnsureOptions extends CallOptions {
  /** Apply changes that can lose data or break documents (fieldtype/target changes, new `reqd`/`unique`). @default false */
  readonly allowDestructive?: boolean
  /** Report what would happen without writing. @default false */
  readonly dryRun?: boolean
}

/** One item of the report. */
export interface CustomizationItem {
  /** `Custom Field` or `DocType`. */
  readonly kind: 'Custom Field' | 'DocType'
  /** `Student-ai_learning_profile`, or the DocType name. */
  readonly name: string
  /** What differs, e.g. `label: "A" → "B"`. */
  readonly changes: readonly string[]
}

/** What `ensureCustomizations` did. Running it again on an up-to-date site reports everything unchanged. */
export interface CustomizationReport {
  /** Installed now. */
  readonly created: readonly CustomizationItem[]
  /** Updated now (safe changes, or destructive ones with `allowDestructive`). */
  readonly changed: readonly CustomizationItem[]
  /** Already as specified. */
  readonly unchanged: readonly CustomizationItem[]
  /** Destructive changes that were needed but not applied (pass `allowDestructive: true`). */
  readonly refused: readonly CustomizationItem[]
  /** Whether this was a dry run (nothing written). */
  readonly dryRun: boolean
}

const FIELD_KEYS = [
  'fieldtype',
  'options',
  'label',
  'description',
  'insert_after',
  'allow_on_submit',
  'reqd',
  'unique',
  'read_only',
] as const

function norm(value: unknown): string {
  if (value === undefined || value === null) return ''
  return String(value)
}

/** Which differences are destructive: type/target changes and tightening reqd/unique. */
function classify(key: string, from: unknown, to: unknown, fieldtype: string): 'destructive' | 'safe' {
  if (key === 'fieldtype') return 'destructive'
  if (key === 'options' && /^(Link|Table|Table MultiSelect|Select|Dynamic Link)$/.test(fieldtype))
    return 'destructive'
  if ((key === 'reqd' || key === 'unique') && norm(to) === '1' && norm(from) !== '1') return 'destructive'
  return 'safe'
}

/** @internal Install custom fields and doctypes idempotently. */
export async function ensureCustomizations(
  transport: Transport,
  spec: CustomizationSpec = { customFields: aiCustomFields, customDocTypes: aiCustomDocTypes },
  options: EnsureOptions = {},
): Promise<CustomizationReport> {
  if (typeof spec !== 'object' || spec === null) {
    throw new TypeError(
      '[@edusync/erpnext-client] ensureCustomizations(spec): expected { customFields?, customDocTypes? }.',
    )
  }
  const report = {
    created: [] as CustomizationItem[],
    changed: [] as CustomizationItem[],
    unchanged: [] as CustomizationItem[],
    refused: [] as CustomizationItem[],
  }
  const dryRun = options.dryRun === true
  const signal = options.signal

  // Custom DocTypes first: custom fields may point at them.
  for (const dt of spec.customDocTypes ?? []) {
    if (typeof dt?.name !== 'string' || !Array.isArray(dt.fields)) {
      throw new TypeError(
        '[@edusync/erpnext-client] ensureCustomizations(): every custom DocType needs `name` and `fields`.',
      )
    }
    const path = `/api/resource/DocType/${encodeURIComponent(dt.name)}`
    let existing: AnyDoc | undefined
    try {
      const { body } = await transport.request({
        method: 'GET',
        path,
        idempotent: true,
        doctype: 'DocType',
        docname: dt.name,
        signal,
      })
      existing = (body as { data?: AnyDoc }).data
    } catch (error) {
      if (!isNotFoundError(error)) throw error
    }
    if (!existing) {
      if (!dryRun) {
        const { doctype: _ignored, ...doc } = dt as unknown as Record<string, unknown>
        await transport.request({
          method: 'POST',
          path: '/api/resource/DocType',
          json: { custom: 1, ...doc },
          idempotent: false,
          doctype: 'DocType',
          signal,
        })
      }
      report.created.push({ kind: 'DocType', name: dt.name, changes: [] })
      continue
    }
    const liveFields = (Array.isArray(existing.fields) ? existing.fields : []) as Record<string, unknown>[]
    const byName = new Map(liveFields.map((f) => [String(f.fieldname), f]))
    const changes: string[] = []
    const destructive: string[] = []
    const nextFields: Record<string, unknown>[] = liveFields.map((f) => ({ ...f }))
    for (const want of dt.fields) {
      const have = byName.get(want.fieldname)
      if (!have) {
        changes.push(`add field ${want.fieldname} (${want.fieldtype})`)
        nextFields.push({ ...want })
        continue
      }
      for (const key of ['fieldtype', 'options', 'reqd', 'unique', 'label'] as const) {
        if (want[key] === undefined || norm(want[key]) === norm(have[key])) continue
        const line = `${want.fieldname}.${key}: ${JSON.stringify(norm(have[key]))} → ${JSON.stringify(norm(want[key]))}`
        if (classify(key, have[key], want[key], want.fieldtype) === 'destructive') destructive.push(line)
        else changes.push(line)
        const row = nextFields.find((f) => f.fieldname === want.fieldname)
        if (row) row[key] = want[key]
      }
    }
    if (destructive.length > 0 && !options.allowDestructive) {
      report.refused.push({ kind: 'DocType', name: dt.name, changes: destructive })
      continue
    }
    const all = [...changes, ...destructive]
    if (all.length === 0) {
      report.unchanged.push({ kind: 'DocType', name: dt.name, changes: [] })
      continue
    }
    if (!dryRun) {
      await transport.request({
        method: 'PUT',
        path,
        json: { fields: nextFields, modified: existing.modified },
        idempotent: false,
        doctype: 'DocType',
        docname: dt.name,
        signal,
      })
    }
    report.changed.push({ kind: 'DocType', name: dt.name, changes: all })
  }

  const fields = spec.customFields ?? []
  if (fields.length > 0) {
    for (const f of fields) {
      if (typeof f?.dt !== 'string' || typeof f.fieldname !== 'string' || typeof f.fieldtype !== 'string') {
        throw new TypeError(
          '[@edusync/erpnext-client] ensureCustomizations(): every custom field needs `dt`, `fieldname` and `fieldtype`.',
        )
      }
    }
    const dts = [...new Set(fields.map((f) => f.dt))]
    const { body } = await transport.request({
      method: 'GET',
      path: '/api/resource/Custom%20Field',
      query: {
        fields: JSON.stringify(['name', 'dt', 'fieldname', 'modified', ...FIELD_KEYS]),
        filters: JSON.stringify([['dt', 'in', dts]]),
        limit_page_length: 0,
        order_by: 'name asc',
      },
      idempotent: true,
      doctype: 'Custom Field',
      signal,
    })
    const live = new Map<string, AnyDoc>()
    for (const row of ((body as { data?: AnyDoc[] }).data ?? []) as AnyDoc[])
      live.set(`${String(row.dt)}-${String(row.fieldname)}`, row)
    for (const want of fields) {
      const key = `${want.dt}-${want.fieldname}`
      const have = live.get(key)
      if (!have) {
        if (!dryRun) {
          const { doctype: _ignored, ...doc } = want as CustomFieldSpec & { doctype?: string }
          await transport.request({
            method: 'POST',
            path: '/api/resource/Custom%20Field',
            json: doc,
            idempotent: false,
            doctype: 'Custom Field',
            signal,
          })
        }
        report.created.push({ kind: 'Custom Field', name: key, changes: [] })
        continue
      }
      const patch: Record<string, unknown> = {}
      const safe: string[] = []
      const destructive: string[] = []
      for (const k of FIELD_KEYS) {
        const to = want[k]
        if (to === undefined || norm(to) === norm(have[k])) continue
        // Flags come back as 0/1; an absent flag in the spec means "leave it".
        const line = `${k}: ${JSON.stringify(norm(have[k]))} → ${JSON.stringify(norm(to))}`
        if (classify(k, have[k], to, want.fieldtype) === 'destructive') destructive.push(line)
        else safe.push(line)
        patch[k] = to
      }
      if (destructive.length > 0 && !options.allowDestructive) {
        report.refused.push({ kind: 'Custom Field', name: key, changes: destructive })
        continue
      }
      if (safe.length + destructive.length === 0) {
        report.unchanged.push({ kind: 'Custom Field', name: key, changes: [] })
        continue
      }
      if (!dryRun) {
        await transport.request({
          method: 'PUT',
          path: `/api/resource/Custom%20Field/${encodeURIComponent(String(have.name))}`,
          json: { ...patch, modified: have.modified },
          idempotent: false,
          doctype: 'Custom Field',
          docname: String(have.name),
          signal,
        })
      }
      report.changed.push({ kind: 'Custom Field', name: key, changes: [...safe, ...destructive] })
    }
  }
  return Object.freeze({ ...report, dryRun })
}
