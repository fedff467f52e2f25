import { describe, expect, it } from 'vitest'
import {
  computeDueDate,
  createMemoryKeyring,
  createPrivacyToolkit,
  createPseudonymizer,
  createSubjectRequests,
  deadlineStatus,
  isReceiptError,
  isSubjectRequestError,
  MemoryConsentStore,
  MemoryDisclosureLedger,
  MemoryReidentificationStore,
  MemorySubjectDataSource,
  MemoryTombstoneStore,
  type SubjectDataSource,
  tutoringChatPolicy,
} from '../src/index.js'
import { classification, fixedClock, key, keyringV1, student } from './fixtures.js'

const T = 'school-a'
const ADA = 'EDU-STU-2026-00001'
const BOB = 'EDU-STU-2026-00002'

async function setup() {
  const clock = fixedClock('2026-03-10T09:00:00.000Z')
  const source = new MemorySubjectDataSource(
    {
      Student: { origin: 'mirror', subjectField: 'name' },
      ai_chat_interactions: { origin: 'derived', subjectField: 'student', derivedFrom: [] },
      ai_insights: { origin: 'derived', subjectField: 'student', derivedFrom: ['Student'] },
    },
    { now: clock.now },
  )
  source.add(T, 'Student', ADA, student())
  source.add(T, 'Student', BOB, { ...student(), name: BOB, first_name: 'Bob' })
  source.add(T, 'ai_chat_interactions', 'chat-1', {
    student: ADA,
    message: `hello from ${ADA}`,
    reply: 'Hi!',
    email: 'ada@school.edu',
  })
  source.add(T, 'ai_chat_interactions', 'chat-2', {
    student: ADA,
    message: '=1+1',
    reply: 'a "quoted", reply',
  })
  source.add(T, 'ai_insights', 'ins-1', { student: ADA, insight: 'strong in algebra' })
  source.add(T, 'ai_insights', 'ins-9', { student: BOB, insight: 'likes geometry' })
  const tombstones = new MemoryTombstoneStore()
  const reidentification = new MemoryReidentificationStore()
  const consent = new MemoryConsentStore()
  const ledger = new MemoryDisclosureLedger()
  const pseudonymizer = createPseudonymizer({ keyring: keyringV1(), store: reidentification })
  const privacy = createPrivacyToolkit({ pseudonymizer, ledger, consent, now: clock.now })
  await privacy.applyPolicy(student(), tutoringChatPolicy(classification), {
    tenant: T,
    doctype: 'Student',
    recipient: 'ai-tutor',
  })
  const receiptKeyring = createMemoryKeyring({ keys: { r1: key(7) } })
  let n = 0
  const dsr = createSubjectRequests({
    source,
    tombstones,
    reidentification,
    consent,
    ledger,
    receiptKeyring,
    now: clock.now,
    newId: () => `dsr_${++n}`,
  })
  return { clock, source, tombstones, reidentification, consent, ledger, dsr, receiptKeyring }
}

const hold = {
  directoryOptOut: false,
  restricted: false,
  objectedPurposes: [],
  legalHold: true,
  updatedAt: new Date(0),
}

describe('deadlines', () => {
  it('FERPA allows 45 days', () => {
    expect(computeDueDate('ferpa', new Date('2026-03-10T09:00:00Z')).toISOString()).toBe(
      '2026-04-24T09:00:00.000Z',
    )
  })

  it('GDPR allows one month, clamped to the end of a shorter month', () => {
    expect(computeDueDate('gdpr', new Date('2026-03-10T09:00:00Z')).toISOString()).toBe(
      '2026-04-10T09:00:00.000Z',
    )
    expect(computeDueDate('gdpr', new Date('2026-01-31T09:00:00Z')).toISOString()).toBe(
      '2026-02-28T09:00:00.000Z',
    )
  })

  it('tracks days left and overdue requests', async () => {
    const { dsr, clock } = await setup()
    const request = dsr.open({ type: 'access', regime: 'gdpr', tenant: T, subjectId: ADA })
    expect(deadlineStatus(request, clock.now())).toMatchObject({ daysLeft: 31, overdue: false })
    clock.advanceDays(40)
    expect(deadlineStatus(request, clock.now()).overdue).toBe(true)
  })
})

