import { describe, expect, it } from 'vitest'
import {
  aiWins,
  custom,
  type Doc,
  defineRules,
  erpnextWins,
  explainDecision,
  type FieldType,
  isInvalidDocumentError,
  isStrategyError,
  lastWriterWins,
  manualReview,
  merge,
  type Resolution,
  type RuleSet,
  resolve,
} from '../src/index.js'

const NOW = Date.UTC(2024, 5, 1, 12)
const STAMP = { name: 'EDU-STU-2024-00001', doctype: 'Student', docstatus: 0, idx: 0 }

interface Fixture {
  readonly name: string
  readonly rules: RuleSet
  readonly base: Doc | undefined
  readonly ours: Doc
  readonly theirs: Doc
  readonly fieldTypes?: Record<string, FieldType>
  readonly expect: {
    readonly merged?: Doc
    readonly writeToErpnext?: Doc
    readonly writeToAi?: Doc
    readonly review?: readonly string[]
    readonly winners?: Readonly<Record<string, string>>
  }
}

const all = (strategy: Parameters<typeof defineRules>[0][number]['strategy']) =>
  defineRules([{ field: '*', strategy }])

// A table of base/ours/theirs → expected. Each fixture changes one thing.
const FIXTURES: Fixture[] = [
  {
    name: 'one-sided AI change passes through (rules never consulted)',
    rules: all('manual_review'),
    base: { ...STAMP, first_name: 'Ann' },
    ours: { ...STAMP, first_name: 'Anna' },
    theirs: { ...STAMP, first_name: 'Ann' },
    expect: {
      merged: { first_name: 'Anna' },
      writeToErpnext: { first_name: 'Anna' },
      writeToAi: {},
      review: [],
    },
  },
  {
    name: 'one-sided ERPNext change passes through',
    rules: all('manual_review'),
    base: { ...STAMP, first_name: 'Ann' },
    ours: { ...STAMP, first_name: 'Ann' },
    theirs: { ...STAMP, first_name: 'Anne' },
    expect: { merged: { first_name: 'Anne' }, writeToErpnext: {}, writeToAi: { first_name: 'Anne' } },
  },
  {
    name: 'the same change on both sides is no conflict',
    rules: all('manual_review'),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi' },
    theirs: { ...STAMP, city: 'Delhi' },
    expect: { merged: { city: 'Delhi' }, writeToErpnext: {}, writeToAi: {}, review: [], winners: {} },
  },
  {
    name: 'erpnext_wins keeps ERPNext and writes it to the AI layer',
    rules: all(erpnextWins),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi' },
    theirs: { ...STAMP, city: 'Mumbai' },
    expect: {
      merged: { city: 'Mumbai' },
      writeToErpnext: {},
      writeToAi: { city: 'Mumbai' },
      winners: { city: 'theirs' },
    },
  },
  {
    name: 'ai_wins takes the AI value and writes it to ERPNext',
    rules: all(aiWins),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi' },
    theirs: { ...STAMP, city: 'Mumbai' },
    expect: {
      merged: { city: 'Delhi' },
      writeToErpnext: { city: 'Delhi' },
      writeToAi: {},
      winners: { city: 'ours' },
    },
  },
  {
    name: 'last_writer_wins picks the later modified (AI later)',
    rules: all(lastWriterWins),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi', modified: '2024-05-02 10:00:00' },
    theirs: { ...STAMP, city: 'Mumbai', modified: '2024-05-01 10:00:00.123456' },
    expect: { merged: { city: 'Delhi', modified: '2024-05-01 10:00:00.123456' }, winners: { city: 'ours' } },
  },
  {
    name: 'last_writer_wins picks the later modified (ERPNext later, microseconds decide)',
    rules: all(lastWriterWins),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi', modified: '2024-05-01 10:00:00' },
    theirs: { ...STAMP, city: 'Mumbai', modified: '2024-05-01 10:00:00.000001' },
    expect: { merged: { city: 'Mumbai' }, winners: { city: 'theirs' } },
  },
  {
    name: 'last_writer_wins breaks a tie towards ERPNext',
    rules: all(lastWriterWins),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi', modified: '2024-05-01 10:00:00.000000' },
    theirs: { ...STAMP, city: 'Mumbai', modified: '2024-05-01 10:00:00' },
    expect: { merged: { city: 'Mumbai' }, winners: { city: 'theirs' } },
  },
  {
    name: 'manual_review keeps ERPNext, writes nothing, and queues both values with the base',
    rules: all(manualReview),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi' },
    theirs: { ...STAMP, city: 'Mumbai' },
    expect: {
      merged: { city: 'Mumbai' },
      writeToErpnext: {},
      writeToAi: {},
      review: ['city'],
      winners: { city: 'review' },
    },
  },
  {
    name: 'merge combines JSON objects changed on both sides and writes JSON text to ERPNext',
    rules: all(merge()),
    base: { ...STAMP, ai_learning_profile: '{"level":1,"tags":["math"]}' },
    ours: { ...STAMP, ai_learning_profile: { level: 2, tags: ['math'] } },
    theirs: { ...STAMP, ai_learning_profile: '{"level": 1, "tags": ["math", "art"]}' },
    expect: {
      merged: { ai_learning_profile: '{"level":2,"tags":["math","art"]}' },
      writeToErpnext: { ai_learning_profile: '{"level":2,"tags":["math","art"]}' },
      writeToAi: { ai_learning_profile: '{"level":2,"tags":["math","art"]}' },
      winners: { ai_learning_profile: 'merged' },
    },
  },
  {
    name: 'merge sends two different strings to review',
    rules: all(merge()),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'Delhi' },
    theirs: { ...STAMP, city: 'Mumbai' },
    expect: { merged: { city: 'Mumbai' }, review: ['city'], winners: { city: 'review' } },
  },
  {
    name: 'a custom function decides',
    rules: all(
      custom('longest', ({ ours, theirs }) =>
        String(ours).length > String(theirs).length ? { winner: 'ours' } : { winner: 'theirs' },
      ),
    ),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: 'New Delhi' },
    theirs: { ...STAMP, city: 'Mumbai' },
    expect: { merged: { city: 'New Delhi' }, winners: { city: 'ours' } },
  },
  {
    name: 'first sync: every difference is a conflict and rules decide',
    rules: all(erpnextWins),
    base: undefined,
    ours: { ...STAMP, city: 'Delhi', first_name: 'Ann' },
    theirs: { ...STAMP, city: 'Mumbai', first_name: 'Ann' },
    expect: {
      merged: { city: 'Mumbai', first_name: 'Ann' },
      writeToAi: { city: 'Mumbai' },
      winners: { city: 'theirs' },
    },
  },
  {
    name: 'an object or array taken from the AI layer is written to ERPNext as JSON text',
    rules: all(aiWins),
    base: undefined,
    ours: { ...STAMP, ai_resource_links: ['a', 'b'] },
    theirs: { ...STAMP },
    // The AI layer already holds the same value (as an array), so nothing is written back to it.
    expect: { writeToErpnext: { ai_resource_links: '["a","b"]' }, writeToAi: {} },
  },
  {
    name: 'a boolean taken from the AI layer is written to ERPNext as Check 0/1',
    rules: all(aiWins),
    base: { ...STAMP, enabled: 1 },
    ours: { ...STAMP, enabled: false },
    theirs: { ...STAMP, enabled: 1 },
    expect: { writeToErpnext: { enabled: 0 }, writeToAi: {} },
  },
  // ERPNext value quirks: none of these is a change.
  {
    name: 'quirk: Check true vs 1',
    rules: all(manualReview),
    base: { ...STAMP, enabled: 1 },
    ours: { ...STAMP, enabled: true },
    theirs: { ...STAMP, enabled: 1 },
    expect: { writeToErpnext: {}, writeToAi: {}, review: [], winners: {} },
  },
  {
    name: 'quirk: Float 100.0 vs 100 and "100.0"',
    rules: all(manualReview),
    fieldTypes: { score: 'Float' },
    base: { ...STAMP, score: 100.0 },
    ours: { ...STAMP, score: '100.0' },
    theirs: { ...STAMP, score: 100 },
    expect: { writeToErpnext: {}, writeToAi: {}, winners: {} },
  },
  {
    name: 'quirk: Time 9:05:00 vs 09:05:00',
    rules: all(manualReview),
    base: { ...STAMP, from_time: '09:05:00' },
    ours: { ...STAMP, from_time: '09:05:00' },
    theirs: { ...STAMP, from_time: '9:05:00' },
    expect: { writeToErpnext: {}, writeToAi: {}, winners: {} },
  },
  {
    name: 'quirk: Datetime with and without microseconds',
    rules: all(manualReview),
    base: { ...STAMP, generated_timestamp: '2024-05-01 10:00:00' },
    ours: { ...STAMP, generated_timestamp: '2024-05-01 10:00:00.000000' },
    theirs: { ...STAMP, generated_timestamp: '2024-05-01 10:00:00' },
    expect: { writeToErpnext: {}, writeToAi: {}, winners: {} },
  },
  {
    name: 'quirk: JSON text vs parsed object with other key order',
    rules: all(manualReview),
    base: { ...STAMP, ai_preferences_settings: '{"a":1,"b":2}' },
    ours: { ...STAMP, ai_preferences_settings: { b: 2, a: 1 } },
    theirs: { ...STAMP, ai_preferences_settings: '{"b": 2, "a": 1}' },
    expect: { writeToErpnext: {}, writeToAi: {}, winners: {} },
  },
  {
    name: 'quirk: null, "" and absent-in-ERPNext are the same empty value',
    rules: all(manualReview),
    base: { ...STAMP, middle_name: '' },
    ours: { ...STAMP, middle_name: null },
    theirs: { ...STAMP },
    expect: { writeToErpnext: {}, writeToAi: {}, winners: {} },
  },
  {
    name: 'quirk: child rows reordered with new idx are unchanged',
    rules: all(manualReview),
    base: {
      ...STAMP,
      siblings: [
        { name: 'a1', idx: 1, full_name: 'X' },
        { name: 'a2', idx: 2, full_name: 'Y' },
      ],
    },
    ours: {
      ...STAMP,
      siblings: [
        { name: 'a2', idx: 1, full_name: 'Y' },
        { name: 'a1', idx: 2, full_name: 'X' },
      ],
    },
    theirs: {
      ...STAMP,
      siblings: [
        { name: 'a1', idx: 1, full_name: 'X' },
        { name: 'a2', idx: 2, full_name: 'Y' },
      ],
    },
    expect: { writeToErpnext: {}, writeToAi: {}, winners: {} },
  },
  // Child tables.
  {
    name: 'table: a row field changed on one side only',
    rules: all(manualReview),
    base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    ours: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
    theirs: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    expect: {
      merged: { guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
      writeToErpnext: { guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
      winners: { 'guardians[].relation#g1': 'ours' },
    },
  },
  {
    name: 'table: different fields of the same row changed on each side merge cleanly',
    rules: all(manualReview),
    base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother', guardian_name: 'Mira' }] },
    ours: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Others', guardian_name: 'Mira' }] },
    theirs: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother', guardian_name: 'Mira K' }] },
    expect: {
      merged: { guardians: [{ name: 'g1', idx: 1, relation: 'Others', guardian_name: 'Mira K' }] },
      review: [],
    },
  },
  {
    name: 'table: a row field changed on both sides follows the child-path rule',
    rules: defineRules([
      { field: '*', strategy: 'manual_review' },
      { field: 'guardians[].relation', strategy: 'ai_wins' },
    ]),
    base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    ours: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Father' }] },
    theirs: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
    expect: {
      merged: { guardians: [{ name: 'g1', idx: 1, relation: 'Father' }] },
      winners: { 'guardians[].relation#g1': 'ours' },
    },
  },
  {
    name: 'table: a row added by ERPNext is kept and sent to the AI layer',
    rules: all(manualReview),
    base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    ours: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    theirs: {
      ...STAMP,
      guardians: [
        { name: 'g1', idx: 1, relation: 'Mother' },
        { name: 'g2', idx: 2, relation: 'Father' },
      ],
    },
    expect: {
      writeToErpnext: {},
      writeToAi: {
        guardians: [
          { name: 'g1', idx: 1, relation: 'Mother' },
          { name: 'g2', idx: 2, relation: 'Father' },
        ],
      },
      winners: { 'guardians[]#g2': 'theirs' },
    },
  },
  {
    name: 'table: a row removed by the AI layer is removed in ERPNext',
    rules: all(manualReview),
    base: {
      ...STAMP,
      guardians: [
        { name: 'g1', idx: 1, relation: 'Mother' },
        { name: 'g2', idx: 2, relation: 'Father' },
      ],
    },
    ours: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    theirs: {
      ...STAMP,
      guardians: [
        { name: 'g1', idx: 1, relation: 'Mother' },
        { name: 'g2', idx: 2, relation: 'Father' },
      ],
    },
    expect: {
      writeToErpnext: { guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
      winners: { 'guardians[]#g2': 'ours' },
    },
  },
  {
    name: 'table: a row without a name is a new row, kept',
    rules: all(manualReview),
    base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    ours: {
      ...STAMP,
      guardians: [
        { name: 'g1', idx: 1, relation: 'Mother' },
        { guardian: 'EDU-GRD-2024-00002', relation: 'Father' },
      ],
    },
    theirs: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    expect: {
      writeToErpnext: {
        guardians: [
          { name: 'g1', idx: 1, relation: 'Mother' },
          { guardian: 'EDU-GRD-2024-00002', relation: 'Father' },
        ],
      },
      winners: { 'guardians[]#': 'ours' },
    },
  },
  {
    name: 'table: a row removed on one side and changed on the other follows the row rule',
    rules: defineRules([
      { field: '*', strategy: 'ai_wins' },
      { field: 'guardians[]', strategy: 'manual_review' },
    ]),
    base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    ours: { ...STAMP, guardians: [] },
    theirs: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
    expect: {
      merged: { guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
      writeToAi: {},
      writeToErpnext: {},
      review: ['guardians[]'],
    },
  },
  {
    name: 'table: removed on one side and changed on the other, erpnext_wins keeps the changed row',
    rules: all(erpnextWins),
    base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
    ours: { ...STAMP, guardians: [] },
    theirs: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
    expect: {
      writeToAi: { guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
      winners: { 'guardians[]#g1': 'theirs' },
    },
  },
  // Bad input: values of unexpected types are conflicts for review, never crashes.
  {
    name: 'unexpected type: an object where ERPNext has a string goes to review',
    rules: all(aiWins),
    base: { ...STAMP, city: 'Pune' },
    ours: { ...STAMP, city: { name: 'Delhi' } },
    theirs: { ...STAMP, city: 'Pune' },
    expect: {
      merged: { city: 'Pune' },
      writeToErpnext: {},
      writeToAi: {},
      review: ['city'],
      winners: { city: 'review' },
    },
  },
  {
    name: 'unexpected type: a string in a declared Int field goes to review',
    rules: all(aiWins),
    fieldTypes: { max_strength: 'Int' },
    base: { ...STAMP, max_strength: 30 },
    ours: { ...STAMP, max_strength: 'thirty' },
    theirs: { ...STAMP, max_strength: 30 },
    expect: { merged: { max_strength: 30 }, review: ['max_strength'] },
  },
  {
    name: 'unexpected type: a child table that is not an array goes to review',
    rules: all(aiWins),
    fieldTypes: { guardians: 'Table' },
    base: { ...STAMP, guardians: [] },
    ours: { ...STAMP, guardians: 'none' },
    theirs: { ...STAMP, guardians: [] },
    expect: { review: ['guardians'], writeToErpnext: {} },
  },
]

function winners(r: Resolution): Record<string, string> {
  const out: Record<string, string> = {}
  for (const d of r.decisions) {
    const key = d.table === undefined ? d.path : `${d.path}#${d.rowName ?? ''}`
    out[key] = d.winner
  }
  return out
}

describe('resolve() fixtures', () => {
  it.each(FIXTURES)('$name', (f) => {
    const r = resolve({
      base: f.base,
      ours: f.ours,
      theirs: f.theirs,
      doctype: 'Student',
      rules: f.rules,
      now: NOW,
      fieldTypes: f.fieldTypes,
    })
    if (f.expect.merged) expect(r.merged).toMatchObject(f.expect.merged)
    if (f.expect.writeToErpnext) expect(r.writeToErpnext).toEqual(f.expect.writeToErpnext)
    if (f.expect.writeToAi) expect(r.writeToAi).toEqual(f.expect.writeToAi)
    if (f.expect.review) expect(r.review.map((i) => i.path)).toEqual(f.expect.review)
    if (f.expect.winners) {
      const got = winners(r)
      const onlyDecided = Object.fromEntries(
        Object.entries(got).filter(
          ([k]) => k in f.expect.winners! || Object.keys(f.expect.winners!).length === 0,
        ),
      )
      expect(onlyDecided).toEqual(f.expect.winners)
    }
    // Whatever happened, the two sides agree after applying the patches (except fields in review).
    const pending = new Set(r.review.map((i) => i.table ?? i.field))
    const ours2 = { ...f.ours, ...r.writeToAi }
    const theirs2 = { ...f.theirs, ...r.writeToErpnext }
    const again = resolve({
      base: r.nextBase,
      ours: ours2,
      theirs: theirs2,
      doctype: 'Student',
      rules: f.rules,
      now: NOW,
      fieldTypes: f.fieldTypes,
    })
    expect(Object.keys(again.writeToErpnext).filter((k) => !pending.has(k))).toEqual([])
    expect(Object.keys(again.writeToAi).filter((k) => !pending.has(k))).toEqual([])
  })
})

describe('resolve() result shape', () => {
  const base = { ...STAMP, modified: '2024-05-01 10:00:00', city: 'Pune', state: 'MH' }
  const ours = { ...STAMP, modified: '2024-05-01 10:00:00', city: 'Delhi', state: 'MH' }
  const theirs = { ...STAMP, modified: '2024-05-02 09:00:00.123456', city: 'Mumbai', state: 'MH' }

  it('keeps ERPNext standard fields (modified) in the merged document and never writes them', () => {
    const r = resolve({ base, ours, theirs, doctype: 'Student', rules: all('ai_wins'), now: NOW })
    expect(r.merged.modified).toBe('2024-05-02 09:00:00.123456')
    expect(r.writeToErpnext).toEqual({ city: 'Delhi' })
    expect(r.needsWrite).toEqual({ erpnext: true, ai: false })
    expect(r.status).toBe('resolved')
    expect(r.docname).toBe('EDU-STU-2024-00001')
    expect(r.resolvedAt).toBe('2024-06-01T12:00:00.000Z')
    expect(Object.isFrozen(r)).toBe(true)
  })

  it('reports unchanged when nothing differs', () => {
    const r = resolve({ base, ours: base, theirs: base, doctype: 'Student', rules: all('ai_wins'), now: NOW })
    expect(r.status).toBe('unchanged')
    expect(r.decisions).toEqual([])
    expect(r.needsWrite).toEqual({ erpnext: false, ai: false })
  })

  it('review items carry base, ours and theirs; nextBase keeps the base so the conflict stays open', () => {
    const r = resolve({ base, ours, theirs, doctype: 'Student', rules: all('manual_review'), now: NOW })
    expect(r.status).toBe('needs_review')
    expect(r.review).toEqual([
      expect.objectContaining({
        path: 'city',
        hasBase: true,
        base: 'Pune',
        ours: 'Delhi',
        theirs: 'Mumbai',
        strategy: 'manual_review',
        rule: '*:*',
      }),
    ])
    expect(r.nextBase.city).toBe('Pune')
    expect(r.merged.city).toBe('Mumbai')
  })

  it('leaves fields the AI layer does not hold alone (absent from ours)', () => {
    const r = resolve({
      base: { ...base, student_email_id: 'a@school.example' },
      ours: { ...STAMP, city: 'Pune' },
      theirs: { ...theirs, student_email_id: 'b@school.example' },
      doctype: 'Student',
      rules: all('manual_review'),
      now: NOW,
    })
    expect(r.decisions.map((d) => d.path)).toEqual(['city'])
    expect(r.writeToAi).toEqual({ city: 'Mumbai' })
    expect(r.merged.student_email_id).toBe('b@school.example')
  })

  it('restricts resolution to `fields` when given', () => {
    const r = resolve({
      base,
      ours,
      theirs,
      doctype: 'Student',
      rules: all('ai_wins'),
      now: NOW,
      fields: ['state'],
    })
    expect(r.decisions).toEqual([])
    expect(r.merged.city).toBe('Mumbai')
  })

  it('uses the default education rules when none are given', () => {
    const r = resolve({
      base: { ...STAMP, student_email_id: 'a@school.example' },
      ours: { ...STAMP, student_email_id: 'b@school.example' },
      theirs: { ...STAMP, student_email_id: 'c@school.example' },
      doctype: 'Student',
      now: NOW,
    })
    expect(r.decisions[0]).toMatchObject({
      strategy: 'erpnext_wins',
      rule: 'student-email',
      winner: 'theirs',
    })
  })

  it('passes normalised values, raw values, modified stamps and now to strategies', () => {
    let seen: unknown
    const spy = custom('spy', (ctx) => {
      seen = ctx
      return { winner: 'theirs' }
    })
    resolve({
      base: { ...base, ai_profile: '{"a":1}' },
      ours: { ...ours, ai_profile: { a: 2 } },
      theirs: { ...theirs, ai_profile: '{"a": 3}' },
      doctype: 'Student',
      rules: defineRules([
        { field: 'ai_profile', strategy: spy },
        { field: '*', strategy: 'erpnext_wins' },
      ]),
      now: NOW,
    })
    expect(seen).toMatchObject({
      doctype: 'Student',
      docname: 'EDU-STU-2024-00001',
      path: 'ai_profile',
      kind: 'field',
      hasBase: true,
      base: { a: 1 },
      ours: { a: 2 },
      theirs: { a: 3 },
      raw: { base: '{"a":1}', ours: { a: 2 }, theirs: '{"a": 3}' },
      modified: { ours: '2024-05-01 10:00:00', theirs: '2024-05-02 09:00:00.123456' },
      now: NOW,
      rule: '*:ai_profile',
    })
  })

  it('takes modification times from the `modified` option when given', () => {
    const r = resolve({
      base,
      ours,
      theirs,
      doctype: 'Student',
      rules: all('last_writer_wins'),
      now: NOW,
      modified: { ours: '2024-05-03 00:00:00' },
    })
    expect(r.merged.city).toBe('Delhi')
    expect(() =>
      resolve({ base, ours, theirs, doctype: 'Student', now: NOW, modified: { ours: 5 as never } }),
    ).toThrowError(/"modified"/)
  })

  it('does not mutate its inputs', () => {
    const input = structuredClone({ base, ours, theirs })
    resolve({ ...input, doctype: 'Student', rules: all('merge'), now: NOW })
    expect(input).toEqual({ base, ours, theirs })
  })
})

describe('ordered tables', () => {
  const topic = (name: string, idx = 0, extra: Doc = {}) => ({ name, idx, topic: `T-${name}`, ...extra })
  const COURSE = { name: 'Algebra I', doctype: 'Course' }
  const base = { ...COURSE, topics: [topic('a', 1), topic('b', 2), topic('c', 3)] }
  const order = (rows: unknown) => (rows as Doc[]).map((r) => r.name)
  const run = (ours: Doc, theirs: Doc, strategy = 'manual_review') => {
    const input = {
      base,
      ours,
      theirs,
      doctype: 'Course',
      rules: all(strategy),
      now: NOW,
      orderedTables: ['topics'],
    }
    const r = resolve(input)
    // Applying the patches converges (nothing more to write), except an order waiting for review.
    const again = resolve({
      ...input,
      base: r.nextBase,
      ours: { ...ours, ...r.writeToAi },
      theirs: { ...theirs, ...r.writeToErpnext },
    })
    expect(again.needsWrite).toEqual({ erpnext: false, ai: false })
    expect(again.review.map((i) => i.path)).toEqual(r.review.map((i) => i.path))
    return r
  }

  it('a reorder by the AI layer survives and is written to ERPNext', () => {
    const r = run({ ...COURSE, topics: [topic('c', 1), topic('a', 2), topic('b', 3)] }, base)
    expect(order(r.merged.topics)).toEqual(['c', 'a', 'b'])
    expect(order(r.writeToErpnext.topics)).toEqual(['c', 'a', 'b'])
    expect(r.decisions).toEqual([
      expect.objectContaining({
        path: 'topics[]',
        rowChange: 'reordered',
        changedBy: 'ours',
        winner: 'ours',
      }),
    ])
  })

  it('a reorder by ERPNext survives and is written to the AI layer', () => {
    const r = run(base, { ...COURSE, topics: [topic('b', 1), topic('a', 2), topic('c', 3)] })
    expect(order(r.merged.topics)).toEqual(['b', 'a', 'c'])
    expect(r.writeToErpnext).toEqual({})
    expect(order(r.writeToAi.topics)).toEqual(['b', 'a', 'c'])
  })

  it('two different reorders follow the table[] rule', () => {
    const r = run(
      { ...COURSE, topics: [topic('c'), topic('a'), topic('b')] as never },
      { ...COURSE, topics: [topic('b'), topic('a'), topic('c')] as never },
      'ai_wins',
    )
    expect(order(r.merged.topics)).toEqual(['c', 'a', 'b'])
    expect(r.decisions[0]).toMatchObject({ conflict: true, strategy: 'ai_wins', rowChange: 'reordered' })
  })

  it('two different reorders under manual review keep ERPNext order and write nothing', () => {
    const r = run(
      { ...COURSE, topics: [topic('c', 1), topic('a', 2), topic('b', 3)] },
      { ...COURSE, topics: [topic('b', 1), topic('a', 2), topic('c', 3)] },
    )
    expect(order(r.merged.topics)).toEqual(['b', 'a', 'c'])
    expect(r.needsWrite).toEqual({ erpnext: false, ai: false })
    expect(r.review).toEqual([
      expect.objectContaining({
        path: 'topics[]',
        ours: ['c', 'a', 'b'],
        theirs: ['b', 'a', 'c'],
        base: ['a', 'b', 'c'],
      }),
    ])
  })

  it('an added row lands after the row that precedes it on the side that added it', () => {
    const r = run({ ...COURSE, topics: [topic('a', 1), topic('n', 2), topic('b', 3), topic('c', 4)] }, base)
    expect(order(r.merged.topics)).toEqual(['a', 'n', 'b', 'c'])
  })

  it('explains a reorder', () => {
    const r = run({ ...COURSE, topics: [topic('c', 1), topic('a', 2), topic('b', 3)] }, base)
    expect(explainDecision(r.decisions[0]!, { doctype: 'Course', docname: 'Algebra I' })).toBe(
      "Course Algebra I, topics[row order]: the AI layer reordered the rows; kept the AI layer's order.",
    )
  })

  it('rejects a bad orderedTables option', () => {
    expect(() =>
      resolve({ base, ours: base, theirs: base, doctype: 'Course', orderedTables: 'topics' as never }),
    ).toThrowError(/"orderedTables"/)
  })
})

describe('resolve() never crashes on values JSON cannot hold', () => {
  it('a BigInt inside an array against JSON-looking text goes to review (regression found by fast-check)', () => {
    const r = resolve({
      base: {},
      ours: { x: '{ ' },
      theirs: { x: [0n] },
      doctype: 'Student',
      rules: all('merge'),
      now: NOW,
    })
    expect(r.review.map((i) => i.path)).toEqual(['x'])
  })
  it('a cyclic object goes to review', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const r = resolve({
      base: { x: '{}' },
      ours: { x: cyclic },
      theirs: { x: '{}' },
      doctype: 'Student',
      rules: all('ai_wins'),
      now: NOW,
    })
    expect(r.review.map((i) => i.path)).toEqual(['x'])
    expect(r.writeToErpnext).toEqual({})
  })
})

describe('resolve() misuse', () => {
  const ok = { base: { a: 1 }, ours: { a: 2 }, theirs: { a: 3 }, doctype: 'Student', now: NOW }
  it('rejects a non-object ours', () => {
    expect(() => resolve({ ...ok, ours: 'x' as never })).toThrowError(/"ours" must be a plain object/)
    try {
      resolve({ ...ok, ours: [] as never })
    } catch (error) {
      expect(isInvalidDocumentError(error)).toBe(true)
    }
  })
  it('rejects a non-object theirs', () => {
    expect(() => resolve({ ...ok, theirs: null as never })).toThrowError(/"theirs"/)
  })
  it('rejects a non-object base', () => {
    expect(() => resolve({ ...ok, base: 5 as never })).toThrowError(/"base"/)
  })
  it('rejects a missing doctype', () => {
    expect(() => resolve({ ...ok, doctype: '' })).toThrow(TypeError)
  })
  it('rejects rules that are not a rule set', () => {
    expect(() => resolve({ ...ok, rules: [] as never })).toThrowError(/defineRules/)
  })
  it('rejects an invalid now', () => {
    expect(() => resolve({ ...ok, now: new Date('nope') })).toThrowError(/"now"/)
  })
  it('rejects bad fieldTypes and fields', () => {
    expect(() => resolve({ ...ok, fieldTypes: 'JSON' as never })).toThrowError(/"fieldTypes"/)
    expect(() => resolve({ ...ok, fields: 'a' as never })).toThrowError(/"fields"/)
  })
  it('wraps a throwing strategy in a StrategyError naming strategy and path', () => {
    const boom = custom('boom', () => {
      throw new Error('bug')
    })
    let caught: unknown
    try {
      resolve({ ...ok, rules: all(boom) })
    } catch (error) {
      caught = error
    }
    expect(isStrategyError(caught)).toBe(true)
    expect(caught).toMatchObject({ strategy: 'boom', path: 'a', code: 'STRATEGY_FAILED' })
    expect((caught as Error).cause).toBeInstanceOf(Error)
  })
  it('rejects a strategy returning a promise', () => {
    const later = custom('later', (() => Promise.resolve({ winner: 'ours' })) as never)
    expect(() => resolve({ ...ok, rules: all(later) })).toThrowError(/promise/)
  })
  it('rejects a strategy returning an unknown winner', () => {
    const odd = custom('odd', (() => ({ winner: 'nobody' })) as never)
    expect(() => resolve({ ...ok, rules: all(odd) })).toThrowError(/"winner"/)
  })
  it('rejects a merged outcome without a value', () => {
    const empty = custom('empty', (() => ({ winner: 'merged' })) as never)
    expect(() => resolve({ ...ok, rules: all(empty) })).toThrowError(/needs a "value"/)
  })
})

describe("applying a person's review choice", () => {
  it('re-resolving with a one-off layer for the reviewed path settles it', () => {
    const rules = defineRules([{ field: '*', strategy: 'manual_review' }])
    const input = {
      base: { ...STAMP, city: 'Pune', state: 'MH' },
      ours: { ...STAMP, city: 'Delhi', state: 'DL' },
      theirs: { ...STAMP, city: 'Mumbai', state: 'MH' },
      doctype: 'Student',
      now: NOW,
    }
    const first = resolve({ ...input, rules })
    const item = first.review[0]!
    const chosen = resolve({
      ...input,
      rules: rules.extend([{ doctype: 'Student', field: item.path, strategy: 'ai_wins' }]),
    })
    expect(chosen.review).toEqual([])
    expect(chosen.writeToErpnext).toEqual({ city: 'Delhi', state: 'DL' })
  })
})
