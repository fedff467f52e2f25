/**
 * Explanations: one human sentence per decision, and value-free JSON for the audit log.
 *
 * @module
 */

import type { ChangedBy, Doc, FieldDecision, Resolution } from './resolve.js'
import type { Winner } from './strategy.js'

/** Where a decision was made, for the sentence. */
export interface ExplainContext {
  /** The doctype, e.g. `Student`. */
  readonly doctype?: string | undefined
  /** The document name, e.g. `EDU-STU-2024-00001`. */
  readonly docname?: string | undefined
}

/** A decision as written to the audit log: no field values, only what was decided and why. */
export interface AuditDecision {
  readonly doctype: string | null
  readonly docname: string | null
  readonly path: string
  readonly rowName: string | null
  readonly kind: 'field' | 'row'
  readonly rowChange: 'added' | 'removed' | 'modified' | 'reordered' | null
  readonly changedBy: ChangedBy
  readonly conflict: boolean
  readonly strategy: string
  readonly rule: string | null
  readonly winner: Winner
  readonly reason: string
  /** The same decision as one sentence. */
  readonly summary: string
}

/** A resolution as written to the audit log: decisions, review paths and written field names — no values. */
export interface AuditRecord {
  readonly doctype: string
  readonly docname: string | null
  readonly resolvedAt: string
  readonly status: Resolution['status']
  readonly decisions: readonly AuditDecision[]
  readonly review: readonly {
    readonly path: string
    readonly rowName: string | null
    readonly strategy: string
    readonly rule: string | null
    readonly reason: string
  }[]
  /** The names of the fields written to each side. */
  readonly writes: { readonly erpnext: readonly string[]; readonly ai: readonly string[] }
}

const SIDE = { ours: 'the AI layer', theirs: 'ERPNext' } as const

function where(decision: FieldDecision): string {
  if (decision.table === undefined) return decision.path
  if (decision.rowChange === 'reordered') return `${decision.table}[row order]`
  const row = decision.rowName === undefined ? 'new row' : `row ${decision.rowName}`
  return decision.kind === 'row' ? `${decision.table}[${row}]` : `${decision.table}[${row}].${decision.field}`
}

function what(decision: FieldDecision): string {
  const who = decision.changedBy === 'both' ? 'both sides' : SIDE[decision.changedBy]
  if (decision.rowChange === 'reordered') {
    return decision.changedBy === 'both'
      ? 'both sides reordered the rows differently'
      : `${who} reordered the rows`
  }
  if (decision.kind === 'row' && decision.changedBy !== 'both') {
    return `${who} ${decision.rowChange === 'removed' ? 'removed' : 'added'} the row`
  }
  if (decision.kind === 'row') {
    return decision.rowChange === 'added'
      ? 'the row exists on one side only (no base to tell an addition from a removal)'
      : 'one side changed the row and the other removed it'
  }
  return decision.changedBy === 'both' ? 'both sides changed it' : `only ${who} changed it`
}

function outcome(decision: FieldDecision): string {
  const thing = decision.rowChange === 'reordered' ? 'order' : decision.kind === 'row' ? 'row' : 'value'
  switch (decision.winner) {
    case 'ours':
      return `kept the AI layer's ${thing}`
    case 'theirs':
      return `kept ERPNext's ${thing}`
    case 'merged':
      return 'merged both values'
    default:
      return 'sent it to manual review'
  }
}

/**
 * One human sentence for a decision. Contains no field values.
 *
 * @example
 * explainDecision(decision, { doctype: 'Student', docname: 'EDU-STU-2024-00001' })
 * // 'Student EDU-STU-2024-00001, ai_learning_profile: both sides changed it; rule "ai-learning-profile"
 * //  (ai_wins) kept the AI layer's value — the AI layer owns this field.'
 */
export function explainDecision(decision: FieldDecision, context: ExplainContext = {}): string {
  const doc = [context.doctype, context.docname].filter((s) => s !== undefined && s !== '').join(' ')
  const by =
    decision.strategy === 'type_check'
      ? 'the type check '
      : decision.conflict
        ? `rule "${decision.rule ?? 'fallback'}" (${decision.strategy}) `
        : ''
  const why = decision.strategy === 'no_conflict' ? '' : ` — ${decision.reason}`
  return `${doc === '' ? '' : `${doc}, `}${where(decision)}: ${what(decision)}; ${by}${outcome(decision)}${why}.`
}

/** A decision as value-free JSON for the audit log. */
export function decisionToJSON(decision: FieldDecision, context: ExplainContext = {}): AuditDecision {
  return {
    doctype: context.doctype ?? null,
    docname: context.docname ?? null,
    path: decision.path,
    rowName: decision.rowName ?? null,
    kind: decision.kind,
    rowChange: decision.rowChange ?? null,
    changedBy: decision.changedBy,
    conflict: decision.conflict,
    strategy: decision.strategy,
    rule: decision.rule ?? null,
    winner: decision.winner,
    reason: decision.reason,
    summary: explainDecision(decision, context),
  }
}

/** Every decision of a resolution as a sentence, in order. */
export function explainResolution(resolution: Resolution<Doc>): string[] {
  const context = { doctype: resolution.doctype, docname: resolution.docname }
  return resolution.decisions.map((d) => explainDecision(d, context))
}

/**
 * A resolution as value-free JSON for the audit log (`sync_logs`): the decisions, the paths waiting for
 * review and the names of the fields written. Review values stay out; keep them in the review queue.
 */
export function resolutionToAudit(resolution: Resolution<Doc>): AuditRecord {
  const context = { doctype: resolution.doctype, docname: resolution.docname }
  return {
    doctype: resolution.doctype,
    docname: resolution.docname ?? null,
    resolvedAt: resolution.resolvedAt,
    status: resolution.status,
    decisions: resolution.decisions.map((d) => decisionToJSON(d, context)),
    review: resolution.review.map((r) => ({
      path: r.path,
      rowName: r.rowName ?? null,
      strategy: r.strategy,
      rule: r.rule ?? null,
      reason: r.reason,
    })),
    writes: { erpnext: Object.keys(resolution.writeToErpnext), ai: Object.keys(resolution.writeToAi) },
  }
}
