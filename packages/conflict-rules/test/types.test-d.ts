import { expectTypeOf } from 'vitest'
import {
  type ConflictContext,
  custom,
  defineRules,
  defineStrategy,
  erpnextWins,
  merge,
  type Resolution,
  type RuleSet,
  resolve,
  type Strategy,
  type StrategyOutcome,
  type Winner,
} from '../src/index.js'
import { type ConformanceCheck, strategyConformanceChecks } from '../src/testing.js'

// defineStrategy keeps the literal name.
const s = defineStrategy({ name: 'prefer_longer', resolve: () => ({ winner: 'ours' }) })
expectTypeOf(s).toEqualTypeOf<Strategy<'prefer_longer'>>()
expectTypeOf(s.name).toEqualTypeOf<'prefer_longer'>()
expectTypeOf(custom('keep_both', () => ({ winner: 'review' })).name).toEqualTypeOf<'keep_both'>()
expectTypeOf(erpnextWins.name).toEqualTypeOf<'erpnext_wins'>()

// merge() is named 'merge' unless given a name.
expectTypeOf(merge().name).toEqualTypeOf<'merge'>()
expectTypeOf(merge({ name: 'merge_metrics' }).name).toEqualTypeOf<'merge_metrics'>()

// A strategy resolves a context into an outcome; a merged outcome needs a value.
expectTypeOf(s.resolve).parameter(0).toEqualTypeOf<ConflictContext>()
expectTypeOf(s.resolve).returns.toEqualTypeOf<StrategyOutcome>()
// @ts-expect-error a merged outcome without a value
const bad: StrategyOutcome = { winner: 'merged' }
void bad
// @ts-expect-error not a winner
defineStrategy({ name: 'x', resolve: () => ({ winner: 'nobody' }) })
expectTypeOf<Winner>().toEqualTypeOf<'ours' | 'theirs' | 'merged' | 'review'>()

// resolve() keeps the document type of theirs.
interface Student extends Record<string, unknown> {
  name: string
  first_name: string
  ai_learning_profile?: string
}
declare const erp: Student
const r = resolve({ ours: { first_name: 'A' }, theirs: erp, doctype: 'Student' })
expectTypeOf(r).toEqualTypeOf<Resolution<Student>>()
expectTypeOf(r.merged).toEqualTypeOf<Student>()
expectTypeOf(r.nextBase).toEqualTypeOf<Student>()
// @ts-expect-error doctype is required
resolve({ ours: {}, theirs: {} })
// @ts-expect-error rules must be a RuleSet
resolve({ ours: {}, theirs: {}, doctype: 'Student', rules: [] })

// Rules take strategy names or strategies.
expectTypeOf(
  defineRules([
    { field: 'x', strategy: 'erpnext_wins' },
    { field: 'y', strategy: s },
  ]),
).toEqualTypeOf<RuleSet>()
// @ts-expect-error field is required
defineRules([{ strategy: 'erpnext_wins' }])

// The conformance suite returns plain checks.
expectTypeOf(strategyConformanceChecks(s)).toEqualTypeOf<readonly ConformanceCheck[]>()
