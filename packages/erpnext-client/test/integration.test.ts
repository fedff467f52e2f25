/**
 * Every public method and every error class against @edusync/erpnext-emulator, served two ways: over a
 * real HTTP server on 127.0.0.1 and through msw handlers in process. The same suite runs on both.
 */
import { createEmulator, type Emulator, startEmulator } from '@edusync/erpnext-emulator'
import { createHandlers } from '@edusync/erpnext-emulator/msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type ClientOptions,
  createClient,
  createOAuthFlow,
  type ERPNextClient,
  isAuthenticationError,
  isDuplicateEntryError,
  isLinkExistsError,
  isLinkValidationError,
  isLoginRedirectError,
  isMandatoryError,
  isNetworkError,
  isNotFoundError,
  isPermissionError,
  isRateLimitError,
  isServerError,
  isTimeoutError,
  isTimestampMismatchError,
  isUniqueValidationError,
  isUpdateAfterSubmitError,
  isValidationError,
  type RetryInfo,
} from '../src/index.js'

interface Target {
  url: string
  emulator: Emulator
  admin: { apiKey: string; apiSecret: string; password: string; user: string }
  restricted: { apiKey: string; apiSecret: string }
  close(): Promise<void>
}

async function httpTarget(): Promise<Target> {
  const erp = await startEmulator({ seed: 'school-small' })
  return {
    url: erp.url,
    emulator: erp.emulator,
    admin: erp.credentials.admin,
    restricted: erp.credentials.restricted,
    close: () => erp.close(),
  }
}

async function mswTarget(): Promise<Target> {
  const emulator = createEmulator({ seed: 'school-small' })
  const url = 'http://erp.msw.test'
  const server = setupServer(...createHandlers(emulator, { baseUrl: url }))
  server.listen({ onUnhandledRequest: 'error' })
  return {
    url,
    emulator,
    admin: emulator.credentials.admin,
    restricted: emulator.credentials.restricted,
    close: async () => {
      server.close()
      await emulator.close()
    },
  }
}

