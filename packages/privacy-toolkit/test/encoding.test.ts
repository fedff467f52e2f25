import { describe, expect, it } from 'vitest'
import { fromBase64Url, toBase32, toBase64Url, toBase64UrlPortable } from '../src/encoding.js'

describe('encoding', () => {
  it('base64url matches the RFC 4648 vectors and round-trips every length', () => {
    const enc = (s: string) => toBase64UrlPortable(new TextEncoder().encode(s))
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual([
      '',
      'Zg',
      'Zm8',
      'Zm9v',
      'Zm9vYg',
      'Zm9vYmE',
      'Zm9vYmFy',
    ])
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255)
      expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes)
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
      expect(toBase64UrlPortable(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
    }
  })

  it('base32 matches the RFC 4648 vectors (lowercase, unpadded)', () => {
    const enc = (s: string) => toBase32(new TextEncoder().encode(s))
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual([
      '',
      'my',
      'mzxq',
      'mzxw6',
      'mzxw6yq',
      'mzxw6ytb',
      'mzxw6ytboi',
    ])
  })

  it('rejects malformed base64url', () => {
    expect(fromBase64Url('ab*d')).toBeUndefined()
    expect(fromBase64Url('a')).toBeUndefined()
  })
})
