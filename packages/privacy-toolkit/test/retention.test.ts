import { describe, expect, it } from 'vitest'
import { createRetentionPlanner, MemoryConsentStore, type RetentionCandidate } from '../src/index.js'

const NOW = new Date('2026-06-01T00:00:00.000Z')
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000)

const records: RetentionCandidate[] = [
  { kind: 'ai_chat_interactions', id: 'old', subjectId: 'S1', createdAt: daysAgo(400) },
  { kind: 'ai_chat_interactions', id: 'recent', subjectId: 'S1', createdAt: daysAgo(10) },
  { kind: 'ai_chat_interactions', id: 'held', subjectId: 'S2', createdAt: daysAgo(500), legalHold: true },
  { kind: 'ai_insights', id: 'enrolled', subjectId: 'S1', createdAt: daysAgo(900), enrollmentEndedAt: null },
  {
    kind: 'ai_insights',
    id: 'left-long-ago',
    subjectId: 'S3',
    createdAt: daysAgo(900),
    enrollmentEndedAt: daysAgo(366),
  },
  {
    kind: 'ai_insights',
    id: 'left-recently',
    subjectId: 'S4',
    createdAt: daysAgo(900),
    enrollmentEndedAt: daysAgo(30),
  },
  { kind: 'other', id: 'no-rule', createdAt: daysAgo(9999) },
]

const inventory = {
  list: async (kind: string, createdBefore: Date) =>
    records.filter((r) => r.kind === kind && r.createdAt.getTime() < createdBefore.getTime()),
}

const rules = [
  { kind: 'ai_chat_interactions', days: 365 },
  { kind: 'ai_insights', days: 365, from: 'enrollment_end' as const },
]

describe('planRetention', () => {
  it('returns what is due, keeping recent, enrolled and held records', async () => {
    const plan = await createRetentionPlanner({ rules, inventory }).planRetention(NOW)
    expect(plan.purge.map((p) => p.id)).toEqual(['old', 'left-long-ago'])
    expect(plan.held.map((p) => p.id)).toEqual(['held'])
    expect(plan.purge[0]).toMatchObject({
      kind: 'ai_chat_interactions',
      subjectId: 'S1',
      dueAt: daysAgo(35),
      rule: 'ai_chat_interactions: 365 days after created',
    })
  })

  it('honours a student-wide legal hold from the consent store', async () => {
    const consent = new MemoryConsentStore()
    await consent.set('t', 'S1', {
      directoryOptOut: false,
      restricted: false,
      objectedPurposes: [],
      legalHold: true,
      updatedAt: NOW,
    })
    const plan = await createRetentionPlanner({ rules, inventory, consent, tenant: 't' }).planRetention(NOW)
    expect(plan.purge.map((p) => p.id)).toEqual(['left-long-ago'])
    expect(plan.held.map((p) => p.id)).toEqual(['old', 'held'])
  })

  it('accepts an async-iterable inventory', async () => {
    const streaming = {
      async *list(kind: string, before: Date) {
        yield* await inventory.list(kind, before)
      },
    }
    const plan = await createRetentionPlanner({ rules, inventory: streaming }).planRetention(NOW)
    expect(plan.purge).toHaveLength(2)
  })

  it('rejects two rules for one kind', () => {
    expect(() =>
      createRetentionPlanner({ rules: [...rules, { kind: 'ai_insights', days: 1 }], inventory }),
    ).toThrow(/two rules/)
  })

  it('rejects negative days', () => {
    expect(() => createRetentionPlanner({ rules: [{ kind: 'x', days: -1 }], inventory })).toThrow(RangeError)
  })

  it('requires a tenant with a consent store', () => {
    expect(() => createRetentionPlanner({ rules, inventory, consent: new MemoryConsentStore() })).toThrow(
      /tenant/,
    )
  })

  it('rejects an invalid now', async () => {
    await expect(createRetentionPlanner({ rules, inventory }).planRetention(new Date('x'))).rejects.toThrow(
      TypeError,
    )
  })
})
