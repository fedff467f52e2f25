/** Byte/string helpers that work in Node and edge runtimes (no Buffer). @internal */

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 encode. */
export const utf8 = (s: string): Uint8Array => encoder.encode(s)
/** UTF-8 decode; throws on invalid UTF-8. */
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b)

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const B64_CODES = Uint8Array.from(B64_ALPHABET, (c) => c.charCodeAt(0))

interface BufferLike {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64url'): string }
}
// Node's (or a compatible runtime's) native Buffer, used only as a faster path to identical output.
const NativeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer
const hasNativeBase64Url = (() => {
  try {
    return (
      typeof NativeBuffer?.from === 'function' &&
      NativeBuffer.from(new Uint8Array([251, 255]).buffer, 0, 2).toString('base64url') === '-_8'
    )
  } catch {
    return false
  }
})()

/** Base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  if (hasNativeBase64Url)
    return NativeBuffer!.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url')
  return toBase64UrlPortable(bytes)
}

/** Base64url without padding, in portable JS (table-driven: no btoa round trip, no regex passes). */
export function toBase64UrlPortable(bytes: Uint8Array): string {
  const n = bytes.length
  const out = new Uint8Array(Math.ceil((n * 4) / 3))
  let o = 0
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[o++] = B64_CODES[v >>> 18]!
    out[o++] = B64_CODES[(v >>> 12) & 63]!
    out[o++] = B64_CODES[(v >>> 6) & 63]!
    out[o++] = B64_CODES[v & 63]!
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | ((i + 1 < n ? bytes[i + 1]! : 0) << 8)
    out[o++] = B64_CODES[v >>> 18]!
    out[o++] = B64_CODES[(v >>> 12) & 63]!
    if (i + 1 < n) out[o++] = B64_CODES[(v >>> 6) & 63]!
  }
  return asciiString(out.subarray(0, o))
}

/** Bytes known to be ASCII → string, in chunks small enough for `fromCharCode.apply`. */
function asciiString(codes: Uint8Array): string {
  if (codes.length <= 4096) return String.fromCharCode.apply(null, codes as unknown as number[])
  let s = ''
  for (let i = 0; i < codes.length; i += 4096) {
    s += String.fromCharCode.apply(null, codes.subarray(i, i + 4096) as unknown as number[])
  }
  return s
}

const B64URL = /^[A-Za-z0-9_-]*$/

/** Decode base64url (no padding); returns `undefined` on malformed input. */
export function fromBase64Url(s: string): Uint8Array | undefined {
  if (!B64URL.test(s) || s.length % 4 === 1) return undefined
  const std = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)
  const bin = atob(std)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Decode standard base64 or base64url, padded or not; `undefined` when malformed. */
export function fromBase64Any(s: string): Uint8Array | undefined {
  const trimmed = s.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
  return fromBase64Url(trimmed)
}

const B32_CODES = Uint8Array.from('abcdefghijklmnopqrstuvwxyz234567', (c) => c.charCodeAt(0))

/** Lowercase RFC 4648 base32 without padding. */
export function toBase32(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil((bytes.length * 8) / 5))
  let o = 0
  let bits = 0
  let value = 0
  for (let i = 0; i < bytes.length; i++) {
    value = ((value << 8) | bytes[i]!) & 0xffff
    bits += 8
    while (bits >= 5) {
      out[o++] = B32_CODES[(value >>> (bits - 5)) & 31]!
      bits -= 5
    }
  }
  if (bits > 0) out[o++] = B32_CODES[(value << (5 - bits)) & 31]!
  return asciiString(out.subarray(0, o))
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]
  return s
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Constant-time comparison of two strings of equal length (length itself is not secret here). */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** Stable JSON: object keys sorted recursively; `Date` as ISO string. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortValue(value))
}

function sortValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map(sortValue)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k]
      if (v !== undefined) out[k] = sortValue(v)
    }
    return out
  }
  return value
}
