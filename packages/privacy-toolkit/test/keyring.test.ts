import { describe, expect, it } from 'vitest'
import { createEnvKeyring, createMemoryKeyring, isInvalidKeyError, isValidKeyId } from '../src/index.js'

const key = (fill: number) => new Uint8Array(32).fill(fill)
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))

describe('createMemoryKeyring', () => {
  it('returns copies of the keys and defaults the primary to the last id', async () => {
    const ring = createMemoryKeyring({ keys: { v1: key(1), v2: b64(key(2)) } })
    expect(ring.primaryKeyId).toBe('v2')
    expect(await ring.getKey('v2')).toEqual(key(2))
    expect(await ring.getKey('v3')).toBeUndefined()
    expect(await ring.keyIds()).toEqual(['v1', 'v2'])
  })

  it('never shows key material when serialised', () => {
    const ring = createMemoryKeyring({ keys: { v1: b64(key(7)) } })
    expect(JSON.stringify(ring)).not.toContain(b64(key(7)))
  })

  it('rejects a short key', () => {
    expect(() => createMemoryKeyring({ keys: { v1: new Uint8Array(16) } })).toThrow(/at least 32/)
  })

  it('rejects a key that is not base64', () => {
    try {
      createMemoryKeyring({ keys: { v1: 'not base64 !!' } })
      expect.unreachable()
    } catch (e) {
      expect(isInvalidKeyError(e)).toBe(true)
    }
  })

  it('rejects an invalid key id', () => {
    expect(() => createMemoryKeyring({ keys: { V_1: key(1) } })).toThrow(/\[a-z0-9\]/)
  })

  it('rejects a primary id it does not hold', () => {
    expect(() => createMemoryKeyring({ keys: { v1: key(1) }, primaryKeyId: 'v2' })).toThrow(
      /primary key id "v2"/,
    )
  })

  it('rejects an empty keyring', () => {
    expect(() => createMemoryKeyring({ keys: {} })).toThrow(/no keys/)
  })
})

describe('createEnvKeyring', () => {
  it('reads keys and the primary id from prefixed variables', async () => {
    const ring = createEnvKeyring({
      prefix: 'EDUSYNC_KEK_',
      env: {
        EDUSYNC_KEK_V1: b64(key(1)),
        EDUSYNC_KEK_V2: b64(key(2)),
        EDUSYNC_KEK_PRIMARY: 'v1',
        OTHER: 'x',
      },
    })
    expect(ring.primaryKeyId).toBe('v1')
    expect(await ring.getKey('v2')).toEqual(key(2))
  })

  it('picks the highest id in natural order when no primary is set', () => {
    const ring = createEnvKeyring({
      prefix: 'K_',
      env: { K_V10: b64(key(1)), K_V9: b64(key(2)) },
    })
    expect(ring.primaryKeyId).toBe('v10')
  })

  it('fails with a typed error when no variable is set', () => {
    expect(() => createEnvKeyring({ prefix: 'NOPE_', env: {} })).toThrow(/NOPE_\*/)
  })

  it('validates the prefix option', () => {
    expect(() => createEnvKeyring({ prefix: 'lower' })).toThrow(TypeError)
  })
})

describe('isValidKeyId', () => {
  it('accepts short lowercase ids only', () => {
    expect(isValidKeyId('v1')).toBe(true)
    expect(isValidKeyId('')).toBe(false)
    expect(isValidKeyId('a'.repeat(17))).toBe(false)
  })
})
