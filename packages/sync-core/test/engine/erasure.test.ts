/**
 * Erasure reaches every mirrored copy of a student: the Student itself and every configured doctype whose
 * subject field names the student, on the memory, SQLite and PostgreSQL stores.
 */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { EngineStore, ErpDoc } from '../../src/engine/ports.js'
import { type ErasureHeldError, isErasureHeldError } from '../../src/engine/errors.js'
import { toEngineStore } from '../../src/engine/store-port.js'
import { memoryAdapter } from '../../src/memory.js'
import { postgresAdapter } from '../../src/postgres.js'
import { sqliteAdapter } from '../../src/sqlite.js'
import { type Store, createStore } from '../../src/storage/store.js'
import { PG_URL, pgSkipReason, uniqueSchema } from '../storage/pg-env.js'
import { STUDENT_CHILDREN, setup, student, testPrivacy } from './helpers/fixture.js'

const S1 = 'EDU-STU-2025-00001'
const S2 = 'EDU-STU-2025-00002'
const ERASED = '9999-12-31 23:59:59.999999'
const T0 = 1_750_000_000_000

const DOCTYPES = {
  Student: { children: STUDENT_CHILDREN, aiFields: ['ai_learning_profile'] },
  'Course Enrollment': { aiFields: ['ai_progress_note'] },
  'Student Attendance': {},
  Guardian: {},
  'Assessment Insight': { idempotencyField: 'idempotency_key' },
}

const enrollment = (name: string, s: string, extra: ErpDoc = {}): ErpDoc => ({
  name,
  student: s,
  student_name: `Name of ${s}`,
  course: 'MATH-101',
  ai_progress_note: null,
  ...extra,
})
const attendance = (name: string, s: string): ErpDoc => ({
  name,
  student: s,
  student_name: `Name of ${s}`,
  status: 'Present',
  date: '2025-02-03',
})

const pgSkip = await pgSkipReason()
const pool = pgSkip ? undefined : new pg.Pool({ connectionString: PG_URL, max: 4 })
const schemas: string[] = []
let files = 0
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})
afterAll(async () => {
  if (!pool) return
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await pool.end()
})

const stores: { name: string; skip: string | false; make: (clock: () => number) => Store }[] = [
  {
    name: 'memory',
    skip: false,
    make: (clock) => createStore(memoryAdapter(), { clock, random: () => 0.5 }),
  },
  {
    name: 'sqlite',
    skip: false,
    make: (clock) => {
      const filename = join(tmpdir(), `edusync-erasure-${process.pid}-${Date.now()}-${++files}.db`)
      const store = createStore(sqliteAdapter({ filename, synchronous: 'normal' }), {
        clock,
        random: () => 0.5,
      })
      cleanups.push(async () => {
        await store.close()
        for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true })
      })
      return store
    },
  },
  {
    name: 'postgres',
    skip: pgSkip,
    make: (clock) => {
      const schema = uniqueSchema('erase')
      schemas.push(schema)
      const store = createStore(postgresAdapter({ client: pool!, schema }), { clock, random: () => 0.5 })
      cleanups.push(() => store.close())
      return store
    },
  },
]

/** Every mirrored document of a doctype, deleted ones included. */
async function mirrored(store: Store, doctype: string) {
  return (await store.documents.list(doctype, { includeDeleted: true, limit: 1000 })).items
}

/** An engine store whose transactions fail while they write `doctype`, `failures` times. */
function failingOn(store: Store, doctype: string, failures: { left: number }): EngineStore {
  const base = toEngineStore(store)
  return {
    ...base,
    transaction: (fn) =>
      base.transaction((tx) =>
        fn({
          ...tx,
          documents: {
            ...tx.documents,
            upsertMany: async (rows, now) => {
              if (failures.left > 0 && rows.some((r) => r.doctype === doctype)) {
                failures.left--
                throw new Error('injected store failure')
              }
              return tx.documents.upsertMany(rows, now)
            },
          },
        }),
      ),
  }
}

