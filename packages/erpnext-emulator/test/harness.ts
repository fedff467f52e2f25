import { setupServer } from 'msw/node'
import { afterAll, beforeAll, beforeEach, describe } from 'vitest'
import { type Emulator, type EmulatorOptions, createEmulator, startEmulator } from '../src/index.js'
import { createHandlers } from '../src/msw.js'

/** A webhook receiver injected as the emulator's fetch. */
export interface Received {
  url: string
  method: string
  headers: Record<string, string>
  body: string
}

export interface Harness {
  readonly kind: 'http' | 'msw'
  readonly emulator: Emulator
  readonly base: string
  /** Webhook requests the emulator sent. */
  readonly received: Received[]
  /** Status codes the webhook receiver answers, consumed in order (default 200; 0 = hang until timeout). */
  readonly receiverStatuses: number[]
  /** Raw fetch against the emulator. `auth` defaults to the Administrator's token. */
  fetch(
    path: string,
    init?: RequestInit & { auth?: 'admin' | 'restricted' | 'none' | string },
  ): Promise<Response>
  /** fetch + parsed JSON body. */
  call(
    path: string,
    init?: RequestInit & { auth?: 'admin' | 'restricted' | 'none' | string; json?: unknown },
  ): Promise<{ status: number; body: any; headers: Headers }>
}

function makeHarness(
  kind: 'http' | 'msw',
  emulator: Emulator,
  base: string,
  received: Received[],
  statuses: number[],
): Harness {
  const h: Harness = {
    kind,
    emulator,
    base,
    received,
    receiverStatuses: statuses,
    async fetch(path, init = {}) {
      const { auth = 'admin', ...rest } = init
      const headers = new Headers(rest.headers)
      if (!headers.has('accept')) headers.set('accept', 'application/json')
      const c = emulator.credentials
      if (auth === 'admin') headers.set('authorization', `token ${c.admin.apiKey}:${c.admin.apiSecret}`)
      else if (auth === 'restricted')
        headers.set('authorization', `token ${c.restricted.apiKey}:${c.restricted.apiSecret}`)
      else if (auth !== 'none') headers.set('authorization', auth)
      return fetch(`${base}${path}`, { ...rest, headers, redirect: 'manual' })
    },
    async call(path, init = {}) {
      const { json, ...rest } = init
      const headers = new Headers(rest.headers)
      let body = rest.body
      if (json !== undefined) {
        headers.set('content-type', 'application/json')
        body = JSON.stringify(json)
      }
      const res = await h.fetch(path, { ...rest, headers, ...(body !== undefined ? { body } : {}) })
      const text = await res.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = text
      }
      return { status: res.status, body: parsed, headers: res.headers }
    },
  }
  return h
}

/**
 * Run the same conformance tests against the node:http server and the msw handlers. Each test starts
 * from a freshly reset emulator.
 */
export function conformance(
  title: string,
  fn: (h: () => Harness) => void,
  options: EmulatorOptions = {},
): void {
  describe.each(['http', 'msw'] as const)(`${title} [%s]`, (kind) => {
    let harness: Harness
    let close: () => Promise<void> = async () => {}
    const received: Received[] = []
    const statuses: number[] = []
    const receiver = async (url: string, init: RequestInit): Promise<Response> => {
      const headers: Record<string, string> = {}
      new Headers(init.headers).forEach((v, k) => {
        headers[k] = v
      })
      const raw = init.body as Uint8Array | undefined
      received.push({
        url,
        method: String(init.method),
        headers,
        body: raw ? new TextDecoder().decode(raw) : '',
      })
      const status = statuses.shift() ?? 200
      if (status === 0) {
        // 0 = never answer: wait for the emulator's per-attempt timeout to abort the request.
        return new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        })
      }
      return new Response('ok', { status })
    }
    const opts: EmulatorOptions = {
      seed: 'school-small',
      seedSize: 24,
      timeFactor: 0,
      fetch: receiver,
      ...options,
    }
    beforeAll(async () => {
      if (kind === 'http') {
        const erp = await startEmulator(opts)
        harness = makeHarness(kind, erp.emulator, erp.url, received, statuses)
        close = () => erp.close()
      } else {
        const emulator = createEmulator(opts)
        const base = 'http://erp.test'
        const server = setupServer(...createHandlers(emulator, { baseUrl: base }))
        server.listen({ onUnhandledRequest: 'error' })
        harness = makeHarness(kind, emulator, base, received, statuses)
        close = async () => {
          server.close()
          await emulator.close()
        }
      }
    })
    afterAll(async () => close())
    beforeEach(() => {
      harness.emulator.reset()
      received.length = 0
      statuses.length = 0
    })
    fn(() => harness)
  })
}

/** Decode Frappe's double-encoded `_server_messages`. */
export function serverMessages(body: {
  _server_messages?: string
}): { message: string; title?: string; indicator?: string }[] {
  return body._server_messages
    ? (JSON.parse(body._server_messages) as string[]).map((s) => JSON.parse(s))
    : []
}

/** A valid new Student. */
export function studentFixture(n = 1): Record<string, unknown> {
  return {
    first_name: 'Ada',
    middle_name: 'K',
    last_name: `Lovelace${n}`,
    student_email_id: `ada${n}@example.edu`,
    gender: 'Female',
  }
}
