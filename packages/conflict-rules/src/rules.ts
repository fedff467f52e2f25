/**
 * Rule sets: which strategy settles a conflict on which doctype and field.
 *
 * @module
 */

import {
  AmbiguousRulesError,
  InvalidRuleError,
  InvalidRulePathError,
  UnknownStrategyError,
} from './errors.js'
import { merge } from './merge.js'
import { type ConcretePath, matchLevel, type PathPattern, parsePattern, patternsIntersect } from './paths.js'
import { aiWins, erpnextWins, lastWriterWins, manualReview, type Strategy } from './strategy.js'
import { isRecord } from './values.js'

/** A rule as written by a contributor or a user. */
export interface RuleInput {
  /**
   * A name for messages and the audit log.
   * @default `<doctype>:<field>` (e.g. `Student:ai_*`, `*:student_name`)
   */
  readonly id?: string
  /**
   * The doctype(s) the rule applies to; `'*'` or omitted means every doctype.
   * @default '*'
   */
  readonly doctype?: string | readonly string[]
  /**
   * The field path pattern: `student_name`, a glob `ai_*`, a child-table row `guardians[]` (rows added
   * or removed) or a child-table field `guardians[].relation`. A rule on a table field (`guardians`)
   * also covers its rows and their fields, less specifically than rules that name them.
   */
  readonly field: string
  /** A strategy, or the name of a built-in or registered one (`erpnext_wins`, `ai_wins`, `merge`, ...). */
  readonly strategy: string | Strategy
  /** Why the rule exists, for documentation. */
  readonly description?: string
}

/** A validated rule. */
export interface Rule {
  /** The rule's id. */
  readonly id: string
  /** The doctypes it applies to, or `undefined` for every doctype. */
  readonly doctypes: readonly string[] | undefined
  /** The field pattern as written. */
  readonly field: string
  /** The parsed field pattern. */
  readonly pattern: PathPattern
  /** The strategy it applies. */
  readonly strategy: Strategy
  /** The description as written. */
  readonly description: string | undefined
  /** The layer the rule was added in: 0 for `defineRules`, +1 for each `extend`. */
  readonly layer: number
}

/** Options of {@link defineRules} and {@link RuleSet.extend}. */
export interface RuleSetOptions {
  /**
   * Extra strategies that rules may name by string.
   * @default []
   */
  readonly strategies?: readonly Strategy[]
  /**
   * The strategy for fields no rule matches. `extend` keeps the current fallback unless given.
   * @default 'manual_review'
   */
  readonly fallback?: string | Strategy
}

/** The result of looking up the rule for a field. */
export interface RuleMatch {
  /** The matching rule, or `undefined` when the fallback applies. */
  readonly rule: Rule | undefined
  /** The strategy to use. */
  readonly strategy: Strategy
  /** The rule's id, or `fallback`. */
  readonly ruleId: string
}

/** An immutable, validated set of rules. Build it with {@link defineRules}. */
export interface RuleSet {
  /** Every rule, in definition order across layers. */
  readonly rules: readonly Rule[]
  /** The strategy used where no rule matches. */
  readonly fallback: Strategy
  /** The strategies rules may name by string (built-ins plus registered ones). */
  readonly strategies: ReadonlyMap<string, Strategy>
  /**
   * The rule that applies to `path` on `doctype`: the most specific match wins — a direct match over
   * one inherited from a table rule, an exact field over a glob, an exact doctype over `*`, more literal
   * characters over fewer, and at equal specificity the later layer.
   */
  match(doctype: string, path: string): RuleMatch
  /**
   * A new rule set with `rules` added as a new layer: they override rules of earlier layers that are
   * exactly as specific (the way a school's configuration overrides {@link defaultEducationRules}).
   */
  extend(rules: readonly RuleInput[], options?: RuleSetOptions): RuleSet
}

const BRAND = Symbol.for('@edusync/conflict-rules/rule-set')

/** Strategies every rule set knows by name. */
export function builtInStrategies(): Map<string, Strategy> {
  return new Map<string, Strategy>([
    [erpnextWins.name, erpnextWins],
    [aiWins.name, aiWins],
    [lastWriterWins.name, lastWriterWins],
    [manualReview.name, manualReview],
    ['merge', DEFAULT_MERGE],
  ])
}

const DEFAULT_MERGE = merge()

function isStrategyLike(value: unknown): value is Strategy {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.resolve === 'function' &&
    typeof value.symmetric === 'boolean'
  )
}

const CONCRETE_RE = /^([^[\].]+)(?:(\[\])(?:\.([^[\].]+))?)?$/

