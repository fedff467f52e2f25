import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile, mkdir, readdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  fetchDocTypesFromSite,
  generateSchemaSource,
  GENERATED_HEADER,
  loadDocTypesFromDir,
  runCli,
} from '../src/generator.js'
import { isMetadataError, isMetadataFetchError, type MetadataError } from '../src/index.js'

const SHARED = fileURLToPath(new URL('../../../../shared/erpnext/doctypes', import.meta.url))
const HAVE_SHARED = existsSync(SHARED)
const GENERATED = fileURLToPath(new URL('../src/doctypes.generated.ts', import.meta.url))
const LIBRARY = fileURLToPath(new URL('./fixtures/library', import.meta.url))
const LIBRARY_GENERATED = fileURLToPath(new URL('./fixtures/library.generated.ts', import.meta.url))

const silentIo = (cwd: string) => {
  const out: string[] = []
  const err: string[] = []
  return {
    io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), env: {}, cwd },
    out,
    err,
  }
}

describe.skipIf(!HAVE_SHARED)(
  HAVE_SHARED
    ? 'real Education metadata'
    : 'real Education metadata (skipped: ../shared/erpnext/doctypes is absent)',
  () => {
    it('drift: regenerating from ../shared/erpnext/doctypes gives the committed file byte for byte', async () => {
      const source = generateSchemaSource(await loadDocTypesFromDir(SHARED), {
        runtimeImport: './runtime.js',
      })
      const committed = await readFile(GENERATED, 'utf8')
      // On failure run: pnpm --filter @edusync/doctype-schemas generate
      expect(source === committed).toBe(true)
    })

    it('reads all 37 DocType files, value fields only, in form order', async () => {
      const metas = await loadDocTypesFromDir(SHARED)
      expect(metas).toHaveLength(37)
      const student = metas.find((m) => m.name === 'Student')!
      expect(student.fields.slice(0, 3).map((f) => f.fieldname)).toEqual([
        'enabled',
        'first_name',
        'middle_name',
      ])
      expect(student.fields.some((f) => f.fieldtype === ('Section Break' as string))).toBe(false)
      expect(metas.find((m) => m.name === 'Program Enrollment Fee')?.istable).toBe(1)
    })
  },
)

describe('generator over small fixtures of its own', () => {
  it('drift: the committed library fixture module matches a fresh generation', async () => {
    const source = generateSchemaSource(await loadDocTypesFromDir(LIBRARY))
    expect(source === (await readFile(LIBRARY_GENERATED, 'utf8'))).toBe(true)
  })

  it('is deterministic and marked generated', async () => {
    const metas = await loadDocTypesFromDir(LIBRARY)
    const a = generateSchemaSource(metas)
    const b = generateSchemaSource([...metas].reverse())
    expect(a).toBe(b)
    expect(a.startsWith(GENERATED_HEADER)).toBe(true)
  })

  it('does not add the AI customizations to metadata without the Education doctypes', async () => {
    const source = generateSchemaSource(await loadDocTypesFromDir(LIBRARY))
    expect(source).not.toContain('Assessment Insight')
  })
})

