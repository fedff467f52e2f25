import { describe, expect, it } from 'vitest'
import {
  analyticsPolicy,
  atRestPolicy,
  createFieldEncryptor,
  createPrivacyToolkit,
  createPseudonymizer,
  defaultEducationPolicy,
  definePolicy,
  isConsentRefusedError,
  isPolicyError,
  MemoryConsentStore,
  MemoryDataKeyStore,
  MemoryDisclosureLedger,
  reportingPolicy,
  tutoringChatPolicy,
} from '../src/index.js'
import { classification, fixedClock, guardian, keyringV1, student, studentPiiFields } from './fixtures.js'

const ctx = { tenant: 'school-a', doctype: 'Student', recipient: 'ai-tutor' } as const
const SEED_PII = [
  'student_name',
  'first_name',
  'last_name',
  'student_email_id',
  'student_mobile_number',
  'address_line_1',
]

const setup = () => {
  const clock = fixedClock()
  const consent = new MemoryConsentStore()
  const ledger = new MemoryDisclosureLedger()
  const pseudonymizer = createPseudonymizer({ keyring: keyringV1() })
  const encryptor = createFieldEncryptor({ keyring: keyringV1(), dataKeys: new MemoryDataKeyStore() })
  let n = 0
  const privacy = createPrivacyToolkit({
    pseudonymizer,
    encryptor,
    consent,
    ledger,
    now: clock.now,
    newId: () => `dsc_${++n}`,
  })
  return { clock, consent, ledger, pseudonymizer, privacy }
}

const flags = (
  over: Partial<{ directoryOptOut: boolean; restricted: boolean; objectedPurposes: string[] }>,
) => ({
  directoryOptOut: false,
  restricted: false,
  objectedPurposes: [],
  legalHold: false,
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  ...over,
})

describe('definePolicy', () => {
  const valid = () => ({
    name: 'p',
    purpose: 'analytics',
    doctypes: { Student: { fields: { gender: 'keep' as const } } },
  })

  it('accepts a valid policy and freezes it', () => {
    const p = definePolicy(valid())
    expect(Object.isFrozen(p)).toBe(true)
    expect(p.doctypes['Student']?.otherFields).toEqual({ strategy: 'drop' })
  })

  it('rejects an unknown strategy', () => {
    const error = (() => {
      try {
        definePolicy({ ...valid(), doctypes: { Student: { fields: { gender: 'scramble' as never } } } })
      } catch (e) {
        return e
      }
    })()
    expect(isPolicyError(error)).toBe(true)
    expect(error).toMatchObject({ doctype: 'Student', field: 'gender' })
    expect(String(error)).toMatch(/unknown strategy "scramble"/)
  })

  it('rejects generalise without a target', () => {
    expect(() =>
      definePolicy({
        ...valid(),
        doctypes: { Student: { fields: { date_of_birth: 'generalise' as never } } },
      }),
    ).toThrow(/generalise needs a target/)
  })

  it('rejects a table rule naming an undefined doctype', () => {
    expect(() =>
      definePolicy({
        ...valid(),
        doctypes: { Student: { fields: { guardians: { strategy: 'table', doctype: 'Student Guardian' } } } },
      }),
    ).toThrow(/does not define/)
  })

  it('rejects a malformed purpose', () => {
    expect(() => definePolicy({ ...valid(), purpose: 'Analytics Purpose' })).toThrow(/purpose must match/)
  })

  it('rejects an unknown classification class', () => {
    expect(() => defaultEducationPolicy({ Student: { first_name: 'secret' as never } })).toThrow(/use one of/)
  })
})

