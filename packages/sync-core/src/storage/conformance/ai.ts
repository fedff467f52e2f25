import { describe, expect, it } from 'vitest'
import type { SuiteContext } from './context.js'

export function aiTests(get: () => SuiteContext): void {
  describe('AI records', () => {
    it('student_ai_profiles: upsert keeps createdAt and replaces the rest', async () => {
      const { store, now, tick } = get()
      const first = await store.ai.profiles.upsert({
        studentId: 'psn_v1_a',
        learningStyle: 'visual',
        profile: { pace: 1 },
      })
      expect(first).toEqual({
        studentId: 'psn_v1_a',
        learningStyle: 'visual',
        profile: { pace: 1 },
        preferences: null,
        createdAt: now,
        updatedAt: now,
      })
      await store.ai.profiles.upsert({ studentId: 'psn_v1_b', profile: {} })
      tick(100)
      const second = await store.ai.profiles.upsert({
        studentId: 'psn_v1_a',
        profile: { pace: 2 },
        preferences: ['x'],
      })
      expect(second).toMatchObject({
        learningStyle: null,
        profile: { pace: 2 },
        preferences: ['x'],
        createdAt: now,
        updatedAt: now + 100,
      })
      expect((await store.ai.profiles.list({ updatedSince: now + 50 })).map((p) => p.studentId)).toEqual([
        'psn_v1_a',
      ])
      expect((await store.ai.profiles.list({ afterId: 'psn_v1_a' })).map((p) => p.studentId)).toEqual([
        'psn_v1_b',
      ])
      expect(await store.ai.profiles.delete('psn_v1_a')).toBe(true)
      expect(await store.ai.profiles.get('psn_v1_a')).toBeNull()
    })

    it('ai_chat_interactions: append is idempotent by id; list by student and time; purge and erase', async () => {
      const { store, now } = get()
      const base = { studentId: 's1', sessionId: 'sess', question: 'q', response: 'r' }
      expect(
        await store.ai.interactions.append([
          {
            ...base,
            id: 'i1',
            createdAt: now - 2000,
            concepts: ['fractions'],
            helpRequested: true,
            durationMs: 40_000,
          },
          { ...base, id: 'i2', createdAt: now - 1000 },
          { ...base, id: 'i3', studentId: 's2', createdAt: now },
        ]),
      ).toBe(3)
      expect(await store.ai.interactions.append({ ...base, id: 'i1' })).toBe(0)
      const s1 = await store.ai.interactions.list({ studentId: 's1' })
      expect(s1.map((i) => i.id)).toEqual(['i1', 'i2'])
      expect(s1[0]).toEqual({
        id: 'i1',
        studentId: 's1',
        sessionId: 'sess',
        courseId: null,
        question: 'q',
        response: 'r',
        concepts: ['fractions'],
        helpRequested: true,
        durationMs: 40_000,
        createdAt: now - 2000,
      })
      expect((await store.ai.interactions.list({ from: now - 1000, to: now + 1 })).map((i) => i.id)).toEqual([
        'i2',
        'i3',
      ])
      expect(
        (await store.ai.interactions.list({ after: { createdAt: now - 2000, id: 'i1' } })).map((i) => i.id),
      ).toEqual(['i2', 'i3'])
      expect(await store.ai.interactions.purge(1500)).toBe(1)
      expect(await store.ai.interactions.deleteByStudent('s2')).toBe(1)
      expect((await store.ai.interactions.list()).map((i) => i.id)).toEqual(['i2'])
    })

    it('knowledge_base_content: upsert, filter by course and topic, delete', async () => {
      const { store } = get()
      const item = await store.ai.knowledge.upsert({
        id: 'k1',
        courseId: 'MATH-101',
        topic: 'fractions',
        title: 'T',
        content: 'C',
      })
      expect(item).toMatchObject({ id: 'k1', contentType: 'text', metadata: null })
      await store.ai.knowledge.upsert({
        id: 'k2',
        courseId: 'MATH-101',
        topic: 'decimals',
        title: 'T',
        content: 'C',
        metadata: { level: 2 },
      })
      await store.ai.knowledge.upsert({ id: 'k3', topic: 'fractions', title: 'T', content: 'C' })
      expect((await store.ai.knowledge.list({ courseId: 'MATH-101' })).map((k) => k.id)).toEqual(['k1', 'k2'])
      expect((await store.ai.knowledge.list({ topic: 'fractions' })).map((k) => k.id)).toEqual(['k1', 'k3'])
      expect((await store.ai.knowledge.get('k2'))?.metadata).toEqual({ level: 2 })
      expect(await store.ai.knowledge.delete('k3')).toBe(true)
      expect(await store.ai.knowledge.get('k3')).toBeNull()
    })

    it('ai_insights: insert once, move through statuses, mark synced to ERPNext', async () => {
      const { store, now, tick } = get()
      const created = await store.ai.insights.insert({
        id: 'in1',
        studentId: 's1',
        insightType: 'learning_gap',
        data: { gap: 'x' },
        confidence: 0.8,
      })
      expect(created).toEqual({
        id: 'in1',
        studentId: 's1',
        insightType: 'learning_gap',
        data: { gap: 'x' },
        confidence: 0.8,
        status: 'pending',
        syncedToErpnext: false,
        erpnextName: null,
        createdAt: now,
        updatedAt: now,
      })
      const again = await store.ai.insights.insert({
        id: 'in1',
        studentId: 's1',
        insightType: 'other',
        data: {},
      })
      expect(again).toEqual(created)
      tick(1)
      await store.ai.insights.insert({ id: 'in2', studentId: 's2', insightType: 'x', data: [] })
      expect(await store.ai.insights.setStatus('in1', 'reviewed')).toBe(true)
      expect(await store.ai.insights.setStatus('in1', 'acted_upon')).toBe(true)
      expect(await store.ai.insights.markSynced('in1', 'AI-INS-0001')).toBe(true)
      expect(await store.ai.insights.markSynced('missing')).toBe(false)
      expect(await store.ai.insights.get('in1')).toMatchObject({
        status: 'acted_upon',
        syncedToErpnext: true,
        erpnextName: 'AI-INS-0001',
      })
      expect((await store.ai.insights.list({ syncedToErpnext: false })).map((i) => i.id)).toEqual(['in2'])
      expect((await store.ai.insights.list({ status: 'acted_upon' })).map((i) => i.id)).toEqual(['in1'])
      expect(
        (await store.ai.insights.list({ after: { createdAt: now, id: 'in1' } })).map((i) => i.id),
      ).toEqual(['in2'])
      expect(await store.ai.insights.deleteByStudent('s1')).toBe(1)
    })

    it('ai_insights: rejects an unknown status', async () => {
      await expect(
        get().store.ai.insights.insert({
          studentId: 's',
          insightType: 't',
          data: {},
          status: 'done' as never,
        }),
      ).rejects.toThrow(TypeError)
    })
  })
}