for (const kind of stores) {
  describe.skipIf(kind.skip)(
    `erasure reaches every mirrored copy (${kind.name})`,
    { timeout: 60_000 },
    () => {
      function rig(options: { enhance?: boolean; failOn?: { doctype: string; left: number } } = {}) {
        const clock = { now: T0 }
        const store = kind.make(() => clock.now)
        const enhancers = options.enhance
          ? {
              privacy: testPrivacy,
              enhancers: [
                {
                  name: 'progress',
                  doctypes: ['Course Enrollment'],
                  enhance: ({ name, view }: { name: string; view: ErpDoc }) => ({
                    fields: { ai_progress_note: `on track (${name})` },
                    documents: [
                      {
                        doctype: 'Assessment Insight',
                        key: `insight:${name}`,
                        doc: { student: String(view.student), insight: 'steady' },
                      },
                    ],
                  }),
                },
              ],
            }
          : {}
        const ctx = setup({
          store: options.failOn ? failingOn(store, options.failOn.doctype, options.failOn) : store,
          doctypes: DOCTYPES,
          now: () => clock.now,
          ...enhancers,
        })
        const { erp } = ctx
        erp.put('Student', student(1), STUDENT_CHILDREN)
        erp.put('Student', student(2), STUDENT_CHILDREN)
        erp.put('Course Enrollment', enrollment('CE-1', S1))
        erp.put('Course Enrollment', enrollment('CE-2', S2))
        erp.put('Course Enrollment', enrollment('CE-3', S1))
        erp.put('Student Attendance', attendance('ATT-1', S1))
        erp.put('Student Attendance', attendance('ATT-2', S1))
        erp.put('Student Attendance', attendance('ATT-3', S2))
        erp.put('Guardian', { name: 'EDU-GRD-2025-00001', guardian_name: 'Parent One' })
        return { ...ctx, store, clock }
      }

      const of = (docs: { name: string }[], names: string[]) => docs.filter((d) => names.includes(d.name))

      it('replaces the student and every enrollment and attendance of theirs, deleted ones too, and nothing else', async () => {
        const { engine, erp, store, clock } = rig()
        await engine.backfill()
        // CE-3 is deleted in ERPNext: the mirror keeps the row (with the student's data) as a tombstone.
        erp.remove('Course Enrollment', 'CE-3')
        await engine.reconcile('full', ['Course Enrollment'])
        expect((await store.documents.get('Course Enrollment', 'CE-3'))?.deleted).toBe(true)
        clock.now += 1000

        const result = await engine.privacy.erase('Student', S1, 'dsr-1')
        expect(result.documents).toEqual([
          { doctype: 'Student', count: 1 },
          { doctype: 'Course Enrollment', count: 2 },
          { doctype: 'Student Attendance', count: 2 },
        ])
        for (const [doctype, names] of [
          ['Student', [S1]],
          ['Course Enrollment', ['CE-1', 'CE-3']],
          ['Student Attendance', ['ATT-1', 'ATT-2']],
        ] as const) {
          const docs = of(await mirrored(store, doctype), [...names])
          expect(docs).toHaveLength(names.length)
          for (const d of docs)
            expect(d).toMatchObject({ data: {}, modified: ERASED, deleted: true, base: null })
        }
        // The other student's copies and unrelated doctypes are untouched.
        expect((await store.documents.get('Student', S2))?.data.first_name).toBe('First00002')
        expect((await store.documents.get('Course Enrollment', 'CE-2'))?.data.student).toBe(S2)
        expect((await store.documents.get('Student Attendance', 'ATT-3'))?.data.student).toBe(S2)
        expect((await store.documents.get('Guardian', 'EDU-GRD-2025-00001'))?.deleted).toBe(false)

        // Audited with counts and the request id, without the student's identifiers or data.
        const audit = (await store.audit.query({ limit: 1000 })).filter((a) => a.type.startsWith('privacy.'))
        expect(audit.map((a) => [a.type, a.doctype, a.name, a.error])).toEqual(
          expect.arrayContaining([
            [
              'privacy.erase',
              'Student',
              null,
              'request dsr-1: 1 replaced, 0 tasks cancelled, 0 reviews purged',
            ],
            [
              'privacy.erase',
              'Course Enrollment',
              null,
              'request dsr-1: 2 replaced, 0 tasks cancelled, 0 reviews purged',
            ],
            [
              'privacy.erase',
              'Student Attendance',
              null,
              'request dsr-1: 2 replaced, 0 tasks cancelled, 0 reviews purged',
            ],
            [
              'privacy.erase.done',
              'Student',
              null,
              'request dsr-1: 5 documents in 3 doctypes, 0 pseudonym mappings',
            ],
          ]),
        )
        const text = JSON.stringify(audit)
        for (const secret of [S1, 'First00001', 's00001@school.test', 'CE-1', 'ATT-1'])
          expect(text).not.toContain(secret)
      })

      it('refuses while the student is under a legal hold, erasing and tombstoning nothing', async () => {
        const { engine, store } = rig()
        await engine.backfill()
        const flags = {
          directoryOptOut: false,
          restricted: false,
          objectedPurposes: [],
          legalHold: true,
          updatedAt: new Date(T0),
        }
        await store.privacy.consent.set('default', S1, flags)
        const refused = await engine.privacy.erase('Student', S1, 'dsr-held').catch((e: unknown) => e)
        expect(isErasureHeldError(refused)).toBe(true)
        expect((refused as ErasureHeldError).code).toBe('ENGINE_ERASURE_HELD')
        expect(await store.privacy.tombstones.isErased('default', S1, 'Student')).toBe(false)
        expect((await store.documents.get('Student', S1))?.data.first_name).toBe('First00001')
        expect((await store.documents.get('Course Enrollment', 'CE-1'))?.data.student).toBe(S1)
        const audit = await store.audit.query({ limit: 1000 })
        expect(audit.find((a) => a.type === 'privacy.erase.held')?.error).toBe('request dsr-held: legal hold')
        // Lifted, the same request goes through.
        await store.privacy.consent.set('default', S1, { ...flags, legalHold: false })
        const done = await engine.privacy.erase('Student', S1, 'dsr-held')
        expect(done.documents.reduce((n, d) => n + d.count, 0)).toBe(5)
      })

      it("deletes the pseudonym mappings of the student, so the AI layer's pseudonyms stop resolving", async () => {
        const { engine, store } = rig()
        await engine.backfill()
        const entry = (pseudonym: string, subjectId: string) => ({
          pseudonym,
          tenant: 'default',
          purpose: 'analytics',
          keyId: 'v1',
          subjectId,
          createdAt: new Date(T0),
        })
        await store.privacy.reidentification.put(entry(`psn_v1_${'1'.repeat(40)}`, S1))
        await store.privacy.reidentification.put(entry(`psn_v1_${'2'.repeat(40)}`, S2))
        const result = await engine.privacy.erase('Student', S1, 'dsr-psn')
        expect(result.pseudonymMappings).toBe(1)
        expect(await store.privacy.reidentification.resolve(`psn_v1_${'1'.repeat(40)}`)).toBeUndefined()
        expect((await store.privacy.reidentification.resolve(`psn_v1_${'2'.repeat(40)}`))?.subjectId).toBe(S2)
        expect(await engine.privacy.erase('Student', S1, 'dsr-psn')).toEqual({
          documents: [],
          pseudonymMappings: 0,
        })
      })

      it('a later webhook, pull, backfill or reconciliation resurrects none of it; a repeat erase is a no-op', async () => {
        const { engine, erp, store, clock } = rig()
        await engine.backfill()
        await engine.privacy.erase('Student', S1, 'dsr-2')
        clock.now += 1000
        erp.edit('Student', S1, { first_name: 'Again' })
        erp.edit('Course Enrollment', 'CE-1', { course: 'PHYS-101' })
        erp.edit('Student Attendance', 'ATT-2', { status: 'Absent' })
        erp.put('Course Enrollment', enrollment('CE-9', S1))
        const hook = await engine.webhookHandler({ verify: () => true })(
          new Request('http://127.0.0.1/hook', {
            method: 'POST',
            body: JSON.stringify([
              {
                doctype: 'Student',
                name: S1,
                modified: String(erp.tables.get('Student')!.get(S1)!.modified),
              },
              { doctype: 'Course Enrollment', name: 'CE-1' },
              { doctype: 'Course Enrollment', name: 'CE-9' },
            ]),
          }),
        )
        expect(hook.status).toBe(200)
        await engine.drain()
        await engine.pull()
        await engine.backfill(undefined, { restart: true })
        await engine.reconcile('full')
        await engine.reconcile('deep')
        await engine.drain()
        for (const [doctype, names] of [
          ['Student', [S1]],
          ['Course Enrollment', ['CE-1', 'CE-3']],
          ['Student Attendance', ['ATT-1', 'ATT-2']],
        ] as const)
          for (const d of of(await mirrored(store, doctype), [...names]))
            expect(d).toMatchObject({ data: {}, modified: ERASED, deleted: true })
        // A new enrollment of the erased student is never mirrored.
        expect(await store.documents.get('Course Enrollment', 'CE-9')).toBeNull()

        const before = await Promise.all(
          ['Student', 'Course Enrollment', 'Student Attendance'].map((d) => mirrored(store, d)),
        )
        clock.now += 1000
        expect((await engine.privacy.erase('Student', S1, 'dsr-2')).documents).toEqual([])
        expect((await engine.privacy.erase('Student', S1, 'dsr-3')).documents).toEqual([])
        const after = await Promise.all(
          ['Student', 'Course Enrollment', 'Student Attendance'].map((d) => mirrored(store, d)),
        )
        expect(after).toEqual(before)
      })

      it('cancels queued write-backs and AI inserts of the erased documents: nothing is pushed to ERPNext', async () => {
        const { engine, erp, store } = rig({ enhance: true })
        await engine.backfill()
        // The enhancer queued a push (bulk_update) and an insert for every enrollment; none has run yet.
        expect((await store.queue.stats()).byKind).toMatchObject({
          push: { pending: 3 },
          insert: { pending: 3 },
        })
        const result = await engine.privacy.erase('Student', S1, 'dsr-4')
        expect(result.documents).toContainEqual({ doctype: 'Course Enrollment', count: 2 })
        // The pushes of CE-1 and CE-3 are gone from the queue.
        expect((await store.queue.stats()).byKind.push?.pending).toBe(1)
        await engine.drain()
        const remote = erp.tables.get('Course Enrollment')!
        expect(remote.get('CE-2')?.ai_progress_note).toBe('on track (CE-2)')
        expect(remote.get('CE-1')?.ai_progress_note).toBeNull()
        expect(remote.get('CE-3')?.ai_progress_note).toBeNull()
        // The insert derived from the erased student's enrollments is dropped by the tombstone check.
        const insights = [...(erp.tables.get('Assessment Insight')?.values() ?? [])]
        expect(insights.map((d) => d.idempotency_key)).toEqual(['insight:CE-2'])
        expect((await store.queue.stats()).pending + (await store.queue.stats()).dead).toBe(0)
      })

      it('deletes the review items, open and resolved, of the erased documents: no row keeps their values', async () => {
        const { engine, store, clock } = rig()
        await engine.backfill()
        // Conflicts as the engine records them: the field's base, the AI layer's and ERPNext's values.
        const conflict = (doctype: string, name: string, field: string, values: string[]) =>
          store.reviews.create({
            doctype,
            name,
            field,
            base: values[0]!,
            local: values[1]!,
            remote: values[2]!,
            reason: 'manual_review',
          })
        const open = await conflict('Student', S1, 'first_name', ['First00001', 'Firsty', 'F. One'])
        const resolved = await conflict('Course Enrollment', 'CE-1', 'ai_progress_note', [
          'needs help with fractions',
          'behind in MATH-101',
          'struggling',
        ])
        const other = await conflict('Student', S2, 'first_name', ['First00002', 'Second', 'S. Two'])
        await engine.reviews.resolve(resolved.id, 'local', 'teacher-1')
        expect((await store.reviews.get(resolved.id))?.resolution).toBe('behind in MATH-101')
        clock.now += 1000

        await engine.privacy.erase('Student', S1, 'dsr-reviews')
        const rows = await store.reviews.list({ limit: 1000 })
        expect(rows.map((r) => r.id)).toEqual([other.id])
        expect(await store.reviews.get(open.id)).toBeNull()
        expect(await store.reviews.get(resolved.id)).toBeNull()
        const held = JSON.stringify(rows)
        for (const value of [
          S1,
          'CE-1',
          'First00001',
          'Firsty',
          'F. One',
          'needs help with fractions',
          'behind in MATH-101',
          'struggling',
        ])
          expect(held).not.toContain(value)
        // The other student's item is untouched; the audit counts what was purged, by doctype only.
        expect(await store.reviews.get(other.id)).toEqual(other)
        const audit = await store.audit.query({ type: 'privacy.erase', limit: 100 })
        expect(audit.map((a) => [a.doctype, a.error])).toEqual(
          expect.arrayContaining([
            ['Student', 'request dsr-reviews: 1 replaced, 0 tasks cancelled, 1 reviews purged'],
            ['Course Enrollment', 'request dsr-reviews: 2 replaced, 1 tasks cancelled, 1 reviews purged'],
          ]),
        )
      })

      it('a crash between doctypes is finished by a retry of the same request', async () => {
        const failOn = { doctype: 'Student Attendance', left: 0 }
        const { engine, store } = rig({ failOn })
        await engine.backfill()
        failOn.left = 1
        await expect(engine.privacy.erase('Student', S1, 'dsr-5')).rejects.toThrow('injected store failure')
        // Student and enrollments were committed; attendance rolled back whole and still holds the data.
        expect((await store.documents.get('Student', S1))?.modified).toBe(ERASED)
        expect((await store.documents.get('Course Enrollment', 'CE-1'))?.modified).toBe(ERASED)
        expect((await store.documents.get('Student Attendance', 'ATT-1'))?.data.student).toBe(S1)
        expect((await store.documents.get('Student Attendance', 'ATT-2'))?.data.student).toBe(S1)

        const retry = await engine.privacy.erase('Student', S1, 'dsr-5')
        expect(retry.documents).toEqual([{ doctype: 'Student Attendance', count: 2 }])
        for (const name of ['ATT-1', 'ATT-2'])
          expect(await store.documents.get('Student Attendance', name)).toMatchObject({
            data: {},
            modified: ERASED,
          })
        expect((await store.privacy.tombstones.list('default', S1)).map((t) => t.requestId)).toEqual([
          'dsr-5',
        ])
      })
    },
  )
}

