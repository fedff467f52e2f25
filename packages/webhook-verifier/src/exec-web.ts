import type { Crypto, Signer } from './core.js'

// Imported keys, cached on the (internal, never exposed) key bytes of a verifier's configuration.
const KEY = Symbol('key')
type Cached = Uint8Array & { [KEY]?: Promise<CryptoKey> }
const key = (raw: Cached): Promise<CryptoKey> =>
  (raw[KEY] ??= crypto.subtle.importKey(
    'raw',
    raw as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  ))

async function verify(raw: Uint8Array, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
  return crypto.subtle.verify('HMAC', await key(raw), sig as BufferSource, data as BufferSource)
}

async function digest(data: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', data as BufferSource))
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** @internal Web Crypto, for verification. */
export const webCrypto: Crypto = { verify, digest }

/** @internal Web Crypto, for the signing functions. */
export const webSigner: Signer = {
  verify,
  digest,
  sign: async (raw, data) =>
    new Uint8Array(await crypto.subtle.sign('HMAC', await key(raw), data as BufferSource)),
}
