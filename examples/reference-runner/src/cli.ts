import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { aiDocTypes } from '@edusync/doctype-schemas'
import type { Enhancer, ReconcileLevel, ReconcileReport } from '@edusync/sync-core'
import { loadEnhancers } from './ai-layer.js'
import { type RunnerConfig, loadConfig } from './config.js'
import { runDoctor } from './doctor.js'
import { UsageError, isConfigError, isRunnerError } from './errors.js'
import { progressBars } from './progress.js'
import { listen } from './server.js'
import { type Service, type ServiceOptions, createService, describe } from './service.js'
import { formatSetupReport, setupErpnext } from './setup-erpnext.js'

/** Where the CLI writes and what it reads. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean }
  readonly stderr: { write(text: string): unknown }
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Extra service options (tests inject short retry delays). */
  readonly service?: ServiceOptions
  /** Resolves to stop `serve` (default: SIGINT/SIGTERM). */
  readonly stopSignal?: Promise<void>
  /** Called once `serve` listens, with its URL. */
  readonly onListening?: (url: string) => void
}

/** The `edusync --help` text. */
export const USAGE = `Usage: edusync <command> [options]

Commands:
  serve                         webhooks, workers, scheduler, pages and API (http://HOST:PORT)
  backfill [doctype...]         full load with progress bars (--restart to start over)
  reconcile --level quick|full|deep [doctype...]   compare ERPNext with the mirror and repair
  status                        mirror, queue, dead letters and reviews
  dead-letter list|retry|discard [id...|--all]
  review list | review resolve <id> local|remote|--value <json>
  plan [--doctype D] [--limit N]   dry run of the write-backs the AI layer would make
  privacy access|export|erase <student> [--request-id ID]
  setup-erpnext [--webhook-url URL] [--dry-run]   install AI fields/doctypes and Webhooks (idempotent)
  doctor                        validate a live site: a checklist with the fix for each failure

Options: --config <file.json>  --json  --help
Settings come from EDUSYNC_* environment variables (see docs/getting-started.md).`

