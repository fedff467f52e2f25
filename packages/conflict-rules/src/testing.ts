/**
 * `@edusync/conflict-rules/testing`: the conformance suite every strategy must pass.
 *
 * The suite is framework-neutral: {@link strategyConformanceChecks} returns named checks whose `run()`
 * throws a {@link ConformanceError} on failure. Register them with your test runner's `describe`/`it`
 * through {@link describeStrategyConformance} (vitest, jest, node:test, mocha all fit), or run them all
 * at once with {@link assertStrategyConformance}. Random documents come from a seeded generator, so a
 * failure names the seed and run that reproduce it. No test framework is imported.
 *
 * @example
 * import { describe, it } from 'vitest'
 * import { describeStrategyConformance } from '@edusync/conflict-rules/testing'
 * import { preferLonger } from '../src/prefer-longer.js'
 *
 * describeStrategyConformance(preferLonger, { describe, it })
 *
 * @module
 */

import { ConformanceError, isStrategyError } from './errors.js'
import { type Doc, type Resolution, resolve } from './resolve.js'
import { defineRules, type RuleSet } from './rules.js'
import { type ConflictContext, runStrategy, type Strategy, type StrategyOutcome } from './strategy.js'
import { type FieldType, isRecord, valuesEqual } from './values.js'

export { ConformanceError, isConformanceError } from './errors.js'

/** One named conformance check. `run()` returns normally or throws a {@link ConformanceError}. */
export interface ConformanceCheck {
  /** Short name, e.g. `is deterministic`. */
  readonly name: string
  /** Run the check. */
  readonly run: () => void
}

/** Options of the conformance suite. */
export interface ConformanceOptions {
  /**
   * Random documents per property check.
   * @default 200
   */
  readonly runs?: number
  /**
   * Seed of the document generator; a failure message names the seed and run to reproduce it.
   * @default 20240601
   */
  readonly seed?: number
  /**
   * Check symmetry (swapping ours/theirs swaps winners and keeps the merged value).
   * @default strategy.symmetric
   */
  readonly symmetric?: boolean
}

/** The `describe`/`it` pair of a test runner (vitest, jest, mocha, node:test). */
export interface TestApi {
  /** Groups tests. */
  readonly describe: (name: string, body: () => void) => unknown
  /** Declares one test. */
  readonly it: (name: string, body: () => void) => unknown
}

/** One generated three-way case. */
export interface ConformanceCase {
  /** The last-synced snapshot, or `undefined` for a first sync. */
  readonly base: Doc | undefined
  /** The AI layer's version. */
  readonly ours: Doc
  /** ERPNext's version. */
  readonly theirs: Doc
  /** The fieldtypes to pass to `resolve()` (sometimes undefined, so shape classification is exercised too). */
  readonly fieldTypes: Readonly<Record<string, FieldType>> | undefined
}

const DOCTYPE = 'Conformance Doc'

/** The fieldtypes of the generated documents. */
export const CONFORMANCE_FIELD_TYPES: Readonly<Record<string, FieldType>> = Object.freeze({
  title: 'Data',
  notes: 'Text',
  count: 'Int',
  score: 'Float',
  active: 'Check',
  start_time: 'Time',
  seen_at: 'Datetime',
  day: 'Date',
  ai_profile: 'JSON',
  rows: 'Table',
  'rows[].label': 'Data',
  'rows[].qty': 'Int',
})

type Rng = () => number

