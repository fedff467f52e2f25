import { type CryptoBackend, createHmacSigner, type HmacSigner, hkdf } from './backend.js'
import { concatBytes, toBase32, utf8 } from './encoding.js'
import { KeyNotFoundError } from './errors.js'
import { assertKeyId } from './keyring.js'
import type { Keyring, ReidentificationEntry, ReidentificationStore } from './stores.js'

/** Where a pseudonym is used: pseudonyms differ per tenant and per purpose, so they cannot be joined across either. */
export interface PseudonymContext {
  /** The tenant (school / ERPNext site). */
  readonly tenant: string
  /** The purpose, e.g. `analytics`. */
  readonly purpose: string
}

/** Options of {@link createPseudonymizer}. */
export interface PseudonymizerOptions {
  /** HMAC keys by id; the primary id makes new pseudonyms and is written into them (`psn_<id>_…`). */
  readonly keyring: Keyring
  /** Where pseudonym ↔ subject mappings are recorded, so pseudonyms stay resolvable after rotation. @default none (pseudonyms are then not resolvable) */
  readonly store?: ReidentificationStore
  /** The clock for `createdAt` of recorded mappings. @default () => new Date() */
  readonly now?: () => Date
  /** `auto` uses node:crypto when present (faster, same output), `webcrypto` forces Web Crypto. @default 'auto' */
  readonly backend?: CryptoBackend
}

/** Keyed, deterministic, versioned pseudonyms (HMAC-SHA256). */
export interface Pseudonymizer {
  /**
   * The pseudonym of `subjectId` under the primary key: `psn_<keyId>_<32 base32 chars>` (160 bits).
   * Deterministic per (key, tenant, purpose, subject); records the mapping in the store, if any.
   */
  pseudonymise(subjectId: string, context: PseudonymContext): Promise<string>
  /** The pseudonym under a specific key id (e.g. to match data written before a rotation). Not recorded. */
  pseudonymiseWithKey(subjectId: string, context: PseudonymContext, keyId: string): Promise<string>
  /**
   * A keyed hash of any value (e-mail, phone) for equality joins without the value:
   * `hsh_<keyId>_<base32>`, separated from pseudonyms and per field. Not recorded, not resolvable.
   */
  hash(value: string, context: PseudonymContext & { readonly field: string }): Promise<string>
  /** The mapping of a pseudonym from the store, or `undefined` (unknown, erased, or no store). */
  resolve(pseudonym: string): Promise<ReidentificationEntry | undefined>
  /**
   * The current-key pseudonym for an old one (after key rotation), via the store; `undefined` when it
   * cannot be resolved.
   */
  translate(pseudonym: string): Promise<string | undefined>
  /** The keyring's primary key id. */
  readonly keyId: string
}

const PSEUDONYM = /^psn_([a-z0-9]{1,16})_([a-z2-7]{32})$/

/** Split a pseudonym into its key id and body, or `undefined` when `value` is not a pseudonym. */
export function parsePseudonym(value: string): { keyId: string; body: string } | undefined {
  const m = PSEUDONYM.exec(value)
  return m === null ? undefined : { keyId: m[1]!, body: m[2]! }
}

/** `true` when `value` has the pseudonym format `psn_<keyId>_<body>`. */
export function isPseudonym(value: unknown): value is string {
  return typeof value === 'string' && PSEUDONYM.test(value)
}

const lp = (...parts: string[]) =>
  concatBytes(
    ...parts.flatMap((p) => {
      const b = utf8(p)
      const len = new Uint8Array(4)
      new DataView(len.buffer).setUint32(0, b.length)
      return [len, b]
    }),
  )

function checkContext(context: PseudonymContext): void {
  if (typeof context?.tenant !== 'string' || context.tenant.length === 0) {
    throw new TypeError('[@edusync/privacy-toolkit] pseudonym context.tenant must be a non-empty string.')
  }
  if (typeof context.purpose !== 'string' || context.purpose.length === 0) {
    throw new TypeError('[@edusync/privacy-toolkit] pseudonym context.purpose must be a non-empty string.')
  }
}

/**
 * Create a pseudonymizer.
 *
 * @example
 * ```ts
 * const pz = createPseudonymizer({ keyring, store: new MemoryReidentificationStore() })
 * const p = await pz.pseudonymise('EDU-STU-2026-00001', { tenant: 'school-a', purpose: 'analytics' })
 * // 'psn_v1_…' — same student, same purpose → same pseudonym in every table
 * ```
 */
