import { InvalidKeyError } from './errors.js'
import { fromBase64Any } from './encoding.js'
import type { Keyring } from './stores.js'

/** Minimum key length in bytes (256 bits). */
export const MIN_KEY_BYTES = 32

const KEY_ID = /^[a-z0-9]{1,16}$/

/** `true` when `id` is a valid key id: 1–16 characters of `[a-z0-9]`. */
export function isValidKeyId(id: unknown): id is string {
  return typeof id === 'string' && KEY_ID.test(id)
}

/** @internal Throws {@link InvalidKeyError} when `id` is not a valid key id. */
export function assertKeyId(id: unknown, what: string): asserts id is string {
  if (!isValidKeyId(id)) {
    throw new InvalidKeyError(
      `${what} must be 1–16 characters of [a-z0-9] (it is written into pseudonyms and ciphertexts), got ${typeof id === 'string' ? `"${id.slice(0, 20)}"` : typeof id}.`,
    )
  }
}

function toKeyBytes(keyId: string, material: Uint8Array | string): Uint8Array {
  let bytes: Uint8Array | undefined
  if (typeof material === 'string') {
    bytes = fromBase64Any(material)
    if (bytes === undefined) {
      throw new InvalidKeyError(
        `key "${keyId}" is not valid base64; encode 32 random bytes as base64.`,
        keyId,
      )
    }
  } else if (material instanceof Uint8Array) {
    bytes = new Uint8Array(material)
  } else {
    throw new InvalidKeyError(`key "${keyId}" must be a Uint8Array or a base64 string.`, keyId)
  }
  if (bytes.length < MIN_KEY_BYTES) {
    throw new InvalidKeyError(
      `key "${keyId}" is ${bytes.length} bytes; at least ${MIN_KEY_BYTES} random bytes are required (e.g. \`openssl rand -base64 32\`).`,
      keyId,
    )
  }
  return bytes
}

/** Options of {@link createMemoryKeyring}. */
export interface MemoryKeyringOptions {
  /** Keys by id: raw bytes or base64 (standard or url-safe), at least 32 bytes each. */
  readonly keys: Readonly<Record<string, Uint8Array | string>>
  /** The id used for new writes. @default the last id in `keys` */
  readonly primaryKeyId?: string
}

class StaticKeyring implements Keyring {
  readonly primaryKeyId: string
  readonly #keys: ReadonlyMap<string, Uint8Array>
  constructor(keys: Map<string, Uint8Array>, primary: string) {
    this.#keys = keys
    this.primaryKeyId = primary
    Object.freeze(this)
  }
  async getKey(keyId: string): Promise<Uint8Array | undefined> {
    const k = this.#keys.get(keyId)
    return k === undefined ? undefined : new Uint8Array(k)
  }
  async keyIds(): Promise<readonly string[]> {
    return [...this.#keys.keys()]
  }
  /** Keys are never shown when the keyring is inspected or logged. */
  toJSON(): unknown {
    return { primaryKeyId: this.primaryKeyId, keyIds: [...this.#keys.keys()] }
  }
}

function build(entries: [string, Uint8Array | string][], primary: string | undefined, what: string): Keyring {
  if (entries.length === 0) {
    throw new InvalidKeyError(`${what} holds no keys; add at least one 32-byte key.`)
  }
  const map = new Map<string, Uint8Array>()
  for (const [id, material] of entries) {
    assertKeyId(id, `key id "${id}"`)
    map.set(id, toKeyBytes(id, material))
  }
  const primaryId = primary ?? entries[entries.length - 1]![0]
  if (!map.has(primaryId)) {
    throw new InvalidKeyError(
      `primary key id "${primaryId}" is not among the keys of the ${what}.`,
      primaryId,
    )
  }
  return new StaticKeyring(map, primaryId)
}

/**
 * An in-memory keyring, for tests and for deployments that load keys from their own secret store.
 *
 * @example
 * ```ts
 * const keyring = createMemoryKeyring({ keys: { v1: oldKeyBase64, v2: newKeyBase64 }, primaryKeyId: 'v2' })
 * ```
 */
export function createMemoryKeyring(options: MemoryKeyringOptions): Keyring {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.keys !== 'object' ||
    options.keys === null
  ) {
    throw new TypeError(
      '[@edusync/privacy-toolkit] createMemoryKeyring: options.keys must be an object of key id → key.',
    )
  }
  return build(Object.entries(options.keys), options.primaryKeyId, 'memory keyring')
}

/** Options of {@link createEnvKeyring}. */
export interface EnvKeyringOptions {
  /** Variable-name prefix. Keys are read from `<prefix><ID>` (id upper-cased), the primary id from `<prefix>PRIMARY`. */
  readonly prefix: string
  /** The environment to read. @default `globalThis.process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/**
 * A keyring read once from environment variables holding base64 keys.
 *
 * With prefix `EDUSYNC_KEK_`: `EDUSYNC_KEK_V1=<base64>`, `EDUSYNC_KEK_V2=<base64>`,
 * `EDUSYNC_KEK_PRIMARY=v2`. Without `…PRIMARY`, the highest id in natural order is primary.
 *
 * @example
 * ```ts
 * const kek = createEnvKeyring({ prefix: 'EDUSYNC_KEK_' })
 * const psnKeys = createEnvKeyring({ prefix: 'EDUSYNC_PSN_' })
 * ```
 */
export function createEnvKeyring(options: EnvKeyringOptions): Keyring {
  if (typeof options?.prefix !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(options.prefix)) {
    throw new TypeError(
      '[@edusync/privacy-toolkit] createEnvKeyring: options.prefix must be an upper-case variable prefix such as "EDUSYNC_KEK_".',
    )
  }
  const env =
    options.env ??
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ??
    {}
  const entries: [string, string][] = []
  let primary: string | undefined
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(options.prefix) || value === undefined) continue
    const suffix = name.slice(options.prefix.length)
    if (suffix === 'PRIMARY') primary = value.trim().toLowerCase()
    else if (suffix.length > 0) entries.push([suffix.toLowerCase(), value])
  }
  entries.sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
  return build(entries, primary, `environment keyring (${options.prefix}*)`)
}
