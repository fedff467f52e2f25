import { expect, it } from 'vitest'
import { conformance, studentFixture } from './harness.js'

const q = (params: Record<string, unknown>) =>
  new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  ).toString()

conformance('§9 list query semantics', (h) => {
  const list = async (doctype: string, params: Record<string, unknown>) => {
    const r = await h().call(`/api/resource/${encodeURIComponent(doctype)}?${q(params)}`)
    return r
  }

  it('returns only name by default, 20 rows by default, and all rows with limit_page_length=0', async () => {
    const d = await list('Student', {})
    expect(d.body.data).toHaveLength(20)
    expect(Object.keys(d.body.data[0])).toEqual(['name'])
    const all = await list('Student', { limit_page_length: '0' })
    expect(all.body.data).toHaveLength(24)
  })

  it('pages with limit_start and ignores start', async () => {
    const first = await list('Student', { order_by: 'name asc', limit_page_length: '5' })
    const second = await list('Student', {
      order_by: 'name asc',
      limit_page_length: '5',
      limit_start: '5',
      start: '0',
    })
    expect(second.body.data[0].name).not.toBe(first.body.data[0].name)
    expect(second.body.data).toHaveLength(5)
  })

  it('uses limit only when limit_page_length is absent', async () => {
    expect((await list('Student', { limit: '3' })).body.data).toHaveLength(3)
    expect((await list('Student', { limit: '3', limit_page_length: '4' })).body.data).toHaveLength(4)
  })

  it('accepts filters as list of lists, 4-element items, dicts and [op, value]', async () => {
    const all = (await list('Student', { fields: ['name', 'gender'], limit_page_length: '0' })).body.data
    const females = all.filter((s: any) => s.gender === 'Female').length
    expect(
      (await list('Student', { filters: [['gender', '=', 'Female']], limit: '0' })).body.data,
    ).toHaveLength(females)
    expect(
      (await list('Student', { filters: [['Student', 'gender', '=', 'Female']], limit: '0' })).body.data,
    ).toHaveLength(females)
    expect((await list('Student', { filters: { gender: 'Female' }, limit: '0' })).body.data).toHaveLength(
      females,
    )
    expect(
      (await list('Student', { filters: { gender: ['!=', 'Female'] }, limit: '0' })).body.data,
    ).toHaveLength(24 - females)
    expect((await list('Student', { filters: [['gender', 'Female']], limit: '0' })).body.data).toHaveLength(
      females,
    )
  })

  it('supports in / not in with lists and comma-separated strings', async () => {
    const names = (await list('Student', { limit: '3', order_by: 'name asc' })).body.data.map(
      (s: any) => s.name,
    )
    expect((await list('Student', { filters: [['name', 'in', names]] })).body.data).toHaveLength(3)
    expect((await list('Student', { filters: [['name', 'in', names.join(',')]] })).body.data).toHaveLength(3)
    expect(
      (await list('Student', { filters: [['name', 'not in', names]], limit: '0' })).body.data,
    ).toHaveLength(21)
  })

  it('supports like / not like, case-insensitively', async () => {
    const r = await list('Student', {
      filters: [['student_email_id', 'like', '%@STUDENTS.example.edu']],
      limit: '0',
    })
    expect(r.body.data).toHaveLength(24)
    const n = await list('Student', {
      filters: [['student_email_id', 'not like', '%@students%']],
      limit: '0',
    })
    expect(n.body.data).toHaveLength(0)
  })

  it('applies ifnull semantics: != matches NULL, = "" matches NULL, is set / not set', async () => {
    await h().call('/api/resource/Student', { method: 'POST', json: { ...studentFixture(), city: null } })
    const neq = await list('Student', { filters: [['city', '!=', 'Zürich']], limit: '0' })
    expect(neq.body.data).toHaveLength(1)
    const eqEmpty = await list('Student', { filters: [['city', '=', '']], limit: '0' })
    expect(eqEmpty.body.data).toHaveLength(1)
    expect(
      (await list('Student', { filters: [['city', 'is', 'not set']], limit: '0' })).body.data,
    ).toHaveLength(1)
    expect((await list('Student', { filters: [['city', 'is', 'set']], limit: '0' })).body.data).toHaveLength(
      24,
    )
  })

  it('compares numeric fields as numbers and supports between on dates', async () => {
    const r = await list('Assessment Result', {
      fields: ['name', 'total_score'],
      filters: [['total_score', '>=', '50']],
      limit: '0',
    })
    expect(r.body.data.every((x: any) => x.total_score >= 50)).toBe(true)
    const att = await list('Student Attendance', { fields: ['date'], limit: '1', order_by: 'date asc' })
    const day = att.body.data[0].date
    const b = await list('Student Attendance', {
      fields: ['date'],
      filters: [['date', 'between', [day, day]]],
      limit: '0',
    })
    expect(b.body.data.length).toBeGreaterThan(0)
    expect(b.body.data.every((x: any) => x.date === day)).toBe(true)
  })

  it('filters by child-table fields with [child_doctype, field, op, value]', async () => {
    const s = (await list('Student', { fields: ['name'], limit: '1', order_by: 'name asc' })).body.data[0]
      .name
    const r = await list('Student Group', { filters: [['Student Group Student', 'student', '=', s]] })
    expect(r.body.data).toHaveLength(1)
  })

  it('or_filters are OR-ed, then AND-ed with filters', async () => {
    const names = (await list('Student', { limit: '2', order_by: 'name asc' })).body.data.map(
      (s: any) => s.name,
    )
    const r = await list('Student', {
      or_filters: [
        ['name', '=', names[0]],
        ['name', '=', names[1]],
      ],
      filters: [['name', '!=', names[1]]],
    })
    expect(r.body.data.map((s: any) => s.name)).toEqual([names[0]])
  })

  it('orders with order_by, including backticked columns, and rejects functions', async () => {
    const r = await list('Student', { fields: ['name'], order_by: '`tabStudent`.`name` desc', limit: '3' })
    const names = r.body.data.map((s: any) => s.name)
    expect([...names].sort().reverse()).toEqual(names)
    const bad = await list('Student', { order_by: 'sleep(1)' })
    expect(bad.status).toBe(417)
  })

  it('returns every column with fields ["*"], floats as x.0', async () => {
    const r = await h().fetch(`/api/resource/Assessment%20Result?${q({ fields: ['*'], limit: '1' })}`)
    const text = await r.text()
    expect(text).toMatch(/"maximum_score":100\.0/)
    const row = JSON.parse(text).data[0]
    expect(row).toHaveProperty('_user_tags', null)
    expect(row).toHaveProperty('modified')
    expect(row).not.toHaveProperty('doctype')
  })

  it('returns arrays with as_dict=0, in fields order', async () => {
    const r = await list('Student', { fields: ['first_name', 'name'], as_dict: '0', limit: '1' })
    expect(Array.isArray(r.body.data[0])).toBe(true)
    expect(r.body.data[0][1]).toMatch(/^EDU-STU-/)
  })

  it('answers 417 DataError for an unknown field in fields', async () => {
    const r = await list('Student', { fields: ['nope'] })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('DataError')
  })

  it('answers 500 for a bad filter column and for bare * in v1', async () => {
    expect((await list('Student', { filters: [['nope', '=', 1]] })).status).toBe(500)
    expect((await h().call('/api/resource/Student?fields=*')).status).toBe(500)
  })

  it('answers 417 for an unknown operator', async () => {
    const r = await list('Student', { filters: [['name', 'resembles', 'x']] })
    expect(r.status).toBe(417)
  })

  it('supports aliases, child-table columns and count(name) with group_by', async () => {
    const alias = await list('Student', { fields: ['name as id'], limit: '1' })
    expect(Object.keys(alias.body.data[0])).toEqual(['id'])
    const counts = await list('Student Attendance', {
      fields: ['status', 'count(name) as c'],
      group_by: 'status',
      limit: '0',
    })
    const total = counts.body.data.reduce((a: number, r: any) => a + r.c, 0)
    const all = await h().call('/api/method/frappe.client.get_count?doctype=Student%20Attendance')
    expect(total).toBe(all.body.message)
    const child = await list('Student', { fields: ['name', 'guardians.guardian'], limit: '2' })
    expect(child.body.data[0]).toHaveProperty('guardian')
  })
})

