import { expect, it } from 'vitest'
import { type Harness, conformance, serverMessages, studentFixture } from './harness.js'

/**
 * §7: a write that carries a stale `modified` (the document changed after it was read) is refused with
 * TimestampMismatchError on every entry point that checks the lock, and the stored document is untouched.
 */
const MESSAGE =
  /^Error: Document has been modified after you have opened it \((\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?), (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\)\. Please refresh to get the latest document\.$/

/** Read a Student, then let "someone else" change it: returns the stale read and the current doc. */
async function staleRead(h: Harness): Promise<{ stale: any; current: any }> {
  const created = (await h.call('/api/resource/Student', { method: 'POST', json: studentFixture() })).body
    .data
  const stale = (await h.call(`/api/method/frappe.client.get?doctype=Student&name=${created.name}`)).body
    .message
  const changed = await h.call(`/api/resource/Student/${created.name}`, {
    method: 'PUT',
    json: { city: 'Changed in ERPNext' },
  })
  expect(changed.status).toBe(200)
  return { stale, current: changed.body.data }
}

function expectMismatch(message: string | undefined, current: any): void {
  const m = MESSAGE.exec(message ?? '')
  expect(m?.[1]).toBe(current.modified)
}

conformance('§7 modified locking: stale writes on every entry point', (h) => {
  it('v1 PUT with a stale modified: 417 TimestampMismatchError, nothing written', async () => {
    const { stale, current } = await staleRead(h())
    const r = await h().call(`/api/resource/Student/${stale.name}`, {
      method: 'PUT',
      json: { city: 'Stale', modified: stale.modified },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('TimestampMismatchError')
    expectMismatch(serverMessages(r.body)[0]?.message, current)
    expect(h().emulator.inspect.document('Student', stale.name)?.city).toBe('Changed in ERPNext')
  })

  it('v1 PUT with the current modified succeeds', async () => {
    const { current } = await staleRead(h())
    const r = await h().call(`/api/resource/Student/${current.name}`, {
      method: 'PUT',
      json: { city: 'Fresh', modified: current.modified },
    })
    expect(r.status).toBe(200)
    expect(r.body.data.city).toBe('Fresh')
  })

  it('v2 PATCH with a stale modified: 417 TimestampMismatchError', async () => {
    const { stale } = await staleRead(h())
    const r = await h().call(`/api/v2/document/Student/${stale.name}`, {
      method: 'PATCH',
      json: { city: 'Stale', modified: stale.modified },
    })
    expect(r.status).toBe(417)
    expect(r.body.errors?.[0]?.type ?? r.body.exc_type).toBe('TimestampMismatchError')
    expect(h().emulator.inspect.document('Student', stale.name)?.city).toBe('Changed in ERPNext')
  })

  it('v2 PATCH with the current modified succeeds', async () => {
    const { current } = await staleRead(h())
    const r = await h().call(`/api/v2/document/Student/${current.name}`, {
      method: 'PATCH',
      json: { city: 'Fresh', modified: current.modified },
    })
    expect(r.status).toBe(200)
  })

  it('frappe.client.save with a stale full doc: 417 TimestampMismatchError', async () => {
    const { stale, current } = await staleRead(h())
    const r = await h().call('/api/method/frappe.client.save', {
      method: 'POST',
      json: { doc: { ...stale, city: 'Stale' } },
    })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('TimestampMismatchError')
    expectMismatch(serverMessages(r.body)[0]?.message, current)
    expect(h().emulator.inspect.document('Student', stale.name)?.city).toBe('Changed in ERPNext')
  })

  it('frappe.client.submit with a stale full doc: 417 TimestampMismatchError, still a draft', async () => {
    const s = (await h().call('/api/resource/Student?limit=1')).body.data[0].name
    const ay = (await h().call('/api/resource/Academic Year')).body.data[0].name
    const draft = (
      await h().call('/api/method/frappe.client.insert', {
        method: 'POST',
        json: {
          doc: {
            doctype: 'Program Enrollment',
            student: s,
            program: 'Grade 10',
            academic_year: ay,
            enrollment_date: '2024-09-01',
          },
        },
      })
    ).body.message
    const changed = await h().call(`/api/resource/Program Enrollment/${draft.name}`, {
      method: 'PUT',
      json: { enrollment_date: '2024-09-02' },
    })
    const r = await h().call('/api/method/frappe.client.submit', { method: 'POST', json: { doc: draft } })
    expect(r.status).toBe(417)
    expect(r.body.exc_type).toBe('TimestampMismatchError')
    expectMismatch(serverMessages(r.body)[0]?.message, changed.body.data)
    expect(h().emulator.inspect.document('Program Enrollment', draft.name)?.docstatus).toBe(0)
  })

  it('bulk_update: an item with a stale modified fails with TimestampMismatchError, nothing written', async () => {
    const { stale, current } = await staleRead(h())
    const item = { doctype: 'Student', docname: stale.name, city: 'Stale', modified: stale.modified }
    const r = await h().call('/api/method/frappe.client.bulk_update', {
      method: 'POST',
      json: { docs: JSON.stringify([item]) },
    })
    expect(r.status).toBe(200)
    expect(r.body.message.failed_docs).toHaveLength(1)
    const exc: string = r.body.message.failed_docs[0].exc
    const last = exc.trim().split('\n').at(-1) ?? ''
    expect(last.startsWith('frappe.exceptions.TimestampMismatchError: ')).toBe(true)
    expectMismatch(last.slice('frappe.exceptions.TimestampMismatchError: '.length), current)
    expect(h().emulator.inspect.document('Student', stale.name)?.city).toBe('Changed in ERPNext')
    expect(h().emulator.inspect.document('Student', stale.name)?.modified).toBe(current.modified)
  })

  it('bulk_update: an item with the current modified is written', async () => {
    const { current } = await staleRead(h())
    const item = { doctype: 'Student', docname: current.name, city: 'Fresh', modified: current.modified }
    const r = await h().call('/api/method/frappe.client.bulk_update', {
      method: 'POST',
      json: { docs: JSON.stringify([item]) },
    })
    expect(r.body.message.failed_docs).toEqual([])
    expect(h().emulator.inspect.document('Student', current.name)?.city).toBe('Fresh')
  })

  it('bulk_update: the second of two items read at the same version loses', async () => {
    const { current } = await staleRead(h())
    const items = [
      { doctype: 'Student', docname: current.name, city: 'First', modified: current.modified },
      { doctype: 'Student', docname: current.name, city: 'Second', modified: current.modified },
    ]
    const r = await h().call('/api/method/frappe.client.bulk_update', {
      method: 'POST',
      json: { docs: JSON.stringify(items) },
    })
    expect(r.body.message.failed_docs).toHaveLength(1)
    expect(r.body.message.failed_docs[0].doc).toEqual(items[1])
    expect(h().emulator.inspect.document('Student', current.name)?.city).toBe('First')
  })
})
