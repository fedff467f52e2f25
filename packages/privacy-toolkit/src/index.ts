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
  isConsentRefusedError,
  isDecryptionError,
  isInvalidKeyError,
  isKeyNotFoundError,
  isPolicyError,
  isPrivacyToolkitError,
  isReceiptError,
  isSubjectRequestError,
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
