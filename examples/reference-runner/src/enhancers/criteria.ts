import { formatFrappeDatetime, idempotencyKey } from './frappe.js'
import { numberOption, objectOption } from './options.js'
import type { ResultRecord } from './results.js'
import { round } from './stats.js'

/** Options of {@link analyzeCriteria}. */
export interface CriteriaOptions {
  /** A criterion scored below this percentage is a learning gap. @default 60 */
  readonly weakPercent?: number
  /** A criterion this many points below the student's own overall percentage is a (low) gap. @default 15 */
  readonly relativeGap?: number
  /** A criterion this many points below the class average is a (low) gap. @default 15 */
  readonly classGap?: number
  /** Class averages are used only when at least this many other results are known. @default 5 */
  readonly minClassSize?: number
  /** A criterion at or above this percentage is a strength. @default 80 */
  readonly strongPercent?: number
}

/** {@link CriteriaOptions} with every default filled in. */
export type ResolvedCriteriaOptions = Required<CriteriaOptions>

/** A criterion's class average (leave-one-out: the result itself excluded) and how many results made it. */
export interface ClassAverage {
  readonly percent: number
  readonly results: number
}

/** One criterion of a result, judged. */
export interface CriterionAnalysis {
  readonly criterion: string
  readonly score: number
  readonly maximum: number
  readonly percent: number
  /** `null` when the class is too small to compare. */
  readonly classAverage: number | null
  readonly status: 'strength' | 'on_track' | 'gap'
}

/** A learning gap (Assessment Insight `learning_gaps`). */
export interface LearningGap {
  readonly criterion: string
  readonly percent: number
  /** Points below `weakPercent` (0 for relative gaps). */
  readonly belowTarget: number
  /** Points below the class average, when known. */
  readonly belowClass: number | null
  readonly severity: 'high' | 'medium' | 'low'
}

/** A suggestion (Assessment Insight `improvement_suggestions`). */
export interface ImprovementSuggestion {
  readonly criterion: string
  readonly priority: 'high' | 'medium' | 'low'
  readonly suggestion: string
}

/** What {@link analyzeCriteria} found. */
export interface CriteriaAnalysis {
  readonly overallPercent: number
  readonly grade: string | null
  readonly criteria: readonly CriterionAnalysis[]
  readonly strengths: readonly string[]
  readonly gaps: readonly LearningGap[]
  readonly suggestions: readonly ImprovementSuggestion[]
  readonly summary: string
}

const WHERE = 'criteria options'

/** Validate and default {@link CriteriaOptions} once; the result is frozen. */
export function resolveCriteriaOptions(o: CriteriaOptions = {}): ResolvedCriteriaOptions {
  objectOption(WHERE, 'criteria', o)
  return Object.freeze({
    weakPercent: numberOption(WHERE, 'weakPercent', o.weakPercent, 60, 0, 100),
    relativeGap: numberOption(WHERE, 'relativeGap', o.relativeGap, 15, 0, 100),
    classGap: numberOption(WHERE, 'classGap', o.classGap, 15, 0, 100),
    minClassSize: numberOption(WHERE, 'minClassSize', o.minClassSize, 5, 1, 100_000, true),
    strongPercent: numberOption(WHERE, 'strongPercent', o.strongPercent, 80, 0, 100),
  })
}

const SEVERITY_RANK = { high: 0, medium: 1, low: 2 } as const

function suggestionFor(gap: LearningGap, weakPercent: number): string {
  const c = gap.criterion
  switch (gap.severity) {
    case 'high':
      return `Revisit the foundations assessed by "${c}" with guided practice and a short re-assessment; the score (${round(gap.percent, 1)}%) is well below the ${weakPercent}% target.`
    case 'medium':
      return `Schedule focused practice on "${c}" (${round(gap.percent, 1)}%) and review the marked work together to close the gap to ${weakPercent}%.`
    default:
      return gap.belowClass !== null && gap.belowClass > 0
        ? `"${c}" is ${round(gap.belowClass, 1)} points below the class average; a brief review of the worked examples should help.`
        : `"${c}" lags the other criteria of this assessment; include it in the next revision session.`
  }
}

/**
 * Judge each criterion of one Assessment Result: gaps (below `weakPercent`, or well below the student's
 * own overall score or the class average), strengths, and a suggestion per gap, most severe first.
 * Deterministic; O(criteria · log criteria).
 *
 * @param classAverages - Per criterion, from the other results of the same Assessment Plan.
 */
