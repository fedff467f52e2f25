// One contract, run against every framework adapter over real HTTP on 127.0.0.1 (port 0).
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { erpnextWebhook as expressWebhook } from '../src/express.js'
import { erpnextWebhookPlugin } from '../src/fastify.js'
import { createFetchHandler } from '../src/fetch.js'
import { erpnextWebhook as honoWebhook } from '../src/hono.js'
import { signERPNextWebhookSync, type VerifiedWebhook } from '../src/index.js'
import { createNodeHandler } from '../src/node-http.js'

const SECRET = 'school-secret'
const MAX = 4096

/** What each adapter test needs: start a server for the given options and say where it listens. */
interface Harness {
  name: string
  start(options: AdapterTestOptions): Promise<{ url: string; close(): Promise<void> }>
}
interface AdapterTestOptions {
  secret: string
  maxBodyBytes: number
  onEvent: (event: VerifiedWebhook) => unknown
  onError: (error: unknown) => void
}

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const harnesses: Harness[] = [
  { name: 'node:http', start: (o) => listen(createServer(createNodeHandler(o))) },
  {
    name: 'express',
    start: (o) => {
      const app = express()
      app.post('/hook', expressWebhook(o))
      app.use(express.json()) // other routes keep their JSON parsing
      return listen(createServer(app))
    },
  },
  {
    name: 'fastify',
    start: async (o) => {
      const app = Fastify()
      await app.register(erpnextWebhookPlugin({ ...o, path: '/hook' }))
      await app.listen({ port: 0, host: '127.0.0.1' })
      const { port } = app.server.address() as AddressInfo
      return { url: `http://127.0.0.1:${port}/hook`, close: () => app.close() }
    },
  },
  {
    name: 'hono',
    start: async (o) => {
      const app = new Hono()
      app.post('/hook', honoWebhook(o))
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await once(server, 'listening')
      const { port } = server.address() as AddressInfo
      return {
        url: `http://127.0.0.1:${port}/hook`,
        close: () => new Promise((r) => server.close(() => r())),
      }
    },
  },
  {
    // Next.js route handlers are `(request: Request) => Promise<Response>`: the same contract, served here
    // through a plain Fetch-to-node:http bridge.
    name: 'fetch (Next.js route handler)',
    start: async (o) => {
      const handler = createFetchHandler(o)
      const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }) as Server
      await once(server, 'listening')
      const { port } = server.address() as AddressInfo
      return {
        url: `http://127.0.0.1:${port}/hook`,
        close: () => new Promise((r) => server.close(() => r())),
      }
    },
  },
]

const payload = { doctype: 'Student', name: 'EDU-STU-0001', event: 'on_update' }
const signed = signERPNextWebhookSync(payload, SECRET)
const bytes = new TextEncoder().encode(signed.body)

