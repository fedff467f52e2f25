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
 * The engine's fallback when no `rules` are configured, following the architecture's defaults for the
 * fields the engine writes: `ai_*` fields are owned by the AI layer (`ai_wins`), anything else goes to
 * manual review. Use `@edusync/conflict-rules` for the full default rule set.
 */
export const defaultConflictResolver: ConflictResolverPort = {
  resolve(question: ConflictQuestion): ConflictAnswer {
    const write: Record<string, unknown> = {}
    const review: string[] = []
    for (const field of question.fields) {
      if (field.startsWith('ai_')) write[field] = question.ours[field]
      else review.push(field)
    }
    return { write, review }
  },
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
