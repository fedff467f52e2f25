import { expect, it } from 'vitest'
import { conformance, serverMessages, studentFixture } from './harness.js'

conformance('§8 document shape and semantics', (h) => {
  const ay = async () => (await h().call('/api/resource/Academic Year')).body.data[0].name as string
  const student = async () => (await h().call('/api/resource/Student?limit=1')).body.data[0].name as string
  const enrollment = async (extra: Record<string, unknown> = {}) =>
    h().call('/api/resource/Program Enrollment', {
      method: 'POST',
      json: {
        student: await student(),
        program: 'Grade 12',
        academic_year: await ay(),
        enrollment_date: '2024-09-01',
        ...extra,
      },
    })

  it('renders Float fields with .0 and Check/Int as integers', async () => {
    const res = await h().fetch('/api/resource/Grading%20Scale/Standard%20Grading')
    const text = await res.text()
    expect(text).toContain('"threshold":85.0')
    expect(JSON.parse(text).data.docstatus).toBe(1)
  })

  it('normalises Time to H:MM:SS and stores "" dates as null', async () => {
    const r = await h().call('/api/resource/Student', {
      method: 'POST',
      json: { ...studentFixture(), date_of_birth: '' },
    })
    expect(r.body.data.date_of_birth).toBeUndefined()
    const cs = (
      await h().call('/api/resource/Course Schedule?fields=["name","from_time","title","color"]&limit=1')
    ).body.data[0]
    expect(cs.from_time).toMatch(/^\d{1,2}:\d{2}:\d{2}$/)
    expect(cs.from_time.startsWith('0')).toBe(false)
  })

  it('stores a JSON-fieldtype dict as compact JSON text and refuses lists', async () => {
    await h().call('/api/resource/Custom Field', {
      method: 'POST',
      json: { dt: 'Student', fieldname: 'ai_learning_profile', label: 'AI', fieldtype: 'JSON' },
    })
    const s = await student()
    const ok = await h().call(`/api/resource/Student/${s}`, {
      method: 'PUT',
      json: { ai_learning_profile: { level: 3, tags: ['a'] } },
    })
    expect(ok.body.data.ai_learning_profile).toBe('{"level":3,"tags":["a"]}')
    const bad = await h().call(`/api/resource/Student/${s}`, {
      method: 'PUT',
      json: { ai_learning_profile: [1] },
    })
    expect(bad.status).toBe(417)
    expect(serverMessages(bad.body)[0]?.message).toContain('cannot be a list')
  })

  it('names by naming series, field:, format: and hash', async () => {
    const g = await h().call('/api/resource/Guardian', { method: 'POST', json: { guardian_name: 'X' } })
    expect(g.body.data.name).toMatch(/^EDU-GRD-\d{4}-\d{5}$/)
    const c = await h().call('/api/resource/Course', { method: 'POST', json: { course_name: 'Astronomy' } })
    expect(c.body.data.name).toBe('Astronomy')
    const pe = (await enrollment({ docstatus: 1 })).body.data
    const ce = await h().call('/api/resource/Course Enrollment', {
      method: 'POST',
      json: {
        program_enrollment: pe.name,
        student: pe.student,
        course: 'Physics 12',
        enrollment_date: '2024-09-02',
      },
    })
    expect(ce.body.data.name).toMatch(/^EDU-CE-\d{4}-\d{5}$/)
    const log = await h().call('/api/resource/Webhook Request Log', {
      method: 'POST',
      json: { url: 'http://x' },
    })
    expect(log.body.data.name).toMatch(/^[0-9a-f]{10}$/)
  })

  it('continues a naming series after the seeded documents', async () => {
    const last = (await h().call('/api/resource/Student?order_by=name desc&limit=1')).body.data[0]
      .name as string
    const r = await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    expect(r.body.data.name > last).toBe(true)
  })

  it('requires a name for prompt-named doctypes (Webhook)', async () => {
    const r = await h().call('/api/resource/Webhook', {
      method: 'POST',
      json: { webhook_doctype: 'Student', webhook_docevent: 'on_update', request_url: 'http://hook.test/x' },
    })
    expect(r.status).toBe(417)
    expect(serverMessages(r.body)[0]?.message).toBe('Please set the document name')
  })

  it('computes Academic Term name and title', async () => {
    const r = await h().call('/api/resource/Academic Term', {
      method: 'POST',
      json: {
        academic_year: await ay(),
        term_name: 'Summer',
        term_start_date: '2025-07-01',
        term_end_date: '2025-07-31',
      },
    })
    expect(r.body.data.name).toBe(`${await ay()} (Summer)`)
    expect(r.body.data.title).toBe(r.body.data.name)
  })

  it('computes Course Schedule title and colour', async () => {
    const group = (await h().call('/api/resource/Student Group?limit=1&fields=["name"]')).body.data[0].name
    const ins = (await h().call('/api/resource/Instructor?limit=1&fields=["name","instructor_name"]')).body
      .data[0]
    const room = (await h().call('/api/resource/Room?limit=1')).body.data[0].name
    const r = await h().call('/api/resource/Course Schedule', {
      method: 'POST',
      json: {
        student_group: group,
        instructor: ins.name,
        course: 'Mathematics 9',
        room,
        schedule_date: '2025-01-10',
        from_time: '09:00',
        to_time: '10:00',
        class_schedule_color: 'teal',
      },
    })
    expect(r.body.data.title).toBe(`Mathematics 9 by ${ins.instructor_name}`)
    expect(r.body.data.color).toBe('#E6F7F4')
    expect(r.body.data.from_time).toBe('9:00:00')
  })

  it('computes Assessment Result totals and grades from the plan and grading scale', async () => {
    const plan = (await h().call('/api/resource/Assessment Plan?limit=1&fields=["name","student_group"]'))
      .body.data[0]
    const s = await h().call('/api/resource/Student', { method: 'POST', json: studentFixture(9) })
    const r = await h().call('/api/resource/Assessment Result', {
      method: 'POST',
      json: {
        assessment_plan: plan.name,
        student: s.body.data.name,
        details: [
          { assessment_criteria: 'Written Exam', score: 54 },
          { assessment_criteria: 'Coursework', score: 20 },
        ],
      },
    })
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({
      total_score: 74,
      maximum_score: 100,
      grade: 'B',
      grading_scale: 'Standard Grading',
    })
    expect(r.body.data.details.map((d: any) => d.grade)).toEqual(['A', 'D'])
    const over = await h().call('/api/resource/Assessment Result', {
      method: 'POST',
      json: {
        assessment_plan: plan.name,
        student: s.body.data.name,
        details: [{ assessment_criteria: 'Written Exam', score: 61 }],
      },
    })
    expect(over.status).toBe(417)
  })

  it('docstatus: create submitted, update-after-submit only on allow_on_submit fields, 0→2 refused', async () => {
    const pe = (await enrollment({ docstatus: 1 })).body.data
    expect(pe.docstatus).toBe(1)
    const ok = await h().call(`/api/resource/Program Enrollment/${pe.name}`, {
      method: 'PUT',
      json: { student_batch_name: 'B' },
    })
    expect(ok.status).toBe(200)
    const bad = await h().call(`/api/resource/Program Enrollment/${pe.name}`, {
      method: 'PUT',
      json: { enrollment_date: '2024-10-01' },
    })
    expect(bad.body.exc_type).toBe('UpdateAfterSubmitError')
    const draft = (await enrollment()).body.data
    const jump = await h().call(`/api/resource/Program Enrollment/${draft.name}`, {
      method: 'PUT',
      json: { docstatus: 2 },
    })
    expect(jump.body.exc_type).toBe('DocstatusTransitionError')
  })

  it('docstatus: submit 0→1 and cancel 1→2 via PUT; cancelled docs cannot be edited', async () => {
    const draft = (await enrollment()).body.data
    const sub = await h().call(`/api/resource/Program Enrollment/${draft.name}`, {
      method: 'PUT',
      json: { docstatus: 1 },
    })
    expect(sub.body.data.docstatus).toBe(1)
    const can = await h().call(`/api/resource/Program Enrollment/${draft.name}`, {
      method: 'PUT',
      json: { docstatus: 2 },
    })
    expect(can.body.data.docstatus).toBe(2)
    const edit = await h().call(`/api/resource/Program Enrollment/${draft.name}`, {
      method: 'PUT',
      json: { student_batch_name: 'C' },
    })
    expect(edit.status).toBe(417)
  })

  it('creation/modified are naive YYYY-MM-DD HH:MM:SS.ffffff strings', async () => {
    const r = await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })
    expect(r.body.data.modified).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/)
  })

  it('writes made during a GET are rolled back', async () => {
    const before = h().emulator.inspect.documents('Program Enrollment').length
    const draft = (await enrollment()).body.data
    await h().call(`/api/resource/Program Enrollment/${draft.name}?run_method=submit`)
    expect(h().emulator.inspect.document('Program Enrollment', draft.name)?.docstatus).toBe(0)
    expect(h().emulator.inspect.documents('Program Enrollment')).toHaveLength(before + 1)
  })
})

