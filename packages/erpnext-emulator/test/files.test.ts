import { createHash } from 'node:crypto'
import { expect, it } from 'vitest'
import { conformance } from './harness.js'

const md5 = (s: string | Uint8Array) => createHash('md5').update(s).digest('hex')
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')

conformance('§5 frappe.client.attach_file, upload_file and /files', (h) => {
  const firstStudent = async (): Promise<string> =>
    (await h().call('/api/resource/Student?limit=1&order_by=name%20asc')).body.data[0].name
  const firstGuardian = async (): Promise<string> =>
    (await h().call('/api/resource/Guardian?limit=1&order_by=name%20asc')).body.data[0].name
  const attach = (json: Record<string, unknown>, auth: 'admin' | 'restricted' | 'none' = 'admin') =>
    h().call('/api/method/frappe.client.attach_file', { method: 'POST', json, auth })

  it('attaches base64 data, sets docfield on the document and serves the bytes at /files/<name>', async () => {
    const student = await firstStudent()
    const text = 'Report card, term 1\n'
    const r = await attach({
      filename: 'report card.txt',
      filedata: b64(text),
      decode_base64: 1,
      doctype: 'Student',
      docname: student,
      docfield: 'image',
    })
    expect(r.status).toBe(200)
    const file = r.body.message
    expect(file).toMatchObject({
      doctype: 'File',
      file_name: 'report card.txt',
      file_url: '/files/report card.txt',
      is_private: 0,
      file_type: 'TXT',
      file_size: Buffer.byteLength(text),
      content_hash: md5(text),
      folder: 'Home/Attachments',
      attached_to_doctype: 'Student',
      attached_to_name: student,
      attached_to_field: 'image',
      owner: 'Administrator',
      docstatus: 0,
    })
    expect(file.name).toMatch(/^[0-9a-f]{10}$/)
    const doc = await h().call(`/api/resource/Student/${student}`)
    expect(doc.body.data.image).toBe('/files/report card.txt')
    const served = await h().fetch('/files/report%20card.txt', { auth: 'none' })
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await served.text()).toBe(text)
    const listed = await h().call(
      `/api/resource/File?fields=["name","file_url"]&filters=${encodeURIComponent(JSON.stringify({ attached_to_name: student }))}`,
    )
    expect(listed.body.data).toEqual([{ name: file.name, file_url: '/files/report card.txt' }])
  })

  it('stores filedata as sent when decode_base64 is not set (Frappe default) and accepts a data-URL prefix when it is', async () => {
    const student = await firstStudent()
    const raw = await attach({
      filename: 'raw.txt',
      filedata: 'aGVsbG8=',
      doctype: 'Student',
      docname: student,
    })
    expect(raw.body.message.file_size).toBe(8)
    expect(await (await h().fetch('/files/raw.txt', { auth: 'none' })).text()).toBe('aGVsbG8=')
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255])
    const r = await attach({
      filename: 'photo.png',
      filedata: `data:image/png;base64,${Buffer.from(png).toString('base64')}`,
      decode_base64: true,
      doctype: 'Student',
      docname: student,
    })
    expect(r.body.message).toMatchObject({ file_type: 'PNG', file_size: png.length, content_hash: md5(png) })
    const served = await h().fetch('/files/photo.png', { auth: 'none' })
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png)
  })

  it('re-uses the URL of identical bytes and suffixes a clashing name with the content hash', async () => {
    const student = await firstStudent()
    const a = await attach({ filename: 'notes.txt', filedata: 'one', doctype: 'Student', docname: student })
    const same = await attach({ filename: 'copy.txt', filedata: 'one', doctype: 'Student', docname: student })
    expect(same.body.message.file_url).toBe(a.body.message.file_url)
    expect(same.body.message.name).not.toBe(a.body.message.name)
    const clash = await attach({
      filename: 'notes.txt',
      filedata: 'two',
      doctype: 'Student',
      docname: student,
    })
    const suffix = md5('two').slice(-6)
    expect(clash.body.message.file_name).toBe(`notes${suffix}.txt`)
    expect(clash.body.message.file_url).toBe(`/files/notes${suffix}.txt`)
    expect(await (await h().fetch('/files/notes.txt', { auth: 'none' })).text()).toBe('one')
    expect(await (await h().fetch(`/files/notes${suffix}.txt`, { auth: 'none' })).text()).toBe('two')
  })

  it('serves private files only to users who may read them', async () => {
    const student = await firstStudent()
    const guardian = await firstGuardian()
    const s = await attach({
      filename: 'medical.pdf',
      filedata: b64('%PDF-1.4 secret'),
      decode_base64: 1,
      is_private: 1,
      doctype: 'Student',
      docname: student,
    })
    expect(s.body.message).toMatchObject({ is_private: 1, file_url: '/private/files/medical.pdf' })
    const guest = await h().fetch('/private/files/medical.pdf', { auth: 'none' })
    expect(guest.status).toBe(403)
    expect(guest.headers.get('content-type')).toContain('text/html')
    expect(await guest.text()).not.toContain('%PDF')
    const admin = await h().fetch('/private/files/medical.pdf')
    expect(admin.status).toBe(200)
    expect(admin.headers.get('content-type')).toBe('application/pdf')
    expect(await admin.text()).toBe('%PDF-1.4 secret')
    // The restricted user reads Students, so the Student's private file too…
    expect((await h().fetch('/private/files/medical.pdf', { auth: 'restricted' })).status).toBe(200)
    // …but not a Guardian's.
    await attach({
      filename: 'id.pdf',
      filedata: 'guardian id',
      is_private: 1,
      doctype: 'Guardian',
      docname: guardian,
    })
    expect((await h().fetch('/private/files/id.pdf', { auth: 'restricted' })).status).toBe(403)
    expect((await h().fetch('/private/files/nothing.pdf')).status).toBe(403)
    expect((await h().fetch('/files/medical.pdf', { auth: 'none' })).status).toBe(404)
  })

  it('validates like Frappe: missing document 404, GET 403, Guest 403, no file name 417, read needed', async () => {
    const student = await firstStudent()
    const missing = await attach({
      filename: 'a.txt',
      filedata: 'x',
      doctype: 'Student',
      docname: 'EDU-STU-NOPE',
    })
    expect(missing.status).toBe(404)
    expect(missing.body.exc_type).toBe('DoesNotExistError')
    const get = await h().call(
      `/api/method/frappe.client.attach_file?filename=a.txt&filedata=x&doctype=Student&docname=${student}`,
    )
    expect(get.status).toBe(403)
    expect(
      (await attach({ filename: 'a.txt', filedata: 'x', doctype: 'Student', docname: student }, 'none'))
        .status,
    ).toBe(403)
    const noName = await attach({ filedata: 'x', doctype: 'Student', docname: student })
    expect(noName.status).toBe(417)
    expect(noName.body.exc_type).toBe('MandatoryError')
    const badField = await attach({
      filename: 'a.txt',
      filedata: 'x',
      doctype: 'Student',
      docname: student,
      docfield: 'image; drop',
    })
    expect(badField.status).toBe(417)
    const guardian = await firstGuardian()
    const noRead = await attach(
      { filename: 'a.txt', filedata: 'x', doctype: 'Guardian', docname: guardian },
      'restricted',
    )
    expect(noRead.status).toBe(403)
    expect(noRead.body.exc_type).toBe('PermissionError')
  })

  it('rolls the File and its bytes back when setting docfield is not permitted', async () => {
    const student = await firstStudent()
    const ok = await attach(
      { filename: 'mine.txt', filedata: 'mine', doctype: 'Student', docname: student },
      'restricted',
    )
    expect(ok.status).toBe(200)
    expect(ok.body.message.owner).toBe('restricted@example.com')
    const denied = await attach(
      { filename: 'photo.txt', filedata: 'denied', doctype: 'Student', docname: student, docfield: 'image' },
      'restricted',
    )
    expect(denied.status).toBe(403)
    expect((await h().fetch('/files/photo.txt', { auth: 'none' })).status).toBe(404)
    const count = await h().call(
      `/api/method/frappe.client.get_count?doctype=File&filters=${encodeURIComponent(JSON.stringify({ file_name: 'photo.txt' }))}`,
    )
    expect(count.body.message).toBe(0)
  })

  it('upload_file takes a multipart file part, checks write on an existing document and does not set fields', async () => {
    const student = await firstStudent()
    const form = () => {
      const f = new FormData()
      f.set('file', new Blob(['col1,col2\n1,2\n'], { type: 'text/csv' }), 'marks.csv')
      f.set('doctype', 'Student')
      f.set('docname', student)
      f.set('fieldname', 'image')
      f.set('is_private', '1')
      return f
    }
    const r = await h().call('/api/method/upload_file', { method: 'POST', body: form() })
    expect(r.status).toBe(200)
    expect(r.body.message).toMatchObject({
      doctype: 'File',
      file_name: 'marks.csv',
      file_url: '/private/files/marks.csv',
      is_private: 1,
      file_type: 'CSV',
      folder: 'Home',
      attached_to_doctype: 'Student',
      attached_to_name: student,
      attached_to_field: 'image',
      file_size: 14,
    })
    expect((await h().call(`/api/resource/Student/${student}`)).body.data.image).toBeUndefined()
    expect(await (await h().fetch('/private/files/marks.csv')).text()).toBe('col1,col2\n1,2\n')
    const restricted = await h().call('/api/method/upload_file', {
      method: 'POST',
      body: form(),
      auth: 'restricted',
    })
    expect(restricted.status).toBe(403)
    const guest = await h().call('/api/method/upload_file', { method: 'POST', body: form(), auth: 'none' })
    expect(guest.status).toBe(403)
    expect(guest.body.exc_type).toBe('PermissionError')
    const unsaved = new FormData()
    unsaved.set('file', new Blob(['draft']), 'draft.txt')
    unsaved.set('doctype', 'Student')
    unsaved.set('docname', 'new-student-1')
    const draft = await h().call('/api/v2/method/upload_file', {
      method: 'POST',
      body: unsaved,
      auth: 'restricted',
    })
    expect(draft.status).toBe(200)
    expect(draft.body.data).toMatchObject({ file_url: '/files/draft.txt', attached_to_name: 'new-student-1' })
  })

  it('upload_file with file_url links an existing file; other URLs are refused', async () => {
    const student = await firstStudent()
    await attach({ filename: 'shared.txt', filedata: 'shared', doctype: 'Student', docname: student })
    const r = await h().call('/api/method/upload_file', {
      method: 'POST',
      json: { file_url: '/files/shared.txt', doctype: 'Student', docname: student },
    })
    expect(r.body.message).toMatchObject({
      file_name: 'shared.txt',
      file_url: '/files/shared.txt',
      file_size: 6,
    })
    const remote = await h().call('/api/method/upload_file', {
      method: 'POST',
      json: { file_url: 'https://cdn.example.com/logo.png' },
    })
    expect(remote.body.message).toMatchObject({
      file_name: 'logo.png',
      file_url: 'https://cdn.example.com/logo.png',
    })
    const bad = await h().call('/api/method/upload_file', {
      method: 'POST',
      json: { file_url: 'ftp://x/y.txt' },
    })
    expect(bad.status).toBe(417)
    const none = await h().call('/api/method/upload_file', { method: 'POST', json: {} })
    expect(none.status).toBe(417)
    expect(none.body.exc_type).toBe('MandatoryError')
  })

  it('forgets stored bytes on reset()', async () => {
    const student = await firstStudent()
    await attach({ filename: 'gone.txt', filedata: 'gone', doctype: 'Student', docname: student })
    expect((await h().fetch('/files/gone.txt', { auth: 'none' })).status).toBe(200)
    h().emulator.reset()
    expect((await h().fetch('/files/gone.txt', { auth: 'none' })).status).toBe(404)
  })
})
