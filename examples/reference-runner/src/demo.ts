import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ERPNextClient, createClient } from '@edusync/erpnext-client'
import { type RunningEmulator, startEmulator } from '@edusync/erpnext-emulator'
import type { Enhancer } from '@edusync/sync-core'
import { loadEnhancers } from './ai-layer.js'
import { loadConfig } from './config.js'
import { progressBars, type ProgressOutput } from './progress.js'
import { type RunnerServer, listen } from './server.js'
import { type Service, createService } from './service.js'
import { formatSetupReport, setupErpnext } from './setup-erpnext.js'

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the demo prints. @default process.stdout */
  readonly out?: ProgressOutput
  /** Keep the runner and the emulator running until `stopSignal` (or Ctrl-C). @default false */
  readonly serve?: boolean
  /** Resolves to stop a serving demo. @default SIGINT/SIGTERM */
  readonly stopSignal?: Promise<void>
  /** Students in the seeded school. @default the 'school-small' seed (about 200) */
  readonly seedSize?: number
  /** The AI layer. @default the runner's enhancers (src/enhancers) */
  readonly enhancers?: readonly Enhancer[]
  /** Called when the runner listens (tests use it to open pages while serving). */
  readonly onReady?: (ready: {
    url: string
    adminToken: string
    service: Service
    erp: RunningEmulator
  }) => void | Promise<void>
}

/** One row of the conflicts table. */
export interface DemoConflict {
  readonly doctype: string
  readonly name: string
  readonly field: string
  readonly decision: string
}

/** The numbers the demo prints, with what the emulator itself saw. */
export interface DemoSummary {
  /** Documents the engine synced (backfill, webhooks). */
  readonly documentsSynced: number
  /** Live mirrored documents per doctype, and ERPNext's count of each. */
  readonly mirror: Readonly<Record<string, { mirror: number; erpnext: number }>>
  /** HTTP requests the emulator received in total, from the teacher, and from the runner. */
  readonly requests: {
    readonly total: number
    readonly teacher: number
    readonly runner: number
    readonly runnerCounted: number
  }
  /** The runner's requests per synced document. */
  readonly requestsPerDocument: number
  readonly webhooks: { readonly delivered: number; readonly accepted: number }
  readonly conflicts: readonly DemoConflict[]
  /** AI values written back: field updates pushed, AI documents inserted (and ERPNext's count of them). */
  readonly insights: {
    readonly fieldsPushed: number
    readonly documentsInserted: number
    readonly inErpnext: number
    readonly studentsWithAiValues: number
  }
  /** Webhook-to-sync latency (ms). */
  readonly latency: { readonly samples: number; readonly p50: number | null; readonly p95: number | null }
  /** The teacher's edit: whether the phone number survived, and whose value the AI field holds now. */
  readonly teacherEdit: {
    readonly student: string
    readonly kept: boolean
    readonly aiField: string | null
    readonly aiFieldHolds: 'teacher' | 'ai' | null
  }
  readonly statusUrl: string
  readonly seconds: number
}

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null
}

const AI_DOCTYPES = ['Assessment Insight', 'AI Engagement Log']

async function waitIdle(service: Service, erp: RunningEmulator, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  let quiet = 0
  while (Date.now() < until) {
    await erp.emulator.inspect.webhooksIdle()
    const s = await service.engine.status()
    quiet = s.queue.pending === 0 && s.queue.leased === 0 ? quiet + 1 : 0
    // Two quiet looks in a row: write-backs trigger webhooks that enqueue new work.
    if (quiet >= 3) return
    await new Promise((r) => setTimeout(r, 100))
  }
}

interface Gate {
  name: string | null
  started: () => void
  release: Promise<void>
}

/**
 * The demo's AI layer: the runner's enhancers, where the Student enhancement of one chosen student waits
 * until the teacher has saved (as a slow model would), so the two edits overlap on purpose.
 */
function gated(enhancers: readonly Enhancer[], gate: Gate): Enhancer[] {
  return enhancers.map((e) =>
    e.doctypes.includes('Student')
      ? {
          name: e.name,
          doctypes: e.doctypes,
          async enhance(ctx) {
            const result = await e.enhance(ctx)
            if (ctx.doctype === 'Student' && ctx.name === gate.name) {
              gate.started()
              await gate.release
            }
            return result
          },
        }
      : e,
  )
}