for (const [label, start] of [
  ['HTTP server', httpTarget],
  ['msw handlers', mswTarget],
] as const) {
  describe(`against the emulator (${label})`, () => {
    let t: Target
    let client: ERPNextClient
    const make = (options: Partial<ClientOptions> = {}) =>
      createClient({
        url: t.url,
        auth: { type: 'token', apiKey: t.admin.apiKey, apiSecret: t.admin.apiSecret },
        retry: { minDelay: 1, maxDelay: 5 },
        ...options,
      })
    beforeAll(async () => {
      t = await start()
      client = make()
    })
    afterAll(async () => {
      await t.close()
    })
    beforeEach(() => {
      t.emulator.faults.clear()
      t.emulator.inspect.clearRequests()
    })
    const someStudent = async () =>
      (await client.doc('Student').list({ fields: ['name', 'modified'], limit: 1 }))[0]!

    it('get, list, count and iterate read Students', async () => {
      const rows = await client
        .doc('Student')
        .list({ fields: ['name', 'first_name'], filters: { enabled: 1 }, limit: 5 })
      expect(rows).toHaveLength(5)
      const doc = await client.doc('Student').get(rows[0]!.name)
      expect(doc.first_name).toBe(rows[0]!.first_name)
      const total = await client.doc('Student').count()
      let seen = 0
      const names = new Set<string>()
      for await (const row of client.doc('Student').iterate({ fields: ['name'], pageSize: 50 })) {
        seen++
        names.add(row.name)
      }
      expect(seen).toBe(total)
      expect(names.size).toBe(total)
    })

    it('iterate() is stable under concurrent writes: nothing skipped, only changed documents seen twice', async () => {
      const before = new Set(
        (await client.doc('Student').list({ fields: ['name'], limit: 0 })).map((r) => r.name),
      )
      const seen = new Map<string, number>()
      const changed = new Set<string>()
      let revisited = ''
      let page = 0
      for await (const row of client.doc('Student').iterate({ fields: ['name'], pageSize: 25 })) {
        seen.set(row.name, (seen.get(row.name) ?? 0) + 1)
        if (++page === 30) {
          // Mid-walk: change one document already yielded and one not yet reached.
          const done = [...seen.keys()][0]!
          revisited = done
          const ahead = [...before].find((n) => !seen.has(n))!
          for (const name of [done, ahead]) {
            await client.doc('Student').update(name, { student_mobile_number: `+41 ${page}` })
            changed.add(name)
          }
        }
      }
      for (const name of before) expect(seen.has(name), name).toBe(true)
      for (const [name, times] of seen) expect(times, name).toBe(name === revisited ? 2 : 1)
    })

    it('typed child-table filters and fields', async () => {
      const withGuardian = await client.doc('Student').list({
        fields: ['name', 'guardians.guardian'],
        filters: [['Student Guardian', 'guardian', 'is', 'set']],
        limit: 3,
      })
      expect(withGuardian.length).toBeGreaterThan(0)
      expect(typeof withGuardian[0]!.guardian).toBe('string')
    })

    it('create, update with ifModified, TimestampMismatchError on a stale modified, delete, NotFoundError', async () => {
      const email = `it.${label.replace(/\W/g, '')}.${Date.now()}@example.org`
      const created = await client
        .doc('Student')
        .create({ first_name: 'Ivy', last_name: 'Test', student_email_id: email })
      expect(created.name).toMatch(/^EDU-STU-/)
      const updated = await client
        .doc('Student')
        .update(created.name, { last_name: 'Tested' }, { ifModified: created.modified })
      expect(updated.last_name).toBe('Tested')
      const stale = await client
        .doc('Student')
        .update(created.name, { last_name: 'Again' }, { ifModified: created.modified })
        .catch((e: unknown) => e)
      expect(isTimestampMismatchError(stale)).toBe(true)
      expect((stale as { docname: string }).docname).toBe(created.name)
      await client.doc('Student').delete(created.name)
      const gone = await client
        .doc('Student')
        .get(created.name)
        .catch((e: unknown) => e)
      expect(isNotFoundError(gone)).toBe(true)
    })

    it('getValue and setValue', async () => {
      const s = await someStudent()
      const v = await client.doc('Student').getValue(s.name, ['first_name', 'enabled'])
      expect(typeof v?.first_name).toBe('string')
      const saved = await client.doc('Student').setValue(s.name, { student_mobile_number: '+41 00 0000000' })
      expect(saved.student_mobile_number).toBe('+41 00 0000000')
      expect(await client.doc('Student').getValue({ first_name: 'NoSuchName-xyz' }, ['name'])).toBeUndefined()
    })

    it('submit, cancel and UpdateAfterSubmitError on Program Enrollment', async () => {
      const [pe] = await client
        .doc('Program Enrollment')
        .list({ fields: ['*'], filters: { docstatus: 1 }, limit: 1 })
      const err = await client
        .doc('Program Enrollment')
        .update(pe!.name, { program: pe!.program === 'Grade 12' ? 'Grade 11' : 'Grade 12' })
        .catch((e: unknown) => e)
      expect(isUpdateAfterSubmitError(err)).toBe(true)
      const cancelled = await client.doc('Program Enrollment').cancel(pe!.name)
      expect(cancelled.docstatus).toBe(2)
      const draft = await client.doc('Program Enrollment').create({
        student: pe!.student,
        program: pe!.program,
        academic_year: pe!.academic_year,
        enrollment_date: pe!.enrollment_date,
      })
      const submitted = await client.doc('Program Enrollment').submit(draft.name)
      expect(submitted.docstatus).toBe(1)
    })

    it('MandatoryError, LinkValidationError, UniqueValidationError, DuplicateEntryError, LinkExistsError', async () => {
      const mandatory = await client
        .doc('Student')
        .create({ last_name: 'X' } as never, { validateOutgoing: false })
        .catch((e: unknown) => e)
      expect(isMandatoryError(mandatory)).toBe(true)
      const existing = await client.doc('Student').get((await someStudent()).name)
      const unique = await client
        .doc('Student')
        .create({ first_name: 'Dup', student_email_id: existing.student_email_id })
        .catch((e: unknown) => e)
      expect(isUniqueValidationError(unique) || isDuplicateEntryError(unique)).toBe(true)
      const link = await client
        .doc('Student')
        .create({
          first_name: 'L',
          student_email_id: `l.${Date.now()}@x.org`,
          guardians: [{ guardian: 'EDU-GRD-NOPE', guardian_name: 'Nobody' }],
        })
        .catch((e: unknown) => e)
      expect(isLinkValidationError(link)).toBe(true)
      const [course] = await client.doc('Course').list({ fields: ['name', 'course_name'], limit: 1 })
      const dup = await client
        .doc('Course')
        .create({ course_name: course!.course_name })
        .catch((e: unknown) => e)
      expect(isDuplicateEntryError(dup)).toBe(true)
      const linked = await client
        .doc('Student')
        .delete(existing.name)
        .catch((e: unknown) => e)
      expect(isLinkExistsError(linked)).toBe(true)
    })

    it('AuthenticationError for a bad secret, PermissionError for Guest and the restricted user', async () => {
      const bad = make({ auth: { type: 'token', apiKey: t.admin.apiKey, apiSecret: 'wrong' } })
      expect(
        isAuthenticationError(
          await bad
            .doc('Student')
            .list()
            .catch((e: unknown) => e),
        ),
      ).toBe(true)
      const guest = make({ auth: { type: 'none' } })
      const g = await guest
        .doc('Student')
        .list()
        .catch((e: unknown) => e)
      expect(isPermissionError(g)).toBe(true)
      expect((g as { probableCause: string }).probableCause).toBe('credentials')
      const restricted = make({ auth: { type: 'token', ...t.restricted } })
      const r = await restricted
        .doc('Guardian')
        .create({ guardian_name: 'X' })
        .catch((e: unknown) => e)
      expect(isPermissionError(r)).toBe(true)
    })

    it('session login keeps the cookie', async () => {
      if (label === 'msw handlers') {
        // msw sees the Set-Cookie header too; the flow is the same.
      }
      const session = make({ auth: { type: 'session', username: t.admin.user, password: t.admin.password } })
      expect((await session.doc('Student').list({ limit: 2 })).length).toBe(2)
      expect(await session.call('frappe.auth.get_logged_user', {})).toBe(t.admin.user)
    })

    it('OAuth 2.0 authorization code with PKCE, then Bearer requests', async () => {
      const { clientId, redirectUri } = t.emulator.oauthClient
      const flow = createOAuthFlow({ url: t.url, clientId, redirectUri })
      const pkce = await flow.createPkce()
      const state = flow.createState()
      const authorize = await fetch(flow.authorizeUrl({ state, codeChallenge: pkce.codeChallenge }), {
        redirect: 'manual',
        headers: { Authorization: `token ${t.admin.apiKey}:${t.admin.apiSecret}` },
      })
      const location = new URL(String(authorize.headers.get('location')))
      expect(location.searchParams.get('state')).toBe(state)
      const tokens = await flow.exchangeCode({
        code: String(location.searchParams.get('code')),
        codeVerifier: pkce.codeVerifier,
      })
      const oauth = make({ auth: { type: 'oauth', clientId, tokens } })
      expect(await oauth.call('frappe.auth.get_logged_user', {})).toBe(t.admin.user)
      const refreshed = await flow.refresh(String(tokens.refreshToken))
      expect(refreshed.accessToken).not.toBe(tokens.accessToken)
    })

    it('ValidationError (DataError) for an unknown column, LoginRedirectError for a Guest sent to /login', async () => {
      const dataError = await make({ meta: false })
        .docUntyped('Student')
        .list({ fields: ['no_such_column'] })
        .catch((e: unknown) => e)
      expect(isValidationError(dataError)).toBe(true)
      expect((dataError as { excType: string }).excType).toBe('DataError')
      const guest = make({ auth: { type: 'none' } })
      const { clientId, redirectUri } = t.emulator.oauthClient
      const redirected = await guest
        .call(
          'frappe.integrations.oauth2.authorize',
          { client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'all' },
          { verb: 'GET' },
        )
        .catch((e: unknown) => e)
      expect(isLoginRedirectError(redirected)).toBe(true)
    })

    it('call() with typed frappe.client methods', async () => {
      expect(await client.call('frappe.client.get_count', { doctype: 'Student' })).toBeGreaterThan(0)
      expect(await client.call('frappe.ping')).toBe('pong')
    })

    it('getMany fetches 50 Students with guardians in 2 requests', async () => {
      const names = (await client.doc('Student').list({ fields: ['name'], limit: 50 })).map((r) => r.name)
      t.emulator.inspect.clearRequests()
      const result = await client.getMany('Student', names, { withChildren: ['guardians'] })
      expect(t.emulator.inspect.requests()).toHaveLength(2)
      expect(result.docs).toHaveLength(50)
      const one = await client.doc('Student').get(names[0]!)
      expect(
        (result.docs[0] as { guardians: { guardian: string }[] }).guardians.map((g) => g.guardian),
      ).toEqual((one.guardians ?? []).map((g) => g.guardian))
    })

    it('bulkUpdate returns per-item failures (a stale modified), insertMany is all-or-nothing per chunk', async () => {
      const [a, b] = await client.doc('Student').list({ fields: ['name', 'modified'], limit: 2 })
      const summary = await client.bulkUpdate([
        { doctype: 'Student', docname: a!.name, student_mobile_number: '+41 11 1111111' },
        {
          doctype: 'Student',
          docname: b!.name,
          student_mobile_number: '+41 22 2222222',
          modified: '2000-01-01 00:00:00',
        },
      ])
      expect(summary.updatedCount).toBe(1)
      expect(summary.failed[0]?.docname).toBe(b!.name)
      expect(isTimestampMismatchError(summary.failed[0]?.error)).toBe(true)
      const ok = await client.insertMany('Guardian', [{ guardian_name: 'G One' }, { guardian_name: 'G Two' }])
      expect(ok.complete).toBe(true)
      expect(ok.names).toHaveLength(2)
      const before = await client.doc('Guardian').count()
      const partial = await client.insertMany(
        'Guardian',
        [{ guardian_name: 'G3' }, { mobile_number: '+41 00' }],
        { validateOutgoing: false },
      )
      expect(partial.complete).toBe(false)
      expect(partial.chunks[0]?.status).toBe('failed')
      expect(await client.doc('Guardian').count()).toBe(before)
    })

    it('retries GETs through injected 503s and drops; gives up on writes', async () => {
      const retries: RetryInfo[] = []
      const c = make({ hooks: { beforeRetry: [(i) => retries.push(i)] } })
      t.emulator.faults.set({
        routes: [{ path: '/api/resource/Student', method: 'GET', status: 503, times: 2 }],
      })
      await expect(c.doc('Student').list({ limit: 1 })).resolves.toHaveLength(1)
      expect(retries).toHaveLength(2)
      t.emulator.faults.set({
        routes: [{ path: '/api/resource/Student', method: 'GET', drop: true, times: 1 }],
      })
      await expect(c.doc('Student').list({ limit: 1 })).resolves.toHaveLength(1)
      t.emulator.faults.set({ routes: [{ path: '/api/resource/Guardian', method: 'POST', status: 503 }] })
      const write = await c
        .doc('Guardian')
        .create({ guardian_name: 'W' })
        .catch((e: unknown) => e)
      expect(isServerError(write)).toBe(true)
      t.emulator.faults.set({ routes: [{ path: '/api/resource/Student', method: 'GET', drop: true }] })
      const dropped = await make({ retry: false })
        .doc('Student')
        .list({ limit: 1 })
        .catch((e: unknown) => e)
      expect(isNetworkError(dropped)).toBe(true)
    })

    it('waits for Retry-After on a 429, then succeeds', async () => {
      const waits: number[] = []
      const c = make({ sleep: async (ms) => void waits.push(ms) })
      t.emulator.faults.set({ routes: [{ path: '/api/resource/Student', retryAfter: 3, times: 1 }] })
      await expect(c.doc('Student').list({ limit: 1 })).resolves.toHaveLength(1)
      expect(waits).toContain(3000)
      t.emulator.faults.set({ routes: [{ path: '/api/resource/Student', retryAfter: 3 }] })
      const limited = await make({ retry: false })
        .doc('Student')
        .list({ limit: 1 })
        .catch((e: unknown) => e)
      expect(isRateLimitError(limited)).toBe(true)
      expect((limited as { retryAfter: number }).retryAfter).toBe(3000)
    })

    it('TimeoutError when the server hangs', async () => {
      t.emulator.faults.set({ routes: [{ path: '/api/resource/Student', timeout: true, hangMs: 2000 }] })
      const e = await make({ timeout: 100, retry: false })
        .doc('Student')
        .list({ limit: 1 })
        .catch((x: unknown) => x)
      expect(isTimeoutError(e)).toBe(true)
    })

    it('meta, drift and ensureCustomizations (idempotent)', async () => {
      // The AI doctypes belong to the Education module, which a real site with the Education app has.
      const modules = await client.docUntyped('Module Def').list({ filters: { name: 'Education' } })
      if (modules.length === 0)
        await client.docUntyped('Module Def').create({ module_name: 'Education', app_name: 'education' })
      const meta = await client.meta('Student')
      expect(meta.fields.some((f) => f.fieldname === 'first_name')).toBe(true)
      const first = await client.setup.ensureCustomizations()
      expect(first.refused).toEqual([])
      const second = await client.setup.ensureCustomizations()
      expect(second.created).toEqual([])
      expect(second.changed).toEqual([])
      const drift = await client.checkDrift(['Student', 'Guardian', 'Program Enrollment'])
      expect(drift.doctypes.every((d) => d.removed.length === 0 && d.retyped.length === 0)).toBe(true)
    })
  })
}
