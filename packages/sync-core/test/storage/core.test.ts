import {
  canonicalJson,
  compareModified,
  contentHash,
  createStore,
  isLeaseExpiredError,
  isStorageClosedError,
  isStorageError,
  isStorageOperationError,
  LeaseExpiredError,
  normalizeModified,
  StorageClosedError,
  StorageError,
} from '@edusync/sync-core'
import { memoryAdapter } from '@edusync/sync-core/memory'
import { describe, expect, it } from 'vitest'

describe('normalizeModified / compareModified', () => {
  it('pads an omitted or short fraction to six digits', () => {
    expect(normalizeModified('2026-01-05 10:00:00')).toBe('2026-01-05 10:00:00.000000')
    expect(normalizeModified('2026-01-05 10:00:00.5')).toBe('2026-01-05 10:00:00.500000')
    expect(normalizeModified('2026-01-05 10:00:00.123456')).toBe('2026-01-05 10:00:00.123456')
  })

  it('orders where a raw string compare gets it wrong', () => {
    // Lexically "10:00:00" < "10:00:00.000000" although they are the same instant.
    expect(compareModified('2026-01-05 10:00:00', '2026-01-05 10:00:00.000000')).toBe(0)
    expect(compareModified('2026-01-05 10:00:00.5', '2026-01-05 10:00:00.499999')).toBe(1)
    expect(compareModified('2026-01-05 09:59:59.999999', '2026-01-05 10:00:00')).toBe(-1)
  })

  it.each([
    ['ISO T separator', '2026-01-05T10:00:00'],
    ['Z suffix', '2026-01-05 10:00:00Z'],
    ['offset', '2026-01-05 10:00:00+01:00'],
    ['seven fraction digits', '2026-01-05 10:00:00.1234567'],
    ['date only', '2026-01-05'],
  ])('rejects %s', (_, value) => {
    expect(() => normalizeModified(value)).toThrow(TypeError)
  })

  it('rejects a non-string', () => {
    expect(() => normalizeModified(20260105 as never)).toThrow(TypeError)
  })
})

