import { describe, expect, it } from 'vitest'
import {
  aiCustomFields,
  aiDocTypeMeta,
  aiJsonContentSchemas,
  encodeJsonField,
  parseAiJsonField,
} from '../src/index.js'
import { assessmentInsight, student } from './fixtures.js'

describe('JSON AI field contents', () => {
  it('has a content schema for every JSON AI field', () => {
    const jsonFields = [
      ...aiCustomFields.filter((f) => f.fieldtype === 'JSON').map((f) => [f.dt, f.fieldname] as const),
      ...Object.values(aiDocTypeMeta).flatMap((m) =>
        m.fields.filter((f) => f.fieldtype === 'JSON').map((f) => [m.name, f.fieldname] as const),
      ),
    ]
    expect(jsonFields.length).toBe(18)
    for (const [dt, field] of jsonFields) {
      expect(aiJsonContentSchemas).toHaveProperty([dt, field])
    }
  })

  it('parses the double-encoded value ERPNext returns', () => {
    const result = parseAiJsonField('Student', 'ai_learning_profile', student().ai_learning_profile)
    expect(result.success && result.data.strengths).toEqual(['geometry'])
  })

  it('parses an Assessment Insight field and keeps unknown keys', () => {
    const raw = JSON.parse(assessmentInsight().ai_analysis)
    const result = parseAiJsonField(
      'Assessment Insight',
      'ai_analysis',
      JSON.stringify({ ...raw, model: 'm-1' }),
    )
    expect(result.success && result.data.model).toBe('m-1')
  })

  it('reports text that is not JSON', () => {
    const result = parseAiJsonField('Assessment Insight', 'learning_gaps', '{"gaps": [')
    expect(result.success).toBe(false)
    expect(!result.success && result.issues[0]?.message).toBe(
      'Assessment Insight, field "learning_gaps": the value is not valid JSON.',
    )
  })

  it('reports content of the wrong shape with its path', () => {
    const result = parseAiJsonField('Assessment Insight', 'ai_analysis', '{"confidence": 1.5}')
    expect(!result.success && result.issues[0]?.field).toBe('ai_analysis.confidence')
  })

  it('throws for a field that is not a JSON AI field', () => {
    expect(() => parseAiJsonField('Student', 'first_name' as 'ai_learning_profile', '{}')).toThrow(TypeError)
  })

  it('encodes compactly and refuses lists', () => {
    expect(encodeJsonField({ concepts: ['fractions'] })).toBe('{"concepts":["fractions"]}')
    expect(() => encodeJsonField([1] as unknown as Record<string, unknown>)).toThrow(TypeError)
  })
})