/** Split a concrete path (`field`, `table[]`, `table[].field`). */
export function parseConcretePath(path: string): ConcretePath | undefined {
  const m = CONCRETE_RE.exec(path)
  if (!m) return undefined
  return {
    shape: m[2] === undefined ? 'field' : m[3] === undefined ? 'row' : 'child',
    top: m[1]!,
    child: m[3],
  }
}

type Rank = readonly [number, number, number, number, number]

function rank(rule: Rule, level: number): Rank {
  return [level, rule.pattern.exact ? 1 : 0, rule.doctypes ? 1 : 0, rule.pattern.literals, rule.layer]
}

function compareRank(a: Rank, b: Rank): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

function doctypesOverlap(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return true
  return a.some((d) => b.includes(d))
}

function normalizeRule(
  input: unknown,
  index: number,
  layer: number,
  strategies: ReadonlyMap<string, Strategy>,
): Rule {
  const where = `#${index + 1}`
  if (!isRecord(input))
    throw new InvalidRuleError(where, 'a rule must be an object { doctype?, field, strategy }')
  const { id, doctype, field, strategy, description } = input
  let doctypes: readonly string[] | undefined
  if (doctype === undefined || doctype === '*') doctypes = undefined
  else if (typeof doctype === 'string' && doctype.trim() !== '') doctypes = Object.freeze([doctype])
  else if (
    Array.isArray(doctype) &&
    doctype.length > 0 &&
    doctype.every((d) => typeof d === 'string' && d.trim() !== '' && d !== '*')
  ) {
    doctypes = Object.freeze([...(doctype as string[])])
  } else {
    throw new InvalidRuleError(
      typeof id === 'string' ? id : where,
      '"doctype" must be a doctype name, a non-empty array of doctype names, or "*"',
    )
  }
  const ruleId =
    typeof id === 'string' && id !== ''
      ? id
      : `${doctypes ? doctypes.join('|') : '*'}:${typeof field === 'string' ? field : '?'}`
  if (id !== undefined && (typeof id !== 'string' || id === '')) {
    throw new InvalidRuleError(where, '"id" must be a non-empty string when given')
  }
  if (typeof field !== 'string') throw new InvalidRuleError(ruleId, '"field" must be a path pattern string')
  const pattern = parsePattern(field)
  if (pattern === undefined) throw new InvalidRulePathError(ruleId, field)
  let resolved: Strategy
  if (typeof strategy === 'string') {
    const found = strategies.get(strategy)
    if (found === undefined) throw new UnknownStrategyError(ruleId, strategy, [...strategies.keys()])
    resolved = found
  } else if (isStrategyLike(strategy)) resolved = strategy
  else {
    throw new InvalidRuleError(
      ruleId,
      '"strategy" must be a strategy name or a strategy built with defineStrategy()/custom()/merge()',
    )
  }
  if (description !== undefined && typeof description !== 'string') {
    throw new InvalidRuleError(ruleId, '"description" must be a string')
  }
  return Object.freeze({ id: ruleId, doctypes, field, pattern, strategy: resolved, description, layer })
}

function checkAmbiguity(rules: readonly Rule[]): void {
  for (let i = 0; i < rules.length; i++) {
    const a = rules[i]!
    for (let j = i + 1; j < rules.length; j++) {
      const b = rules[j]!
      if (a.layer !== b.layer) continue
      if (
        compareRank(rank(a, 3), rank(b, 3)) === 0 &&
        doctypesOverlap(a.doctypes, b.doctypes) &&
        patternsIntersect(a.pattern, b.pattern)
      ) {
        throw new AmbiguousRulesError(a.id, b.id)
      }
      if (a.id === b.id)
        throw new InvalidRuleError(b.id, 'another rule in the same layer has this id; ids must be unique')
    }
  }
}

const CACHE_LIMIT = 10_000

class RuleSetImpl implements RuleSet {
  readonly rules: readonly Rule[]
  readonly fallback: Strategy
  readonly strategies: ReadonlyMap<string, Strategy>
  // doctype → path → match. Nested maps look up existing strings (hashes cached) instead of hashing a
  // freshly concatenated key on every call.
  readonly #cache = new Map<string, Map<string, RuleMatch>>()
  #cached = 0
  readonly #fallbackMatch: RuleMatch

  constructor(rules: readonly Rule[], fallback: Strategy, strategies: ReadonlyMap<string, Strategy>) {
    this.rules = Object.freeze([...rules])
    this.fallback = fallback
    this.strategies = strategies
    this.#fallbackMatch = Object.freeze({ rule: undefined, strategy: fallback, ruleId: 'fallback' })
    Object.defineProperty(this, BRAND, { value: true })
    Object.freeze(this)
  }

