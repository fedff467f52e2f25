import { describe, expect, it } from 'vitest'
import {
  createPseudonymizer,
  isKeyNotFoundError,
  isPseudonym,
  MemoryReidentificationStore,
  parsePseudonym,
} from '../src/index.js'
import { keyringOnlyV2, keyringV1, keyringV2 } from './fixtures.js'

const ctx = { tenant: 'school-a', purpose: 'analytics' }
const ID = 'EDU-STU-2026-00001'

describe('pseudonyms', () => {
  it('are deterministic and versioned by key id', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    const a = await pz.pseudonymise(ID, ctx)
    expect(a).toMatch(/^psn_v1_[0-9a-f]{40}$/)
    expect(await pz.pseudonymise(ID, ctx)).toBe(a)
    expect(await createPseudonymizer({ keyring: keyringV1() }).pseudonymise(ID, ctx)).toBe(a)
    expect(parsePseudonym(a)).toEqual({ keyId: 'v1', body: a.slice(7) })
    expect(isPseudonym(a)).toBe(true)
    expect(a).not.toContain(ID)
  })

  it('differ across tenants', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    expect(await pz.pseudonymise(ID, { ...ctx, tenant: 'school-b' })).not.toBe(await pz.pseudonymise(ID, ctx))
  })

  it('differ across purposes', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    expect(await pz.pseudonymise(ID, { ...ctx, purpose: 'tutoring_chat' })).not.toBe(
      await pz.pseudonymise(ID, ctx),
    )
  })

  it('differ across subjects', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    expect(await pz.pseudonymise('EDU-STU-2026-00002', ctx)).not.toBe(await pz.pseudonymise(ID, ctx))
  })

  it('are identical under the Web Crypto and node:crypto backends', async () => {
    const web = createPseudonymizer({ keyring: keyringV1(), backend: 'webcrypto' })
    const auto = createPseudonymizer({ keyring: keyringV1(), backend: 'auto' })
    expect(await web.pseudonymise(ID, ctx)).toBe(await auto.pseudonymise(ID, ctx))
    const hctx = { ...ctx, field: 'Student.student_email_id' }
    expect(await web.hash('a@b.c', hctx)).toBe(await auto.hash('a@b.c', hctx))
  })

  it('keyed hashes are separate from pseudonyms and per field', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    const h = await pz.hash(ID, { ...ctx, field: 'Student.name' })
    expect(h).toMatch(/^hsh_v1_/)
    expect(h.slice(7)).not.toBe((await pz.pseudonymise(ID, ctx)).slice(7))
    expect(await pz.hash(ID, { ...ctx, field: 'Guardian.name' })).not.toBe(h)
  })

  it('stay resolvable after key rotation through the re-identification store', async () => {
    const store = new MemoryReidentificationStore()
    const old = await createPseudonymizer({ keyring: keyringV1(), store }).pseudonymise(ID, ctx)
    const rotated = createPseudonymizer({ keyring: keyringV2(), store })
    const fresh = await rotated.pseudonymise(ID, ctx)
    expect(fresh).toMatch(/^psn_v2_/)
    expect(fresh).not.toBe(old)
    expect((await rotated.resolve(old))?.subjectId).toBe(ID)
    expect(await rotated.translate(old)).toBe(fresh)
    expect(await rotated.pseudonymiseWithKey(ID, ctx, 'v1')).toBe(old)
  })

  it('cannot be resolved without the store', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    expect(await pz.resolve(await pz.pseudonymise(ID, ctx))).toBeUndefined()
  })

  it('fail with KeyNotFoundError for a retired key id', async () => {
    const pz = createPseudonymizer({ keyring: keyringOnlyV2() })
    const error = await pz.pseudonymiseWithKey(ID, ctx, 'v1').catch((e: unknown) => e)
    expect(isKeyNotFoundError(error)).toBe(true)
    expect(String((error as Error).message)).toMatch(/key "v1" was not found/)
  })

  it('reject an empty subject id', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    await expect(pz.pseudonymise('', ctx)).rejects.toThrow(TypeError)
  })

  it('reject an empty purpose', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1() })
    await expect(pz.pseudonymise(ID, { ...ctx, purpose: '' })).rejects.toThrow(/purpose/)
  })

  it('validate options once', () => {
    expect(() => createPseudonymizer({ keyring: keyringV1(), backend: 'x' as 'auto' })).toThrow(/backend/)
  })
})
