import { describe, expect, it } from 'vitest'
import { educationDoctypes } from '../../src/engine/schemas.js'
import { erpnextPortFromClient } from '../../src/engine/client-port.js'
import { erpnextWebhookVerifier } from '../../src/engine/webhook.js'
import { sign } from './helpers/fixture.js'

describe('educationDoctypes', () => {
  it('derives child tables, AI fields and validation from @edusync/doctype-schemas', () => {
    const { Student } = educationDoctypes(['Student'])
    expect(Student?.children).toMatchObject({ guardians: 'Student Guardian', siblings: 'Student Sibling' })
    expect(Student?.aiFields).toContain('ai_learning_profile')
    expect(Student?.idempotencyField).toBeUndefined()
  })

  it('marks the AI doctypes as insert-only with their idempotency key', () => {
    expect(educationDoctypes(['Assessment Insight'])['Assessment Insight']?.idempotencyField).toBe(
      'idempotency_key',
    )
  })

  it('validates with the read schema and lists the issues without values', () => {
    const { Student } = educationDoctypes(['Student'])
    const result = Student!.validate!({ name: 'EDU-STU-1', first_name: 42 })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues.join(' ')).toContain('first_name')
  })

  it('rejects an unknown doctype', () => {
    expect(() => educationDoctypes(['Spaceship'])).toThrow(RangeError)
  })

  it('applies overrides', () => {
    expect(educationDoctypes(['Guardian'], { Guardian: { sync: false } }).Guardian?.sync).toBe(false)
  })
})

describe('erpnextWebhookVerifier', () => {
  const body = '{"doctype": "Student", "name": "EDU-STU-1"}'
  it("accepts ERPNext's signature over the raw body", async () => {
    const verify = erpnextWebhookVerifier('whsec-test')
    const headers = new Headers({ 'x-frappe-webhook-signature': sign(body) })
    expect(await verify(new TextEncoder().encode(body), headers)).toEqual({ ok: true })
  })

  it('says why a delivery fails', async () => {
    const verify = erpnextWebhookVerifier('whsec-test')
    expect(await verify(new TextEncoder().encode(body), new Headers())).toMatchObject({ ok: false })
  })

  it('accepts the old secret during a rotation', async () => {
    const verify = erpnextWebhookVerifier(['new-secret', 'whsec-test'])
    const headers = new Headers({ 'x-frappe-webhook-signature': sign(body) })
    expect(await verify(new TextEncoder().encode(body), headers)).toEqual({ ok: true })
  })

  it('refuses an empty secret', () => {
    expect(() => erpnextWebhookVerifier('')).toThrow(TypeError)
  })
})

describe('erpnextPortFromClient', () => {
  it('refuses something that is not a client', () => {
    expect(() => erpnextPortFromClient({} as never)).toThrow(TypeError)
  })
})
