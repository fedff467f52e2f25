import { describe, expect, it } from 'vitest'
import {
  EmulatorClosedError,
  EmulatorDocumentError,
  EmulatorListenError,
  createEmulator,
  isEmulatorClosedError,
  isEmulatorDocumentError,
  isEmulatorError,
  isEmulatorListenError,
  startEmulator,
} from '../src/index.js'
import { createHandlers } from '../src/msw.js'

describe('options', () => {
  it('accepts no options', () => {
    expect(createEmulator().credentials.admin.user).toBe('Administrator')
  })

  it.each([
    [{ seed: 'school-huge' as never }, /options\.seed/],
    [{ seedSize: -1 }, /options\.seedSize/],
    [{ randomSeed: 1.5 }, /options\.randomSeed/],
    [{ timeFactor: -1 }, /options\.timeFactor/],
    [{ timeZone: 'Mars/Olympus' }, /options\.timeZone/],
    [{ maxBodyBytes: 0 }, /options\.maxBodyBytes/],
    [{ now: 5 as never }, /options\.now/],
    [{ firstDayOfWeek: 'Funday' as never }, /options\.firstDayOfWeek/],
    [{ faults: { routes: [{ status: 404 as never }] } }, /status/],
  ])('rejects %o naming the option', (opts, message) => {
    expect(() => createEmulator(opts)).toThrow(message)
  })

  it('rejects a bad port', async () => {
    await expect(startEmulator({ port: 70000 })).rejects.toThrow(/options\.port/)
  })

  it('rejects a bad baseUrl for msw handlers', () => {
    expect(() => createHandlers(createEmulator(), { baseUrl: 'not a url' })).toThrow(/baseUrl/)
  })

  it('is deterministic for a given randomSeed', () => {
    const a = createEmulator({
      seed: 'school-small',
      seedSize: 10,
      randomSeed: 7,
      now: () => 1_700_000_000_000,
    })
    const b = createEmulator({
      seed: 'school-small',
      seedSize: 10,
      randomSeed: 7,
      now: () => 1_700_000_000_000,
    })
    expect(a.credentials).toEqual(b.credentials)
    expect(a.inspect.documents('Student')).toEqual(b.inspect.documents('Student'))
    const c = createEmulator({
      seed: 'school-small',
      seedSize: 10,
      randomSeed: 8,
      now: () => 1_700_000_000_000,
    })
    expect(c.inspect.documents('Student')).not.toEqual(a.inspect.documents('Student'))
  })

  it('uses the site time zone for naive timestamps', () => {
    const e = createEmulator({ timeZone: 'Asia/Kolkata', now: () => Date.UTC(2024, 0, 1, 0, 0, 0) })
    const doc = e.insert('Gender', { gender: 'Other' })
    expect(doc.creation).toMatch(/^2024-01-01 05:30:00/)
  })
})

describe('errors', () => {
  it('refuses use after close with EmulatorClosedError', async () => {
    const e = createEmulator()
    await e.close()
    await expect(e.handle(new Request('http://x/api/method/frappe.ping'))).rejects.toSatisfy(
      isEmulatorClosedError,
    )
    expect(() => e.reset()).toThrow(EmulatorClosedError)
  })

  it('raises EmulatorDocumentError from insert with the Frappe exception type', () => {
    const e = createEmulator()
    try {
      e.insert('Gender', {})
      expect.unreachable()
    } catch (error) {
      expect(isEmulatorDocumentError(error)).toBe(true)
      expect(error).toBeInstanceOf(EmulatorDocumentError)
      expect((error as EmulatorDocumentError).excType).toBe('ValidationError')
      expect((error as EmulatorDocumentError).code).toBe('EMULATOR_DOCUMENT')
      expect((error as Error).message).toMatch(/^\[@edusync\/erpnext-emulator\] /)
      expect((error as EmulatorDocumentError).doctype).toBe('Gender')
    }
  })

  it('raises EmulatorListenError when the port is taken', async () => {
    const a = await startEmulator()
    const port = Number(new URL(a.url).port)
    try {
      await expect(startEmulator({ port })).rejects.toSatisfy(
        (e: unknown) => isEmulatorListenError(e) && e instanceof EmulatorListenError,
      )
    } finally {
      await a.close()
    }
  })

  it('guards are realm-safe (work on plain objects with the right name and code)', () => {
    expect(isEmulatorError({ name: 'EmulatorSeedError', code: 'EMULATOR_SEED' })).toBe(true)
    expect(isEmulatorError(new Error('x'))).toBe(false)
  })

  it('never puts API secrets in error bodies', async () => {
    const e = createEmulator()
    const secret = e.credentials.admin.apiSecret
    const res = await e.handle(
      new Request('http://x/api/resource/Student', {
        headers: { authorization: `token ${e.credentials.admin.apiKey}:${secret}x` },
      }),
    )
    expect(await res.text()).not.toContain(secret)
  })
})

describe('real HTTP webhook receiver', () => {
  it('delivers over the network with the raw body intact', async () => {
    const { createServer } = await import('node:http')
    const got: { body: string; headers: Record<string, unknown> }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += String(c)
      })
      req.on('end', () => {
        got.push({ body, headers: req.headers })
        res.end('ok')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as { port: number }).port
    const e = createEmulator({ seed: 'empty' })
    try {
      e.insert('Webhook', {
        name: 'w',
        webhook_doctype: 'Gender',
        webhook_docevent: 'after_insert',
        request_url: `http://127.0.0.1:${port}/hook`,
        enable_security: 1,
        webhook_secret: 'secret',
        webhook_data: [{ fieldname: 'name', key: 'name' }],
      })
      e.insert('Gender', { gender: 'Zürich' })
      await e.inspect.webhooksIdle()
      expect(got[0]?.body).toBe('{"name": "Z\\u00fcrich"}')
      expect(got[0]?.headers['content-type']).toBeUndefined()
      expect(got[0]?.headers['x-frappe-webhook-signature']).toBeTruthy()
    } finally {
      server.close()
    }
  })
})

describe('personal data stays out of EmulatorDocumentError messages', () => {
  it('does not quote field values in the message', () => {
    const e = createEmulator()
    e.insert('Gender', { gender: 'jane.doe@example.com' })
    try {
      e.insert('Gender', { gender: 'jane.doe@example.com' })
      expect.unreachable()
    } catch (error) {
      expect((error as Error).message).not.toContain('jane.doe')
      expect((error as EmulatorDocumentError).excType).toBe('DuplicateEntryError')
    }
  })
})

describe('inspection API', () => {
  it('returns plain JS numbers for float fields', () => {
    const e = createEmulator({ seed: 'school-small', seedSize: 4 })
    const scale = e.inspect.document('Grading Scale', 'Standard Grading')!
    expect((scale.intervals as { threshold: unknown }[])[0]!.threshold).toBe(85)
  })
})

describe('request log', () => {
  it('keeps at most requestLogLimit entries while counts stay exact', async () => {
    const e = createEmulator({ requestLogLimit: 2 })
    for (let i = 0; i < 5; i++) await e.handle(new Request('http://x/api/method/frappe.ping'))
    expect(e.inspect.requests()).toHaveLength(2)
    expect(e.inspect.count('GET /api/method/frappe.ping')).toBe(5)
    expect(e.inspect.count(/frappe\.ping$/)).toBe(5)
  })
})
