import { describe, expect, it } from 'vitest'
import {
  decisionToJSON,
  defineRules,
  explainDecision,
  explainResolution,
  resolutionToAudit,
  resolve,
} from '../src/index.js'

const SECRET_EMAIL = 'private.person@family.example'
const STAMP = { name: 'EDU-STU-2024-00001', doctype: 'Student' }
const rules = defineRules([
  { id: 'email', field: 'student_email_id', strategy: 'erpnext_wins' },
  { id: 'profile', field: 'ai_learning_profile', strategy: 'ai_wins' },
  { id: 'rest', field: '*', strategy: 'manual_review' },
])
const r = resolve({
  base: {
    ...STAMP,
    student_email_id: 'a@x.example',
    ai_learning_profile: '{"l":1}',
    city: 'Pune',
    first_name: 'Ann',
    guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }],
  },
  ours: {
    ...STAMP,
    student_email_id: SECRET_EMAIL,
    ai_learning_profile: { l: 2 },
    city: 'Delhi',
    first_name: 'Ann',
    guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }, { relation: 'Father' }],
  },
  theirs: {
    ...STAMP,
    student_email_id: 'c@x.example',
    ai_learning_profile: '{"l":3}',
    city: 'Mumbai',
    first_name: 'Anne',
    guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }],
  },
  doctype: 'Student',
  rules,
  now: Date.UTC(2024, 5, 1),
})

describe('decision explanations', () => {
  it('renders one sentence per decision', () => {
    expect(explainResolution(r)).toEqual([
      'Student EDU-STU-2024-00001, student_email_id: both sides changed it; rule "email" (erpnext_wins) kept ERPNext\'s value — ERPNext is the system of record for this field.',
      'Student EDU-STU-2024-00001, ai_learning_profile: both sides changed it; rule "profile" (ai_wins) kept the AI layer\'s value — the AI layer owns this field.',
      'Student EDU-STU-2024-00001, city: both sides changed it; rule "rest" (manual_review) sent it to manual review — no rule may decide this field automatically.',
      "Student EDU-STU-2024-00001, first_name: only ERPNext changed it; kept ERPNext's value.",
      "Student EDU-STU-2024-00001, guardians[new row]: the AI layer added the row; kept the AI layer's row.",
    ])
  })

  it('renders a child-table cell with its row name', () => {
    const t = resolve({
      base: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Mother' }] },
      ours: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Father' }] },
      theirs: { ...STAMP, guardians: [{ name: 'g1', idx: 1, relation: 'Others' }] },
      doctype: 'Student',
      rules,
      now: 0,
    })
    expect(explainDecision(t.decisions[0]!)).toBe(
      'guardians[row g1].relation: both sides changed it; rule "rest" (manual_review) sent it to manual review — no rule may decide this field automatically.',
    )
  })

  it('renders audit JSON without field values', () => {
    const audit = resolutionToAudit(r)
    expect(audit).toMatchObject({
      doctype: 'Student',
      docname: 'EDU-STU-2024-00001',
      resolvedAt: '2024-06-01T00:00:00.000Z',
      status: 'needs_review',
      review: [
        {
          path: 'city',
          rowName: null,
          strategy: 'manual_review',
          rule: 'rest',
          reason: 'no rule may decide this field automatically',
        },
      ],
      writes: { erpnext: ['ai_learning_profile', 'guardians'], ai: ['student_email_id', 'first_name'] },
    })
    expect(audit.decisions[0]).toEqual({
      doctype: 'Student',
      docname: 'EDU-STU-2024-00001',
      path: 'student_email_id',
      rowName: null,
      kind: 'field',
      rowChange: null,
      changedBy: 'both',
      conflict: true,
      strategy: 'erpnext_wins',
      rule: 'email',
      winner: 'theirs',
      reason: 'ERPNext is the system of record for this field',
      summary: explainResolution(r)[0],
    })
    const text = JSON.stringify(audit)
    for (const value of [SECRET_EMAIL, 'Delhi', 'Mumbai', 'Pune', 'Anne', 'a@x.example'])
      expect(text).not.toContain(value)
  })

  it('decisionToJSON is JSON-safe', () => {
    const json = decisionToJSON(r.decisions[0]!, { doctype: 'Student' })
    expect(JSON.parse(JSON.stringify(json))).toEqual(json)
  })

  it('says why a type mismatch went to review, without the value', () => {
    const t = resolve({
      base: { a: 'x' },
      ours: { a: { secret: SECRET_EMAIL } },
      theirs: { a: 'x' },
      doctype: 'Student',
      rules,
      now: 0,
    })
    const sentence = explainDecision(t.decisions[0]!)
    expect(sentence).toBe(
      'a: only the AI layer changed it; the type check sent it to manual review — unexpected value types: the AI layer has an object, ERPNext has a string.',
    )
  })
})
