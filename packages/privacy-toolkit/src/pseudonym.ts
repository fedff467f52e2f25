import { type CryptoBackend, createHmacSigner, type HmacSigner, hkdf } from './backend.js'
import { concatBytes, toHex, utf8 } from './encoding.js'
import { KeyNotFoundError, SyncUnavailableError } from './errors.js'
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
   * The pseudonym of `subjectId` under the primary key: `psn_<keyId>_<40 hex chars>` (160 bits).
   * Deterministic per (key, tenant, purpose, subject); records the mapping in the store, if any.
   */
  pseudonymise(subjectId: string, context: PseudonymContext): Promise<string>
  /**
   * Load the primary key for `context`, so {@link Pseudonymizer.pseudonymiseSync} can run. Idempotent.
   */
  prepare(context: PseudonymContext): Promise<void>
  /**
   * The same pseudonym as {@link Pseudonymizer.pseudonymise}, synchronously. Honest fast path: it
   * needs node:crypto and a prior `await prepare(context)`, and throws {@link SyncUnavailableError}
   * otherwise. It does not write to the re-identification store; call `pseudonymise()` once per subject
   * when the mapping must be resolvable after rotation.
   */
  pseudonymiseSync(subjectId: string, context: PseudonymContext): string
  /** The pseudonym under a specific key id (e.g. to match data written before a rotation). Not recorded. */
  pseudonymiseWithKey(subjectId: string, context: PseudonymContext, keyId: string): Promise<string>
  /**
   * A keyed hash of any value (e-mail, phone) for equality joins without the value:
   * `hsh_<keyId>_<40 hex chars>`, separated from pseudonyms and per field. Not recorded, not resolvable.
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

const PSEUDONYM = /^psn_([a-z0-9]{1,16})_([0-9a-f]{40})$/

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

  // One root signer per key version: its key is imported once (a non-extractable CryptoKey on Web
  // Crypto) and the derived bytes are wiped right after.
  const roots = new Map<string, Promise<HmacSigner>>()
  const signers = new Map<string, Promise<HmacSigner>>()
  // Resolved signers, so the hot path needs no await once a (key, tenant, purpose) was used.
  const ready = new Map<string, HmacSigner>()
  const recorded = new Set<string>()
  let last:
    | { keyId: string; tenant: string; purpose: string; signer: HmacSigner; cacheKey: string }
    | undefined

  const root = (keyId: string) => {
    let r = roots.get(keyId)
    if (r === undefined) {
      r = (async () => {
        const material = await keyring.getKey(keyId)
        if (material === undefined) throw new KeyNotFoundError(keyId, 'pseudonym keyring')
        const derived = await hkdf(material, 'edusync/privacy-toolkit/pseudonym/v1')
        try {
          return await createHmacSigner(derived, backend)
        } finally {
          derived.fill(0)
        }
      })()
      r.catch(() => roots.delete(keyId))
      roots.set(keyId, r)
    }
    return r
  }

  const signer = (
    cacheKey: string,
    kind: string,
    keyId: string,
    tenant: string,
    purpose: string,
    field: string,
  ) => {
    let s = signers.get(cacheKey)
    if (s === undefined) {
      s = (async () => {
        const sub = await (await root(keyId)).sign(lp(kind, tenant, purpose, field))
        let made: HmacSigner
        try {
          made = await createHmacSigner(sub, backend)
        } finally {
          sub.fill(0)
        }
        ready.set(cacheKey, made)
        return made
      })()
      s.catch(() => signers.delete(cacheKey))
      signers.set(cacheKey, s)
    }
    return s
  }

  // 160 bits of the MAC as 40 lowercase hex characters.
  const format = (kind: string, keyId: string, hex: string) => `${kind}_${keyId}_${hex.slice(0, 40)}`
  const formatBytes = (kind: string, keyId: string, mac: Uint8Array) =>
    `${kind}_${keyId}_${toHex(mac.subarray(0, 20))}`
  /** The Web Crypto path: one `sign` promise, then formatting; no extra async frames. */
  const macAsync = (kind: 'psn' | 'hsh', keyId: string, s: HmacSigner, value: string) =>
    s.hexSync === undefined
      ? s.sign(utf8(value)).then((m) => formatBytes(kind, keyId, m))
      : format(kind, keyId, s.hexSync(value))

  /** The resolved signer for (kind, key, tenant, purpose, field), if loaded. */
  const lookup = (kind: 'psn' | 'hsh', keyId: string, context: PseudonymContext, field: string) => {
    // The pipeline pseudonymises many subjects for one (tenant, purpose) in a row: skip rebuilding the key.
    if (
      kind === 'psn' &&
      last !== undefined &&
      last.keyId === keyId &&
      last.tenant === context.tenant &&
      last.purpose === context.purpose
    ) {
      return { s: last.signer as HmacSigner | undefined, cacheKey: last.cacheKey }
    }
    const cacheKey = `${kind}\u0000${keyId}\u0000${context.tenant}\u0000${context.purpose}\u0000${field}`
    const s = ready.get(cacheKey)
    if (kind === 'psn' && s !== undefined) {
      last = { keyId, tenant: context.tenant, purpose: context.purpose, signer: s, cacheKey }
    }
    return { s, cacheKey }
  }

  /** The keyed MAC of `value`, synchronously when the signer is ready and node:crypto is present. */
  const mac = (
    kind: 'psn' | 'hsh',
    value: string,
    context: PseudonymContext,
    keyId: string,
    field = '',
  ): string | Promise<string> => {
    const { s, cacheKey } = lookup(kind, keyId, context, field)
    if (s !== undefined) return macAsync(kind, keyId, s, value)
    return signer(cacheKey, kind, keyId, context.tenant, context.purpose, field).then((sg) =>
      macAsync(kind, keyId, sg, value),
    )
  }

  const derive = (subjectId: string, context: PseudonymContext, keyId: string): string | Promise<string> => {
    if (typeof subjectId !== 'string' || subjectId.length === 0) {
      throw new TypeError(
        '[@edusync/privacy-toolkit] pseudonymise: the subject id must be a non-empty string.',
      )
    }
    checkContext(context)
    return mac('psn', subjectId, context, keyId)
  }

  const record = async (p: string, subjectId: string, context: PseudonymContext, keyId: string) => {
    await store!.put({
      pseudonym: p,
      tenant: context.tenant,
      purpose: context.purpose,
      keyId,
      subjectId,
      createdAt: now(),
    })
    if (recorded.size >= 50_000) recorded.clear()
    recorded.add(p)
    return p
  }

  const pz: Pseudonymizer = {
    keyId: keyring.primaryKeyId,
    pseudonymise(subjectId, context) {
      try {
        const keyId = keyring.primaryKeyId
        const p = derive(subjectId, context, keyId)
        if (typeof p === 'string') {
          return store === undefined || recorded.has(p)
            ? Promise.resolve(p)
            : record(p, subjectId, context, keyId)
        }
        if (store === undefined) return p
        return p.then((v) => (recorded.has(v) ? v : record(v, subjectId, context, keyId)))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    async prepare(context) {
      checkContext(context)
      const keyId = keyring.primaryKeyId
      const cacheKey = `psn\u0000${keyId}\u0000${context.tenant}\u0000${context.purpose}\u0000`
      await signer(cacheKey, 'psn', keyId, context.tenant, context.purpose, '')
    },
    pseudonymiseSync(subjectId, context) {
      const keyId = keyring.primaryKeyId
      if (typeof subjectId !== 'string' || subjectId.length === 0) {
        throw new TypeError(
          '[@edusync/privacy-toolkit] pseudonymiseSync: the subject id must be a non-empty string.',
        )
      }
      checkContext(context)
      const { s } = lookup('psn', keyId, context, '')
      if (s === undefined) {
        throw new SyncUnavailableError('not_prepared', 'pseudonymiseSync', 'pseudonymizer.prepare(context)')
      }
      if (s.hexSync === undefined) throw new SyncUnavailableError('runtime', 'pseudonymiseSync', 'prepare')
      return format('psn', keyId, s.hexSync(subjectId))
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
      if (typeof context.field !== 'string' || context.field.length === 0) {
        throw new TypeError('[@edusync/privacy-toolkit] hash: context.field must be a non-empty string.')
      }
      return mac('hsh', value, context, keyring.primaryKeyId, context.field)
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