export function createPseudonymizer(options: PseudonymizerOptions): Pseudonymizer {
  if (typeof options?.keyring?.getKey !== 'function') {
    throw new TypeError('[@edusync/privacy-toolkit] createPseudonymizer: options.keyring must be a Keyring.')
  }
  const backend = options.backend ?? 'auto'
  if (backend !== 'auto' && backend !== 'webcrypto') {
    throw new TypeError(
      `[@edusync/privacy-toolkit] createPseudonymizer: options.backend must be 'auto' or 'webcrypto'.`,
    )
  }
  const { keyring, store } = options
  const now = options.now ?? (() => new Date())
  assertKeyId(keyring.primaryKeyId, 'keyring.primaryKeyId')

  const roots = new Map<string, Promise<Uint8Array>>()
  const signers = new Map<string, Promise<HmacSigner>>()
  const recorded = new Set<string>()

  const root = (keyId: string) => {
    let r = roots.get(keyId)
    if (r === undefined) {
      r = (async () => {
        const material = await keyring.getKey(keyId)
        if (material === undefined) throw new KeyNotFoundError(keyId, 'pseudonym keyring')
        return hkdf(material, 'edusync/privacy-toolkit/pseudonym/v1')
      })()
      r.catch(() => roots.delete(keyId))
      roots.set(keyId, r)
    }
    return r
  }

  const signer = (kind: string, keyId: string, tenant: string, purpose: string, field = '') => {
    const cacheKey = `${kind}\u0000${keyId}\u0000${tenant}\u0000${purpose}\u0000${field}`
    let s = signers.get(cacheKey)
    if (s === undefined) {
      s = (async () => {
        const rootSigner = await createHmacSigner(await root(keyId), backend)
        const sub = await rootSigner.sign(lp(kind, tenant, purpose, field))
        return createHmacSigner(sub, backend)
      })()
      s.catch(() => signers.delete(cacheKey))
      signers.set(cacheKey, s)
    }
    return s
  }

  const derive = async (subjectId: string, context: PseudonymContext, keyId: string) => {
    if (typeof subjectId !== 'string' || subjectId.length === 0) {
      throw new TypeError(
        '[@edusync/privacy-toolkit] pseudonymise: the subject id must be a non-empty string.',
      )
    }
    checkContext(context)
    const s = await signer('psn', keyId, context.tenant, context.purpose)
    const data = utf8(subjectId)
    const mac = s.signSync === undefined ? await s.sign(data) : s.signSync(data)
    return `psn_${keyId}_${toBase32(mac.subarray(0, 20))}`
  }

  const pz: Pseudonymizer = {
    keyId: keyring.primaryKeyId,
    async pseudonymise(subjectId, context) {
      const keyId = keyring.primaryKeyId
      const p = await derive(subjectId, context, keyId)
      if (store !== undefined && !recorded.has(p)) {
        await store.put({
          pseudonym: p,
          tenant: context.tenant,
          purpose: context.purpose,
          keyId,
          subjectId,
          createdAt: now(),
        })
        if (recorded.size >= 50_000) recorded.clear()
        recorded.add(p)
      }
      return p
    },
    async pseudonymiseWithKey(subjectId, context, keyId) {
      assertKeyId(keyId, 'keyId')
      return derive(subjectId, context, keyId)
    },
    async hash(value, context) {
      if (typeof value !== 'string') {
        throw new TypeError('[@edusync/privacy-toolkit] hash: the value must be a string.')
      }
      checkContext(context)
      const keyId = keyring.primaryKeyId
      const s = await signer('hsh', keyId, context.tenant, context.purpose, context.field)
      const data = utf8(value)
      const mac = s.signSync === undefined ? await s.sign(data) : s.signSync(data)
      return `hsh_${keyId}_${toBase32(mac.subarray(0, 20))}`
    },
    async resolve(pseudonym) {
      if (store === undefined || !isPseudonym(pseudonym)) return undefined
      return store.resolve(pseudonym)
    },
    async translate(pseudonym) {
      const entry = await pz.resolve(pseudonym)
      if (entry === undefined) return undefined
      return pz.pseudonymise(entry.subjectId, { tenant: entry.tenant, purpose: entry.purpose })
    },
  }
  return Object.freeze(pz)
}
