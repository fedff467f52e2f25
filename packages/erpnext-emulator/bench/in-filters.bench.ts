/**
 * `name in [...]` and `parent in [...]` list filters, as the sync engine sends them (run from the package
 * folder): `pnpm exec tsx bench/in-filters.bench.ts`
 *
 * On school-large (20,000 Students), in-process (`emulator.handle`): `frappe.client.get_list` of Student
 * with `filters [["name","in",[200 names]]]`, and of Student Guardian (`parent: "Student"`) with
 * `filters [["parent","in",[200 names]]]`; median of 30 requests each, plus a full-scan filter
 * (`city = ...`) on the same doctype as the in-run reference.
 */
import { createEmulator } from '../src/index.js'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function main() {
  const e = createEmulator({ seed: 'school-large' })
  const { apiKey, apiSecret } = e.credentials.admin
  const call = async (body: unknown) => {
    const res = await e.handle(
      new Request('http://erp.local/api/method/frappe.client.get_list', {
        method: 'POST',
        headers: {
          authorization: `token ${apiKey}:${apiSecret}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
      }),
    )
    const json = (await res.json()) as { message: unknown[] }
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`)
    return json.message
  }
  const all = (await call({ doctype: 'Student', fields: ['name'], limit_page_length: 0 })) as {
    name: string
  }[]
  const names = Array.from({ length: 200 }, (_, i) => all[(i * 97) % all.length]!.name)
  const time = async (label: string, body: unknown, expect: (rows: unknown[]) => boolean) => {
    await call(body)
    const ts: number[] = []
    for (let i = 0; i < 30; i++) {
      const t = performance.now()
      const rows = await call(body)
      ts.push(performance.now() - t)
      if (!expect(rows)) throw new Error(`${label}: unexpected result`)
    }
    console.log(`${label}: median ${median(ts).toFixed(2)} ms`)
  }
  await time(
    'Student name in [200] (fields *)',
    { doctype: 'Student', fields: ['*'], filters: [['name', 'in', names]], limit_page_length: 0 },
    (rows) => rows.length === 200,
  )
  await time(
    'Student Guardian parent in [200]',
    {
      doctype: 'Student Guardian',
      parent: 'Student',
      fields: ['*'],
      filters: [['parent', 'in', names]],
      limit_page_length: 0,
    },
    (rows) => rows.length >= 200,
  )
  await time(
    'reference: Student city = "Zurich" (full scan)',
    { doctype: 'Student', fields: ['name'], filters: [['city', '=', 'Zurich']], limit_page_length: 0 },
    () => true,
  )
  await e.close()
}

await main()