function flag(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

async function withService<T>(
  config: RunnerConfig,
  io: CliIo,
  enhancers: readonly Enhancer[] | null,
  fn: (service: Service) => Promise<T>,
): Promise<T> {
  const service = await createService(config, {
    ...io.service,
    ...(enhancers ? { enhancers } : {}),
    ...(io.env ? { env: io.env } : {}),
  })
  try {
    return await fn(service)
  } finally {
    await service.close()
  }
}

function reportLines(reports: readonly ReconcileReport[]): string {
  const rows = reports.map(
    (r) =>
      `${r.doctype.padEnd(20)} ${String(r.erpnext.count).padStart(7)} ${String(r.mirror.count).padStart(7)} ${String(r.missing.length).padStart(7)} ${String(r.stale.length).padStart(6)} ${String(r.deleted.length).padStart(7)} ${String(r.repaired).padStart(8)}  ${r.inSync ? 'in sync' : 'repaired'}`,
  )
  return [
    `${'doctype'.padEnd(20)} ${'erpnext'.padStart(7)} ${'mirror'.padStart(7)} ${'missing'.padStart(7)} ${'stale'.padStart(6)} ${'deleted'.padStart(7)} ${'repaired'.padStart(8)}`,
    ...rows,
  ].join('\n')
}

/**
 * Run the `edusync` command line. Returns the exit code: 0 success, 1 failure, 2 wrong usage or
 * configuration (with one clear message, never only a stack trace).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const out = (s: string) => io.stdout.write(`${s}\n`)
  const err = (s: string) => io.stderr.write(`${s}\n`)
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        restart: { type: 'boolean' },
        level: { type: 'string' },
        all: { type: 'boolean' },
        value: { type: 'string' },
        doctype: { type: 'string' },
        limit: { type: 'string' },
        'request-id': { type: 'string' },
        'webhook-url': { type: 'string' },
        'dry-run': { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
      },
    })
  } catch (error) {
    err(`[@edusync/reference-runner] ${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, ...args] = positionals
  if (values.help || !command) {
    out(USAGE)
    return command || values.help ? 0 : 2
  }
  const asJson = values.json === true
  try {
    const config = loadConfig({
      ...(io.env ? { env: io.env } : {}),
      ...(flag(values, 'config') ? { file: flag(values, 'config') } : {}),
      overrides: { port: flag(values, 'port'), host: flag(values, 'host') },
    })
    switch (command) {
      case 'serve':
        return await serve(config, io)
      case 'backfill':
        return await withService(config, io, await loadEnhancers(), async (s) => {
          const bars = progressBars(io.stdout)
          const results = await s.engine.backfill(args.length > 0 ? args : undefined, {
            onProgress: (p) => bars.update(p),
            restart: values.restart === true,
          })
          bars.done()
          const processed = await s.engine.drain()
          const status = await s.engine.status()
          if (asJson) out(JSON.stringify({ results, processed, requests: status.requests }))
          else {
            for (const r of results)
              out(
                `${r.doctype.padEnd(20)} fetched ${r.fetched}, changed ${r.changed}, quarantined ${r.quarantined}`,
              )
            out(
              `Processed ${processed} follow-up task(s); ${status.requests} ERPNext requests (${status.requestsPerDocument.toFixed(3)} per document).`,
            )
          }
          return results.some((r) => r.quarantined > 0) ? 1 : 0
        })
      case 'reconcile': {
        const level = (flag(values, 'level') ?? 'quick') as ReconcileLevel
        if (!['quick', 'full', 'deep'].includes(level))
          throw new UsageError('--level must be quick, full or deep.')
        return await withService(config, io, await loadEnhancers(), async (s) => {
          const reports = await s.engine.reconcile(level, args.length > 0 ? args : undefined)
          await s.engine.drain()
          out(asJson ? JSON.stringify(reports) : `Reconciliation (${level}):\n${reportLines(reports)}`)
          return 0
        })
      }
      case 'status':
        return await withService(config, io, null, async (s) => {
          const status = await s.engine.status()
          const mirror: Record<string, number> = {}
          for (const d of config.doctypes)
            if (!(aiDocTypes as readonly string[]).includes(d))
              mirror[d] = (await s.store.documents.stats(d)).count
          if (asJson) {
            out(
              JSON.stringify({
                mirror,
                queue: status.queue,
                deadLetters: status.deadLetters,
                openReviews: status.openReviews,
              }),
            )
            return 0
          }
          out(`Storage: ${s.store.name}   ERPNext: ${config.erpnextUrl}`)
          for (const [d, n] of Object.entries(mirror))
            out(`  ${d.padEnd(22)} ${String(n).padStart(7)} mirrored`)
          out(
            `Queue: ${status.queue.pending} pending, ${status.queue.leased} leased; oldest pending ${status.queue.oldestPendingAgeMs ?? 0} ms`,
          )
          out(`Dead letters: ${status.deadLetters}   Open reviews: ${status.openReviews}`)
          return 0
        })
      case 'dead-letter':
        return await withService(config, io, null, async (s) => {
          const [action, ...ids] = args
          if (action === 'list') {
            const tasks = await s.engine.deadLetters.list({ limit: Number(flag(values, 'limit') ?? 100) })
            if (asJson) out(JSON.stringify(tasks))
            else if (tasks.length === 0) out('No dead letters.')
            else
              for (const t of tasks)
                out(`#${t.id} ${t.kind} ${t.doctype} ${t.name} attempts=${t.attempts} ${t.lastError ?? ''}`)
            return 0
          }
          if (action !== 'retry' && action !== 'discard')
            throw new UsageError('dead-letter needs list, retry or discard.')
          const which = values.all ? 'all' : ids.map(Number)
          if (which !== 'all' && (which.length === 0 || which.some((n) => !Number.isInteger(n))))
            throw new UsageError(`dead-letter ${action} needs task ids or --all.`)
          const n =
            action === 'retry'
              ? await s.engine.deadLetters.retry(which)
              : await s.engine.deadLetters.discard(which)
          out(`${action === 'retry' ? 'Re-queued' : 'Discarded'} ${n} task(s).`)
          return 0
        })
      case 'review':
        return await withService(config, io, null, async (s) => {
          const [action, id, decision] = args
          if (action === 'list') {
            const items = await s.engine.reviews.list({ status: 'open' })
            if (asJson) out(JSON.stringify(items))
            else if (items.length === 0) out('No open reviews.')
            else
              for (const r of items)
                out(
                  `#${r.id} ${r.doctype} ${r.name} ${r.field}\n    base:   ${JSON.stringify(r.base)}\n    AI:     ${JSON.stringify(r.local)}\n    ERPNext:${JSON.stringify(r.remote)}`,
                )
            return 0
          }
          if (action !== 'resolve' || !id || !/^\d+$/.test(id))
            throw new UsageError('review needs "list" or "resolve <id> local|remote|--value <json>".')
          let choice: 'local' | 'remote' | { value: unknown }
          const value = flag(values, 'value')
          if (value !== undefined) {
            try {
              choice = { value: JSON.parse(value) }
            } catch {
              throw new UsageError('--value must be JSON, e.g. --value \'"text"\'.')
            }
          } else if (decision === 'local' || decision === 'remote') choice = decision
          else throw new UsageError('review resolve needs local, remote or --value <json>.')
          const item = await s.engine.reviews.resolve(Number(id), choice, 'cli')
          await s.engine.drain()
          out(
            `Review #${item.id} resolved (${typeof choice === 'string' ? choice : 'value'}) and written back to ERPNext.`,
          )
          return 0
        })
      case 'plan':
        return await withService(config, io, await loadEnhancers(), async (s) => {
          const doctype = flag(values, 'doctype')
          const writes = await s.engine.plan({
            ...(doctype ? { doctypes: [doctype] } : {}),
            limit: Number(flag(values, 'limit') ?? 50),
          })
          if (asJson) out(JSON.stringify(writes))
          else if (writes.length === 0) out('Nothing to write back.')
          else
            for (const w of writes)
              out(
                w.type === 'update'
                  ? `update ${w.doctype} ${w.name}: ${Object.keys(w.fields).join(', ')}`
                  : `insert ${w.doctype} (key ${w.key})`,
              )
          return 0
        })
      case 'privacy':
        return await withService(config, io, null, async (s) => {
          const [action, student] = args
          if (!student || !['access', 'export', 'erase'].includes(action ?? ''))
            throw new UsageError('privacy needs access|export|erase <student>.')
          if (action === 'erase') {
            const requestId = flag(values, 'request-id') ?? randomUUID()
            const result = await s.engine.privacy.erase('Student', student, requestId)
            if (asJson) out(JSON.stringify({ requestId, ...result }))
            else if (result.documents.length === 0 && result.pseudonymMappings === 0)
              out(`Nothing left to erase for ${student} (request ${requestId}): no mirrored copy remains.`)
            else {
              const total = result.documents.reduce((n, d) => n + d.count, 0)
              out(
                `Erased ${total} mirrored document(s) of ${student} (request ${requestId}); none will be re-synced:`,
              )
              for (const d of result.documents) out(`  ${d.doctype.padEnd(20)} ${d.count}`)
              out(`  ${'pseudonym mappings'.padEnd(20)} ${result.pseudonymMappings}`)
            }
            return 0
          }
          const report = await s.engine.privacy.access('Student', student)
          if (action === 'export' || asJson) out(JSON.stringify(report, null, action === 'export' ? 2 : 0))
          else {
            out(`Student ${student}: ${report.document ? 'mirrored' : 'not in the mirror'}`)
            if (report.document) out(`  fields held: ${Object.keys(report.document).join(', ')}`)
            out(`  reviews: ${report.reviews.length}   audit entries: ${report.audit.length}`)
          }
          return 0
        })
      case 'setup-erpnext':
        return await withService(config, io, null, async (s) => {
          const base = config.publicUrl ?? `http://${config.host}:${config.port}`
          const webhookUrl = flag(values, 'webhook-url') ?? `${base}/webhooks/erpnext`
          const dryRun = values['dry-run'] === true
          const report = await setupErpnext(s.client, {
            webhookUrl,
            webhookSecret: s.webhookSecret,
            doctypes: config.doctypes,
            dryRun,
          })
          out(asJson ? JSON.stringify(report) : formatSetupReport(report, dryRun))
          return report.changes.some((c) => c.action === 'refused') ? 1 : 0
        })
      case 'doctor':
        return await withService(config, io, await loadEnhancers(), async (s) => {
          const result = await runDoctor(s, { print: asJson ? () => {} : out })
          if (asJson) out(JSON.stringify(result))
          return result.ok ? 0 : 1
        })
      default:
        throw new UsageError(`unknown command "${command}".\n\n${USAGE}`)
    }
  } catch (error) {
    if (isRunnerError(error)) {
      err(error.message)
      return isConfigError(error) || error.code === 'USAGE' ? 2 : 1
    }
    err(`[@edusync/reference-runner] ${command} failed: ${describe(error)}`)
    return 1
  }
}

async function serve(config: RunnerConfig, io: CliIo): Promise<number> {
  const service = await createService(config, {
    ...io.service,
    enhancers: await loadEnhancers(),
    ...(io.env ? { env: io.env } : {}),
  })
  let server: Awaited<ReturnType<typeof listen>>
  try {
    server = await listen(service, config.host, config.port)
  } catch (error) {
    await service.close()
    io.stderr.write(
      `[@edusync/reference-runner] cannot listen on ${config.host}:${config.port} (${describe(error)}); set EDUSYNC_PORT or EDUSYNC_HOST.\n`,
    )
    return 1
  }
  service.engine.start({ concurrency: config.workers })
  const stopSchedule = service.engine.schedule()
  const pull = setInterval(() => {
    service.engine
      .pull()
      .catch((error: unknown) =>
        io.stderr.write(`[@edusync/reference-runner] pull failed: ${describe(error)}\n`),
      )
  }, 60_000)
  io.stdout.write(
    `EduSync runner listening on ${server.url} (status page: ${server.url}/, webhooks: ${server.url}/webhooks/erpnext)\n`,
  )
  io.onListening?.(server.url)
  await (io.stopSignal ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    }))
  io.stdout.write('Stopping: finishing in-flight work…\n')
  clearInterval(pull)
  stopSchedule()
  await server.close()
  await service.close()
  return 0
}
