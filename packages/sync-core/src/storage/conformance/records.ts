import { describe, expect, it } from 'vitest'
import { isStorageNotFoundError } from '../errors.js'
import type { SuiteContext } from './context.js'

export function cursorTests(get: () => SuiteContext): void {
  describe('cursors', () => {
    it('stores, replaces, lists and deletes watermarks per site and doctype', async () => {
      const { store, now } = get()
      expect(await store.cursors.get('school.example', 'Student')).toBeNull()
      await store.cursors.set({
        site: 'school.example',
        doctype: 'Student',
        modified: '2026-01-05 10:00:00',
        name: 'A',
      })
      await store.cursors.set({
        site: 'school.example',
        doctype: 'Student',
        modified: '2026-01-05 11:00:00',
        name: 'B',
      })
      await store.cursors.set({
        site: 'school.example',
        doctype: 'Guardian',
        modified: '2026-01-01 00:00:00',
        name: 'G',
      })
      await store.cursors.set({
        site: 'other.example',
        doctype: 'Student',
        modified: '2026-01-01 00:00:00',
        name: 'X',
      })
      expect(await store.cursors.get('school.example', 'Student')).toEqual({
        site: 'school.example',
        doctype: 'Student',
        modified: '2026-01-05 11:00:00',
        name: 'B',
        updatedAt: now,
      })
      expect((await store.cursors.list('school.example')).map((c) => c.doctype)).toEqual([
        'Guardian',
        'Student',
      ])
      expect(await store.cursors.list()).toHaveLength(3)
      expect(await store.cursors.delete('school.example', 'Student')).toBe(true)
      expect(await store.cursors.delete('school.example', 'Student')).toBe(false)
    })

    it('rejects a cursor whose modified is not an ERPNext datetime', async () => {
      await expect(
        get().store.cursors.set({ site: 's', doctype: 'Student', modified: 'yesterday', name: 'A' }),
      ).rejects.toThrow(TypeError)
    })
  })
}

export function reviewTests(get: () => SuiteContext): void {
  describe('reviews', () => {
    const input = {
      doctype: 'Student',
      name: 'EDU-STU-2026-00001',
      field: 'ai_learning_profile',
      base: { level: 1 },
      local: { level: 2 },
      remote: { level: 3 },
      reason: 'manual_review',
    }

    it('creates an open item holding both values and the base', async () => {
      const { store, now } = get()
      const item = await store.reviews.create(input)
      expect(item).toEqual({
        id: item.id,
        ...input,
        status: 'open',
        resolution: null,
        resolvedBy: null,
        createdAt: now,
        resolvedAt: null,
      })
      expect(await store.reviews.get(item.id)).toEqual(item)
    })

    it('keeps scalar and null values', async () => {
      const item = await get().store.reviews.create({ ...input, base: null, local: 'a', remote: 3 })
      expect(item).toMatchObject({ base: null, local: 'a', remote: 3 })
    })

    it('resolves once, then lists it as resolved', async () => {
      const { store, tick } = get()
      const item = await store.reviews.create(input)
      await store.reviews.create({ ...input, field: 'other' })
      tick(5)
      const resolved = await store.reviews.resolve(item.id, { level: 2 }, { resolvedBy: 'staff-7' })
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolution: { level: 2 },
        resolvedBy: 'staff-7',
        resolvedAt: get().now,
      })
      expect(await store.reviews.resolve(item.id, { level: 9 })).toBeNull()
      expect((await store.reviews.list({ status: 'open' })).map((r) => r.field)).toEqual(['other'])
      expect((await store.reviews.list({ status: 'resolved' })).map((r) => r.id)).toEqual([item.id])
    })

    it('throws a typed not-found error when resolving an unknown id', async () => {
      const error = await get()
        .store.reviews.resolve(987654, 1)
        .catch((e: unknown) => e)
      expect(isStorageNotFoundError(error)).toBe(true)
    })

    it('pages and filters by document', async () => {
      const { store } = get()
      for (let i = 0; i < 5; i++) await store.reviews.create({ ...input, name: i < 3 ? 'A' : 'B' })
      const first = await store.reviews.list({ limit: 2 })
      const rest = await store.reviews.list({ afterId: first[1]!.id })
      expect(first.length + rest.length).toBe(5)
      expect(await store.reviews.list({ doctype: 'Student', name: 'B' })).toHaveLength(2)
    })

    it('purgeDocuments (when declared) deletes the open and resolved items of the named documents only', async (t) => {
      const { store, adapter } = get()
      if (!adapter.reviews.purgeDocuments || !store.reviews.purgeDocuments)
        return t.skip('the adapter does not declare reviews.purgeDocuments')
      const open = await store.reviews.create({ ...input, name: 'A' })
      const resolved = await store.reviews.create({ ...input, name: 'A', field: 'other' })
      await store.reviews.resolve(resolved.id, { level: 2 }, { resolvedBy: 'staff-7' })
      const ofB = await store.reviews.create({ ...input, name: "B'quoted" })
      const keptName = await store.reviews.create({ ...input, name: 'C' })
      const keptDoctype = await store.reviews.create({ ...input, doctype: 'Guardian', name: 'A' })
      expect(await store.reviews.purgeDocuments('Student', ['A', "B'quoted", 'A', 'nothing'])).toBe(3)
      for (const id of [open.id, resolved.id, ofB.id]) expect(await store.reviews.get(id)).toBeNull()
      expect((await store.reviews.list({ doctype: 'Student' })).map((r) => r.id)).toEqual([keptName.id])
      expect(await store.reviews.get(keptDoctype.id)).toEqual(keptDoctype)
      expect(await store.reviews.purgeDocuments('Student', ['A'])).toBe(0)
      expect(await store.reviews.purgeDocuments('Student', [])).toBe(0)
      // Inside a transaction that rolls back, nothing is purged.
      await expect(
        store.transaction(async (tx) => {
          expect(await tx.reviews.purgeDocuments!('Student', ['C'])).toBe(1)
          throw new Error('roll back')
        }),
      ).rejects.toThrow('roll back')
      if (store.capabilities.transactions) expect(await store.reviews.get(keptName.id)).toEqual(keptName)
      // Many names are one call.
      const many = Array.from({ length: 1200 }, (_, i) => `n${i}`)
      await store.reviews.create({ ...input, name: 'n1199' })
      expect(await store.reviews.purgeDocuments('Student', many)).toBe(1)
      await expect(store.reviews.purgeDocuments('', ['A'])).rejects.toThrow(TypeError)
      await expect(store.reviews.purgeDocuments('Student', [''])).rejects.toThrow(TypeError)
      await expect(
        store.reviews.purgeDocuments('Student', 'A' as unknown as readonly string[]),
      ).rejects.toThrow(TypeError)
    })
  })
}