describe.each(harnesses)('$name adapter', (harness) => {
  let stop: (() => Promise<void>) | undefined
  afterEach(async () => {
    await stop?.()
    stop = undefined
  })

  async function start(onEvent: (event: VerifiedWebhook) => unknown = () => {}) {
    const events: VerifiedWebhook[] = []
    const errors: unknown[] = []
    const server = await harness.start({
      secret: SECRET,
      maxBodyBytes: MAX,
      onEvent: async (event) => {
        events.push(event)
        await onEvent(event)
      },
      onError: (error) => errors.push(error),
    })
    stop = server.close
    // ERPNext sends bytes with no Content-Type unless a header row adds one; a Uint8Array body does the same.
    const post = (body: BodyInit = bytes, headers: Record<string, string> = signed.headers) =>
      fetch(server.url, { method: 'POST', body, headers })
    return { events, errors, post }
  }

  it('hands the verified event to the callback and answers 200', async () => {
    const { events, post } = await start()
    const res = await post()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true })
    expect(events.map((e) => e.payload)).toEqual([payload])
  })

  it('also works when a Content-Type header row is configured', async () => {
    const { events, post } = await start()
    const res = await post(bytes, { ...signed.headers, 'Content-Type': 'application/json' })
    expect(res.status).toBe(200)
    expect(events).toHaveLength(1)
  })

  it('answers 401 with a JSON error for a bad signature, without calling back', async () => {
    const { events, post } = await start()
    const res = await post(bytes, { 'X-Frappe-Webhook-Signature': `${'A'.repeat(43)}=` })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: { code: 'signature_mismatch' } })
    expect(events).toHaveLength(0)
  })

  it('answers 401 missing_signature when security is off in ERPNext', async () => {
    const { post } = await start()
    const res = await post(bytes, {})
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: { code: 'missing_signature' } })
  })

  it('acknowledges a retried delivery as a duplicate without calling back twice', async () => {
    const { events, post } = await start()
    await post()
    const res = await post()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, duplicate: true })
    expect(events).toHaveLength(1)
  })

  it('answers 500 when the callback throws, and accepts the retry', async () => {
    let fail = true
    const { events, errors, post } = await start(() => {
      if (fail) throw new Error('database down')
    })
    const first = await post()
    expect(first.status).toBe(500)
    expect(await first.json()).toMatchObject({ error: { code: 'handler_failed' } })
    expect(errors).toHaveLength(1)
    fail = false
    expect((await post()).status).toBe(200)
    expect(events).toHaveLength(2)
  })

  it('answers 413 for a body over the limit', async () => {
    const { events, post } = await start()
    const big = signERPNextWebhookSync({ padding: 'x'.repeat(MAX) }, SECRET)
    const res = await post(new TextEncoder().encode(big.body), big.headers)
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ error: { code: 'too_large' } })
    expect(events).toHaveLength(0)
  })
})

describe('express with a JSON parser in front', () => {
  it('reports body_not_raw instead of a bare mismatch', async () => {
    const app = express()
    app.use(express.json({ type: () => true }))
    app.post('/hook', expressWebhook({ secret: SECRET, onEvent: () => {} }))
    const server = await listen(createServer(app))
    try {
      const res = await fetch(server.url, { method: 'POST', body: bytes, headers: signed.headers })
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ error: { code: 'body_not_raw' } })
    } finally {
      await server.close()
    }
  })

  it('uses the Buffer left by express.raw()', async () => {
    const app = express()
    app.post(
      '/hook',
      express.raw({ type: () => true }),
      expressWebhook({ secret: SECRET, onEvent: () => {} }),
    )
    const server = await listen(createServer(app))
    try {
      const res = await fetch(server.url, { method: 'POST', body: bytes, headers: signed.headers })
      expect(res.status).toBe(200)
    } finally {
      await server.close()
    }
  })
})

describe('fetch handler with real Request objects (Next.js route handlers)', () => {
  it('verifies a Request and returns a Response', async () => {
    const seen: unknown[] = []
    const POST = createFetchHandler({ secret: SECRET, onEvent: (e) => void seen.push(e.payload) })
    const res = await POST(
      new Request('http://localhost/api/erpnext', { method: 'POST', body: bytes, headers: signed.headers }),
    )
    expect(res.status).toBe(200)
    expect(seen).toEqual([payload])
  })

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const POST = createFetchHandler({ secret: SECRET, maxBodyBytes: 10, onEvent: () => {} })
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(100))
      },
    })
    const req = new Request('http://localhost/', {
      method: 'POST',
      body,
      headers: { ...signed.headers, 'content-length': '1000000' },
      duplex: 'half',
    } as RequestInit)
    const res = await POST(req)
    expect(res.status).toBe(413)
    expect(pulled).toBeLessThanOrEqual(1)
  })

  it('stops reading a stream once it exceeds the limit', async () => {
    const POST = createFetchHandler({ secret: SECRET, maxBodyBytes: 250, onEvent: () => {} })
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(100))
      },
    })
    const res = await POST(
      new Request('http://localhost/', {
        method: 'POST',
        body,
        headers: signed.headers,
        duplex: 'half',
      } as RequestInit),
    )
    expect(res.status).toBe(413)
    expect(pulled).toBeLessThan(10)
  })

  it('rejects bad adapter options at creation', () => {
    expect(() => createFetchHandler({ secret: SECRET } as never)).toThrow(/onEvent/)
    expect(() => createFetchHandler({ secret: '', onEvent: () => {} })).toThrow(TypeError)
  })
})
