import { describe, expect, it } from 'vitest'
import type { EngineStore } from '../../src/engine/ports.js'
import { toEngineStore } from '../../src/engine/store-port.js'
import { memoryAdapter } from '../../src/memory.js'
import { createStore } from '../../src/storage/store.js'
import { STUDENT_CHILDREN, setup, student } from './helpers/fixture.js'

const S1 = 'EDU-STU-2025-00001'
const S2 = 'EDU-STU-2025-00002'

/** An engine store whose tombstones answer only through `erasedAmong` (S1 erased). */
function storeWithErasedAmong(calls: string[][]): EngineStore {
  const base = toEngineStore(
    createStore(memoryAdapter(), { clock: () => 1_750_000_000_000, random: () => 0.5 }),
  )
  const tombstones = {
    ...base.privacy.tombstones,
    isErased: async () => {
      throw new Error('isErased must not be called when erasedAmong exists')
    },
    erasedAmong: async (_tenant: string, ids: readonly string[]) => {
      calls.push([...ids])
      return new Set(ids.filter((id) => id === S1))
    },
  }
  const withTombstones = <T extends { privacy: EngineStore['privacy'] }>(areas: T): T => ({
    ...areas,
    privacy: { tombstones },
  })
  return {
    ...withTombstones(base),
    transaction: (fn) => base.transaction((tx) => fn(withTombstones(tx))),
  }
}

describe('erasure tombstones checked per page', () => {
  it('asks erasedAmong once per batch with every distinct subject id, skips the erased subject, and checks what it wrote once more after commit', async () => {
    const calls: string[][] = []
    const store = storeWithErasedAmong(calls)
    const { engine, erp } = setup({ store })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    erp.put('Student', student(2), STUDENT_CHILDREN)
    await engine.intake([
      { doctype: 'Student', name: S1 },
      { doctype: 'Student', name: S2 },
    ])
    await engine.drain()
    expect(calls).toHaveLength(2)
    expect(new Set(calls[0])).toEqual(new Set([`Student:${S1}`, S1, `Student:${S2}`, S2]))
    // After commit, only what the batch wrote: an erasure that raced it would have missed those copies.
    expect(new Set(calls[1])).toEqual(new Set([`Student:${S2}`, S2]))
    expect(await store.documents.get('Student', S1)).toBeNull()
    expect((await store.documents.get('Student', S2))?.name).toBe(S2)
  })
})
