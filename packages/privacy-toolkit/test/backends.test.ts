import { describe, expect, it } from 'vitest'
import {
  atRestPolicy,
  createFieldEncryptor,
  createMemoryKeyring,
  createPrivacyToolkit,
  createPseudonymizer,
  definePolicy,
  type CryptoBackend,
  type FieldBinding,
  type Keyring,
  MemoryDataKeyStore,
} from '../src/index.js'
import { classification, key, keyringV1, student, studentPiiFields } from './fixtures.js'

const BACKENDS: readonly CryptoBackend[] = ['auto', 'webcrypto']
const ctx = { tenant: 'school-a', purpose: 'analytics' }
const unicodeBinding: FieldBinding = {
  tenant: 'école',
  doctype: 'Student',
  docname: 'EDU-STU-2026-00001',
  field: 'first_name',
}

/** Every call returns bytes filled with 7: data keys and IVs are then fixed, so outputs can be pinned. */
const sevens = (n: number) => new Uint8Array(n).fill(7)
/** A counter IV source: each call returns distinct bytes, in call order. */
const counter = () => {
  let n = 0
  return (len: number) => new Uint8Array(len).fill(++n % 256)
}

// Known answers: produced by this package before the Web Crypto backend was reworked, so they pin the
// wire format (UTF-8 of non-ASCII text, length-prefixed derivation labels, AAD layout, base64url).
describe.each(BACKENDS)('known answers, backend %s', (backend) => {
  it('pseudonyms and keyed hashes', async () => {
    const pz = createPseudonymizer({ keyring: keyringV1(), backend })
    expect(await pz.pseudonymise('EDU-STU-2026-00001', ctx)).toBe(
      'psn_v1_5f6d4a8ee3ec7450101153fea639928de2fc7203',
    )
    expect(await pz.pseudonymise('Zoë Ünal 学生 🎓', { tenant: 'école', purpose: 'analytics' })).toBe(
      'psn_v1_7de36136114c278d652af937d0952a73b1611b5e',
    )
    expect(await pz.hash('ada@school.edu', { ...ctx, field: 'Student.student_email_id' })).toBe(
      'hsh_v1_a42fa08479173ce959e20b9979770cb193b80a0e',
    )
  })

  it('field ciphertexts', async () => {
    const enc = createFieldEncryptor({
      keyring: createMemoryKeyring({ keys: { v1: key(1) } }),
      dataKeys: new MemoryDataKeyStore(),
      randomBytes: sevens,
      backend,
    })
    const c = await enc.encrypt({ name: 'Zoë 🎓', n: 1 }, unicodeBinding)
    expect(c).toBe('enc1.dk1.BwcHBwcHBwcHBwcH.tbkkXmuDnV9us-75lPlW68I2pTzbEEZbX_ypppqGKjO2rfqDPx-okYEK')
    expect(await enc.decrypt(c, unicodeBinding)).toEqual({ name: 'Zoë 🎓', n: 1 })
  })
})

describe('Web Crypto and node:crypto backends', () => {
  it('give the same pseudonyms and hashes across tenants, purposes, fields and key versions', async () => {
    const keys = createMemoryKeyring({ keys: { v1: key(1), v2: key(2) }, primaryKeyId: 'v2' })
    const web = createPseudonymizer({ keyring: keys, backend: 'webcrypto' })
    const auto = createPseudonymizer({ keyring: keys, backend: 'auto' })
    for (const tenant of ['school-a', 'école']) {
      for (const purpose of ['analytics', 'tutoring']) {
        const c = { tenant, purpose }
        expect(await web.pseudonymise('EDU-STU-2026-00001', c)).toBe(
          await auto.pseudonymise('EDU-STU-2026-00001', c),
        )
        expect(await web.pseudonymiseWithKey('Zoë', c, 'v1')).toBe(
          await auto.pseudonymiseWithKey('Zoë', c, 'v1'),
        )
        for (const field of ['Student.student_email_id', 'Guardian.email_address']) {
          expect(await web.hash('ada@school.edu', { ...c, field })).toBe(
            await auto.hash('ada@school.edu', { ...c, field }),
          )
        }
      }
    }
  })

  it('give byte-identical ciphertexts for the same data key and IV', async () => {
    const dataKeys = new MemoryDataKeyStore()
    const mk = (backend: CryptoBackend) =>
      createFieldEncryptor({ keyring: keyringV1(), dataKeys, randomBytes: sevens, backend })
    const auto = mk('auto')
    const web = mk('webcrypto')
    for (const value of ['ada@school.edu', '', 'Zoë 学生 🎓', 42, null, true, { a: [1, 'ü'] }]) {
      const a = await auto.encrypt(value, unicodeBinding)
      expect(await web.encrypt(value, unicodeBinding)).toBe(a)
      expect(await web.decrypt(a, unicodeBinding)).toEqual(value)
    }
  })

  it.each(BACKENDS)(
    'leave the keyring’s own bytes intact (%s): only derived copies are wiped',
    async (backend) => {
      const material = key(9)
      const keyring: Keyring = {
        primaryKeyId: 'v1',
        getKey: async (id) => (id === 'v1' ? material : undefined),
        keyIds: async () => ['v1'],
      }
      const dataKeys = new MemoryDataKeyStore()
      const pz = createPseudonymizer({ keyring, backend })
      const first = await pz.pseudonymise('EDU-STU-2026-00001', ctx)
      const enc = createFieldEncryptor({ keyring, dataKeys, backend })
      const c = await enc.encrypt('ada@school.edu', unicodeBinding)
      expect(material).toEqual(key(9))
      // Fresh instances over the same keyring derive the same keys again.
      expect(await createPseudonymizer({ keyring, backend }).pseudonymise('EDU-STU-2026-00001', ctx)).toBe(
        first,
      )
      expect(await createFieldEncryptor({ keyring, dataKeys, backend }).decrypt(c, unicodeBinding)).toBe(
        'ada@school.edu',
      )
    },
  )

  it('concurrent first writes on the Web Crypto backend share one data key', async () => {
    const dataKeys = new MemoryDataKeyStore()
    const web = createFieldEncryptor({ keyring: keyringV1(), dataKeys, backend: 'webcrypto' })
    const out = await Promise.all(
      studentPiiFields.map((field) => web.encrypt(field, { ...unicodeBinding, field })),
    )
    expect(new Set(out.map((c) => c.split('.')[1]))).toEqual(new Set(['dk1']))
    expect(await dataKeys.list('école')).toHaveLength(1)
  })
})

