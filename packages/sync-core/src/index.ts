// ---------------------------------------------------------------------------------------- engine exports
export { createSyncEngine } from './engine/engine.js'
export { conflictRulesResolver, sameValue } from './engine/resolve.js'
export { erpnextPortFromClient } from './engine/client-port.js'
export { erpnextWebhookVerifier } from './engine/webhook.js'
export { privacyPortFromToolkit } from './engine/privacy-port.js'
export { educationDoctypes } from './engine/schemas.js'
export type { PrivacyPortOptions } from './engine/privacy-port.js'
export type { EngineClient } from './engine/client-port.js'
export { contentHash, canonicalJson } from './engine/util.js'
export { modifiedKey } from './engine/fetcher.js'
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