describe('malformed metadata → MetadataError naming file and field, nothing written', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edusync-schemas-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const member = async () => JSON.parse(await readFile(join(LIBRARY, 'library_member.json'), 'utf8'))
  const loan = async () => JSON.parse(await readFile(join(LIBRARY, 'library_loan.json'), 'utf8'))

  async function expectMetadataError(
    files: Record<string, string>,
    field: string | undefined,
    problem: RegExp,
  ) {
    const src = join(dir, 'in')
    await mkdir(src)
    for (const [name, text] of Object.entries(files)) await writeFile(join(src, name), text)
    let caught: unknown
    try {
      generateSchemaSource(await loadDocTypesFromDir(src))
    } catch (e) {
      caught = e
    }
    expect(isMetadataError(caught)).toBe(true)
    const error = caught as MetadataError
    expect(error.field).toBe(field)
    expect(error.message).toMatch(problem)
    expect(error.code).toBe('ERR_METADATA')

    // The CLI stops without touching the output file.
    const out = join(dir, 'out.generated.ts')
    await writeFile(out, '// previous content\n')
    const { io, err } = silentIo(dir)
    expect(await runCli(['generate', '--from-json', src, '--out', out], io)).toBe(1)
    expect(await readFile(out, 'utf8')).toBe('// previous content\n')
    expect(err.join('\n')).toMatch(problem)
    expect((await readdir(dir)).sort()).toEqual(['in', 'out.generated.ts'])
    return error
  }

  it('a field without fieldtype', async () => {
    const m = await member()
    delete m.fields[1].fieldtype
    const error = await expectMetadataError(
      { 'library_member.json': JSON.stringify(m), 'library_loan.json': JSON.stringify(await loan()) },
      'email',
      /library_member\.json, doctype "Library Member", field "email": the field has no "fieldtype"/,
    )
    expect(error.source).toMatch(/library_member\.json$/)
  })

  it('an unknown fieldtype', async () => {
    const l = await loan()
    l.fields[2].fieldtype = 'Hologram'
    await expectMetadataError(
      { 'library_member.json': JSON.stringify(await member()), 'library_loan.json': JSON.stringify(l) },
      'returned_at',
      /library_loan\.json.*field "returned_at": unknown fieldtype "Hologram"/,
    )
  })

  it('broken JSON', async () => {
    await expectMetadataError(
      {
        'library_member.json': '{"name": "Library Member", "fields": [',
        'library_loan.json': JSON.stringify(await loan()),
      },
      undefined,
      /library_member\.json: broken JSON/,
    )
  })

  it('a Table whose child doctype is missing', async () => {
    await expectMetadataError(
      { 'library_member.json': JSON.stringify(await member()) },
      'loans',
      /field "loans": the child doctype "Library Loan" is missing/,
    )
  })

  it('a Link without its target', async () => {
    const l = await loan()
    delete l.fields[0].options
    await expectMetadataError(
      { 'library_member.json': JSON.stringify(await member()), 'library_loan.json': JSON.stringify(l) },
      'book',
      /field "book": a Link field needs "options"/,
    )
  })

  it('a fieldname used twice', async () => {
    const m = await member()
    m.fields.push({ fieldname: 'email', fieldtype: 'Data' })
    await expectMetadataError(
      { 'library_member.json': JSON.stringify(m), 'library_loan.json': JSON.stringify(await loan()) },
      'email',
      /field "email": the fieldname appears twice/,
    )
  })

  it('a flag that is not 0/1', async () => {
    const m = await member()
    m.fields[0].reqd = 'yes'
    await expectMetadataError(
      { 'library_member.json': JSON.stringify(m), 'library_loan.json': JSON.stringify(await loan()) },
      'member_name',
      /field "member_name": "reqd" must be 0 or 1/,
    )
  })
})

