/**
 * `@edusync/privacy-toolkit`: student data protection at the AI boundary (FERPA, GDPR).
 *
 * @packageDocumentation
 */

export {
  ConsentRefusedError,
  DecryptionError,
  InvalidKeyError,
  KeyNotFoundError,
  PolicyError,
  PrivacyToolkitError,
  ReceiptError,
  SubjectRequestError,
  SyncUnavailableError,
  isConsentRefusedError,
  isDecryptionError,
  isInvalidKeyError,
  isKeyNotFoundError,
  isPolicyError,
  isPrivacyToolkitError,
  isReceiptError,
  isSubjectRequestError,
  isSyncUnavailableError,
} from './errors.js'
export type { PrivacyErrorCode, PrivacyErrorOptions } from './errors.js'

export type {
  ConsentFlags,
  ConsentStore,
  DataKeyStore,
  DataRecord,
  DisclosureEntry,
  DisclosureLedger,
  DisclosureQuery,
  EraseAction,
  Keyring,
  ReidentificationEntry,
  ReidentificationStore,
  SubjectDataKind,
  SubjectDataSource,
  SubjectRecord,
  Tombstone,
  TombstoneStore,
  WrappedDataKey,
} from './stores.js'

export { MIN_KEY_BYTES, createEnvKeyring, createMemoryKeyring, isValidKeyId } from './keyring.js'
export type { EnvKeyringOptions, MemoryKeyringOptions } from './keyring.js'

export {
  MemoryConsentStore,
  MemoryDataKeyStore,
  MemoryDisclosureLedger,
  MemoryReidentificationStore,
  MemorySubjectDataSource,
  MemoryTombstoneStore,
} from './memory.js'
export type { MemoryKindDefinition } from './memory.js'

export type { CryptoBackend } from './backend.js'

export { createPseudonymizer, isPseudonym, parsePseudonym } from './pseudonym.js'
export type { PseudonymContext, Pseudonymizer, PseudonymizerOptions } from './pseudonym.js'

export { ciphertextKeyId, createFieldEncryptor, isCiphertext } from './encryption.js'
export type { FieldBinding, FieldEncryptor, FieldEncryptorOptions, RewrapResult } from './encryption.js'

export {
  STRATEGIES,
  analyticsPolicy,
  atRestPolicy,
  defaultEducationPolicy,
  definePolicy,
  educationPolicy,
  reportingPolicy,
  tutoringChatPolicy,
} from './policy.js'
export type {
  DoctypePolicy,
  DoctypePolicyInput,
  EducationPolicyOptions,
  EducationPurpose,
  FieldClass,
  FieldClassification,
  FieldRule,
  GeneraliseTo,
  MaskStyle,
  NormalizedRule,
  Policy,
  PolicyInput,
  Strategy,
} from './policy.js'

export { createPrivacyToolkit } from './toolkit.js'
export type {
  DisclosureContext,
  DocumentBinding,
  PolicyResult,
  PrivacyToolkit,
  PrivacyToolkitOptions,
  RemovalReason,
} from './toolkit.js'

export { computeDueDate, createSubjectRequests, deadlineStatus } from './subject-requests.js'
export type {
  AccessKind,
  AccessReport,
  Correction,
  DeadlineStatus,
  ErasureOptions,
  ErasureReceipt,
  ExportFile,
  ExportManifest,
  PortabilityExport,
  RectificationResult,
  Regime,
  SubjectRequest,
  SubjectRequestType,
  SubjectRequests,
  SubjectRequestsOptions,
} from './subject-requests.js'

export { createRetentionPlanner } from './retention.js'
export type {
  RetentionCandidate,
  RetentionInventory,
  RetentionPlan,
  RetentionPlanner,
  RetentionPlannerOptions,
  RetentionPurge,
  RetentionRule,
} from './retention.js'

export { createRedactor } from './redact.js'
export type { Redactor, RedactorOptions } from './redact.js'
