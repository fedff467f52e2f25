import type { Enhancement, Enhancer, EnhancerContext } from '@edusync/sync-core'
import { z } from 'zod'
import { analyzeAttendance } from './attendance.js'
import {
  type EducationEnhancerOptions,
  type ResolvedEnhancerOptions,
  resolveEnhancerOptions,
} from './enhancers.js'
import { LanguageModelError, LanguageModelResponseError } from './errors.js'
import { toText } from './frappe.js'
import { analyzeScoreTrend } from './trend.js'

/**
 * The plug for a language model: one prompt in, one completion out. Wrap any provider's SDK or HTTP API
 * in it (a hosted model, a model on the school's own server). The enhancer passes the engine's abort
 * signal, which fires when the enhancer times out or the engine stops: forward it to the request.
 *
 * @example
 * ```ts
 * const model: LanguageModel = {
 *   id: 'school-llm',
 *   async complete(prompt, { signal }) {
 *     const res = await fetch(url, { method: 'POST', body: JSON.stringify({ prompt }), signal })
 *     return (await res.json()).text
 *   },
 * }
 * ```
 */
export interface LanguageModel {
  /** Recorded with the output (`generatedBy`). @default 'language-model' */
  readonly id?: string
  complete(prompt: string, options: { readonly signal: AbortSignal }): Promise<string>
}

/** What the model must answer: JSON of this shape. */
export interface LearningProfileAnswer {
  readonly summary: string
  readonly strengths: readonly string[]
  readonly focusAreas: readonly string[]
}

/** The facts the prompt carries: aggregates only, no names, no identifiers. */
export interface LearningProfileFacts {
  readonly attendanceRate: number | null
  readonly earlyWarning: string
  readonly scoreTrend: string
  readonly predictedNextScore: number | null
  readonly averageScore: number | null
  readonly courses: readonly { readonly course: string; readonly averageScore: number }[]
  readonly weakCriteria: readonly string[]
  readonly strongCriteria: readonly string[]
}

/** Options of {@link createLanguageModelEnhancer}. */
export interface LanguageModelEnhancerOptions extends EducationEnhancerOptions {
  readonly model: LanguageModel
  /** Builds the prompt from the facts. @default an instruction asking for `{ summary, strengths, focusAreas }` JSON */
  readonly prompt?: (facts: LearningProfileFacts) => string
  /** Longest accepted `summary`, characters. @default 600 */
  readonly maxSummaryChars?: number
}

const answerSchema = z.object({
  summary: z.string().min(1),
  strengths: z.array(z.string().min(1).max(200)).max(10),
  focusAreas: z.array(z.string().min(1).max(200)).max(10),
})

/** The default prompt: the facts as JSON and the answer format. */
export function defaultLearningProfilePrompt(facts: LearningProfileFacts): string {
  return [
    'You are a teaching assistant. From the anonymous learning facts below, write a short learning profile.',
    'Answer with JSON only: {"summary": string, "strengths": string[], "focusAreas": string[]}.',
    'Do not invent facts; do not address the student by name.',
    `FACTS: ${JSON.stringify(facts)}`,
  ].join('\n')
}

