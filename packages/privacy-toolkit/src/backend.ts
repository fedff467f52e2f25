/**
 * The crypto primitives this package uses, over Web Crypto everywhere, with an optional synchronous
 * fast path over `node:crypto` when the runtime exposes it through `process.getBuiltinModule`
 * (Node ≥ 20.16). Both produce identical bytes; tests cross-check them.
 *
 * @internal
 */
import { utf8 } from './encoding.js'

/** Which crypto implementation to use. */
export type CryptoBackend = 'auto' | 'webcrypto'

interface NodeKeyObject {
  readonly type: string
}
interface NodeHmac {
  update(data: Uint8Array | string): NodeHmac
  digest(): Uint8Array
  digest(encoding: 'hex'): string
}
interface NodeCipher {
  setAAD(aad: Uint8Array): void
  update(data: Uint8Array | string): Uint8Array
  final(): Uint8Array
  getAuthTag(): Uint8Array
  setAuthTag(tag: Uint8Array): void
}
interface NodeCrypto {
  createSecretKey(key: Uint8Array): NodeKeyObject
  createHmac(alg: 'sha256', key: NodeKeyObject): NodeHmac
  createCipheriv(alg: 'aes-256-gcm', key: NodeKeyObject, iv: Uint8Array): NodeCipher
  createDecipheriv(alg: 'aes-256-gcm', key: NodeKeyObject, iv: Uint8Array): NodeCipher
}

interface NodeBufferStatic {
  from(text: string, encoding: 'utf8'): Uint8Array
  concat(list: readonly Uint8Array[]): { toString(encoding: 'base64url'): string }
}

let nodeCryptoCache: NodeCrypto | null | undefined

/** `node:crypto` when the runtime offers it without a static import, else `null`. */
export function nodeCrypto(): NodeCrypto | null {
  if (nodeCryptoCache !== undefined) return nodeCryptoCache
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined
    nodeCryptoCache = mod && typeof mod.createHmac === 'function' ? mod : null
  } catch {
    nodeCryptoCache = null
  }
  return nodeCryptoCache
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle
  if (s === undefined) {
    throw new TypeError(
      '[@edusync/privacy-toolkit] Web Crypto (globalThis.crypto.subtle) is not available in this runtime; use Node 20.19+ or an edge runtime with Web Crypto.',
    )
  }
  return s
}

const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>

/** A keyed HMAC-SHA256. */
export interface HmacSigner {
  sign(data: Uint8Array): Promise<Uint8Array>
  /** Present only when a synchronous implementation exists in this runtime. Strings are UTF-8. */
  readonly signSync: ((data: Uint8Array | string) => Uint8Array) | undefined
  /** The MAC as lowercase hex, synchronously; present only with `signSync`. */
  readonly hexSync: ((data: Uint8Array | string) => string) | undefined
}

