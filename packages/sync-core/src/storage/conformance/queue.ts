import { describe, expect, it } from 'vitest'
import { isLeaseExpiredError } from '../errors.js'
import type { EnqueueInput } from '../store.js'
import type { SuiteContext } from './context.js'

const task = (over: Partial<EnqueueInput> = {}): EnqueueInput => ({
  kind: 'pull',
  doctype: 'Student',
  name: 'EDU-STU-2026-00001',
  ...over,
})

export function queueTests(get: () => SuiteContext): void {
  describe('queue', () => {
    it('enqueues a pending task with defaults', async () => {
      const { store, now } = get()
      const id = await store.queue.enqueue(
        task({ payload: { event: 'on_update' }, modified: '2026-01-05 10:00:00' }),
      )
      expect(await store.queue.get(id)).toMatchObject({
        id,
        kind: 'pull',
        doctype: 'Student',
        name: 'EDU-STU-2026-00001',
        payload: { event: 'on_update' },
        modified: '2026-01-05 10:00:00',
        priority: 0,
        runAt: now,
        attempts: 0,
        maxAttempts: 3,
        state: 'pending',
        lastError: null,
        worker: null,
        leaseToken: null,
        leaseExpiresAt: null,
      })
    })

    it('coalesces a second event for the same document and kind into the pending task', async () => {
      const { store, now } = get()
      const a = await store.queue.enqueue(
        task({ modified: '2026-01-05 10:00:00', payload: { v: 1 }, runAt: now + 5000 }),
      )
      const b = await store.queue.enqueue(
        task({ modified: '2026-01-05 10:00:01', payload: { v: 2 }, priority: 5 }),
      )
      expect(b).toBe(a)
      const t = await store.queue.get(a)
      expect(t).toMatchObject({ payload: { v: 2 }, modified: '2026-01-05 10:00:01', priority: 5, runAt: now })
      expect((await store.queue.stats()).pending).toBe(1)
    })

    it('keeps the newer payload when an older event arrives late', async () => {
      const { store } = get()
      const a = await store.queue.enqueue(task({ modified: '2026-01-05 10:00:01', payload: { v: 2 } }))
      await store.queue.enqueue(task({ modified: '2026-01-05 10:00:00.5', payload: { v: 1 } }))
      expect(await store.queue.get(a)).toMatchObject({ payload: { v: 2 }, modified: '2026-01-05 10:00:01' })
    })

    it('does not coalesce different kinds or documents', async () => {
      const { store } = get()
      const ids = await store.queue.enqueueMany([
        task(),
        task({ kind: 'writeback' }),
        task({ name: 'OTHER' }),
      ])
      expect(new Set(ids).size).toBe(3)
    })

    it('leases due tasks by priority, then run time, and not future ones', async () => {
      const { store, now } = get()
      const low = await store.queue.enqueue(task({ name: 'low' }))
      const high = await store.queue.enqueue(task({ name: 'high', priority: 10 }))
      await store.queue.enqueue(task({ name: 'later', runAt: now + 60_000 }))
      const leased = await store.queue.lease('w1', 10, 30_000)
      expect(leased.map((t) => t.id)).toEqual([high, low])
      for (const t of leased) {
        expect(t).toMatchObject({ state: 'leased', worker: 'w1', attempts: 1, leaseExpiresAt: now + 30_000 })
        expect(typeof t.leaseToken).toBe('string')
      }
      expect(new Set(leased.map((t) => t.leaseToken)).size).toBe(2)
    })

    it('honours the lease limit and the kind/doctype filter', async () => {
      const { store } = get()
      await store.queue.enqueueMany([
        task({ name: 'a' }),
        task({ name: 'b' }),
        task({ name: 'c', doctype: 'Guardian' }),
        task({ name: 'd', kind: 'writeback' }),
      ])
      expect(await store.queue.lease('w', 1, 1000)).toHaveLength(1)
      const guardians = await store.queue.lease('w', 10, 1000, { doctype: 'Guardian' })
      expect(guardians.map((t) => t.name)).toEqual(['c'])
      const writebacks = await store.queue.lease('w', 10, 1000, { kind: 'writeback' })
      expect(writebacks.map((t) => t.name)).toEqual(['d'])
    })

    it('never hands a live lease to a second worker', async () => {
      const { store } = get()
      await store.queue.enqueueMany(Array.from({ length: 5 }, (_, i) => task({ name: `n${i}` })))
      const first = await store.queue.lease('w1', 3, 30_000)
      const second = await store.queue.lease('w2', 10, 30_000)
      expect(first).toHaveLength(3)
      expect(second).toHaveLength(2)
      const ids = [...first, ...second].map((t) => t.id)
      expect(new Set(ids).size).toBe(5)
      expect(await store.queue.lease('w3', 10, 30_000)).toEqual([])
    })

    it('hands each task to exactly one of many concurrent lease calls', async () => {
      const { store } = get()
      await store.queue.enqueueMany(Array.from({ length: 60 }, (_, i) => task({ name: `n${i}` })))
      const batches = await Promise.all(
        Array.from({ length: 8 }, (_, w) => store.queue.lease(`w${w}`, 10, 30_000)),
      )
      const ids = batches.flat().map((t) => t.id)
      expect(ids).toHaveLength(60)
      expect(new Set(ids).size).toBe(60)
    })

    it('completes a task under a live lease and removes it', async () => {
      const { store } = get()
      const id = await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 30_000)
      await store.queue.complete(t!.leaseToken)
      expect(await store.queue.get(id)).toBeNull()
      expect((await store.queue.stats()).leased).toBe(0)
    })

    it('completes many tasks at once and reports the tokens whose lease expired', async () => {
      const { store, tick } = get()
      await store.queue.enqueueMany([task({ name: 'a' }), task({ name: 'b' })])
      const [a] = await store.queue.lease('w', 1, 1000)
      tick(1000)
      const second = await store.queue.lease('w2', 2, 1000)
      expect(second.map((t) => t.id).sort()).toContain(a!.id)
      const b = second.find((t) => t.id !== a!.id)
      const result = await store.queue.completeMany([b!.leaseToken, a!.leaseToken, b!.leaseToken])
      expect(result).toEqual({ completed: [b!.leaseToken], expired: [a!.leaseToken] })
      expect(await store.queue.get(b!.id)).toBeNull()
      expect((await store.queue.get(a!.id))?.worker).toBe('w2')
      expect(await store.queue.completeMany([])).toEqual({ completed: [], expired: [] })
    })

    it('refuses to complete with an expired lease token (typed error)', async () => {
      const { store, tick } = get()
      await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 1000)
      tick(1000)
      const error = await store.queue.complete(t!.leaseToken).catch((e: unknown) => e)
      expect(isLeaseExpiredError(error)).toBe(true)
      expect(error).toMatchObject({ name: 'LeaseExpiredError', code: 'STORAGE_LEASE_EXPIRED' })
    })

    it('refuses to complete twice', async () => {
      const { store } = get()
      await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 1000)
      await store.queue.complete(t!.leaseToken)
      await expect(store.queue.complete(t!.leaseToken)).rejects.toMatchObject({
        code: 'STORAGE_LEASE_EXPIRED',
      })
    })

    it('lets another worker take over an expired lease, and refuses the old token', async () => {
      const { store, tick } = get()
      const id = await store.queue.enqueue(task())
      const [old] = await store.queue.lease('w1', 1, 1000)
      tick(1500)
      const [taken] = await store.queue.lease('w2', 1, 1000)
      expect(taken).toMatchObject({ id, worker: 'w2', attempts: 2 })
      expect(taken!.leaseToken).not.toBe(old!.leaseToken)
      await expect(store.queue.complete(old!.leaseToken)).rejects.toMatchObject({
        code: 'STORAGE_LEASE_EXPIRED',
      })
      await store.queue.complete(taken!.leaseToken)
    })

    it('renews a live lease and refuses to renew an expired one', async () => {
      const { store, tick, now } = get()
      await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 1000)
      tick(900)
      expect(await store.queue.renew(t!.leaseToken, 1000)).toBe(now + 1900)
      tick(900)
      expect(await store.queue.lease('other', 1, 1000)).toEqual([])
      await store.queue.complete(t!.leaseToken)
      await store.queue.enqueue(task({ name: 'x' }))
      const [u] = await store.queue.lease('w', 1, 1000)
      tick(1000)
      await expect(store.queue.renew(u!.leaseToken, 1000)).rejects.toMatchObject({
        code: 'STORAGE_LEASE_EXPIRED',
      })
    })

    it('retries a failed task after exponential back-off', async () => {
      const { store, tick } = get()
      const id = await store.queue.enqueue(task())
      const [t1] = await store.queue.lease('w', 1, 1000)
      expect(await store.queue.fail(t1!.leaseToken, 'E_TIMEOUT')).toBe('retry')
      const after1 = await store.queue.get(id)
      expect(after1).toMatchObject({
        state: 'pending',
        attempts: 1,
        lastError: 'E_TIMEOUT',
        runAt: get().now + 1000,
      })
      expect(await store.queue.lease('w', 1, 1000)).toEqual([])
      tick(1000)
      const [t2] = await store.queue.lease('w', 1, 1000)
      await store.queue.fail(t2!.leaseToken, 'E_TIMEOUT')
      expect((await store.queue.get(id))?.runAt).toBe(get().now + 2000)
    })

    it('honours an explicit retry delay', async () => {
      const { store } = get()
      const id = await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 1000)
      await store.queue.fail(t!.leaseToken, 'E_RATE_LIMIT', { retryInMs: 30_000 })
      expect((await store.queue.get(id))?.runAt).toBe(get().now + 30_000)
    })

    it('dead-letters after the maximum attempts', async () => {
      const { store, tick } = get()
      const id = await store.queue.enqueue(task())
      const outcomes: string[] = []
      for (let i = 0; i < 3; i++) {
        const [t] = await store.queue.lease('w', 1, 1000)
        outcomes.push(await store.queue.fail(t!.leaseToken, `E${i}`))
        tick(60_000)
      }
      expect(outcomes).toEqual(['retry', 'retry', 'dead'])
      expect(await store.queue.get(id)).toMatchObject({
        state: 'dead',
        attempts: 3,
        lastError: 'E2',
        leaseToken: null,
      })
      expect(await store.queue.lease('w', 1, 1000)).toEqual([])
      expect((await store.queue.listDead()).map((t) => t.id)).toEqual([id])
    })

    it('dead-letters at once when asked', async () => {
      const { store } = get()
      const id = await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 1000)
      expect(await store.queue.fail(t!.leaseToken, 'E_INVALID', { deadLetter: true })).toBe('dead')
      expect((await store.queue.get(id))?.state).toBe('dead')
    })

    it('refuses to fail with an expired lease', async () => {
      const { store, tick } = get()
      await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 1000)
      tick(1000)
      await expect(store.queue.fail(t!.leaseToken, 'E')).rejects.toMatchObject({
        code: 'STORAGE_LEASE_EXPIRED',
      })
    })

    it('a new event during a lease makes a new pending task; a failure then defers to it', async () => {
      const { store } = get()
      const first = await store.queue.enqueue(task({ modified: '2026-01-05 10:00:00' }))
      const [t] = await store.queue.lease('w', 1, 1000)
      const second = await store.queue.enqueue(task({ modified: '2026-01-05 10:00:05' }))
      expect(second).not.toBe(first)
      expect(await store.queue.fail(t!.leaseToken, 'E')).toBe('superseded')
      expect(await store.queue.get(first)).toBeNull()
      expect((await store.queue.get(second))?.state).toBe('pending')
    })

    it('re-drives dead letters with attempts reset, and discards them', async () => {
      const { store } = get()
      const [a, b] = await store.queue.enqueueMany([task({ name: 'a' }), task({ name: 'b' })])
      for (const t of await store.queue.lease('w', 2, 1000))
        await store.queue.fail(t.leaseToken, 'E', { deadLetter: true })
      expect(await store.queue.redrive([a!])).toBe(1)
      expect(await store.queue.get(a!)).toMatchObject({ state: 'pending', attempts: 0, runAt: get().now })
      expect(await store.queue.discard('all')).toBe(1)
      expect(await store.queue.get(b!)).toBeNull()
      expect(await store.queue.redrive([])).toBe(0)
    })

    it('re-drive drops a dead letter whose document already has a pending task', async () => {
      const { store } = get()
      const dead = await store.queue.enqueue(task())
      const [t] = await store.queue.lease('w', 1, 1000)
      await store.queue.fail(t!.leaseToken, 'E', { deadLetter: true })
      const pending = await store.queue.enqueue(task())
      expect(await store.queue.redrive('all')).toBe(0)
      expect(await store.queue.get(dead)).toBeNull()
      expect((await store.queue.get(pending))?.state).toBe('pending')
    })

    it('cancel (when declared) deletes the pending and dead tasks of the named documents, not leased ones', async (t) => {
      const { store, adapter } = get()
      if (!adapter.queue.cancel || !store.queue.cancel)
        return t.skip('the adapter does not declare queue.cancel')
      const [dead, leased] = await store.queue.enqueueMany([
        task({ name: 'a', kind: 'push' }),
        task({ name: 'b', kind: 'push' }),
      ])
      for (const l of await store.queue.lease('w', 2, 1000))
        if (l.id === dead) await store.queue.fail(l.leaseToken, 'E', { deadLetter: true })
      const [pendingA, pendingC, other, otherDoctype] = await store.queue.enqueueMany([
        task({ name: 'a', kind: 'enhance' }),
        task({ name: 'c' }),
        task({ name: 'd' }),
        task({ name: 'a', doctype: 'Guardian' }),
      ])
      expect(await store.queue.cancel('Student', ['a', 'b', 'c', 'c', 'nothing'])).toBe(3)
      for (const id of [dead, pendingA, pendingC]) expect(await store.queue.get(id!)).toBeNull()
      expect((await store.queue.get(leased!))?.state).toBe('leased')
      expect((await store.queue.get(other!))?.state).toBe('pending')
      expect((await store.queue.get(otherDoctype!))?.state).toBe('pending')
      expect(await store.queue.cancel('Student', [])).toBe(0)
      expect(await store.queue.cancel('Student', ['a'])).toBe(0)
      await expect(store.queue.cancel('', ['a'])).rejects.toThrow(TypeError)
      await expect(store.queue.cancel('Student', [''])).rejects.toThrow(TypeError)
    })

    it('pages dead letters and filters them by kind', async () => {
      const { store } = get()
      await store.queue.enqueueMany([
        task({ name: 'a' }),
        task({ name: 'b' }),
        task({ name: 'c', kind: 'writeback' }),
      ])
      for (const t of await store.queue.lease('w', 3, 1000))
        await store.queue.fail(t.leaseToken, 'E', { deadLetter: true })
      const page1 = await store.queue.listDead({ limit: 2 })
      const page2 = await store.queue.listDead({ limit: 2, afterId: page1[1]!.id })
      expect([...page1, ...page2].map((t) => t.name)).toEqual(['a', 'b', 'c'])
      expect((await store.queue.listDead({ kind: 'writeback' })).map((t) => t.name)).toEqual(['c'])
    })

    it('reclaims expired leases back to pending, dead-lettering exhausted ones', async () => {
      const { store, tick } = get()
      const [a, b] = await store.queue.enqueueMany([task({ name: 'a' }), task({ name: 'b', maxAttempts: 1 })])
      await store.queue.lease('w', 2, 1000)
      tick(1000)
      expect(await store.queue.reclaimExpired()).toEqual({ requeued: 1, dead: 1 })
      expect(await store.queue.get(a!)).toMatchObject({
        state: 'pending',
        worker: null,
        lastError: 'lease expired',
      })
      expect((await store.queue.get(b!))?.state).toBe('dead')
    })

    it('reports queue depth by state and kind, and the oldest pending run time', async () => {
      const { store, now, tick } = get()
      await store.queue.enqueueMany([task({ name: 'a' }), task({ name: 'b', kind: 'writeback' })])
      tick(10)
      await store.queue.enqueue(task({ name: 'c' }))
      await store.queue.lease('w', 1, 1000, { kind: 'writeback' })
      expect(await store.queue.stats()).toEqual({
        pending: 2,
        leased: 1,
        dead: 0,
        byKind: { pull: { pending: 2, leased: 0, dead: 0 }, writeback: { pending: 0, leased: 1, dead: 0 } },
        oldestPendingRunAt: now,
      })
    })

    it('rejects invalid lease arguments', async () => {
      const { store } = get()
      await expect(store.queue.lease('', 1, 1000)).rejects.toThrow(TypeError)
      await expect(store.queue.lease('w', 0, 1000)).rejects.toThrow(RangeError)
      await expect(store.queue.lease('w', 1, 0)).rejects.toThrow(RangeError)
    })
  })
}
