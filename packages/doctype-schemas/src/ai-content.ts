/**
 * Schemas for the parsed content of EduSync's JSON-typed AI fields. ERPNext stores a JSON field as a
 * string holding JSON; these schemas describe what that JSON holds. Every key is optional and unknown
 * keys are kept, so the AI layer can add keys without breaking older readers; `version` lets it evolve.
 */
import { z } from 'zod'
import { type DocIssue, DocValidationError } from './errors.js'

const level = () => z.enum(['low', 'medium', 'high'])
const unit = () => z.number().min(0).max(1)
const strings = () => z.array(z.string())
const content = <S extends z.ZodRawShape>(shape: S) =>
  z.looseObject({ version: z.number().int().min(1).optional(), updated_at: z.string().optional(), ...shape })

/** Parsed content of every JSON AI field, by doctype then fieldname. */
export const aiJsonContentSchemas = {
  Student: {
    ai_learning_profile: content({
      learning_style: z.string().optional(),
      strengths: strings().optional(),
      challenges: strings().optional(),
      preferred_pace: z.enum(['slow', 'steady', 'fast']).optional(),
    }),
    ai_preferences_settings: content({
      language: z.string().optional(),
      tone: z.string().optional(),
      hints_enabled: z.boolean().optional(),
      notifications: z.boolean().optional(),
    }),
    ai_performance_insights: content({
      summary: z.string().optional(),
      trend: z.enum(['improving', 'stable', 'declining']).optional(),
      risk_level: level().optional(),
      highlights: strings().optional(),
    }),
  },
  Instructor: {
    ai_teaching_profile: content({
      subjects: strings().optional(),
      teaching_style: z.string().optional(),
      experience_years: z.number().min(0).optional(),
    }),
    ai_assistance_preferences: content({
      grading_help: z.boolean().optional(),
      lesson_planning: z.boolean().optional(),
      language: z.string().optional(),
    }),
    ai_insights_config: content({
      enabled_insights: strings().optional(),
      frequency: z.enum(['daily', 'weekly', 'monthly']).optional(),
    }),
    ai_performance_metrics: content({
      period: z.string().optional(),
      metrics: z.record(z.string(), z.number()).optional(),
    }),
  },
  Course: {
    ai_content_mapping: content({
      topics: z.array(z.looseObject({ topic: z.string(), content: strings().optional() })).optional(),
    }),
    ai_difficulty_profile: content({
      overall: unit().optional(),
      topics: z.record(z.string(), unit()).optional(),
    }),
    ai_learning_objectives: content({
      objectives: z
        .array(
          z.looseObject({ id: z.string().optional(), text: z.string(), bloom_level: z.string().optional() }),
        )
        .optional(),
    }),
    ai_resource_links: content({
      resources: z
        .array(z.looseObject({ title: z.string(), url: z.url(), kind: z.string().optional() }))
        .optional(),
    }),
  },
  'Program Enrollment': {
    ai_progress_tracking: content({
      completion: unit().optional(),
      courses: z
        .record(z.string(), z.looseObject({ status: z.string().optional(), completion: unit().optional() }))
        .optional(),
    }),
    ai_learning_path: content({
      steps: z
        .array(
          z.looseObject({
            course: z.string().optional(),
            topic: z.string().optional(),
            status: z.enum(['pending', 'in_progress', 'done', 'skipped']).optional(),
          }),
        )
        .optional(),
    }),
    ai_intervention_history: content({
      interventions: z
        .array(z.looseObject({ date: z.string(), kind: z.string(), outcome: z.string().optional() }))
        .optional(),
    }),
  },
  'Assessment Insight': {
    ai_analysis: content({
      summary: z.string().optional(),
      strengths: strings().optional(),
      weaknesses: strings().optional(),
      confidence: unit().optional(),
    }),
    improvement_suggestions: content({
      suggestions: z
        .array(
          z.looseObject({ text: z.string(), criterion: z.string().optional(), priority: level().optional() }),
        )
        .optional(),
    }),
    learning_gaps: content({
      gaps: z
        .array(
          z.looseObject({
            concept: z.string(),
            criterion: z.string().optional(),
            severity: level().optional(),
          }),
        )
        .optional(),
    }),
  },
  'AI Engagement Log': {
    concepts_explored: content({ concepts: strings().optional() }),
  },
} as const

/** The type of {@link aiJsonContentSchemas}. */
export type AiJsonContentSchemas = typeof aiJsonContentSchemas

/** Doctypes that have JSON AI fields. */
export type AiJsonDocType = keyof AiJsonContentSchemas

/** The parsed content type of one JSON AI field. */
export type AiJsonContent<
  D extends AiJsonDocType,
  F extends keyof AiJsonContentSchemas[D],
> = AiJsonContentSchemas[D][F] extends z.ZodType ? z.output<AiJsonContentSchemas[D][F]> : never

/** The result of {@link parseAiJsonField}. */
export type AiJsonParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly issues: readonly DocIssue[]; readonly error: DocValidationError }

/**
 * Parse the value of a JSON AI field (the string ERPNext returns, or an already parsed object) and
 * validate its content. Never throws for bad content: the result lists the issues.
 *
 * @example
 * ```ts
 * const r = parseAiJsonField('Student', 'ai_learning_profile', student.ai_learning_profile)
 * if (r.success) r.data.strengths
 * ```
 */
export function parseAiJsonField<D extends AiJsonDocType, F extends keyof AiJsonContentSchemas[D] & string>(
  doctype: D,
  fieldname: F,
  value: unknown,
): AiJsonParseResult<AiJsonContent<D, F>> {
  const table = aiJsonContentSchemas[doctype] as Record<string, z.ZodType> | undefined
  const schema = table?.[fieldname]
  if (!schema) {
    throw new TypeError(
      `[@edusync/doctype-schemas] ${String(doctype)}.${String(fieldname)} is not a JSON AI field; see aiJsonContentSchemas`,
    )
  }
  const fail = (path: (string | number)[], code: string, text: string): AiJsonParseResult<never> => {
    const field = [fieldname, ...path]
      .map((p) => (typeof p === 'number' ? `[${p}]` : p))
      .join('.')
      .replace(/\.\[/g, '[')
    const issue: DocIssue = {
      doctype,
      docname: undefined,
      path: [fieldname, ...path],
      field,
      code,
      message: `${doctype}, field "${field}": ${text}`,
    }
    return { success: false, issues: [issue], error: new DocValidationError(doctype, undefined, [issue]) }
  }
  let parsed: unknown = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch {
      return fail([], 'invalid_json', 'the value is not valid JSON.')
    }
  }
  const result = schema.safeParse(parsed)
  if (result.success) return { success: true, data: result.data as AiJsonContent<D, F> }
  const issues: DocIssue[] = result.error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? p : String(p)))
    const failure = fail(path, i.code, i.message.endsWith('.') ? i.message : `${i.message}.`)
    return (failure as { issues: readonly DocIssue[] }).issues[0] as DocIssue
  })
  return { success: false, issues, error: new DocValidationError(doctype, undefined, issues) }
}

/**
 * Encode the content of a JSON field the way ERPNext stores it: compact JSON text.
 *
 * @throws {TypeError} for a list (ERPNext refuses lists in JSON fields) or a value JSON cannot encode
 */
export function encodeJsonField(content: Record<string, unknown>): string {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new TypeError('[@edusync/doctype-schemas] encodeJsonField(content): content must be a plain object')
  }
  return JSON.stringify(content)
}
