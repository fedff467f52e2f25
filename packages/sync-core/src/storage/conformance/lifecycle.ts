import { describe, expect, it } from 'vitest'
import { isStorageClosedError } from '../errors.js'
import type { SuiteContext } from './context.js'

export function lifecycleTests(get: () => SuiteContext): void {
  describe('lifecycle', () => {
    it('declares the expected capabilities', () => {
      const { adapter, options } = get()
      expect({ ...adapter.capabilities }).toEqual({ ...options.capabilities })
    })

    it('opens once even when asked concurrently', async () => {
      const { store } = get()
      await Promise.all([store.open(), store.open(), store.documents.stats('Student')])
      expect(store.closed).toBe(false)
    })

    it('refuses every call after close with StorageClosedError', async () => {
      const { store } = get()
      await store.close()
      await store.close()
      expect(store.closed).toBe(true)
      const error = await store.documents.get('Student', 'A').catch((e: unknown) => e)
      expect(isStorageClosedError(error)).toBe(true)
      expect(error).toMatchObject({ name: 'StorageClosedError', code: 'STORAGE_CLOSED' })
      await expect(store.queue.lease('w', 1, 1000)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' })
      await expect(store.privacy.consent.get('t', 's')).rejects.toMatchObject({ code: 'STORAGE_CLOSED' })
      await expect(store.open()).rejects.toMatchObject({ code: 'STORAGE_CLOSED' })
      await expect(store.transaction(async () => 1)).rejects.toMatchObject({ code: 'STORAGE_CLOSED' })
    })
  })
}

export function transactionTests(get: () => SuiteContext): void {
  describe('transactions', () => {
    it('commits every write of the function together', async () => {
      const { store } = get()
      await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
      const [task] = await store.queue.lease('w', 1, 30_000)
      const result = await store.transaction(async (tx) => {
        await tx.documents.upsert({
          doctype: 'Student',
          name: 'A',
          modified: '2026-01-05 10:00:00',
          data: { a: 1 },
        })
        await tx.audit.append({ type: 'document.applied', status: 'ok', doctype: 'Student', name: 'A' })
        await tx.queue.complete(task!.leaseToken)
        return 'done'
      })
      expect(result).toBe('done')
      expect(await store.documents.get('Student', 'A')).not.toBeNull()
      expect(await store.audit.query()).toHaveLength(1)
      expect(await store.queue.get(task!.id)).toBeNull()
    })

    it('rolls every write back when the function throws', async () => {
      const { store } = get()
      const id = await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
      const [task] = await store.queue.lease('w', 1, 30_000)
      const failure = new Error('enhancer exploded')
      await expect(
        store.transaction(async (tx) => {
          await tx.documents.upsert({
            doctype: 'Student',
            name: 'A',
            modified: '2026-01-05 10:00:00',
            data: { a: 1 },
          })
          await tx.queue.complete(task!.leaseToken)
          await tx.ai.insights.insert({ id: 'i', studentId: 's', insightType: 't', data: {} })
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(await store.documents.get('Student', 'A')).toBeNull()
      expect(await store.ai.insights.get('i')).toBeNull()
      expect((await store.queue.get(id))?.state).toBe('leased')
    })

    it('rolls back when a typed storage error is thrown inside', async () => {
      const { store, tick } = get()
      await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
      const [task] = await store.queue.lease('w', 1, 1000)
      tick(2000)
      await expect(
        store.transaction(async (tx) => {
          await tx.cursors.set({ site: 's', doctype: 'Student', modified: '2026-01-05 10:00:00', name: 'A' })
          await tx.queue.complete(task!.leaseToken)
        }),
      ).rejects.toMatchObject({ code: 'STORAGE_LEASE_EXPIRED' })
      expect(await store.cursors.get('s', 'Student')).toBeNull()
    })

    it('serialises concurrent transactions on a single connection (no lost updates)', async (ctx) => {
      const { store, adapter } = get()
      // Multi-process databases run transactions at their default isolation (READ COMMITTED on
      // PostgreSQL): atomic, but a read-modify-write across connections is not serialised.
      if (adapter.capabilities.multiProcess) ctx.skip()
      await store.cursors.set({ site: 's', doctype: 'Counter', modified: '2026-01-05 10:00:00', name: '0' })
      await Promise.all(
        Array.from({ length: 10 }, () =>
          store.transaction(async (tx) => {
            const c = await tx.cursors.get('s', 'Counter')
            await tx.cursors.set({
              site: 's',
              doctype: 'Counter',
              modified: c!.modified,
              name: String(Number(c!.name) + 1),
            })
          }),
        ),
      )
      expect((await store.cursors.get('s', 'Counter'))?.name).toBe('10')
    })
  })
}

export function durabilityTests(get: () => SuiteContext): void {
  describe('durability', () => {
    it('keeps every area across close and reopen (migrations run once)', async () => {
      const { store } = get()
      await store.documents.upsert({
        doctype: 'Student',
        name: 'A',
        modified: '2026-01-05 10:00:00',
        data: { a: 1 },
      })
      const id = await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
      await store.audit.append({ type: 'x', status: 'ok' })
      await store.seen.markSeen('evt', 60_000)
      const other = await get().reopen()
      expect((await other.documents.get('Student', 'A'))?.data).toEqual({ a: 1 })
      expect((await other.queue.get(id))?.state).toBe('pending')
      expect(await other.audit.query()).toHaveLength(1)
      expect(await other.seen.markSeen('evt', 60_000)).toBe(false)
    })
  })
}

export function multiConnectionTests(get: () => SuiteContext): void {
  describe('leases across connections (multiProcess)', () => {
    it('four connections leasing concurrently complete every task exactly once', async () => {
      const { store } = get()
      const total = 300
      await store.queue.enqueueMany(
        Array.from({ length: total }, (_, i) => ({ kind: 'pull', doctype: 'Student', name: `S-${i}` })),
      )
      const stores = [store, await get().reopen(), await get().reopen(), await get().reopen()]
      const seen = new Map<number, string>()
      const duplicates: number[] = []
      await Promise.all(
        stores.map(async (s, w) => {
          for (;;) {
            const batch = await s.queue.lease(`w${w}`, 7, 60_000)
            if (batch.length === 0) return
            for (const t of batch) {
              if (seen.has(t.id)) duplicates.push(t.id)
              seen.set(t.id, `w${w}`)
              await s.queue.complete(t.leaseToken)
            }
          }
        }),
      )
      expect(duplicates).toEqual([])
      expect(seen.size).toBe(total)
      expect(await store.queue.stats()).toMatchObject({ pending: 0, leased: 0, dead: 0 })
    })

    it('a transaction on one connection is invisible to another until it commits', async () => {
      const { store } = get()
      const other = await get().reopen()
      let release!: () => void
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      let inside!: () => void
      const entered = new Promise<void>((resolve) => {
        inside = resolve
      })
      const tx = store.transaction(async (t) => {
        await t.cursors.set({ site: 's', doctype: 'Student', modified: '2026-01-05 10:00:00', name: 'A' })
        inside()
        await gate
      })
      await entered
      expect(await other.cursors.get('s', 'Student')).toBeNull()
      release()
      await tx
      expect(await other.cursors.get('s', 'Student')).not.toBeNull()
    })
  })
}