/** Build an HMAC-SHA256 signer over raw key bytes. */
export async function createHmacSigner(key: Uint8Array, backend: CryptoBackend): Promise<HmacSigner> {
  const node = backend === 'auto' ? nodeCrypto() : null
  if (node !== null) {
    const keyObject = node.createSecretKey(key)
    const signSync = (data: Uint8Array | string) => node.createHmac('sha256', keyObject).update(data).digest()
    const hexSync = (data: Uint8Array | string) =>
      node.createHmac('sha256', keyObject).update(data).digest('hex')
    return { signSync, hexSync, sign: async (data) => signSync(data) }
  }
  // Imported once per signer, non-extractable: the raw bytes can be wiped by the caller afterwards and
  // the key cannot be read back out of the CryptoKey.
  const s = subtle()
  const cryptoKey = await s.importKey('raw', buf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return {
    signSync: undefined,
    hexSync: undefined,
    // No async wrapper: one promise per call, the one Web Crypto returns, and a view (not a copy) of
    // its result.
    sign: (data) => s.sign('HMAC', cryptoKey, buf(data)).then(toBytes),
  }
}

const toBytes = (b: ArrayBuffer): Uint8Array => new Uint8Array(b)

/** AES-256-GCM with a 12-byte IV and a 16-byte tag appended to the ciphertext. */
export interface Aead {
  encrypt(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>
  /** Throws on authentication failure. */
  decrypt(iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array>
  /** Strings are UTF-8. */
  readonly encryptSync:
    | ((iv: Uint8Array, plaintext: Uint8Array | string, aad: Uint8Array) => Uint8Array)
    | undefined
  readonly decryptSync: ((iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array) => Uint8Array) | undefined
  /**
   * Encrypt UTF-8 text with UTF-8 associated data straight to base64url(ciphertext ‖ tag), without
   * intermediate arrays; present only with node:crypto. Same bytes as `encrypt`.
   */
  readonly sealTextSync: ((iv: Uint8Array, plaintext: string, aad: string) => string) | undefined
}

export const IV_BYTES = 12
export const TAG_BYTES = 16

/** Build AES-256-GCM over a 32-byte key. */
export async function createAead(key: Uint8Array, backend: CryptoBackend): Promise<Aead> {
  if (key.length !== 32) throw new RangeError('AES-256-GCM needs a 32-byte key')
  const node = backend === 'auto' ? nodeCrypto() : null
  if (node !== null) {
    const keyObject = node.createSecretKey(key)
    const encryptSync = (iv: Uint8Array, plaintext: Uint8Array | string, aad: Uint8Array) => {
      const c = node.createCipheriv('aes-256-gcm', keyObject, iv)
      c.setAAD(aad)
      const a = c.update(plaintext)
      const b = c.final()
      const tag = c.getAuthTag()
      const out = new Uint8Array(a.length + b.length + tag.length)
      out.set(a, 0)
      out.set(b, a.length)
      out.set(tag, a.length + b.length)
      return out
    }
    const decryptSync = (iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array) => {
      if (sealed.length < TAG_BYTES) throw new Error('ciphertext shorter than the tag')
      const d = node.createDecipheriv('aes-256-gcm', keyObject, iv)
      d.setAAD(aad)
      d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
      const a = d.update(sealed.subarray(0, sealed.length - TAG_BYTES))
      const b = d.final()
      const out = new Uint8Array(a.length + b.length)
      out.set(a, 0)
      out.set(b, a.length)
      return out
    }
    const NodeBuffer = (globalThis as { Buffer?: NodeBufferStatic }).Buffer
    const sealTextSync =
      NodeBuffer === undefined
        ? undefined
        : (iv: Uint8Array, plaintext: string, aad: string) => {
            const c = node.createCipheriv('aes-256-gcm', keyObject, iv)
            c.setAAD(NodeBuffer.from(aad, 'utf8'))
            const body = c.update(NodeBuffer.from(plaintext, 'utf8'))
            c.final()
            return NodeBuffer.concat([body, c.getAuthTag()]).toString('base64url')
          }
    return {
      encryptSync,
      decryptSync,
      sealTextSync,
      encrypt: async (iv, p, aad) => encryptSync(iv, p, aad),
      decrypt: async (iv, s, aad) => decryptSync(iv, s, aad),
    }
  }
  // Imported once per data key, non-extractable (see createHmacSigner).
  const s = subtle()
  const cryptoKey = await s.importKey('raw', buf(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
  return {
    encryptSync: undefined,
    decryptSync: undefined,
    sealTextSync: undefined,
    // Web Crypto copies its inputs before returning, so the arguments are passed as they are (no copies
    // of ours), and the result is a view of the ArrayBuffer it resolves with.
    encrypt: (iv, p, aad) =>
      s.encrypt({ name: 'AES-GCM', iv: buf(iv), additionalData: buf(aad) }, cryptoKey, buf(p)).then(toBytes),
    decrypt: (iv, sealed, aad) =>
      s
        .decrypt({ name: 'AES-GCM', iv: buf(iv), additionalData: buf(aad) }, cryptoKey, buf(sealed))
        .then(toBytes),
  }
}

/** HKDF-SHA256 (Web Crypto; runs once per key, so no fast path is needed). */
export async function hkdf(ikm: Uint8Array, info: string, length = 32): Promise<Uint8Array> {
  const base = await subtle().importKey('raw', buf(ikm), 'HKDF', false, ['deriveBits'])
  const bits = await subtle().deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(32),
      info: buf(utf8(info)),
    },
    base,
    length * 8,
  )
  return new Uint8Array(bits)
}

/** Default randomness: Web Crypto's CSPRNG. */
export function defaultRandomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n))
}

const IV_POOL_BYTES = 12 * 512
let ivPool = new Uint8Array(0)
let ivOffset = 0

/**
 * Random IVs from a pool filled by the CSPRNG 512 IVs at a time (as Node does for `randomUUID`): one
 * `getRandomValues` call per 512 encryptions instead of one each. Every byte is handed out once. Used
 * for IVs only (public values), never for keys.
 */
export function pooledIv(): Uint8Array {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = globalThis.crypto.getRandomValues(new Uint8Array(IV_POOL_BYTES))
    ivOffset = 0
  }
  const iv = ivPool.slice(ivOffset, ivOffset + IV_BYTES)
  ivPool.fill(0, ivOffset, ivOffset + IV_BYTES)
  ivOffset += IV_BYTES
  return iv
}