function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(rnd: Rng, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!

type Gen = (rnd: Rng) => unknown

const SCALARS: Readonly<Record<string, Gen>> = {
  title: (r) => pick(r, ['alpha', 'beta', 'gamma', 'delta']),
  notes: (r) => pick(r, ['first note', 'second note', '', null]),
  count: (r) => Math.floor(r() * 5),
  score: (r) => pick(r, [0, 42, 100, 100.5]),
  active: (r) => pick(r, [0, 1]),
  start_time: (r) => pick(r, ['9:05:00', '10:30:00', '14:00:00']),
  seen_at: (r) => pick(r, ['2024-01-05 09:05:00', '2024-01-05 09:05:00.123456', '2024-02-01 00:00:00']),
  day: (r) => pick(r, ['2024-01-05', '2024-03-01', null]),
  ai_profile: (r) => {
    const profile: Record<string, unknown> = { level: Math.floor(r() * 4) }
    const tags = ['math', 'reading', 'science'].filter(() => r() < 0.5)
    if (tags.length > 0) profile.tags = tags
    if (r() < 0.5) profile.prefs = { pace: pick(r, ['slow', 'fast']), minutes: pick(r, [10, 20]) }
    return JSON.stringify(profile)
  },
}

function makeRow(rnd: Rng, name: string): Doc {
  return {
    name,
    idx: 0,
    parentfield: 'rows',
    label: pick(rnd, ['red', 'green', 'blue']),
    qty: Math.floor(rnd() * 3),
  }
}

function numberRows(rows: Doc[]): Doc[] {
  return rows.map((row, i) => ({ ...row, idx: i + 1 }))
}

function makeDoc(rnd: Rng): Doc {
  const doc: Doc = { name: 'CONF-0001', doctype: DOCTYPE, modified: '2024-01-01 00:00:00' }
  for (const [field, gen] of Object.entries(SCALARS)) doc[field] = gen(rnd)
  const rows: Doc[] = []
  for (const name of ['r1', 'r2', 'r3']) if (rnd() < 0.6) rows.push(makeRow(rnd, name))
  doc.rows = numberRows(rows)
  return doc
}

/** Re-spell a value the way the other system would write it; the meaning stays the same. */
function respell(rnd: Rng, field: string, value: unknown): unknown {
  if (rnd() < 0.5) return value
  switch (field) {
    case 'active':
      return value === 1 ? true : value === 0 ? false : value
    case 'start_time':
      return typeof value === 'string' && value.length === 7 ? `0${value}` : value
    case 'seen_at':
      return typeof value === 'string' && value.length === 19 ? `${value}.000000` : value
    case 'ai_profile': {
      if (typeof value !== 'string') return value
      const parsed = JSON.parse(value) as Record<string, unknown>
      if (rnd() < 0.5) return parsed
      const reordered: Record<string, unknown> = {}
      for (const key of Object.keys(parsed).reverse()) reordered[key] = parsed[key]
      return JSON.stringify(reordered, null, 1)
    }
    case 'rows':
      return Array.isArray(value) ? numberRows([...(value as Doc[])].reverse()) : value
    default:
      return value
  }
}

function mutateRows(rnd: Rng, rows: readonly Doc[], side: string): Doc[] {
  const out: Doc[] = []
  for (const row of rows) {
    const roll = rnd()
    if (roll < 0.2) continue
    if (roll < 0.35) out.push({ ...row, label: pick(rnd, ['cyan', 'magenta']) })
    else if (roll < 0.5) out.push({ ...row, qty: 7 })
    else out.push(row)
  }
  if (rnd() < 0.4) out.push(makeRow(rnd, rnd() < 0.5 ? `${side}-new` : 'both-new'))
  return numberRows(out)
}

/** Change some fields of `doc` (only those in `allowed`, when given). */
function mutate(rnd: Rng, doc: Doc, side: string, allowed?: ReadonlySet<string>): Doc {
  const out: Doc = { ...doc }
  for (const field of Object.keys(SCALARS)) {
    if (allowed && !allowed.has(field)) continue
    if (rnd() < 0.35) out[field] = SCALARS[field]!(rnd)
  }
  if ((!allowed || allowed.has('rows')) && rnd() < 0.5) out.rows = mutateRows(rnd, out.rows as Doc[], side)
  return out
}

function spellAll(rnd: Rng, doc: Doc): Doc {
  const out: Doc = {}
  for (const [k, v] of Object.entries(doc)) out[k] = respell(rnd, k, v)
  return out
}

/**
 * Generate one random three-way case from a seed: a document with Data, Text, Int, Float, Check, Time,
 * Datetime, Date, JSON and child-table fields; each side changes some fields (and re-spells others in
 * ERPNext's equivalent forms); about one case in six is a first sync (no base).
 */
export function generateConformanceCase(seed: number): ConformanceCase {
  const rnd = mulberry32(seed)
  const base = makeDoc(rnd)
  const ours = spellAll(rnd, mutate(rnd, base, 'ours'))
  const theirs = spellAll(rnd, mutate(rnd, base, 'theirs'))
  theirs.modified = pick(rnd, ['2024-01-02 00:00:00', '2024-01-03 00:00:00.000000'])
  ours.modified = pick(rnd, ['2024-01-02 00:00:00.000000', '2024-01-04 00:00:00'])
  return {
    base: rnd() < 1 / 6 ? undefined : base,
    ours,
    theirs,
    fieldTypes: rnd() < 0.5 ? CONFORMANCE_FIELD_TYPES : undefined,
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

function deepClone<T>(value: T): T {
  return structuredClone(value)
}

function single(strategy: Strategy): RuleSet {
  return defineRules([{ id: 'conformance', field: '*', strategy }])
}

function run(
  strategy: Strategy,
  rules: RuleSet,
  c: ConformanceCase,
  check: string,
  where: string,
): Resolution {
  try {
    return resolve({ ...c, doctype: DOCTYPE, rules, now: Date.UTC(2024, 0, 10) })
  } catch (error) {
    const detail = isStrategyError(error) ? error.message : `resolve() threw ${String(error)}`
    throw new ConformanceError(strategy.name, check, `${where}: ${detail}`, { cause: error })
  }
}

function sameField(a: unknown, b: unknown, field: string, types: ConformanceCase['fieldTypes']): boolean {
  const childTypes = types ? { label: 'Data' as const, qty: 'Int' as const } : undefined
  return valuesEqual(a, b, types?.[field], field === 'rows' ? childTypes : undefined)
}

const FIXED_CONTEXTS: readonly Omit<ConflictContext, 'modified' | 'now' | 'rule' | 'doctype' | 'docname'>[] =
  [
    {
      path: 'title',
      kind: 'field',
      field: 'title',
      table: undefined,
      rowName: undefined,
      hasBase: true,
      base: 'alpha',
      ours: 'beta',
      theirs: 'gamma',
      raw: { base: 'alpha', ours: 'beta', theirs: 'gamma' },
      fieldType: 'Data',
    },
    {
      path: 'count',
      kind: 'field',
      field: 'count',
      table: undefined,
      rowName: undefined,
      hasBase: false,
      base: null,
      ours: 3,
      theirs: 4,
      raw: { base: undefined, ours: 3, theirs: '4' },
      fieldType: 'Int',
    },
    {
      path: 'ai_profile',
      kind: 'field',
      field: 'ai_profile',
      table: undefined,
      rowName: undefined,
      hasBase: true,
      base: { level: 1, tags: ['math'] },
      ours: { level: 2, tags: ['math', 'reading'] },
      theirs: { level: 1, tags: ['science'], prefs: { pace: 'slow' } },
      raw: {
        base: '{"level":1,"tags":["math"]}',
        ours: { level: 2, tags: ['math', 'reading'] },
        theirs: '{}',
      },
      fieldType: 'JSON',
    },
    {
      path: 'rows[].label',
      kind: 'field',
      field: 'label',
      table: 'rows',
      rowName: 'r1',
      hasBase: true,
      base: 'red',
      ours: null,
      theirs: 'blue',
      raw: { base: 'red', ours: '', theirs: 'blue' },
      fieldType: undefined,
    },
    {
      path: 'rows[]',
      kind: 'row',
      field: 'rows',
      table: 'rows',
      rowName: 'r2',
      hasBase: true,
      base: { name: 'r2', label: 'red' },
      ours: undefined,
      theirs: { name: 'r2', label: 'green' },
      raw: { base: { name: 'r2', label: 'red' }, ours: undefined, theirs: { name: 'r2', label: 'green' } },
      fieldType: undefined,
    },
  ]

function fixedContexts(): ConflictContext[] {
  return FIXED_CONTEXTS.map((c, i) =>
    deepFreeze({
      ...deepClone(c),
      doctype: DOCTYPE,
      docname: 'CONF-0001',
      rule: 'conformance',
      now: Date.UTC(2024, 0, 10),
      modified:
        i % 2 === 0
          ? { ours: '2024-01-02 00:00:00', theirs: '2024-01-03 00:00:00' }
          : { ours: undefined, theirs: undefined },
    }),
  )
}

const SWAP: Readonly<Record<string, string>> = {
  ours: 'theirs',
  theirs: 'ours',
  merged: 'merged',
  review: 'review',
}

function checkContract(strategy: Strategy): void {
  const name = 'returns valid outcomes, synchronously, without mutating its input'
  for (const context of fixedContexts()) {
    try {
      runStrategy(strategy, context)
    } catch (error) {
      throw new ConformanceError(
        strategy.name,
        name,
        `on fixed context "${context.path}": ${(error as Error).message}`,
        {
          cause: error,
        },
      )
    }
  }
}

function checkDeterminism(strategy: Strategy, opts: Required<Omit<ConformanceOptions, 'symmetric'>>): void {
  const name = 'is deterministic'
  const rules = single(strategy)
  for (const context of fixedContexts()) {
    const a = runStrategy(strategy, context)
    const b = runStrategy(strategy, context)
    if (!outcomesEqual(a, b)) {
      throw new ConformanceError(
        strategy.name,
        name,
        `two calls on fixed context "${context.path}" returned different outcomes`,
      )
    }
  }
  for (let i = 0; i < opts.runs; i++) {
    const where = `run ${i} (seed ${opts.seed})`
    const c = deepFreeze(generateConformanceCase(opts.seed + i))
    const a = run(strategy, rules, c, name, where)
    const b = run(strategy, rules, deepFreeze(deepClone(c)), name, where)
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      throw new ConformanceError(
        strategy.name,
        name,
        `${where}: resolving the same input twice gave different resolutions`,
      )
    }
  }
}

function outcomesEqual(a: StrategyOutcome, b: StrategyOutcome): boolean {
  if (a.winner !== b.winner || a.reason !== b.reason) return false
  if (a.winner !== 'merged' || b.winner !== 'merged') return true
  return JSON.stringify(a.value) === JSON.stringify(b.value)
}

function checkIdempotence(strategy: Strategy, opts: Required<Omit<ConformanceOptions, 'symmetric'>>): void {
  const name = 'is idempotent (resolving the resolved documents changes nothing)'
  const rules = single(strategy)
  for (let i = 0; i < opts.runs; i++) {
    const where = `run ${i} (seed ${opts.seed})`
    const c = deepFreeze(generateConformanceCase(opts.seed + i))
    const first = run(strategy, rules, c, name, where)
    const next: ConformanceCase = deepFreeze({
      base: first.nextBase,
      ours: { ...c.ours, ...first.writeToAi },
      theirs: { ...c.theirs, ...first.writeToErpnext },
      fieldTypes: c.fieldTypes,
    })
    const second = run(strategy, rules, next, name, where)
    // A first-sync review leaves no base to keep the conflict open; those fields are the engine's to hold.
    const open = new Set(first.review.filter((r) => !r.hasBase).map((r) => r.path.split('[')[0]!))
    const writes = [
      ...Object.keys(second.writeToErpnext).map((k) => `ERPNext.${k}`),
      ...Object.keys(second.writeToAi).map((k) => `AI.${k}`),
    ].filter((k) => !open.has(k.slice(k.indexOf('.') + 1)))
    if (writes.length > 0) {
      throw new ConformanceError(
        strategy.name,
        name,
        `${where}: the second resolution still writes ${writes.join(', ')}`,
      )
    }
    for (const key of Object.keys(c.ours)) {
      if (key === 'name' || key === 'doctype' || key === 'modified' || open.has(key)) continue
      if (!sameField(first.merged[key], second.merged[key], key, c.fieldTypes)) {
        throw new ConformanceError(
          strategy.name,
          name,
          `${where}: field "${key}" changed on the second resolution`,
        )
      }
    }
    const firstReview = first.review
      .map((r) => `${r.path}#${r.rowName ?? ''}`)
      .filter((p) => !open.has(p.split(/[[#]/)[0]!))
    const secondReview = second.review
      .map((r) => `${r.path}#${r.rowName ?? ''}`)
      .filter((p) => !open.has(p.split(/[[#]/)[0]!))
    if (firstReview.sort().join('|') !== secondReview.sort().join('|')) {
      throw new ConformanceError(
        strategy.name,
        name,
        `${where}: the fields waiting for review changed on the second resolution`,
      )
    }
  }
}

function checkPassThrough(strategy: Strategy, opts: Required<Omit<ConformanceOptions, 'symmetric'>>): void {
  const name = 'passes one-sided changes through untouched'
  let calls = 0
  const spy: Strategy = Object.freeze({
    ...strategy,
    resolve: (context: ConflictContext) => {
      calls++
      return strategy.resolve(context)
    },
  })
  const rules = single(spy)
  const fields = [...Object.keys(SCALARS), 'rows']
  for (let i = 0; i < opts.runs; i++) {
    const where = `run ${i} (seed ${opts.seed})`
    const rnd = mulberry32(opts.seed + i)
    const base = makeDoc(rnd)
    const oursFields = new Set(fields.filter(() => rnd() < 0.5))
    const theirsFields = new Set(fields.filter((f) => !oursFields.has(f)))
    const c: ConformanceCase = deepFreeze({
      base,
      ours: spellAll(rnd, mutate(rnd, base, 'ours', oursFields)),
      theirs: spellAll(rnd, mutate(rnd, base, 'theirs', theirsFields)),
      fieldTypes: rnd() < 0.5 ? CONFORMANCE_FIELD_TYPES : undefined,
    })
    calls = 0
    const r = run(strategy, rules, c, name, where)
    if (calls > 0) {
      throw new ConformanceError(
        strategy.name,
        name,
        `${where}: the strategy was asked about a field only one side changed`,
      )
    }
    if (r.review.length > 0) {
      throw new ConformanceError(
        strategy.name,
        name,
        `${where}: "${r.review[0]!.path}" went to review although only one side changed it`,
      )
    }
    for (const field of fields) {
      const changed = oursFields.has(field) ? c.ours : c.theirs
      if (!sameField(r.merged[field], changed[field], field, c.fieldTypes)) {
        throw new ConformanceError(
          strategy.name,
          name,
          `${where}: the one-sided change to "${field}" did not survive`,
        )
      }
    }
  }
}

function checkSymmetry(strategy: Strategy, opts: Required<Omit<ConformanceOptions, 'symmetric'>>): void {
  const name = 'is symmetric'
  const rules = single(strategy)
  for (let i = 0; i < opts.runs; i++) {
    const where = `run ${i} (seed ${opts.seed})`
    const c = deepFreeze(generateConformanceCase(opts.seed + i))
    const a = run(strategy, rules, c, name, where)
    const b = run(strategy, rules, deepFreeze({ ...c, ours: c.theirs, theirs: c.ours }), name, where)
    // A field in review keeps ERPNext's value pending a person, so only settled fields must agree.
    const pending = new Set([...a.review, ...b.review].map((r) => r.table ?? r.field))
    for (const key of Object.keys(c.ours)) {
      if (key === 'name' || key === 'doctype' || key === 'modified' || pending.has(key)) continue
      if (!sameField(a.merged[key], b.merged[key], key, c.fieldTypes)) {
        throw new ConformanceError(
          strategy.name,
          name,
          `${where}: swapping the sides changed the merged "${key}"`,
        )
      }
    }
    const winners = (r: Resolution, swap: boolean) =>
      r.decisions
        .map((d) => `${d.path}#${d.rowName ?? ''}:${swap ? SWAP[d.winner] : d.winner}`)
        .sort()
        .join('|')
    if (winners(a, false) !== winners(b, true)) {
      throw new ConformanceError(strategy.name, name, `${where}: swapping the sides did not swap the winners`)
    }
  }
}

function checkUnexpectedTypes(strategy: Strategy): void {
  const name = 'never crashes on values of unexpected types'
  const rules = single(strategy)
  const odd: readonly unknown[] = [
    { nested: { deep: [1, 2] } },
    ['a', 'b'],
    12,
    true,
    'text',
    null,
    '{not json',
  ]
  let n = 0
  for (const theirs of odd) {
    for (const ours of odd) {
      const c = deepFreeze({
        base: { name: 'CONF-0001', title: 'alpha', ai_profile: '{"level":1}', rows: [] },
        ours: { name: 'CONF-0001', title: ours, ai_profile: ours, rows: isRecord(ours) ? ours : [] },
        theirs: { name: 'CONF-0001', title: theirs, ai_profile: theirs, rows: [] },
        fieldTypes: n++ % 2 === 0 ? CONFORMANCE_FIELD_TYPES : undefined,
      } satisfies ConformanceCase)
      run(strategy, rules, c, name, `ours ${JSON.stringify(ours)}, theirs ${JSON.stringify(theirs)}`)
    }
  }
}

function options(strategy: Strategy, given: ConformanceOptions | undefined) {
  const runs = given?.runs ?? 200
  const seed = given?.seed ?? 20240601
  if (!Number.isInteger(runs) || runs < 1)
    throw new RangeError('[@edusync/conflict-rules] conformance: option "runs" must be a positive integer.')
  if (!Number.isInteger(seed))
    throw new RangeError('[@edusync/conflict-rules] conformance: option "seed" must be an integer.')
  const symmetric = given?.symmetric ?? strategy.symmetric
  if (typeof symmetric !== 'boolean')
    throw new TypeError('[@edusync/conflict-rules] conformance: option "symmetric" must be a boolean.')
  return { runs, seed, symmetric }
}

/**
 * The conformance checks for `strategy`: a valid, synchronous, non-mutating contract on fixed contexts;
 * determinism; idempotence (resolving the resolved documents writes nothing and changes nothing);
 * one-sided changes pass through (the strategy is never consulted); no crash on unexpected value types;
 * and symmetry when the strategy promises it.
 */
export function strategyConformanceChecks(
  strategy: Strategy,
  opts?: ConformanceOptions,
): readonly ConformanceCheck[] {
  if (!isRecord(strategy) || typeof strategy.resolve !== 'function' || typeof strategy.name !== 'string') {
    throw new TypeError(
      '[@edusync/conflict-rules] conformance: "strategy" must be a strategy built with defineStrategy().',
    )
  }
  const o = options(strategy, opts)
  const checks: ConformanceCheck[] = [
    {
      name: 'returns valid outcomes, synchronously, without mutating its input',
      run: () => checkContract(strategy),
    },
    { name: 'is deterministic', run: () => checkDeterminism(strategy, o) },
    { name: 'is idempotent', run: () => checkIdempotence(strategy, o) },
    { name: 'passes one-sided changes through', run: () => checkPassThrough(strategy, o) },
    { name: 'never crashes on values of unexpected types', run: () => checkUnexpectedTypes(strategy) },
  ]
  if (o.symmetric) checks.push({ name: 'is symmetric', run: () => checkSymmetry(strategy, o) })
  return Object.freeze(checks.map((c) => Object.freeze(c)))
}

/**
 * Register the conformance checks with a test runner: one `describe` named after the strategy, one `it`
 * per check.
 *
 * @example
 * import { describe, it } from 'vitest'
 * describeStrategyConformance(myStrategy, { describe, it }, { runs: 500 })
 */
export function describeStrategyConformance(
  strategy: Strategy,
  api: TestApi,
  opts?: ConformanceOptions,
): void {
  if (!isRecord(api) || typeof api.describe !== 'function' || typeof api.it !== 'function') {
    throw new TypeError(
      "[@edusync/conflict-rules] describeStrategyConformance(): pass your runner's { describe, it }.",
    )
  }
  const checks = strategyConformanceChecks(strategy, opts)
  api.describe(`strategy "${strategy.name}" conformance`, () => {
    for (const check of checks) api.it(check.name, check.run)
  })
}

/** Run every check now; throws the first {@link ConformanceError}. Handy in scripts and other runners. */
export function assertStrategyConformance(strategy: Strategy, opts?: ConformanceOptions): void {
  for (const check of strategyConformanceChecks(strategy, opts)) check.run()
}
