/**
 * Pseudonyms and field encryptions per second for a Student document, as a ratio to bare node:crypto
 * HMAC-SHA256 and AES-256-GCM on the same bytes. Run from the package folder:
 *
 *   pnpm exec tsx bench/privacy.bench.ts
 *
 * The baseline and our call alternate in chunks of 500 operations, so both see the same machine load;
 * ratios (ours / bare) are what to compare across machines. `N=…` changes the operation count.
 */
import { createCipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto'
import {
  atRestPolicy,
  createFieldEncryptor,
  createMemoryKeyring,
  createPrivacyToolkit,
  createPseudonymizer,
  type FieldClassification,
  MemoryDataKeyStore,
} from '../src/index.js'

const classification: FieldClassification = {
  Student: {
    first_name: 'direct_pii',
    middle_name: 'direct_pii',
    last_name: 'direct_pii',
    student_name: 'direct_pii',
    student_email_id: 'direct_pii',
    student_mobile_number: 'direct_pii',
    date_of_birth: 'direct_pii',
    address_line_1: 'direct_pii',
    city: 'direct_pii',
    pincode: 'direct_pii',
    gender: 'education_record',
    joining_date: 'directory',
  },
}
const student = {
  name: 'EDU-STU-2026-00001',
  first_name: 'Ada',
  middle_name: 'Grace',
  last_name: 'Lovelace',
  student_name: 'Ada Grace Lovelace',
  student_email_id: 'ada.lovelace@school.edu',
  student_mobile_number: '+44 7700 900123',
  date_of_birth: '2011-04-09',
  address_line_1: '12 Analytical Row',
  city: 'London',
  pincode: 'SW1A 1AA',
  gender: 'Female',
  joining_date: '2024-09-02',
}
const piiFields = Object.entries(classification['Student']!)
  .filter(([, c]) => c === 'direct_pii')
  .map(([f]) => f)

const N = Number(process.env['N'] ?? 100_000)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  const keyBytes = new Uint8Array(randomBytes(32))
  const keyring = createMemoryKeyring({ keys: { v1: keyBytes } })
  const ctx = { tenant: 'school-a', purpose: 'analytics' }
  const pz = createPseudonymizer({ keyring })
  const pzWeb = createPseudonymizer({ keyring, backend: 'webcrypto' })
  const enc = createFieldEncryptor({ keyring, dataKeys: new MemoryDataKeyStore() })
  const encWeb = createFieldEncryptor({ keyring, dataKeys: new MemoryDataKeyStore(), backend: 'webcrypto' })
  const toolkit = createPrivacyToolkit({ encryptor: enc })
  const policy = atRestPolicy(classification)
  const binding = { tenant: 'school-a', doctype: 'Student', docname: student.name }
  // Warm key derivation and data-key creation.
  await pz.pseudonymise(student.name, ctx)
  await pzWeb.pseudonymise(student.name, ctx)
  await enc.encrypt('x', { ...binding, field: 'first_name' })
  await encWeb.encrypt('x', { ...binding, field: 'first_name' })
  await pz.prepare(ctx)
  await enc.prepare('school-a')
  const fieldBindings = piiFields.map((field) => ({ ...binding, field }))
  const fieldValues = piiFields.map((f) => student[f as keyof typeof student])

  const hmacKey = createSecretKey(keyBytes)
  const nameBytes = Buffer.from(student.name, 'utf8')
  const aesKey = createSecretKey(keyBytes)
  const fieldBytes = piiFields.map((f) =>
    Buffer.from(JSON.stringify(student[f as keyof typeof student]), 'utf8'),
  )
  const aad = Buffer.alloc(64, 1)
  const bareEncrypt = (bytes: Buffer) => {
    const c = createCipheriv('aes-256-gcm', aesKey, randomBytes(12))
    c.setAAD(aad)
    c.update(bytes)
    c.final()
    return c.getAuthTag()
  }

  /**
   * Interleave the baseline and the candidate in chunks of 1,000 ops so both see the same load on a
   * shared machine. Reported: median ops/s of each over the chunks, and the median of the per-chunk
   * ratios (robust to load bursts from other processes).
   */
  const lines: Record<string, { baseLabel: string; ours: number[]; bare: number[]; ratio: number[] }> = {}
  const compare = async (
    label: string,
    bare: () => unknown,
    ours: () => unknown,
    n: number,
    baseLabel: string,
  ) => {
    const chunk = 1000
    const bareRates: number[] = []
    const ourRates: number[] = []
    const ratios: number[] = []
    for (let done = 0; done < n; done += chunk) {
      let t0 = performance.now()
      for (let i = 0; i < chunk; i++) bare()
      const b = chunk / (performance.now() - t0)
      t0 = performance.now()
      for (let i = 0; i < chunk; i++) {
        const r = ours()
        if (r instanceof Promise) await r
      }
      const o = chunk / (performance.now() - t0)
      bareRates.push(b * 1000)
      ourRates.push(o * 1000)
      ratios.push(o / b)
    }
    const row = (lines[label] ??= { baseLabel, ours: [], bare: [], ratio: [] })
    row.ours.push(median(ourRates))
    row.bare.push(median(bareRates))
    row.ratio.push(median(ratios))
  }

  const hmac = () => createHmac('sha256', hmacKey).update(nameBytes).digest()
  let i = 0
  const bareField = () => bareEncrypt(fieldBytes[i++ % fieldBytes.length]!)
  let j = 0
  const nextField = () => j++ % piiFields.length
  const bareDoc = () => {
    for (const b of fieldBytes) bareEncrypt(b)
  }
  const D = Math.floor(N / piiFields.length)
  const REPEATS = Number(process.env['REPEATS'] ?? 3)

  for (let r = 0; r < REPEATS; r++) {
    await compare(
      'pseudonymise (node:crypto path)',
      hmac,
      () => pz.pseudonymise(student.name, ctx),
      N,
      'HMAC',
    )
    await compare(
      'pseudonymiseSync (node:crypto)',
      hmac,
      () => pz.pseudonymiseSync(student.name, ctx),
      N,
      'HMAC',
    )
    await compare(
      'pseudonymise (backend webcrypto)',
      hmac,
      () => pzWeb.pseudonymise(student.name, ctx),
      N / 4,
      'HMAC',
    )
    const field = (e: typeof enc) => () => {
      const x = nextField()
      return e.encrypt(fieldValues[x], fieldBindings[x]!)
    }
    await compare('encrypt one field (node:crypto path)', bareField, field(enc), N, 'AES-GCM')
    await compare(
      'encryptSync one field (node:crypto)',
      bareField,
      () => {
        const x = nextField()
        return enc.encryptSync(fieldValues[x], fieldBindings[x]!)
      },
      N,
      'AES-GCM',
    )
    await compare('encrypt one field (backend webcrypto)', bareField, field(encWeb), N / 4, 'AES-GCM')
    await compare(
      'encryptFields whole Student (docs/s)',
      bareDoc,
      () => toolkit.encryptFields(student, policy, binding),
      D,
      'AES-GCM',
    )
  }

  console.log(
    `node ${process.version}; ${N} ops per line, ${REPEATS} repeats (medians); ${piiFields.length} direct-PII fields per Student\n`,
  )
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10)
  for (const [label, row] of Object.entries(lines)) {
    console.log(
      `${label.padEnd(40)} ${fmt(median(row.ours))} ops/s   ${row.baseLabel.padEnd(7)} ${fmt(median(row.bare))} ops/s   ratio ${median(row.ratio).toFixed(2)}`,
    )
  }
}

await main()
