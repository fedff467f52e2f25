import { numberOption, objectOption } from './options.js'
import { linearFit, round } from './stats.js'

/** One scored assessment in time. */
export interface DatedScore {
  /** When it was assessed (`YYYY-MM-DD`, the Assessment Plan's `schedule_date`); `null` sorts last. */
  readonly date: string | null
  /** Percentage of the maximum score. */
  readonly percent: number
  /** Breaks ties between equal dates so the order is deterministic (e.g. the result name). */
  readonly key: string
}

/** Options of {@link analyzeScoreTrend}. */
export interface ScoreTrendOptions {
  /** Fewer results than this: `insufficient_data`. @default 3 */
  readonly minResults?: number
  /** Only the latest results are fitted. @default 12 */
  readonly window?: number
  /** A slope (percentage points per assessment) within ±this is `stable`. @default 1 */
  readonly stableSlope?: number
  /** The residual error (percentage points) at which confidence reaches 0. @default 25 */
  readonly errorScale?: number
}

/** {@link ScoreTrendOptions} with every default filled in. */
export type ResolvedScoreTrendOptions = Required<ScoreTrendOptions>

/** The performance prediction written into Student `ai_performance_insights`. */
export interface ScoreTrend {
  readonly trend: 'improving' | 'declining' | 'stable' | 'insufficient_data'
  /** Least-squares slope, percentage points per assessment. */
  readonly slope: number | null
  /** The fitted line's value at the next assessment, clamped to 0–100. */
  readonly predictedNextScore: number | null
  /** 0–1: grows with the number of results and shrinks with the residual error. */
  readonly confidence: number
  /** Results fitted. */
  readonly results: number
  readonly averageScore: number | null
  readonly latestScore: number | null
  readonly r2: number | null
  /** One sentence, no personal data. */
  readonly explanation: string
}

const WHERE = 'score trend options'

/** Validate and default {@link ScoreTrendOptions} once; the result is frozen. */
export function resolveScoreTrendOptions(o: ScoreTrendOptions = {}): ResolvedScoreTrendOptions {
  objectOption(WHERE, 'trend', o)
  return Object.freeze({
    minResults: numberOption(WHERE, 'minResults', o.minResults, 3, 2, 1000, true),
    window: numberOption(WHERE, 'window', o.window, 12, 2, 1000, true),
    stableSlope: numberOption(WHERE, 'stableSlope', o.stableSlope, 1, 0, 100),
    errorScale: numberOption(WHERE, 'errorScale', o.errorScale, 25, 0.001, 100),
  })
}

function byDate(a: DatedScore, b: DatedScore): number {
  if (a.date !== b.date) {
    if (a.date === null) return 1
    if (b.date === null) return -1
    return a.date < b.date ? -1 : 1
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}

/**
 * Fit a least-squares line through a student's scores, ordered by date (x = 0, 1, 2, … per assessment),
 * and predict the next one. Confidence is `(1 − 1/√n) · (1 − min(1, rmse / errorScale))`: few results or
 * a noisy fit mean low confidence. O(n log n).
 *
 * @example
 * ```ts
 * analyzeScoreTrend([{ date: '2024-01-10', percent: 55, key: 'R1' }, …]).predictedNextScore
 * ```
 */
export function analyzeScoreTrend(
  scores: readonly DatedScore[],
  options: ResolvedScoreTrendOptions = resolveScoreTrendOptions(),
): ScoreTrend {
  const ordered = [...scores]
    .filter((s) => Number.isFinite(s.percent))
    .sort(byDate)
    .slice(-options.window)
  const n = ordered.length
  const average = n === 0 ? null : ordered.reduce((s, r) => s + r.percent, 0) / n
  const latest = n === 0 ? null : ordered[n - 1]!.percent
  const fit = n >= options.minResults ? linearFit(ordered.map((s, x) => ({ x, y: s.percent }))) : null
  if (!fit) {
    return {
      trend: 'insufficient_data',
      slope: null,
      predictedNextScore: null,
      confidence: 0,
      results: n,
      averageScore: average === null ? null : round(average, 1),
      latestScore: latest === null ? null : round(latest, 1),
      r2: null,
      explanation: `${n} assessment result${n === 1 ? '' : 's'} so far; a trend needs at least ${options.minResults}.`,
    }
  }
  const predicted = Math.min(100, Math.max(0, fit.intercept + fit.slope * n))
  const confidence = (1 - 1 / Math.sqrt(n)) * (1 - Math.min(1, fit.rmse / options.errorScale))
  const trend =
    fit.slope > options.stableSlope ? 'improving' : fit.slope < -options.stableSlope ? 'declining' : 'stable'
  const first = ordered[0]!.percent
  const verb = trend === 'improving' ? 'rose' : trend === 'declining' ? 'fell' : 'held steady'
  const explanation =
    `Over the last ${n} assessments scores ${verb} (${round(fit.slope, 1)} points per assessment, ` +
    `from ${round(first, 1)}% to ${round(latest!, 1)}%); the next is predicted at ${round(predicted, 1)}% ` +
    `(confidence ${round(confidence, 2)}).`
  return {
    trend,
    slope: round(fit.slope, 2),
    predictedNextScore: round(predicted, 1),
    confidence: round(confidence, 2),
    results: n,
    averageScore: round(average!, 1),
    latestScore: round(latest!, 1),
    r2: round(fit.r2, 3),
    explanation,
  }
}
