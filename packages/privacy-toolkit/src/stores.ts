/**
 * The storage interfaces this package needs. They are deliberately small: the sync engine's storage
 * adapters (memory, SQLite, PostgreSQL) implement the durable versions; `./memory.ts` has in-memory
 * ones for tests and small deployments.
 *
 * Conventions for every interface:
 * - Every method is async and scoped by `tenant` (one school / ERPNext site).
 * - Timestamps are `Date` objects; stores persist them as UTC instants.
 * - Returned arrays are new arrays the caller may keep; entries are treated as immutable.
 * - Stores never log the values they hold.
 *
 * @module
 */

/** A JSON-like record: one document or one row of data held about a student. */
export type DataRecord = Record<string, unknown>

// ---------------------------------------------------------------------------------------------------
// Keyring
// ---------------------------------------------------------------------------------------------------

/**
 * Secret keys by id: key-encryption keys for field encryption and HMAC keys for pseudonyms.
 * Key ids are short, public, lowercase `[a-z0-9]{1,16}` strings (`v1`, `v2`, `2026a`) because they are
 * written into pseudonyms (`psn_v1_…`) and ciphertexts.
 *
 * Implement it over a KMS or secret manager by fetching the raw key once and caching it in memory.
 */
export interface Keyring {
  /** The id used for new pseudonyms and new key wraps. Rotate by making a new key primary. */
  readonly primaryKeyId: string
  /**
   * The raw key material (at least 32 bytes) for `keyId`, or `undefined` when the keyring does not
   * hold it. Callers never log or keep the returned bytes beyond deriving a key object.
   */
  getKey(keyId: string): Promise<Uint8Array | undefined>
  /** Every key id held (primary included), for rotation reports. */
  keyIds(): Promise<readonly string[]>
}

/** A tenant data key as stored: wrapped (encrypted) by a key-encryption key from the {@link Keyring}. */
export interface WrappedDataKey {
  /** The tenant the data key belongs to. */
  readonly tenant: string
  /** Data-key id, `dk<version>` (`dk1`, `dk2`…); written into every ciphertext it produced. */
  readonly id: string
  /** Monotonic version within the tenant; the highest version encrypts new data. */
  readonly version: number
  /** The keyring key id that wrapped it. Changes on re-wrap; `id` and the data key itself do not. */
  readonly kekId: string
  /** The AES-KW/GCM wrapped key, base64url. Opaque to stores. */
  readonly wrapped: string
  /** When the data key was created. */
  readonly createdAt: Date
}

/**
 * Where wrapped tenant data keys live (beside the data they protect). Stores must make `create`
 * atomic (insert-if-absent): two processes creating `dk1` for one tenant at once must not both win,
 * or data encrypted under the loser would become undecryptable.
 */
export interface DataKeyStore {
  /** All data keys of a tenant, any order. */
  list(tenant: string): Promise<readonly WrappedDataKey[]>
  /** One data key, or `undefined`. */
  get(tenant: string, id: string): Promise<WrappedDataKey | undefined>
  /** Insert if `(tenant, id)` is absent. Returns `false` (and changes nothing) if it already exists. */
  create(key: WrappedDataKey): Promise<boolean>
  /**
   * Replace the wrapping of an existing key (re-wrap for key-encryption-key rotation). Only `kekId`
   * and `wrapped` change. Returns `false` if the key does not exist.
   */
  rewrap(tenant: string, id: string, kekId: string, wrapped: string): Promise<boolean>
}

// ---------------------------------------------------------------------------------------------------
// Re-identification
// ---------------------------------------------------------------------------------------------------

/** One pseudonym ↔ subject mapping, kept so pseudonyms stay resolvable across key rotation. */
export interface ReidentificationEntry {
  /** The pseudonym, e.g. `psn_v1_k3…`. Unique across the store. */
  readonly pseudonym: string
  /** The tenant it was made for. */
  readonly tenant: string
  /** The purpose it was made for (pseudonyms differ per purpose, so purposes cannot be joined). */
  readonly purpose: string
  /** The pseudonym key id (the `v1` in `psn_v1_…`). */
  readonly keyId: string
  /** The real subject id (e.g. the Student `name`, `EDU-STU-2026-00001`). */
  readonly subjectId: string
  /** When it was first recorded. */
  readonly createdAt: Date
}

