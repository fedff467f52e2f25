import { describe, expect, it } from 'vitest'
import {
  analyzeCriteria,
  assessmentInsightDocument,
  criterionScores,
  resolveCriteriaOptions,
  toResultRecord,
} from '../../src/enhancers/index.js'
import { resultView } from './fixtures.js'

/** A valid fixture: 42/60 written (70 %), 30/40 coursework (75 %): no gaps. */
const valid = () => toResultRecord(resultView(42, 30))!

describe('toResultRecord', () => {
  it('reads total_score, maximum_score, grade and the details table', () => {
    expect(valid()).toMatchObject({
      percent: 72,
      totalScore: 72,
      maximumScore: 100,
      grade: 'B',
      course: 'Mathematics',
      assessmentPlan: 'EDU-ASP-2024-00001',
      details: [
        { criterion: 'Written Exam', score: 42, maximum: 60, percent: 70 },
        { criterion: 'Coursework', score: 30, maximum: 40, percent: 75 },
      ],
    })
  })

  it('sums the details when total_score is missing', () => {
    expect(toResultRecord({ ...resultView(42, 30), total_score: null })?.totalScore).toBe(72)
  })

  it('rejects a result with no score at all', () => {
    expect(toResultRecord({ ...resultView(42, 30), total_score: null, details: [] })).toBeUndefined()
  })

  it('skips a details row with a zero maximum', () => {
    expect(
      criterionScores([
        { assessment_criteria: 'Oral', score: 3, maximum_score: 0 },
        ...(resultView(42, 30).details as []),
      ]),
    ).toHaveLength(2)
  })
})

describe('analyzeCriteria', () => {
  it('finds no gap in a balanced result', () => {
    const a = analyzeCriteria(valid())
    expect(a.gaps).toEqual([])
    expect(a.suggestions).toEqual([])
    expect(a.summary).toBe('Scored 72% with no criterion-level gaps.')
  })

  it('marks a criterion well below the target as a high-severity gap with a suggestion', () => {
    const a = analyzeCriteria(toResultRecord(resultView(18, 36))!) // 30 % written, 90 % coursework
    expect(a.gaps).toEqual([
      { criterion: 'Written Exam', percent: 30, belowTarget: 30, belowClass: null, severity: 'high' },
    ])
    expect(a.strengths).toEqual(['Coursework'])
    expect(a.suggestions[0]).toMatchObject({ criterion: 'Written Exam', priority: 'high' })
    expect(a.suggestions[0]?.suggestion).toContain('"Written Exam"')
  })

  it('marks a criterion just below the target as medium', () => {
    expect(analyzeCriteria(toResultRecord(resultView(33, 30))!).gaps[0]?.severity).toBe('medium') // 55 %
  })

  it('marks a criterion far below the class average as a low gap', () => {
    const averages = new Map([['Written Exam', { percent: 90, results: 24 }]])
    const a = analyzeCriteria(valid(), averages)
    expect(a.gaps).toEqual([
      { criterion: 'Written Exam', percent: 70, belowTarget: 0, belowClass: 20, severity: 'low' },
    ])
    expect(a.criteria[0]?.classAverage).toBe(90)
  })

  it('ignores the class average of a class smaller than minClassSize', () => {
    const averages = new Map([['Written Exam', { percent: 90, results: 3 }]])
    expect(analyzeCriteria(valid(), averages).gaps).toEqual([])
  })

  it('lists the most severe gap first', () => {
    const a = analyzeCriteria(toResultRecord(resultView(33, 8))!) // 55 % medium, 20 % high
    expect(a.gaps.map((g) => g.criterion)).toEqual(['Coursework', 'Written Exam'])
  })

  it('honours a configured target', () => {
    const a = analyzeCriteria(valid(), new Map(), resolveCriteriaOptions({ weakPercent: 72 }))
    expect(a.gaps.map((g) => g.criterion)).toEqual(['Written Exam'])
  })

  it('validates its options', () => {
    expect(() => resolveCriteriaOptions({ weakPercent: 120 })).toThrow(/"weakPercent"/)
  })
})

describe('assessmentInsightDocument', () => {
  const build = (modified: string) =>
    assessmentInsightDocument({
      resultName: 'EDU-RES-2024-00042',
      modified,
      analysis: analyzeCriteria(toResultRecord(resultView(18, 36))!),
      generatedAt: Date.UTC(2024, 2, 20, 9, 15, 0),
    })

  it('fills the Assessment Insight fields with a Frappe Datetime', () => {
    const d = build('2024-03-20 10:15:00.123456')
    expect(d.doctype).toBe('Assessment Insight')
    expect(d.doc.assessment_result).toBe('EDU-RES-2024-00042')
    expect(d.doc.generated_timestamp).toBe('2024-03-20 09:15:00')
    expect(d.doc.learning_gaps).toHaveLength(1)
    expect(d.doc.improvement_suggestions).toHaveLength(1)
    expect(d.doc.ai_analysis).toMatchObject({ version: 1, overallPercent: 54, grade: 'D' })
  })

  it('derives the idempotency key from the result name and its modified', () => {
    expect(build('2024-03-20 10:15:00.123456').key).toBe(
      'assessment-insight:EDU-RES-2024-00042:2024-03-20 10:15:00.123456',
    )
    expect(build('2024-03-21 08:00:00').key).not.toBe(build('2024-03-20 10:15:00.123456').key)
  })
})
