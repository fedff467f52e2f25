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
const lenient = createClient({ url: base, auth: { type: 'token', apiKey, apiSecret } })
const off = createClient({ url: base, auth: { type: 'token', apiKey, apiSecret }, validate: 'off' })
const names = (await off.doc('Student').list({ fields: ['name'], limit: 50 })).map((r) => r.name)

const raw = async (name: string) => {
  const response = await fetch(`${base}/api/resource/Student/${encodeURIComponent(name)}`, {
    headers: { Authorization: auth, Accept: 'application/json' },
  })
  if (!response.ok) throw new Error(String(response.status))
  return ((await response.json()) as { data: unknown }).data
}

type Variant = [label: string, run: (name: string) => Promise<unknown>]
const variants: Variant[] = [
  ['raw fetch', raw],
  ['client (validate: off)', (n) => off.doc('Student').get(n)],
  ['client (default: lenient zod)', (n) => lenient.doc('Student').get(n)],
]
const totals = new Map<string, number>(variants.map(([l]) => [l, 0]))
// warm-up
for (const [, run] of variants) for (let i = 0; i < 100; i++) await run(names[i % names.length]!)
for (let round = 0; round < ROUNDS; round++) {
  // Interleave the variants in every round so machine noise hits all of them alike.
  for (const [label, run] of variants) {
    const start = performance.now()
    for (let i = 0; i < PER_ROUND; i++) await run(names[i % names.length]!)
    totals.set(label, (totals.get(label) ?? 0) + performance.now() - start)
  }
}
const n = ROUNDS * PER_ROUND
const rawMs = (totals.get('raw fetch') ?? 0) / n
console.log(
  `GET /api/resource/Student/{name}, ${n} sequential requests per variant, ${ROUNDS} interleaved rounds`,
)
for (const [label] of variants) {
  const per = (totals.get(label) ?? 0) / n
  console.log(
    `${label.padEnd(32)} ${(per * 1000).toFixed(0).padStart(6)} µs/request   ${(per / rawMs).toFixed(3)}×`,
  )
}
await erp.close()