conformance('§9 incremental pull by (modified, name)', (h) => {
  it('filters modified as a datetime: a zero fraction equals no fraction', async () => {
    const doc = h().emulator.insert('Gender', { gender: 'Agender' })
    const modified = String(doc.modified)
    const whole = modified.slice(0, 19)
    const r = await h().call(
      `/api/resource/Gender?filters=${encodeURIComponent(JSON.stringify([['modified', '>=', whole]]))}&order_by=${encodeURIComponent('modified asc, name asc')}`,
    )
    expect(r.body.data.map((x: any) => x.name)).toContain('Agender')
    const after = await h().call(
      `/api/resource/Gender?filters=${encodeURIComponent(JSON.stringify([['modified', '>', modified]]))}`,
    )
    expect(after.body.data).toEqual([])
  })
})

conformance('§9 Time comparisons', (h) => {
  it('compares Time values as times, not text (9:00 < 10:00)', async () => {
    const r = await h().call(
      `/api/resource/Course Schedule?fields=["from_time"]&limit=0&filters=${encodeURIComponent(JSON.stringify([['from_time', '<', '10:00']]))}`,
    )
    expect(r.body.data.length).toBeGreaterThan(0)
    expect(r.body.data.every((x: any) => x.from_time === '8:00:00')).toBe(true)
  })
})

