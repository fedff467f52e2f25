import { describe, expect, it } from 'vitest'
import { histogram, linearFit, round, summarize } from '../../src/enhancers/index.js'

describe('summarize', () => {
  it('computes mean, median, population stdev, min and max (the textbook sample with stdev 2)', () => {
    expect(summarize([9, 2, 4, 4, 4, 5, 5, 7])).toEqual({
      count: 8,
      mean: 5,
      median: 4.5,
      stdev: 2,
      min: 2,
      max: 9,
    })
  })

  it('takes the middle value of an odd sample', () => {
    expect(summarize([70, 20, 50])?.median).toBe(50)
  })

  it('takes the mean of the middle pair for an even sample', () => {
    expect(summarize([10, 40, 20, 30])?.median).toBe(25)
  })

  it('returns null for an empty sample', () => {
    expect(summarize([])).toBeNull()
  })
})

describe('linearFit', () => {
  it('recovers an exact line', () => {
    const fit = linearFit([0, 1, 2, 3].map((x) => ({ x, y: 50 + 5 * x })))
    expect(fit?.slope).toBeCloseTo(5, 10)
    expect(fit?.intercept).toBeCloseTo(50, 10)
    expect(fit?.r2).toBeCloseTo(1, 10)
    expect(fit?.rmse).toBeCloseTo(0, 10)
  })

  it('matches the textbook least-squares solution on noisy data', () => {
    // y = 1.3 + 0.9x fits (1,2) (2,3) (3,5) (4,4) (5,6) — computed by hand: sxy = 9, sxx = 10.
    const fit = linearFit([
      { x: 1, y: 2 },
      { x: 2, y: 3 },
      { x: 3, y: 5 },
      { x: 4, y: 4 },
      { x: 5, y: 6 },
    ])
    expect(fit?.slope).toBeCloseTo(0.9, 10)
    expect(fit?.intercept).toBeCloseTo(1.3, 10)
  })

  it('reports r² = 1 for a flat series', () => {
    expect(linearFit([0, 1, 2].map((x) => ({ x, y: 70 })))?.r2).toBe(1)
  })

  it('returns null when x does not vary', () => {
    expect(
      linearFit([
        { x: 1, y: 2 },
        { x: 1, y: 3 },
      ]),
    ).toBeNull()
  })

  it('returns null for a single point', () => {
    expect(linearFit([{ x: 0, y: 1 }])).toBeNull()
  })
})

describe('histogram', () => {
  it('puts 100 in the last bin and clamps values outside the range', () => {
    const h = histogram([0, 9.9, 10, 55, 100, 120, -5])
    expect(h).toHaveLength(10)
    expect(h[0]).toEqual({ from: 0, to: 10, count: 3 })
    expect(h[1]?.count).toBe(1)
    expect(h[5]?.count).toBe(1)
    expect(h[9]).toEqual({ from: 90, to: 100, count: 2 })
  })
})

describe('round', () => {
  it('rounds half away from zero and never returns -0', () => {
    expect(round(2.345, 2)).toBe(2.35)
    expect(round(-2.345, 2)).toBe(-2.35)
    expect(Object.is(round(-0.0001, 2), 0)).toBe(true)
  })
})
