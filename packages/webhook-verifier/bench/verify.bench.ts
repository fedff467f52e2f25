// Verifications per second for 1 KB and 64 KB ERPNext bodies, as ratios to two floors measured in the same
// run: the bare floor (crypto.createHmac + timingSafeEqual on the same input), which is what checking the
// signature alone must cost, and the floor + JSON.parse of the body, which is what full verification must
// cost. Beside them, standardwebhooks and @octokit/webhooks-methods verifying the same payload in their own
// formats.
// Run from packages/webhook-verifier:  ROUNDS=15 pnpm exec tsx bench/verify.bench.ts
// Rounds are interleaved, so a round's ratios compare figures measured side by side: "median" is the
// median of the per-round ratios (the typical figure on a busy machine), "best" the ratio of the best
// rounds (what the code does when the machine leaves it alone). The goal: >= 0.9 of the matching floor.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import * as node from '../src/node.js'
import * as web from '../src/web.js'

const SECRET = 'bench-secret-0123456789'
const WHSEC = `whsec_${Buffer.from(SECRET).toString('base64')}`
const ROUNDS = Number(process.env.ROUNDS ?? 7)
const ROUND_MS = Number(process.env.ROUND_MS ?? 250)

function bodyOf(size: number): string {
  const base = {
    event: 'on_update',
    event_id: 'Student:EDU-STU-0001:2026-11-25 17:16:52.123456:on_update',
    doctype: 'Student',
    name: 'EDU-STU-0001',
    modified: '2026-11-25 17:16:52.123456',
    padding: '',
  }
  const empty = node.pythonJsonDumps(base).length
  return node.pythonJsonDumps({ ...base, padding: 'x'.repeat(size - empty) })
}

/** `floor`: which floor the goal compares the case with (signature only, or signature + JSON.parse). */
type Case = { name: string; run: () => unknown; floor?: 'sig' | 'json' }

async function measure(c: Case): Promise<number> {
  const end = performance.now() + ROUND_MS
  let n = 0
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) {
      const r = c.run()
      if (r instanceof Promise) await r
    }
    n += 20
  }
  return (n / ROUND_MS) * 1000
}

async function suite(size: number) {
  const body = bodyOf(size)
  const bytes = Buffer.from(body)
  const signature = createHmac('sha256', SECRET).update(bytes).digest('base64')
  const headers = { 'x-frappe-webhook-signature': signature }
  const nodeVerifier = node.createERPNextVerifier({ secret: SECRET })
  const webVerifier = web.createERPNextVerifier({ secret: SECRET })
  const sw = new Webhook(WHSEC)
  const msgId = 'msg_bench'
  const swHeaders = {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': '',
  }
  swHeaders['webhook-signature'] = sw.sign(
    msgId,
    new Date(Number(swHeaders['webhook-timestamp']) * 1000),
    body,
  )
  const octoSig = await octokitSign(SECRET, body)

  const cases: Case[] = [
    {
      name: 'bare createHmac + timingSafeEqual (floor)',
      run: () => {
        const mac = createHmac('sha256', SECRET).update(bytes).digest()
        return timingSafeEqual(mac, Buffer.from(signature, 'base64'))
      },
    },
    {
      name: 'bare floor + JSON.parse of the bytes',
      run: () => {
        const mac = createHmac('sha256', SECRET).update(bytes).digest()
        return timingSafeEqual(mac, Buffer.from(signature, 'base64')) && JSON.parse(bytes.toString())
      },
    },
    {
      name: 'verifier.verifySignatureSync (node)',
      run: () => nodeVerifier.verifySignatureSync({ body: bytes, headers }),
      floor: 'sig',
    },
    {
      name: 'verifier.verifySync (node, full: + JSON, event id)',
      run: () => nodeVerifier.verifySync({ body: bytes, headers }),
      floor: 'json',
    },
    {
      name: 'verifyERPNextWebhookSync (node, one-shot)',
      run: () => node.verifyERPNextWebhookSync({ body: bytes, headers, secret: SECRET }),
    },
    { name: 'verifier.verify (node, async)', run: () => nodeVerifier.verify({ body: bytes, headers }) },
    { name: 'verifier.verify (Web Crypto, async)', run: () => webVerifier.verify({ body: bytes, headers }) },
    { name: 'standardwebhooks Webhook.verify', run: () => sw.verify(body, swHeaders) },
    { name: '@octokit/webhooks-methods verify', run: () => octokitVerify(SECRET, body, octoSig) },
  ]
  for (const c of cases) await c.run() // warm up and sanity-check every case
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]))
  for (let round = 0; round < ROUNDS; round++)
    for (const c of cases) samples.get(c.name)?.push(await measure(c))
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  const best = (xs: number[]) => Math.max(...xs)
  const sigFloor = samples.get(cases[0]?.name ?? '') ?? []
  const jsonFloor = samples.get(cases[1]?.name ?? '') ?? []
  /** The median of the per-round ratios, and the ratio of the best rounds. */
  const ratios = (xs: number[], floor: number[]) => ({
    median: median(xs.map((x, i) => x / (floor[i] ?? Number.NaN))),
    best: best(xs) / best(floor),
  })
  const f2 = (r: number) => r.toFixed(2)
  console.log(
    `\n${size / 1024} KB body (${bytes.length} bytes), ${ROUNDS} interleaved rounds of ${ROUND_MS} ms`,
  )
  console.log(
    '| case | verifications/s (median) | ÷ floor (median) | ÷ floor (best) | ÷ floor + JSON.parse (median) | ÷ floor + JSON.parse (best) |',
  )
  console.log('|---|---:|---:|---:|---:|---:|')
  const goals: string[] = []
  for (const c of cases) {
    const xs = samples.get(c.name) ?? []
    const sig = ratios(xs, sigFloor)
    const json = ratios(xs, jsonFloor)
    console.log(
      `| ${c.name} | ${Math.round(median(xs)).toLocaleString('en-US')} | ${f2(sig.median)} | ${f2(sig.best)} | ${f2(json.median)} | ${f2(json.best)} |`,
    )
    if (c.floor) {
      const r = c.floor === 'sig' ? sig : json
      const floorName = c.floor === 'sig' ? 'floor' : 'floor + JSON.parse'
      goals.push(
        `  ${c.name}: ${f2(r.median)} (median), ${f2(r.best)} (best) of ${floorName}, goal 0.9: ${r.median >= 0.9 ? 'met' : 'missed'}`,
      )
    }
  }
  console.log(`\nGoal (median of the per-round ratios to the matching floor):\n${goals.join('\n')}`)
}

console.log(`node ${process.version}, ${new Date().toISOString()}`)
await suite(1024)
await suite(64 * 1024)