/**
 * The pseudonym ↔ subject-id map, per key version. Only the privacy layer and authorised staff read
 * it; the AI layer never sees it. Erasure deletes a subject's entries, which makes their pseudonyms
 * irreversible.
 */
export interface ReidentificationStore {
  /** Record a mapping. Idempotent: putting an existing pseudonym again changes nothing. */
  put(entry: ReidentificationEntry): Promise<void>
  /** Resolve a pseudonym, or `undefined` when unknown (never made, or erased). */
  resolve(pseudonym: string): Promise<ReidentificationEntry | undefined>
  /** Every mapping of a subject (all purposes and key versions). */
  listBySubject(tenant: string, subjectId: string): Promise<readonly ReidentificationEntry[]>
  /** Delete every mapping of a subject; returns how many were deleted. */
  deleteBySubject(tenant: string, subjectId: string): Promise<number>
}

// ---------------------------------------------------------------------------------------------------
// Disclosure ledger
// ---------------------------------------------------------------------------------------------------

/**
 * One disclosure of a student's record (FERPA §99.32 record of disclosures; GDPR Art. 30). Holds
 * field *names*, never values.
 */
export interface DisclosureEntry {
  /** Unique id of the entry. */
  readonly id: string
  /** The tenant. */
  readonly tenant: string
  /** The student whose record was disclosed (the real id: the ledger is part of the education record). */
  readonly studentId: string
  /** Source doctype, e.g. `Student`. */
  readonly doctype: string
  /** Source document name. */
  readonly docname: string
  /** Why: the policy purpose (`analytics`, `tutoring_chat`, `reporting`, …). */
  readonly purpose: string
  /** Who received it (a system or party, e.g. `ai-tutor`). */
  readonly recipient: string
  /** Who or what caused the disclosure (user, job), when known. */
  readonly actor?: string | undefined
  /** The legitimate-interest or legal basis stated for the disclosure, when known. */
  readonly legalBasis?: string | undefined
  /** Field names that left, each with the strategy applied (`keep`, `pseudonymise`, `mask`, …). */
  readonly fields: readonly { readonly field: string; readonly strategy: string }[]
  /** Field names withheld (dropped, opted out). */
  readonly withheld: readonly string[]
  /** When. */
  readonly at: Date
}

/** Query for {@link DisclosureLedger.query}. */
export interface DisclosureQuery {
  /** The tenant. */
  readonly tenant: string
  /** The student. */
  readonly studentId: string
  /** Inclusive lower bound on `at`. */
  readonly from?: Date | undefined
  /** Exclusive upper bound on `at`. */
  readonly to?: Date | undefined
}

/** Append-only record of disclosures. Entries are never updated; erasure does not delete them. */
export interface DisclosureLedger {
  /** Append one entry. */
  append(entry: DisclosureEntry): Promise<void>
  /** Entries of one student, oldest first, optionally within `[from, to)`. */
  query(query: DisclosureQuery): Promise<readonly DisclosureEntry[]>
}

// ---------------------------------------------------------------------------------------------------
// Tombstones
// ---------------------------------------------------------------------------------------------------

/**
 * Proof that a subject's data of one kind was erased, and a guard against resurrection: the sync
 * engine checks {@link TombstoneStore.isErased} before it writes data about a subject, so a later
 * re-sync from ERPNext cannot bring erased AI-layer data back.
 */
export interface Tombstone {
  /** The tenant. */
  readonly tenant: string
  /** The erased subject (kept as a suppression entry; no other data about them is kept). */
  readonly subjectId: string
  /** The data kind (table) erased, or `*` for every kind. */
  readonly kind: string
  /** The erasure request that made it. */
  readonly requestId: string
  /** `deleted` or `pseudonymised`. */
  readonly action: 'deleted' | 'pseudonymised'
  /** When. */
  readonly erasedAt: Date
}