describe('erasure racing a write-back', () => {
  it('a push refused with TimestampMismatchError is not retried once its document is erased meanwhile', async () => {
    const clock = { now: T0 }
    const store = createStore(memoryAdapter(), { clock: () => clock.now, random: () => 0.5 })
    const { engine, erp } = setup({
      store,
      doctypes: DOCTYPES,
      now: () => clock.now,
      privacy: testPrivacy,
      enhancers: [
        {
          name: 'progress',
          doctypes: ['Course Enrollment'],
          enhance: ({ name }) => ({ fields: { ai_progress_note: `on track (${name})` } }),
        },
      ],
    })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    erp.put('Course Enrollment', enrollment('CE-1', S1))
    erp.put('Course Enrollment', enrollment('CE-2', S2))
    await engine.backfill()
    const bulkUpdate = erp.bulkUpdate.bind(erp)
    let first = true
    erp.bulkUpdate = async (items) => {
      if (first) {
        // While the push is in flight, CE-1 changes in ERPNext (its item is refused) and S1 is erased.
        first = false
        erp.edit('Course Enrollment', 'CE-1', { course: 'PHYS-101' })
        await engine.privacy.erase('Student', S1, 'dsr-race')
      }
      return bulkUpdate(items)
    }
    await engine.drain()
    const remote = erp.tables.get('Course Enrollment')!
    expect(remote.get('CE-2')?.ai_progress_note).toBe('on track (CE-2)')
    expect(remote.get('CE-1')?.ai_progress_note).toBeNull()
    expect(erp.calls.filter((c) => c.method === 'bulk_update')).toHaveLength(1)
    expect((await store.documents.get('Course Enrollment', 'CE-1'))?.modified).toBe(ERASED)
  })
})

