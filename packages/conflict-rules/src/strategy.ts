/**
 * Strategies: pure, synchronous functions that settle one true conflict (a field both sides changed).
 *
 * @module
 */

import { StrategyError } from './errors.js'
import { canonicalDatetimeString, type FieldType } from './values.js'

/**
 * Who a decision favours. `ours` is the AI layer's value, `theirs` is ERPNext's, `merged` is a new
 * value built from both, `review` leaves the field for a person (ERPNext's value stays in place).
 */
export type Winner = 'ours' | 'theirs' | 'merged' | 'review'

/** What a strategy returns. `reason` is a short value-free phrase used in explanations. */
export type StrategyOutcome =
  | { readonly winner: 'ours' | 'theirs' | 'review'; readonly reason?: string }
  | { readonly winner: 'merged'; readonly value: unknown; readonly reason?: string }

/**
 * Everything a strategy may look at. For fields, `base`/`ours`/`theirs` are normalised: JSON fields
 * parsed, numbers as numbers, Check as 0/1, times as `HH:MM:SS.ffffff`, empty values as `null`
 * (`raw` holds the values as received). For rows (`kind: 'row'`, a row added, removed or changed on
 * one side while the other removed it or, on first sync, never had it) they are the row objects, or
 * `undefined` where the row is absent.
 */
export interface ConflictContext {
  /** The document's doctype, e.g. `Student`. */
  readonly doctype: string
  /** The document's `name`, when known. */
  readonly docname: string | undefined
  /** The concrete path, e.g. `ai_learning_profile`, `guardians[]`, `guardians[].relation`. */
  readonly path: string
  /** `field` for a value, `row` for a whole child row. */
  readonly kind: 'field' | 'row'
  /** The field name (the table field for rows, the child field for child-table fields). */
  readonly field: string
  /** The table field when the path is inside a child table. */
  readonly table: string | undefined
  /** The child row's `name` when the path is inside a child table. */
  readonly rowName: string | undefined
  /** False on first sync (no base snapshot) or for a row the base did not have. */
  readonly hasBase: boolean
  /** The last-synced value (normalised). `null`/`undefined` when absent. */
  readonly base: unknown
  /** The AI layer's value (normalised). */
  readonly ours: unknown
  /** ERPNext's value (normalised). */
  readonly theirs: unknown
  /** The three values exactly as received. */
  readonly raw: { readonly base: unknown; readonly ours: unknown; readonly theirs: unknown }
  /** The declared fieldtype, when the caller declared one. */
  readonly fieldType: FieldType | undefined
  /** The documents' modification times (`modified`, as sent), for time-based strategies. */
  readonly modified: { readonly ours: string | undefined; readonly theirs: string | undefined }
  /** The `now` given to `resolve()`, in epoch milliseconds. */
  readonly now: number
  /** The id of the rule that chose this strategy. */
  readonly rule: string
}

/** A named conflict strategy. Build one with {@link defineStrategy} or {@link custom}. */
export interface Strategy<Name extends string = string> {
  /** Stable name used in rules, decisions and the audit log, e.g. `erpnext_wins`. */
  readonly name: Name
  /** One sentence for documentation and explanations. */
  readonly description: string
  /**
   * Whether swapping `ours` and `theirs` swaps the winner and yields the same merged value. The
   * conformance suite checks it when true.
   */
  readonly symmetric: boolean
  /** Settle one conflict. Must be pure and synchronous, and must not mutate its input. */
  resolve(context: ConflictContext): StrategyOutcome
}

/** The input of {@link defineStrategy}. */
export interface StrategyDefinition<Name extends string = string> {
  /** Lower-case name: letters, digits, `_`, `.`, `:` or `-`, starting with a letter. */
  readonly name: Name
  /** Settle one conflict; pure and synchronous. */
  readonly resolve: (context: ConflictContext) => StrategyOutcome
  /**
   * One sentence describing the strategy.
   * @default `Custom strategy "<name>".`
   */
  readonly description?: string
  /**
   * Set when the strategy treats both sides alike (see {@link Strategy.symmetric}).
   * @default false
   */
  readonly symmetric?: boolean
}

const NAME_RE = /^[a-z][a-z0-9_.:-]*$/
/** Names the engine uses for its own decisions; strategies may not take them. */
export const RESERVED_STRATEGY_NAMES: ReadonlySet<string> = new Set(['no_conflict', 'type_check'])

/**
 * Define a strategy. Validates the definition once and returns a frozen strategy.
 *
 * @example
 * const preferLonger = defineStrategy({
 *   name: 'prefer_longer_text',
 *   symmetric: false,
 *   resolve: ({ ours, theirs }) =>
 *     String(ours ?? '').length > String(theirs ?? '').length ? { winner: 'ours' } : { winner: 'theirs' },
 * })
 */