/** The fields of `doc` holding ciphertexts, in the document's key order. */
const encryptedInDocOrder = (doc: Record<string, unknown>) =>
  Object.keys(doc).filter((f) => String(doc[f]).startsWith('enc1.'))

describe.each(BACKENDS)('whole-document encryption, backend %s', (backend) => {
  const binding = { tenant: 'school-a', doctype: 'Student' }
  const policy = atRestPolicy(classification)
  const setup = (randomBytes?: (n: number) => Uint8Array) => {
    const encryptor = createFieldEncryptor({
      keyring: keyringV1(),
      dataKeys: new MemoryDataKeyStore(),
      backend,
      ...(randomBytes === undefined ? {} : { randomBytes }),
    })
    return { encryptor, privacy: createPrivacyToolkit({ encryptor }) }
  }

  it('encrypts the fields concurrently yet in document order (same bytes as one field at a time)', async () => {
    const doc = student()
    const { privacy } = setup(counter())
    const sealed = await privacy.encryptFields(doc, policy, binding)
    // The same IV source, consumed one field at a time in document order: data key first, then IVs.
    const { encryptor } = setup(counter())
    const encrypted = encryptedInDocOrder(sealed)
    expect(encrypted).toEqual(expect.arrayContaining(studentPiiFields))
    const expected: Record<string, unknown> = { ...doc }
    for (const field of encrypted) {
      const value = doc[field as keyof typeof doc]
      expected[field] = await encryptor.encrypt(value, { ...binding, docname: doc.name, field })
    }
    expect(sealed).toEqual(expected)
    expect(await privacy.decryptFields(sealed, policy, binding)).toEqual(doc)
  })

  it('reports the first failing field in document order, whichever fails first', async () => {
    const { privacy } = setup()
    const sealed = await privacy.encryptFields(student(), policy, binding)
    const fields = encryptedInDocOrder(sealed)
    const [first, second] = [fields[0]!, fields[fields.length - 1]!]
    const swapped = {
      ...sealed,
      [first]: sealed[second as keyof typeof sealed],
      [second]: sealed[first as keyof typeof sealed],
    }
    await expect(privacy.decryptFields(swapped, policy, binding)).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'authentication',
      location: `Student.${first}`,
    })
  })
})

