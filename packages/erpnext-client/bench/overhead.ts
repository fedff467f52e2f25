/**
 * Overhead per request of the client vs raw fetch on the same emulator route, over loopback.
 * Run from the package folder: pnpm exec tsx bench/overhead.ts
 */
import { startEmulator } from '@edusync/erpnext-emulator'
import ky from 'ky'
import { createClient } from '../src/index.js'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const PER_ROUND = Number(process.env.PER_ROUND ?? 400)

const erp = await startEmulator({ seed: 'school-small' })
const { apiKey, apiSecret } = erp.credentials.admin
const auth = `token ${apiKey}:${apiSecret}`
const base = erp.url
const client = createClient({ url: base, auth: { type: 'token', apiKey, apiSecret } })
const lenient = createClient({ url: base, auth: { type: 'token', apiKey, apiSecret }, validate: 'lenient' })
const names = (await client.doc('Student').list({ fields: ['name'], limit: 50 })).map((r) => r.name)

const raw = async (name: string) => {
  const response = await fetch(`${base}/api/resource/Student/${encodeURIComponent(name)}`, {
    headers: { Authorization: auth, Accept: 'application/json' },
  })
  if (!response.ok) throw new Error(String(response.status))
  return ((await response.json()) as { data: unknown }).data
}

// ky on its own (the HTTP layer the client is built on), to separate its cost from the client's.
const plainKy = ky.create({ retry: 0, throwHttpErrors: false })
const viaKy = async (name: string) => {
  const response = await plainKy(`${base}/api/resource/Student/${encodeURIComponent(name)}`, {
    headers: { Authorization: auth, Accept: 'application/json' },
  })
  if (!response.ok) throw new Error(String(response.status))
  return ((await response.json()) as { data: unknown }).data
}

type Variant = [label: string, run: (name: string) => Promise<unknown>]
const variants: Variant[] = [
  ['raw fetch', raw],
  ['ky alone', viaKy],
  ['client (defaults)', (n) => client.doc('Student').get(n)],
  ["client (validate: 'lenient')", (n) => lenient.doc('Student').get(n)],
]
const samples = new Map<string, number[]>(variants.map(([l]) => [l, []]))
// warm-up
for (const [, run] of variants) for (let i = 0; i < 200; i++) await run(names[i % names.length]!)
const n = ROUNDS * PER_ROUND
for (let i = 0; i < n; i++) {
  // Interleave request by request, rotating the order, so machine noise hits every variant alike.
  for (let v = 0; v < variants.length; v++) {
    const [label, run] = variants[(i + v) % variants.length]!
    const start = performance.now()
    await run(names[i % names.length]!)
    samples.get(label)!.push(performance.now() - start)
  }
}
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const rawMedian = median(samples.get('raw fetch')!)
const rawMean = mean(samples.get('raw fetch')!)
console.log(`GET /api/resource/Student/{name} on loopback, ${n} requests per variant, interleaved one by one`)
console.log(
  `${'variant'.padEnd(30)} ${'median'.padStart(9)} ${'ratio'.padStart(7)} ${'mean'.padStart(9)} ${'ratio'.padStart(7)}`,
)
for (const [label] of variants) {
  const xs = samples.get(label)!
  const med = median(xs)
  const avg = mean(xs)
  console.log(
    `${label.padEnd(30)} ${`${(med * 1000).toFixed(0)} µs`.padStart(9)} ${`${(med / rawMedian).toFixed(3)}×`.padStart(7)} ${`${(avg * 1000).toFixed(0)} µs`.padStart(9)} ${`${(avg / rawMean).toFixed(3)}×`.padStart(7)}`,
  )
}
await erp.close()
