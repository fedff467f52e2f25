/**
 * The `edusync` command line end to end against the emulator: in process through `main()` (fast), and once
 * through the real bin with tsx.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { RunningEmulator } from '@edusync/erpnext-emulator'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cli, emulator, envFor, tempDir } from './helpers/runner.js'

const KEYS = {
  EDUSYNC_KEK_V1: randomBytes(32).toString('base64'),
  EDUSYNC_PSN_V1: randomBytes(32).toString('base64'),
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise((r) => server.close(r))
  return port
}

describe('usage and configuration errors', () => {
  it('prints the usage with --help', async () => {
    const r = await cli(['--help'], {})
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: edusync <command>')
  })

  it('exits 2 without a command', async () => {
    expect((await cli([], {})).code).toBe(2)
  })

  it('exits 2 on an unknown command', async () => {
    const r = await cli(['frobnicate'], { EDUSYNC_ERPNEXT_URL: 'http://127.0.0.1:9' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('unknown command "frobnicate"')
  })

  it('exits 2 with one clear message on a bad URL, and no stack trace', async () => {
    const r = await cli(['status'], { EDUSYNC_ERPNEXT_URL: 'erp.school' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('EDUSYNC_ERPNEXT_URL: must be an http(s) URL')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 1 with one clear message when PostgreSQL is unreachable', async () => {
    const dir = tempDir()
    try {
      const r = await cli(['status'], {
        EDUSYNC_ERPNEXT_URL: 'http://127.0.0.1:9',
        EDUSYNC_DATA_DIR: dir.dir,
        EDUSYNC_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
        ...KEYS,
      })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(
        /cannot open the PostgreSQL database at 127\.0\.0\.1:1\/test .*check EDUSYNC_DATABASE_URL/,
      )
      expect(r.stderr).not.toMatch(/\n\s+at /)
    } finally {
      dir.remove()
    }
  })

  it('exits 2 when PostgreSQL is configured without shared keys', async () => {
    const r = await cli(['status'], {
      EDUSYNC_ERPNEXT_URL: 'http://127.0.0.1:9',
      EDUSYNC_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('EDUSYNC_KEK_V1 and EDUSYNC_PSN_V1: are required')
  })

  it('exits 1 with one clear message when Redis is unreachable', async () => {
    const dir = tempDir()
    try {
      const r = await cli(['status'], {
        EDUSYNC_ERPNEXT_URL: 'http://127.0.0.1:9',
        EDUSYNC_DATA_DIR: dir.dir,
        EDUSYNC_REDIS_URL: 'redis://127.0.0.1:1',
      })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/cannot reach Redis at 127\.0\.0\.1:1/)
    } finally {
      dir.remove()
    }
  })
})

describe('against the emulator', () => {
  let erp: RunningEmulator
  let dir: ReturnType<typeof tempDir>
  let env: Record<string, string>
  beforeAll(async () => {
    erp = await emulator({ seedSize: 6, installAi: false })
    dir = tempDir()
    env = envFor(erp, dir.dir, { EDUSYNC_PORT: String(await freePort()) })
  })
  afterAll(async () => {
    await erp?.close()
    dir?.remove()
  })

  it('setup-erpnext installs the AI fields, doctypes and webhooks, and a second run changes nothing', async () => {
    const first = await cli(['setup-erpnext'], env)
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^Changed \d+ item\(s\)/)
    expect(first.stdout).toContain('created   Webhook      edusync-student-on-update')
    expect(first.stdout).toContain('created   Custom Field Student-ai_learning_profile')
    const hooks = erp.emulator.inspect
      .documents('Webhook')
      .filter((w) => String(w.name).startsWith('edusync-'))
    expect(hooks.length).toBeGreaterThan(10)
    expect(
      hooks.every((w) => w.request_url === `http://127.0.0.1:${env.EDUSYNC_PORT}/webhooks/erpnext`),
    ).toBe(true)
    expect(hooks.every((w) => Number(w.enable_security) === 1)).toBe(true)
    const second = await cli(['setup-erpnext'], env)
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/^Nothing to change: ERPNext is already set up/)
    expect(
      erp.emulator.inspect.documents('Webhook').filter((w) => String(w.name).startsWith('edusync-')),
    ).toHaveLength(hooks.length)
  })

  it('setup-erpnext --dry-run reports a changed URL without changing it', async () => {
    const r = await cli(
      ['setup-erpnext', '--dry-run', '--webhook-url', 'https://sync.example/webhooks/erpnext'],
      env,
    )
    expect(r.stdout).toMatch(/^Would change \d+ item\(s\)/)
    expect(r.stdout).toContain('updated   Webhook')
    const hook = erp.emulator.inspect.document('Webhook', 'edusync-student-on-update')
    expect(hook?.request_url).toBe(`http://127.0.0.1:${env.EDUSYNC_PORT}/webhooks/erpnext`)
  })

  it('backfill shows progress bars and mirrors every document', async () => {
    const r = await cli(['backfill', 'Student', 'Guardian', 'Student Group'], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Student\s+\[█+\]\s+6\/6\s+[\d.]+\/s\s+ETA 0s/)
    expect(r.stdout).toMatch(/Guardian\s+fetched \d+, changed \d+, quarantined 0/)
    const status = await cli(['status', '--json'], env)
    const s = JSON.parse(status.stdout) as { mirror: Record<string, number> }
    expect(s.mirror.Student).toBe(erp.emulator.inspect.documents('Student').length)
    expect(s.mirror.Guardian).toBe(erp.emulator.inspect.documents('Guardian').length)
  })

  it('status prints the mirror, queue, dead letters and reviews', async () => {
    const r = await cli(['status'], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Student\s+6 mirrored/)
    expect(r.stdout).toContain('Dead letters: 0   Open reviews: 0')
  })

  it('reconcile --level full finds a document deleted in ERPNext and repairs the mirror', async () => {
    const client = (await import('@edusync/erpnext-client')).createClient({
      url: erp.url,
      auth: {
        type: 'token',
        apiKey: erp.credentials.admin.apiKey,
        apiSecret: erp.credentials.admin.apiSecret,
      },
    })
    const extra = erp.emulator.insert('Student', { first_name: 'Late', student_email_id: 'late@school.test' })
    const r = await cli(['reconcile', '--level', 'full', 'Student'], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Reconciliation \(full\):/)
    expect(r.stdout).toMatch(/Student\s+7\s+6\s+1/)
    const again = await cli(['reconcile', '--level', 'quick', 'Student'], env)
    expect(again.stdout).toMatch(/Student\s+7\s+7\s+0\s+0\s+0\s+0\s+in sync/)
    await client.docUntyped('Student').delete(String(extra.name))
  })

  it('rejects an unknown reconcile level', async () => {
    const r = await cli(['reconcile', '--level', 'thorough'], env)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--level must be quick, full or deep')
  })

  it('review list and dead-letter list say when there is nothing', async () => {
    expect((await cli(['review', 'list'], env)).stdout).toBe('No open reviews.\n')
    expect((await cli(['dead-letter', 'list'], env)).stdout).toBe('No dead letters.\n')
  })

  it('review resolve of an unknown review fails with a message', async () => {
    const r = await cli(['review', 'resolve', '999', 'local'], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/999/)
  })

  it('plan lists the write-backs without making them', async () => {
    const before = erp.emulator.inspect.count(/bulk_update|insert_many/)
    const r = await cli(['plan', '--json'], env)
    expect(r.code).toBe(0)
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true)
    expect(erp.emulator.inspect.count(/bulk_update|insert_many/)).toBe(before)
  })

  it('privacy access shows what is held; erase removes it', async () => {
    const [student] = erp.emulator.inspect.documents('Student')
    const name = String(student!.name)
    const access = await cli(['privacy', 'access', name], env)
    expect(access.stdout).toContain(`Student ${name}: mirrored`)
    const exported = JSON.parse((await cli(['privacy', 'export', name], env)).stdout) as {
      document: { name: string }
    }
    expect(exported.document.name).toBe(name)
    const enrollments = erp.emulator.inspect
      .documents('Program Enrollment')
      .filter((e) => e.student === name).length
    expect(enrollments).toBeGreaterThan(0)
    expect((await cli(['backfill', 'Program Enrollment'], env)).code).toBe(0)
    const erase = await cli(['privacy', 'erase', name, '--request-id', 'DSR-1'], env)
    expect(erase.stdout).toMatch(/^Erased \d+ mirrored document\(s\) of .+ \(request DSR-1\)/)
    expect(erase.stdout).toMatch(/^ {2}Student {14}1$/m)
    expect(erase.stdout).toMatch(new RegExp(`^  Program Enrollment +${enrollments}$`, 'm'))
    expect(erase.stdout).toMatch(/^ {2}pseudonym mappings +\d+$/m)
    expect(erase.stdout).not.toContain(String(student!.first_name))
    expect((await cli(['privacy', 'access', name], env)).stdout).toContain('not in the mirror')
    const again = await cli(['privacy', 'erase', name, '--request-id', 'DSR-1', '--json'], env)
    expect(JSON.parse(again.stdout)).toEqual({ requestId: 'DSR-1', documents: [], pseudonymMappings: 0 })
  })

  it('doctor runs the checklist against the live site', async () => {
    const r = await cli(['doctor'], env)
    expect(r.stdout).toMatch(/\[ok\] {3}connectivity/)
    expect(r.stdout).toMatch(/\[ok\] {3}credentials: authenticated as Administrator/)
    expect(r.stdout).toMatch(/\[ok\] {3}AI customizations/)
    expect(r.stdout).toMatch(/\[ok\] {3}webhooks registered/)
    expect(r.stdout).toMatch(/\[ok\] {3}webhook round trip/)
    expect(r.stdout).toMatch(/\[ok\] {3}round-trip sync/)
    expect(r.code).toBe(0)
  })

  it('doctor prints the fix for a failed line', async () => {
    const r = await cli(['doctor'], { ...env, EDUSYNC_ERPNEXT_API_SECRET: 'wrong' })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/\[FAIL\] credentials/)
    expect(r.stdout).toMatch(/fix: regenerate the API key/)
  })

  it('serve receives signed webhooks from ERPNext and stops gracefully', async () => {
    expect((await cli(['setup-erpnext'], env)).code).toBe(0)
    let stop = () => {}
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve
    })
    let url = ''
    const results: { code: number; stdout: string }[] = []
    const listening = new Promise<void>((resolve) => {
      const run = cli(['serve'], env, {
        stopSignal,
        onListening: (u) => {
          url = u
          resolve()
        },
      })
      void run.then((r) => results.push(r))
    })
    await listening
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const [student] = erp.emulator.inspect.documents('Student')
    const client = (await import('@edusync/erpnext-client')).createClient({
      url: erp.url,
      auth: {
        type: 'token',
        apiKey: erp.credentials.admin.apiKey,
        apiSecret: erp.credentials.admin.apiSecret,
      },
    })
    await client.docUntyped('Student').update(String(student!.name), { middle_name: 'Served' } as never)
    await erp.emulator.inspect.webhooksIdle()
    const headers = { authorization: `Bearer ${env.EDUSYNC_ADMIN_TOKEN}` }
    const status = (await (await fetch(`${url}/api/status`, { headers })).json()) as {
      webhooks: Record<string, number>
    }
    expect(status.webhooks['200']).toBeGreaterThan(0)
    stop()
    await expect.poll(() => results.length).toBe(1)
    expect(results[0]!.code).toBe(0)
    expect(results[0]!.stdout).toContain('Stopping: finishing in-flight work')
  })

  it('the edusync bin runs with tsx from any folder', async () => {
    const bin = fileURLToPath(new URL('../bin/edusync.mjs', import.meta.url))
    const driver = fileURLToPath(new URL('./fixtures/sqlite-driver.mjs', import.meta.url))
    const child = spawn(process.execPath, ['--import', driver, bin, 'status'], {
      env: { ...process.env, ...env },
      cwd: dir.dir,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      child.on('close', (c, s) => r([c, s])),
    )
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' })
    expect(stdout).toMatch(/Student\s+\d+ mirrored/)
  }, 30_000)
})

const pgUrl = 'postgres://postgres@127.0.0.1:5432/test'
async function reachable(): Promise<{ pg: boolean; redis: boolean }> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 })
  const pgOk = await client.connect().then(
    () => client.end().then(() => true),
    () => false,
  )
  const { Redis } = await import('ioredis')
  const redis = new Redis('redis://127.0.0.1:6379', {
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: 2000,
  })
  redis.on('error', () => {})
  const redisOk = await redis.connect().then(
    () => redis.quit().then(() => true),
    () => false,
  )
  return { pg: pgOk, redis: redisOk }
}
const services = await reachable()
const ci = process.env.CI === 'true'

describe.skipIf(!ci && !(services.pg && services.redis))('PostgreSQL store and Redis-shared limiter', () => {
  const schema = `runner_${randomBytes(4).toString('hex')}`
  let erp: RunningEmulator | undefined
  afterEach(async () => {
    await erp?.close()
    const client = new pg.Client({ connectionString: pgUrl })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
    const { Redis } = await import('ioredis')
    const redis = new Redis('redis://127.0.0.1:6379')
    const keys = await redis.keys(`*edusync-${schema}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })

  it('backfills into PostgreSQL through the Redis limiter', { timeout: 30_000 }, async () => {
    expect(services).toEqual({ pg: true, redis: true })
    erp = await emulator({ seedSize: 4 })
    const dir = tempDir()
    try {
      const env = envFor(erp, dir.dir, {
        EDUSYNC_DATABASE_URL: pgUrl,
        EDUSYNC_PG_SCHEMA: schema,
        EDUSYNC_REDIS_URL: 'redis://127.0.0.1:6379',
        EDUSYNC_SITE: schema,
        ...KEYS,
      })
      const r = await cli(['backfill', 'Student'], env)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const client = new pg.Client({ connectionString: pgUrl })
      await client.connect()
      const tables = await client.query(
        'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      )
      await client.end()
      expect(tables.rows[0].n).toBeGreaterThan(0)
      const status = JSON.parse((await cli(['status', '--json'], env)).stdout) as {
        mirror: Record<string, number>
      }
      expect(status.mirror.Student).toBe(erp.emulator.inspect.documents('Student').length)
    } finally {
      dir.remove()
    }
  })
})
