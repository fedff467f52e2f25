/**
 * `@edusync/conflict-rules`: three-way, field-level conflict resolution between ERPNext (the system of
 * record, "theirs") and a school's AI layer ("ours"), with configurable rules, built-in strategies and an
 * exported conformance suite (`@edusync/conflict-rules/testing`). Zero runtime dependencies.
 *
 * @module
 */

export { defaultEducationRules, engagementMerge } from './defaults.js'
export {
  AmbiguousRulesError,
  ConflictRulesError,
  type ConflictRulesErrorCode,
  type ConflictRulesErrorOptions,
  ConformanceError,
  InvalidDocumentError,
  InvalidRuleError,
  InvalidRulePathError,
  isAmbiguousRulesError,
  isConflictRulesError,
  isConformanceError,
  isInvalidDocumentError,
  isInvalidRuleError,
  isInvalidRulePathError,
  isStrategyError,
  isUnknownStrategyError,
  StrategyError,
  UnknownStrategyError,
} from './errors.js'
export {
  type AuditDecision,
  type AuditRecord,
  decisionToJSON,
  type ExplainContext,
  explainDecision,
  explainResolution,
  resolutionToAudit,
} from './explain.js'
export { type ArrayMerge, type MergeOptions, merge, type NumberCombiner } from './merge.js'
export {
  type ChangedBy,
  type Doc,
  type FieldDecision,
  type Resolution,
  type ResolveInput,
  type ReviewItem,
  resolve,
} from './resolve.js'
export {
  defineRules,
  isRuleSet,
  type Rule,
  type RuleInput,
  type RuleMatch,
  type RuleSet,
  type RuleSetOptions,
} from './rules.js'
export {
  aiWins,
  type ConflictContext,
  custom,
  defineStrategy,
  erpnextWins,
  lastWriterWins,
  manualReview,
  type Strategy,
  type StrategyDefinition,
  type StrategyOutcome,
  type Winner,
} from './strategy.js'
export type { PathPattern, PathShape } from './paths.js'
export { type ChildTypes, type FieldType, valuesEqual } from './values.js'