describe('access and portability', () => {
  it('access reports every kind held, the record of disclosures and the pseudonyms', async () => {
    const { dsr } = await setup()
    const report = await dsr.access(dsr.open({ type: 'access', regime: 'ferpa', tenant: T, subjectId: ADA }))
    expect(report.kinds.map((k) => [k.kind, k.records.length])).toEqual([
      ['Student', 1],
      ['ai_chat_interactions', 2],
      ['ai_insights', 1],
    ])
    expect(report.disclosures).toHaveLength(1)
    expect(report.disclosures[0]?.recipient).toBe('ai-tutor')
    expect(report.pseudonyms[0]?.pseudonym).toMatch(/^psn_v1_/)
    expect(report.consent).toBeUndefined()
    expect(JSON.stringify(report)).not.toContain('likes geometry')
  })

  it('portability exports JSON, one CSV per kind and a manifest with checksums', async () => {
    const { dsr } = await setup()
    const request = dsr.open({ type: 'portability', regime: 'gdpr', tenant: T, subjectId: ADA })
    const { files, manifest } = await dsr.portability(request)
    expect(files.map((f) => f.path)).toEqual([
      'data.json',
      'csv/Student.csv',
      'csv/ai_chat_interactions.csv',
      'csv/ai_insights.csv',
      'manifest.json',
    ])
    const data = JSON.parse(files[0]!.content)
    expect(data.kinds.Student.records[0].first_name).toBe('Ada')
    expect(manifest.kinds).toContainEqual({
      kind: 'ai_insights',
      origin: 'derived',
      count: 1,
      csv: 'csv/ai_insights.csv',
    })
    for (const listed of manifest.files) {
      const file = files.find((f) => f.path === listed.path)!
      const digest = new Uint8Array(
        await crypto.subtle.digest('SHA-256', new TextEncoder().encode(file.content)),
      )
      expect(listed.sha256).toBe([...digest].map((b) => b.toString(16).padStart(2, '0')).join(''))
    }
    expect(JSON.parse(files[4]!.content)).toEqual(manifest)
  })

  it('CSV quotes separators and neutralises spreadsheet formulas', async () => {
    const { dsr } = await setup()
    const { files } = await dsr.portability(
      dsr.open({ type: 'portability', regime: 'gdpr', tenant: T, subjectId: ADA }),
    )
    const csv = files.find((f) => f.path === 'csv/ai_chat_interactions.csv')!.content
    expect(csv.split('\r\n')[0]).toBe('id,email,message,reply,student')
    expect(csv).toContain(`chat-2,,'=1+1,"a ""quoted"", reply",${ADA}`)
  })
})

describe('rectification', () => {
  it('applies corrections and returns what to re-sync and re-derive', async () => {
    const { dsr, source } = await setup()
    const request = dsr.open({ type: 'rectification', regime: 'ferpa', tenant: T, subjectId: ADA })
    const result = await dsr.rectification(request, [
      { kind: 'Student', recordId: ADA, changes: { last_name: 'King', student_name: 'Ada King' } },
      { kind: 'Student', recordId: 'EDU-STU-404', changes: { last_name: 'X' } },
    ])
    expect(source.get(T, 'Student', ADA)?.['last_name']).toBe('King')
    expect(result.applied).toEqual([
      { kind: 'Student', recordId: ADA, fields: ['last_name', 'student_name'] },
    ])
    expect(result.notFound).toEqual([{ kind: 'Student', recordId: 'EDU-STU-404' }])
    expect(result.resync).toEqual([{ kind: 'Student', recordId: ADA }])
    expect(result.rederive).toEqual(['ai_insights'])
  })

  it('cannot rectify another student’s record through a request', async () => {
    const { dsr, source } = await setup()
    const request = dsr.open({ type: 'rectification', regime: 'ferpa', tenant: T, subjectId: ADA })
    const result = await dsr.rectification(request, [
      { kind: 'ai_insights', recordId: 'ins-9', changes: { insight: 'x' } },
    ])
    expect(result.notFound).toHaveLength(1)
    expect(source.get(T, 'ai_insights', 'ins-9')?.['insight']).toBe('likes geometry')
  })

  it('refuses a request of another type', async () => {
    const { dsr } = await setup()
    const request = dsr.open({ type: 'access', regime: 'ferpa', tenant: T, subjectId: ADA })
    const error = await dsr
      .rectification(request, [{ kind: 'Student', recordId: ADA, changes: {} }])
      .catch((e: unknown) => e)
    expect(isSubjectRequestError(error)).toBe(true)
  })
})

