import {
  type Aead,
  type CryptoBackend,
  createAead,
  defaultRandomBytes,
  hkdf,
  IV_BYTES,
  pooledIv,
  TAG_BYTES,
} from './backend.js'
import { concatBytes, fromBase64Url, fromUtf8, toBase64Url, utf8 } from './encoding.js'
import { DecryptionError, InvalidKeyError, KeyNotFoundError, SyncUnavailableError } from './errors.js'
import { assertKeyId } from './keyring.js'
import type { DataKeyStore, Keyring, WrappedDataKey } from './stores.js'

/** Where a value lives; bound into the ciphertext as associated data so it cannot be moved elsewhere. */
export interface FieldBinding {
  /** The tenant. */
  readonly tenant: string
  /** The doctype, e.g. `Student`. */
  readonly doctype: string
  /** The document name, e.g. `EDU-STU-2026-00001`. */
  readonly docname: string
  /** The field, e.g. `student_email_id`. */
  readonly field: string
}

/** Options of {@link createFieldEncryptor}. */
export interface FieldEncryptorOptions {
  /** Key-encryption keys; the primary wraps new data keys and re-wraps old ones. */
  readonly keyring: Keyring
  /** Where wrapped tenant data keys are stored. */
  readonly dataKeys: DataKeyStore
  /** The clock for `createdAt` of data keys. @default () => new Date() */
  readonly now?: () => Date
  /** Randomness for IVs and data keys. @default crypto.getRandomValues */
  readonly randomBytes?: (length: number) => Uint8Array
  /** `auto` uses node:crypto when present (faster, same format), `webcrypto` forces Web Crypto. @default 'auto' */
  readonly backend?: CryptoBackend
}

/** Result of {@link FieldEncryptor.rewrap}. */
export interface RewrapResult {
  /** Data-key ids re-wrapped under the primary key-encryption key. */
  readonly rewrapped: readonly string[]
  /** Data-key ids already wrapped by the primary key. */
  readonly unchanged: readonly string[]
  /** The key-encryption key id now wrapping every data key of the tenant. */
  readonly kekId: string
}

/** AES-256-GCM field encryption with per-tenant envelope data keys. */
export interface FieldEncryptor {
  /**
   * Encrypt one value (any JSON value) for one field of one document, under the tenant's newest data
   * key (created on first use). Output: `enc1.<dataKeyId>.<iv>.<ciphertext+tag>` (base64url parts).
   */
  encrypt(value: unknown, binding: FieldBinding): Promise<string>
  /**
   * Decrypt a value made by {@link FieldEncryptor.encrypt} for the same binding. Throws
   * {@link DecryptionError} when it was tampered with or moved, {@link KeyNotFoundError} when its data
   * key or key-encryption key is gone. Never returns the input on failure.
   */
  decrypt(ciphertext: string, binding: FieldBinding): Promise<unknown>
  /**
   * Load the tenant's data keys (creating the first one if needed), so the sync methods can run for
   * ciphertexts made with them. Call again after another process rotated the tenant's data key.
   */
  prepare(tenant: string): Promise<void>
  /**
   * {@link FieldEncryptor.encrypt}, synchronously. Honest fast path: needs node:crypto and a prior
   * `await prepare(tenant)`; throws {@link SyncUnavailableError} otherwise.
   */
  encryptSync(value: unknown, binding: FieldBinding): string
  /**
   * {@link FieldEncryptor.decrypt}, synchronously, for data keys loaded by `prepare(tenant)`; throws
   * {@link SyncUnavailableError} when the ciphertext's data key is not loaded or there is no node:crypto.
   */
  decryptSync(ciphertext: string, binding: FieldBinding): unknown
  /** Create a new data key for the tenant; new writes use it, old ciphertexts still decrypt. */
  rotateDataKey(tenant: string): Promise<WrappedDataKey>
  /**
   * Re-wrap every data key of the tenant under the keyring's primary key (after a key-encryption-key
   * rotation). Data ciphertexts are not touched.
   */
  rewrap(tenant: string): Promise<RewrapResult>
  /** Re-encrypt a ciphertext under the tenant's newest data key (lazy data-key migration). */
  reencrypt(ciphertext: string, binding: FieldBinding): Promise<string>
}

const FORMAT = 'enc1'
const CIPHERTEXT = /^enc1\.(dk[0-9]{1,9})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/

/** `true` when `value` looks like a ciphertext of this package (`enc1.…`). It may still fail to decrypt. */
export function isCiphertext(value: unknown): value is string {
  return typeof value === 'string' && CIPHERTEXT.test(value)
}