conformance('§9 tree operators', (h) => {
  it('supports descendants of / ancestors of on tree doctypes', async () => {
    const f = (op: string, value: string) =>
      h().call(
        `/api/resource/Assessment Group?filters=${encodeURIComponent(JSON.stringify([['name', op, value]]))}`,
      )
    expect((await f('descendants of', 'All Assessment Groups')).body.data.map((x: any) => x.name)).toEqual([
      'Term Exams',
    ])
    expect((await f('descendants of (inclusive)', 'All Assessment Groups')).body.data).toHaveLength(2)
    expect((await f('ancestors of', 'Term Exams')).body.data.map((x: any) => x.name)).toEqual([
      'All Assessment Groups',
    ])
    expect(
      (await f('not descendants of', 'All Assessment Groups')).body.data.map((x: any) => x.name),
    ).toEqual(['All Assessment Groups'])
  })

  it('follows Link fields into the tree', async () => {
    const r = await h().call(
      `/api/resource/Assessment Plan?limit=0&filters=${encodeURIComponent(JSON.stringify([['assessment_group', 'descendants of', 'All Assessment Groups']]))}`,
    )
    const all = await h().call('/api/method/frappe.client.get_count?doctype=Assessment%20Plan')
    expect(r.body.data).toHaveLength(all.body.message)
  })
})

conformance('§9 name in / parent in (indexed batch reads)', (h) => {
  const q = (filters: unknown, extra = '') =>
    `filters=${encodeURIComponent(JSON.stringify(filters))}&limit_page_length=0${extra}`
  const names = async (): Promise<string[]> =>
    (await h().call('/api/resource/Student?limit_page_length=0')).body.data.map((r: any) => r.name)

  it('name in [...] returns exactly the listed documents, in natural order, case-insensitively', async () => {
    const all = await names()
    const pick = [all[5]!, all[1]!.toLowerCase(), all[3]!, 'NO-SUCH-STUDENT']
    const r = await h().call(`/api/resource/Student?${q([['name', 'in', pick]])}`)
    expect(r.body.data.map((x: any) => x.name)).toEqual([all[1], all[3], all[5]])
  })

  it('name in [...] combines with the other filters and with get_count', async () => {
    const all = await names()
    await h().call(`/api/resource/Student/${all[2]}`, { method: 'PUT', json: { city: 'Indexed City' } })
    const filters = [
      ['name', 'in', all.slice(0, 4)],
      ['city', '=', 'Indexed City'],
    ]
    const r = await h().call(`/api/resource/Student?${q(filters)}`)
    expect(r.body.data.map((x: any) => x.name)).toEqual([all[2]])
    const c = await h().call('/api/method/frappe.client.get_count', {
      method: 'POST',
      json: { doctype: 'Student', filters: [['name', 'in', all.slice(0, 4)]] },
    })
    expect(c.body.message).toBe(4)
  })

  it('name in [...] sees documents inserted and misses documents deleted in earlier requests', async () => {
    const created = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture(9) }))
      .body.data.name
    const all = await names()
    const before = await h().call(`/api/resource/Student?${q([['name', 'in', [created, all[0]]]])}`)
    expect(before.body.data.map((x: any) => x.name).sort()).toEqual([created, all[0]].sort())
    await h().call(`/api/resource/Student/${created}`, { method: 'DELETE' })
    const after = await h().call(`/api/resource/Student?${q([['name', 'in', [created, all[0]]]])}`)
    expect(after.body.data.map((x: any) => x.name)).toEqual([all[0]])
  })

  it('name = v uses the same path and honours the limit', async () => {
    const all = await names()
    const r = await h().call(`/api/resource/Student?${q([['name', '=', all[7]]])}`)
    expect(r.body.data).toEqual([{ name: all[7] }])
  })

  it('parent in [...] returns exactly the child rows of those parents, parent by parent in idx order', async () => {
    const all = await names()
    const scan = await h().call('/api/method/frappe.client.get_list', {
      method: 'POST',
      json: {
        doctype: 'Student Guardian',
        parent: 'Student',
        fields: ['name', 'parent', 'idx'],
        limit_page_length: 0,
      },
    })
    const pick = all.slice(0, 6).filter((_, i) => i % 2 === 0)
    const expected = scan.body.message.filter((r: any) => pick.includes(r.parent))
    expect(expected.length).toBeGreaterThan(0)
    const r = await h().call('/api/method/frappe.client.get_list', {
      method: 'POST',
      json: {
        doctype: 'Student Guardian',
        parent: 'Student',
        fields: ['name', 'parent', 'idx'],
        filters: [['parent', 'in', [...pick].reverse()]],
        limit_page_length: 0,
      },
    })
    expect(r.body.message).toEqual(expected)
  })
})
