import { expect, it } from 'vitest'
import type { EmulatorDocTypeMeta } from '../src/index.js'
import { field } from '../src/meta.js'
import { conformance } from './harness.js'

/** The site's clock: Wednesday 2026-02-25, 10:30 UTC. */
const NOW = Date.UTC(2026, 1, 25, 10, 30)
let clock = NOW

const probe: EmulatorDocTypeMeta = {
  name: 'Timespan Probe',
  module: 'Custom',
  istable: 0,
  issingle: 0,
  is_submittable: 0,
  autoname: 'hash',
  fields: [field('on_date', 'Date'), field('at', 'Datetime'), field('label', 'Data')],
}

/** Every day from `from` to `to`, inclusive, as `YYYY-MM-DD`. */
function days(from: string, to: string): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10))
  }
  return out
}

const q = (filters: unknown) =>
  `/api/resource/Timespan Probe?fields=${encodeURIComponent('["on_date"]')}&limit_page_length=0&order_by=on_date%20asc&filters=${encodeURIComponent(JSON.stringify(filters))}`

conformance(
  '§9 timespan / previous / next (week starts Monday)',
  (h) => {
    const seedDays = () => {
      for (const d of days('2025-06-01', '2027-01-31')) h().emulator.insert('Timespan Probe', { on_date: d })
    }
    const matched = async (filters: unknown): Promise<string[]> => {
      const r = await h().call(q(filters))
      expect(r.status).toBe(200)
      return r.body.data.map((x: { on_date: string }) => x.on_date)
    }

    it.each([
      ['today', '2026-02-25', '2026-02-25'],
      ['yesterday', '2026-02-24', '2026-02-24'],
      ['tomorrow', '2026-02-26', '2026-02-26'],
      ['this week', '2026-02-23', '2026-03-01'],
      ['last week', '2026-02-16', '2026-02-22'],
      ['next week', '2026-03-02', '2026-03-08'],
      ['this month', '2026-02-01', '2026-02-28'],
      ['last month', '2026-01-01', '2026-01-31'],
      ['next month', '2026-03-01', '2026-03-31'],
      ['this quarter', '2026-01-01', '2026-03-31'],
      ['last quarter', '2025-10-01', '2025-12-31'],
      ['next quarter', '2026-04-01', '2026-06-30'],
      ['last 6 months', '2025-07-01', '2025-12-31'],
      ['next 6 months', '2026-04-01', '2026-09-30'],
      ['this year', '2026-01-01', '2026-12-31'],
      ['last year', '2025-06-01', '2025-12-31'], // the probes start on 2025-06-01
      ['next year', '2027-01-01', '2027-01-31'], // …and end on 2027-01-31
      ['last 7 days', '2026-02-18', '2026-02-25'],
      ['last 30 days', '2026-01-26', '2026-02-25'],
      ['next 14 days', '2026-02-25', '2026-03-11'],
    ])('timespan "%s" is the whole days %s → %s', async (value, from, to) => {
      seedDays()
      expect(await matched([['on_date', 'timespan', value]])).toEqual(days(from, to))
    })

    it.each([
      ['previous', '1 week', '2026-02-16', '2026-02-22'],
      ['previous', '1 month', '2026-01-01', '2026-01-31'],
      ['previous', '3 months', '2025-10-01', '2025-12-31'],
      ['previous', '6 months', '2025-07-01', '2025-12-31'],
      ['next', '1 week', '2026-03-02', '2026-03-08'],
      ['next', '3 months', '2026-04-01', '2026-06-30'],
      ['next', '1 year', '2027-01-01', '2027-01-31'],
    ])('%s "%s" is the whole days %s → %s', async (op, value, from, to) => {
      seedDays()
      expect(await matched([['on_date', op, value]])).toEqual(days(from, to))
    })

    it('spans 00:00 → 23:59:59.999999 on Datetime fields, like between', async () => {
      const at = [
        '2026-02-24 23:59:59.999999',
        '2026-02-25 00:00:00',
        '2026-02-25 23:59:59.999999',
        '2026-02-26 00:00:00',
      ]
      for (const [i, v] of at.entries()) h().emulator.insert('Timespan Probe', { at: v, label: `p${i}` })
      const r = await h().call(
        `/api/resource/Timespan Probe?fields=["label"]&order_by=label%20asc&filters=${encodeURIComponent(JSON.stringify([['at', 'timespan', 'today']]))}`,
      )
      expect(r.body.data.map((x: { label: string }) => x.label)).toEqual(['p1', 'p2'])
      const creation = async (value: string) =>
        (
          await h().call(
            `/api/method/frappe.client.get_count?doctype=Timespan%20Probe&filters=${encodeURIComponent(JSON.stringify({ creation: ['timespan', value] }))}`,
          )
        ).body.message
      expect(await creation('today')).toBe(4)
      expect(await creation('yesterday')).toBe(0)
    })

    it('works in dict filters, or_filters, get_list, get_count and v2 count, case-insensitively', async () => {
      seedDays()
      const week = days('2026-02-23', '2026-03-01')
      expect(await matched({ on_date: ['Timespan', 'this week'] })).toEqual(week)
      const r = await h().call(
        `/api/resource/Timespan Probe?fields=["on_date"]&limit_page_length=0&order_by=on_date%20asc&or_filters=${encodeURIComponent(
          JSON.stringify([
            ['on_date', 'timespan', 'yesterday'],
            ['on_date', 'next', '1 week'],
          ]),
        )}`,
      )
      expect(r.body.data.map((x: { on_date: string }) => x.on_date)).toEqual([
        '2026-02-24',
        ...days('2026-03-02', '2026-03-08'),
      ])
      const list = await h().call('/api/method/frappe.client.get_list', {
        method: 'POST',
        json: {
          doctype: 'Timespan Probe',
          fields: ['on_date'],
          filters: [['on_date', 'PREVIOUS', '1 month']],
          limit_page_length: 0,
        },
      })
      expect(list.body.message).toHaveLength(31)
      const count = await h().call(
        `/api/v2/doctype/Timespan Probe/count?filters=${encodeURIComponent(JSON.stringify([['on_date', 'timespan', 'this month']]))}`,
      )
      expect(count.body).toEqual({ data: 28 })
    })

    it('follows the emulator clock (options.now), per request', async () => {
      seedDays()
      clock = NOW + 6 * 86_400_000 // Tuesday 2026-03-03
      try {
        expect(await matched([['on_date', 'timespan', 'today']])).toEqual(['2026-03-03'])
        expect(await matched([['on_date', 'timespan', 'last week']])).toEqual(
          days('2026-02-23', '2026-03-01'),
        )
      } finally {
        clock = NOW
      }
      expect(await matched([['on_date', 'timespan', 'today']])).toEqual(['2026-02-25'])
    })

    it('refuses an unknown timespan value with a 417 naming the accepted values', async () => {
      const r = await h().call(q([['on_date', 'timespan', 'last fortnight']]))
      expect(r.status).toBe(417)
      expect(r.body.exc_type).toBe('ValidationError')
      expect(r.body.exception).toContain('"last fortnight"')
      expect(r.body.exception).toContain('last week')
    })

    it('refuses an unknown previous/next period with a 417 naming the accepted values', async () => {
      const r = await h().call(q([['on_date', 'previous', '2 weeks']]))
      expect(r.status).toBe(417)
      expect(r.body.exc_type).toBe('ValidationError')
      expect(r.body.exception).toContain('"2 weeks"')
      expect(r.body.exception).toContain('1 week, 1 month, 3 months, 6 months, 1 year')
    })

    it('answers 500 like MariaDB when the column is not a date', async () => {
      const r = await h().call(q([['label', 'timespan', 'today']]))
      expect(r.status).toBe(500)
      expect(r.body.exc_type).toBe('ProgrammingError')
    })
  },
  { seed: 'empty', now: () => clock, doctypes: [probe] },
)

conformance(
  '§9 timespan with first_day_of_the_week = Sunday',
  (h) => {
    it('starts this/last/next week on Sunday', async () => {
      for (const d of days('2026-02-01', '2026-03-31')) h().emulator.insert('Timespan Probe', { on_date: d })
      const r = async (value: string) =>
        (await h().call(q([['on_date', 'timespan', value]]))).body.data.map(
          (x: { on_date: string }) => x.on_date,
        )
      expect(await r('this week')).toEqual(days('2026-02-22', '2026-02-28'))
      expect(await r('last week')).toEqual(days('2026-02-15', '2026-02-21'))
      expect(await r('next week')).toEqual(days('2026-03-01', '2026-03-07'))
    })
  },
  { seed: 'empty', now: () => NOW, doctypes: [probe], firstDayOfWeek: 'Sunday' },
)
