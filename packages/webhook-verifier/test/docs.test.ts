import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { verifyERPNextWebhookSync } from '../src/node.js'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

describe('documentation stays true', () => {
  it('the README shows exactly the template the Python vectors render', () => {
    // test/vectors/generate.py renders webhook-template.jinja with sandboxed Jinja like Frappe does.
    expect(read('../README.md')).toContain(`\`\`\`jinja\n${read('./vectors/webhook-template.jinja')}\`\`\``)
  })
})

const CONTRACT = new URL('../../../../shared/erpnext/contract.md', import.meta.url)

describe.skipIf(!existsSync(CONTRACT))('the shared ERPNext contract (skips when ../shared is absent)', () => {
  it("verifies the contract's own test vector, read from the contract", () => {
    const text = readFileSync(CONTRACT, 'utf8')
    const m = /Test vector[^:]*: body `(.+?)`, secret `(.+?)` → `(.+?)`/.exec(text)
    expect(m).not.toBeNull()
    const [, raw, secret, signature] = m as unknown as [string, string, string, string]
    const body = raw.replaceAll('\\\\', '\\')
    const result = verifyERPNextWebhookSync({
      body,
      headers: { 'X-Frappe-Webhook-Signature': signature },
      secret,
    })
    expect(result.payload).toEqual({ name: 'CUST-0001', grand_total: 100, city: 'Zürich' })
  })
})
