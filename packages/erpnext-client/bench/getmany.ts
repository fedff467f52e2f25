/**
 * getMany of 1,000 Students with their guardians vs one GET per document, against the emulator.
 * Run from the package folder: pnpm exec tsx bench/getmany.ts
 */
import { startEmulator } from '@edusync/erpnext-emulator'
import { createClient } from '../src/index.js'

const COUNT = Number(process.env.COUNT ?? 1000)
const erp = await startEmulator({ seed: 'school-medium' })
const { apiKey, apiSecret } = erp.credentials.admin
const client = createClient({ url: erp.url, auth: { type: 'token', apiKey, apiSecret }, validate: 'off' })
const names = (await client.doc('Student').list({ fields: ['name'], limit: COUNT })).map((r) => r.name)
if (names.length < COUNT) throw new Error(`seed has only ${names.length} students`)
const inspect = erp.emulator.inspect

// warm-up
await client.getMany('Student', names.slice(0, 50), { withChildren: ['guardians'] })

inspect.clearRequests()
let start = performance.now()
const batch = await client.getMany('Student', names, { withChildren: ['guardians'] })
const batchMs = performance.now() - start
const batchRequests = inspect.requests().length
const guardianRows = batch.docs.reduce(
  (n, d) => n + ((d as { guardians?: unknown[] }).guardians?.length ?? 0),
  0,
)

inspect.clearRequests()
start = performance.now()
const one = await Promise.all(names.map((n) => client.doc('Student').get(n)))
const oneMs = performance.now() - start
const oneRequests = inspect.requests().length

console.log(`${COUNT} Students with guardians (${guardianRows} guardian rows)`)
console.log(
  `getMany (POST get_list)   ${String(batchRequests).padStart(5)} requests  ${batchMs.toFixed(0).padStart(6)} ms`,
)
console.log(
  `one GET per document      ${String(oneRequests).padStart(5)} requests  ${oneMs.toFixed(0).padStart(6)} ms  (8 in flight)`,
)
console.log(
  `speed-up ${(oneMs / batchMs).toFixed(1)}×, requests ${(oneRequests / batchRequests).toFixed(0)}× fewer; got ${one.length} docs`,
)
await erp.close()