export function privacyTests(get: () => SuiteContext): void {
  describe('privacy state', () => {
    const at = new Date(Date.UTC(2026, 0, 5))
    it('re-identification map: idempotent put, resolve, list and delete by subject', async () => {
      const { reidentification: r } = get().store.privacy
      const entry = {
        pseudonym: 'psn_v1_aaa',
        tenant: 't',
        purpose: 'analytics',
        keyId: 'v1',
        subjectId: 'EDU-STU-1',
        createdAt: at,
      }
      await r.put(entry)
      await r.put({ ...entry, subjectId: 'OTHER' })
      await r.put({ ...entry, pseudonym: 'psn_v2_bbb', keyId: 'v2', createdAt: new Date(at.getTime() + 1) })
      expect(await r.resolve('psn_v1_aaa')).toEqual(entry)
      expect((await r.listBySubject('t', 'EDU-STU-1')).map((e) => e.pseudonym)).toEqual([
        'psn_v1_aaa',
        'psn_v2_bbb',
      ])
      expect(await r.deleteBySubject('t', 'EDU-STU-1')).toBe(2)
      expect(await r.resolve('psn_v1_aaa')).toBeUndefined()
    })

    it('disclosure ledger: append and query oldest first within a range', async () => {
      const { disclosures: d } = get().store.privacy
      const e = {
        id: 'd1',
        tenant: 't',
        studentId: 'EDU-STU-1',
        doctype: 'Student',
        docname: 'EDU-STU-1',
        purpose: 'tutoring_chat',
        recipient: 'ai-tutor',
        fields: [{ field: 'first_name', strategy: 'pseudonymise' }],
        withheld: ['student_email_id'],
        at,
      }
      await d.append({
        ...e,
        id: 'd2',
        actor: 'job:sync',
        legalBasis: 'legitimate_interest',
        at: new Date(at.getTime() + 1000),
      })
      await d.append(e)
      const all = await d.query({ tenant: 't', studentId: 'EDU-STU-1' })
      expect(all.map((x) => x.id)).toEqual(['d1', 'd2'])
      expect(all[0]).toEqual(e)
      expect(all[1]).toMatchObject({ actor: 'job:sync', legalBasis: 'legitimate_interest' })
      expect(
        await d.query({ tenant: 't', studentId: 'EDU-STU-1', from: new Date(at.getTime() + 1) }),
      ).toHaveLength(1)
      expect(
        await d.query({ tenant: 't', studentId: 'EDU-STU-1', to: new Date(at.getTime() + 1) }),
      ).toHaveLength(1)
    })

    it('tombstones: idempotent put, list, and the "*" kind erases everything', async () => {
      const { tombstones: t } = get().store.privacy
      const stone = {
        tenant: 't',
        subjectId: 's',
        kind: 'ai_insights',
        requestId: 'r1',
        action: 'deleted' as const,
        erasedAt: at,
      }
      await t.put(stone)
      await t.put(stone)
      expect(await t.list('t', 's')).toEqual([stone])
      expect(await t.isErased('t', 's', 'ai_insights')).toBe(true)
      expect(await t.isErased('t', 's', 'ai_chat_interactions')).toBe(false)
      await t.put({ ...stone, kind: '*', requestId: 'r2', erasedAt: new Date(at.getTime() + 1) })
      expect(await t.isErased('t', 's', 'ai_chat_interactions')).toBe(true)
      expect(await t.isErased('t', 'someone-else', 'ai_insights')).toBe(false)
    })

    it('tombstones: erasedAmong (when declared) answers for many subjects at once, as isErased would', async (t) => {
      const { adapter, store } = get()
      const tombstones = store.privacy.tombstones
      if (!adapter.privacy.tombstones.erasedAmong || !tombstones.erasedAmong)
        return t.skip('the adapter does not declare tombstones.erasedAmong')
      const stone = { tenant: 't', kind: 'Student', action: 'deleted' as const, erasedAt: at }
      await tombstones.put({ ...stone, subjectId: 'a', requestId: 'r1' })
      await tombstones.put({ ...stone, subjectId: 'a', requestId: 'r2' })
      await tombstones.put({ ...stone, subjectId: 'b', kind: '*', requestId: 'r3' })
      await tombstones.put({ ...stone, subjectId: 'c', kind: 'Guardian', requestId: 'r4' })
      await tombstones.put({ ...stone, tenant: 'other', subjectId: 'd', kind: '*', requestId: 'r5' })
      const ids = ['a', 'b', 'c', 'd', 'e', 'a', "quote'd"]
      const erased = await tombstones.erasedAmong('t', ids, 'Student')
      expect([...erased].sort()).toEqual(['a', 'b'])
      for (const id of ids) expect(erased.has(id)).toBe(await tombstones.isErased('t', id, 'Student'))
      expect([...(await tombstones.erasedAmong('t', ids, 'Guardian'))].sort()).toEqual(['b', 'c'])
      expect([...(await tombstones.erasedAmong('other', ids, 'Student'))]).toEqual(['d'])
      expect((await tombstones.erasedAmong('t', [], 'Student')).size).toBe(0)
      // A page of a few thousand subject ids is one call.
      const many = Array.from({ length: 3000 }, (_, i) => `s${i}`)
      await tombstones.put({ ...stone, subjectId: 's2999', requestId: 'r6' })
      expect([...(await tombstones.erasedAmong('t', many, 'Student'))]).toEqual(['s2999'])
      await expect(tombstones.erasedAmong('t', [''], 'Student')).rejects.toThrow(TypeError)
    })

    it('consent flags: unset is undefined; set replaces', async () => {
      const { consent: c } = get().store.privacy
      expect(await c.get('t', 's')).toBeUndefined()
      const flags = {
        directoryOptOut: true,
        restricted: false,
        objectedPurposes: ['analytics'],
        legalHold: false,
        updatedAt: at,
      }
      await c.set('t', 's', flags)
      expect(await c.get('t', 's')).toEqual(flags)
      await c.set('t', 's', { ...flags, directoryOptOut: false, legalHold: true, objectedPurposes: [] })
      expect(await c.get('t', 's')).toMatchObject({
        directoryOptOut: false,
        legalHold: true,
        objectedPurposes: [],
      })
    })

    it('data keys: create is insert-if-absent; rewrap replaces the wrapping only', async () => {
      const { dataKeys: k } = get().store.privacy
      const key = { tenant: 't', id: 'dk1', version: 1, kekId: 'v1', wrapped: 'AAAA', createdAt: at }
      expect(await k.create(key)).toBe(true)
      expect(await k.create({ ...key, wrapped: 'BBBB' })).toBe(false)
      expect(await k.rewrap('t', 'dk1', 'v2', 'CCCC')).toBe(true)
      expect(await k.rewrap('t', 'dk9', 'v2', 'CCCC')).toBe(false)
      expect(await k.get('t', 'dk1')).toEqual({ ...key, kekId: 'v2', wrapped: 'CCCC' })
      await k.create({ ...key, id: 'dk2', version: 2 })
      expect((await k.list('t')).map((x) => x.id)).toEqual(['dk1', 'dk2'])
    })

    it('data keys: concurrent creates of one id have exactly one winner', async () => {
      const { dataKeys: k } = get().store.privacy
      const key = { tenant: 't', id: 'dk1', version: 1, kekId: 'v1', wrapped: 'AAAA', createdAt: at }
      const wins = await Promise.all(
        Array.from({ length: 5 }, (_, i) => k.create({ ...key, wrapped: `W${i}` })),
      )
      expect(wins.filter(Boolean)).toHaveLength(1)
    })
  })
}

