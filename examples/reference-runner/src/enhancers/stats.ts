/** Summary statistics of a sample. */
export interface Summary {
  readonly count: number
  readonly mean: number
  readonly median: number
  /** Population standard deviation (the class is the whole population, not a sample of it). */
  readonly stdev: number
  readonly min: number
  readonly max: number
}

/** Round to `digits` decimals (half away from zero), turning `-0` into `0`. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits
  const r = (Math.sign(value) * Math.round(Math.abs(value) * f)) / f
  return r === 0 ? 0 : r
}

/** Mean, median, standard deviation, min and max; `null` for an empty sample. O(n log n). */
export function summarize(values: readonly number[]): Summary | null {
  const n = values.length
  if (n === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  let sum = 0
  for (const v of sorted) sum += v
  const mean = sum / n
  let sq = 0
  for (const v of sorted) sq += (v - mean) ** 2
  const mid = n >> 1
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { count: n, mean, median, stdev: Math.sqrt(sq / n), min: sorted[0]!, max: sorted[n - 1]! }
}

/** A least-squares line `y = intercept + slope · x`. */
export interface LinearFit {
  readonly n: number
  readonly slope: number
  readonly intercept: number
  /** Coefficient of determination (1 when every y is equal: the flat line explains them all). */
  readonly r2: number
  /** Root-mean-square residual, in y units. */
  readonly rmse: number
}

/** Ordinary least squares over `(x, y)` points; `null` with fewer than two distinct x. O(n). */
export function linearFit(points: readonly { readonly x: number; readonly y: number }[]): LinearFit | null {
  const n = points.length
  if (n < 2) return null
  let sx = 0
  let sy = 0
  for (const p of points) {
    sx += p.x
    sy += p.y
  }
  const mx = sx / n
  const my = sy / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (const p of points) {
    sxx += (p.x - mx) ** 2
    sxy += (p.x - mx) * (p.y - my)
    syy += (p.y - my) ** 2
  }
  if (sxx === 0) return null
  const slope = sxy / sxx
  const intercept = my - slope * mx
  let sse = 0
  for (const p of points) sse += (p.y - (intercept + slope * p.x)) ** 2
  return { n, slope, intercept, r2: syy === 0 ? 1 : 1 - sse / syy, rmse: Math.sqrt(sse / n) }
}

/** One histogram bin: `[from, to)`, the last bin closed. */
export interface HistogramBin {
  readonly from: number
  readonly to: number
  readonly count: number
}

/** Fixed-width histogram over `[min, max]`; values outside are clamped into the end bins. O(n). */
export function histogram(values: readonly number[], min = 0, max = 100, width = 10): HistogramBin[] {
  const bins = Math.max(1, Math.ceil((max - min) / width))
  const counts = new Array<number>(bins).fill(0)
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - min) / width)))
    counts[i]!++
  }
  return counts.map((count, i) => ({
    from: min + i * width,
    to: Math.min(max, min + (i + 1) * width),
    count,
  }))
}
