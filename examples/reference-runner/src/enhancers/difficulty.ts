import { numberOption, objectOption } from './options.js'
import type { ResultRecord } from './results.js'
import { type HistogramBin, histogram, round, summarize } from './stats.js'

/** Options of {@link courseDifficultyProfile}. */
export interface DifficultyOptions {
  /** The pass mark, percent. @default 50 */
  readonly passPercent?: number
  /** Histogram bin width, percentage points. @default 10 */
  readonly binWidth?: number
  /** Fewer results than this: `insufficient_data` (the statistics are still reported). @default 5 */
  readonly minResults?: number
}

/** {@link DifficultyOptions} with every default filled in. */
export type ResolvedDifficultyOptions = Required<DifficultyOptions>

/** Distribution statistics of a set of percentages. */
export interface Distribution {
  readonly results: number
  readonly mean: number | null
  readonly median: number | null
  readonly stdev: number | null
  /** Fraction at or above the pass mark. */
  readonly passRate: number | null
}

/** Course `ai_difficulty_profile`. */
export interface DifficultyProfile extends Distribution {
  readonly version: 1
  readonly difficulty: 'easy' | 'moderate' | 'hard' | 'very_hard' | 'insufficient_data'
  /** `1 − mean / 100`: 0 is trivial, 1 is impossible. */
  readonly difficultyIndex: number | null
  readonly passPercent: number
  readonly histogram: readonly HistogramBin[]
  /** Per assessment criterion, hardest (lowest mean) first. */
  readonly criteria: readonly ({ readonly criterion: string } & Distribution)[]
  readonly hardestCriterion: string | null
}

const WHERE = 'difficulty options'

/** Validate and default {@link DifficultyOptions} once; the result is frozen. */
export function resolveDifficultyOptions(o: DifficultyOptions = {}): ResolvedDifficultyOptions {
  objectOption(WHERE, 'difficulty', o)
  return Object.freeze({
    passPercent: numberOption(WHERE, 'passPercent', o.passPercent, 50, 0, 100),
    binWidth: numberOption(WHERE, 'binWidth', o.binWidth, 10, 1, 100),
    minResults: numberOption(WHERE, 'minResults', o.minResults, 5, 1, 100_000, true),
  })
}

/** Mean, median, population stdev and pass rate of percentages (rounded for storage). */
export function distribution(percents: readonly number[], passPercent: number): Distribution {
  const s = summarize(percents)
  if (!s) return { results: 0, mean: null, median: null, stdev: null, passRate: null }
  let passed = 0
  for (const p of percents) if (p >= passPercent) passed++
  return {
    results: s.count,
    mean: round(s.mean, 1),
    median: round(s.median, 1),
    stdev: round(s.stdev, 1),
    passRate: round(passed / s.count, 3),
  }
}

/**
 * A course's difficulty from the distribution of its results: mean, median, standard deviation, pass rate,
 * a histogram and per-criterion statistics. The label: pass rate ≥ 85 % with mean ≥ 70 → `easy`;
 * ≥ 65 % → `moderate`; ≥ 45 % → `hard`; else `very_hard`. O(n log n).
 */
export function courseDifficultyProfile(
  results: readonly Pick<ResultRecord, 'percent' | 'details'>[],
  options: ResolvedDifficultyOptions = resolveDifficultyOptions(),
): DifficultyProfile {
  const percents = results.map((r) => r.percent)
  const overall = distribution(percents, options.passPercent)
  const byCriterion = new Map<string, number[]>()
  for (const r of results)
    for (const d of r.details) {
      let list = byCriterion.get(d.criterion)
      if (!list) byCriterion.set(d.criterion, (list = []))
      list.push(d.percent)
    }
  const criteria = [...byCriterion.entries()]
    .map(([criterion, ps]) => ({ criterion, ...distribution(ps, options.passPercent) }))
    .sort((a, b) => (a.mean ?? 0) - (b.mean ?? 0) || (a.criterion < b.criterion ? -1 : 1))
  const { mean, passRate } = overall
  const difficulty: DifficultyProfile['difficulty'] =
    overall.results < options.minResults || mean === null || passRate === null
      ? 'insufficient_data'
      : passRate >= 0.85 && mean >= 70
        ? 'easy'
        : passRate >= 0.65
          ? 'moderate'
          : passRate >= 0.45
            ? 'hard'
            : 'very_hard'
  return {
    version: 1,
    ...overall,
    difficulty,
    difficultyIndex: mean === null ? null : round(1 - mean / 100, 3),
    passPercent: options.passPercent,
    histogram: histogram(percents, 0, 100, options.binWidth),
    criteria,
    hardestCriterion: criteria[0]?.criterion ?? null,
  }
}
