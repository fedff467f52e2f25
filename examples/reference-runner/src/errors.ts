/** Stable codes of the runner's errors. */
export type RunnerErrorCode = 'CONFIG_INVALID' | 'STARTUP_FAILED' | 'USAGE' | 'SETUP_FAILED'

const BRAND = Symbol.for('@edusync/reference-runner/error')
const PREFIX = '[@edusync/reference-runner]'

/** Base class of every error the runner raises on purpose; the message says what to do. */
export class RunnerError extends Error {
  override name: string = 'RunnerError'
  readonly code: RunnerErrorCode
  readonly [BRAND] = true
  constructor(code: RunnerErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${PREFIX} ${message}`, options)
    this.code = code
  }
}

/** The configuration (environment, file or flags) is wrong; `issues` lists every problem. */
export class ConfigError extends RunnerError {
  override name = 'ConfigError' as const
  readonly issues: readonly string[]
  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(
      'CONFIG_INVALID',
      `The configuration is not valid:\n${issues.map((i) => `  - ${i}`).join('\n')}\nSee docs/getting-started.md for every setting.`,
      options,
    )
    this.issues = issues
  }
}

/** A dependency (database, Redis, ERPNext) could not be reached or opened at start-up. */
export class StartupError extends RunnerError {
  override name = 'StartupError' as const
  constructor(message: string, options?: { cause?: unknown }) {
    super('STARTUP_FAILED', message, options)
  }
}

/** The command line was wrong (unknown command, missing argument). */
export class UsageError extends RunnerError {
  override name = 'UsageError' as const
  constructor(message: string) {
    super('USAGE', message)
  }
}

/** `setup-erpnext` could not install the customizations or webhooks. */
export class SetupError extends RunnerError {
  override name = 'SetupError' as const
  constructor(message: string, options?: { cause?: unknown }) {
    super('SETUP_FAILED', message, options)
  }
}

function has(value: unknown, code?: RunnerErrorCode): value is RunnerError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (value as RunnerError).code === code)
  )
}

/** Realm-safe check for {@link RunnerError}. */
export const isRunnerError = (value: unknown): value is RunnerError => has(value)
/** Realm-safe check for {@link ConfigError}. */
export const isConfigError = (value: unknown): value is ConfigError => has(value, 'CONFIG_INVALID')
/** Realm-safe check for {@link StartupError}. */
export const isStartupError = (value: unknown): value is StartupError => has(value, 'STARTUP_FAILED')
/** Realm-safe check for {@link UsageError}. */
export const isUsageError = (value: unknown): value is UsageError => has(value, 'USAGE')
/** Realm-safe check for {@link SetupError}. */
export const isSetupError = (value: unknown): value is SetupError => has(value, 'SETUP_FAILED')