describe('applyPolicy runs keyed operations concurrently, with deterministic output', () => {
  const policy = definePolicy({
    name: 'mixed',
    purpose: 'analytics',
    ai: true,
    doctypes: {
      Student: {
        subjectField: 'name',
        fields: {
          name: 'pseudonymise',
          student_email_id: 'hash',
          first_name: 'encrypt',
          last_name: 'encrypt',
          gender: 'keep',
          date_of_birth: 'drop',
          guardians: { strategy: 'table', doctype: 'Student Guardian' },
        },
        otherFields: 'drop',
      },
      'Student Guardian': {
        fields: { guardian: 'pseudonymise', guardian_name: 'encrypt', relation: 'keep' },
        otherFields: 'drop',
      },
    },
  })
  const doc = {
    ...student(),
    guardians: [
      { guardian: 'EDU-GRD-1', guardian_name: 'Anne', relation: 'Mother' },
      { guardian: 'EDU-GRD-2', guardian_name: 'Zoë 🎓', relation: 'Father', idx: 2 },
    ],
  }
  const context = { tenant: 'school-a', doctype: 'Student', recipient: 'ai-tutor' }
  const make = (backend: CryptoBackend) => {
    const pseudonymizer = createPseudonymizer({ keyring: keyringV1(), backend })
    const encryptor = createFieldEncryptor({
      keyring: keyringV1(),
      dataKeys: new MemoryDataKeyStore(),
      randomBytes: counter(),
      backend,
    })
    return { pseudonymizer, encryptor, privacy: createPrivacyToolkit({ pseudonymizer, encryptor }) }
  }

  it.each(BACKENDS)('matches field-by-field processing in document order (%s)', async (backend) => {
    const { view, disclosed, removed } = await make(backend).privacy.applyPolicy(doc, policy, context)
    const { pseudonymizer: pz, encryptor: enc } = make(backend)
    const psn = (s: string) => pz.pseudonymise(s, { tenant: 'school-a', purpose: 'analytics' })
    const seal = (value: string, doctype: string, field: string) =>
      enc.encrypt(value, { tenant: 'school-a', doctype, docname: doc.name, field })
    // The reference: one await after another, in document order (data key first, then one IV per field).
    const expected = {
      name: await psn(doc.name),
      first_name: await seal(doc.first_name, 'Student', 'first_name'),
      last_name: await seal(doc.last_name, 'Student', 'last_name'),
      student_email_id: await pz.hash(doc.student_email_id, {
        tenant: 'school-a',
        purpose: 'analytics',
        field: 'Student.student_email_id',
      }),
      gender: 'Female',
      guardians: [] as Record<string, unknown>[],
    }
    for (const row of doc.guardians) {
      expected.guardians.push({
        guardian: await psn(row.guardian),
        guardian_name: await seal(row.guardian_name, 'Student Guardian', 'guardian_name'),
        relation: row.relation,
      })
    }
    expect(view).toEqual(expected)
    expect(Object.keys(view)).toEqual(Object.keys(doc).filter((f) => f in expected))
    expect(disclosed.map((d) => d.field)).toEqual([
      'name',
      'first_name',
      'last_name',
      'student_email_id',
      'gender',
      'guardians[].guardian',
      'guardians[].guardian_name',
      'guardians[].relation',
      'guardians[].guardian',
      'guardians[].guardian_name',
      'guardians[].relation',
    ])
    expect(removed.map((r) => r.field)).toContain('date_of_birth')
    expect(removed.map((r) => r.field)).toContain('guardians[].idx')
  })

  it('gives the same view on both backends', async () => {
    const a = await make('auto').privacy.applyPolicy(doc, policy, context)
    const w = await make('webcrypto').privacy.applyPolicy(doc, policy, context)
    expect(w).toEqual(a)
  })

  it('refuses a field before any operation starts, and leaves no started operation unhandled', async () => {
    // A keyring that lost its key: every encryption rejects (asynchronously).
    const lost: Keyring = { primaryKeyId: 'v1', getKey: async () => undefined, keyIds: async () => [] }
    const encryptor = createFieldEncryptor({ keyring: lost, dataKeys: new MemoryDataKeyStore() })
    const privacy = createPrivacyToolkit({ encryptor })
    // `name` needs a pseudonymizer the toolkit lacks: refused before any operation starts.
    await expect(privacy.applyPolicy(doc, policy, context)).rejects.toMatchObject({
      name: 'PolicyError',
      field: 'name',
    })
    // first_name's encryption starts (and will reject), then student_email_id is refused: the caller
    // sees the refusal, and the encryption's rejection is not left unhandled (vitest would fail the run).
    const later = definePolicy({
      name: 'later',
      purpose: 'analytics',
      ai: true,
      doctypes: {
        Student: { fields: { first_name: 'encrypt', student_email_id: 'hash' }, otherFields: 'drop' },
      },
    })
    await expect(privacy.applyPolicy(doc, later, context)).rejects.toMatchObject({
      name: 'PolicyError',
      field: 'student_email_id',
    })
    // Only asynchronous failures: the first in document order is reported.
    const both = definePolicy({
      name: 'both',
      purpose: 'analytics',
      ai: true,
      doctypes: { Student: { fields: { last_name: 'encrypt', first_name: 'encrypt' }, otherFields: 'drop' } },
    })
    await expect(privacy.applyPolicy(doc, both, context)).rejects.toMatchObject({ name: 'KeyNotFoundError' })
  })
})
