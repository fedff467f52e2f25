/**
 * The client outside Node. Its source is bundled for the browser with esbuild (bottleneck and zod
 * bundled in; a Node-only import fails the build) and served with a small page from a node:http
 * server on 127.0.0.1 that forwards `/api/*` to an in-process emulator (same origin, so no CORS). The
 * scenarios of `browser/entry.ts` then run in headless Chromium (through playwright-core) and, when their
 * binaries are on PATH, in Deno and Bun.
 *
 * Chromium: skipped when /usr/bin/chromium is absent, except under CI=true, where that is a failure.
 * Deno, Bun: skipped when `deno` / `bun` is not on PATH (CI does not install them).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEmulator, type Emulator } from '@edusync/erpnext-emulator'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type * as Scenarios from './browser/entry.js'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium && process.env.CI === 'true') {
  throw new Error(`[@edusync/erpnext-client] browser test: ${CHROMIUM} is required under CI=true.`)
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

/** The first executable called `name` on PATH, if any. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

/** The subset of esbuild's API this test uses (esbuild comes with the workspace's tsup). */
interface EsbuildMessage {
  readonly text: string
}
interface EsbuildResult {
  readonly outputFiles: readonly { readonly text: string }[]
  readonly metafile: { readonly inputs: Record<string, unknown> }
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<EsbuildResult>
}
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as Esbuild

/** Bundle an entry the way a browser app's bundler would: everything in, no Node fallbacks. */
function bundleForBrowser(entry: string): Promise<EsbuildResult> {
  return esbuild.build({
    entryPoints: [here(entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // `@edusync/*` resolve to their TypeScript source through the `paths` of the root tsconfig.
    tsconfig: here('../tsconfig.json'),
  })
}

/** Forward a node:http request to the emulator's Fetch-API handler. */
async function forward(emulator: Emulator, req: IncomingMessage, res: ServerResponse, origin: string) {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const headers = new Headers()
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v)
  }
  const method = req.method ?? 'GET'
  const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks)
  const response = await emulator.handle(
    new Request(new URL(req.url ?? '/', origin), { method, headers, body }),
  )
  const out: Record<string, string | string[]> = {}
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') out[key] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) out['set-cookie'] = cookies
  res.writeHead(response.status, out)
  res.end(Buffer.from(await response.arrayBuffer()))
}

/** The emulator behind a loopback server that also serves the page and the bundle. */
interface Site {
  readonly emulator: Emulator
  readonly origin: string
  /** The browser bundle of `browser/entry.ts`. */
  readonly js: string
  target(): Scenarios.Target
  close(): Promise<void>
}

async function startSite(): Promise<Site> {
  const bundle = await bundleForBrowser('browser/entry.ts')
  const js = bundle.outputFiles[0]?.text ?? ''
  const html = readFileSync(here('browser/index.html'), 'utf8')
  const emulator = createEmulator({ seed: 'school-small' })
  let origin = ''
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname
    if (path.startsWith('/api/')) {
      forward(emulator, req, res, origin).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(String(error))
      })
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    } else if (path === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    emulator,
    origin,
    js,
    target: () => ({
      url: origin,
      apiKey: emulator.credentials.admin.apiKey,
      apiSecret: emulator.credentials.admin.apiSecret,
    }),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await emulator.close()
    },
  }
}

type ScenarioName = Exclude<keyof typeof Scenarios, 'environment'>
type Run = <N extends ScenarioName>(
  name: N,
  ...args: Parameters<(typeof Scenarios)[N]>
) => Promise<Awaited<ReturnType<(typeof Scenarios)[N]>>>

/** A runtime that can run the scenarios of `browser/entry.ts`. */
interface Runtime {
  run: Run
  close(): Promise<void>
}

async function startChromium(site: Site): Promise<Runtime & { page: Page }> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const page = await browser.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(`${site.origin}/`)
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 5000 }).catch((e) => {
    throw new Error(`the bundle did not load in Chromium: ${pageErrors.join('; ') || String(e)}`)
  })
  const run: Run = (name, ...args) =>
    page.evaluate(
      ([n, a]) =>
        (window as unknown as { scenarios: Record<string, (...x: unknown[]) => unknown> }).scenarios[n]!(
          ...a,
        ),
      [name, args] as [string, unknown[]],
    ) as never
  return { page, run, close: () => browser.close() }
}