export function auditTests(get: () => SuiteContext): void {
  describe('audit log (sync_logs)', () => {
    const entry = {
      type: 'document.applied',
      doctype: 'Student',
      name: 'EDU-STU-2026-00001',
      direction: 'inbound' as const,
      status: 'ok',
      payloadHash: 'ab12',
      fields: ['first_name', 'enabled'],
    }

    it('appends entries and queries them newest first', async () => {
      const { store, now, tick } = get()
      const first = await store.audit.append(entry)
      tick(10)
      const second = await store.audit.append({ ...entry, status: 'error', error: 'E_TIMESTAMP_MISMATCH' })
      const all = await store.audit.query()
      expect(all.map((e) => e.id)).toEqual([second, first])
      expect(all[1]).toEqual({ id: first, ...entry, error: null, at: now })
      expect(all[0]).toMatchObject({ status: 'error', error: 'E_TIMESTAMP_MISMATCH', at: now + 10 })
    })

    it('fills optional columns with null and an empty field list', async () => {
      const { store } = get()
      await store.audit.append({ type: 'reconcile.quick', status: 'ok' })
      const [e] = await store.audit.query()
      expect(e).toMatchObject({
        doctype: null,
        name: null,
        direction: null,
        error: null,
        payloadHash: null,
        fields: [],
      })
    })

    it('queries by entity, type, status and time range, and pages backwards', async () => {
      const { store, now } = get()
      await store.audit.appendMany([
        { ...entry, at: now - 3000 },
        { ...entry, name: 'OTHER', at: now - 2000 },
        { ...entry, type: 'writeback.pushed', direction: 'outbound', at: now - 1000 },
        { ...entry, status: 'error', at: now },
      ])
      expect(await store.audit.query({ doctype: 'Student', name: 'OTHER' })).toHaveLength(1)
      expect(await store.audit.query({ type: 'writeback.pushed' })).toHaveLength(1)
      expect(await store.audit.query({ status: 'error' })).toHaveLength(1)
      expect(await store.audit.query({ from: now - 2000, to: now })).toHaveLength(2)
      const page = await store.audit.query({ limit: 3 })
      const rest = await store.audit.query({ beforeId: page[2]!.id })
      expect(page.length + rest.length).toBe(4)
    })

    it('purges entries past retention', async () => {
      const { store, now } = get()
      await store.audit.appendMany([
        { ...entry, at: now - 90 * 86_400_000 },
        { ...entry, at: now - 10 * 86_400_000 },
      ])
      expect(await store.audit.purge({ olderThanMs: 30 * 86_400_000 })).toBe(1)
      expect(await store.audit.query()).toHaveLength(1)
      expect(await store.audit.purge({ before: now + 1 })).toBe(1)
    })

    it('rejects an unknown direction', async () => {
      await expect(get().store.audit.append({ ...entry, direction: 'sideways' as never })).rejects.toThrow(
        TypeError,
      )
    })
  })
}