/** The data-key id written in a ciphertext, or `undefined` when `value` is not one. */
export function ciphertextKeyId(value: string): string | undefined {
  return CIPHERTEXT.exec(value)?.[1]
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

function checkBinding(b: FieldBinding): void {
  for (const k of ['tenant', 'doctype', 'docname', 'field'] as const) {
    if (typeof b?.[k] !== 'string' || b[k].length === 0) {
      throw new TypeError(`[@edusync/privacy-toolkit] field binding.${k} must be a non-empty string.`)
    }
  }
}

const where = (b: FieldBinding) => `${b.doctype}.${b.field}`

interface TenantKeys {
  newest: { id: string; aead: Aead } | undefined
  byId: Map<string, Promise<Aead>>
  /** Resolved data keys, for the sync methods. */
  ready: Map<string, Aead>
}

/**
 * Create a field encryptor.
 *
 * @example
 * ```ts
 * const enc = createFieldEncryptor({ keyring, dataKeys: new MemoryDataKeyStore() })
 * const binding = { tenant: 'school-a', doctype: 'Student', docname: 'EDU-STU-1', field: 'student_email_id' }
 * const c = await enc.encrypt('ada@school.edu', binding) // 'enc1.dk1.…'
 * await enc.decrypt(c, binding) // 'ada@school.edu'
 * ```
 */
export function createFieldEncryptor(options: FieldEncryptorOptions): FieldEncryptor {
  if (typeof options?.keyring?.getKey !== 'function') {
    throw new TypeError('[@edusync/privacy-toolkit] createFieldEncryptor: options.keyring must be a Keyring.')
  }
  if (typeof options.dataKeys?.create !== 'function') {
    throw new TypeError(
      '[@edusync/privacy-toolkit] createFieldEncryptor: options.dataKeys must be a DataKeyStore.',
    )
  }
  const backend = options.backend ?? 'auto'
  if (backend !== 'auto' && backend !== 'webcrypto') {
    throw new TypeError(
      `[@edusync/privacy-toolkit] createFieldEncryptor: options.backend must be 'auto' or 'webcrypto'.`,
    )
  }
  const { keyring, dataKeys } = options
  const now = options.now ?? (() => new Date())
  const random = options.randomBytes ?? defaultRandomBytes
  const newIv = options.randomBytes === undefined ? pooledIv : () => options.randomBytes!(IV_BYTES)
  assertKeyId(keyring.primaryKeyId, 'keyring.primaryKeyId')

  /**
   * Import a key we own once (node:crypto KeyObject or non-extractable Web Crypto CryptoKey, both
   * copies), then wipe our bytes: afterwards the key lives only inside the crypto implementation.
   */
  const importWiping = async (key: Uint8Array): Promise<Aead> => {
    try {
      return await createAead(key, backend)
    } finally {
      key.fill(0)
    }
  }

  const keks = new Map<string, Promise<Aead>>()
  const tenants = new Map<string, TenantKeys>()

  const kek = (kekId: string): Promise<Aead> => {
    let k = keks.get(kekId)
    if (k === undefined) {
      k = (async () => {
        const material = await keyring.getKey(kekId)
        if (material === undefined) throw new KeyNotFoundError(kekId, 'key-encryption keyring')
        return importWiping(await hkdf(material, 'edusync/privacy-toolkit/kek/v1'))
      })()
      k.catch(() => keks.delete(kekId))
      keks.set(kekId, k)
    }
    return k
  }

  const wrapAad = (tenant: string, id: string) => lp('edusync/dek/v1', tenant, id)

  const wrap = async (tenant: string, id: string, dek: Uint8Array, kekId: string) => {
    const iv = random(IV_BYTES)
    const sealed = await (await kek(kekId)).encrypt(iv, dek, wrapAad(tenant, id))
    return toBase64Url(concatBytes(iv, sealed))
  }

  const unwrap = async (key: WrappedDataKey): Promise<Uint8Array> => {
    const bytes = fromBase64Url(key.wrapped)
    if (bytes === undefined || bytes.length !== IV_BYTES + 32 + TAG_BYTES) {
      throw new InvalidKeyError(`wrapped data key "${key.id}" of the tenant is malformed.`, key.id)
    }
    try {
      return await (await kek(key.kekId)).decrypt(
        bytes.subarray(0, IV_BYTES),
        bytes.subarray(IV_BYTES),
        wrapAad(key.tenant, key.id),
      )
    } catch (error) {
      if (error instanceof KeyNotFoundError) throw error
      throw new InvalidKeyError(
        `data key "${key.id}" could not be unwrapped with key-encryption key "${key.kekId}": the keyring holds a different key under that id, or the wrapped key was altered.`,
        key.id,
        { cause: error },
      )
    }
  }

  const tenantKeys = (tenant: string): TenantKeys => {
    let t = tenants.get(tenant)
    if (t === undefined) {
      t = { newest: undefined, byId: new Map(), ready: new Map() }
      tenants.set(tenant, t)
    }
    return t
  }

  const dataKey = (tenant: string, id: string): Promise<Aead> => {
    const t = tenantKeys(tenant)
    let a = t.byId.get(id)
    if (a === undefined) {
      a = (async () => {
        const stored = await dataKeys.get(tenant, id)
        if (stored === undefined) throw new KeyNotFoundError(id, `data-key store of tenant "${tenant}"`)
        return importWiping(await unwrap(stored))
      })()
      a.catch(() => t.byId.delete(id))
      t.byId.set(id, a)
    }
    return a
  }

  const createNext = async (tenant: string): Promise<WrappedDataKey> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await dataKeys.list(tenant)
      const version = existing.reduce((m, k) => Math.max(m, k.version), 0) + 1
      const id = `dk${version}`
      const dek = random(32)
      const kekId = keyring.primaryKeyId
      const record: WrappedDataKey = {
        tenant,
        id,
        version,
        kekId,
        wrapped: await wrap(tenant, id, dek, kekId),
        createdAt: now(),
      }
      if (await dataKeys.create(record)) {
        const t = tenantKeys(tenant)
        const aead = await createAead(dek, backend)
        dek.fill(0)
        t.byId.set(id, Promise.resolve(aead))
        t.ready.set(id, aead)
        t.newest = { id, aead }
        return record
      }
      dek.fill(0)
    }
    throw new InvalidKeyError(
      `could not create a data key for tenant "${tenant}": the data-key store kept reporting a conflict.`,
    )
  }

  const loading = new Map<string, Promise<{ id: string; aead: Aead }>>()
  const newest = (tenant: string): Promise<{ id: string; aead: Aead }> => {
    const t = tenantKeys(tenant)
    if (t.newest !== undefined) return Promise.resolve(t.newest)
    // One lookup (or creation) per tenant at a time, so concurrent first writes share one data key.
    let p = loading.get(tenant)
    if (p === undefined) {
      p = (async () => {
        const existing = await dataKeys.list(tenant)
        if (existing.length === 0) {
          await createNext(tenant)
          return tenantKeys(tenant).newest!
        }
        const top = existing.reduce((a, b) => (b.version > a.version ? b : a))
        const aead = await dataKey(tenant, top.id)
        t.newest ??= { id: top.id, aead }
        return t.newest
      })().finally(() => loading.delete(tenant))
      loading.set(tenant, p)
    }
    return p
  }

  // Length-prefixed (UTF-16 length, then the text) and UTF-8 encoded once: unambiguous and cheap.
  const aadText = (b: FieldBinding, dkId: string) =>
    `${FORMAT}|${b.tenant.length}:${b.tenant}|${b.doctype.length}:${b.doctype}|${b.docname.length}:${b.docname}|${b.field.length}:${b.field}|${dkId}`
  const aadFor = (b: FieldBinding, dkId: string) => utf8(aadText(b, dkId))

  const parse = (ciphertext: string, binding: FieldBinding) => {
    checkBinding(binding)
    const m = typeof ciphertext === 'string' ? CIPHERTEXT.exec(ciphertext) : null
    const iv = m === null ? undefined : fromBase64Url(m[2]!)
    const sealed = m === null ? undefined : fromBase64Url(m[3]!)
    if (
      m === null ||
      iv === undefined ||
      sealed === undefined ||
      iv.length !== IV_BYTES ||
      sealed.length < TAG_BYTES
    ) {
      throw new DecryptionError(
        'format',
        `the value of ${where(binding)} is not a ciphertext of this package (expected "enc1.<dataKeyId>.<iv>.<data>").`,
        where(binding),
      )
    }
    const dkId = m[1]!
    return { dkId, iv, sealed, aad: aadFor(binding, dkId) }
  }

  const authFailure = (binding: FieldBinding, error: unknown) =>
    new DecryptionError(
      'authentication',
      `the ciphertext of ${where(binding)} failed authentication: it was altered, or it belongs to another tenant, document or field.`,
      where(binding),
      { cause: error },
    )

  const parseJson = (plaintext: Uint8Array, binding: FieldBinding): unknown => {
    try {
      return JSON.parse(fromUtf8(plaintext))
    } catch (error) {
      throw new DecryptionError(
        'format',
        `the decrypted value of ${where(binding)} is not valid JSON.`,
        where(binding),
        {
          cause: error,
        },
      )
    }
  }

  const seal = (id: string, aead: Aead, value: unknown, binding: FieldBinding): string | Promise<string> => {
    const json = JSON.stringify(value)
    const iv = newIv()
    if (aead.sealTextSync !== undefined) {
      return `${FORMAT}.${id}.${toBase64Url(iv)}.${aead.sealTextSync(iv, json, aadText(binding, id))}`
    }
    const aad = aadFor(binding, id)
    if (aead.encryptSync !== undefined) {
      return `${FORMAT}.${id}.${toBase64Url(iv)}.${toBase64Url(aead.encryptSync(iv, utf8(json), aad))}`
    }
    return aead
      .encrypt(iv, utf8(json), aad)
      .then((sealed) => `${FORMAT}.${id}.${toBase64Url(iv)}.${toBase64Url(sealed)}`)
  }

  const enc: FieldEncryptor = {
    encrypt(value, binding) {
      try {
        checkBinding(binding)
        if (value === undefined) {
          throw new TypeError(
            `[@edusync/privacy-toolkit] encrypt: the value of ${where(binding)} is undefined.`,
          )
        }
        const cached = tenants.get(binding.tenant)?.newest
        if (cached !== undefined) return Promise.resolve(seal(cached.id, cached.aead, value, binding))
        return newest(binding.tenant).then(({ id, aead }) => seal(id, aead, value, binding))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    async decrypt(ciphertext, binding) {
      const parsed = parse(ciphertext, binding)
      const aead = await dataKey(binding.tenant, parsed.dkId)
      let plaintext: Uint8Array
      try {
        plaintext =
          aead.decryptSync === undefined
            ? await aead.decrypt(parsed.iv, parsed.sealed, parsed.aad)
            : aead.decryptSync(parsed.iv, parsed.sealed, parsed.aad)
      } catch (error) {
        throw authFailure(binding, error)
      }
      return parseJson(plaintext, binding)
    },
    async prepare(tenant) {
      if (typeof tenant !== 'string' || tenant.length === 0) {
        throw new TypeError('[@edusync/privacy-toolkit] prepare: tenant must be a non-empty string.')
      }
      const t = tenantKeys(tenant)
      t.newest = undefined
      const { id } = await newest(tenant)
      for (const key of await dataKeys.list(tenant)) {
        const aead = await dataKey(tenant, key.id)
        t.ready.set(key.id, aead)
      }
      t.ready.set(id, await dataKey(tenant, id))
    },
    encryptSync(value, binding) {
      checkBinding(binding)
      if (value === undefined) {
        throw new TypeError(
          `[@edusync/privacy-toolkit] encryptSync: the value of ${where(binding)} is undefined.`,
        )
      }
      const cached = tenants.get(binding.tenant)?.newest
      if (cached === undefined) {
        throw new SyncUnavailableError('not_prepared', 'encryptSync', 'encryptor.prepare(tenant)')
      }
      if (cached.aead.encryptSync === undefined)
        throw new SyncUnavailableError('runtime', 'encryptSync', 'prepare')
      return seal(cached.id, cached.aead, value, binding) as string
    },
    decryptSync(ciphertext, binding) {
      const parsed = parse(ciphertext, binding)
      const aead = tenants.get(binding.tenant)?.ready.get(parsed.dkId)
      if (aead === undefined) {
        throw new SyncUnavailableError('not_prepared', 'decryptSync', 'encryptor.prepare(tenant)')
      }
      if (aead.decryptSync === undefined) throw new SyncUnavailableError('runtime', 'decryptSync', 'prepare')
      let plaintext: Uint8Array
      try {
        plaintext = aead.decryptSync(parsed.iv, parsed.sealed, parsed.aad)
      } catch (error) {
        throw authFailure(binding, error)
      }
      return parseJson(plaintext, binding)
    },
    async rotateDataKey(tenant) {
      if (typeof tenant !== 'string' || tenant.length === 0) {
        throw new TypeError('[@edusync/privacy-toolkit] rotateDataKey: tenant must be a non-empty string.')
      }
      return createNext(tenant)
    },
    async rewrap(tenant) {
      if (typeof tenant !== 'string' || tenant.length === 0) {
        throw new TypeError('[@edusync/privacy-toolkit] rewrap: tenant must be a non-empty string.')
      }
      const primary = keyring.primaryKeyId
      const rewrapped: string[] = []
      const unchanged: string[] = []
      for (const key of await dataKeys.list(tenant)) {
        if (key.kekId === primary) {
          unchanged.push(key.id)
          continue
        }
        const dek = await unwrap(key)
        const wrapped = await wrap(tenant, key.id, dek, primary)
        dek.fill(0)
        if (!(await dataKeys.rewrap(tenant, key.id, primary, wrapped))) {
          throw new KeyNotFoundError(key.id, `data-key store of tenant "${tenant}"`)
        }
        rewrapped.push(key.id)
      }
      return { rewrapped, unchanged, kekId: primary }
    },
    async reencrypt(ciphertext, binding) {
      const value = await enc.decrypt(ciphertext, binding)
      const { id } = await newest(binding.tenant)
      if (ciphertextKeyId(ciphertext) === id) return ciphertext
      return enc.encrypt(value, binding)
    },
  }
  return Object.freeze(enc)
}