/** Deno or Bun: each scenario is one short-lived process that imports the bundle and prints JSON. */
function startCli(binary: string, argv: readonly string[], site: Site): Runtime {
  const dir = mkdtempSync(join(tmpdir(), 'erpnext-client-runtime-'))
  writeFileSync(join(dir, 'bundle.mjs'), site.js)
  let seq = 0
  const run: Run = (name, ...args) => {
    const script = join(dir, `run-${++seq}.mjs`)
    writeFileSync(
      script,
      `import * as s from './bundle.mjs'\nconsole.log(JSON.stringify(await s[${JSON.stringify(name)}](...${JSON.stringify(args)})))\n`,
    )
    return new Promise((resolve, reject) => {
      execFile(binary, [...argv, script], { timeout: 10_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${binary} failed: ${stderr || error.message}`))
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? 'null'))
      })
    })
  }
  return { run, close: async () => rmSync(dir, { recursive: true, force: true }) }
}

describe('bundling for the browser', () => {
  it('bundles the client with bottleneck and zod inlined, and no HTTP library', async () => {
    const { metafile } = await bundleForBrowser('browser/entry.ts')
    const inputs = Object.keys(metafile.inputs)
    for (const dep of ['bottleneck', 'zod']) {
      expect(inputs.some((i) => i.includes(`/node_modules/${dep}/`))).toBe(true)
    }
    // Requests go straight to the runtime's fetch.
    for (const dep of ['ky', 'p-retry']) {
      expect(inputs.some((i) => i.includes(`/node_modules/${dep}/`))).toBe(false)
    }
    expect(inputs.some((i) => i.includes('erpnext-client/src/client.ts'))).toBe(true)
    expect(inputs.some((i) => i.includes('doctype-schemas/src/'))).toBe(true)
  })

  it('fails when the bundle contains a Node-only import', async () => {
    const failure = await bundleForBrowser('browser/node-only.ts').then(
      () => undefined,
      (e: unknown) => e as { errors?: EsbuildMessage[] },
    )
    expect(failure?.errors?.map((m) => m.text).join('\n')).toContain('node:crypto')
  })
})

/** The same scenarios, asserted the same way, in every runtime. */
function scenarios(ctx: () => { site: Site; runtime: Runtime }) {
  beforeEach(() => {
    ctx().site.emulator.faults.clear()
    ctx().site.emulator.inspect.clearRequests()
  })

  it('lists Students with typed fields over token auth', async () => {
    const { site, runtime } = ctx()
    const rows = await runtime.run('listStudents', site.target())
    expect(rows).toHaveLength(5)
    for (const row of rows) {
      expect(row.name).toMatch(/\S/)
      expect(typeof row.firstName).toBe('string')
      expect(row.enabled).toBe(1)
    }
    expect(site.emulator.inspect.requests().map((r) => [r.route, r.status, r.user])).toEqual([
      ['GET /api/resource/Student', 200, 'Administrator'],
    ])
  })

  it('getMany fetches Students with their guardians in a constant number of requests', async () => {
    const { site, runtime } = ctx()
    const students = site.emulator.inspect.documents('Student').slice(0, 20)
    const names = students.map((s) => String(s.name))
    const result = await runtime.run('getManyWithGuardians', site.target(), [...names, 'EDU-STU-MISSING'])
    expect(result.requests).toBe(2)
    expect(result.missing).toEqual(['EDU-STU-MISSING'])
    expect(result.docs.map((d) => d.name)).toEqual(names)
    const expected = students.map((s) =>
      ((s.guardians ?? []) as { guardian: string }[]).map((g) => g.guardian),
    )
    expect(result.docs.map((d) => d.guardians)).toEqual(expected)
    expect(expected.some((g) => g.length > 0)).toBe(true)
  })

  it('maps a 404 to NotFoundError', async () => {
    const { site, runtime } = ctx()
    expect(await runtime.run('notFound', site.target())).toEqual({
      name: 'NotFoundError',
      code: 'NOT_FOUND',
      status: 404,
      isERPNextError: true,
      instanceOfError: true,
      isNotFoundError: true,
    })
  })

  it('maps a 417 MandatoryError to the ValidationError family', async () => {
    const { site, runtime } = ctx()
    expect(await runtime.run('mandatory', site.target())).toEqual({
      name: 'MandatoryError',
      code: 'MANDATORY',
      status: 417,
      isERPNextError: true,
      instanceOfError: true,
      isValidationError: true,
    })
  })

  it('retries a GET after injected 503s and succeeds', async () => {
    const { site, runtime } = ctx()
    site.emulator.faults.set({
      routes: [{ path: '/api/resource/Student', method: 'GET', status: 503, times: 2 }],
    })
    const result = await runtime.run('retryAfter503', site.target())
    expect(result.rows).toBe(1)
    expect(result.retries).toEqual([
      { status: 503, attempt: 1 },
      { status: 503, attempt: 2 },
    ])
    expect(site.emulator.inspect.count('GET /api/resource/Student')).toBe(3)
  })

  it('does not retry a write that met a 503', async () => {
    const { site, runtime } = ctx()
    site.emulator.faults.set({ routes: [{ path: '/api/resource/Guardian', method: 'POST', status: 503 }] })
    const result = await runtime.run('writeNotRetried', site.target())
    expect(result).toMatchObject({ name: 'ServerError', code: 'SERVER', status: 503, isServerError: true })
    expect(result.retries).toBe(0)
    expect(site.emulator.inspect.count('POST /api/resource/Guardian')).toBe(1)
  })
}

describe.skipIf(!hasChromium)(
  `the client in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} not installed)`}`,
  () => {
    let site: Site
    let chromiumRuntime: Awaited<ReturnType<typeof startChromium>>
    beforeAll(async () => {
      site = await startSite()
      chromiumRuntime = await startChromium(site)
    }, 15_000)
    afterAll(async () => {
      await chromiumRuntime?.close()
      await site?.close()
    })

    it('runs in a browser realm, not in Node', async () => {
      const env = await chromiumRuntime.page.evaluate(() =>
        (window as unknown as { scenarios: typeof Scenarios }).scenarios.environment(),
      )
      expect(env).toMatchObject({ hasProcess: false, hasBuffer: false, hasWindow: true })
      expect(env.userAgent).toContain('Chrome')
    })

    scenarios(() => ({ site, runtime: chromiumRuntime }))
  },
)

for (const [label, binary, argv] of [
  ['Deno', onPath('deno'), ['run', '--quiet', '--no-config', '--allow-net=127.0.0.1']],
  ['Bun', onPath('bun'), ['run']],
] as const) {
  describe.skipIf(!binary)(
    `the client in ${label}${binary ? '' : ` (skipped: ${label.toLowerCase()} not on PATH)`}`,
    () => {
      let site: Site
      let runtime: Runtime
      beforeAll(async () => {
        site = await startSite()
        runtime = startCli(binary as string, argv, site)
      })
      afterAll(async () => {
        await runtime?.close()
        await site?.close()
      })

      scenarios(() => ({ site, runtime }))
    },
  )
}
