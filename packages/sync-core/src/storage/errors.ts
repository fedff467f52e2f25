const PREFIX = '[@edusync/sync-core]'

/** Stable machine-readable codes carried by every {@link StorageError}. */
export type StorageErrorCode =
  | 'STORAGE_CLOSED'
  | 'STORAGE_SCHEMA_VERSION'
  | 'STORAGE_MIGRATION_FAILED'
  | 'STORAGE_CORRUPT_ROW'
  | 'STORAGE_LEASE_EXPIRED'
  | 'STORAGE_NOT_FOUND'
  | 'STORAGE_OPERATION_FAILED'

const BRAND = Symbol.for('@edusync/sync-core/StorageError')

/**
 * Base class of every error the storage layer throws for a failure of the store itself (as opposed to a
 * misuse, which throws `TypeError`/`RangeError`). Each failure mode has its own subclass with a literal
 * `name` and a stable `code`; the driver's original error, when there is one, is in `cause`.
 *
 * Messages never contain document data, secrets or personal data: only table names, ids and versions.
 */
export class StorageError extends Error {
  override name: string = 'StorageError'
  /** Stable code; switch on this rather than on the message. */
  readonly code: StorageErrorCode
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${PREFIX} ${message}`, options)
    this.code = code
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/** Thrown by any operation on a store after `close()` was called. */
export class StorageClosedError extends StorageError {
  override name = 'StorageClosedError' as const
  declare readonly code: 'STORAGE_CLOSED'
  constructor(operation: string) {
    super(
      'STORAGE_CLOSED',
      `Cannot run "${operation}": the store is closed. Create a new store to reconnect.`,
    )
  }
}

/**
 * The database holds a schema version this code does not know: either newer than the newest migration
 * shipped with this version of `@edusync/sync-core` (upgrade the package), or a version/name that never
 * existed (the database belongs to something else). Migrations refuse to run in both cases.
 */
export class SchemaVersionError extends StorageError {
  override name = 'SchemaVersionError' as const
  declare readonly code: 'STORAGE_SCHEMA_VERSION'
  /** The highest version recorded in the database. */
  readonly found: number
  /** The highest version this code knows. */
  readonly supported: number
  constructor(found: number, supported: number, detail: string) {
    super(
      'STORAGE_SCHEMA_VERSION',
      `Database schema version ${found} is not usable by this code (which knows up to ${supported}): ${detail}`,
    )
    this.found = found
    this.supported = supported
  }
}

/** A migration failed and was rolled back; the database is still at the previous version. */
export class MigrationError extends StorageError {
  override name = 'MigrationError' as const
  declare readonly code: 'STORAGE_MIGRATION_FAILED'
  /** The migration version that failed. */
  readonly version: number
  constructor(version: number, cause: unknown) {
    super(
      'STORAGE_MIGRATION_FAILED',
      `Migration ${version} failed and was rolled back; check the database permissions and the cause.`,
      { cause },
    )
    this.version = version
  }
}

/**
 * A stored row could not be decoded (invalid JSON, an unknown state, a missing column). The row is left
 * untouched so nothing is lost; repair or delete it by hand.
 */
export class CorruptRowError extends StorageError {
  override name = 'CorruptRowError' as const
  declare readonly code: 'STORAGE_CORRUPT_ROW'
  /** The table holding the row. */
  readonly table: string
  /** The row's key (ids only, never data). */
  readonly key: string
  constructor(table: string, key: string, problem: string, cause?: unknown) {
    super(
      'STORAGE_CORRUPT_ROW',
      `Row ${key} of table "${table}" is corrupt (${problem}); repair or delete it.`,
      {
        cause,
      },
    )
    this.table = table
    this.key = key
  }
}

/**
 * The lease token given to `complete`, `fail` or `renew` is no longer valid: the lease expired (and the
 * task may now belong to another worker) or the task was already finished. The worker must drop its work
 * on that task; whoever holds the new lease will redo it.
 */
export class LeaseExpiredError extends StorageError {
  override name = 'LeaseExpiredError' as const
  declare readonly code: 'STORAGE_LEASE_EXPIRED'
  /** The token that was refused. */
  readonly token: string
  constructor(token: string, operation: string) {
    super(
      'STORAGE_LEASE_EXPIRED',
      `Cannot ${operation} with lease ${token}: the lease expired or the task was already finished. Renew leases before they expire.`,
    )
    this.token = token
  }
}

/** The record addressed by id does not exist (e.g. resolving an unknown review item). */
export class StorageNotFoundError extends StorageError {
  override name = 'StorageNotFoundError' as const
  declare readonly code: 'STORAGE_NOT_FOUND'
  constructor(what: string, id: string) {
    super('STORAGE_NOT_FOUND', `No ${what} with id ${id}; list the existing ones to find a valid id.`)
  }
}

/**
 * The database or driver failed an operation: unreachable, disk full, connection lost, a constraint the
 * adapter did not expect. The driver's error is in `cause` and its code (e.g. `ECONNREFUSED`,
 * `SQLITE_FULL`, a PostgreSQL SQLSTATE) in `driverCode`; the message names only the operation, since a
 * driver message may quote stored values. Usually transient: retry later or pause.
 */
export class StorageOperationError extends StorageError {
  override name = 'StorageOperationError' as const
  declare readonly code: 'STORAGE_OPERATION_FAILED'
  /** The store operation, e.g. `queue.lease`. */
  readonly operation: string
  /** The driver's own error code, when it has one. */
  readonly driverCode: string | undefined
  constructor(operation: string, cause: unknown) {
    const raw = (cause as { code?: unknown } | null)?.code
    const driverCode = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined
    super(
      'STORAGE_OPERATION_FAILED',
      `Storage operation "${operation}" failed${driverCode ? ` (${driverCode})` : ''}; the database may be unreachable or full. See the cause; retry later.`,
      { cause },
    )
    this.operation = operation
    this.driverCode = driverCode
  }
}

function branded(value: unknown): value is StorageError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

/** Realm-safe check for any {@link StorageError}. */
export function isStorageError(value: unknown): value is StorageError {
  return branded(value)
}
/** Realm-safe check for {@link StorageClosedError}. */
export function isStorageClosedError(value: unknown): value is StorageClosedError {
  return branded(value) && value.code === 'STORAGE_CLOSED'
}
/** Realm-safe check for {@link SchemaVersionError}. */
export function isSchemaVersionError(value: unknown): value is SchemaVersionError {
  return branded(value) && value.code === 'STORAGE_SCHEMA_VERSION'
}
/** Realm-safe check for {@link MigrationError}. */
export function isMigrationError(value: unknown): value is MigrationError {
  return branded(value) && value.code === 'STORAGE_MIGRATION_FAILED'
}
/** Realm-safe check for {@link CorruptRowError}. */
export function isCorruptRowError(value: unknown): value is CorruptRowError {
  return branded(value) && value.code === 'STORAGE_CORRUPT_ROW'
}
/** Realm-safe check for {@link LeaseExpiredError}. */
export function isLeaseExpiredError(value: unknown): value is LeaseExpiredError {
  return branded(value) && value.code === 'STORAGE_LEASE_EXPIRED'
}
/** Realm-safe check for {@link StorageNotFoundError}. */
export function isStorageNotFoundError(value: unknown): value is StorageNotFoundError {
  return branded(value) && value.code === 'STORAGE_NOT_FOUND'
}
/** Realm-safe check for {@link StorageOperationError}. */
export function isStorageOperationError(value: unknown): value is StorageOperationError {
  return branded(value) && value.code === 'STORAGE_OPERATION_FAILED'
}