export function analyzeCriteria(
  result: Pick<ResultRecord, 'percent' | 'grade' | 'details'>,
  classAverages: ReadonlyMap<string, ClassAverage> = new Map(),
  options: ResolvedCriteriaOptions = resolveCriteriaOptions(),
): CriteriaAnalysis {
  const criteria: CriterionAnalysis[] = []
  const gaps: LearningGap[] = []
  const strengths: string[] = []
  for (const d of result.details) {
    const avg = classAverages.get(d.criterion)
    const classAverage = avg && avg.results >= options.minClassSize ? avg.percent : null
    const belowClass = classAverage === null ? null : classAverage - d.percent
    let severity: LearningGap['severity'] | null = null
    if (d.percent < options.weakPercent - 20) severity = 'high'
    else if (d.percent < options.weakPercent) severity = 'medium'
    else if (
      result.percent - d.percent >= options.relativeGap ||
      (belowClass !== null && belowClass >= options.classGap)
    )
      severity = 'low'
    const status = severity ? 'gap' : d.percent >= options.strongPercent ? 'strength' : 'on_track'
    criteria.push({
      criterion: d.criterion,
      score: d.score,
      maximum: d.maximum,
      percent: round(d.percent, 1),
      classAverage: classAverage === null ? null : round(classAverage, 1),
      status,
    })
    if (status === 'strength') strengths.push(d.criterion)
    if (severity)
      gaps.push({
        criterion: d.criterion,
        percent: round(d.percent, 1),
        belowTarget: round(Math.max(0, options.weakPercent - d.percent), 1),
        belowClass: belowClass === null ? null : round(belowClass, 1),
        severity,
      })
  }
  gaps.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.percent - b.percent ||
      (a.criterion < b.criterion ? -1 : 1),
  )
  const suggestions = gaps.map((g) => ({
    criterion: g.criterion,
    priority: g.severity,
    suggestion: suggestionFor(g, options.weakPercent),
  }))
  const overall = round(result.percent, 1)
  const summary =
    gaps.length === 0
      ? `Scored ${overall}% with no criterion-level gaps${strengths.length ? `; strongest in ${strengths.join(', ')}` : ''}.`
      : `Scored ${overall}%; ${gaps.length} learning gap${gaps.length === 1 ? '' : 's'}: ${gaps.map((g) => `${g.criterion} (${g.percent}%)`).join(', ')}.`
  return { overallPercent: overall, grade: result.grade, criteria, strengths, gaps, suggestions, summary }
}

/** An Assessment Insight ready for the engine to insert (an `AiDocument`). */
export interface AssessmentInsightDocument {
  readonly doctype: string
  readonly key: string
  readonly doc: {
    readonly assessment_result: string
    readonly ai_analysis: Record<string, unknown>
    readonly improvement_suggestions: readonly ImprovementSuggestion[]
    readonly learning_gaps: readonly LearningGap[]
    readonly generated_timestamp: string
  }
}

/**
 * Build the Assessment Insight for one result version. The idempotency key is derived from the result
 * name and its `modified`, so re-processing the same version never inserts a second insight, and an
 * amended result gets a new one.
 */
export function assessmentInsightDocument(input: {
  /** The Assessment Result's name (a document id, not personal data). */
  readonly resultName: string
  readonly modified: string
  readonly analysis: CriteriaAnalysis
  readonly generatedAt: number
  /** @default 'UTC' */
  readonly timeZone?: string
  /** @default 'Assessment Insight' */
  readonly doctype?: string
}): AssessmentInsightDocument {
  const { analysis } = input
  return {
    doctype: input.doctype ?? 'Assessment Insight',
    key: idempotencyKey('assessment-insight', input.resultName, input.modified),
    doc: {
      assessment_result: input.resultName,
      ai_analysis: {
        version: 1,
        overallPercent: analysis.overallPercent,
        grade: analysis.grade,
        criteria: analysis.criteria,
        strengths: analysis.strengths,
        summary: analysis.summary,
      },
      improvement_suggestions: analysis.suggestions,
      learning_gaps: analysis.gaps,
      generated_timestamp: formatFrappeDatetime(input.generatedAt, input.timeZone ?? 'UTC'),
    },
  }
}