describe('erasure', () => {
  it('deletes the data, leaves tombstones, drops pseudonym mappings and signs a receipt', async () => {
    const { dsr, source, tombstones, reidentification } = await setup()
    const request = dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA })
    const receipt = await dsr.erasure(request)
    expect(await source.listKinds(T, ADA)).toEqual([])
    expect(await source.listKinds(T, BOB)).toHaveLength(2)
    expect(receipt).toMatchObject({
      requestId: 'dsr_1',
      mode: 'delete',
      onTime: true,
      held: [],
      pseudonymMappingsDeleted: 1,
      tombstones: 4,
      keyId: 'r1',
    })
    expect(receipt.erased).toEqual([
      { kind: 'Student', count: 1 },
      { kind: 'ai_chat_interactions', count: 2 },
      { kind: 'ai_insights', count: 1 },
    ])
    expect(await tombstones.isErased(T, ADA, 'ai_insights')).toBe(true)
    expect(await tombstones.isErased(T, ADA, 'anything-new')).toBe(true)
    expect(await tombstones.isErased(T, BOB, 'ai_insights')).toBe(false)
    expect(await reidentification.listBySubject(T, ADA)).toEqual([])
    await expect(dsr.verifyReceipt(receipt)).resolves.toBe(true)
    expect(JSON.stringify(receipt)).not.toContain('Lovelace')
  })

  it('a receipt still verifies after a JSON round trip (stored, then re-read)', async () => {
    const { dsr } = await setup()
    const receipt = await dsr.erasure(
      dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA }),
    )
    await expect(dsr.verifyReceipt(JSON.parse(JSON.stringify(receipt)))).resolves.toBe(true)
  })

  it('detects an altered receipt', async () => {
    const { dsr } = await setup()
    const receipt = await dsr.erasure(
      dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA }),
    )
    const error = await dsr
      .verifyReceipt({ ...receipt, held: [{ kind: 'Student', count: 1 }] })
      .catch((e: unknown) => e)
    expect(isReceiptError(error)).toBe(true)
  })

  it('detects a receipt signed with another key', async () => {
    const { dsr, source, tombstones } = await setup()
    const receipt = await dsr.erasure(
      dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA }),
    )
    const other = createSubjectRequests({
      source,
      tombstones,
      receiptKeyring: createMemoryKeyring({ keys: { r1: key(8) } }),
    })
    await expect(other.verifyReceipt(receipt)).rejects.toMatchObject({ name: 'ReceiptError' })
  })

  it('access reports the consent flags that are set', async () => {
    const { dsr, consent } = await setup()
    await consent.set(T, ADA, hold)
    const report = await dsr.access(dsr.open({ type: 'access', regime: 'gdpr', tenant: T, subjectId: ADA }))
    expect(report.consent?.legalHold).toBe(true)
  })

  it('a student-wide legal hold keeps everything and leaves no tombstone', async () => {
    const { dsr, source, consent, tombstones, reidentification } = await setup()
    await consent.set(T, ADA, hold)
    const receipt = await dsr.erasure(
      dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA }),
    )
    expect(receipt.erased).toEqual([])
    expect(receipt.held).toHaveLength(3)
    expect(await source.listKinds(T, ADA)).toHaveLength(3)
    expect(await tombstones.list(T, ADA)).toEqual([])
    expect(await reidentification.listBySubject(T, ADA)).toHaveLength(1)
  })

  it('a record-level legal hold keeps that record and erases the rest', async () => {
    const { dsr, source, tombstones } = await setup()
    source.add(
      T,
      'ai_chat_interactions',
      'chat-1',
      { student: ADA, message: 'evidence' },
      { legalHold: true },
    )
    const receipt = await dsr.erasure(
      dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA }),
    )
    expect(receipt.held).toEqual([{ kind: 'ai_chat_interactions', count: 1 }])
    expect(source.get(T, 'ai_chat_interactions', 'chat-1')).toBeDefined()
    expect(source.get(T, 'ai_chat_interactions', 'chat-2')).toBeUndefined()
    expect(await tombstones.isErased(T, ADA, 'ai_chat_interactions')).toBe(false)
    expect(await tombstones.isErased(T, ADA, 'ai_insights')).toBe(true)
  })

  it('pseudonymise mode replaces the subject id with an unlinkable token and removes PII fields', async () => {
    const { dsr, source } = await setup()
    const receipt = await dsr.erasure(
      dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA }),
      {
        mode: 'pseudonymise',
        scope: 'derived',
        piiFields: { ai_chat_interactions: ['email'] },
      },
    )
    expect(receipt.mode).toBe('pseudonymise')
    const chat = source.get(T, 'ai_chat_interactions', 'chat-1')!
    expect(chat['student']).toMatch(/^anon_[a-z2-7]{26}$/)
    expect(chat['message']).toBe(`hello from ${chat['student']}`)
    expect(chat).not.toHaveProperty('email')
    expect(source.get(T, 'Student', ADA)).toBeDefined()
  })

  it('needs a receipt keyring', async () => {
    const { source, tombstones } = await setup()
    const dsr = createSubjectRequests({ source, tombstones })
    const request = dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA })
    await expect(dsr.erasure(request)).rejects.toThrow(/receiptKeyring/)
  })

  it('wraps a failing data source in SubjectRequestError', async () => {
    const { source, tombstones } = await setup()
    const failing: SubjectDataSource = {
      listKinds: (t, s) => source.listKinds(t, s),
      read: (t, s, k) => source.read(t, s, k),
      rectify: (t, s, k, r, c) => source.rectify(t, s, k, r, c),
      erase: async () => {
        throw new Error('disk full')
      },
    }
    const dsr = createSubjectRequests({ source: failing, tombstones, receiptKeyring: keyringV1() })
    const error = await dsr
      .erasure(dsr.open({ type: 'erasure', regime: 'gdpr', tenant: T, subjectId: ADA }))
      .catch((e: unknown) => e)
    expect(isSubjectRequestError(error)).toBe(true)
    expect(((error as Error).cause as Error).message).toBe('disk full')
  })
})
