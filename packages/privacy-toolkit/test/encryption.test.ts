import { describe, expect, it } from 'vitest'
import {
  ciphertextKeyId,
  createFieldEncryptor,
  createMemoryKeyring,
  type FieldBinding,
  isCiphertext,
  isDecryptionError,
  isInvalidKeyError,
  isKeyNotFoundError,
  MemoryDataKeyStore,
} from '../src/index.js'
import { key, keyringOnlyV2, keyringV1, keyringV2 } from './fixtures.js'

const binding: FieldBinding = {
  tenant: 'school-a',
  doctype: 'Student',
  docname: 'EDU-STU-2026-00001',
  field: 'student_email_id',
}
const EMAIL = 'ada.lovelace@school.edu'

const setup = () => {
  const dataKeys = new MemoryDataKeyStore()
  return { dataKeys, enc: createFieldEncryptor({ keyring: keyringV1(), dataKeys }) }
}

/** Flip one base64url character inside the ciphertext part. */
const tamper = (c: string) => {
  const i = c.length - 5
  return c.slice(0, i) + (c[i] === 'A' ? 'B' : 'A') + c.slice(i + 1)
}

describe('field encryption', () => {
  it('round-trips, and the ciphertext differs from the plaintext', async () => {
    const { enc } = setup()
    const c = await enc.encrypt(EMAIL, binding)
    expect(c).not.toContain(EMAIL)
    expect(isCiphertext(c)).toBe(true)
    expect(c).toMatch(/^enc1\.dk1\./)
    expect(await enc.decrypt(c, binding)).toBe(EMAIL)
  })

  it('round-trips any JSON value', async () => {
    const { enc } = setup()
    for (const v of [0, 42.5, true, null, '', 'ünïcødé ✓', ['a', 1], { nested: { x: [1, 2] } }]) {
      expect(await enc.decrypt(await enc.encrypt(v, binding), binding)).toEqual(v)
    }
  })

  it('uses a fresh IV each time', async () => {
    const { enc } = setup()
    expect(await enc.encrypt(EMAIL, binding)).not.toBe(await enc.encrypt(EMAIL, binding))
  })

  it('detects a tampered ciphertext', async () => {
    const { enc } = setup()
    const error = await enc
      .decrypt(tamper(await enc.encrypt(EMAIL, binding)), binding)
      .catch((e: unknown) => e)
    expect(isDecryptionError(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'authentication', location: 'Student.student_email_id' })
    expect(String(error)).not.toContain(EMAIL)
  })

  it('detects a ciphertext moved to another field', async () => {
    const { enc } = setup()
    const c = await enc.encrypt(EMAIL, binding)
    await expect(enc.decrypt(c, { ...binding, field: 'student_mobile_number' })).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'authentication',
    })
  })

  it('detects a ciphertext moved to another document', async () => {
    const { enc } = setup()
    const c = await enc.encrypt(EMAIL, binding)
    await expect(enc.decrypt(c, { ...binding, docname: 'EDU-STU-2026-00002' })).rejects.toMatchObject({
      name: 'DecryptionError',
    })
  })

  it('detects a ciphertext moved to another doctype', async () => {
    const { enc } = setup()
    const c = await enc.encrypt(EMAIL, binding)
    await expect(enc.decrypt(c, { ...binding, doctype: 'Guardian' })).rejects.toMatchObject({
      name: 'DecryptionError',
    })
  })

  it('detects a ciphertext moved to another tenant', async () => {
    const { enc } = setup()
    const c = await enc.encrypt(EMAIL, binding)
    await enc.encrypt('x', { ...binding, tenant: 'school-b' }) // school-b gets its own dk1
    await expect(enc.decrypt(c, { ...binding, tenant: 'school-b' })).rejects.toMatchObject({
      name: 'DecryptionError',
    })
  })

  it('rejects a value that is not a ciphertext instead of returning it', async () => {
    const { enc } = setup()
    await expect(enc.decrypt(EMAIL, binding)).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'format',
    })
  })

  it('rejects a truncated ciphertext', async () => {
    const { enc } = setup()
    const c = await enc.encrypt(EMAIL, binding)
    await expect(enc.decrypt(c.slice(0, 40), binding)).rejects.toMatchObject({ name: 'DecryptionError' })
  })

  it('reports an unknown data key id', async () => {
    const { enc } = setup()
    const c = (await enc.encrypt(EMAIL, binding)).replace('.dk1.', '.dk9.')
    const error = await enc.decrypt(c, binding).catch((e: unknown) => e)
    expect(isKeyNotFoundError(error)).toBe(true)
    expect((error as { keyId: string }).keyId).toBe('dk9')
  })

  it('interoperates between the Web Crypto and node:crypto backends', async () => {
    const dataKeys = new MemoryDataKeyStore()
    const auto = createFieldEncryptor({ keyring: keyringV1(), dataKeys, backend: 'auto' })
    const web = createFieldEncryptor({ keyring: keyringV1(), dataKeys, backend: 'webcrypto' })
    expect(await web.decrypt(await auto.encrypt(EMAIL, binding), binding)).toBe(EMAIL)
    expect(await auto.decrypt(await web.encrypt(EMAIL, binding), binding)).toBe(EMAIL)
  })

  it('never repeats an IV across a pool refill', async () => {
    const { enc } = setup()
    const ivs = new Set<string>()
    for (let i = 0; i < 1200; i++) ivs.add((await enc.encrypt('x', binding)).split('.')[2]!)
    expect(ivs.size).toBe(1200)
  })

  it('is deterministic for an injected IV source (no hidden randomness)', async () => {
    let n = 0
    const randomBytes = (len: number) => new Uint8Array(len).fill(++n)
    const mk = () =>
      createFieldEncryptor({ keyring: keyringV1(), dataKeys: new MemoryDataKeyStore(), randomBytes })
    const a = await mk().encrypt(EMAIL, binding)
    n = 0
    expect(await mk().encrypt(EMAIL, binding)).toBe(a)
  })
})

