/**
 * Reads keep working through random faults (5xx, dropped connections, 429 with Retry-After), and writes
 * are never repeated. Short form always; `EDUSYNC_HEAVY=1` runs the long form.
 */
import { startEmulator } from '@edusync/erpnext-emulator'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createClient, isERPNextError } from '../src/index.js'

const HEAVY = process.env.EDUSYNC_HEAVY === '1'

describe('chaos', () => {
  it(`${HEAVY ? 2000 : 150} reads through ~30% injected faults all succeed`, async () => {
    const erp = await startEmulator({ seed: 'school-small', randomSeed: 7 })
    try {
      const client = createClient({
        url: erp.url,
        auth: { type: 'token', ...erp.credentials.admin },
        retry: { attempts: 8, minDelay: 0, maxDelay: 0 },
        sleep: async () => {},
      })
      const names = (await client.doc('Student').list({ fields: ['name'], limit: 100 })).map((r) => r.name)
      erp.emulator.faults.set({
        routes: [
          { path: '/api/resource/Student', method: 'GET', status: 503, probability: 0.1 },
          { path: '/api/resource/Student', method: 'GET', drop: true, probability: 0.1 },
          { path: '/api/resource/Student', method: 'GET', retryAfter: 0, probability: 0.1 },
        ],
      })
      const total = HEAVY ? 2000 : 150
      let ok = 0
      for (let i = 0; i < total; i += 10) {
        const batch = names.slice(i % 100, (i % 100) + 10)
        const docs = await Promise.all(batch.map((n) => client.doc('Student').get(n)))
        ok += docs.filter((d, j) => d.name === batch[j]).length
      }
      expect(ok).toBe(total)
      expect(erp.emulator.inspect.requests().length).toBeGreaterThan(total)
    } finally {
      await erp.close()
    }
  }, 120_000)

  it('a write that meets a 503 is sent exactly once', async () => {
    const erp = await startEmulator({ seed: 'school-small' })
    try {
      const client = createClient({
        url: erp.url,
        auth: { type: 'token', ...erp.credentials.admin },
        sleep: async () => {},
      })
      erp.emulator.faults.set({ routes: [{ path: '/api/resource/Guardian', method: 'POST', status: 503 }] })
      erp.emulator.inspect.clearRequests()
      const error = await client
        .doc('Guardian')
        .create({ guardian_name: 'Once' })
        .catch((e: unknown) => e)
      expect(isERPNextError(error)).toBe(true)
      expect(erp.emulator.inspect.requests()).toHaveLength(1)
    } finally {
      await erp.close()
    }
  })
})

describe('portability', () => {
  it('the source imports no Node-only module (browsers, Deno, Bun)', () => {
    const dir = join(import.meta.dirname, '..', 'src')
    for (const file of readdirSync(dir)) {
      // Code only: JSDoc examples may mention process.env.
      const text = readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
        .join('\n')
      expect(text, file).not.toMatch(/from ['"]node:|require\(|process\.|Buffer\b/)
    }
  })
})
