import { describe, expect, it } from 'vitest'
import {
  courseDifficultyProfile,
  resolveDifficultyOptions,
  toResultRecord,
} from '../../src/enhancers/index.js'
import { resultView } from './fixtures.js'

const results = (pairs: readonly (readonly [number, number])[]) =>
  pairs.map(([w, c]) => toResultRecord(resultView(w, c))!)

/** A valid fixture: ten results of one class, totals 30, 45, 52, 60, 66, 70, 75, 81, 87, 93. */
const valid = results([
  [20, 10],
  [25, 20],
  [30, 22],
  [35, 25],
  [38, 28],
  [40, 30],
  [45, 30],
  [48, 33],
  [52, 35],
  [55, 38],
])

describe('courseDifficultyProfile', () => {
  it('computes mean, median, stdev, pass rate and a 10-point histogram', () => {
    const p = courseDifficultyProfile(valid)
    expect(p).toMatchObject({
      version: 1,
      results: 10,
      mean: 65.9,
      median: 68,
      stdev: 18.6,
      passRate: 0.8,
      passPercent: 50,
      difficulty: 'moderate',
      difficultyIndex: 0.341,
    })
    expect(p.histogram.map((b) => b.count)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 1])
    expect(p.histogram.reduce((s, b) => s + b.count, 0)).toBe(10)
  })

  it('lists criteria hardest first', () => {
    const p = courseDifficultyProfile(valid)
    expect(p.criteria.map((c) => c.criterion)).toEqual(['Written Exam', 'Coursework'])
    expect(p.hardestCriterion).toBe('Written Exam')
    expect(p.criteria[1]?.results).toBe(10)
  })

  it('labels a course most students pass well as easy', () => {
    expect(courseDifficultyProfile(results(Array(6).fill([50, 35]))).difficulty).toBe('easy')
  })

  it('labels a course most students fail as very hard', () => {
    const p = courseDifficultyProfile(
      results([
        [10, 10],
        [15, 10],
        [20, 12],
        [12, 8],
        [40, 20],
      ]),
    )
    expect(p.difficulty).toBe('very_hard')
    expect(p.passRate).toBe(0.2)
  })

  it('says insufficient_data below minResults but still reports the statistics', () => {
    const p = courseDifficultyProfile(valid.slice(0, 3))
    expect(p.difficulty).toBe('insufficient_data')
    expect(p.mean).toBe(42.3)
  })

  it('uses a configured pass mark', () => {
    expect(courseDifficultyProfile(valid, resolveDifficultyOptions({ passPercent: 75 })).passRate).toBe(0.4)
  })

  it('handles a course without results', () => {
    expect(courseDifficultyProfile([])).toMatchObject({
      results: 0,
      mean: null,
      difficulty: 'insufficient_data',
    })
  })

  it('validates its options', () => {
    expect(() => resolveDifficultyOptions({ binWidth: 0 })).toThrow(/"binWidth"/)
  })
})
