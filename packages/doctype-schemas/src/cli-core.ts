import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { isDocTypeSchemasError } from './errors.js'
import { fetchDocTypesFromSite, generateSchemaSource, loadDocTypesFromDir } from './generate.js'
import { educationDocTypes } from './metadata.js'

/** Where the CLI writes and what it may touch; injected by tests. */
export interface CliIo {
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  readonly fetch?: typeof fetch
  readonly cwd: string
}

const USAGE = `Usage:
  edusync-schemas generate --from-json DIR --out FILE [options]
  edusync-schemas generate --from-site URL --api-key KEY --api-secret SECRET --out FILE [options]

Options:
  --from-json DIR         read DocType JSON files (*.json) from DIR
  --from-site URL         read DocType metadata from a live Frappe/ERPNext site
  --api-key KEY           API key (or set EDUSYNC_API_KEY)
  --api-secret SECRET     API secret (or set EDUSYNC_API_SECRET; preferred: keeps it out of shell history)
  --doctype NAME          doctype to fetch from the site (repeatable; default: the Education doctypes)
  --endpoint NAME         getdoctype (default) or resource
  --no-ai                 do not add EduSync's AI custom fields and doctypes (added by default when
                          the metadata includes Student)
  --runtime-import SPEC   module the generated code imports helpers from (default @edusync/doctype-schemas)
  --out FILE              file to write (written atomically: nothing is written on error)
  --check                 do not write; exit 1 if FILE differs from what would be generated
  -h, --help              show this help`

/**
 * Run the `edusync-schemas` command line and return its exit code (0 ok, 1 failure or drift, 2 usage).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help') {
    io.stdout(USAGE)
    return command === undefined ? 2 : 0
  }
  if (command !== 'generate') {
    io.stderr(`edusync-schemas: unknown command "${command}"\n\n${USAGE}`)
    return 2
  }
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    ;({ values } = parseArgs({
      args: [...rest],
      options: {
        'from-json': { type: 'string' },
        'from-site': { type: 'string' },
        'api-key': { type: 'string' },
        'api-secret': { type: 'string' },
        doctype: { type: 'string', multiple: true },
        endpoint: { type: 'string' },
        'no-ai': { type: 'boolean' },
        'runtime-import': { type: 'string' },
        out: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (e) {
    io.stderr(`edusync-schemas: ${(e as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (values.help) {
    io.stdout(USAGE)
    return 0
  }
  const fromJson = values['from-json'] as string | undefined
  const fromSite = values['from-site'] as string | undefined
  const out = values.out as string | undefined
  if ((fromJson === undefined) === (fromSite === undefined)) {
    io.stderr(`edusync-schemas: give exactly one of --from-json or --from-site\n\n${USAGE}`)
    return 2
  }
  if (out === undefined) {
    io.stderr(`edusync-schemas: --out FILE is required\n\n${USAGE}`)
    return 2
  }
  const endpoint = (values.endpoint as string | undefined) ?? 'getdoctype'
  if (endpoint !== 'getdoctype' && endpoint !== 'resource') {
    io.stderr('edusync-schemas: --endpoint must be getdoctype or resource')
    return 2
  }
  const outPath = resolve(io.cwd, out)
  try {
    let metas: Awaited<ReturnType<typeof loadDocTypesFromDir>>
    if (fromJson !== undefined) {
      metas = await loadDocTypesFromDir(resolve(io.cwd, fromJson))
    } else {
      const apiKey = (values['api-key'] as string | undefined) ?? io.env.EDUSYNC_API_KEY
      const apiSecret = (values['api-secret'] as string | undefined) ?? io.env.EDUSYNC_API_SECRET
      if (!apiKey || !apiSecret) {
        io.stderr('edusync-schemas: --from-site needs --api-key and --api-secret (or EDUSYNC_API_KEY/SECRET)')
        return 2
      }
      metas = await fetchDocTypesFromSite({
        url: fromSite as string,
        apiKey,
        apiSecret,
        doctypes: (values.doctype as string[] | undefined) ?? educationDocTypes,
        endpoint,
        ...(io.fetch ? { fetch: io.fetch } : {}),
      })
    }
    const source = generateSchemaSource(metas, {
      ...(values['no-ai'] ? { includeAi: false } : {}),
      ...(values['runtime-import'] ? { runtimeImport: values['runtime-import'] as string } : {}),
    })
    if (values.check) {
      const current = await readFile(outPath, 'utf8').catch(() => undefined)
      if (current === source) {
        io.stdout(`edusync-schemas: ${out} is up to date (${metas.length} doctypes)`)
        return 0
      }
      io.stderr(`edusync-schemas: ${out} is out of date; run the same command without --check`)
      return 1
    }
    await mkdir(dirname(outPath), { recursive: true })
    const tmp = `${outPath}.${process.pid}.tmp`
    try {
      await writeFile(tmp, source)
      await rename(tmp, outPath)
    } catch (e) {
      await rm(tmp, { force: true })
      throw e
    }
    io.stdout(`edusync-schemas: wrote ${out} (${metas.length} doctypes)`)
    return 0
  } catch (e) {
    if (isDocTypeSchemasError(e)) {
      io.stderr(`edusync-schemas: ${e.message}`)
      return 1
    }
    throw e
  }
}
