import { describe, expect, it } from 'vitest'
import type { EngineStore } from '../../src/engine/ports.js'
import { toEngineStore } from '../../src/engine/store-port.js'
import { memoryAdapter } from '../../src/memory.js'
import { createStore } from '../../src/storage/store.js'
import { STUDENT_CHILDREN, setup, student } from './helpers/fixture.js'

const S1 = 'EDU-STU-2025-00001'

describe('worker wake-ups', () => {
  it('an intake that commits while a lease query is in flight is processed without waiting for the poll', async () => {
    const base = toEngineStore(
      createStore(memoryAdapter(), { clock: () => 1_750_000_000_000, random: () => 0.5 }),
    )
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let leases = 0
    // The first lease query "ran before the intake committed": it answers nothing, after the intake.
    const store: EngineStore = {
      ...base,
      queue: {
        ...base.queue,
        lease: async (options) => {
          if (++leases === 1) {
            await gate
            return []
          }
          return base.queue.lease(options)
        },
      },
    }
    // Timers never fire: a worker that went to sleep for its poll interval would never wake up.
    const { engine, erp } = setup({
      store,
      batchWaitMs: 0,
      timers: { setTimeout: () => 0, clearTimeout: () => undefined },
    })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    const applied = new Promise<string>((resolve) => engine.on('document.applied', (e) => resolve(e.name)))
    engine.start({ concurrency: 1 })
    await engine.intake({ doctype: 'Student', name: S1 })
    release()
    expect(await applied).toBe(S1)
    await engine.stop()
  })
})
