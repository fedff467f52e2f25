import {
  aiCustomFields,
  aiDocTypes,
  getDocTypeMeta,
  isKnownDocType,
  parseDoc,
} from '@edusync/doctype-schemas'
import type { DocValidator } from './ports.js'
import type { DoctypeConfig } from './types.js'

/**
 * Engine configuration for Education doctypes, derived from `@edusync/doctype-schemas`: child tables
 * from the doctype's Table fields, validation with its read schema, the AI custom fields it owns, and
 * for the AI doctypes (Assessment Insight, AI Engagement Log) their `idempotency_key`.
 *
 * @param doctypes - Doctype names known to `@edusync/doctype-schemas`.
 * @param overrides - Per-doctype settings merged over the derived ones.
 * @example
 * ```ts
 * createSyncEngine({ ..., doctypes: educationDoctypes(['Student', 'Guardian', 'Program Enrollment', 'Assessment Insight']) })
 * ```
 */
export function educationDoctypes(
  doctypes: readonly string[],
  overrides: Readonly<Record<string, Partial<DoctypeConfig>>> = {},
): Record<string, DoctypeConfig> {
  if (!Array.isArray(doctypes) || doctypes.length === 0)
    throw new TypeError('[@edusync/sync-core] educationDoctypes(): pass a non-empty list of doctype names.')
  const out: Record<string, DoctypeConfig> = {}
  for (const name of doctypes) {
    if (!isKnownDocType(name))
      throw new RangeError(
        `[@edusync/sync-core] educationDoctypes(): "${name}" is not a doctype of @edusync/doctype-schemas; configure it by hand.`,
      )
    const meta = getDocTypeMeta(name)
    const children: Record<string, string> = {}
    for (const f of meta.fields)
      if ((f.fieldtype === 'Table' || f.fieldtype === 'Table MultiSelect') && f.options)
        children[f.fieldname] = f.options
    const isAi = (aiDocTypes as readonly string[]).includes(name)
    const aiFields = aiCustomFields.filter((f) => f.dt === name).map((f) => f.fieldname)
    const validate: DocValidator = (doc) => {
      const result = parseDoc(name as never, doc)
      return result.success
        ? { ok: true, value: doc }
        : { ok: false, issues: result.issues.map((i) => `${i.field || '(document)'}: ${i.code}`) }
    }
    out[name] = {
      children,
      validate,
      aiFields,
      ...(isAi ? { idempotencyField: 'idempotency_key' } : {}),
      ...overrides[name],
    }
  }
  return out
}