describe('applyPolicy with the default education policies', () => {
  it('removes the PII fields of a student from the AI view (seed design case)', async () => {
    const { privacy } = setup()
    const { view, removed } = await privacy.applyPolicy(
      student(),
      defaultEducationPolicy(classification),
      ctx,
    )
    for (const f of SEED_PII) expect(view).not.toHaveProperty(f)
    const json = JSON.stringify(view)
    for (const v of ['Ada', 'Lovelace', 'ada.lovelace@school.edu', '7700 900123', '12 Analytical Row']) {
      expect(json).not.toContain(v)
    }
    expect(removed).toContainEqual({ field: 'student_email_id', reason: 'policy' })
    expect(removed).toContainEqual({ field: 'modified', reason: 'unlisted' })
  })

  it('pseudonymises the student id consistently with the pseudonymizer', async () => {
    const { privacy, pseudonymizer } = setup()
    const { view } = await privacy.applyPolicy(student(), defaultEducationPolicy(classification), ctx)
    expect(view.name).toBe(
      await pseudonymizer.pseudonymise('EDU-STU-2026-00001', { tenant: 'school-a', purpose: 'education' }),
    )
  })

  it('generalises the date of birth to the year and keeps education records', async () => {
    const { privacy } = setup()
    const { view } = await privacy.applyPolicy(student(), tutoringChatPolicy(classification), ctx)
    expect(view.date_of_birth).toBe('2011')
    expect(view.gender).toBe('Female')
    expect(view.city).toBe('London')
  })

  it('analytics reduces directory dates to the month', async () => {
    const { privacy } = setup()
    const { view } = await privacy.applyPolicy(student(), analyticsPolicy(classification), ctx)
    expect(view.joining_date).toBe('2024-09')
  })

  it('reporting masks e-mail, phone and names and reduces the address to the city', async () => {
    const { privacy } = setup()
    const { view } = await privacy.applyPolicy(student(), reportingPolicy(classification), ctx)
    expect(view.student_email_id).toBe('a•••@school.edu')
    expect(view.student_mobile_number).toBe('•••23')
    expect(view.first_name).toBe('A•••')
    expect(view.address_line_1).toBe('London')
    expect(view.pincode).toBe('SW1')
    expect(view).not.toHaveProperty('image')
  })

  it('pseudonyms differ per purpose, so views for two purposes cannot be joined', async () => {
    const { privacy } = setup()
    const a = await privacy.applyPolicy(student(), analyticsPolicy(classification), ctx)
    const b = await privacy.applyPolicy(student(), tutoringChatPolicy(classification), ctx)
    expect(a.view.name).not.toBe(b.view.name)
  })

  it('drops a child table that has no table rule', async () => {
    const { privacy } = setup()
    const doc = { ...student(), guardians: [{ guardian: 'EDU-GRD-1', guardian_name: 'Anne' }] }
    const policy = defaultEducationPolicy(classification, { overrides: { Student: { guardians: 'keep' } } })
    const { view, removed } = await privacy.applyPolicy(doc, policy, ctx)
    expect(view).not.toHaveProperty('guardians')
    expect(removed).toContainEqual({ field: 'guardians', reason: 'nested' })
  })

  it('filters child-table rows by the child doctype policy', async () => {
    const { privacy, pseudonymizer } = setup()
    const doc = {
      ...student(),
      guardians: [{ guardian: 'EDU-GRD-1', guardian_name: 'Anne', relation: 'Mother' }],
    }
    const policy = defaultEducationPolicy(classification, {
      childTables: { Student: { guardians: 'Student Guardian' } },
    })
    const { view, disclosed } = await privacy.applyPolicy(doc, policy, ctx)
    expect(view.guardians).toEqual([
      {
        guardian: await pseudonymizer.pseudonymise('EDU-GRD-1', { tenant: 'school-a', purpose: 'education' }),
        relation: 'Mother',
      },
    ])
    expect(disclosed).toContainEqual({ field: 'guardians[].relation', strategy: 'keep' })
  })

  it('filters a Guardian document', async () => {
    const { privacy } = setup()
    const { view } = await privacy.applyPolicy(guardian(), defaultEducationPolicy(classification), {
      ...ctx,
      doctype: 'Guardian',
      studentId: 'EDU-STU-2026-00001',
    })
    expect(Object.keys(view).sort()).toEqual(['name', 'occupation'])
  })

  it('refuses a doctype the policy does not name', async () => {
    const { privacy } = setup()
    await expect(
      privacy.applyPolicy({ name: 'C-1' }, defaultEducationPolicy(classification), {
        ...ctx,
        doctype: 'Course',
      }),
    ).rejects.toMatchObject({ name: 'PolicyError', doctype: 'Course' })
  })

  it('drops a value that cannot be generalised instead of passing it', async () => {
    const { privacy } = setup()
    const { view, removed } = await privacy.applyPolicy(
      { ...student(), date_of_birth: 'sometime in spring' },
      defaultEducationPolicy(classification),
      ctx,
    )
    expect(view).not.toHaveProperty('date_of_birth')
    expect(removed).toContainEqual({ field: 'date_of_birth', reason: 'untransformable' })
  })

  it('needs a pseudonymizer when the policy pseudonymises', async () => {
    const privacy = createPrivacyToolkit()
    await expect(privacy.applyPolicy(student(), defaultEducationPolicy(classification), ctx)).rejects.toThrow(
      /no pseudonymizer/,
    )
  })

  it('refuses to encrypt into the view without a document name to bind to', async () => {
    const { privacy } = setup()
    const policy = defaultEducationPolicy(classification, {
      overrides: { Student: { student_email_id: 'encrypt' } },
    })
    const { name: _, ...unnamed } = student()
    await expect(
      privacy.applyPolicy(unnamed, policy, { ...ctx, studentId: 'EDU-STU-2026-00001' }),
    ).rejects.toThrow(/binds it to the document name/)
  })

  it('encrypt in a policy leaves a ciphertext in the view', async () => {
    const { privacy } = setup()
    const policy = defaultEducationPolicy(classification, {
      overrides: { Student: { student_email_id: 'encrypt' } },
    })
    const { view } = await privacy.applyPolicy(student(), policy, ctx)
    expect(String(view.student_email_id)).toMatch(/^enc1\./)
  })
})