/** A teacher at the school: a separate ERPNext session whose requests are counted apart from the runner's. */
function teacherClient(erp: RunningEmulator): { client: ERPNextClient; requests: () => number } {
  let n = 0
  const client = createClient({
    url: erp.url,
    auth: { type: 'token', apiKey: erp.credentials.admin.apiKey, apiSecret: erp.credentials.admin.apiSecret },
    retry: false,
    hooks: { afterResponse: [(info) => void (info.status > 0 && n++)] },
  })
  return { client, requests: () => n }
}

/**
 * The demo: the emulator with a seeded school, `setup-erpnext` against it, a backfill with progress bars,
 * a school day through webhooks (attendance marked, results submitted, a teacher editing a student while
 * the AI layer updates the same document), and a summary whose numbers come from the runner and are
 * checked against the emulator's own request log and documents.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const out = options.out ?? process.stdout
  const started = Date.now()
  const say = (s = '') => out.write(`${s}\n`)
  const took = (since: number) => `(${((Date.now() - since) / 1000).toFixed(1)} s)`
  say('EduSync demo: ERPNext (emulated) ⇄ EduSync runner ⇄ AI layer\n')
  say('1. Starting the ERPNext emulator with a seeded school…')
  const erp = await startEmulator({
    seed: 'school-small',
    ...(options.seedSize ? { seedSize: options.seedSize } : {}),
    randomSeed: 7,
    timeFactor: 0.2,
  })
  const dataDir = mkdtempSync(join(tmpdir(), 'edusync-demo-'))
  const gate: Gate = { name: null, started: () => {}, release: Promise.resolve() }
  let service: Service | undefined
  let server: RunnerServer | undefined
  try {
    const config = loadConfig({
      env: {},
      overrides: {
        erpnextUrl: erp.url,
        apiKey: erp.credentials.admin.apiKey,
        apiSecret: erp.credentials.admin.apiSecret,
        dataDir,
        port: 0,
        rateLimit: 200,
      },
    })
    service = await createService(config, {
      enhancers: gated(options.enhancers ?? (await loadEnhancers()), gate),
      env: {},
      pollIntervalMs: 20,
      retryBaseMs: 50,
      retryMaxMs: 500,
    })
    server = await listen(service, config.host, 0)
    say(`   ERPNext at ${erp.url}; runner at ${server.url} (SQLite in ${dataDir})`)

    say('\n2. setup-erpnext: AI custom fields, AI doctypes and Webhooks…')
    const setup = await setupErpnext(service.client, {
      webhookUrl: `${server.url}/webhooks/erpnext`,
      webhookSecret: service.webhookSecret,
      doctypes: config.doctypes,
    })
    say(
      formatSetupReport(setup)
        .split('\n')
        .slice(0, 1)
        .concat(
          `   (${setup.changes.filter((c) => c.kind === 'Custom Field' && c.action === 'created').length} custom fields, ${setup.changes.filter((c) => c.kind === 'DocType' && c.action === 'created').length} doctypes, ${setup.changes.filter((c) => c.kind === 'Webhook' && c.action === 'created').length} webhooks created)`,
        )
        .join('\n'),
    )

    say('\n3. Backfill…')
    let since = Date.now()
    const bars = progressBars(out)
    await service.engine.backfill(undefined, { onProgress: (p) => bars.update(p) })
    bars.done()
    say(`   Backfill done ${took(since)}. The AI layer computes insights and writes them back…`)
    since = Date.now()
    await service.engine.drain()
    say(
      `   Done ${took(since)}: ${service.counters.pushed} AI field write-backs, ${service.counters.inserted} AI documents inserted.`,
    )
    service.engine.start({ concurrency: 2 })

    say('\n4. A school day, through webhooks…')
    const teacher = teacherClient(erp)
    const t = teacher.client
    const groups = (await t
      .docUntyped('Student Group')
      .list({ fields: ['name'] as never, limit: 1, orderBy: 'name asc' })) as { name: string }[]
    const group = (await t.docUntyped('Student Group').get(groups[0]!.name)) as unknown as {
      name: string
      program: string
      students: { student: string; student_name: string }[]
    }
    const members = group.students.slice(0, 12)
    const [last] = (await t.docUntyped('Student Attendance').list({
      fields: ['date'] as never,
      orderBy: 'date desc',
      limit: 1,
    })) as { date: string }[]
    const day = new Date(`${last?.date ?? '2025-01-06'}T00:00:00Z`)
    day.setUTCDate(day.getUTCDate() + 1)
    const date = day.toISOString().slice(0, 10)
    let absent = 0
    for (const [i, m] of members.entries()) {
      const status = i % 5 === 4 ? 'Absent' : 'Present'
      if (status === 'Absent') absent++
      await t.docUntyped('Student Attendance').create({
        student: m.student,
        student_name: m.student_name,
        student_group: group.name,
        date,
        status,
        docstatus: 1,
      } as never)
    }
    say(`   Attendance marked for ${members.length} students of ${group.name} on ${date} (${absent} absent)`)

    // A short quiz for the group: a new Assessment Plan (copied from the group's midterm) and its results.
    const [midterm] = (await t.docUntyped('Assessment Plan').list({
      fields: ['name'] as never,
      filters: [['student_group', '=', group.name]] as never,
      limit: 1,
    })) as { name: string }[]
    let submitted = 0
    if (midterm) {
      const source = (await t.docUntyped('Assessment Plan').get(midterm.name)) as Record<string, unknown>
      const plan = (await t.docUntyped('Assessment Plan').create({
        student_group: source.student_group,
        assessment_name: `${String(source.course)} quiz ${date}`,
        assessment_group: source.assessment_group,
        grading_scale: source.grading_scale,
        course: source.course,
        program: source.program,
        academic_year: source.academic_year,
        academic_term: source.academic_term,
        schedule_date: date,
        room: source.room,
        examiner: source.examiner,
        from_time: '13:00:00',
        to_time: '14:00:00',
        maximum_assessment_score: 100,
        docstatus: 1,
        assessment_criteria: [
          { assessment_criteria: 'Written Exam', maximum_score: 60 },
          { assessment_criteria: 'Coursework', maximum_score: 40 },
        ],
      } as never)) as Record<string, unknown>
      for (const [i, m] of members.entries()) {
        const written = 18 + ((i * 7) % 42)
        const coursework = 12 + ((i * 5) % 28)
        await t.docUntyped('Assessment Result').create({
          assessment_plan: plan.name,
          program: plan.program,
          course: plan.course,
          academic_year: plan.academic_year,
          academic_term: plan.academic_term,
          student: m.student,
          student_name: m.student_name,
          student_group: group.name,
          assessment_group: plan.assessment_group,
          grading_scale: plan.grading_scale,
          maximum_score: 100,
          total_score: written + coursework,
          docstatus: 1,
          details: [
            { assessment_criteria: 'Written Exam', maximum_score: 60, score: written },
            { assessment_criteria: 'Coursework', maximum_score: 40, score: coursework },
          ],
        } as never)
        submitted++
      }
    }
    say(`   ${submitted} assessment results submitted`)

    await waitIdle(service, erp)
    // A teacher edits a student while the AI layer is computing new values for the same document: the
    // AI layer read version 1; the teacher saves version 2 (phone number and a note in an AI field);
    // then the AI layer writes. The engine merges field by field and the conflict rules decide.
    const edited = members[0]!.student
    let release = () => {}
    const computing = new Promise<void>((resolve) => {
      gate.started = resolve
    })
    gate.release = new Promise<void>((resolve) => {
      release = resolve
    })
    gate.name = edited
    const phone = '+41 44 555 01 23'
    // The teacher saves the phone number; the webhook makes the AI layer recompute the student…
    await t.docUntyped('Student').update(edited, { student_mobile_number: phone } as never)
    const aiField = await Promise.race([
      computing.then(() => 'ai_performance_insights'),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
    ])
    // …and, while it computes, adds a note to the AI field on the same form.
    if (aiField)
      await t.docUntyped('Student').update(edited, {
        [aiField]: JSON.stringify({ teacher_note: 'Discussed progress with the family.' }),
      } as never)
    gate.name = null
    release()
    say(
      `   A teacher edited ${edited} (phone${aiField ? ` and ${aiField}` : ''}) while the AI layer was updating it`,
    )
    await waitIdle(service, erp)
    const after = erp.emulator.inspect.document('Student', edited) ?? {}
    const kept = after.student_mobile_number === phone
    const aiFieldNow = aiField ? String(after[aiField] ?? '') : ''

    // Summary, checked against the emulator's own records.
    const status = await service.engine.status()
    const mirror: Record<string, { mirror: number; erpnext: number }> = {}
    for (const d of config.doctypes) {
      if (AI_DOCTYPES.includes(d)) continue
      mirror[d] = {
        mirror: (await service.store.documents.stats(d)).count,
        erpnext: erp.emulator.inspect.documents(d).length,
      }
    }
    const total = erp.emulator.inspect.requests().length
    const teacherN = teacher.requests()
    const conflicts: DemoConflict[] = []
    for (const c of service.counters.conflicts) {
      const remote = erp.emulator.inspect.document(c.doctype, c.name) ?? {}
      for (const field of c.fields) {
        const v = remote[field]
        conflicts.push({
          doctype: c.doctype,
          name: c.name,
          field,
          decision: c.review.includes(field)
            ? 'manual review (see /reviews)'
            : typeof v === 'string' && v.includes('teacher_note')
              ? "ERPNext's value kept"
              : "AI layer's value written (ai_* fields: ai_wins)",
        })
      }
    }
    const students = erp.emulator.inspect.documents('Student')
    const deliveries = erp.emulator.inspect.webhookDeliveries().reduce((n, d) => n + d.attempts.length, 0)
    const summary: DemoSummary = {
      documentsSynced: status.documentsSynced,
      mirror,
      requests: {
        total,
        teacher: teacherN,
        runner: total - teacherN,
        runnerCounted: service.counters.erpnextRequests,
      },
      requestsPerDocument:
        status.documentsSynced === 0 ? 0 : service.counters.erpnextRequests / status.documentsSynced,
      webhooks: { delivered: deliveries, accepted: service.counters.webhooks.get(200) ?? 0 },
      conflicts,
      insights: {
        fieldsPushed: service.counters.pushed,
        documentsInserted: service.counters.inserted,
        inErpnext: AI_DOCTYPES.reduce((n, d) => n + erp.emulator.inspect.documents(d).length, 0),
        studentsWithAiValues: students.filter((s) =>
          Object.entries(s).some(([k, v]) => k.startsWith('ai_') && v),
        ).length,
      },
      latency: {
        samples: service.counters.latencies.length,
        p50: percentile(service.counters.latencies, 50),
        p95: percentile(service.counters.latencies, 95),
      },
      teacherEdit: {
        student: edited,
        kept,
        aiField: aiField ?? null,
        aiFieldHolds: aiField ? (aiFieldNow.includes('teacher_note') ? 'teacher' : 'ai') : null,
      },
      statusUrl: `${server.url}/`,
      seconds: (Date.now() - started) / 1000,
    }
    printSummary(summary, say)
    if (options.onReady)
      await options.onReady({ url: server.url, adminToken: service.adminToken, service, erp })
    if (options.serve) {
      say(`\nServing until Ctrl-C. Sign in at ${server.url}/login with the admin token ${service.adminToken}`)
      await (options.stopSignal ??
        new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve())
          process.once('SIGTERM', () => resolve())
        }))
    }
    return summary
  } finally {
    await server?.close()
    await service?.close()
    await erp.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Print the summary table. */