describe('rotation', () => {
  it('data-key rotation: new writes use the new key, old data still decrypts', async () => {
    const { enc } = setup()
    const old = await enc.encrypt(EMAIL, binding)
    const dk = await enc.rotateDataKey('school-a')
    expect(dk.id).toBe('dk2')
    const fresh = await enc.encrypt(EMAIL, binding)
    expect(ciphertextKeyId(fresh)).toBe('dk2')
    expect(await enc.decrypt(old, binding)).toBe(EMAIL)
    const migrated = await enc.reencrypt(old, binding)
    expect(ciphertextKeyId(migrated)).toBe('dk2')
    expect(await enc.decrypt(migrated, binding)).toBe(EMAIL)
  })

  it('a second process picks up the newest data key from the store', async () => {
    const { enc, dataKeys } = setup()
    await enc.encrypt(EMAIL, binding)
    await enc.rotateDataKey('school-a')
    const other = createFieldEncryptor({ keyring: keyringV1(), dataKeys })
    expect(ciphertextKeyId(await other.encrypt(EMAIL, binding))).toBe('dk2')
  })

  it('key-encryption-key rotation re-wraps data keys without touching ciphertexts', async () => {
    const { enc, dataKeys } = setup()
    const old = await enc.encrypt(EMAIL, binding)
    const rotated = createFieldEncryptor({ keyring: keyringV2(), dataKeys })
    expect(await rotated.rewrap('school-a')).toEqual({ rewrapped: ['dk1'], unchanged: [], kekId: 'v2' })
    expect((await dataKeys.get('school-a', 'dk1'))?.kekId).toBe('v2')
    // v1 can now be retired: a process holding only v2 still decrypts the old ciphertext.
    const retired = createFieldEncryptor({ keyring: keyringOnlyV2(), dataKeys })
    expect(await retired.decrypt(old, binding)).toBe(EMAIL)
    expect(await rotated.rewrap('school-a')).toEqual({ rewrapped: [], unchanged: ['dk1'], kekId: 'v2' })
  })

  it('new data keys are wrapped by the new primary key-encryption key', async () => {
    const dataKeys = new MemoryDataKeyStore()
    const enc = createFieldEncryptor({ keyring: keyringV2(), dataKeys })
    await enc.encrypt(EMAIL, binding)
    expect((await dataKeys.get('school-a', 'dk1'))?.kekId).toBe('v2')
  })

  it('retiring a key-encryption key before re-wrapping fails with KeyNotFoundError', async () => {
    const { enc, dataKeys } = setup()
    const old = await enc.encrypt(EMAIL, binding)
    const retired = createFieldEncryptor({ keyring: keyringOnlyV2(), dataKeys })
    const error = await retired.decrypt(old, binding).catch((e: unknown) => e)
    expect(isKeyNotFoundError(error)).toBe(true)
    expect((error as { keyId: string }).keyId).toBe('v1')
  })

  it('a different key under the same id fails with InvalidKeyError', async () => {
    const { enc, dataKeys } = setup()
    const old = await enc.encrypt(EMAIL, binding)
    const wrong = createFieldEncryptor({ keyring: createMemoryKeyring({ keys: { v1: key(9) } }), dataKeys })
    const error = await wrong.decrypt(old, binding).catch((e: unknown) => e)
    expect(isInvalidKeyError(error)).toBe(true)
  })

  it('concurrent first writes agree on one data key', async () => {
    const dataKeys = new MemoryDataKeyStore()
    const a = createFieldEncryptor({ keyring: keyringV1(), dataKeys })
    const b = createFieldEncryptor({ keyring: keyringV1(), dataKeys })
    const [ca, cb] = await Promise.all([a.encrypt(EMAIL, binding), b.encrypt(EMAIL, binding)])
    expect(await b.decrypt(ca, binding)).toBe(EMAIL)
    expect(await a.decrypt(cb, binding)).toBe(EMAIL)
  })
})

describe('options', () => {
  it('require a data-key store', () => {
    expect(() => createFieldEncryptor({ keyring: keyringV1() } as never)).toThrow(/dataKeys/)
  })

  it('require a complete binding', async () => {
    const { enc } = setup()
    await expect(enc.encrypt(EMAIL, { ...binding, field: '' })).rejects.toThrow(/binding.field/)
  })

  it('refuse to encrypt undefined', async () => {
    const { enc } = setup()
    await expect(enc.encrypt(undefined, binding)).rejects.toThrow(TypeError)
  })
})