describe('erasure on a store without reviews.purgeDocuments', () => {
  it('closes the open review items of the erased documents, the most the rest of the contract allows', async () => {
    const clock = { now: T0 }
    const store = createStore(memoryAdapter(), { clock: () => clock.now, random: () => 0.5 })
    const base = toEngineStore(store)
    const { purgeDocuments: _, ...reviews } = base.reviews
    const bare: EngineStore = {
      ...base,
      reviews,
      transaction: (fn) =>
        base.transaction((tx) => {
          const { purgeDocuments: __, ...txReviews } = tx.reviews
          return fn({ ...tx, reviews: txReviews })
        }),
    }
    const { engine, erp } = setup({ store: bare, doctypes: DOCTYPES, now: () => clock.now })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    erp.put('Student', student(2), STUDENT_CHILDREN)
    await engine.backfill()
    const input = { doctype: 'Student', field: 'first_name', base: 'a', local: 'b', remote: 'c' }
    const mine = await store.reviews.create({ ...input, name: S1 })
    const theirs = await store.reviews.create({ ...input, name: S2 })
    await engine.privacy.erase('Student', S1, 'dsr-bare')
    expect(await store.reviews.get(mine.id)).toMatchObject({
      status: 'resolved',
      resolution: null,
      resolvedBy: 'privacy.erase',
    })
    expect((await store.reviews.get(theirs.id))?.status).toBe('open')
    const [audit] = await store.audit.query({ type: 'privacy.erase', limit: 1 })
    expect(audit?.error).toBe('request dsr-bare: 1 replaced, 0 tasks cancelled, 0 reviews purged')
  })
})

