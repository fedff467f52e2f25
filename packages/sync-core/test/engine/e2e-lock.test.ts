/**
 * End to end, `modified` optimistic lock: the real @edusync/erpnext-emulator HTTP server on loopback, the
 * real @edusync/erpnext-client, a real store and the engine. ERPNext's document changes between the
 * engine's read and its `bulk_update` write-back, so ERPNext answers TimestampMismatchError for the item;
 * the engine must re-fetch and resolve three-way (contract §7).
 */
import { createClient } from '@edusync/erpnext-client'
import { type RunningEmulator, startEmulator } from '@edusync/erpnext-emulator'
import { afterEach, describe, expect, it } from 'vitest'
import { erpnextPortFromClient } from '../../src/engine/client-port.js'
import { createSyncEngine } from '../../src/engine/engine.js'
import { educationDoctypes } from '../../src/engine/schemas.js'
import type { SyncEngine } from '../../src/engine/types.js'
import { memoryAdapter } from '../../src/memory.js'
import { type Store, createStore } from '../../src/storage/store.js'
import { testPrivacy } from './helpers/fixture.js'

interface BulkCall {
  items: Record<string, unknown>[]
  failed: { doc: Record<string, unknown>; exc: string }[]
}

interface Setup {
  erp: RunningEmulator
  store: Store
  engine: SyncEngine
  client: ReturnType<typeof createClient>
  /** Every `frappe.client.bulk_update` the engine sent, with ERPNext's `failed_docs`. */
  bulk: BulkCall[]
  close(): Promise<void>
}

let current: Setup | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})

/** Start the emulator and wire client, store and engine as test/engine/e2e.test.ts does. */
async function setup(onEnhance: (name: string, client: ReturnType<typeof createClient>) => Promise<void>) {
  const erp = await startEmulator({ seed: 'school-small', seedSize: 2, installAi: true, timeFactor: 0.001 })
  const bulk: BulkCall[] = []
  // Record bulk_update requests and answers on the wire (a pass-through around the real fetch).
  const recordingFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const isBulk = request.url.endsWith('/api/method/frappe.client.bulk_update')
    const sent = isBulk ? await request.clone().json() : undefined
    const response = await fetch(request)
    if (isBulk) {
      const body = await response.clone().json()
      bulk.push({ items: JSON.parse(sent.docs), failed: body.message?.failed_docs ?? [] })
    }
    return response
  }
  const client = createClient({
    url: erp.url,
    auth: { type: 'token', apiKey: erp.credentials.admin.apiKey, apiSecret: erp.credentials.admin.apiSecret },
    retry: { limit: 2, minDelay: 5, maxDelay: 20 },
    fetch: recordingFetch,
  } as never)
  const editor = createClient({
    url: erp.url,
    auth: { type: 'token', apiKey: erp.credentials.admin.apiKey, apiSecret: erp.credentials.admin.apiSecret },
  } as never)
  const store = createStore(memoryAdapter())
  const engine = createSyncEngine({
    client: erpnextPortFromClient(client),
    store,
    doctypes: educationDoctypes(['Student']),
    privacy: testPrivacy,
    pageSize: 200,
    retryBaseMs: 10,
    retryMaxMs: 50,
    pollIntervalMs: 5,
    enhancers: [
      {
        name: 'summary',
        doctypes: ['Student'],
        enhance: async ({ name }) => {
          await onEnhance(name, editor)
          return { fields: { ai_interaction_summary: 'ai summary' } }
        },
      },
    ],
  })
  current = {
    erp,
    store,
    engine,
    client,
    bulk,
    async close() {
      await engine.stop()
      await erp.close()
      await store.close()
    },
  }
  return current
}

describe('end to end: ERPNext changes a document between the read and the bulk_update write-back', () => {
  it('gets TimestampMismatchError, re-fetches, writes the AI field once and keeps ERPNext’s change', async () => {
    let changed: string | undefined
    const s = await setup(async (name, editor) => {
      // A teacher edits the student in ERPNext while the AI works on the version the engine read.
      if (changed !== undefined) return
      changed = name
      await editor.docUntyped('Student').update(name, { city: 'Teacher edit' } as never)
    })
    const before = new Map(s.erp.emulator.inspect.documents('Student').map((d) => [String(d.name), d]))
    await s.engine.backfill(['Student'])
    await s.engine.drain()
    expect(changed).toBeDefined()
    const name = changed!

    // First write-back: ERPNext refused the stale item with TimestampMismatchError.
    const first = s.bulk[0]!
    const staleItem = first.items.find((i) => i.docname === name)!
    expect(staleItem.modified).toBe(before.get(name)!.modified)
    const refusal = first.failed.find((f) => f.doc.docname === name)
    expect(refusal?.exc.trim().split('\n').at(-1)).toMatch(/^frappe\.exceptions\.TimestampMismatchError: /)
    expect(first.failed).toHaveLength(1)

    // The engine re-fetched and wrote again with ERPNext's current `modified`; that write succeeded.
    const retries = s.bulk.slice(1).flatMap((c) => c.items.filter((i) => i.docname === name))
    expect(retries).toHaveLength(1)
    expect(retries[0]).toMatchObject({ ai_interaction_summary: 'ai summary' })
    expect(retries[0]).not.toHaveProperty('city')
    expect(s.bulk.slice(1).flatMap((c) => c.failed)).toEqual([])

    // The AI-owned field was written exactly once per student, and ERPNext's change is kept.
    const written = s.bulk.flatMap((c) =>
      c.items.filter(
        (i) => !c.failed.some((f) => f.doc.docname === i.docname && f.doc.doctype === i.doctype),
      ),
    )
    expect(written.filter((i) => i.docname === name)).toHaveLength(1)
    const remote = s.erp.emulator.inspect.document('Student', name)!
    expect(remote.city).toBe('Teacher edit')
    expect(remote.ai_interaction_summary).toBe('ai summary')
    for (const d of s.erp.emulator.inspect.documents('Student'))
      expect(d.ai_interaction_summary).toBe('ai summary')

    // The mirror converges on ERPNext's final version.
    const mirrored = await s.store.documents.get('Student', name)
    expect(mirrored?.modified).toBe(remote.modified)
    expect(mirrored?.data.city).toBe('Teacher edit')

    // Nothing is left to write: another drain sends no bulk_update.
    const calls = s.bulk.length
    await s.engine.drain()
    expect(s.bulk.length).toBe(calls)
  })
})
