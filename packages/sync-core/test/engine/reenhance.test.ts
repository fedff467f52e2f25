import { describe, expect, it } from 'vitest'
import type { Enhancer } from '../../src/engine/types.js'
import { STUDENT_CHILDREN, setup, student, testPrivacy } from './helpers/fixture.js'

const S1 = 'EDU-STU-2025-00001'
const S2 = 'EDU-STU-2025-00002'

/** Counts runs per student and writes the run count as the AI profile. */
function counter() {
  const runs = new Map<string, number>()
  const enhancer: Enhancer = {
    name: 'counter',
    doctypes: ['Student'],
    enhance: ({ name }) => {
      const n = (runs.get(name) ?? 0) + 1
      runs.set(name, n)
      return { fields: { ai_learning_profile: { runs: n } } }
    },
  }
  return { runs, enhancer }
}

async function mirrored(enhancers: Enhancer[]) {
  const ctx = setup({ privacy: testPrivacy, enhancers })
  ctx.erp.put('Student', student(1), STUDENT_CHILDREN)
  ctx.erp.put('Student', student(2), STUDENT_CHILDREN)
  await ctx.engine.intake([
    { doctype: 'Student', name: S1 },
    { doctype: 'Student', name: S2 },
  ])
  await ctx.engine.drain()
  ctx.erp.calls.length = 0
  return ctx
}

/** ERPNext calls before the first write-back (afterwards the engine re-reads what it wrote, by design). */
const readsBeforeWrite = (calls: readonly { method: string; doctype: string }[]) => {
  const first = calls.findIndex((c) => c.method === 'bulk_update')
  return calls.slice(0, first === -1 ? calls.length : first)
}

describe('engine.reenhance()', () => {
  it('runs the enhancers of mirrored documents again without reading ERPNext, and writes back the result', async () => {
    const { runs, enhancer } = counter()
    const { engine, erp } = await mirrored([enhancer])
    expect(await engine.reenhance('Student', [S1, S2])).toEqual({ enhance: 2, pull: 0 })
    await engine.drain()
    expect([runs.get(S1), runs.get(S2)]).toEqual([2, 2])
    expect(readsBeforeWrite(erp.calls)).toEqual([])
    expect(erp.calls.filter((c) => c.method === 'bulk_update')).toHaveLength(1)
    expect(JSON.parse(String(erp.tables.get('Student')?.get(S1)?.ai_learning_profile))).toEqual({ runs: 2 })
  })

  it('coalesces duplicate names and repeated calls into one run per document', async () => {
    const { runs, enhancer } = counter()
    const { engine } = await mirrored([enhancer])
    await engine.reenhance('Student', [S1, S1])
    await engine.reenhance('Student', [S1])
    await engine.drain()
    expect(runs.get(S1)).toBe(2)
  })

  it('pulls a document that is not mirrored yet instead of enhancing nothing', async () => {
    const { runs, enhancer } = counter()
    const { engine, erp } = await mirrored([enhancer])
    erp.put('Student', student(3), STUDENT_CHILDREN)
    expect(await engine.reenhance('Student', ['EDU-STU-2025-00003'])).toEqual({ enhance: 0, pull: 1 })
    await engine.drain()
    expect(runs.get('EDU-STU-2025-00003')).toBe(1)
    expect(readsBeforeWrite(erp.calls).filter((c) => c.doctype === 'Student').length).toBeGreaterThan(0)
  })

  it('rejects a doctype without enhancers', async () => {
    const { enhancer } = counter()
    const { engine } = await mirrored([enhancer])
    await expect(engine.reenhance('Guardian', ['G'])).rejects.toThrow(/no enhancer handles "Guardian"/)
  })

  it('rejects an unknown doctype', async () => {
    const { enhancer } = counter()
    const { engine } = await mirrored([enhancer])
    await expect(engine.reenhance('Course', ['C'])).rejects.toThrow(/"Course" is not configured/)
  })

  it('rejects names that are not non-empty strings', async () => {
    const { enhancer } = counter()
    const { engine } = await mirrored([enhancer])
    await expect(engine.reenhance('Student', [''])).rejects.toThrow(TypeError)
  })
})

describe('Enhancement.refresh', () => {
  it('a changed Guardian refreshes the students it lists, from the mirror', async () => {
    const { runs, enhancer } = counter()
    const guardianEnhancer: Enhancer = {
      name: 'guardian-links',
      doctypes: ['Guardian'],
      enhance: () => ({ refresh: [{ doctype: 'Student', name: S1 }] }),
    }
    const { engine, erp } = await mirrored([enhancer, guardianEnhancer])
    erp.put('Guardian', { name: 'EDU-GRD-2025-00001', guardian_name: 'G' })
    await engine.intake({ doctype: 'Guardian', name: 'EDU-GRD-2025-00001' })
    await engine.drain()
    expect(runs.get(S1)).toBe(2)
    expect(runs.get(S2)).toBe(1)
    expect(readsBeforeWrite(erp.calls).filter((c) => c.doctype === 'Student')).toEqual([])
  })

  it('does not cascade: enhancers that refresh each other run once each', async () => {
    let studentRuns = 0
    const ping: Enhancer = {
      name: 'ping',
      doctypes: ['Student'],
      enhance: ({ name }) => {
        if (name === S1) studentRuns++
        return { refresh: [{ doctype: 'Student', name: S1 }] }
      },
    }
    const { engine } = await mirrored([ping])
    studentRuns = 0
    await engine.reenhance('Student', [S2])
    await engine.drain()
    // S2 refreshes S1; S1's own refresh (of itself) is ignored because it ran through a refresh.
    expect(studentRuns).toBe(1)
  })

  it('ignores refresh entries of doctypes the engine does not configure, and audits them', async () => {
    const { runs, enhancer } = counter()
    const bad: Enhancer = {
      name: 'bad',
      doctypes: ['Guardian'],
      enhance: () => ({ refresh: [{ doctype: 'Course', name: 'X' }] }),
    }
    const { engine, erp, store } = await mirrored([enhancer, bad])
    erp.put('Guardian', { name: 'EDU-GRD-2025-00001', guardian_name: 'G' })
    await engine.intake({ doctype: 'Guardian', name: 'EDU-GRD-2025-00001' })
    await engine.drain()
    expect(runs.get(S1)).toBe(1)
    const audit = await store.audit.query()
    expect(audit.some((a) => a.type === 'enhancer.refresh-ignored')).toBe(true)
  })
})