/** Parse and check a model's answer; throws {@link LanguageModelResponseError} (without echoing the answer). */
export function parseLearningProfileAnswer(
  enhancer: string,
  text: string,
  maxSummaryChars = 600,
): LearningProfileAnswer {
  // Models often wrap JSON in a code fence; take the outermost object.
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  if (start < 0 || end <= start)
    throw new LanguageModelResponseError(enhancer, ['no JSON object in the answer'])
  let parsed: unknown
  try {
    parsed = JSON.parse(text.slice(start, end + 1))
  } catch (error) {
    throw new LanguageModelResponseError(enhancer, ['the JSON object does not parse'], { cause: error })
  }
  const result = answerSchema.safeParse(parsed)
  if (!result.success)
    throw new LanguageModelResponseError(
      enhancer,
      result.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`),
    )
  if (result.data.summary.length > maxSummaryChars)
    throw new LanguageModelResponseError(enhancer, [`summary: longer than ${maxSummaryChars} characters`])
  return result.data
}

/** The facts for one student, from the index: aggregates only. */
export function learningProfileFacts(
  o: ResolvedEnhancerOptions,
  student: string,
): LearningProfileFacts | undefined {
  const attendance = o.index.attendanceOf(student)
  const results = o.index.resultsOfStudent(student)
  if (attendance.length === 0 && results.length === 0) return undefined
  const a = analyzeAttendance(attendance, o.attendance)
  const t = analyzeScoreTrend(
    results.map((r) => ({ date: r.date, percent: r.percent, key: r.name })),
    o.trend,
  )
  const perCourse = new Map<string, { sum: number; n: number }>()
  const perCriterion = new Map<string, { sum: number; n: number }>()
  const add = (m: Map<string, { sum: number; n: number }>, k: string, v: number) => {
    const e = m.get(k) ?? { sum: 0, n: 0 }
    e.sum += v
    e.n++
    m.set(k, e)
  }
  for (const r of results) {
    if (r.course) add(perCourse, r.course, r.percent)
    for (const d of r.details) add(perCriterion, d.criterion, d.percent)
  }
  const avg = (e: { sum: number; n: number }) => Math.round((e.sum / e.n) * 10) / 10
  const criteria = [...perCriterion.entries()]
    .map(([c, e]) => [c, avg(e)] as const)
    .sort((x, y) => x[1] - y[1])
  return {
    attendanceRate: a.rate,
    earlyWarning: a.level,
    scoreTrend: t.trend,
    predictedNextScore: t.predictedNextScore,
    averageScore: t.averageScore,
    courses: [...perCourse.entries()]
      .sort(([x], [y]) => (x < y ? -1 : 1))
      .map(([course, e]) => ({ course, averageScore: avg(e) })),
    weakCriteria: criteria.filter(([, p]) => p < o.criteria.weakPercent).map(([c]) => c),
    strongCriteria: criteria.filter(([, p]) => p >= o.criteria.strongPercent).map(([c]) => c),
  }
}

/**
 * An example enhancer backed by a {@link LanguageModel}: Student → `ai_learning_profile` with a narrative
 * summary, strengths and focus areas. The prompt carries only aggregate, non-identifying facts computed
 * by the deterministic analytics (attendance rate, trend, per-course averages, weak and strong criteria);
 * the answer must be JSON and is validated before it is written. Share the `index` of
 * `createEducationEnhancers()` so it sees the synced documents.
 *
 * @example
 * ```ts
 * const ai = createEducationEnhancers()
 * const profile = createLanguageModelEnhancer({ index: ai.index, model })
 * createSyncEngine({ ..., enhancers: [...ai.enhancers, profile] })
 * ```
 */
export function createLanguageModelEnhancer(options: LanguageModelEnhancerOptions): Enhancer {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('[@edusync/reference-runner] createLanguageModelEnhancer(): pass { model }.')
  const { model } = options
  if (typeof model !== 'object' || model === null || typeof model.complete !== 'function')
    throw new TypeError(
      '[@edusync/reference-runner] createLanguageModelEnhancer(): "model" must be a LanguageModel { complete(prompt, { signal }) }.',
    )
  if (options.prompt !== undefined && typeof options.prompt !== 'function')
    throw new TypeError(
      '[@edusync/reference-runner] createLanguageModelEnhancer(): "prompt" must be a function of the facts.',
    )
  const maxSummaryChars = options.maxSummaryChars ?? 600
  if (!Number.isInteger(maxSummaryChars) || maxSummaryChars < 1)
    throw new RangeError(
      `[@edusync/reference-runner] createLanguageModelEnhancer(): "maxSummaryChars" must be a positive integer, got ${String(options.maxSummaryChars)}.`,
    )
  const { model: _m, prompt: _p, maxSummaryChars: _x, ...rest } = options
  const o = resolveEnhancerOptions(rest)
  const prompt = options.prompt ?? defaultLearningProfilePrompt
  const name = 'edusync.language-model-profile'
  const generatedBy = typeof model.id === 'string' && model.id !== '' ? model.id : 'language-model'
  return Object.freeze({
    name,
    doctypes: Object.freeze(['Student']),
    async enhance(ctx: EnhancerContext): Promise<Enhancement | undefined> {
      const student = toText(ctx.view.name)
      if (!student) return undefined
      const facts = learningProfileFacts(o, student)
      if (!facts) return undefined
      let text: string
      try {
        ctx.signal.throwIfAborted()
        text = await model.complete(prompt(facts), { signal: ctx.signal })
      } catch (error) {
        throw new LanguageModelError(name, { cause: error })
      }
      if (typeof text !== 'string') throw new LanguageModelResponseError(name, ['the model returned no text'])
      const answer = parseLearningProfileAnswer(name, text, maxSummaryChars)
      return {
        fields: {
          ai_learning_profile: {
            version: 1,
            summary: answer.summary,
            strengths: answer.strengths,
            focusAreas: answer.focusAreas,
            generatedBy,
            basedOn: facts,
          },
        },
      }
    },
  })
}
