/**
 * Overhead per request of the client vs raw fetch on the same emulator route, over loopback.
 * Run from the package folder: pnpm exec tsx bench/overhead.ts
 */
import { startEmulator } from '@edusync/erpnext-emulator'
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

const headers = { Authorization: auth, Accept: 'application/json' }
const studentUrl = (name: string) => `${base}/api/resource/Student/${encodeURIComponent(name)}`
const readData = async (response: Response) => {
  if (!response.ok) throw new Error(String(response.status))
  return ((await response.json()) as { data: unknown }).data
}
// The floor for any client with a per-attempt timeout: raw fetch plus an AbortController whose signal
// goes to fetch and a timer that would abort it (what the client's transport adds for `timeout`).
const withTimeout = async (run: (signal: AbortSignal) => Promise<unknown>) => {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 30_000)
  try {
    return await run(controller.signal)
  } finally {
    clearTimeout(timer)
  }
}
const viaTimeout = (name: string) =>
  withTimeout(async (signal) => readData(await fetch(studentUrl(name), { headers, signal })))
// The client's own layer with retries, the limiter and the timeout turned off.
const bare = createClient({
  url: base,
  auth: { type: 'token', apiKey, apiSecret },
  retry: false,
  rateLimit: false,
  timeout: false,
})

type Variant = [label: string, run: (name: string) => Promise<unknown>]
const variants: Variant[] = [
  ['raw fetch', raw],
  ['raw fetch + 30 s timeout', viaTimeout],
  ['client (defaults)', (n) => client.doc('Student').get(n)],
  ['client (no retry/limit/timeout)', (n) => bare.doc('Student').get(n)],
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

// Part 2: the same layers with an in-memory fetch (no socket, no server): the JavaScript cost per call
// alone, which is what the loopback ratios above are made of.
const canned = async () =>
  new Response('{"data":{"doctype":"Student","name":"S"}}', {
    headers: { 'content-type': 'application/json' },
  })
const memOptions = {
  url: 'http://127.0.0.1:9',
  auth: { type: 'token', apiKey, apiSecret },
  fetch: canned,
} as const
const memClient = createClient(memOptions)
const memBare = createClient({ ...memOptions, retry: false, rateLimit: false, timeout: false })
const memVariants: Variant[] = [
  ['fetch stand-in alone', async () => readData(await canned())],
  ['+ 30 s timeout', () => withTimeout(async () => readData(await canned()))],
  ['client (defaults)', () => memClient.doc('Student').get('S')],
  ['client (no retry/limit/timeout)', () => memBare.doc('Student').get('S')],
]
const MEM_N = Number(process.env.MEM_N ?? 20_000)
const memSamples = new Map<string, number[]>(memVariants.map(([l]) => [l, []]))
for (let round = 0; round < 5; round++) {
  for (const [label, run] of memVariants) {
    for (let i = 0; i < 500; i++) await run('S')
    const start = performance.now()
    for (let i = 0; i < MEM_N / 5; i++) await run('S')
    memSamples.get(label)!.push(((performance.now() - start) * 1000) / (MEM_N / 5))
  }
}
console.log(`\nIn-memory fetch (JavaScript cost only), ${MEM_N} calls per variant in 5 interleaved blocks`)
console.log(`${'variant'.padEnd(30)} ${'µs/call (median block)'.padStart(24)}`)
for (const [label] of memVariants) {
  console.log(`${label.padEnd(30)} ${median(memSamples.get(label)!).toFixed(1).padStart(24)}`)
}
