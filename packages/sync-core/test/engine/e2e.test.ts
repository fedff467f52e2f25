/**
 * End to end: the real @edusync/erpnext-emulator HTTP server on loopback, the real @edusync/erpnext-client,
 * a real store, and the engine.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { strip, type E2E, registerWebhook, serve, startE2E } from './helpers/e2e.js'
import { testPrivacy } from './helpers/fixture.js'

let e: E2E | undefined
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
  await e?.close()
  e = undefined
})

describe('end to end against the emulator', () => {
  it('backfills students with guardians and enrollments; the mirror equals ERPNext', async () => {
    e = await startE2E({ seedSize: 40 })
    const results = await e.engine.backfill(['Student', 'Guardian', 'Program Enrollment'])
    for (const r of results) expect(r.quarantined).toBe(0)
    for (const doctype of ['Student', 'Guardian', 'Program Enrollment']) {
      const remote = e.erp.emulator.inspect.documents(doctype)
      expect(remote.length).toBeGreaterThan(0)
      expect((await e.store.documents.stats(doctype)).count).toBe(remote.length)
      for (const doc of remote.slice(0, 5)) {
        const mirrored = await e.store.documents.get(doctype, String(doc.name))
        expect(strip(mirrored!.data)).toEqual(strip(doc))
      }
    }
    const status = await e.engine.status()
    expect(status.requestsPerDocument).toBeLessThan(0.2)
  })

  it('receives signed webhooks from ERPNext and applies the change', async () => {
    e = await startE2E({ seedSize: 5 })
    await e.engine.backfill(['Student'])
    const hook = await serve(e.engine.webhookHandler())
    closers.push(hook.close)
    await registerWebhook(e, 'Student', hook.url)
    const [first] = e.erp.emulator.inspect.documents('Student')
    await e.client.docUntyped('Student').update(String(first!.name), { middle_name: 'Webhooked' } as never)
    await e.erp.emulator.inspect.webhooksIdle()
    expect(await e.engine.drain()).toBeGreaterThan(0)
    const mirrored = await e.store.documents.get('Student', String(first!.name))
    expect(mirrored?.data.middle_name).toBe('Webhooked')
  })

  it('writes AI fields back with bulk_update and inserts insights exactly once', async () => {
    e = await startE2E(
      { seedSize: 6 },
      {
        privacy: testPrivacy,
        enhancers: [
          {
            name: 'profiler',
            doctypes: ['Student'],
            enhance: ({ name }) => ({
              fields: { ai_learning_profile: { style: 'visual' } },
              documents: [
                {
                  doctype: 'AI Engagement Log',
                  key: `eng:${name}`,
                  doc: { student: name, session_date: '2025-01-06' },
                },
              ],
            }),
          },
        ],
      },
    )
    await e.engine.backfill(['Student'])
    await e.engine.drain()
    const students = e.erp.emulator.inspect.documents('Student')
    for (const s of students) expect(JSON.parse(String(s.ai_learning_profile))).toEqual({ style: 'visual' })
    expect(e.erp.emulator.inspect.count(/bulk_update/)).toBe(1)
    const logs = e.erp.emulator.inspect.documents('AI Engagement Log')
    expect(logs).toHaveLength(students.length)
    // a second round (re-sync of everything) neither pushes nor inserts again
    await e.engine.backfill(['Student'], { restart: true })
    await e.engine.drain()
    expect(e.erp.emulator.inspect.documents('AI Engagement Log')).toHaveLength(students.length)
  })

  it('merges an AI write three-way when ERPNext changed the field since the AI computed it', async () => {
    // (A stale `modified` in bulk_update is also refused by real ERPNext with TimestampMismatchError; the
    // emulator currently accepts it, so this test drives the other conflict path: a changed base.)
    e = await startE2E(
      { seedSize: 2 },
      {
        privacy: testPrivacy,
        enhancers: [
          {
            name: 'summary',
            doctypes: ['Student'],
            enhance: () => ({ fields: { ai_interaction_summary: 'ai summary' } }),
          },
        ],
      },
    )
    const conflicts: string[][] = []
    e.engine.on('writeback.conflict', (c) => conflicts.push([...c.fields]))
    const [first] = e.erp.emulator.inspect.documents('Student')
    // a first save links the student's Customer (ERPNext's Student.on_update), so the teacher's edit below
    // changes nothing but the AI field
    await e.client.docUntyped('Student').update(String(first!.name), { middle_name: 'M' } as never)
    await e.engine.backfill(['Student'])
    await e.client
      .docUntyped('Student')
      .update(String(first!.name), { ai_interaction_summary: 'teacher notes' } as never)
    await e.engine.pull(['Student'])
    await e.engine.drain()
    expect(conflicts).toEqual([['ai_interaction_summary']])
    // ai_* fields are ai_wins under conflict-rules' defaults
    for (const s of e.erp.emulator.inspect.documents('Student'))
      expect(s.ai_interaction_summary).toBe('ai summary')
  })
})
