import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from '@edusync/erpnext-client'
import { type RunningEmulator, type StartEmulatorOptions, startEmulator } from '@edusync/erpnext-emulator'
import { createSyncEngine } from '../../../src/engine/engine.js'
import { erpnextPortFromClient } from '../../../src/engine/client-port.js'
import { educationDoctypes } from '../../../src/engine/schemas.js'
import type { SyncEngine, SyncEngineOptions, WebhookHandler } from '../../../src/engine/types.js'
import { erpnextWebhookVerifier } from '../../../src/engine/webhook.js'
import { memoryAdapter } from '../../../src/memory.js'
import { type Store, createStore } from '../../../src/storage/store.js'

export const WEBHOOK_SECRET = 'e2e-webhook-secret'

/** A node:http server on loopback that hands every request to a Fetch-style handler. */
export async function serve(handler: WebhookHandler): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const headers = new Headers()
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
    const response = await handler(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method ?? 'POST',
        headers,
        body: Buffer.concat(chunks),
      }),
    )
    res.writeHead(response.status, { 'content-type': 'application/json' })
    res.end(await response.text())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export interface E2E {
  erp: RunningEmulator
  store: Store
  engine: SyncEngine
  client: ReturnType<typeof createClient>
  close(): Promise<void>
}

export const E2E_DOCTYPES = [
  'Student',
  'Guardian',
  'Program Enrollment',
  'Assessment Insight',
  'AI Engagement Log',
]

/** The emulator on loopback, a real client, a store and an engine wired together. */
export async function startE2E(
  emulatorOptions: StartEmulatorOptions = {},
  engineOptions: Partial<SyncEngineOptions> = {},
  store: Store = createStore(memoryAdapter()),
): Promise<E2E> {
  const erp = await startEmulator({
    seed: 'school-small',
    installAi: true,
    timeFactor: 0.001,
    ...emulatorOptions,
  })
  const client = createClient({
    url: erp.url,
    auth: { type: 'token', apiKey: erp.credentials.admin.apiKey, apiSecret: erp.credentials.admin.apiSecret },
    retry: { limit: 2, minDelay: 5, maxDelay: 20 },
  } as never)
  const engine = createSyncEngine({
    client: erpnextPortFromClient(client),
    store,
    doctypes: educationDoctypes(E2E_DOCTYPES),
    verifyWebhook: erpnextWebhookVerifier(WEBHOOK_SECRET),
    pageSize: 200,
    retryBaseMs: 10,
    retryMaxMs: 50,
    pollIntervalMs: 5,
    ...engineOptions,
  })
  return {
    erp,
    store,
    engine,
    client,
    async close() {
      await engine.stop()
      await erp.close()
      await store.close()
    },
  }
}

/** Register an ERPNext Webhook that sends thin, signed events for a doctype. */
export async function registerWebhook(
  e: E2E,
  doctype: string,
  url: string,
  event = 'on_update',
): Promise<void> {
  await e.client.docUntyped('Webhook').create({
    name: `edusync-${doctype}-${event}`,
    webhook_doctype: doctype,
    webhook_docevent: event,
    request_url: url,
    request_structure: 'JSON',
    webhook_json:
      '{"doctype": "{{ doc.doctype }}", "name": "{{ doc.name }}", "modified": "{{ doc.modified }}"}',
    enable_security: 1,
    webhook_secret: WEBHOOK_SECRET,
  } as never)
}

/** ERPNext's documents in wire form, without the keys the mirror need not match exactly. */
export function strip(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(doc)) {
    if (v === null || v === undefined) continue
    if (Array.isArray(v)) out[k] = v.map((r) => strip(r as Record<string, unknown>))
    else out[k] = v
  }
  return out
}
