import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  aiWins,
  type Doc,
  defineRules,
  erpnextWins,
  lastWriterWins,
  manualReview,
  merge,
  resolve,
  type Strategy,
  valuesEqual,
} from '../src/index.js'

const HEAVY = process.env.EDUSYNC_HEAVY === '1'
const RUNS = HEAVY ? 2000 : 150

// Random ERPNext-like documents: scalar fields, a JSON field and a child table keyed by row name.
// Each field keeps one type (a change of type is an unexpected value, which goes to review by design).
const text = fc.constantFrom('alpha', 'beta', 'gamma', '', null)
const int = fc.integer({ min: 0, max: 3 })
const time = fc.constantFrom('9:05:00', '09:05:00', '10:30:00')
const json = fc.dictionary(
  fc.constantFrom('a', 'b', 'c'),
  fc.oneof(fc.integer({ min: 0, max: 3 }), fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 })),
  { maxKeys: 3 },
)
const row = (name: string) =>
  fc.record({
    name: fc.constant(name),
    label: fc.constantFrom('red', 'green'),
    qty: fc.integer({ min: 0, max: 2 }),
  })
const rows = fc.subarray(['r1', 'r2', 'r3']).chain((names) => fc.tuple(...names.map(row)))
const doc = fc.record({ f1: text, f2: int, f3: time, profile: json, rows })

/** A side's version of `base`: some fields replaced by fresh random values. */
const edit = (base: Doc, fields: readonly string[]) =>
  doc.map((fresh) => {
    const out: Doc = { ...base }
    for (const f of fields) out[f] = (fresh as Doc)[f]
    return out
  })

const FIELDS = ['f1', 'f2', 'f3', 'profile', 'rows'] as const
const triple = doc.chain((base) =>
  fc
    .tuple(fc.subarray([...FIELDS]), fc.subarray([...FIELDS]), fc.boolean())
    .chain(([of, tf, first]) =>
      fc
        .tuple(edit(base, of), edit(base, tf))
        .map(([ours, theirs]) => ({ base: first ? undefined : (base as Doc), ours, theirs })),
    ),
)

const STRATEGIES: Strategy[] = [
  erpnextWins,
  aiWins,
  lastWriterWins,
  manualReview,
  merge(),
  merge({ numbers: 'max' }),
]
const FIELD_TYPES = { profile: 'JSON', rows: 'Table' } as const

const run = (strategy: Strategy, t: { base: Doc | undefined; ours: Doc; theirs: Doc }) =>
  resolve({
    ...t,
    doctype: 'Student',
    rules: defineRules([{ field: '*', strategy }]),
    now: 0,
    fieldTypes: FIELD_TYPES,
  })

const same = (a: unknown, b: unknown, field: string) =>
  valuesEqual(a, b, FIELD_TYPES[field as keyof typeof FIELD_TYPES])

describe.each(STRATEGIES.map((s) => [s.name, s] as const))(
  'properties of %s (fast-check)',
  (_name, strategy) => {
    it('is deterministic', () => {
      fc.assert(
        fc.property(triple, (t) => {
          expect(JSON.stringify(run(strategy, t))).toBe(JSON.stringify(run(strategy, structuredClone(t))))
        }),
        { numRuns: RUNS },
      )
    })

    it('is idempotent: resolving the resolved documents writes nothing', () => {
      fc.assert(
        fc.property(triple, (t) => {
          const r = run(strategy, t)
          const open = new Set(r.review.filter((i) => !i.hasBase).map((i) => i.table ?? i.field))
          const again = run(strategy, {
            base: r.nextBase,
            ours: { ...t.ours, ...r.writeToAi },
            theirs: { ...t.theirs, ...r.writeToErpnext },
          })
          expect(Object.keys(again.writeToErpnext).filter((k) => !open.has(k))).toEqual([])
          expect(Object.keys(again.writeToAi).filter((k) => !open.has(k))).toEqual([])
        }),
        { numRuns: RUNS },
      )
    })

    it('lets one-sided changes through', () => {
      const oneSided = doc.chain((base) =>
        fc.subarray([...FIELDS]).chain((mine) => {
          const theirsFields = FIELDS.filter((f) => !mine.includes(f))
          return fc
            .tuple(edit(base, mine), edit(base, theirsFields))
            .map(([ours, theirs]) => ({ base: base as Doc, ours, theirs, mine }))
        }),
      )
      fc.assert(
        fc.property(oneSided, ({ mine, ...t }) => {
          const r = run(strategy, t)
          expect(r.decisions.filter((d) => d.conflict)).toEqual([])
          for (const f of FIELDS)
            expect(same(r.merged[f], (mine.includes(f) ? t.ours : t.theirs)[f], f)).toBe(true)
        }),
        { numRuns: RUNS },
      )
    })

    it.runIf(strategy.symmetric)('is symmetric', () => {
      fc.assert(
        fc.property(triple, (t) => {
          const a = run(strategy, t)
          const b = run(strategy, { base: t.base, ours: t.theirs, theirs: t.ours })
          const pending = new Set([...a.review, ...b.review].map((i) => i.table ?? i.field))
          for (const f of FIELDS) if (!pending.has(f)) expect(same(a.merged[f], b.merged[f], f)).toBe(true)
        }),
        { numRuns: RUNS },
      )
    })
  },
)

describe('bad input never crashes resolve()', () => {
  it('values of any type are decided or sent to review', () => {
    const any = fc.anything({
      withNullPrototype: false,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
    })
    fc.assert(
      fc.property(any, any, any, (b, o, t) => {
        const r = resolve({
          base: { x: b, rows: b },
          ours: { x: o, rows: o },
          theirs: { x: t, rows: t },
          doctype: 'Student',
          rules: defineRules([{ field: '*', strategy: 'merge' }]),
          now: 0,
        })
        expect(['unchanged', 'resolved', 'needs_review']).toContain(r.status)
      }),
      { numRuns: HEAVY ? 5000 : 300 },
    )
  })
})
