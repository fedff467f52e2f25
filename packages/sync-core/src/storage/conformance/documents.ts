import { describe, expect, it } from 'vitest'
import { contentHash } from '../hash.js'
import type { SuiteContext } from './context.js'

const student = (over: Record<string, unknown> = {}) => ({
  doctype: 'Student',
  name: 'EDU-STU-2026-00001',
  modified: '2026-01-05 10:00:00.000001',
  data: { name: 'EDU-STU-2026-00001', first_name: 'Ada', enabled: 1, guardians: [{ guardian: 'G-1' }] },
  ...over,
})

export function documentTests(get: () => SuiteContext): void {
  describe('documents', () => {
    it('inserts a new document and reads it back with hash, base and timestamps', async () => {
      const { store, now } = get()
      const doc = student()
      expect(await store.documents.upsert(doc)).toEqual({
        doctype: 'Student',
        name: doc.name,
        status: 'inserted',
      })
      const stored = await store.documents.get('Student', doc.name)
      expect(stored).toEqual({
        doctype: 'Student',
        name: doc.name,
        data: doc.data,
        modified: doc.modified,
        hash: contentHash(doc.data),
        base: doc.data,
        baseModified: doc.modified,
        deleted: false,
        deletedAt: null,
        syncedAt: now,
        updatedAt: now,
      })
    })

    it('returns null for a document that is not mirrored', async () => {
      expect(await get().store.documents.get('Student', 'missing')).toBeNull()
    })

    it('ignores the same modified (idempotent apply)', async () => {
      const { store } = get()
      await store.documents.upsert(student())
      const again = await store.documents.upsert(student({ data: { first_name: 'Changed' } }))
      expect(again.status).toBe('unchanged')
      expect((await store.documents.get('Student', 'EDU-STU-2026-00001'))?.data.first_name).toBe('Ada')
    })

    it('ignores an older modified', async () => {
      const { store } = get()
      await store.documents.upsert(student())
      const older = await store.documents.upsert(
        student({ modified: '2026-01-05 09:59:59.999999', data: { x: 1 } }),
      )
      expect(older.status).toBe('unchanged')
    })

    it('replaces on a newer modified', async () => {
      const { store, tick } = get()
      await store.documents.upsert(student())
      tick(1000)
      const newer = await store.documents.upsert(
        student({ modified: '2026-01-05 10:00:01', data: { first_name: 'Bo' } }),
      )
      expect(newer.status).toBe('updated')
      const stored = await store.documents.get('Student', 'EDU-STU-2026-00001')
      expect(stored?.data).toEqual({ first_name: 'Bo' })
      expect(stored?.modified).toBe('2026-01-05 10:00:01')
      expect(stored?.updatedAt).toBe(get().now)
    })

    it('compares modified as datetimes: an omitted fraction equals .000000', async () => {
      const { store } = get()
      await store.documents.upsert(student({ modified: '2026-01-05 10:00:00' }))
      const same = await store.documents.upsert(
        student({ modified: '2026-01-05 10:00:00.000000', data: { x: 1 } }),
      )
      expect(same.status).toBe('unchanged')
    })

    it('compares modified as datetimes: "10:00:00.5" is newer than "10:00:00.499999"', async () => {
      const { store } = get()
      await store.documents.upsert(student({ modified: '2026-01-05 10:00:00.499999' }))
      const newer = await store.documents.upsert(
        student({ modified: '2026-01-05 10:00:00.5', data: { x: 1 } }),
      )
      expect(newer.status).toBe('updated')
    })

    it('compares modified as datetimes: "10:00:01" is newer than "10:00:00.999999"', async () => {
      const { store } = get()
      await store.documents.upsert(student({ modified: '2026-01-05 10:00:00.999999' }))
      expect((await store.documents.upsert(student({ modified: '2026-01-05 10:00:01' }))).status).toBe(
        'updated',
      )
    })

    it('rejects a modified that is not an ERPNext datetime', async () => {
      await expect(
        get().store.documents.upsert(student({ modified: '2026-01-05T10:00:00Z' })),
      ).rejects.toThrow(TypeError)
    })

    it('hashes content independently of key order', async () => {
      const { store } = get()
      await store.documents.upsert(student({ name: 'A', data: { a: 1, b: { c: 2, d: 3 } } }))
      await store.documents.upsert(student({ name: 'B', data: { b: { d: 3, c: 2 }, a: 1 } }))
      const [a, b] = await store.documents.getMany('Student', ['A', 'B'])
      expect(a?.hash).toBe(b?.hash)
    })

    it('stores an explicit base snapshot and a null base', async () => {
      const { store } = get()
      const base = { first_name: 'Old' }
      await store.documents.upsert(student({ base, baseModified: '2026-01-01 00:00:00' }))
      await store.documents.upsert(student({ name: 'N', base: null }))
      expect((await store.documents.get('Student', 'EDU-STU-2026-00001'))?.base).toEqual(base)
      const n = await store.documents.get('Student', 'N')
      expect(n?.base).toBeNull()
      expect(n?.baseModified).toBeNull()
    })

    it('getMany returns only the stored names of the doctype', async () => {
      const { store } = get()
      await store.documents.upsertMany([
        student({ name: 'A' }),
        student({ name: 'B' }),
        student({ doctype: 'Guardian', name: 'C' }),
      ])
      const docs = await store.documents.getMany('Student', ['A', 'B', 'C', 'missing'])
      expect(docs.map((d) => d.name).sort()).toEqual(['A', 'B'])
    })

    it('upsertMany reports per document, in input order, and keeps the newest duplicate of a batch', async () => {
      const { store } = get()
      await store.documents.upsert(student({ name: 'old' }))
      const results = await store.documents.upsertMany([
        student({ name: 'new1' }),
        student({ name: 'old' }),
        student({ name: 'dup', modified: '2026-01-05 10:00:00', data: { v: 1 } }),
        student({ name: 'dup', modified: '2026-01-05 11:00:00', data: { v: 2 } }),
        student({ name: 'old', modified: '2026-01-06 00:00:00' }),
      ])
      expect(results.map((r) => `${r.name}:${r.status}`)).toEqual([
        'new1:inserted',
        'old:unchanged',
        'dup:unchanged',
        'dup:inserted',
        'old:updated',
      ])
      expect((await store.documents.get('Student', 'dup'))?.data).toEqual({ v: 2 })
    })

    it('upsertMany handles a batch larger than one statement chunk', async () => {
      const { store } = get()
      const docs = Array.from({ length: 450 }, (_, i) => student({ name: `S-${String(i).padStart(4, '0')}` }))
      const results = await store.documents.upsertMany(docs)
      expect(results.every((r) => r.status === 'inserted')).toBe(true)
      expect((await store.documents.stats('Student')).count).toBe(450)
    })

    it('lists by (modified, name) in pages, breaking ties by name', async () => {
      const { store } = get()
      await store.documents.upsertMany([
        student({ name: 'C', modified: '2026-01-05 10:00:00' }),
        student({ name: 'A', modified: '2026-01-05 10:00:00.000000' }),
        student({ name: 'B', modified: '2026-01-05 10:00:00' }),
        student({ name: 'D', modified: '2026-01-05 09:00:00.5' }),
        student({ name: 'E', modified: '2026-01-05 10:00:00.1' }),
        student({ doctype: 'Guardian', name: 'G' }),
      ])
      const first = await store.documents.list('Student', { limit: 2 })
      expect(first.items.map((d) => d.name)).toEqual(['D', 'A'])
      expect(first.next).toEqual({ modified: '2026-01-05 10:00:00.000000', name: 'A' })
      const second = await store.documents.list('Student', { limit: 2, after: first.next })
      expect(second.items.map((d) => d.name)).toEqual(['B', 'C'])
      const third = await store.documents.list('Student', { limit: 2, after: second.next })
      expect(third.items.map((d) => d.name)).toEqual(['E'])
      expect(third.next).toBeNull()
    })

    it('marks a document deleted, hides it from lists unless asked, and counts it apart', async () => {
      const { store, now } = get()
      await store.documents.upsertMany([student({ name: 'A' }), student({ name: 'B' })])
      expect(await store.documents.markDeleted('Student', 'A')).toBe(true)
      expect(await store.documents.markDeleted('Student', 'A')).toBe(false)
      expect(await store.documents.markDeleted('Student', 'missing')).toBe(false)
      const a = await store.documents.get('Student', 'A')
      expect(a?.deleted).toBe(true)
      expect(a?.deletedAt).toBe(now)
      expect((await store.documents.list('Student')).items.map((d) => d.name)).toEqual(['B'])
      expect((await store.documents.list('Student', { includeDeleted: true })).items).toHaveLength(2)
      expect(await store.documents.stats('Student')).toEqual({
        count: 1,
        deleted: 1,
        latestModified: '2026-01-05 10:00:00.000001',
      })
    })

    it('a deleted document stays deleted for the same modified and comes back with a newer one', async () => {
      const { store } = get()
      await store.documents.upsert(student())
      await store.documents.markDeleted('Student', 'EDU-STU-2026-00001')
      expect((await store.documents.upsert(student())).status).toBe('unchanged')
      expect((await store.documents.get('Student', 'EDU-STU-2026-00001'))?.deleted).toBe(true)
      expect((await store.documents.upsert(student({ modified: '2026-02-01 00:00:00' }))).status).toBe(
        'updated',
      )
      const back = await store.documents.get('Student', 'EDU-STU-2026-00001')
      expect(back?.deleted).toBe(false)
      expect(back?.deletedAt).toBeNull()
    })

    it('reports the latest modified as a datetime, not lexically', async () => {
      const { store } = get()
      await store.documents.upsertMany([
        student({ name: 'A', modified: '2026-01-05 10:00:00' }),
        student({ name: 'B', modified: '2026-01-05 10:00:00.000002' }),
      ])
      expect((await store.documents.stats('Student')).latestModified).toBe('2026-01-05 10:00:00.000002')
      expect(await store.documents.stats('Nothing')).toEqual({ count: 0, deleted: 0, latestModified: null })
    })

    it('returns copies: mutating a result does not change the store', async () => {
      const { store } = get()
      await store.documents.upsert(student())
      const doc = await store.documents.get('Student', 'EDU-STU-2026-00001')
      ;(doc!.data as Record<string, unknown>).first_name = 'Mutated'
      expect((await store.documents.get('Student', 'EDU-STU-2026-00001'))?.data.first_name).toBe('Ada')
    })

    it('rejects a missing doctype', async () => {
      await expect(get().store.documents.upsert(student({ doctype: '' }))).rejects.toThrow(TypeError)
    })
  })
}