describe('consent and restriction', () => {
  it('withholds directory fields of an opted-out student', async () => {
    const { privacy, consent } = setup()
    await consent.set('school-a', 'EDU-STU-2026-00001', flags({ directoryOptOut: true }))
    const { view, removed } = await privacy.applyPolicy(student(), tutoringChatPolicy(classification), ctx)
    for (const f of ['city', 'joining_date', 'enabled', 'date_of_birth']) expect(view).not.toHaveProperty(f)
    expect(removed).toContainEqual({ field: 'city', reason: 'directory_opt_out' })
    expect(view.name).toMatch(/^psn_v1_/)
    expect(view.gender).toBe('Female')
  })

  it('refuses a restricted student for an AI purpose with a typed error', async () => {
    const { privacy, consent, ledger } = setup()
    await consent.set('school-a', 'EDU-STU-2026-00001', flags({ restricted: true }))
    const error = await privacy
      .applyPolicy(student(), tutoringChatPolicy(classification), ctx)
      .catch((e: unknown) => e)
    expect(isConsentRefusedError(error)).toBe(true)
    expect(error).toMatchObject({ reason: 'restricted', purpose: 'tutoring_chat' })
    expect(String(error)).not.toContain('EDU-STU-2026-00001')
    expect(await ledger.query({ tenant: 'school-a', studentId: 'EDU-STU-2026-00001' })).toEqual([])
  })

  it('lets a restricted record be encrypted for storage (not an AI purpose)', async () => {
    const { privacy, consent } = setup()
    await consent.set('school-a', 'EDU-STU-2026-00001', flags({ restricted: true }))
    const { view } = await privacy.applyPolicy(student(), atRestPolicy(classification), {
      ...ctx,
      recipient: 'store',
    })
    expect(String(view.student_email_id)).toMatch(/^enc1\./)
  })

  it('refuses a purpose the student objected to', async () => {
    const { privacy, consent } = setup()
    await consent.set('school-a', 'EDU-STU-2026-00001', flags({ objectedPurposes: ['analytics'] }))
    await expect(privacy.applyPolicy(student(), analyticsPolicy(classification), ctx)).rejects.toMatchObject({
      reason: 'objected',
    })
  })

  it('an objection to every purpose does not stop encryption for storage', async () => {
    const { privacy, consent } = setup()
    await consent.set('school-a', 'EDU-STU-2026-00001', flags({ objectedPurposes: ['*'] }))
    const { view } = await privacy.applyPolicy(student(), atRestPolicy(classification), {
      ...ctx,
      recipient: 'store',
    })
    expect(String(view.first_name)).toMatch(/^enc1\./)
  })

  it('allows other purposes when the student objected to one', async () => {
    const { privacy, consent } = setup()
    await consent.set('school-a', 'EDU-STU-2026-00001', flags({ objectedPurposes: ['analytics'] }))
    await expect(
      privacy.applyPolicy(student(), tutoringChatPolicy(classification), ctx),
    ).resolves.toBeDefined()
  })
})

