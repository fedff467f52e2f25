/** Stable codes of the enhancers' errors. */
export type EnhancersErrorCode = 'ENHANCERS_MODEL_FAILED' | 'ENHANCERS_MODEL_RESPONSE_INVALID'

const BRAND = Symbol.for('@edusync/reference-runner/enhancers-error')

/**
 * Base class of every error the enhancers throw on purpose. The engine wraps it in its own
 * `EnhancerError` (keeping it as `cause`), records the failure and retries the enhancement later.
 */
export class EnhancersError extends Error {
  override name: 'EnhancersError' | 'LanguageModelError' | 'LanguageModelResponseError' = 'EnhancersError'
  /** Stable machine-readable code. */
  readonly code: EnhancersErrorCode
  /** The enhancer that failed. */
  readonly enhancer: string
  readonly [BRAND] = true

  constructor(code: EnhancersErrorCode, enhancer: string, message: string, options?: { cause?: unknown }) {
    super(`[@edusync/reference-runner] enhancer "${enhancer}": ${message}`, options)
    this.code = code
    this.enhancer = enhancer
  }
}

/** The language model failed or was aborted (timeout, engine stopping). The original error is in `cause`. */
export class LanguageModelError extends EnhancersError {
  override name = 'LanguageModelError' as const
  constructor(enhancer: string, options?: { cause?: unknown }) {
    super(
      'ENHANCERS_MODEL_FAILED',
      enhancer,
      'the language model failed; check the model endpoint and its credentials (the enhancement is retried).',
      options,
    )
  }
}

/** The language model answered, but not with the JSON the enhancer asked for. */
export class LanguageModelResponseError extends EnhancersError {
  override name = 'LanguageModelResponseError' as const
  /** What was wrong with the answer (never the answer itself). */
  readonly issues: readonly string[]
  constructor(enhancer: string, issues: readonly string[], options?: { cause?: unknown }) {
    super(
      'ENHANCERS_MODEL_RESPONSE_INVALID',
      enhancer,
      `the language model's answer is not the expected JSON (${issues.join('; ')}); adjust the prompt or the model.`,
      options,
    )
    this.issues = Object.freeze([...issues])
  }
}

function branded(value: unknown): value is EnhancersError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/** Realm-safe check for {@link EnhancersError} (and its subclasses). */
export function isEnhancersError(value: unknown): value is EnhancersError {
  return branded(value)
}

/** Realm-safe check for {@link LanguageModelError}. */
export function isLanguageModelError(value: unknown): value is LanguageModelError {
  return branded(value) && value.code === 'ENHANCERS_MODEL_FAILED'
}

/** Realm-safe check for {@link LanguageModelResponseError}. */
export function isLanguageModelResponseError(value: unknown): value is LanguageModelResponseError {
  return branded(value) && value.code === 'ENHANCERS_MODEL_RESPONSE_INVALID'
}