export function seenTests(get: () => SuiteContext): void {
  describe('seen-store (webhook replay protection)', () => {
    it('records an id once per TTL', async () => {
      const { store, tick } = get()
      expect(await store.seen.markSeen('evt-1', 1000)).toBe(true)
      expect(await store.seen.markSeen('evt-1', 1000)).toBe(false)
      expect(await store.seen.has('evt-1')).toBe(true)
      tick(999)
      expect(await store.seen.markSeen('evt-1', 1000)).toBe(false)
      tick(1)
      expect(await store.seen.has('evt-1')).toBe(false)
      expect(await store.seen.markSeen('evt-1', 1000)).toBe(true)
    })

    it('a replay does not extend the TTL', async () => {
      const { store, tick } = get()
      await store.seen.markSeen('evt-1', 1000)
      tick(500)
      await store.seen.markSeen('evt-1', 1000)
      tick(500)
      expect(await store.seen.markSeen('evt-1', 1000)).toBe(true)
    })

    it('concurrent marks of one id have exactly one winner', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => get().store.seen.markSeen('evt-x', 60_000)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
    })

    it('release forgets an id; purge removes expired ones', async () => {
      const { store, tick } = get()
      await store.seen.markSeen('a', 1000)
      await store.seen.markSeen('b', 5000)
      await store.seen.release('a')
      expect(await store.seen.markSeen('a', 1000)).toBe(true)
      tick(1000)
      expect(await store.seen.purgeExpired()).toBe(1)
      expect(await store.seen.has('b')).toBe(true)
    })
  })
}
