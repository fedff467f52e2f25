/**
 * `@edusync/sync-core`: the storage contract, the core store wrapper and (below) the sync engine.
 * Adapters live in subpath exports: `@edusync/sync-core/memory`, `/sqlite`, `/postgres`; the adapter
 * conformance suite in `@edusync/sync-core/testing`.
 * @module
 */

// --- storage: core wrapper ---
export { createStore } from './storage/store.js'
export type {
  AiRecordStore,
  AuditStore,
  BackoffOptions,
  CursorStore,
  DocumentInput,
  DocumentPage,
  DocumentStore,
  EnqueueInput,
  InsightInput,
  InteractionInput,
  KnowledgeInput,
  LeaseFilter,
  PrivacyStores,
  ProfileInput,
  QueueStore,
  ReviewStore,
  SeenStoreArea,
  Store,
  StoreAreas,
  StoreOptions,
} from './storage/store.js'

// --- storage: helpers ---
export { compareModified, normalizeModified } from './storage/modified.js'
export { canonicalJson, contentHash } from './storage/hash.js'
export { LATEST_SCHEMA_VERSION } from './storage/sql/migrations.js'

// --- storage: the adapter contract ---
export type {
  AiChatInteraction,
  AiInsight,
  AiRecordsAdapter,
  AuditAdapter,
  AuditDirection,
  AuditEntry,
  AuditEntryInput,
  AuditQuery,
  AuditRow,
  CursorsAdapter,
  DoctypeStats,
  DocumentCursor,
  DocumentData,
  DocumentRow,
  DocumentsAdapter,
  FailOutcome,
  InsightStatus,
  JsonValue,
  KnowledgeBaseContent,
  LeasedTask,
  MirrorDocument,
  PrivacyAdapter,
  TombstoneAdapter,
  QueueAdapter,
  QueueStats,
  QueueTask,
  ReviewInput,
  ReviewItem,
  ReviewsAdapter,
  SeenAdapter,
  StorageAdapter,
  StorageAreas,
  StorageCapabilities,
  StudentAiProfile,
  SyncCursor,
  TaskRow,
  TaskState,
  UpsertResult,
  UpsertStatus,
} from './storage/types.js'

// --- storage: errors ---
export {
  CorruptRowError,
  LeaseExpiredError,
  MigrationError,
  SchemaVersionError,
  StorageClosedError,
  StorageError,
  StorageNotFoundError,
  StorageOperationError,
  isCorruptRowError,
  isLeaseExpiredError,
  isMigrationError,
  isSchemaVersionError,
  isStorageClosedError,
  isStorageError,
  isStorageNotFoundError,
  isStorageOperationError,
} from './storage/errors.js'
export type { StorageErrorCode } from './storage/errors.js'

// --- engine exports ---
// (The sync engine, issue 9, appends its public surface below this line.)
export { createSyncEngine } from './engine/engine.js'
export { conflictRulesResolver, sameValue } from './engine/resolve.js'
export { erpnextPortFromClient } from './engine/client-port.js'
export { erpnextWebhookVerifier } from './engine/webhook.js'
export { privacyPortFromToolkit } from './engine/privacy-port.js'
export { educationDoctypes } from './engine/schemas.js'
export type { PrivacyPortOptions } from './engine/privacy-port.js'
export type { EngineClient } from './engine/client-port.js'
export type { CircuitState } from './engine/circuit.js'
export {
  SyncEngineError,
  CircuitOpenError,
  DocumentInvalidError,
  EnhancerError,
  EnhancerTimeoutError,
  WebhookRejectedError,
  UnknownDoctypeError,
  ReviewNotFoundError,
  WriteBackError,
  DocumentNotFoundError,
  ErasureHeldError,
  isSyncEngineError,
  isCircuitOpenError,
  isDocumentInvalidError,
  isEnhancerError,
  isEnhancerTimeoutError,
  isWebhookRejectedError,
  isUnknownDoctypeError,
  isReviewNotFoundError,
  isWriteBackError,
  isDocumentNotFoundError,
  isErasureHeldError,
} from './engine/errors.js'
export type { SyncEngineErrorCode } from './engine/errors.js'
export type {
  ErpDoc,
  ErpFilter,
  ListRequest,
  BulkUpdateItem,
  BulkUpdateFailure,
  ErpnextPort,
  EngineStore,
  EngineStoreAreas,
  ConflictQuestion,
  ConflictAnswer,
  ConflictResolverPort,
  PrivacyPort,
  ValidationResult,
  DocValidator,
  WebhookVerifyPort,
} from './engine/ports.js'
export type {
  DoctypeConfig,
  EnhancerMirror,
  EnhancerContext,
  AiDocument,
  Enhancement,
  Enhancer,
  TraceAttributes,
  EngineHooks,
  EngineTimers,
  SyncEngineOptions,
  ChangeEvent,
  BackfillProgress,
  PullResult,
  EraseResult,
  ReconcileLevel,
  ReconcileReport,
  PlannedWrite,
  SyncEngineEvents,
  SyncEngineStatus,
  WebhookHandler,
  SyncEngine,
  ChatInteraction,
  RollupOptions,
} from './engine/types.js'
