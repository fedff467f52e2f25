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

describe('package exports', () => {
  type Target = { types: string; default: string }
  const manifest = JSON.parse(read('../package.json')) as {
    exports: Record<string, Record<string, Target> | Target | string>
    dependencies?: Record<string, string>
  }
  /** Resolves like Node: the first key of the map whose condition is active. */
  const resolve = (conditions: string[]) => {
    const root = manifest.exports['.'] as Record<string, Target>
    const key = Object.keys(root).find((k) => conditions.includes(k))
    return key ? root[key]?.default : undefined
  }

  it.each([
    [['workerd', 'worker', 'browser', 'import', 'default'], './dist/web.js'],
    [['edge-light', 'worker', 'browser', 'node', 'import', 'default'], './dist/web.js'],
    [['deno', 'node', 'import', 'default'], './dist/web.js'],
    [['bun', 'node', 'import', 'default'], './dist/web.js'],
    [['browser', 'import', 'default'], './dist/web.js'],
    [['node', 'import', 'default'], './dist/node.js'],
    [['import', 'default'], './dist/web.js'],
  ])('conditions %j resolve to %s', (conditions, file) => {
    expect(resolve(conditions)).toBe(file)
  })

  it('lists types first in every target and has no runtime dependencies', () => {
    for (const [key, value] of Object.entries(manifest.exports)) {
      if (typeof value === 'string') continue
      const targets = 'types' in value ? [value] : Object.values(value as Record<string, Target>)
      for (const t of targets) expect(Object.keys(t)[0], key).toBe('types')
    }
    expect(manifest.dependencies ?? {}).toEqual({})
  })
})
