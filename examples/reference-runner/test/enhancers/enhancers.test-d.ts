import type { Enhancer, SyncEngineOptions } from '@edusync/sync-core'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type AnalyticsIndex,
  type LanguageModel,
  type ScoreTrend,
  analyzeScoreTrend,
  createDefaultEnhancers,
  createEducationEnhancers,
  createLanguageModelEnhancer,
} from '../../src/enhancers/index.js'

describe('enhancer types', () => {
  it('fit the engine options', () => {
    expectTypeOf(createDefaultEnhancers()).toEqualTypeOf<Enhancer[]>()
    expectTypeOf(createEducationEnhancers().enhancers).toExtend<NonNullable<SyncEngineOptions['enhancers']>>()
    expectTypeOf(createEducationEnhancers().index).toEqualTypeOf<AnalyticsIndex>()
  })

  it('require a complete(prompt, { signal }) model', () => {
    const model: LanguageModel = { complete: async (_prompt, { signal }) => String(signal.aborted) }
    expectTypeOf(createLanguageModelEnhancer({ model })).toEqualTypeOf<Enhancer>()
    // @ts-expect-error a model must have complete()
    createLanguageModelEnhancer({ model: { id: 'x' } })
    // @ts-expect-error complete() resolves to text
    createLanguageModelEnhancer({ model: { complete: async () => 42 } })
  })

  it('reject misspelt options at compile time', () => {
    // @ts-expect-error the option is "attendance", with thresholds inside
    createEducationEnhancers({ attendence: {} })
    // @ts-expect-error thresholds are numbers
    createEducationEnhancers({ attendance: { warningStreak: '3' } })
    expectTypeOf(analyzeScoreTrend([])).toEqualTypeOf<ScoreTrend>()
  })
})