describe('contentHash', () => {
  it('ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, 1] } })).toBe('{"a":{"c":[2,1]},"b":1}')
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }))
  })

  it('differs when a value differs', () => {
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: '1' }))
  })

  it('is SHA-256 hex', () => {
    expect(contentHash({})).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('errors', () => {
  it('carry name, code and the package prefix, and are StorageErrors', () => {
    const error = new LeaseExpiredError('tok:1', 'complete')
    expect(error).toBeInstanceOf(StorageError)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('LeaseExpiredError')
    expect(error.code).toBe('STORAGE_LEASE_EXPIRED')
    expect(error.message.startsWith('[@edusync/sync-core] ')).toBe(true)
  })

  it('guards recognise errors by brand, not by prototype (realm-safe)', () => {
    const error = new StorageClosedError('documents.get')
    const foreign = Object.create(null, {
      [Symbol.for('@edusync/sync-core/StorageError')]: { value: true },
      code: { value: 'STORAGE_CLOSED' },
    })
    expect(isStorageClosedError(error)).toBe(true)
    expect(isStorageClosedError(foreign)).toBe(true)
    expect(isStorageError(foreign)).toBe(true)
    expect(isLeaseExpiredError(error)).toBe(false)
    expect(isStorageError(new Error('x'))).toBe(false)
    expect(isStorageError(null)).toBe(false)
  })
})

describe('createStore', () => {
  it('rejects something that is not an adapter', () => {
    expect(() => createStore({} as never)).toThrow(TypeError)
    const { queue: _, ...withoutQueue } = memoryAdapter()
    expect(() => createStore(withoutQueue as never)).toThrow(/"queue" area/)
  })

  it.each([
    ['clock', { clock: 5 }, TypeError],
    ['random', { random: 'x' }, TypeError],
    ['randomId', { randomId: null }, TypeError],
    ['maxAttempts', { maxAttempts: 0 }, RangeError],
    ['backoff.baseMs', { backoff: { baseMs: -1 } }, RangeError],
    ['backoff.maxMs', { backoff: { baseMs: 10, maxMs: 5 } }, RangeError],
    ['backoff.jitter', { backoff: { jitter: 'yes' } }, TypeError],
  ])('validates %s', (name, options, Kind) => {
    expect(() => createStore(memoryAdapter(), options as never)).toThrow(Kind)
    expect(() => createStore(memoryAdapter(), options as never)).toThrow(name)
  })

  it('is frozen, and so are its areas', () => {
    const store = createStore(memoryAdapter())
    expect(Object.isFrozen(store)).toBe(true)
    expect(Object.isFrozen(store.queue)).toBe(true)
    expect(Object.isFrozen(store.capabilities)).toBe(true)
  })

  it('jitters back-off with the injected random source', async () => {
    let now = 1_000_000
    const store = createStore(memoryAdapter(), {
      clock: () => now,
      random: () => 0,
      backoff: { baseMs: 1000, maxMs: 10_000, jitter: true },
    })
    const id = await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
    const [t] = await store.queue.lease('w', 1, 1000)
    await store.queue.fail(t!.leaseToken, 'E')
    expect((await store.queue.get(id))?.runAt).toBe(now + 500)
    now += 500
    const [t2] = await store.queue.lease('w', 1, 1000)
    await store.queue.fail(t2!.leaseToken, 'E')
    expect((await store.queue.get(id))?.runAt).toBe(now + 1000)
  })

  it('caps back-off at maxMs', async () => {
    let now = 0
    const store = createStore(memoryAdapter(), {
      clock: () => now,
      maxAttempts: 20,
      backoff: { baseMs: 1000, maxMs: 4000, jitter: false },
    })
    const id = await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
    for (let i = 0; i < 5; i++) {
      const [t] = await store.queue.lease('w', 1, 1000)
      await store.queue.fail(t!.leaseToken, 'E')
      now = (await store.queue.get(id))!.runAt
    }
    const [t] = await store.queue.lease('w', 1, 1000)
    await store.queue.fail(t!.leaseToken, 'E')
    expect((await store.queue.get(id))!.runAt - now).toBe(4000)
  })

  it('uses the injected id source for lease tokens and generated ids', async () => {
    let n = 0
    const store = createStore(memoryAdapter(), { randomId: () => `fixed-${++n}` })
    await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
    const [t] = await store.queue.lease('w', 1, 1000)
    expect(t!.leaseToken).toBe(`fixed-1:${t!.id}`)
    expect((await store.ai.insights.insert({ studentId: 's', insightType: 't', data: {} })).id).toBe(
      'fixed-2',
    )
  })

  it('re-tries open after a failed open', async () => {
    const adapter = memoryAdapter()
    let fail = true
    const flaky = {
      ...adapter,
      async open() {
        if (fail) throw new Error('database starting up')
      },
    }
    const store = createStore(flaky)
    await expect(store.open()).rejects.toMatchObject({
      code: 'STORAGE_OPERATION_FAILED',
      operation: 'open',
      cause: { message: 'database starting up' },
    })
    fail = false
    await store.open()
    expect(await store.documents.get('Student', 'A')).toBeNull()
  })

  it('wraps a driver failure in StorageOperationError with the operation, the driver code and the cause', async () => {
    const adapter = memoryAdapter()
    const failure = Object.assign(new Error('disk I/O error near "Ada Lovelace"'), { code: 'SQLITE_IOERR' })
    const broken = {
      ...adapter,
      documents: {
        ...adapter.documents,
        async get() {
          throw failure
        },
      },
    }
    const error = await createStore(broken)
      .documents.get('Student', 'A')
      .catch((e: unknown) => e)
    expect(isStorageOperationError(error)).toBe(true)
    expect(error).toMatchObject({ operation: 'documents.get', driverCode: 'SQLITE_IOERR', cause: failure })
    expect((error as Error).message).not.toContain('Ada')
  })

  it('fills in completeMany with complete() when an adapter lacks it', async () => {
    const adapter = memoryAdapter()
    const { completeMany: _, ...queue } = adapter.queue
    const store = createStore({ ...adapter, queue })
    await store.queue.enqueueMany([
      { kind: 'pull', doctype: 'Student', name: 'A' },
      { kind: 'pull', doctype: 'Student', name: 'B' },
    ])
    const tokens = (await store.queue.lease('w', 2, 1000)).map((t) => t.leaseToken)
    expect(await store.queue.completeMany([...tokens, 'unknown:1'])).toEqual({
      completed: tokens,
      expired: ['unknown:1'],
    })
    expect((await store.queue.stats()).leased).toBe(0)
  })

  it('passes misuse (TypeError) through unwrapped', async () => {
    await expect(createStore(memoryAdapter()).documents.get('', 'A')).rejects.toThrow(TypeError)
  })

  it('the store is a webhook-verifier SeenStore and privacy-toolkit stores at run time too', async () => {
    const store = createStore(memoryAdapter())
    expect(typeof store.seen.markSeen).toBe('function')
    expect(typeof store.seen.release).toBe('function')
    expect(typeof store.privacy.tombstones.isErased).toBe('function')
    await store.close()
  })
})