describe('disclosure ledger', () => {
  it('records who, what, when, why and which fields, without values', async () => {
    const { privacy, ledger } = setup()
    const { disclosure } = await privacy.applyPolicy(student(), tutoringChatPolicy(classification), {
      ...ctx,
      actor: 'job:nightly-profile',
      legalBasis: 'legitimate educational interest',
    })
    const entries = await ledger.query({ tenant: 'school-a', studentId: 'EDU-STU-2026-00001' })
    expect(entries).toEqual([disclosure])
    expect(entries[0]).toMatchObject({
      id: 'dsc_1',
      doctype: 'Student',
      docname: 'EDU-STU-2026-00001',
      purpose: 'tutoring_chat',
      recipient: 'ai-tutor',
      actor: 'job:nightly-profile',
      at: new Date('2026-03-01T12:00:00.000Z'),
    })
    expect(entries[0]?.fields).toContainEqual({ field: 'date_of_birth', strategy: 'generalise' })
    expect(entries[0]?.withheld).toContain('student_email_id')
    expect(JSON.stringify(entries)).not.toContain('Lovelace')
  })

  it('queries by student and date range', async () => {
    const { privacy, ledger, clock } = setup()
    const policy = tutoringChatPolicy(classification)
    await privacy.applyPolicy(student(), policy, ctx)
    clock.advanceDays(10)
    await privacy.applyPolicy(student(), policy, ctx)
    clock.advanceDays(10)
    await privacy.applyPolicy({ ...student(), name: 'EDU-STU-2026-00002' }, policy, ctx)
    const q = { tenant: 'school-a', studentId: 'EDU-STU-2026-00001' }
    expect(await ledger.query(q)).toHaveLength(2)
    expect(await ledger.query({ ...q, from: new Date('2026-03-05T00:00:00Z') })).toHaveLength(1)
    expect(await ledger.query({ ...q, to: new Date('2026-03-05T00:00:00Z') })).toHaveLength(1)
    expect(await ledger.query({ ...q, studentId: 'EDU-STU-2026-00002' })).toHaveLength(1)
  })

  it('writes nothing when the document names no student', async () => {
    const { privacy, ledger } = setup()
    const { disclosure } = await privacy.applyPolicy(guardian(), defaultEducationPolicy(classification), {
      ...ctx,
      doctype: 'Guardian',
    })
    expect(disclosure).toBeUndefined()
    expect(await ledger.query({ tenant: 'school-a', studentId: 'EDU-GRD-2026-00001' })).toEqual([])
  })
})

describe('encryptFields / decryptFields', () => {
  const binding = { tenant: 'school-a', doctype: 'Student' }

  it('encrypts direct PII at rest and decrypts it back (seed design case)', async () => {
    const { privacy } = setup()
    const policy = atRestPolicy(classification)
    const doc = student()
    const sealed = await privacy.encryptFields(doc, policy, binding)
    for (const f of studentPiiFields) {
      expect(sealed[f as keyof typeof sealed]).not.toBe(doc[f as keyof typeof doc])
      expect(String(sealed[f as keyof typeof sealed])).toMatch(/^enc1\./)
    }
    expect(sealed.gender).toBe('Female')
    expect(await privacy.decryptFields(sealed, policy, binding)).toEqual(doc)
  })

  it('encrypts unlisted fields when otherFields is encrypt', async () => {
    const { privacy } = setup()
    const policy = definePolicy({
      name: 'vault',
      purpose: 'storage',
      ai: false,
      doctypes: { Student: { fields: { name: 'keep', gender: 'keep' }, otherFields: 'encrypt' } },
    })
    const sealed = await privacy.encryptFields(student(), policy, binding)
    expect(String(sealed.first_name)).toMatch(/^enc1\./)
    expect(sealed.gender).toBe('Female')
    expect(await privacy.decryptFields(sealed, policy, binding)).toEqual(student())
  })

  it('refuses to encrypt the document name it binds ciphertexts to', async () => {
    const { privacy } = setup()
    const policy = definePolicy({
      name: 'vault',
      purpose: 'storage',
      ai: false,
      doctypes: { Student: { fields: { gender: 'keep' }, otherFields: 'encrypt' } },
    })
    await expect(privacy.encryptFields(student(), policy, binding)).rejects.toMatchObject({
      name: 'PolicyError',
      field: 'name',
    })
  })

  it('refuses to return a plaintext value found in an encrypted field', async () => {
    const { privacy } = setup()
    const policy = atRestPolicy(classification)
    const sealed = await privacy.encryptFields(student(), policy, binding)
    await expect(
      privacy.decryptFields({ ...sealed, student_email_id: 'ada@school.edu' }, policy, binding),
    ).rejects.toMatchObject({
      name: 'DecryptionError',
      reason: 'format',
      location: 'Student.student_email_id',
    })
  })

  it('detects ciphertexts swapped between fields of one document', async () => {
    const { privacy } = setup()
    const policy = atRestPolicy(classification)
    const sealed = await privacy.encryptFields(student(), policy, binding)
    const swapped = { ...sealed, first_name: sealed.last_name, last_name: sealed.first_name }
    await expect(privacy.decryptFields(swapped, policy, binding)).rejects.toMatchObject({
      name: 'DecryptionError',
    })
  })
})
