/**
 * Enhancers work in pseudonyms end to end: a Student enhancer is named by the pseudonym its view shows,
 * looks documents up by it, and links AI documents with it; the engine re-identifies at the boundary, so
 * ERPNext receives the real ids and the AI layer never sees them.
 */
import { randomBytes } from 'node:crypto'
import {
  MemoryConsentStore,
  MemoryDataKeyStore,
  MemoryDisclosureLedger,
  MemoryReidentificationStore,
  type Pseudonymizer,
  createFieldEncryptor,
  createMemoryKeyring,
  createPrivacyToolkit,
  createPseudonymizer,
  definePolicy,
} from '@edusync/privacy-toolkit'
import { describe, expect, it } from 'vitest'
import { privacyPortFromToolkit } from '../../src/engine/privacy-port.js'
import type { ErpDoc } from '../../src/engine/ports.js'
import type { Enhancer, EnhancerContext } from '../../src/engine/types.js'
import { STUDENT_CHILDREN, setup, student } from './helpers/fixture.js'

const viewPolicy = definePolicy({
  name: 'ai-view',
  purpose: 'analytics',
  ai: true,
  doctypes: {
    Student: { subjectField: 'name', fields: { name: 'pseudonymise', ai_learning_profile: 'keep' } },
  },
})
const storagePolicy = definePolicy({
  name: 'at-rest',
  purpose: 'storage',
  doctypes: { Student: { fields: { student_email_id: 'encrypt' }, otherFields: 'keep' } },
})

function privacy(tenant = 'default'): { port: ReturnType<typeof privacyPortFromToolkit>; pz: Pseudonymizer } {
  const pz = createPseudonymizer({
    keyring: createMemoryKeyring({ keys: { v1: randomBytes(32) } }),
    store: new MemoryReidentificationStore(),
  })
  const toolkit = createPrivacyToolkit({
    pseudonymizer: pz,
    encryptor: createFieldEncryptor({
      keyring: createMemoryKeyring({ keys: { v1: randomBytes(32) } }),
      dataKeys: new MemoryDataKeyStore(),
    }),
    consent: new MemoryConsentStore(),
    ledger: new MemoryDisclosureLedger(),
  })
  return {
    port: privacyPortFromToolkit({ toolkit, viewPolicy, storagePolicy, pseudonymizer: pz, tenant }),
    pz,
  }
}

describe('enhancers and pseudonyms', () => {
  it('names a Student by its pseudonym, and ERPNext gets the real id in AI documents and write-backs', async () => {
    const seen: { name: string; view: ErpDoc; looked: ErpDoc | undefined }[] = []
    const enhancer: Enhancer = {
      name: 'engagement',
      doctypes: ['Student'],
      async enhance(ctx: EnhancerContext) {
        // Each student looks up the one enhanced before it, by the pseudonym it was given.
        const previous = seen.at(-1)?.name
        const looked = previous === undefined ? undefined : await ctx.mirror.get('Student', previous)
        seen.push({ name: ctx.name, view: { ...ctx.view }, looked })
        return {
          fields: { ai_learning_profile: { style: 'visual' } },
          documents: [
            {
              doctype: 'AI Engagement Log',
              key: `eng:${ctx.name}:2025-01-06`,
              doc: { student: ctx.name, session_date: '2025-01-06', questions_asked: 3 },
            },
          ],
        }
      },
    }
    const { port } = privacy()
    const { engine, erp } = setup({ privacy: port, enhancers: [enhancer] })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    erp.put('Student', student(2), STUDENT_CHILDREN)
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00001' })
    await engine.drain()
    await engine.intake({ doctype: 'Student', name: 'EDU-STU-2025-00002' })
    await engine.drain()

    expect(seen).toHaveLength(2)
    const [first, second] = seen as [(typeof seen)[0], (typeof seen)[0]]
    expect(first.name).toMatch(/^psn_v1_[0-9a-f]{40}$/)
    expect(first.view.name).toBe(first.name)
    expect(second.name).toMatch(/^psn_v1_[0-9a-f]{40}$/)
    expect(second.name).not.toBe(first.name)
    expect(JSON.stringify(seen)).not.toMatch(/EDU-STU-2025-0000[12]/)
    // The second enhancement looked the first student up by pseudonym and got that student's view.
    expect(second.looked?.name).toBe(first.name)

    const logs = [...(erp.tables.get('AI Engagement Log')?.values() ?? [])]
    const byStudent = Object.fromEntries(logs.map((l) => [String(l.student), l]))
    expect(Object.keys(byStudent).sort()).toEqual(['EDU-STU-2025-00001', 'EDU-STU-2025-00002'])
    expect(byStudent['EDU-STU-2025-00001']?.idempotency_key).toBe(`eng:${first.name}:2025-01-06`)
    for (const name of ['EDU-STU-2025-00001', 'EDU-STU-2025-00002']) {
      const written = erp.tables.get('Student')?.get(name)
      expect(JSON.parse(String(written?.ai_learning_profile))).toEqual({ style: 'visual' })
    }
  })

  it('re-identifies refresh targets given by pseudonym', async () => {
    const runs: string[] = []
    let first = true
    const enhancer: Enhancer = {
      name: 'refresher',
      doctypes: ['Student'],
      enhance(ctx) {
        runs.push(ctx.name)
        if (!first) return undefined
        first = false
        return { refresh: [{ doctype: 'Student', name: ctx.name }] }
      },
    }
    const { port } = privacy()
    const { engine, erp } = setup({ privacy: port, enhancers: [enhancer] })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    erp.put('Student', student(2), STUDENT_CHILDREN)
    await engine.intake([
      { doctype: 'Student', name: 'EDU-STU-2025-00001' },
      { doctype: 'Student', name: 'EDU-STU-2025-00002' },
    ])
    await engine.drain()
    // The refresh named the first student by pseudonym; it ran again against the real document.
    expect(runs).toHaveLength(3)
    expect(runs[2]).toBe(runs[0])
    expect(runs.every((r) => r.startsWith('psn_'))).toBe(true)
  })

  it('reidentify resolves only pseudonyms of its own tenant', async () => {
    const { port, pz } = privacy('school-a')
    const mine = await pz.pseudonymise('EDU-STU-2025-00001', { tenant: 'school-a', purpose: 'analytics' })
    const theirs = await pz.pseudonymise('EDU-STU-2025-00002', { tenant: 'school-b', purpose: 'analytics' })
    expect(await port.reidentify?.(mine)).toBe('EDU-STU-2025-00001')
    expect(await port.reidentify?.(theirs)).toBeUndefined()
    expect(await port.reidentify?.('EDU-STU-2025-00001')).toBeUndefined()
    expect(await port.reidentify?.(`psn_v1_${'0'.repeat(40)}`)).toBeUndefined()
  })

  it('has no reidentify without a pseudonymizer, and refuses one that is not a pseudonymizer', () => {
    const toolkit = createPrivacyToolkit({
      encryptor: createFieldEncryptor({
        keyring: createMemoryKeyring({ keys: { v1: randomBytes(32) } }),
        dataKeys: new MemoryDataKeyStore(),
      }),
    })
    expect(privacyPortFromToolkit({ toolkit, viewPolicy, storagePolicy }).reidentify).toBeUndefined()
    expect(() =>
      privacyPortFromToolkit({ toolkit, viewPolicy, storagePolicy, pseudonymizer: {} as Pseudonymizer }),
    ).toThrow(/"pseudonymizer" must come from createPseudonymizer\(\)/)
  })
})
