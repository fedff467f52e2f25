import { describe, expect, it } from 'vitest'
import {
  createFieldEncryptor,
  createPseudonymizer,
  isSyncUnavailableError,
  MemoryDataKeyStore,
} from '../src/index.js'
import { keyringV1 } from './fixtures.js'

const ctx = { tenant: 'school-a', purpose: 'analytics' }
const binding = { tenant: 'school-a', doctype: 'Student', docname: 'EDU-STU-1', field: 'student_email_id' }

describe('sync fast paths', () => {
  it('pseudonymiseSync equals pseudonymise once prepared', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    await pz.prepare(ctx)
    expect(pz.pseudonymiseSync('EDU-STU-1', ctx)).toBe(await pz.pseudonymise('EDU-STU-1', ctx))
  })

  it('pseudonymiseSync refuses before prepare', () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    let error: unknown
    try {
      pz.pseudonymiseSync('EDU-STU-1', ctx)
    } catch (e) {
      error = e
    }
    expect(isSyncUnavailableError(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'not_prepared' })
  })

  it('pseudonymiseSync refuses on the Web Crypto backend rather than pretending', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1(), backend: 'webcrypto' })
    await pz.prepare(ctx)
    expect(() => pz.pseudonymiseSync('EDU-STU-1', ctx)).toThrow(/needs node:crypto/)
  })

  it('encryptSync/decryptSync round-trip with the async methods once prepared', async () => {
    const enc = createFieldEncryptor({ keyring: keyringV1(), dataKeys: new MemoryDataKeyStore() })
    await enc.prepare('school-a')
    const c = enc.encryptSync('ada@school.edu', binding)
    expect(await enc.decrypt(c, binding)).toBe('ada@school.edu')
    expect(enc.decryptSync(await enc.encrypt('x', binding), binding)).toBe('x')
  })

  it('decryptSync detects a moved ciphertext', async () => {
    const enc = createFieldEncryptor({ keyring: keyringV1(), dataKeys: new MemoryDataKeyStore() })
    await enc.prepare('school-a')
    const c = enc.encryptSync('ada@school.edu', binding)
    expect(() => enc.decryptSync(c, { ...binding, field: 'first_name' })).toThrow(/failed authentication/)
  })

  it('encryptSync refuses before prepare', () => {
    const enc = createFieldEncryptor({ keyring: keyringV1(), dataKeys: new MemoryDataKeyStore() })
    expect(() => enc.encryptSync('x', binding)).toThrow(/prepare/)
  })

  it('decryptSync refuses a data key that was not loaded', async () => {
    const dataKeys = new MemoryDataKeyStore()
    const writer = createFieldEncryptor({ keyring: keyringV1(), dataKeys })
    const reader = createFieldEncryptor({ keyring: keyringV1(), dataKeys })
    await reader.prepare('school-a')
    await writer.rotateDataKey('school-a')
    const c = await writer.encrypt('x', binding)
    expect(() => reader.decryptSync(c, binding)).toThrow(expect.objectContaining({ reason: 'not_prepared' }))
    await reader.prepare('school-a')
    expect(reader.decryptSync(c, binding)).toBe('x')
  })

  it('encryptSync refuses on the Web Crypto backend', async () => {
    const enc = createFieldEncryptor({
      keyring: keyringV1(),
      dataKeys: new MemoryDataKeyStore(),
      backend: 'webcrypto',
    })
    await enc.prepare('school-a')
    expect(() => enc.encryptSync('x', binding)).toThrow(expect.objectContaining({ reason: 'runtime' }))
  })
})
