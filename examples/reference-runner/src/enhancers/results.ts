import { toNumber, toText } from './frappe.js'

/** One row of an Assessment Result's `details` table, scored. */
export interface CriterionScore {
  /** The Assessment Criteria name, e.g. `Written Exam`. */
  readonly criterion: string
  readonly score: number
  readonly maximum: number
  /** `score / maximum · 100`. */
  readonly percent: number
}

/** The part of an Assessment Result the analytics read. */
export interface ResultRecord {
  /** `total_score / maximum_score · 100` (the details' sums when the totals are missing). */
  readonly percent: number
  readonly totalScore: number
  readonly maximumScore: number
  readonly grade: string | null
  readonly course: string | null
  readonly assessmentPlan: string | null
  readonly studentGroup: string | null
  readonly program: string | null
  readonly academicYear: string | null
  readonly details: readonly CriterionScore[]
}

/** The scored rows of an Assessment Result `details` table; rows without a criterion or a positive maximum are skipped. */
export function criterionScores(details: unknown): CriterionScore[] {
  if (!Array.isArray(details)) return []
  const out: CriterionScore[] = []
  for (const row of details) {
    if (typeof row !== 'object' || row === null) continue
    const r = row as Record<string, unknown>
    const criterion = toText(r.assessment_criteria)
    const score = toNumber(r.score)
    const maximum = toNumber(r.maximum_score)
    if (!criterion || score === undefined || maximum === undefined || maximum <= 0 || score < 0) continue
    out.push({ criterion, score, maximum, percent: (score / maximum) * 100 })
  }
  return out
}

/**
 * An Assessment Result view as a {@link ResultRecord}, or `undefined` when it has no usable score.
 * ERPNext computes `total_score` as the sum of `details[].score`; when it or `maximum_score` is missing
 * the details are summed here.
 */
export function toResultRecord(doc: Readonly<Record<string, unknown>>): ResultRecord | undefined {
  const details = criterionScores(doc.details)
  let total = toNumber(doc.total_score)
  let maximum = toNumber(doc.maximum_score)
  if (total === undefined && details.length > 0) total = details.reduce((s, d) => s + d.score, 0)
  if ((maximum === undefined || maximum <= 0) && details.length > 0)
    maximum = details.reduce((s, d) => s + d.maximum, 0)
  if (total === undefined || maximum === undefined || maximum <= 0 || total < 0) return undefined
  return {
    percent: Math.min(100, (total / maximum) * 100),
    totalScore: total,
    maximumScore: maximum,
    grade: toText(doc.grade) ?? null,
    course: toText(doc.course) ?? null,
    assessmentPlan: toText(doc.assessment_plan) ?? null,
    studentGroup: toText(doc.student_group) ?? null,
    program: toText(doc.program) ?? null,
    academicYear: toText(doc.academic_year) ?? null,
    details,
  }
}
