import { expect, it } from 'vitest'
import { createEmulator } from '../src/index.js'

const heavy = process.env.EDUSYNC_HEAVY === '1'

it('short form: school-small generates consistent attendance lazily', async () => {
  const e = createEmulator({ seed: 'school-small', seedSize: 40 })
  const groups = e.inspect.documents('Student Group')
  const members = new Set(groups.flatMap((g) => (g.students as { student: string }[]).map((s) => s.student)))
  const attendance = e.inspect.documents('Student Attendance')
  expect(attendance.length).toBeGreaterThan(0)
  expect(attendance.every((a) => members.has(String(a.student)) && a.docstatus === 1)).toBe(true)
})

it.skipIf(!heavy)(
  'school-large: ~20,000 students and ~1M attendance rows, listable with fields ["*"]',
  async () => {
    const e = createEmulator({ seed: 'school-large' })
    const c = e.credentials.admin
    const auth = { authorization: `token ${c.apiKey}:${c.apiSecret}` }
    const count = async (dt: string) =>
      (
        await (
          await e.handle(
            new Request(`http://x/api/method/frappe.client.get_count?doctype=${encodeURIComponent(dt)}`, {
              headers: auth,
            }),
          )
        ).json()
      ).message
    expect(await count('Student')).toBe(20000)
    expect(await count('Student Attendance')).toBe(1_000_000)
    const res = await e.handle(
      new Request('http://x/api/resource/Student?fields=%5B%22*%22%5D&limit_page_length=10000', {
        headers: auth,
      }),
    )
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(10000)
  },
  600_000,
)
