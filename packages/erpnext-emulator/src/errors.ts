/**
 * Errors the emulator raises to its own callers (misuse of the JS API). Errors that ERPNext would
 * answer on the wire are {@link FrappeException}s, which the HTTP layer turns into Frappe error bodies.
 */

const PREFIX = '[@edusync/erpnext-emulator]'

/** Stable codes of {@link EmulatorError} subclasses. */
export type EmulatorErrorCode = 'EMULATOR_CLOSED' | 'EMULATOR_SEED' | 'EMULATOR_LISTEN' | 'EMULATOR_DOCUMENT'

/** Base class of every error this package throws to its callers. */
export class EmulatorError extends Error {
  override readonly name: string = 'EmulatorError'
  readonly code: EmulatorErrorCode
  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${PREFIX} ${message}`, options)
    this.code = code
  }
}

/** The emulator was used after `close()`. */
export class EmulatorClosedError extends EmulatorError {
  override readonly name = 'EmulatorClosedError'
  constructor() {
    super('EMULATOR_CLOSED', 'The emulator has been closed; start a new one with startEmulator().')
  }
}

/** A seed dataset name or size was not recognised, or seeding failed. */
export class EmulatorSeedError extends EmulatorError {
  override readonly name = 'EmulatorSeedError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('EMULATOR_SEED', message, options)
  }
}

/** The HTTP server could not listen on the requested host/port. */
export class EmulatorListenError extends EmulatorError {
  override readonly name = 'EmulatorListenError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('EMULATOR_LISTEN', message, options)
  }
}

/** A document passed to the JS API (`emulator.insert`) was rejected the way ERPNext would reject it. */
export class EmulatorDocumentError extends EmulatorError {
  override readonly name = 'EmulatorDocumentError'
  /** Frappe's exception class name, e.g. `MandatoryError`. */
  readonly excType: string
  /** The HTTP status ERPNext would answer. */
  readonly status: number
  /** The doctype of the rejected document. */
  readonly doctype: string
  /**
   * The message stays free of field values (they may be personal data); the site's own message, which
   * can quote values, is on `cause`.
   */
  constructor(excType: string, status: number, doctype: string, options?: { cause?: unknown }) {
    super(
      'EMULATOR_DOCUMENT',
      `ERPNext would reject this ${doctype} with ${excType} (HTTP ${status}); fix the document and insert again (error.cause holds the site's message).`,
      options,
    )
    this.excType = excType
    this.status = status
    this.doctype = doctype
  }
}

function hasName(value: unknown, names: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    names.includes((value as { name: string }).name) &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}

/** Realm-safe check for any {@link EmulatorError}. */
export function isEmulatorError(value: unknown): value is EmulatorError {
  return hasName(value, [
    'EmulatorError',
    'EmulatorClosedError',
    'EmulatorSeedError',
    'EmulatorListenError',
    'EmulatorDocumentError',
  ])
}
/** Realm-safe check for {@link EmulatorClosedError}. */
export function isEmulatorClosedError(value: unknown): value is EmulatorClosedError {
  return hasName(value, ['EmulatorClosedError'])
}
/** Realm-safe check for {@link EmulatorSeedError}. */
export function isEmulatorSeedError(value: unknown): value is EmulatorSeedError {
  return hasName(value, ['EmulatorSeedError'])
}
/** Realm-safe check for {@link EmulatorListenError}. */
export function isEmulatorListenError(value: unknown): value is EmulatorListenError {
  return hasName(value, ['EmulatorListenError'])
}
/** Realm-safe check for {@link EmulatorDocumentError}. */
export function isEmulatorDocumentError(value: unknown): value is EmulatorDocumentError {
  return hasName(value, ['EmulatorDocumentError'])
}

/** HTTP status of each Frappe exception class the emulator raises (contract §6). */
export const EXC_STATUS: Readonly<Record<string, number>> = {
  ValidationError: 417,
  MandatoryError: 417,
  LinkValidationError: 417,
  CancelledLinkError: 417,
  TimestampMismatchError: 417,
  UniqueValidationError: 417,
  DataError: 417,
  CharacterLengthExceededError: 417,
  UpdateAfterSubmitError: 417,
  DocstatusTransitionError: 417,
  LinkExistsError: 417,
  InvalidStatusError: 417,
  OverlapError: 417,
  FrappeTypeError: 417,
  DoesNotExistError: 404,
  PageDoesNotExistError: 404,
  DuplicateEntryError: 409,
  AuthenticationError: 401,
  SessionExpired: 401,
  InvalidKeyError: 401,
  PermissionError: 403,
  CSRFTokenError: 400,
  InvalidAuthorizationToken: 400,
  TooManyRequestsError: 429,
  RateLimitExceededError: 429,
  RequestEntityTooLarge: 413,
  TypeError: 500,
  JSONDecodeError: 500,
  OperationalError: 500,
  ProgrammingError: 500,
}

/** Options of a {@link FrappeException}. */
export interface FrappeExceptionOptions {
  /** Title of the message dialog. @default 'Message' */
  readonly title?: string
  /** Whether the message goes into `_server_messages`. @default true */
  readonly serverMessage?: boolean
  /** Plain `_error_message` (permission failures). */
  readonly errorMessage?: string
  /** Text after `frappe.exceptions.X: ` in `exception` (defaults to the message). */
  readonly exceptionText?: string
  /** Python module of the exception class. @default 'frappe.exceptions' */
  readonly module?: string
  /** Send only `{"exc_type"}` (bare 404s). */
  readonly bare?: boolean
  /** Extra messages printed before the raising one. */
  readonly messages?: readonly string[]
  /** Override the HTTP status. */
  readonly status?: number
}

/**
 * An exception that ERPNext raises inside a request. The HTTP layer renders it as Frappe's v1 or v2
 * error body with the status of the exception class.
 */
export class FrappeException extends Error {
  override readonly name = 'FrappeException'
  readonly excType: string
  readonly status: number
  readonly options: FrappeExceptionOptions
  constructor(excType: string, message: string, options: FrappeExceptionOptions = {}) {
    super(message)
    this.excType = excType
    this.status = options.status ?? EXC_STATUS[excType] ?? 500
    this.options = options
  }
}

/** Shorthand for a ValidationError-family exception. */
export function frappeThrow(excType: string, message: string, options?: FrappeExceptionOptions): never {
  throw new FrappeException(excType, message, options)
}

/** Realm-safe check for {@link FrappeException}. */
export function isFrappeException(value: unknown): value is FrappeException {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'FrappeException' &&
    typeof (value as { excType?: unknown }).excType === 'string'
  )
}