export function defineStrategy<const Name extends string>(
  definition: StrategyDefinition<Name>,
): Strategy<Name> {
  if (typeof definition !== 'object' || definition === null) {
    throw new TypeError('[@edusync/conflict-rules] defineStrategy(): expected an object { name, resolve }.')
  }
  const { name, resolve, description, symmetric } = definition
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new TypeError(
      `[@edusync/conflict-rules] defineStrategy(): "name" must be a lower-case identifier such as "prefer_longer_text" (letters, digits, _ . : -); got ${JSON.stringify(name)}.`,
    )
  }
  if (RESERVED_STRATEGY_NAMES.has(name)) {
    throw new RangeError(
      `[@edusync/conflict-rules] defineStrategy(): "name" "${name}" is reserved; choose another.`,
    )
  }
  if (typeof resolve !== 'function') {
    throw new TypeError(`[@edusync/conflict-rules] defineStrategy("${name}"): "resolve" must be a function.`)
  }
  if (description !== undefined && typeof description !== 'string') {
    throw new TypeError(
      `[@edusync/conflict-rules] defineStrategy("${name}"): "description" must be a string.`,
    )
  }
  if (symmetric !== undefined && typeof symmetric !== 'boolean') {
    throw new TypeError(`[@edusync/conflict-rules] defineStrategy("${name}"): "symmetric" must be a boolean.`)
  }
  return Object.freeze({
    name,
    description: description ?? `Custom strategy "${name}".`,
    symmetric: symmetric ?? false,
    resolve,
  })
}

/**
 * Shorthand for {@link defineStrategy} when all you have is a function.
 *
 * @example
 * const keepEarliestDate = custom('keep_earliest_date', ({ ours, theirs }) =>
 *   String(ours) < String(theirs) ? { winner: 'ours' } : { winner: 'theirs' },
 * { symmetric: true })
 */
export function custom<const Name extends string>(
  name: Name,
  resolve: (context: ConflictContext) => StrategyOutcome,
  options?: { readonly description?: string; readonly symmetric?: boolean },
): Strategy<Name> {
  return defineStrategy({ name, resolve, ...options })
}

/** ERPNext's value wins (the system of record for the field). */
export const erpnextWins: Strategy<'erpnext_wins'> = defineStrategy({
  name: 'erpnext_wins',
  description: "ERPNext's value wins.",
  resolve: () => ({ winner: 'theirs', reason: 'ERPNext is the system of record for this field' }),
})

/** The AI layer's value wins (the AI layer owns the field). */
export const aiWins: Strategy<'ai_wins'> = defineStrategy({
  name: 'ai_wins',
  description: "The AI layer's value wins.",
  resolve: () => ({ winner: 'ours', reason: 'the AI layer owns this field' }),
})

/** Nobody wins: the field goes to the review queue with both values and the base. */
export const manualReview: Strategy<'manual_review'> = defineStrategy({
  name: 'manual_review',
  description: 'A person decides; both values and the base go to the review queue.',
  symmetric: true,
  resolve: () => ({ winner: 'review', reason: 'no rule may decide this field automatically' }),
})

function stamp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  return canonicalDatetimeString(value) ?? value
}

/**
 * The side whose document was modified last (its `modified` timestamp, compared as ERPNext datetimes)
 * wins. A side without a timestamp counts as older. Ties go to ERPNext, deterministically.
 */
export const lastWriterWins: Strategy<'last_writer_wins'> = defineStrategy({
  name: 'last_writer_wins',
  description: 'The side modified last wins; ties go to ERPNext.',
  resolve: ({ modified }) => {
    const ours = stamp(modified.ours)
    const theirs = stamp(modified.theirs)
    if (ours !== undefined && (theirs === undefined || ours > theirs)) {
      return { winner: 'ours', reason: 'the AI layer modified the document last' }
    }
    if (theirs !== undefined && ours !== undefined && theirs === ours) {
      return { winner: 'theirs', reason: 'both sides have the same modification time; ties go to ERPNext' }
    }
    return {
      winner: 'theirs',
      reason:
        theirs === undefined
          ? 'neither side has a modification time; ties go to ERPNext'
          : 'ERPNext modified the document last',
    }
  },
})

const WINNERS: ReadonlySet<string> = new Set(['ours', 'theirs', 'merged', 'review'])

/** Run a strategy and check what it returned. */
export function runStrategy(strategy: Strategy, context: ConflictContext): StrategyOutcome {
  let outcome: unknown
  try {
    outcome = strategy.resolve(context)
  } catch (error) {
    throw new StrategyError(strategy.name, context.path, 'it threw', { cause: error })
  }
  if (typeof outcome !== 'object' || outcome === null) {
    throw new StrategyError(
      strategy.name,
      context.path,
      `it returned ${outcome === null ? 'null' : typeof outcome}`,
    )
  }
  if (typeof (outcome as { then?: unknown }).then === 'function') {
    throw new StrategyError(
      strategy.name,
      context.path,
      'it returned a promise (strategies must be synchronous)',
    )
  }
  const { winner, reason } = outcome as { winner?: unknown; reason?: unknown }
  if (typeof winner !== 'string' || !WINNERS.has(winner)) {
    throw new StrategyError(strategy.name, context.path, `"winner" was ${JSON.stringify(winner)}`)
  }
  if (winner === 'merged' && !('value' in outcome)) {
    throw new StrategyError(strategy.name, context.path, 'winner "merged" needs a "value"')
  }
  if (reason !== undefined && typeof reason !== 'string') {
    throw new StrategyError(strategy.name, context.path, '"reason" must be a string')
  }
  return outcome as StrategyOutcome
}