  match(doctype: string, path: string): RuleMatch {
    if (typeof doctype !== 'string' || doctype === '') {
      throw new TypeError('[@edusync/conflict-rules] ruleSet.match(): "doctype" must be a non-empty string.')
    }
    let byPath = this.#cache.get(doctype)
    const cached = byPath?.get(path)
    if (cached !== undefined) return cached
    const concrete = typeof path === 'string' ? parseConcretePath(path) : undefined
    if (concrete === undefined) {
      throw new TypeError(
        `[@edusync/conflict-rules] ruleSet.match(): "path" must be "field", "table[]" or "table[].field"; got ${JSON.stringify(path)}.`,
      )
    }
    let best: Rule | undefined
    let bestRank: Rank | undefined
    for (const rule of this.rules) {
      if (rule.doctypes !== undefined && !rule.doctypes.includes(doctype)) continue
      const level = matchLevel(rule.pattern, concrete)
      if (level === 0) continue
      const r = rank(rule, level)
      if (bestRank === undefined || compareRank(r, bestRank) > 0) {
        best = rule
        bestRank = r
      }
    }
    const result = best
      ? Object.freeze({ rule: best, strategy: best.strategy, ruleId: best.id })
      : this.#fallbackMatch
    if (this.#cached >= CACHE_LIMIT) {
      this.#cache.clear()
      this.#cached = 0
      byPath = undefined
    }
    if (byPath === undefined) this.#cache.set(doctype, (byPath = new Map()))
    byPath.set(path, result)
    this.#cached++
    return result
  }

  extend(rules: readonly RuleInput[], options?: RuleSetOptions): RuleSet {
    const layer = this.rules.reduce((max, r) => Math.max(max, r.layer), -1) + 1
    return build(rules, options, {
      rules: this.rules,
      strategies: this.strategies,
      fallback: this.fallback,
      layer,
    })
  }
}

function build(
  inputs: readonly RuleInput[],
  options: RuleSetOptions | undefined,
  previous: {
    rules: readonly Rule[]
    strategies: ReadonlyMap<string, Strategy>
    fallback: Strategy
    layer: number
  },
): RuleSet {
  if (!Array.isArray(inputs))
    throw new TypeError('[@edusync/conflict-rules] defineRules(): "rules" must be an array.')
  if (options !== undefined && !isRecord(options)) {
    throw new TypeError('[@edusync/conflict-rules] defineRules(): "options" must be an object.')
  }
  const strategies = new Map(previous.strategies)
  const extra = options?.strategies ?? []
  if (!Array.isArray(extra)) {
    throw new TypeError(
      '[@edusync/conflict-rules] defineRules(): option "strategies" must be an array of strategies.',
    )
  }
  for (const strategy of extra) {
    if (!isStrategyLike(strategy)) {
      throw new TypeError(
        '[@edusync/conflict-rules] defineRules(): option "strategies" must contain strategies built with defineStrategy()/custom()/merge().',
      )
    }
    const existing = strategies.get(strategy.name)
    if (existing !== undefined && existing !== strategy) {
      throw new RangeError(
        `[@edusync/conflict-rules] defineRules(): option "strategies" registers a second strategy named "${strategy.name}"; give it another name.`,
      )
    }
    strategies.set(strategy.name, strategy)
  }
  let fallback = previous.fallback
  if (options?.fallback !== undefined) {
    const f = options.fallback
    if (typeof f === 'string') {
      const found = strategies.get(f)
      if (found === undefined) throw new UnknownStrategyError('fallback', f, [...strategies.keys()])
      fallback = found
    } else if (isStrategyLike(f)) fallback = f
    else
      throw new TypeError(
        '[@edusync/conflict-rules] defineRules(): option "fallback" must be a strategy or its name.',
      )
  }
  const added = inputs.map((input, index) => normalizeRule(input, index, previous.layer, strategies))
  const all = [...previous.rules, ...added]
  checkAmbiguity(all)
  return new RuleSetImpl(all, fallback, strategies)
}

/**
 * Validate rules into an immutable {@link RuleSet}. Ambiguous rules (equally specific, able to match
 * the same field), unknown strategy names and malformed paths throw here, naming the rule.
 *
 * @example
 * const rules = defineRules([
 *   { field: 'student_email_id', strategy: 'erpnext_wins' },
 *   { doctype: 'Student', field: 'ai_*', strategy: 'ai_wins' },
 *   { doctype: 'Student', field: 'guardians[].relation', strategy: 'manual_review' },
 * ])
 */
export function defineRules(rules: readonly RuleInput[], options?: RuleSetOptions): RuleSet {
  return build(rules, options, {
    rules: [],
    strategies: builtInStrategies(),
    fallback: manualReview,
    layer: 0,
  })
}

/** Realm-safe check for a rule set built by {@link defineRules}. */
export function isRuleSet(value: unknown): value is RuleSet {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}
