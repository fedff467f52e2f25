import { describe, expect, it } from 'vitest'
import { MemorySeenStore } from '../src/index.js'
import { checkSeenStore } from '../src/testing.js'

describe('MemorySeenStore', () => {
  const clock = () => {
    let t = 1_000_000
    return { now: () => t, advance: (ms: number) => (t += ms) }
  }

  it('returns true the first time and false while the entry lives', () => {
    const c = clock()
    const store = new MemorySeenStore({ now: c.now })
    expect(store.markSeen('a', 1000)).toBe(true)
    expect(store.markSeen('a', 1000)).toBe(false)
    c.advance(999)
    expect(store.markSeen('a', 1000)).toBe(false)
  })

  it('forgets an entry once its TTL passed (a duplicate does not extend it)', () => {
    const c = clock()
    const store = new MemorySeenStore({ now: c.now })
    store.markSeen('a', 1000)
    c.advance(500)
    store.markSeen('a', 1000)
    c.advance(500)
    expect(store.markSeen('a', 1000)).toBe(true)
  })

  it('evicts the least recently seen id beyond maxEntries', () => {
    const store = new MemorySeenStore({ maxEntries: 2 })
    store.markSeen('a', 60_000)
    store.markSeen('b', 60_000)
    store.markSeen('a', 60_000) // touch a: b is now the least recent
    store.markSeen('c', 60_000)
    expect(store.size).toBe(2)
    expect(store.markSeen('a', 60_000)).toBe(false)
    expect(store.markSeen('b', 60_000)).toBe(true)
  })

  it('drops expired entries when new ones arrive', () => {
    const c = clock()
    const store = new MemorySeenStore({ now: c.now })
    store.markSeen('a', 10)
    store.markSeen('b', 10)
    c.advance(11)
    store.markSeen('c', 10)
    expect(store.size).toBe(1)
  })

  it('release() lets the id be accepted again', () => {
    const store = new MemorySeenStore()
    store.markSeen('a', 1000)
    store.release('a')
    expect(store.markSeen('a', 1000)).toBe(true)
  })

  it('clear() drops everything', () => {
    const store = new MemorySeenStore()
    store.markSeen('a', 1000)
    store.clear()
    expect(store.size).toBe(0)
  })

  it.each([
    [{ maxEntries: 0 }, RangeError],
    [{ maxEntries: 1.5 }, RangeError],
    [{ now: 'soon' as unknown as () => number }, TypeError],
  ])('rejects bad options %o', (options, type) => {
    expect(() => new MemorySeenStore(options)).toThrow(type)
  })

  it('rejects a non-positive ttl', () => {
    expect(() => new MemorySeenStore().markSeen('a', 0)).toThrow(RangeError)
  })
})

describe('checkSeenStore (the SeenStore conformance check)', () => {
  it('passes for MemorySeenStore', async () => {
    const report = await checkSeenStore(() => new MemorySeenStore(), { ttlMs: 40 })
    expect(report.failures).toEqual([])
    expect(report.checks).toHaveLength(6)
  })

  it('catches a store that is not atomic', async () => {
    const seen = new Set<string>()
    const racy = {
      async markSeen(id: string) {
        const first = !seen.has(id)
        await new Promise((r) => setTimeout(r, 1))
        seen.add(id)
        return first
      },
    }
    const report = await checkSeenStore(() => racy, { ttlMs: 20 })
    expect(report.failures.map((f) => f.name)).toContain('lets exactly one of many concurrent calls win')
  })

  it('catches a store that never expires entries', async () => {
    const forever = new Set<string>()
    const store = {
      markSeen: (id: string) => {
        if (forever.has(id)) return false
        forever.add(id)
        return true
      },
    }
    const report = await checkSeenStore(() => store, { ttlMs: 20 })
    expect(report.failures.map((f) => f.name)).toContain('forgets an id once its TTL has passed')
  })

  it('rejects bad options', async () => {
    await expect(checkSeenStore(() => new MemorySeenStore(), { ttlMs: 0 })).rejects.toThrow(RangeError)
  })
})