/** A loopback Frappe site serving DocType metadata the way a real one does, behind token auth. */
describe('metadata from a live site', () => {
  let server: Server
  let url: string
  const requests: string[] = []
  let member: Record<string, unknown>
  let loan: Record<string, unknown>

  /** A DocType document as the database returns it: fields carry idx, no field_order. */
  const asDbDoc = (doc: Record<string, unknown>) => {
    const { field_order: _fo, ...rest } = doc
    const fields = (doc.fields as Record<string, unknown>[]).map((f, i) => ({ ...f, idx: i + 1 }))
    return { ...rest, fields: [...fields].reverse() }
  }

  beforeAll(async () => {
    member = JSON.parse(await readFile(join(LIBRARY, 'library_member.json'), 'utf8'))
    loan = JSON.parse(await readFile(join(LIBRARY, 'library_loan.json'), 'utf8'))
    // Keep form order identical to the JSON files: the DB order is the field_order order.
    const order = member.field_order as string[]
    member.fields = [...(member.fields as { fieldname: string }[])].sort(
      (a, b) => order.indexOf(a.fieldname) - order.indexOf(b.fieldname),
    )
    server = createServer((req, res) => {
      requests.push(req.url ?? '')
      if (req.headers.authorization !== 'token key123:secret456') {
        res.writeHead(403, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ exc_type: 'PermissionError' }))
        return
      }
      const u = new URL(req.url ?? '/', 'http://localhost')
      const send = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (u.pathname === '/api/method/frappe.desk.form.load.getdoctype') {
        const dt = u.searchParams.get('doctype')
        if (dt === 'Library Member') return send({ docs: [asDbDoc(member), asDbDoc(loan)] })
        if (dt === 'Library Loan') return send({ docs: [asDbDoc(loan)] })
      }
      if (u.pathname === '/api/resource/DocType/Library%20Member') return send({ data: asDbDoc(member) })
      if (u.pathname === '/api/resource/DocType/Library%20Loan') return send({ data: asDbDoc(loan) })
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ exc_type: 'DoesNotExistError' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('reads getdoctype (doctype + child tables) and generates the same module as the JSON files', async () => {
    const metas = await fetchDocTypesFromSite({
      url,
      apiKey: 'key123',
      apiSecret: 'secret456',
      doctypes: ['Library Member'],
    })
    expect(metas.map((m) => m.name)).toEqual(['Library Member', 'Library Loan'])
    expect(generateSchemaSource(metas)).toBe(generateSchemaSource(await loadDocTypesFromDir(LIBRARY)))
  })

  it('reads /api/resource/DocType/{name}, following Table fields', async () => {
    requests.length = 0
    const metas = await fetchDocTypesFromSite({
      url: `${url}/`,
      apiKey: 'key123',
      apiSecret: 'secret456',
      doctypes: ['Library Member'],
      endpoint: 'resource',
    })
    expect(requests).toEqual([
      '/api/resource/DocType/Library%20Member',
      '/api/resource/DocType/Library%20Loan',
    ])
    expect(generateSchemaSource(metas)).toBe(generateSchemaSource(await loadDocTypesFromDir(LIBRARY)))
  })

  it('reports a refused request without leaking the secret', async () => {
    let caught: unknown
    try {
      await fetchDocTypesFromSite({
        url,
        apiKey: 'key123',
        apiSecret: 'wrong-secret',
        doctypes: ['Library Member'],
      })
    } catch (e) {
      caught = e
    }
    expect(isMetadataFetchError(caught)).toBe(true)
    expect((caught as { status: number }).status).toBe(403)
    expect(String((caught as Error).message)).not.toContain('wrong-secret')
    expect(JSON.stringify(caught)).not.toContain('wrong-secret')
  })

  it('reports a network failure with its cause', async () => {
    const failing: typeof fetch = async () => {
      throw new TypeError('fetch failed')
    }
    const error = await fetchDocTypesFromSite({
      url,
      apiKey: 'k',
      apiSecret: 's',
      doctypes: ['Library Member'],
      fetch: failing,
    }).catch((e: unknown) => e)
    expect(isMetadataFetchError(error)).toBe(true)
    expect((error as Error).cause).toBeInstanceOf(TypeError)
  })

  it('validates its options', async () => {
    await expect(
      fetchDocTypesFromSite({ url: 'ftp://x', apiKey: 'k', apiSecret: 's', doctypes: ['A'] }),
    ).rejects.toThrow(/options\.url/)
    await expect(fetchDocTypesFromSite({ url, apiKey: '', apiSecret: 's', doctypes: ['A'] })).rejects.toThrow(
      /options\.apiKey/,
    )
    await expect(fetchDocTypesFromSite({ url, apiKey: 'k', apiSecret: 's', doctypes: [] })).rejects.toThrow(
      /options\.doctypes/,
    )
  })

  it('CLI --from-site writes the module; --check reports drift', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edusync-schemas-'))
    try {
      const out = join(dir, 'library.generated.ts')
      const { io, out: stdout } = silentIo(dir)
      const args = [
        'generate',
        '--from-site',
        url,
        '--doctype',
        'Library Member',
        '--out',
        'library.generated.ts',
      ]
      const code = await runCli(args, {
        ...io,
        env: { EDUSYNC_API_KEY: 'key123', EDUSYNC_API_SECRET: 'secret456' },
      })
      expect(code).toBe(0)
      expect(stdout.join('\n')).toContain('wrote library.generated.ts (2 doctypes)')
      expect(await readFile(out, 'utf8')).toBe(await readFile(LIBRARY_GENERATED, 'utf8'))

      const check = silentIo(dir)
      expect(await runCli(['generate', '--from-json', LIBRARY, '--out', out, '--check'], check.io)).toBe(0)
      await writeFile(out, '// stale\n')
      expect(await runCli(['generate', '--from-json', LIBRARY, '--out', out, '--check'], check.io)).toBe(1)
      expect(check.err.join('\n')).toContain('out of date')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('CLI usage', () => {
  it.each([
    [[], 2],
    [['--help'], 0],
    [['frobnicate'], 2],
    [['generate', '--out', 'x.ts'], 2],
    [['generate', '--from-json', 'a', '--from-site', 'http://x', '--out', 'x.ts'], 2],
    [['generate', '--from-json', 'a'], 2],
    [['generate', '--from-site', 'http://127.0.0.1:9', '--out', 'x.ts'], 2],
    [['generate', '--from-json', 'a', '--out', 'x.ts', '--bogus'], 2],
  ])('%j exits %i', async (argv, code) => {
    const { io } = silentIo(tmpdir())
    expect(await runCli(argv, io)).toBe(code)
  })
})
