import { type RuleSet, defaultEducationRules, isRuleSet, resolve } from '@edusync/conflict-rules'
import type { ConflictAnswer, ConflictQuestion, ConflictResolverPort, ErpDoc } from './ports.js'
import { canonicalJson } from './util.js'

/**
 * Compare two field values as ERPNext means them: a JSON field is a string of JSON text whose formatting
 * (Python's `", "` separators, key order) is not part of the value.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(normalise(a)) === canonicalJson(normalise(b))
}

function normalise(value: unknown): unknown {
  if (value === undefined || value === '') return null
  if (typeof value === 'string') {
    const t = value.trimStart()
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return JSON.parse(value)
      } catch {
        return value
      }
    }
  }
  return value
}

/**
 * A {@link ConflictResolverPort} backed by `@edusync/conflict-rules`: each conflicting field is decided by
 * the rule set (`erpnext_wins`, `ai_wins`, `merge`, `manual_review`, custom strategies).
 *
 * @param rules - The rule set. @default defaultEducationRules (the design's defaults)
 * @example
 * ```ts
 * import { defineRules, aiWins } from '@edusync/conflict-rules'
 * createSyncEngine({ ..., rules: conflictRulesResolver(defineRules([{ field: 'ai_*', strategy: aiWins }])) })
 * ```
 */
export function conflictRulesResolver(rules: RuleSet = defaultEducationRules): ConflictResolverPort {
  if (!isRuleSet(rules))
    throw new TypeError(
      '[@edusync/sync-core] conflictRulesResolver(): "rules" must be a rule set from defineRules().',
    )
  return {
    resolve(question: ConflictQuestion): ConflictAnswer {
      const ours: Record<string, unknown> = {}
      for (const field of question.fields) ours[field] = question.ours[field]
      const resolution = resolve({
        base: question.base,
        ours,
        theirs: question.theirs,
        doctype: question.doctype,
        rules,
        fields: question.fields,
      })
      return {
        write: resolution.writeToErpnext,
        review: [...new Set(resolution.review.map((r) => r.field))],
      }
    },
  }
}

/** Outcome of a three-way merge of the AI layer's values into ERPNext's current document. */
export interface ThreeWayOutcome {
  /** Values to write (each differs from ERPNext's current value). */
  readonly write: Record<string, unknown>
  /** Fields both sides changed, sent to the resolver. */
  readonly conflicts: readonly string[]
  /** Fields the resolver sent to manual review. */
  readonly review: readonly string[]
}

/**
 * Three-way merge of `ours` (the AI layer's values, computed against `base`) into `theirs` (ERPNext now).
 * A field changed on one side only is never a conflict; a field both sides changed is asked of the resolver.
 */
export async function threeWay(
  resolver: ConflictResolverPort,
  doctype: string,
  name: string,
  base: Readonly<ErpDoc>,
  ours: Readonly<ErpDoc>,
  theirs: Readonly<ErpDoc>,
): Promise<ThreeWayOutcome> {
  const write: Record<string, unknown> = {}
  const conflicts: string[] = []
  for (const field of Object.keys(ours)) {
    const o = ours[field]
    const t = theirs[field]
    if (sameValue(o, t)) continue
    if (sameValue(t, base[field])) write[field] = o
    else if (sameValue(o, base[field])) continue
    else conflicts.push(field)
  }
  let review: readonly string[] = []
  if (conflicts.length > 0) {
    const answer = await resolver.resolve({ doctype, name, fields: conflicts, base, ours, theirs })
    for (const [field, value] of Object.entries(answer.write)) {
      if (conflicts.includes(field) && !sameValue(value, theirs[field])) write[field] = value
    }
    review = answer.review.filter((f) => conflicts.includes(f))
  }
  return { write, conflicts, review }
}
