/**
 * Pseudonyms and field encryptions per second for a Student document, as a ratio to bare node:crypto
 * HMAC-SHA256 and AES-256-GCM on the same bytes, and for the Web Crypto backend also as a ratio to bare
 * Web Crypto (`crypto.subtle.sign` / `encrypt`, keys imported once): the fair floor on an edge runtime,
 * where node:crypto does not exist. Run from the package folder:
 *
 *   N=50000 pnpm exec tsx bench/privacy.bench.ts
 *
 * Baselines and our call alternate in chunks of up to 1,000 operations (at least 20 chunks per line, the
 * order rotating from chunk to chunk), so all see the same machine load;
 * ratios (ours / bare) are what to compare across machines. `N=…` changes the operation count,
 * `REPEATS=…` the number of rounds, `ONLY=webcrypto` runs only the Web Crypto backend lines.
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
  const toolkitWeb = createPrivacyToolkit({ encryptor: encWeb })
  const policy = atRestPolicy(classification)
  const binding = { tenant: 'school-a', doctype: 'Student', docname: student.name }
  // Warm key derivation and data-key creation.
  await pz.pseudonymise(student.name, ctx)
  await pzWeb.pseudonymise(student.name, ctx)
  await enc.encrypt('x', { ...binding, field: 'first_name' })
  await encWeb.encrypt('x', { ...binding, field: 'first_name' })
  await pz.prepare(ctx)
  await enc.prepare('school-a')
  await toolkitWeb.encryptFields(student, policy, binding)
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

  // The Web Crypto floor: the same bytes through `crypto.subtle`, keys imported once (non-extractable),
  // one promise per operation. This is the best an edge runtime can do, so it is the fair floor there.
  const subtle = globalThis.crypto.subtle
  const webHmacKey = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  const webAesKey = await subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt'])
  const webEncrypt = (bytes: Uint8Array) =>
    subtle.encrypt(
      { name: 'AES-GCM', iv: globalThis.crypto.getRandomValues(new Uint8Array(12)), additionalData: aad },
      webAesKey,
      bytes as Uint8Array<ArrayBuffer>,
    )

  interface Baseline {
    readonly label: string
    readonly run: () => unknown
  }
  interface Row {
    ours: number[]
    bases: { label: string; rate: number[]; ratio: number[] }[]
  }
  /**
   * Interleave the baselines and the candidate in chunks of up to 1,000 ops so all see the same load on a
   * shared machine; async operations are awaited one after another, as a caller would. Reported: median
   * ops/s of each over the chunks, and the median of the per-chunk ratios (robust to load bursts from
   * other processes).
   */
  const lines: Record<string, Row> = {}
  const timeChunk = async (fn: () => unknown, chunk: number) => {
    const t0 = performance.now()
    for (let i = 0; i < chunk; i++) {
      const r = fn()
      if (r instanceof Promise) await r
    }
    return (chunk / (performance.now() - t0)) * 1000
  }
  const compare = async (label: string, ours: () => unknown, n: number, baselines: readonly Baseline[]) => {
    // At least 20 chunks per line, so the medians are over enough samples.
    const chunk = Math.max(50, Math.min(1000, Math.floor(n / 20)))
    const ourRates: number[] = []
    const baseRates = baselines.map(() => [] as number[])
    const ratios = baselines.map(() => [] as number[])
    const runs = [...baselines.map((base) => base.run), ours]
    for (let done = 0, c = 0; done < n; done += chunk, c++) {
      // Rotate which one goes first, so no candidate always runs right after the same neighbour.
      const rates = new Array<number>(runs.length)
      for (let k = 0; k < runs.length; k++) {
        const at = (k + c) % runs.length
        rates[at] = await timeChunk(runs[at]!, chunk)
      }
      const o = rates[runs.length - 1]!
      const b = rates.slice(0, -1)
      ourRates.push(o)
      b.forEach((rate, k) => {
        baseRates[k]!.push(rate)
        ratios[k]!.push(o / rate)
      })
    }
    const row = (lines[label] ??= {
      ours: [],
      bases: baselines.map((base) => ({ label: base.label, rate: [], ratio: [] })),
    })
    row.ours.push(median(ourRates))
    row.bases.forEach((base, k) => {
      base.rate.push(median(baseRates[k]!))
      base.ratio.push(median(ratios[k]!))
    })
  }

  const hmac: Baseline = {
    label: 'node HMAC',
    run: () => createHmac('sha256', hmacKey).update(nameBytes).digest(),
  }
  const webHmac: Baseline = { label: 'subtle HMAC', run: () => subtle.sign('HMAC', webHmacKey, nameBytes) }
  let i = 0
  const bareField: Baseline = {
    label: 'node AES-GCM',
    run: () => bareEncrypt(fieldBytes[i++ % fieldBytes.length]!),
  }
  let w = 0
  const webField: Baseline = {
    label: 'subtle AES-GCM',
    run: () => webEncrypt(fieldBytes[w++ % fieldBytes.length]!),
  }
  const bareDoc: Baseline = {
    label: 'node AES-GCM ×10',
    run: () => {
      for (const b of fieldBytes) bareEncrypt(b)
    },
  }
  // The best a caller can do with Web Crypto for ten independent fields: all ten in flight at once.
  const webDoc: Baseline = {
    label: 'subtle AES-GCM ×10',
    run: () => Promise.all(fieldBytes.map(webEncrypt)),
  }
  let j = 0
  const nextField = () => j++ % piiFields.length
  const D = Math.floor(N / piiFields.length)
  const REPEATS = Number(process.env['REPEATS'] ?? 3)
  const ONLY = process.env['ONLY']

  for (let r = 0; r < REPEATS; r++) {
    const field = (e: typeof enc) => () => {
      const x = nextField()
      return e.encrypt(fieldValues[x], fieldBindings[x]!)
    }
    if (ONLY !== 'webcrypto') {
      await compare('pseudonymise (node:crypto path)', () => pz.pseudonymise(student.name, ctx), N, [hmac])
      await compare('pseudonymiseSync (node:crypto)', () => pz.pseudonymiseSync(student.name, ctx), N, [hmac])
      await compare('encrypt one field (node:crypto path)', field(enc), N, [bareField])
      await compare(
        'encryptSync one field (node:crypto)',
        () => {
          const x = nextField()
          return enc.encryptSync(fieldValues[x], fieldBindings[x]!)
        },
        N,
        [bareField],
      )
      await compare(
        'encryptFields whole Student (docs/s)',
        () => toolkit.encryptFields(student, policy, binding),
        D,
        [bareDoc],
      )
    }
    await compare('pseudonymise (backend webcrypto)', () => pzWeb.pseudonymise(student.name, ctx), N / 4, [
      hmac,
      webHmac,
    ])
    await compare('encrypt one field (backend webcrypto)', field(encWeb), N / 4, [bareField, webField])
    await compare(
      'encryptFields Student (webcrypto, docs/s)',
      () => toolkitWeb.encryptFields(student, policy, binding),
      D / 2,
      [bareDoc, webDoc],
    )
  }

  console.log(
    `node ${process.version}; ${N} ops per line, ${REPEATS} repeats (medians); ${piiFields.length} direct-PII fields per Student\n`,
  )
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10)
  for (const [label, row] of Object.entries(lines)) {
    const bases = row.bases.map(
      (b) => `${b.label.padEnd(18)} ${fmt(median(b.rate))} ops/s  ratio ${median(b.ratio).toFixed(2)}`,
    )
    console.log(`${label.padEnd(42)} ${fmt(median(row.ours))} ops/s   vs ${bases.join('   vs ')}`)
  }
}

await main()
