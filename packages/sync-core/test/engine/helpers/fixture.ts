import { createHmac } from 'node:crypto'
import { createSyncEngine } from '../../../src/engine/engine.js'
import { erpnextWebhookVerifier } from '../../../src/engine/webhook.js'
import type { ErpDoc, PrivacyPort } from '../../../src/engine/ports.js'
import type { SyncEngineOptions } from '../../../src/engine/types.js'
import { createFakeErpnext } from './fake-erpnext.js'
import { createStore } from '../../../src/storage/store.js'
import { memoryAdapter } from '../../../src/memory.js'

export const SECRET = 'whsec-test'

/** ERPNext's signature: base64 HMAC-SHA256 of the raw body. */
export function sign(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64')
}

/** A privacy port for tests: drops PII from views and "seals" PII fields with a reversible marker. */
export const testPrivacy: PrivacyPort = {
  view(_doctype, doc) {
    const { student_email_id: _e, student_mobile_number: _m, first_name: _f, ...rest } = doc
    return rest
  },
  seal(_doctype, _name, doc) {
    return typeof doc.student_email_id === 'string'
      ? { ...doc, student_email_id: `sealed:${Buffer.from(doc.student_email_id).toString('base64')}` }
      : { ...doc }
  },
  unseal(_doctype, _name, doc) {
    const v = doc.student_email_id
    return typeof v === 'string' && v.startsWith('sealed:')
      ? { ...doc, student_email_id: Buffer.from(v.slice(7), 'base64').toString() }
      : { ...doc }
  },
}

export function student(i: number, extra: ErpDoc = {}): ErpDoc {
  const n = String(i).padStart(5, '0')
  return {
    name: `EDU-STU-2025-${n}`,
    first_name: `First${n}`,
    student_email_id: `s${n}@school.test`,
    ai_learning_profile: null,
    guardians: [{ guardian: `EDU-GRD-2025-${n}`, relation: 'Mother' }],
    siblings: [],
    ...extra,
  }
}

export const STUDENT_CHILDREN = { guardians: 'Student Guardian', siblings: 'Student Sibling' }

/** A valid engine over a fake ERPNext and an in-memory store, with a controllable clock. */
export function setup(overrides: Partial<SyncEngineOptions> = {}) {
  const erp = createFakeErpnext()
  const clock = { now: 1_750_000_000_000 }
  const store = createStore(memoryAdapter(), { clock: () => clock.now, random: () => 0.5 })
  const options: SyncEngineOptions = {
    client: erp,
    store,
    doctypes: {
      Student: {
        children: STUDENT_CHILDREN,
        aiFields: ['ai_learning_profile', 'ai_interaction_summary'],
        validate: (doc) =>
          typeof doc.first_name === 'string' && doc.first_name !== ''
            ? { ok: true, value: doc }
            : { ok: false, issues: ['first_name: required'] },
      },
      Guardian: {},
      'Assessment Insight': { idempotencyField: 'idempotency_key' },
      'AI Engagement Log': { idempotencyField: 'idempotency_key' },
    },
    now: () => clock.now,
    random: () => 0.5,
    retryBaseMs: 1000,
    retryMaxMs: 60_000,
    maxAttempts: 3,
    verifyWebhook: erpnextWebhookVerifier(SECRET),
    ...overrides,
  }
  erp.unique.set('Assessment Insight', 'idempotency_key')
  erp.unique.set('AI Engagement Log', 'idempotency_key')
  const engine = createSyncEngine(options)
  return { engine, erp, store, clock, options }
}

export function webhook(body: unknown, signature?: string): Request {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return new Request('http://127.0.0.1/hook', {
    method: 'POST',
    body: text,
    headers: { 'x-frappe-webhook-signature': signature ?? sign(text) },
  })
}