/** Erasure tombstones. */
export interface TombstoneStore {
  /** Record a tombstone (idempotent per `tenant, subjectId, kind, requestId`). */
  put(tombstone: Tombstone): Promise<void>
  /** Tombstones of one subject, oldest first. */
  list(tenant: string, subjectId: string): Promise<readonly Tombstone[]>
  /** `true` when the subject has a tombstone for `kind` or for `*`. */
  isErased(tenant: string, subjectId: string, kind: string): Promise<boolean>
}

// ---------------------------------------------------------------------------------------------------
// Consent
// ---------------------------------------------------------------------------------------------------

/** Per-student flags that {@link PrivacyToolkit.applyPolicy} enforces. */
export interface ConsentFlags {
  /** FERPA §99.37 directory-information opt-out: directory fields never leave. */
  readonly directoryOptOut: boolean
  /** GDPR Art. 18 restriction: the record is refused for every AI purpose. */
  readonly restricted: boolean
  /** GDPR Art. 21 objection: purposes objected to (`*` = all). */
  readonly objectedPurposes: readonly string[]
  /** Legal hold: erasure and retention purges must keep the data. */
  readonly legalHold: boolean
  /** When the flags last changed. */
  readonly updatedAt: Date
}

/** Per-student consent and restriction flags. A student with no entry has no flags set. */
export interface ConsentStore {
  /** The flags of a student, or `undefined` when none were ever set. */
  get(tenant: string, studentId: string): Promise<ConsentFlags | undefined>
  /** Replace the flags of a student. */
  set(tenant: string, studentId: string, flags: ConsentFlags): Promise<void>
}

// ---------------------------------------------------------------------------------------------------
// Subject data source
// ---------------------------------------------------------------------------------------------------

/** One kind (table) of data held about a subject. */
export interface SubjectDataKind {
  /** Kind / table name, e.g. `Student` (mirror) or `ai_chat_interactions`. */
  readonly kind: string
  /**
   * `mirror`: a copy of ERPNext data (ERPNext is the system of record; corrections go there and are
   * re-synced). `derived`: data the AI layer made (profiles, insights, chats).
   */
  readonly origin: 'mirror' | 'derived'
  /** For derived kinds: the kinds it is computed from (re-derive when those are rectified). */
  readonly derivedFrom?: readonly string[] | undefined
  /** How many records of this kind are held for the subject. */
  readonly count: number
}

/** One record held about a subject. */
export interface SubjectRecord {
  /** The record id (document name or row id), unique within its kind. */
  readonly id: string
  /** The record's data as stored (decrypted by the source if it encrypts at rest). */
  readonly data: DataRecord
  /** Last change, when known. */
  readonly updatedAt?: Date | undefined
  /** `true` when this record is under a legal hold of its own. */
  readonly legalHold?: boolean | undefined
}

/** What {@link SubjectDataSource.erase} does to one record. */
export type EraseAction =
  /** Delete the record. */
  | { readonly type: 'delete' }
  /** Replace the record's data with `data` (direct PII removed, subject id replaced by an unlinkable token). */
  | { readonly type: 'replace'; readonly data: DataRecord }

/**
 * Everything the integration holds about a subject, as walked by data-subject requests. The sync
 * engine's store implements it across its mirror and AI tables.
 */
export interface SubjectDataSource {
  /** The kinds of data held about the subject (only kinds with `count > 0` need be listed). */
  listKinds(tenant: string, subjectId: string): Promise<readonly SubjectDataKind[]>
  /** All records of one kind about the subject. */
  read(tenant: string, subjectId: string, kind: string): Promise<readonly SubjectRecord[]>
  /**
   * Apply a correction to one record. Returns `false` when the record does not exist. Sources of
   * `mirror` kinds should also queue the correction for write-back to ERPNext.
   */
  rectify(
    tenant: string,
    subjectId: string,
    kind: string,
    recordId: string,
    changes: DataRecord,
  ): Promise<boolean>
  /** Delete or replace one record. Returns `false` when the record does not exist. */
  erase(
    tenant: string,
    subjectId: string,
    kind: string,
    recordId: string,
    action: EraseAction,
  ): Promise<boolean>
}
