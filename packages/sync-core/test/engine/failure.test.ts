import { describe, expect, it } from 'vitest'
import { createSyncEngine } from '../../src/engine/engine.js'
import {
  CircuitOpenError,
  DocumentInvalidError,
  EnhancerError,
  WebhookRejectedError,
  isCircuitOpenError,
  isDocumentInvalidError,
  isEnhancerError,
  isSyncEngineError,
  isWebhookRejectedError,
} from '../../src/engine/errors.js'
import { STUDENT_CHILDREN, setup, student, testPrivacy } from './helpers/fixture.js'

const serverError = () => Object.assign(new Error('HTTP 502'), { code: 'SERVER', status: 502 })

describe('retries, dead letters and the circuit breaker', () => {
  it('retries a failed task with back-off, then succeeds', async () => {
    const { engine, erp, store, clock } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    erp.failNext(1, serverError)
    await engine.drain()
    const [task] = await store.queue.listDead()
    expect(task).toBeUndefined()
    const stats = await store.queue.stats()
    expect(stats.pending).toBe(1)
    expect(stats.oldestPendingRunAt).toBeGreaterThan(clock.now)
    expect(await engine.drain()).toBe(0) // not due yet
    clock.now += 120_000
    await engine.drain()
    expect(await store.documents.get('Student', 'EDU-STU-2025-00001')).not.toBeNull()
  })

  it('dead-letters after maxAttempts and re-drives on retry()', async () => {
    const { engine, erp, store, clock } = setup({ maxAttempts: 2, circuit: { failureThreshold: 100 } })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    // each attempt makes three concurrent requests (parents and two child tables): fail two attempts
    erp.failNext(6, serverError)
    await engine.drain()
    clock.now += 600_000
    await engine.drain()
    const dead = await engine.deadLetters.list()
    expect(dead).toHaveLength(1)
    expect(dead[0]?.lastError).toContain('SERVER')
    expect((await engine.status()).deadLetters).toBe(1)
    expect(await engine.deadLetters.retry('all')).toBe(1)
    await engine.drain()
    expect(await store.documents.get('Student', 'EDU-STU-2025-00001')).not.toBeNull()
  })

  it('discards dead letters on request', async () => {
    const { engine, erp } = setup()
    erp.put('Student', student(1, { first_name: '' }), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    const [dead] = await engine.deadLetters.list()
    expect(await engine.deadLetters.discard([dead!.id])).toBe(1)
    expect(await engine.deadLetters.list()).toEqual([])
  })

  it('opens the circuit after repeated failures, pauses requests, and closes after a successful probe', async () => {
    const { engine, erp, clock } = setup({ circuit: { failureThreshold: 2, openMs: 5000 } })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    const states: string[] = []
    engine.on('circuit.changed', (e) => states.push(e.state))
    erp.failNext(3, serverError)
    // one read = three concurrent requests; their failures open the circuit
    await expect(engine.get('Student', 'EDU-STU-2025-00001')).rejects.toMatchObject({ code: 'SERVER' })
    const calls = erp.calls.length
    const error = await engine.get('Student', 'EDU-STU-2025-00001').catch((e: unknown) => e)
    expect(isCircuitOpenError(error)).toBe(true)
    expect(erp.calls.length).toBe(calls)
    expect((await engine.status()).circuit.state).toBe('open')
    clock.now += 5000
    expect((await engine.get('Student', 'EDU-STU-2025-00001')).name).toBe('EDU-STU-2025-00001')
    expect(states).toEqual(['open', 'half-open', 'closed'])
  })

  it('reports queue depth, requests per document, errors and circuit state in status()', async () => {
    const { engine, erp } = setup()
    for (let i = 1; i <= 4; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    await engine.intake([1, 2, 3, 4].map((i) => ({ doctype: 'Student', name: student(i).name as string })))
    const before = await engine.status()
    expect(before.queue.byKind.pull?.pending).toBe(4)
    await engine.drain()
    const after = await engine.status()
    expect(after).toMatchObject({
      documentsSynced: 4,
      requests: 3,
      deadLetters: 0,
      openReviews: 0,
      circuit: { state: 'closed', retryAt: null },
    })
    expect(after.requestsPerDocument).toBe(0.75)
    expect(after.lag.Student?.lastLatencyMs).toBe(0)
    expect(after.throughput).toBeGreaterThan(0)
  })

  it('calls OpenTelemetry-style hooks for every operation and request', async () => {
    const spans: string[] = []
    const requests: string[] = []
    const { engine, erp } = setup({
      hooks: {
        trace: (name, _attrs, fn) => {
          spans.push(name)
          return fn()
        },
        onRequest: (info) => requests.push(`${info.operation}:${info.doctype}:${info.ok}`),
      },
    })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    expect(spans).toEqual(['edusync.pull'])
    expect(requests).toEqual(['list:Student:true', 'list:Student Guardian:true', 'list:Student Sibling:true'])
  })

  it('writes an audit entry for every operation, without document contents', async () => {
    const { engine, erp, store } = setup({ privacy: testPrivacy })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.webhookHandler()(
      (await import('./helpers/fixture.js')).webhook({ doctype: 'Student', name: 'EDU-STU-2025-00001' }),
    )
    await engine.drain()
    const audit = (await store.audit.query()).reverse()
    const types = audit.map((a) => a.type)
    expect(types).toEqual(['webhook.received', 'document.applied'])
    expect(JSON.stringify(audit)).not.toMatch(/school\.test|First00001/)
  })
})

describe('privacy requests', () => {
  it('access() returns the decrypted document with its audit trail', async () => {
    const { engine, erp } = setup({ privacy: testPrivacy })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    const result = await engine.privacy.access('Student', 'EDU-STU-2025-00001')
    expect(result.document?.student_email_id).toBe('s00001@school.test')
    expect(result.audit.map((a) => a.type)).toContain('document.applied')
  })

  it('rectify() re-reads the document from ERPNext', async () => {
    const { engine, erp, store } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    erp.edit('Student', 'EDU-STU-2025-00001', { first_name: 'Corrected' })
    await engine.privacy.rectify('Student', 'EDU-STU-2025-00001')
    expect((await store.documents.get('Student', 'EDU-STU-2025-00001'))?.data.first_name).toBe('Corrected')
  })

  it('erase() removes the mirrored data and re-sync does not bring it back', async () => {
    let enhanced = 0
    const { engine, erp, store } = setup({
      privacy: testPrivacy,
      enhancers: [{ name: 'count', doctypes: ['Student'], enhance: () => void enhanced++ }],
    })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    expect(enhanced).toBe(1)
    await engine.privacy.erase('Student', 'EDU-STU-2025-00001', 'dsr-42')
    const erased = await store.documents.get('Student', 'EDU-STU-2025-00001')
    expect(erased?.data).toEqual({})
    erp.edit('Student', 'EDU-STU-2025-00001', { first_name: 'Again' })
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    await engine.reconcile('full', ['Student'])
    await engine.drain()
    expect((await store.documents.get('Student', 'EDU-STU-2025-00001'))?.data).toEqual({})
    expect(enhanced).toBe(1)
  })
})

describe('privacy source (SubjectDataSource over the mirror)', () => {
  async function synced() {
    const ctx = setup({ privacy: testPrivacy })
    ctx.erp.put('Student', student(1), STUDENT_CHILDREN)
    ctx.erp.put('Student', student(2), STUDENT_CHILDREN)
    await ctx.engine.backfill(['Student'])
    return ctx
  }

  it('lists and reads what the mirror holds about a student, decrypted', async () => {
    const { engine } = await synced()
    const source = engine.privacy.source
    expect(await source.listKinds('default', 'EDU-STU-2025-00001')).toEqual([
      { kind: 'Student', origin: 'mirror', count: 1 },
    ])
    const [record] = await source.read('default', 'EDU-STU-2025-00001', 'Student')
    expect(record?.data.student_email_id).toBe('s00001@school.test')
    expect(await source.listKinds('default', 'EDU-STU-2025-09999')).toEqual([])
  })

  it('rectify() writes the correction back to ERPNext', async () => {
    const { engine, erp } = await synced()
    expect(
      await engine.privacy.source.rectify('default', 'EDU-STU-2025-00001', 'Student', 'EDU-STU-2025-00001', {
        first_name: 'Right',
      }),
    ).toBe(true)
    await engine.drain()
    expect(erp.tables.get('Student')?.get('EDU-STU-2025-00001')?.first_name).toBe('Right')
  })

  it('erase() replaces the mirrored copy and re-sync does not restore it', async () => {
    const { engine, store } = await synced()
    expect(
      await engine.privacy.source.erase('default', 'EDU-STU-2025-00002', 'Student', 'EDU-STU-2025-00002', {
        type: 'replace',
        data: { name: 'EDU-STU-2025-00002', first_name: 'erased' },
      }),
    ).toBe(true)
    await engine.backfill(['Student'], { restart: true })
    expect((await store.documents.get('Student', 'EDU-STU-2025-00002'))?.data.first_name).toBe('erased')
    expect(
      await engine.privacy.source.erase('default', 'EDU-STU-2025-00002', 'Student', 'nope', {
        type: 'delete',
      }),
    ).toBe(false)
  })
})

describe('privacy retention', () => {
  it('purges audit entries and chat interactions past their limits', async () => {
    const { engine, erp, store, clock } = setup()
    erp.put('Student', student(1), STUDENT_CHILDREN)
    await engine.backfill(['Student'])
    await store.ai.interactions.append([
      { studentId: 'p-1', sessionId: 's', question: 'q', response: 'r', createdAt: clock.now },
    ])
    clock.now += 10 * 86_400_000
    const result = await engine.privacy.retention({
      auditMaxAgeMs: 86_400_000,
      interactionsMaxAgeMs: 86_400_000,
    })
    expect(result.audit).toBeGreaterThan(0)
    expect(result.interactions).toBe(1)
    expect((await store.audit.query()).map((a) => a.type)).toEqual(['privacy.retention'])
  })

  it('rejects a negative limit', async () => {
    const { engine } = setup()
    await expect(engine.privacy.retention({ auditMaxAgeMs: -1 })).rejects.toThrow(RangeError)
  })
})

describe('options', () => {
  const valid = () => setup().options

  it('accepts the valid fixture', () => {
    expect(() => createSyncEngine(valid())).not.toThrow()
  })

  it('requires a client', () => {
    expect(() => createSyncEngine({ ...valid(), client: undefined as never })).toThrow(/"client"/)
  })

  it('requires a store with the engine areas', () => {
    expect(() => createSyncEngine({ ...valid(), store: { transaction() {} } as never })).toThrow(/"store"/)
  })

  it('requires at least one doctype', () => {
    expect(() => createSyncEngine({ ...valid(), doctypes: {} })).toThrow(RangeError)
  })

  it('rejects a batchSize out of range', () => {
    expect(() => createSyncEngine({ ...valid(), batchSize: 0 })).toThrow(/batchSize/)
  })

  it('rejects a non-integer leaseMs', () => {
    expect(() => createSyncEngine({ ...valid(), leaseMs: 1.5 })).toThrow(TypeError)
  })

  it('requires a privacy policy when enhancers are given', () => {
    expect(() =>
      createSyncEngine({
        ...valid(),
        enhancers: [{ name: 'x', doctypes: ['Student'], enhance: () => undefined }],
      }),
    ).toThrow(/"privacy"/)
  })

  it('rejects an enhancer for an unconfigured doctype', () => {
    expect(() =>
      createSyncEngine({
        ...valid(),
        privacy: testPrivacy,
        enhancers: [{ name: 'x', doctypes: ['Course'], enhance: () => undefined }],
      }),
    ).toThrow(/Course/)
  })

  it('rejects a workerId with a colon', () => {
    expect(() => createSyncEngine({ ...valid(), workerId: 'a:b' })).toThrow(/workerId/)
  })

  it('rejects a batchWaitMs above one second', () => {
    expect(() => createSyncEngine({ ...valid(), batchWaitMs: 1001 })).toThrow(/batchWaitMs/)
  })

  it('rejects start() with a bad concurrency', () => {
    expect(() => createSyncEngine(valid()).start({ concurrency: 0 })).toThrow(RangeError)
  })
})

describe('errors', () => {
  it('carry a literal name, a stable code and a prefixed message, and are recognised across realms', () => {
    const errors = [
      new CircuitOpenError(0),
      new DocumentInvalidError('Student', 'S-1', ['first_name: required']),
      new EnhancerError('e', 'it threw', new Error('x')),
      new WebhookRejectedError(401, 'bad signature'),
    ]
    for (const e of errors) {
      expect(e.message.startsWith('[@edusync/sync-core] ')).toBe(true)
      expect(isSyncEngineError(e)).toBe(true)
      expect(typeof e.code).toBe('string')
    }
    expect(errors.map((e) => e.name)).toEqual([
      'CircuitOpenError',
      'DocumentInvalidError',
      'EnhancerError',
      'WebhookRejectedError',
    ])
    expect(isDocumentInvalidError(errors[1])).toBe(true)
    expect(isEnhancerError(errors[2])).toBe(true)
    expect((errors[2] as EnhancerError).cause).toBeInstanceOf(Error)
    expect(isWebhookRejectedError(errors[0])).toBe(false)
    // a plain object from another realm carrying the brand is recognised, a look-alike without it is not
    const foreign = Object.assign(Object.create(null), {
      name: 'CircuitOpenError',
      code: 'ENGINE_CIRCUIT_OPEN',
    })
    expect(isCircuitOpenError(foreign)).toBe(false)
    foreign[Symbol.for('@edusync/sync-core/SyncEngineError')] = true
    expect(isCircuitOpenError(foreign)).toBe(true)
  })
})