describe('erasure through the privacy-toolkit subject source', () => {
  it('erases per record, rows deleted in ERPNext included, and a record of another subject is refused', async () => {
    const clock = { now: T0 }
    const store = createStore(memoryAdapter(), { clock: () => clock.now, random: () => 0.5 })
    const { engine, erp } = setup({ store, doctypes: DOCTYPES, now: () => clock.now })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    erp.put('Course Enrollment', enrollment('CE-1', S1))
    erp.put('Course Enrollment', enrollment('CE-2', S2))
    erp.put('Course Enrollment', enrollment('CE-3', S1))
    await engine.backfill()
    erp.remove('Course Enrollment', 'CE-3')
    await engine.reconcile('full', ['Course Enrollment'])
    const source = engine.privacy.source
    expect((await source.read('default', S1, 'Course Enrollment')).map((r) => r.id).sort()).toEqual([
      'CE-1',
      'CE-3',
    ])
    // A deleted document has nowhere to take a correction.
    expect(await source.rectify('default', S1, 'Course Enrollment', 'CE-3', { course: 'X' })).toBe(false)
    expect(await source.erase('default', S1, 'Course Enrollment', 'CE-2', { type: 'delete' })).toBe(false)
    for (const id of ['CE-1', 'CE-3'])
      expect(await source.erase('default', S1, 'Course Enrollment', id, { type: 'delete' })).toBe(true)
    expect(await source.erase('default', S1, 'Course Enrollment', 'CE-1', { type: 'delete' })).toBe(false)
    expect(await source.listKinds('default', S1)).toEqual([{ kind: 'Student', origin: 'mirror', count: 1 }])
    expect((await store.documents.get('Course Enrollment', 'CE-2'))?.data.student).toBe(S2)
  })
})

