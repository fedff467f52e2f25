import { describe, expect, it } from 'vitest'
import { aiWins, custom, erpnextWins, lastWriterWins, manualReview, merge } from '../src/index.js'
import {
  assertStrategyConformance,
  describeStrategyConformance,
  generateConformanceCase,
  isConformanceError,
  strategyConformanceChecks,
} from '../src/testing.js'
import { engagementMerge } from '../src/defaults.js'

// Every built-in strategy runs the exported suite, exactly as a contributor would run it on theirs.
for (const strategy of [
  erpnextWins,
  aiWins,
  lastWriterWins,
  manualReview,
  merge(),
  engagementMerge,
  merge({ name: 'merge_keyed_sum', numbers: 'sum', arrays: { key: 'id' } }),
  merge({ name: 'merge_prefer_ours', onConflict: 'ours' }),
]) {
  describeStrategyConformance(strategy, { describe, it }, { runs: 150 })
}

describe('the testing subpath', () => {
  it('resolves through the package name and exports the suite', async () => {
    const pkg = await import('@edusync/conflict-rules/testing')
    expect(typeof pkg.describeStrategyConformance).toBe('function')
    expect(typeof pkg.strategyConformanceChecks).toBe('function')
    expect(typeof pkg.assertStrategyConformance).toBe('function')
  })
})

describe('the conformance suite catches broken strategies', () => {
  const failing = (
    strategy: Parameters<typeof assertStrategyConformance>[0],
    check: string,
    symmetric?: boolean,
  ) => {
    let caught: unknown
    try {
      assertStrategyConformance(strategy, { runs: 60, ...(symmetric === undefined ? {} : { symmetric }) })
    } catch (error) {
      caught = error
    }
    expect(isConformanceError(caught)).toBe(true)
    expect((caught as { check: string }).check).toBe(check)
  }

  it('rejects a strategy that mutates its input', () => {
    failing(
      custom('mutates', (ctx) => {
        ;(ctx.raw as { ours: unknown }).ours = 'changed'
        return { winner: 'ours' }
      }),
      'returns valid outcomes, synchronously, without mutating its input',
    )
  })

  it('rejects an asynchronous strategy', () => {
    failing(
      custom('async', (async () => ({ winner: 'ours' })) as never),
      'returns valid outcomes, synchronously, without mutating its input',
    )
  })

  it('rejects a strategy that depends on hidden state', () => {
    let flip = false
    failing(
      custom('flaky', () => {
        flip = !flip
        return { winner: flip ? 'ours' : 'theirs' }
      }),
      'is deterministic',
    )
  })

  it('rejects a merge whose result is not stable when resolved again', () => {
    let n = 0
    failing(
      custom('counter', () => ({ winner: 'merged', value: `v${n++ % 2}` })),
      'is deterministic',
    )
  })

  it('rejects a strategy that claims symmetry it does not have', () => {
    failing(erpnextWins, 'is symmetric', true)
  })

  it('returns framework-neutral checks, including symmetry only when promised', () => {
    expect(strategyConformanceChecks(erpnextWins).map((c) => c.name)).not.toContain('is symmetric')
    expect(strategyConformanceChecks(manualReview).map((c) => c.name)).toContain('is symmetric')
  })

  it('validates its options', () => {
    expect(() => strategyConformanceChecks(erpnextWins, { runs: 0 })).toThrow(RangeError)
    expect(() => strategyConformanceChecks({} as never)).toThrow(TypeError)
    expect(() => describeStrategyConformance(erpnextWins, {} as never)).toThrow(TypeError)
  })

  it('generates the same case for the same seed', () => {
    expect(generateConformanceCase(7)).toEqual(generateConformanceCase(7))
    expect(generateConformanceCase(7)).not.toEqual(generateConformanceCase(8))
  })
})
