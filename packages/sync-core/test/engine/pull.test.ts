import { describe, expect, it } from 'vitest'
import type { EngineStore } from '../../src/engine/ports.js'
import { toEngineStore } from '../../src/engine/store-port.js'
import type { BackfillProgress } from '../../src/engine/types.js'
import { memoryAdapter } from '../../src/memory.js'
import { createStore } from '../../src/storage/store.js'
import { STUDENT_CHILDREN, setup, student } from './helpers/fixture.js'

const TIE = '2025-02-01 10:00:00.000000'

describe('backfill and incremental pull', () => {
  it('loads every document with its children and reports progress from get_count', async () => {
    const { engine, erp, store } = setup({ pageSize: 10 })
    for (let i = 1; i <= 35; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    const progress: BackfillProgress[] = []
    const [result] = await engine.backfill(['Student'], { onProgress: (p) => progress.push(p) })
    expect(result).toMatchObject({ doctype: 'Student', fetched: 35, changed: 35, quarantined: 0 })
    expect((await store.documents.stats('Student')).count).toBe(35)
    expect(progress.at(-1)).toMatchObject({ done: 35, total: 35 })
    expect(progress.every((p) => p.total === 35)).toBe(true)
  })

  it('never skips documents that share one modified, even more than a page of them', async () => {
    const { engine, erp, store } = setup({ pageSize: 4 })
    for (let i = 1; i <= 11; i++) erp.put('Student', student(i, { modified: TIE }), STUDENT_CHILDREN)
    erp.put('Student', student(12), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    expect((await store.documents.stats('Student')).count).toBe(12)
  })

  it('resumes after a crash from the last committed page', async () => {
    const { engine, erp, store } = setup({ pageSize: 5 })
    for (let i = 1; i <= 20; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    // fail the 8th request: count, then (list + 2 children) per page → dies during page 3
    let n = 0
    const list = erp.list.bind(erp)
    erp.list = async (d, r) => {
      if (++n === 8) throw Object.assign(new Error('socket hang up'), { code: 'NETWORK' })
      return list(d, r)
    }
    await expect(engine.backfill(['Student'])).rejects.toMatchObject({ code: 'NETWORK' })
    expect((await store.documents.stats('Student')).count).toBe(10)
    erp.calls.length = 0
    const [result] = await engine.backfill(['Student'])
    expect(result?.fetched).toBe(10)
    expect((await store.documents.stats('Student')).count).toBe(20)
  })

  it("commits a page's documents and its cursor together: a failure keeps neither", async () => {
    const base = toEngineStore(
      createStore(memoryAdapter(), { clock: () => 1_750_000_000_000, random: () => 0.5 }),
    )
    let sets = 0
    // The second page's cursor write fails inside the page's transaction.
    const store: EngineStore = {
      ...base,
      transaction: (fn) =>
        base.transaction((tx) =>
          fn({
            ...tx,
            cursors: {
              ...tx.cursors,
              set: async (cursor, now) => {
                if (++sets === 2) throw new Error('injected cursor failure')
                return tx.cursors.set(cursor, now)
              },
            },
          }),
        ),
    }
    const { engine, erp } = setup({ pageSize: 5, store })
    for (let i = 1; i <= 12; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    await expect(engine.backfill(['Student'])).rejects.toThrow('injected cursor failure')
    // Page 2 was rolled back with its cursor: the mirror holds page 1 only, and the cursor is after it.
    expect((await base.documents.stats('Student')).count).toBe(5)
    expect((await base.cursors.get('default#backfill', 'Student'))?.name).toBe('EDU-STU-2025-00005')
    const [result] = await engine.backfill(['Student'])
    expect(result?.fetched).toBe(7)
    expect((await base.documents.stats('Student')).count).toBe(12)
  })

  it('pulls only what changed since the cursor', async () => {
    const { engine, erp, store } = setup({ pageSize: 50 })
    for (let i = 1; i <= 5; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    erp.edit('Student', 'EDU-STU-2025-00003', { first_name: 'Edited' })
    erp.put('Student', student(6), STUDENT_CHILDREN)
    const [result] = await engine.pull(['Student'])
    expect(result).toMatchObject({ fetched: 2, changed: 2 })
    expect((await store.documents.get('Student', 'EDU-STU-2025-00003'))?.data.first_name).toBe('Edited')
  })

  it('queues a quarantined backfill document as a visible dead letter', async () => {
    const { engine, erp } = setup()
    erp.put('Student', student(1, { first_name: '' }), STUDENT_CHILDREN)
    const [result] = await engine.backfill(['Student'])
    expect(result?.quarantined).toBe(1)
    await engine.drain()
    expect((await engine.deadLetters.list()).map((d) => d.name)).toEqual(['EDU-STU-2025-00001'])
  })
})

describe('read-through cache', () => {
  it('answers from the mirror while fresh, without a request', async () => {
    const { engine, erp } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    erp.calls.length = 0
    const doc = await engine.get('Student', 'EDU-STU-2025-00001', { maxAgeMs: 60_000 })
    expect(doc.first_name).toBe('First00001')
    expect(erp.calls).toEqual([])
  })

  it('fetches a stale document and coalesces concurrent misses into one request per list', async () => {
    const { engine, erp, clock } = setup()
    for (let i = 1; i <= 3; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    erp.edit('Student', 'EDU-STU-2025-00001', { first_name: 'New' })
    clock.now += 120_000
    erp.calls.length = 0
    const docs = await Promise.all([
      engine.get('Student', 'EDU-STU-2025-00001', { maxAgeMs: 1000 }),
      engine.get('Student', 'EDU-STU-2025-00001', { maxAgeMs: 1000 }),
      engine.get('Student', 'EDU-STU-2025-00002', { maxAgeMs: 1000 }),
    ])
    expect(docs.map((d) => d.first_name)).toEqual(['New', 'New', 'First00002'])
    expect(erp.calls.filter((c) => c.doctype === 'Student')).toHaveLength(1)
  })

  it('rejects a document that does not exist with DocumentNotFoundError', async () => {
    const { engine } = setup()
    await expect(engine.get('Student', 'EDU-STU-2025-09999')).rejects.toMatchObject({
      code: 'ENGINE_NOT_FOUND',
    })
  })

  it('preload() warms the mirror', async () => {
    const { engine, erp, store } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.preload(['Student'])
    expect(await store.documents.get('Student', 'EDU-STU-2025-00001')).not.toBeNull()
  })
})

describe('reconciliation', () => {
  async function drifted() {
    const ctx = setup()
    for (let i = 1; i <= 6; i++) ctx.erp.put('Student', student(i), STUDENT_CHILDREN)
    await ctx.engine.backfill(['Student'])
    // missed webhooks: an edit, a deletion, and a document created with an old timestamp
    ctx.erp.edit('Student', 'EDU-STU-2025-00002', { first_name: 'Edited' })
    ctx.erp.remove('Student', 'EDU-STU-2025-00003')
    ctx.erp.put('Student', student(7, { modified: '2024-01-01 00:00:00.000000' }), STUDENT_CHILDREN)
    return ctx
  }

  it('quick: compares counts and latest modified and pulls the changes', async () => {
    const { engine } = await drifted()
    const [report] = await engine.reconcile('quick', ['Student'])
    expect(report).toMatchObject({
      level: 'quick',
      inSync: false,
      erpnext: { count: 6 },
      mirror: { count: 6 },
    })
    expect(report?.repaired).toBe(1)
  })

  it('full: finds missing, stale and deleted documents, tombstones deletions and queues repairs', async () => {
    const { engine, store } = await drifted()
    const [report] = await engine.reconcile('full', ['Student'])
    expect(report).toMatchObject({
      missing: ['EDU-STU-2025-00007'],
      stale: ['EDU-STU-2025-00002'],
      deleted: ['EDU-STU-2025-00003'],
      inSync: false,
    })
    expect((await store.documents.get('Student', 'EDU-STU-2025-00003'))?.deleted).toBe(true)
    await engine.drain()
    const [again] = await engine.reconcile('full', ['Student'])
    expect(again?.inSync).toBe(true)
  })

  it('deep: finds content that differs under the same modified and repairs it directly', async () => {
    const { engine, erp, store } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    // a change that did not bump modified (e.g. a direct database fix)
    const t = erp.tables.get('Student')!
    t.set('EDU-STU-2025-00001', { ...t.get('EDU-STU-2025-00001')!, first_name: 'Fixed' })
    const [full] = await engine.reconcile('full', ['Student'])
    expect(full?.inSync).toBe(true)
    const mirrorBefore = await store.documents.get('Student', 'EDU-STU-2025-00001')
    const [deep] = await engine.reconcile('deep', ['Student'])
    expect(deep?.stale).toEqual(['EDU-STU-2025-00001'])
    // same modified: the idempotent upsert keeps the stored row; the report still names the drift
    expect(mirrorBefore).not.toBeNull()
  })

  it('schedule() runs the levels on their intervals and stops', async () => {
    const timers: { fn: () => void; ms: number }[] = []
    const { engine } = setup({
      timers: { setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout: () => undefined },
    })
    const stop = engine.schedule({ quickMs: 1000, fullMs: 2000, deepMs: 3000 })
    expect(timers.map((t) => t.ms)).toEqual([1000, 2000, 3000])
    const reports: string[] = []
    engine.on('reconcile.report', (r) => reports.push(r.level))
    timers[0]!.fn()
    await new Promise((r) => setImmediate(r))
    await new Promise((r) => setImmediate(r))
    expect(reports).toContain('quick')
    stop()
    expect(() => engine.schedule({ quickMs: 10 })).toThrow(RangeError)
  })
})