/**
 * An engine store whose tombstone check runs `erase` when `fire(call)` says so (call counts from 1), and
 * answers with what the tombstones held before: the erasure commits just after the check, as when it races
 * a batch in another process.
 */
function erasingAfterCheck(store: Store, fire: (call: number, ids: readonly string[]) => boolean) {
  const base = toEngineStore(store)
  const tombstones = base.privacy.tombstones
  let calls = 0
  const hook = { erase: async () => {}, fired: 0 }
  const engineStore: EngineStore = {
    ...base,
    privacy: {
      ...base.privacy,
      tombstones: {
        ...tombstones,
        erasedAmong: async (tenant, ids, kind) => {
          const before = await tombstones.erasedAmong!(tenant, ids, kind)
          if (fire(++calls, ids)) {
            hook.fired++
            await hook.erase()
          }
          return before
        },
      },
    },
  }
  return { engineStore, hook }
}

describe('erasure racing a batch: what the batch writes after the erasure looked is removed too', () => {
  it('a pull that checked the tombstones just before the erasure: its new copy is replaced after commit', async () => {
    const clock = { now: T0 }
    const store = createStore(memoryAdapter(), { clock: () => clock.now, random: () => 0.5 })
    let armed = false
    const { engineStore, hook } = erasingAfterCheck(
      store,
      (_, ids) => armed && ids.includes('Course Enrollment:CE-9'),
    )
    const { engine, erp } = setup({ store: engineStore, doctypes: DOCTYPES, now: () => clock.now })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill()
    // A new enrollment of S1 is pulled while S1 is erased: the erasure scans the mirror before the copy lands.
    erp.put('Course Enrollment', enrollment('CE-9', S1))
    hook.erase = async () => {
      armed = false
      await engine.privacy.erase('Student', S1, 'dsr-late')
    }
    armed = true
    await engine.intake({ doctype: 'Course Enrollment', name: 'CE-9' })
    await engine.drain()
    expect(hook.fired).toBe(1)
    expect(await store.documents.get('Course Enrollment', 'CE-9')).toMatchObject({
      data: {},
      modified: ERASED,
      deleted: true,
    })
    const audit = await store.audit.query({ type: 'privacy.erase', limit: 10 })
    expect(audit.map((a) => a.error)).toContain(
      'erased during sync: 1 replaced, 0 tasks cancelled, 0 reviews purged',
    )
    // Nothing of the student is left anywhere in the mirror.
    for (const doctype of ['Student', 'Course Enrollment'])
      for (const d of await mirrored(store, doctype)) expect(JSON.stringify(d.data)).not.toContain(S1)
  })

  it('a write-back conflict decided after the erasure looked: its review items are purged', async () => {
    const clock = { now: T0 }
    const store = createStore(memoryAdapter(), { clock: () => clock.now, random: () => 0.5 })
    let armedAt = Number.POSITIVE_INFINITY
    // After the refused push, S1's tombstones are checked three times: by the re-fetch before and after its
    // commit, then by the push itself just before it decides. The erasure lands right after that last one.
    let seen = 0
    const { engineStore, hook } = erasingAfterCheck(
      store,
      (call, ids) => call >= armedAt && ids.includes(S1) && ++seen === 3,
    )
    const { engine, erp } = setup({
      store: engineStore,
      doctypes: DOCTYPES,
      now: () => clock.now,
      privacy: testPrivacy,
      rules: {
        resolve: (q: { fields: readonly string[] }) => ({ write: {}, review: [...q.fields] }),
      } as never,
      enhancers: [
        {
          name: 'profile',
          doctypes: ['Student'],
          enhance: () => ({ fields: { ai_learning_profile: '{"v":1}' } }),
        },
      ],
    })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill()
    const created: unknown[] = []
    engine.on('review.created', (e) => created.push(e))
    const bulkUpdate = erp.bulkUpdate.bind(erp)
    let first = true
    erp.bulkUpdate = async (items) => {
      if (first) {
        // A teacher edits the AI field meanwhile: the push is refused, re-fetched, and decided for review.
        first = false
        erp.edit('Student', S1, { ai_learning_profile: '{"teacher":true}' })
        armedAt = 0
      }
      return bulkUpdate(items)
    }
    hook.erase = async () => {
      armedAt = Number.POSITIVE_INFINITY
      await engine.privacy.erase('Student', S1, 'dsr-review')
    }
    await engine.drain()
    expect(hook.fired).toBe(1)
    expect(await store.reviews.list({ status: 'open' })).toEqual([])
    expect(created).toEqual([])
  })
})
