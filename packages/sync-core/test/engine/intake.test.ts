import { describe, expect, it } from 'vitest'
import { STUDENT_CHILDREN, setup, student, webhook } from './helpers/fixture.js'

describe('intake and workers', () => {
  it('fetches a batch of documents with their child tables in a constant number of requests', async () => {
    const { engine, erp, store } = setup()
    for (let i = 1; i <= 50; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    await engine.intake(
      Array.from({ length: 50 }, (_, i) => ({ doctype: 'Student', name: student(i + 1).name as string })),
    )
    expect(await engine.drain()).toBe(50)
    // one list for the parents, one per child doctype
    expect(erp.calls).toEqual([
      { method: 'list', doctype: 'Student' },
      { method: 'list', doctype: 'Student Guardian' },
      { method: 'list', doctype: 'Student Sibling' },
    ])
    const rec = await store.documents.get('Student', 'EDU-STU-2025-00007')
    expect((rec!.data.guardians as { guardian: string }[])[0]?.guardian).toBe('EDU-GRD-2025-00007')
    expect((await engine.status()).requestsPerDocument).toBeCloseTo(3 / 50)
  })

  it('coalesces several events for one document into one task', async () => {
    const { engine, erp, store } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    for (let i = 0; i < 5; i++)
      await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001', event: 'on_update' })
    expect((await store.queue.stats()).pending).toBe(1)
    expect(await engine.drain()).toBe(1)
  })

  it('applies the same version twice without changing the mirror', async () => {
    const { engine, erp, store } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    const first = await store.documents.get('Student', 'EDU-STU-2025-00001')
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    expect(await store.documents.get('Student', 'EDU-STU-2025-00001')).toEqual(first)
  })

  it('quarantines an invalid document with its issues and applies the rest of the batch', async () => {
    const { engine, erp, store } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    erp.put('Student', student(2, { first_name: '' }), STUDENT_CHILDREN)
    const quarantined: string[] = []
    engine.on('document.quarantined', (e) => quarantined.push(e.name))
    await engine.intake([
      { doctype: 'Student', name: 'EDU-STU-2025-00001' },
      { doctype: 'Student', name: 'EDU-STU-2025-00002' },
    ])
    await engine.drain()
    expect(await store.documents.get('Student', 'EDU-STU-2025-00001')).not.toBeNull()
    expect(await store.documents.get('Student', 'EDU-STU-2025-00002')).toBeNull()
    expect(quarantined).toEqual(['EDU-STU-2025-00002'])
    const dead = await engine.deadLetters.list()
    expect(dead.map((d) => d.name)).toEqual(['EDU-STU-2025-00002'])
    expect(dead[0]?.lastError).toContain('first_name: required')
  })

  it('tombstones a document that no longer exists in ERPNext', async () => {
    const { engine, erp, store } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    erp.remove('Student', 'EDU-STU-2025-00001')
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001', event: 'on_trash' })
    await engine.drain()
    expect((await store.documents.get('Student', 'EDU-STU-2025-00001'))?.deleted).toBe(true)
  })

  it('encrypts PII before it reaches the store', async () => {
    const { testPrivacy } = await import('./helpers/fixture.js')
    const { engine, erp, store } = setup({ privacy: testPrivacy })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    const rec = await store.documents.get('Student', 'EDU-STU-2025-00001')
    expect(JSON.stringify(rec)).not.toContain('s00001@school.test')
    expect((await engine.get('Student', 'EDU-STU-2025-00001')).student_email_id).toBe('s00001@school.test')
  })

  it('refuses malformed events in intake()', async () => {
    const { engine } = setup()
    await expect(engine.intake({ doctype: 'Nope', name: 'x' })).rejects.toThrow(TypeError)
  })

  it('runs as background workers and stops gracefully', async () => {
    const { engine, erp, store } = setup({ pollIntervalMs: 5 })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    const applied = new Promise((resolve) => engine.on('document.applied', resolve))
    engine.start({ concurrency: 2 })
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await applied
    await engine.stop()
    expect((await engine.status()).running).toBe(false)
    expect(await store.documents.get('Student', 'EDU-STU-2025-00001')).not.toBeNull()
  })
})

describe('webhookHandler', () => {
  const event = {
    doctype: 'Student',
    name: 'EDU-STU-2025-00001',
    event: 'on_update',
    modified: '2025-01-01 00:00:00.001000',
  }

  it('accepts a signed event and enqueues it before answering', async () => {
    const { engine, store } = setup()
    const res = await engine.webhookHandler()(webhook(event))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ accepted: 1 })
    expect((await store.queue.stats()).pending).toBe(1)
  })

  it('rejects a mis-signed body with 401', async () => {
    const { engine, store } = setup()
    const res = await engine.webhookHandler()(webhook(event, 'AAAA'))
    expect(res.status).toBe(401)
    expect((await store.queue.stats()).pending).toBe(0)
  })

  it('rejects a body that is not JSON with 400', async () => {
    const { engine } = setup()
    expect((await engine.webhookHandler()(webhook('{nope'))).status).toBe(400)
  })

  it('rejects an event without a name with 422', async () => {
    const { engine } = setup()
    expect((await engine.webhookHandler()(webhook({ doctype: 'Student' }))).status).toBe(422)
  })

  it('rejects an event whose modified is not an ERPNext timestamp with 422', async () => {
    const { engine } = setup()
    expect(
      (await engine.webhookHandler()(webhook({ ...event, modified: '2025-01-01T00:00:00Z' }))).status,
    ).toBe(422)
  })

  it('rejects an oversized body with 413', async () => {
    const { engine } = setup({ maxWebhookBytes: 64 })
    expect((await engine.webhookHandler()(webhook({ ...event, pad: 'x'.repeat(100) }))).status).toBe(413)
  })

  it('rejects other methods with 405', async () => {
    const { engine } = setup()
    expect((await engine.webhookHandler()(new Request('http://127.0.0.1/hook'))).status).toBe(405)
  })

  it('answers a replayed delivery as a duplicate without enqueueing twice', async () => {
    const { engine, store } = setup()
    const handler = engine.webhookHandler()
    await handler(webhook(event))
    await engine.drain()
    const res = await handler(webhook(event))
    expect(await res.json()).toEqual({ accepted: 0, duplicate: true })
    expect((await store.queue.stats()).pending).toBe(0)
  })

  it('answers 503 when the store is down so ERPNext retries', async () => {
    const { engine, store } = setup()
    await store.close()
    expect((await engine.webhookHandler()(webhook(event))).status).toBe(503)
  })

  it('needs a verifier', () => {
    const { engine } = setup({ verifyWebhook: undefined })
    expect(() => engine.webhookHandler()).toThrow(TypeError)
  })
})
