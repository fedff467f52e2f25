/**
 * Benchmarks (run from the package folder): `pnpm exec tsx bench/emulator.bench.ts`
 *
 * 1. start-up time of school-small and school-large;
 * 2. list 10,000 Students with fields ["*"] over HTTP (median of 5);
 * 3. sustained request rate over HTTP (8 concurrent clients, 5 s each) for a single-document read and
 *    a 20-row list;
 * 4. first touch of the lazily generated ~1M Student Attendance rows of school-large (EDUSYNC_HEAVY=1).
 */
import { startEmulator } from '../src/index.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  let t = performance.now()
  const small = await startEmulator({ seed: 'school-small' })
  console.log(`start school-small: ${(performance.now() - t).toFixed(0)} ms`)
  await small.close()

  t = performance.now()
  const erp = await startEmulator({ seed: 'school-large' })
  console.log(
    `start school-large (20,000 students; attendance lazy): ${(performance.now() - t).toFixed(0)} ms`,
  )
  const { apiKey, apiSecret } = erp.credentials.admin
  const headers = { Authorization: `token ${apiKey}:${apiSecret}`, Accept: 'application/json' }

  const times: number[] = []
  let bytes = 0
  for (let i = 0; i < 5; i++) {
    t = performance.now()
    const res = await fetch(
      `${erp.url}/api/resource/Student?fields=${encodeURIComponent('["*"]')}&limit_page_length=10000&order_by=name%20asc`,
      { headers },
    )
    const text = await res.text()
    times.push(performance.now() - t)
    bytes = text.length
    if (JSON.parse(text).data.length !== 10000) throw new Error('expected 10,000 rows')
  }
  console.log(
    `list 10,000 Students fields ["*"] over HTTP: median ${median(times).toFixed(0)} ms (${(bytes / 1e6).toFixed(1)} MB body)`,
  )

  const names = (
    await (await fetch(`${erp.url}/api/resource/Student?limit_page_length=100`, { headers })).json()
  ).data.map((r: { name: string }) => r.name)
  for (const [label, path] of [
    ['GET one Student', (i: number) => `/api/resource/Student/${names[i % names.length]}`],
    [
      'GET list of 20 Students (name, first_name)',
      () => `/api/resource/Student?fields=${encodeURIComponent('["name","first_name"]')}`,
    ],
  ] as const) {
    let count = 0
    const cpu0 = process.cpuUsage()
    const end = performance.now() + 5000
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        let i = w
        while (performance.now() < end) {
          const res = await fetch(`${erp.url}${path(i++)}`, { headers })
          await res.arrayBuffer()
          if (res.status !== 200) throw new Error(`status ${res.status}`)
          count++
        }
      }),
    )
    const cpu = process.cpuUsage(cpu0)
    console.log(
      `${label}: ${(count / 5).toFixed(0)} req/s sustained over HTTP (8 concurrent clients, 5 s; ${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms CPU per request, client included)`,
    )
  }

  // In-process (no sockets, no HTTP client): the engine's own cost per request.
  for (const [label, path] of [
    ['handle(): GET one Student', (i: number) => `/api/resource/Student/${names[i % names.length]}`],
    [
      'handle(): GET list of 20 Students',
      () => `/api/resource/Student?fields=${encodeURIComponent('["name","first_name"]')}`,
    ],
    [
      'handle(): list 10,000 Students fields ["*"]',
      () => `/api/resource/Student?fields=${encodeURIComponent('["*"]')}&limit_page_length=10000`,
    ],
  ] as const) {
    let count = 0
    const cpu0 = process.cpuUsage()
    const end = performance.now() + 3000
    while (performance.now() < end) {
      const res = await erp.emulator.handle(new Request(`http://erp.test${path(count)}`, { headers }))
      await res.arrayBuffer()
      count++
    }
    const cpu = process.cpuUsage(cpu0)
    console.log(
      `${label}: ${(count / 3).toFixed(1)} req/s in-process (${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms CPU per request)`,
    )
  }

  if (process.env.EDUSYNC_HEAVY === '1') {
    t = performance.now()
    const res = await fetch(`${erp.url}/api/method/frappe.client.get_count?doctype=Student%20Attendance`, {
      headers,
    })
    const n = (await res.json()).message
    console.log(
      `first touch of Student Attendance (${n} rows generated): ${(performance.now() - t).toFixed(0)} ms`,
    )
  }
  await erp.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
