/**
 * Error classes of `@edusync/conflict-rules`.
 *
 * Every failure is a subclass of {@link ConflictRulesError} with a literal `name`, a stable `code` and
 * (where there was one) the original error in `cause`. Messages name rules, strategies, doctypes and
 * field paths, never field values: documents carry student PII.
 *
 * @module
 */

const PREFIX = '[@edusync/conflict-rules]'
const BRAND = Symbol.for('@edusync/conflict-rules/error')

/** Stable machine-readable codes carried by every {@link ConflictRulesError}. */
export type ConflictRulesErrorCode =
  | 'INVALID_RULE'
  | 'INVALID_RULE_PATH'
  | 'UNKNOWN_STRATEGY'
  | 'AMBIGUOUS_RULES'
  | 'INVALID_DOCUMENT'
  | 'STRATEGY_FAILED'
  | 'CONFORMANCE_FAILED'

/** Options accepted by every error constructor. */
export interface ConflictRulesErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
}

/**
 * Base class of every error thrown by this package. Catch this to handle all of them; prefer the
 * realm-safe `isXError()` guards over `instanceof` when errors may cross bundles or realms.
 */
export class ConflictRulesError extends Error {
  override name: string = 'ConflictRulesError'
  /** Stable machine-readable code. */
  readonly code: ConflictRulesErrorCode

  constructor(code: ConflictRulesErrorCode, message: string, options?: ConflictRulesErrorOptions) {
    super(`${PREFIX} ${message}`, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/** A rule is malformed: missing field pattern, bad doctype, or a strategy that is neither a name nor a strategy. */
export class InvalidRuleError extends ConflictRulesError {
  override name = 'InvalidRuleError' as const
  /** The id of the offending rule (`doctype:field` unless the rule names itself). */
  readonly rule: string
  constructor(rule: string, message: string, options?: ConflictRulesErrorOptions) {
    super('INVALID_RULE', `rule "${rule}": ${message}`, options)
    this.rule = rule
  }
}

/** A rule's field path is not a valid pattern (`field`, `ai_*`, `table[]`, `table[].field`). */
export class InvalidRulePathError extends ConflictRulesError {
  override name = 'InvalidRulePathError' as const
  /** The id of the offending rule. */
  readonly rule: string
  /** The path pattern that could not be parsed. */
  readonly path: string
  constructor(rule: string, path: string, options?: ConflictRulesErrorOptions) {
    super(
      'INVALID_RULE_PATH',
      `rule "${rule}": field path "${path}" is malformed; use a field name or glob ("student_name", "ai_*"), a child-table row ("guardians[]") or a child-table field ("guardians[].relation").`,
      options,
    )
    this.rule = rule
    this.path = path
  }
}

/** A rule names a strategy that is neither built in nor registered with the rule set. */
export class UnknownStrategyError extends ConflictRulesError {
  override name = 'UnknownStrategyError' as const
  /** The id of the offending rule. */
  readonly rule: string
  /** The strategy name that was not found. */
  readonly strategy: string
  constructor(rule: string, strategy: string, known: readonly string[], options?: ConflictRulesErrorOptions) {
    super(
      'UNKNOWN_STRATEGY',
      `rule "${rule}" uses strategy "${strategy}", which is not registered; register it with defineRules(rules, { strategies: [...] }) or use one of: ${known.join(', ')}.`,
      options,
    )
    this.rule = rule
    this.strategy = strategy
  }
}

/** Two rules of the same layer are equally specific and can match the same field. */
export class AmbiguousRulesError extends ConflictRulesError {
  override name = 'AmbiguousRulesError' as const
  /** The ids of the two rules that tie. */
  readonly rules: readonly [string, string]
  constructor(first: string, second: string, options?: ConflictRulesErrorOptions) {
    super(
      'AMBIGUOUS_RULES',
      `rules "${first}" and "${second}" are equally specific and can match the same field; make one more specific (exact field name, exact doctype) or move one into a later layer with ruleSet.extend([...]).`,
      options,
    )
    this.rules = Object.freeze([first, second]) as readonly [string, string]
  }
}

/** `resolve()` was given something that is not a document (a plain object) where one was required. */
export class InvalidDocumentError extends ConflictRulesError {
  override name = 'InvalidDocumentError' as const
  /** Which input was wrong: `base`, `ours` or `theirs`. */
  readonly which: 'base' | 'ours' | 'theirs'
  constructor(which: 'base' | 'ours' | 'theirs', got: string, options?: ConflictRulesErrorOptions) {
    super(
      'INVALID_DOCUMENT',
      `resolve(): "${which}" must be a plain object (a document as ERPNext returns it)${which === 'base' ? ', or undefined on first sync' : ''}; got ${got}.`,
      options,
    )
    this.which = which
  }
}

/** A strategy threw, returned a promise, or returned something that is not a valid outcome. */
export class StrategyError extends ConflictRulesError {
  override name = 'StrategyError' as const
  /** The strategy's name. */
  readonly strategy: string
  /** The field path being resolved when it failed. */
  readonly path: string
  constructor(strategy: string, path: string, problem: string, options?: ConflictRulesErrorOptions) {
    super(
      'STRATEGY_FAILED',
      `strategy "${strategy}" failed on field "${path}": ${problem}. Strategies must be pure, synchronous functions returning { winner: 'ours' | 'theirs' | 'review' } or { winner: 'merged', value }.`,
      options,
    )
    this.strategy = strategy
    this.path = path
  }
}

/** A strategy failed a check of the conformance suite (`@edusync/conflict-rules/testing`). */
export class ConformanceError extends ConflictRulesError {
  override name = 'ConformanceError' as const
  /** The strategy's name. */
  readonly strategy: string
  /** The name of the failed check. */
  readonly check: string
  constructor(strategy: string, check: string, detail: string, options?: ConflictRulesErrorOptions) {
    super(
      'CONFORMANCE_FAILED',
      `strategy "${strategy}" failed conformance check "${check}": ${detail}`,
      options,
    )
    this.strategy = strategy
    this.check = check
  }
}

function branded(value: unknown): value is ConflictRulesError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

function guard<T extends ConflictRulesError>(name: string) {
  return (value: unknown): value is T => branded(value) && value.name === name
}

/** Realm-safe check for any error of this package. */
export const isConflictRulesError = (value: unknown): value is ConflictRulesError => branded(value)
/** Realm-safe check for {@link InvalidRuleError}. */
export const isInvalidRuleError = guard<InvalidRuleError>('InvalidRuleError')
/** Realm-safe check for {@link InvalidRulePathError}. */
export const isInvalidRulePathError = guard<InvalidRulePathError>('InvalidRulePathError')
/** Realm-safe check for {@link UnknownStrategyError}. */
export const isUnknownStrategyError = guard<UnknownStrategyError>('UnknownStrategyError')
/** Realm-safe check for {@link AmbiguousRulesError}. */
export const isAmbiguousRulesError = guard<AmbiguousRulesError>('AmbiguousRulesError')
/** Realm-safe check for {@link InvalidDocumentError}. */
export const isInvalidDocumentError = guard<InvalidDocumentError>('InvalidDocumentError')
/** Realm-safe check for {@link StrategyError}. */
export const isStrategyError = guard<StrategyError>('StrategyError')
/** Realm-safe check for {@link ConformanceError}. */
export const isConformanceError = guard<ConformanceError>('ConformanceError')
