import { describe, expect, it } from 'vitest'
import { type DatedScore, analyzeScoreTrend, resolveScoreTrendOptions } from '../../src/enhancers/index.js'

/** A valid fixture: five assessments, +5 points each. */
const rising: DatedScore[] = [
  { date: '2024-01-15', percent: 55, key: 'EDU-RES-2024-00011' },
  { date: '2024-02-05', percent: 60, key: 'EDU-RES-2024-00024' },
  { date: '2024-02-26', percent: 65, key: 'EDU-RES-2024-00037' },
  { date: '2024-03-18', percent: 70, key: 'EDU-RES-2024-00050' },
  { date: '2024-04-08', percent: 75, key: 'EDU-RES-2024-00063' },
]

describe('analyzeScoreTrend', () => {
  it('predicts the next score on a perfectly rising line with high confidence', () => {
    const t = analyzeScoreTrend(rising)
    expect(t).toMatchObject({
      trend: 'improving',
      slope: 5,
      predictedNextScore: 80,
      results: 5,
      averageScore: 65,
      latestScore: 75,
      r2: 1,
    })
    // (1 − 1/√5) · (1 − 0/25)
    expect(t.confidence).toBe(0.55)
    expect(t.explanation).toBe(
      'Over the last 5 assessments scores rose (5 points per assessment, from 55% to 75%); the next is predicted at 80% (confidence 0.55).',
    )
  })

  it('orders by date, not by input order', () => {
    expect(analyzeScoreTrend([...rising].reverse())).toEqual(analyzeScoreTrend(rising))
  })

  it('breaks date ties by key so equal dates give one answer', () => {
    const tied = rising.map((r) => ({ ...r, date: '2024-03-01' }))
    expect(analyzeScoreTrend(tied).slope).toBe(5)
  })

  it('sorts results without a date after dated ones', () => {
    const undated = [{ date: null, percent: 10, key: 'A' }, ...rising]
    expect(analyzeScoreTrend(undated).latestScore).toBe(10)
  })

  it('reports a decline', () => {
    const t = analyzeScoreTrend(rising.map((r, i) => ({ ...r, percent: 80 - i * 6 })))
    expect(t.trend).toBe('declining')
    expect(t.slope).toBe(-6)
    expect(t.predictedNextScore).toBe(50)
  })

  it('calls a small slope stable', () => {
    expect(analyzeScoreTrend(rising.map((r, i) => ({ ...r, percent: 70 + (i % 2) }))).trend).toBe('stable')
  })

  it('clamps the prediction to 0–100', () => {
    const t = analyzeScoreTrend(rising.map((r, i) => ({ ...r, percent: 80 + i * 5 })))
    expect(t.predictedNextScore).toBe(100)
  })

  it('lowers confidence for a noisy fit', () => {
    const noisy = rising.map((r, i) => ({ ...r, percent: [40, 85, 50, 90, 60][i]! }))
    expect(analyzeScoreTrend(noisy).confidence).toBeLessThan(analyzeScoreTrend(rising).confidence / 2)
  })

  it('needs minResults results', () => {
    const t = analyzeScoreTrend(rising.slice(0, 2))
    expect(t).toMatchObject({
      trend: 'insufficient_data',
      slope: null,
      predictedNextScore: null,
      confidence: 0,
    })
    expect(t.explanation).toBe('2 assessment results so far; a trend needs at least 3.')
  })

  it('fits only the latest window', () => {
    const old = [{ date: '2023-09-01', percent: 100, key: 'old' }, ...rising]
    expect(analyzeScoreTrend(old, resolveScoreTrendOptions({ window: 5 })).slope).toBe(5)
  })

  it('validates its options', () => {
    expect(() => resolveScoreTrendOptions({ minResults: 1 })).toThrow(
      /"minResults" must be an integer from 2/,
    )
  })
})
