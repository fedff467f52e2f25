import { describe, expect, it } from 'vitest'
import type { Enhancer } from '../../src/engine/types.js'
import { STUDENT_CHILDREN, setup, student, testPrivacy } from './helpers/fixture.js'

const profiler: Enhancer = {
  name: 'profiler',
  doctypes: ['Student'],
  enhance: ({ view }) => ({
    fields: { ai_learning_profile: { style: 'visual', guardians: (view.guardians as unknown[]).length } },
    documents: [
      { doctype: 'Assessment Insight', key: `insight:${view.name}`, doc: { ai_analysis: { ok: true } } },
    ],
  }),
}

async function synced(enhancers: Enhancer[] = [profiler], extra = {}) {
  const ctx = setup({ privacy: testPrivacy, enhancers, ...extra })
  ctx.erp.put('Student', student(1), STUDENT_CHILDREN)
  ctx.erp.put('Student', student(2), STUDENT_CHILDREN)
  return ctx
}

describe('enhancers and write-back', () => {
  it('gives enhancers only the privacy-filtered view', async () => {
    const seen: Record<string, unknown>[] = []
    const { engine } = await synced([
      { name: 'spy', doctypes: ['Student'], enhance: ({ view }) => void seen.push({ ...view }) },
    ])
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    expect(seen).toHaveLength(1)
    expect(seen[0]).not.toHaveProperty('student_email_id')
    expect(seen[0]).not.toHaveProperty('first_name')
    expect(seen[0]?.name).toBe('EDU-STU-2025-00001')
  })

  it('pushes AI fields with bulk_update carrying the modified they were computed against, in one request', async () => {
    const { engine, erp } = await synced()
    await engine.intake([
      { doctype: 'Student', name: 'EDU-STU-2025-00001' },
      { doctype: 'Student', name: 'EDU-STU-2025-00002' },
    ])
    await engine.drain()
    expect(erp.calls.filter((c) => c.method === 'bulk_update')).toHaveLength(1)
    const doc = erp.tables.get('Student')?.get('EDU-STU-2025-00001')
    expect(JSON.parse(String(doc?.ai_learning_profile))).toEqual({ style: 'visual', guardians: 1 })
  })

  it('inserts each AI document exactly once, even when an earlier attempt already inserted it', async () => {
    const { engine, erp } = await synced()
    // a previous worker inserted the insight of student 1 and died before completing its task
    await erp.insertMany('Assessment Insight', [{ idempotency_key: 'insight:EDU-STU-2025-00001' }])
    await engine.intake([
      { doctype: 'Student', name: 'EDU-STU-2025-00001' },
      { doctype: 'Student', name: 'EDU-STU-2025-00002' },
    ])
    await engine.drain()
    const keys = [...(erp.tables.get('Assessment Insight')?.values() ?? [])].map((d) => d.idempotency_key)
    expect(keys.sort()).toEqual(['insight:EDU-STU-2025-00001', 'insight:EDU-STU-2025-00002'])
  })

  it('does not push again when the AI values are already in ERPNext', async () => {
    const { engine, erp } = await synced()
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    erp.calls.length = 0
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    expect(erp.calls.filter((c) => c.method === 'bulk_update')).toHaveLength(0)
  })

  it('resolves a TimestampMismatchError on an ERPNext-edited other field by re-fetching and pushing again', async () => {
    const { engine, erp, store } = await synced()
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    // lease nothing yet: edit a non-AI field in ERPNext between the pull and the push
    const origBulk = erp.bulkUpdate.bind(erp)
    let first = true
    erp.bulkUpdate = async (items) => {
      if (first) {
        first = false
        erp.edit('Student', 'EDU-STU-2025-00001', { first_name: 'Changed' })
      }
      return origBulk(items)
    }
    await engine.drain()
    const doc = erp.tables.get('Student')?.get('EDU-STU-2025-00001')
    expect(doc?.first_name).toBe('Changed')
    expect(JSON.parse(String(doc?.ai_learning_profile)).style).toBe('visual')
    expect((await store.reviews.list()).length).toBe(0)
  })

  it('lets the AI value win a conflict on an ai_* field under the default rules', async () => {
    const { engine, erp } = await synced([
      {
        name: 'summary',
        doctypes: ['Student'],
        enhance: () => ({ fields: { ai_interaction_summary: 'AI summary' } }),
      },
    ])
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    const origBulk = erp.bulkUpdate.bind(erp)
    let first = true
    erp.bulkUpdate = async (items) => {
      if (first) {
        first = false
        erp.edit('Student', 'EDU-STU-2025-00001', { ai_interaction_summary: 'Teacher summary' })
      }
      return origBulk(items)
    }
    const conflicts: string[][] = []
    engine.on('writeback.conflict', (e) => conflicts.push([...e.review]))
    await engine.drain()
    expect(conflicts).toEqual([[]])
    expect(erp.tables.get('Student')?.get('EDU-STU-2025-00001')?.ai_interaction_summary).toBe('AI summary')
  })

  it('creates a review item for manual_review decisions and writes the resolution back', async () => {
    const { engine, erp } = await synced(
      [
        {
          name: 'summary',
          doctypes: ['Student'],
          enhance: () => ({ fields: { ai_interaction_summary: 'AI summary' } }),
        },
      ],
      { rules: { resolve: (q: { fields: readonly string[] }) => ({ write: {}, review: [...q.fields] }) } },
    )
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    const origBulk = erp.bulkUpdate.bind(erp)
    let first = true
    erp.bulkUpdate = async (items) => {
      if (first) {
        first = false
        erp.edit('Student', 'EDU-STU-2025-00001', { ai_interaction_summary: 'Teacher summary' })
      }
      return origBulk(items)
    }
    await engine.drain()
    expect(erp.tables.get('Student')?.get('EDU-STU-2025-00001')?.ai_interaction_summary).toBe(
      'Teacher summary',
    )
    const [review] = await engine.reviews.list()
    expect(review).toMatchObject({
      field: 'ai_interaction_summary',
      local: 'AI summary',
      remote: 'Teacher summary',
    })
    await engine.reviews.resolve(review!.id, 'local', 'teacher-1')
    await engine.drain()
    expect(erp.tables.get('Student')?.get('EDU-STU-2025-00001')?.ai_interaction_summary).toBe('AI summary')
    expect(await engine.reviews.list()).toEqual([])
    await expect(engine.reviews.resolve(review!.id, 'remote')).rejects.toMatchObject({
      code: 'ENGINE_REVIEW_NOT_FOUND',
    })
  })

  it('keeps syncing data when an enhancer throws, and retries the enhancement', async () => {
    let calls = 0
    const { engine, store, clock } = await synced([
      {
        name: 'flaky',
        doctypes: ['Student'],
        enhance: () => {
          calls++
          if (calls === 1) throw new Error('model offline')
          return { fields: { ai_interaction_summary: 'ok' } }
        },
      },
    ])
    const failures: string[] = []
    engine.on('enhancer.failed', (e) => failures.push(e.enhancer))
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    expect(await store.documents.get('Student', 'EDU-STU-2025-00001')).not.toBeNull()
    expect(failures).toEqual(['flaky'])
    clock.now += 60_000
    await engine.drain()
    expect(calls).toBe(2)
    expect((await store.queue.stats()).pending).toBe(0)
  })

  it('treats an enhancer that returns garbage as a failure', async () => {
    const { engine } = await synced([
      { name: 'garbage', doctypes: ['Student'], enhance: () => ({ fields: { first_name: 'x' } }) as never },
    ])
    const failures: string[] = []
    engine.on('enhancer.failed', (e) => failures.push(e.error))
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    expect(failures[0]).toContain('EnhancerError')
  })

  it('times out a slow enhancer', async () => {
    const { engine } = await synced(
      [
        {
          name: 'slow',
          doctypes: ['Student'],
          enhance: ({ signal }) => new Promise((r) => signal.addEventListener('abort', () => r(undefined))),
        },
      ],
      { enhancerTimeoutMs: 20 },
    )
    const failures: string[] = []
    engine.on('enhancer.failed', (e) => failures.push(e.error))
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    expect(failures[0]).toContain('ENGINE_ENHANCER_TIMEOUT')
  })

  it('plan() lists the writes without making them', async () => {
    const ctx = setup({ privacy: testPrivacy, enhancers: [profiler] })
    ctx.erp.put('Student', student(1), STUDENT_CHILDREN)
    await ctx.engine.backfill()
    await ctx.store.queue.discard('all')
    ctx.erp.calls.length = 0
    const plan = await ctx.engine.plan()
    expect(plan.map((p) => p.type).sort()).toEqual(['insert', 'update'])
    expect(ctx.erp.calls).toEqual([])
  })

  it('rolls daily chat interactions up into one AI Engagement Log per student and day, exactly once', async () => {
    const { engine, erp } = setup()
    const day = Date.parse('2025-03-03T10:00:00Z')
    const interactions = [
      { studentId: 'p-1', concepts: ['fractions'], helpRequested: true, durationMs: 60_000, createdAt: day },
      {
        studentId: 'p-1',
        concepts: ['decimals', 'fractions'],
        helpRequested: false,
        durationMs: 30_000,
        createdAt: day + 1,
      },
      { studentId: 'p-2', concepts: [], helpRequested: false, durationMs: 1_000, createdAt: day + 2 },
      {
        studentId: 'p-2',
        concepts: [],
        helpRequested: false,
        durationMs: 1_000,
        createdAt: day + 86_400_000,
      },
    ]
    const resolveStudent = (id: string) => (id === 'p-1' ? 'EDU-STU-2025-00001' : 'EDU-STU-2025-00002')
    expect(await engine.rollupEngagement({ date: '2025-03-03', interactions, resolveStudent })).toBe(2)
    await engine.drain()
    await engine.rollupEngagement({ date: '2025-03-03', interactions, resolveStudent })
    await engine.drain()
    const logs = [...(erp.tables.get('AI Engagement Log')?.values() ?? [])]
    expect(logs).toHaveLength(2)
    expect(logs.find((l) => l.student === 'EDU-STU-2025-00001')).toMatchObject({
      questions_asked: 2,
      help_requests: 1,
      interaction_duration: 90,
      concepts_explored: '["decimals","fractions"]',
      independence_score: 0.5,
    })
  })

  it("reads the day's interactions from the store's ai_chat_interactions when none are passed", async () => {
    const { engine, erp, store } = setup()
    const day = Date.parse('2025-03-04T09:00:00Z')
    await store.ai.interactions.append([
      {
        studentId: 'p-9',
        sessionId: 's1',
        question: 'q',
        response: 'r',
        concepts: ['loops'],
        durationMs: 4000,
        createdAt: day,
      },
      {
        studentId: 'p-9',
        sessionId: 's1',
        question: 'q',
        response: 'r',
        helpRequested: true,
        durationMs: 2000,
        createdAt: day + 5,
      },
    ])
    expect(
      await engine.rollupEngagement({ date: '2025-03-04', resolveStudent: () => 'EDU-STU-2025-00009' }),
    ).toBe(1)
    await engine.drain()
    const [log] = [...(erp.tables.get('AI Engagement Log')?.values() ?? [])]
    expect(log).toMatchObject({
      student: 'EDU-STU-2025-00009',
      questions_asked: 2,
      help_requests: 1,
      interaction_duration: 6,
    })
  })
})
