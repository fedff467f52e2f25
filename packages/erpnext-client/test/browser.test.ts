/**
 * The client in a real browser: its source is bundled for the browser with esbuild (ky, p-retry,
 * bottleneck and zod bundled in; a Node-only import fails the build), served with a small page from a
 * node:http server on 127.0.0.1 that forwards `/api/*` to an in-process emulator (same origin, no CORS),
 * and driven in headless Chromium through playwright-core. Skips when /usr/bin/chromium is absent,
 * except under CI=true, where a missing browser is a failure.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { createEmulator, type Emulator } from '@edusync/erpnext-emulator'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium && process.env.CI === 'true') {
  throw new Error(`[@edusync/erpnext-client] browser test: ${CHROMIUM} is required under CI=true.`)
}
const skipReason = hasChromium ? '' : ` (skipped: ${CHROMIUM} not installed)`

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

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

/** Bundle a browser entry the way a browser app's bundler would: everything in, no Node fallbacks. */
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

interface Fixture {
  emulator: Emulator
  server: Server
  browser: Browser
  page: Page
  origin: string
  bundleInputs: string[]
  close(): Promise<void>
}

async function start(): Promise<Fixture> {
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
  const browser = await chromium.launch({
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
  await page.goto(`${origin}/`)
  await page
    .waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 5000 })
    .catch((error: unknown) => {
      throw new Error(`the bundle did not load in Chromium: ${pageErrors.join('; ') || String(error)}`)
    })
  return {
    emulator,
    server,
    browser,
    page,
    origin,
    bundleInputs: Object.keys(bundle.metafile.inputs),
    async close() {
      await browser.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await emulator.close()
    },
  }
}

type Scenarios = typeof import('./browser/entry.js')
type ScenarioName = Exclude<keyof Scenarios, 'environment'>

/** Run one scenario of `browser/entry.ts` inside the page and return its (structured-cloned) result. */
function inPage<N extends ScenarioName>(
  page: Page,
  name: N,
  ...args: Parameters<Scenarios[N]>
): Promise<Awaited<ReturnType<Scenarios[N]>>> {
  return page.evaluate(
    ([n, a]) =>
      (window as unknown as { scenarios: Record<string, (...x: unknown[]) => unknown> }).scenarios[n]!(...a),
    [name, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<Scenarios[N]>>>
}

describe('bundling for the browser', () => {
  it('bundles the client with ky, p-retry, bottleneck and zod inlined', async () => {
    const { metafile } = await bundleForBrowser('browser/entry.ts')
    const inputs = Object.keys(metafile.inputs)
    for (const dep of ['ky', 'p-retry', 'bottleneck', 'zod']) {
      expect(inputs.some((i) => i.includes(`/node_modules/${dep}/`))).toBe(true)
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

describe.skipIf(!hasChromium)(`the client in headless Chromium${skipReason}`, () => {
  let f: Fixture
  const credentials = () => ({
    apiKey: f.emulator.credentials.admin.apiKey,
    apiSecret: f.emulator.credentials.admin.apiSecret,
  })

  beforeAll(async () => {
    f = await start()
  }, 15_000)
  afterAll(async () => {
    await f?.close()
  })
  beforeEach(() => {
    f.emulator.faults.clear()
    f.emulator.inspect.clearRequests()
  })

  it('runs in a browser realm, not in Node', async () => {
    const env = await f.page.evaluate(() =>
      (window as unknown as { scenarios: { environment(): unknown } }).scenarios.environment(),
    )
    expect(env).toMatchObject({ hasProcess: false, hasBuffer: false, hasWindow: true })
    expect((env as { userAgent: string }).userAgent).toContain('Chrome')
  })

  it('lists Students with typed fields over token auth', async () => {
    const rows = await inPage(f.page, 'listStudents', credentials())
    expect(rows).toHaveLength(5)
    for (const row of rows) {
      expect(row.name).toMatch(/\S/)
      expect(typeof row.firstName).toBe('string')
      expect(row.enabled).toBe(1)
    }
    expect(f.emulator.inspect.requests().map((r) => [r.route, r.status, r.user])).toEqual([
      ['GET /api/resource/Student', 200, 'Administrator'],
    ])
  })

  it('getMany fetches Students with their guardians in a constant number of requests', async () => {
    const students = f.emulator.inspect.documents('Student').slice(0, 20)
    const names = students.map((s) => String(s.name))
    const result = await inPage(f.page, 'getManyWithGuardians', credentials(), [...names, 'EDU-STU-MISSING'])
    expect(result.requests).toBe(2)
    expect(result.missing).toEqual(['EDU-STU-MISSING'])
    expect(result.docs.map((d) => d.name)).toEqual(names)
    const expected = students.map((s) =>
      ((s.guardians ?? []) as { guardian: string }[]).map((g) => g.guardian),
    )
    expect(result.docs.map((d) => d.guardians)).toEqual(expected)
    expect(expected.some((g) => g.length > 0)).toBe(true)
  })

  it('maps a 404 to NotFoundError across the page boundary', async () => {
    const error = await inPage(f.page, 'notFound', credentials())
    expect(error).toEqual({
      name: 'NotFoundError',
      code: 'NOT_FOUND',
      status: 404,
      isERPNextError: true,
      instanceOfError: true,
      isNotFoundError: true,
    })
  })

  it('maps a 417 MandatoryError to the ValidationError family', async () => {
    const error = await inPage(f.page, 'mandatory', credentials())
    expect(error).toEqual({
      name: 'MandatoryError',
      code: 'MANDATORY',
      status: 417,
      isERPNextError: true,
      instanceOfError: true,
      isValidationError: true,
    })
  })

  it('retries a GET after injected 503s and succeeds', async () => {
    f.emulator.faults.set({
      routes: [{ path: '/api/resource/Student', method: 'GET', status: 503, times: 2 }],
    })
    const result = await inPage(f.page, 'retryAfter503', credentials())
    expect(result.rows).toBe(1)
    expect(result.retries).toEqual([
      { status: 503, attempt: 1 },
      { status: 503, attempt: 2 },
    ])
    expect(f.emulator.inspect.count('GET /api/resource/Student')).toBe(3)
  })

  it('does not retry a write that met a 503', async () => {
    f.emulator.faults.set({ routes: [{ path: '/api/resource/Guardian', method: 'POST', status: 503 }] })
    const result = await inPage(f.page, 'writeNotRetried', credentials())
    expect(result).toMatchObject({ name: 'ServerError', code: 'SERVER', status: 503, isServerError: true })
    expect(result.retries).toBe(0)
    expect(f.emulator.inspect.count('POST /api/resource/Guardian')).toBe(1)
  })
})
