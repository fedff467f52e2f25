import type { Enhancer } from '@edusync/sync-core'

function isEnhancer(value: unknown): value is Enhancer {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Enhancer).name === 'string' &&
    Array.isArray((value as Enhancer).doctypes) &&
    typeof (value as Enhancer).enhance === 'function'
  )
}

/**
 * The runner's AI layer: the enhancers of `src/enhancers` (attendance early warnings, score trends,
 * criteria weaknesses, course difficulty, instructor metrics, schedule conflicts). The module is loaded
 * at run time so the runner also works while it is being developed; it may export
 * `createDefaultEnhancers()`, `defaultEnhancers` (a list) or enhancer objects.
 */
export async function loadEnhancers(): Promise<Enhancer[]> {
  const spec = './enhancers/index.js'
  let mod: Record<string, unknown>
  try {
    mod = (await import(/* @vite-ignore */ spec)) as Record<string, unknown>
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url/.test(String(error)))
      return []
    throw error
  }
  for (const factory of ['createDefaultEnhancers', 'createEnhancers']) {
    const f = mod[factory]
    if (typeof f === 'function') {
      const out = (await (f as () => unknown)()) as unknown
      if (Array.isArray(out)) return out.filter(isEnhancer)
    }
  }
  for (const list of ['defaultEnhancers', 'enhancers']) {
    const l = mod[list]
    if (Array.isArray(l)) return l.filter(isEnhancer)
  }
  return Object.values(mod).filter(isEnhancer)
}
