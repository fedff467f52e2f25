import type { Enhancer } from '@edusync/sync-core'
import { createDefaultEnhancers } from './enhancers/index.js'

/**
 * The runner's AI layer: the enhancers of `src/enhancers` (attendance early warnings, score trends,
 * criteria weaknesses → Assessment Insights, course difficulty, instructor metrics, schedule conflicts),
 * sharing one analytics index. A fresh set per service, so two services never share state.
 */
export async function loadEnhancers(): Promise<Enhancer[]> {
  return createDefaultEnhancers()
}
