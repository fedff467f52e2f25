/**
 * `engine.stop({ timeoutMs })`: a SIGTERM handler must end within the platform's grace period even when a
 * batch is stuck (ERPNext not answering, a limiter waiting on Redis). The stuck batch's leases then lapse
 * and another worker finishes its tasks; nothing is lost or applied twice.
 */
import { describe, expect, it } from 'vitest'
import type { ErpnextPort } from '../../src/engine/ports.js'
import { memoryAdapter } from '../../src/memory.js'
import { createStore } from '../../src/storage/store.js'
import { createSyncEngine } from '../../src/engine/engine.js'
import { STUDENT_CHILDREN, setup, student } from './helpers/fixture.js'

const S1 = 'EDU-STU-2025-00001'

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A port whose calls wait until `release()` while `stuck`; then behave like `port`. */
function stuckPort(port: ErpnextPort) {
  let release: () => void = () => undefined
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const stuck = new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver)
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        await gate
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { stuck, release }
}

describe('engine.stop({ timeoutMs })', () => {
  it('resolves while a batch is stuck; its lease lapses and another worker finishes the task once', async () => {
    // Real clocks: leases are renewed every leaseMs / 2 by real timers and lapse by the real time.
    const store = createStore(memoryAdapter())
    const { erp, options } = setup({ store, now: Date.now, leaseMs: 200 })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    const { stuck, release } = stuckPort(erp)
    const first = createSyncEngine({ ...options, client: stuck, workerId: 'first' })
    const abandoned: { tasks: number; timeoutMs: number }[] = []
    first.on('workers.abandoned', (e) => abandoned.push(e))
    await first.intake({ doctype: 'Student', name: S1 })
    first.start({ concurrency: 1 })
    await until(async () => (await store.queue.stats()).leased === 1, 'the first worker to lease the task')

    await first.stop({ timeoutMs: 30 })
    expect((await first.status()).running).toBe(false)
    expect(abandoned).toEqual([{ tasks: 1, timeoutMs: 30 }])

    // Had the stuck batch kept renewing (every 100 ms), the second worker would never get the task.
    const second = createSyncEngine({ ...options, client: erp, workerId: 'second' })
    const applied: string[] = []
    second.on('document.applied', (e) => applied.push(e.name))
    await until(async () => (await second.drain()) > 0, 'the lapsed lease to reach the second worker')
    expect(applied).toEqual([S1])

    // The stuck batch comes back after all: its completion finds its lease gone; nothing is left queued.
    release()
    await until(async () => (await store.queue.stats()).leased === 0, 'the stuck batch to end')
    const stats = await store.queue.stats()
    expect(stats).toMatchObject({ pending: 0, leased: 0, dead: 0 })
    expect((await store.documents.get('Student', S1))?.data.first_name).toBe('First00001')
  })

  it('without a stuck batch it resolves as soon as the loops end, with no event', async () => {
    const { engine, erp } = setup({ now: Date.now })
    erp.put('Student', student(1), STUDENT_CHILDREN)
    const events: unknown[] = []
    engine.on('workers.abandoned', (e) => events.push(e))
    engine.start({ concurrency: 2 })
    await engine.intake({ doctype: 'Student', name: S1 })
    await engine.stop({ timeoutMs: 60_000 })
    expect(events).toEqual([])
  })

  it('refuses a timeout that is not a non-negative integer', async () => {
    const { engine } = setup()
    for (const timeoutMs of [-1, 1.5, Number.NaN, '100' as never])
      await expect(engine.stop({ timeoutMs })).rejects.toThrow(
        /stop\(\): "timeoutMs" must be a non-negative integer/,
      )
  })
})
