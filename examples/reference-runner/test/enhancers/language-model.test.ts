/**
 * The language-model enhancer against a deterministic fake model. The fake is the test double for an
 * external service (a hosted or self-hosted LLM) that cannot run on this machine: it reads the facts from
 * the prompt and answers as a well-behaved model would, so the tests check the enhancer's side of the
 * contract (prompt content, signal forwarding, answer validation, errors).
 */
import type { ErpDoc } from '@edusync/sync-core'
import { describe, expect, it } from 'vitest'
import {
  type LanguageModel,
  createEducationEnhancers,
  createLanguageModelEnhancer,
  isEnhancersError,
  isLanguageModelError,
  isLanguageModelResponseError,
  parseLearningProfileAnswer,
} from '../../src/enhancers/index.js'
import { SCHOOL_DAYS, STUDENT, attendanceView, context, resultView } from './fixtures.js'

/** A deterministic fake model: summarises the FACTS line of the prompt. */
function fakeModel(log: string[] = []): LanguageModel {
  return {
    id: 'fake-model-1',
    async complete(prompt, { signal }) {
      signal.throwIfAborted()
      log.push(prompt)
      const facts = JSON.parse(prompt.slice(prompt.indexOf('FACTS: ') + 7)) as Record<string, any>
      return [
        '```json',
        JSON.stringify({
          summary: `Attendance ${Math.round(facts.attendanceRate * 100)}%, scores ${facts.scoreTrend}, next about ${facts.predictedNextScore}%.`,
          strengths: facts.strongCriteria,
          focusAreas: facts.weakCriteria,
        }),
        '```',
      ].join('\n')
    },
  }
}

async function setup(model: LanguageModel) {
  const ai = createEducationEnhancers()
  const [indexer] = ai.enhancers
  const mirror = new Map<string, ErpDoc>()
  for (const [i, date] of SCHOOL_DAYS.entries())
    await indexer!.enhance(
      context('Student Attendance', `A${i}`, attendanceView(date, i === 0 ? 'Absent' : 'Present')),
    )
  for (const [i, [w, c]] of (
    [
      [20, 36],
      [24, 37],
      [27, 38],
    ] as const
  ).entries()) {
    mirror.set(`Assessment Plan\u0000P${i}`, { schedule_date: `2024-0${i + 1}-15` })
    await indexer!.enhance(
      context('Assessment Result', `R${i}`, resultView(w, c, { assessment_plan: `P${i}` }), { mirror }),
    )
  }
  return createLanguageModelEnhancer({ index: ai.index, model })
}

const studentCtx = (signal?: AbortSignal) =>
  context('Student', 'EDU-STU-2024-00001', { name: STUDENT, enabled: 1 }, signal ? { signal } : {})

describe('createLanguageModelEnhancer', () => {
  it("writes the model's validated profile into ai_learning_profile", async () => {
    const enhancer = await setup(fakeModel())
    const out = await enhancer.enhance(studentCtx())
    expect(out?.fields?.ai_learning_profile).toEqual({
      version: 1,
      summary: 'Attendance 92%, scores improving, next about 69.7%.',
      strengths: ['Coursework'],
      focusAreas: ['Written Exam'],
      generatedBy: 'fake-model-1',
      basedOn: expect.objectContaining({ scoreTrend: 'improving', weakCriteria: ['Written Exam'] }),
    })
  })

  it('sends only aggregate facts: no pseudonym, no document name', async () => {
    const log: string[] = []
    const enhancer = await setup(fakeModel(log))
    await enhancer.enhance(studentCtx())
    expect(log).toHaveLength(1)
    expect(log[0]).not.toContain(STUDENT)
    expect(log[0]).not.toMatch(/psn_|EDU-|R0|A0/)
  })

  it("forwards the engine's abort signal and reports an aborted call as LanguageModelError", async () => {
    const enhancer = await setup(fakeModel())
    const controller = new AbortController()
    controller.abort(new Error('enhancer timed out'))
    const error = await Promise.resolve(enhancer.enhance(studentCtx(controller.signal))).catch(
      (e: unknown) => e,
    )
    expect(isLanguageModelError(error)).toBe(true)
    expect((error as Error).message).toMatch(
      /^\[@edusync\/reference-runner\] enhancer "edusync.language-model-profile"/,
    )
    expect((error as Error).cause).toBeInstanceOf(Error)
  })

  it('reports a model failure as LanguageModelError with the cause kept', async () => {
    const cause = new Error('503 from model endpoint')
    const enhancer = await setup({ complete: async () => Promise.reject(cause) })
    const error = await Promise.resolve(enhancer.enhance(studentCtx())).catch((e: unknown) => e)
    expect(isLanguageModelError(error)).toBe(true)
    expect((error as Error).cause).toBe(cause)
  })

  it('rejects an answer that is not the requested JSON, without echoing it', async () => {
    const enhancer = await setup({ complete: async () => 'Sure! The student Ann Lee is doing great.' })
    const error = await Promise.resolve(enhancer.enhance(studentCtx())).catch((e: unknown) => e)
    expect(isLanguageModelResponseError(error)).toBe(true)
    expect((error as Error).message).not.toContain('Ann Lee')
  })

  it('writes nothing for a student the index knows nothing about', async () => {
    const enhancer = await setup(fakeModel())
    expect(await enhancer.enhance(context('Student', 'X', { name: 'psn_v1_unknown' }))).toBeUndefined()
  })

  it('requires a model', () => {
    expect(() => createLanguageModelEnhancer({ model: {} as never })).toThrow(
      /"model" must be a LanguageModel/,
    )
  })

  it('validates maxSummaryChars', () => {
    expect(() => createLanguageModelEnhancer({ model: fakeModel(), maxSummaryChars: 0 })).toThrow(RangeError)
  })
})

describe('parseLearningProfileAnswer', () => {
  const valid = { summary: 'Steady progress.', strengths: ['Coursework'], focusAreas: [] }

  it('accepts plain JSON', () => {
    expect(parseLearningProfileAnswer('e', JSON.stringify(valid))).toEqual(valid)
  })

  it('names a missing field', () => {
    const { summary: _s, ...rest } = valid
    const error = (() => {
      try {
        parseLearningProfileAnswer('e', JSON.stringify(rest))
      } catch (e) {
        return e
      }
    })()
    expect(isLanguageModelResponseError(error) && error.issues[0]).toMatch(/^summary:/)
  })

  it('rejects broken JSON', () => {
    expect(() => parseLearningProfileAnswer('e', '{"summary": ')).toThrow(/no JSON object|does not parse/)
  })

  it('rejects an over-long summary', () => {
    expect(() =>
      parseLearningProfileAnswer('e', JSON.stringify({ ...valid, summary: 'x'.repeat(50) }), 20),
    ).toThrow(/longer than 20 characters/)
  })
})

describe('error guards', () => {
  it('recognise errors from another realm by their brand, not their class', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@edusync/reference-runner/enhancers-error')]: true,
      code: 'ENHANCERS_MODEL_FAILED',
    })
    expect(isEnhancersError(foreign)).toBe(true)
    expect(isLanguageModelError(foreign)).toBe(true)
    expect(isLanguageModelResponseError(foreign)).toBe(false)
  })

  it('reject look-alikes without the brand', () => {
    expect(isEnhancersError(Object.assign(new Error('x'), { code: 'ENHANCERS_MODEL_FAILED' }))).toBe(false)
    expect(isEnhancersError(null)).toBe(false)
  })
})
