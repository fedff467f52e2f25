// Verifications per second for 1 KB and 64 KB ERPNext bodies, as a ratio to the bare floor
// (crypto.createHmac + timingSafeEqual on the same input), beside standardwebhooks and
// @octokit/webhooks-methods verifying the same payload in their own formats.
// Run from packages/webhook-verifier:  pnpm exec tsx bench/verify.bench.ts
// Rounds are interleaved, so the ratios compare figures measured side by side; the median round shows the
// typical rate on a busy machine, the best round what the code does when the machine leaves it alone.
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

type Case = { name: string; run: () => unknown }

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
    },
    {
      name: 'verifier.verifySync (node, full: + JSON, event id)',
      run: () => nodeVerifier.verifySync({ body: bytes, headers }),
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
  const first = samples.get(cases[0]?.name ?? '') ?? []
  console.log(
    `\n${size / 1024} KB body (${bytes.length} bytes), ${ROUNDS} interleaved rounds of ${ROUND_MS} ms`,
  )
  console.log('| case | verifications/s (median) | ratio to floor (median) | ratio to floor (best round) |')
  console.log('|---|---:|---:|---:|')
  for (const c of cases) {
    const xs = samples.get(c.name) ?? []
    const ratio = (ops: number, floor: number) => (ops / floor).toFixed(2)
    console.log(
      `| ${c.name} | ${Math.round(median(xs)).toLocaleString('en-US')} | ${ratio(median(xs), median(first))} | ${ratio(best(xs), best(first))} |`,
    )
  }
}

console.log(`node ${process.version}, ${new Date().toISOString()}`)
await suite(1024)
await suite(64 * 1024)