conformance('§4 /api/v2', (h) => {
  it('lists, reads, creates, patches and deletes under "data"', async () => {
    const list = await h().call('/api/v2/document/Student?limit=2')
    expect(list.body.data).toHaveLength(2)
    const created = await h().call('/api/v2/document/Student', { method: 'POST', json: studentFixture() })
    const name = created.body.data.name
    const read = await h().call(`/api/v2/document/Student/${name}`)
    expect(read.body.data.first_name).toBe('Ada')
    const patched = await h().call(`/api/v2/document/Student/${name}`, {
      method: 'PATCH',
      json: { city: 'Genf' },
    })
    expect(patched.body.data.city).toBe('Genf')
    const del = await h().call(`/api/v2/document/Student/${name}`, { method: 'DELETE' })
    expect(del).toMatchObject({ status: 202, body: { data: 'ok' } })
  })

  it('serves meta and count', async () => {
    const meta = await h().call('/api/v2/doctype/Student/meta')
    expect(meta.body.data.name).toBe('Student')
    expect(meta.body.data.fields.some((f: any) => f.fieldname === 'student_email_id')).toBe(true)
    const count = await h().call(
      `/api/v2/doctype/Student/count?filters=${encodeURIComponent('[["gender","is","set"]]')}`,
    )
    expect(count.body.data).toBe(24)
  })

  it('returns RPC results under "data"', async () => {
    const r = await h().call('/api/v2/method/frappe.auth.get_logged_user')
    expect(r.body).toEqual({ data: 'Administrator' })
  })

  it('reports errors as {"errors":[{type, message, title, indicator}]}', async () => {
    const r = await h().call('/api/v2/document/Student/NOPE')
    expect(r.status).toBe(404)
    expect(r.body.errors[0]).toMatchObject({
      type: 'DoesNotExistError',
      message: 'Student NOPE not found',
      indicator: 'red',
    })
    expect(r.body.exc_type).toBeUndefined()
  })

  it('runs document methods', async () => {
    const s = (await h().call('/api/v2/document/Student?limit=1')).body.data[0].name
    const r = await h().call(`/api/v2/document/Student/${s}/method/as_dict`)
    expect(r.body.data.name).toBe(s)
  })
})

conformance('§2 rollback keeps the stored document intact', (h) => {
  it('a failed save leaves child rows of the stored document untouched', async () => {
    const s = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const before = h().emulator.inspect.document('Student', s)
    const r = await h().call(`/api/resource/Student/${s}`, { method: 'PUT', json: { gender: 'Martian' } })
    expect(r.status).toBe(417)
    expect(h().emulator.inspect.document('Student', s)).toEqual(before)
  })
})

conformance('§8 Student controller side effects', (h) => {
  it('creates the linked Customer on insert and keeps its name in sync on save', async () => {
    const s = (await h().call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body.data
    expect(s.customer_group).toBe('Student')
    expect(s.customer).toMatch(/^CUST-\d{4}-\d{5}$/)
    const c = await h().call(`/api/resource/Customer/${s.customer}`)
    expect(c.body.data).toMatchObject({
      customer_name: 'Ada K Lovelace1',
      customer_group: 'Student',
      customer_type: 'Individual',
    })
    await h().call(`/api/resource/Student/${s.name}`, { method: 'PUT', json: { last_name: 'Byron' } })
    expect((await h().call(`/api/resource/Customer/${s.customer}`)).body.data.customer_name).toBe(
      'Ada K Byron',
    )
  })
})