export function printSummary(s: DemoSummary, say: (line?: string) => void): void {
  const row = (k: string, v: string | number) => say(`  ${k.padEnd(44)} ${String(v)}`)
  say('\n5. Summary')
  row('documents synced', s.documentsSynced)
  for (const [d, c] of Object.entries(s.mirror))
    row(
      `  ${d} (mirror / ERPNext)`,
      `${c.mirror} / ${c.erpnext}${c.mirror === c.erpnext ? '' : '  ← differs'}`,
    )
  row(
    'ERPNext requests by the runner',
    `${s.requests.runner} (emulator log: ${s.requests.total} total, ${s.requests.teacher} from the teacher)`,
  )
  row('ERPNext requests per synced document', s.requestsPerDocument.toFixed(3))
  row('webhook attempts by ERPNext / accepted', `${s.webhooks.delivered} / ${s.webhooks.accepted}`)
  row('conflicts', s.conflicts.length)
  for (const c of s.conflicts) row(`  ${c.doctype} ${c.name} ${c.field}`, c.decision)
  row("teacher's edit of the phone number kept", s.teacherEdit.kept ? 'yes' : 'NO')
  if (s.teacherEdit.aiField)
    row(
      `${s.teacherEdit.aiField} now holds`,
      s.teacherEdit.aiFieldHolds === 'ai' ? "the AI layer's value" : "the teacher's value",
    )
  row('AI field write-backs', s.insights.fieldsPushed)
  row('AI documents inserted (in ERPNext)', `${s.insights.documentsInserted} (${s.insights.inErpnext})`)
  row('students with AI values in ERPNext', s.insights.studentsWithAiValues)
  row(
    'webhook-to-sync latency p50 / p95',
    s.latency.p50 === null
      ? 'no samples'
      : `${Math.round(s.latency.p50)} ms / ${Math.round(s.latency.p95 ?? 0)} ms (${s.latency.samples} documents)`,
  )
  row('demo time', `${s.seconds.toFixed(1)} s`)
  say(`\nStatus page: ${s.statusUrl}`)
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))
if (isMain) {
  runDemo({ serve: process.argv.includes('--serve') }).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `[@edusync/reference-runner] the demo failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      )
      process.exit(1)
    },
  )
}
