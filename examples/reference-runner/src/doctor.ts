import { randomBytes } from 'node:crypto'
import { listen } from './server.js'
import { type Service, describe } from './service.js'
import { webhookEvents, webhookName } from './setup-erpnext.js'

/** One line of the checklist. */
export interface DoctorCheck {
  readonly name: string
  readonly ok: boolean
  /** What was found. */
  readonly detail: string
  /** How to fix it (failed lines only). */
  readonly fix?: string
}

/** The checklist. */
export interface DoctorResult {
  readonly ok: boolean
  readonly checks: readonly DoctorCheck[]
}

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** Receives each checklist line as it completes. @default no output */
  readonly print?: (line: string) => void
  /** How long to wait for a webhook delivery. @default 20000 */
  readonly webhookTimeoutMs?: number
  /** @default Date.now */
  readonly now?: () => number
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>
}

const SCRATCH_DOCTYPE = 'Program'

/**
 * The design's validation suite against a live site: connectivity, credentials, read permission per
 * doctype, customizations present, webhooks registered, a webhook round trip on a scratch document
 * (created, mirrored, deleted, tombstoned), latency and the site's rate limit. Each failed line says how
 * to fix it. When no runner is serving on the configured address, the doctor serves the webhook endpoint
 * itself for the round trip.
 */
export async function runDoctor(service: Service, options: DoctorOptions = {}): Promise<DoctorResult> {
  const print = options.print ?? (() => {})
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const timeout = options.webhookTimeoutMs ?? 20_000
  const { config, client } = service
  const checks: DoctorCheck[] = []
  const add = (check: DoctorCheck) => {
    checks.push(check)
    print(
      `${check.ok ? '[ok]  ' : '[FAIL]'} ${check.name}: ${check.detail}${check.ok || !check.fix ? '' : `\n       fix: ${check.fix}`}`,
    )
    return check.ok
  }
  const waitFor = async (predicate: () => Promise<boolean>) => {
    const until = now() + timeout
    while (now() < until) {
      if (await predicate()) return true
      await sleep(100)
    }
    return false
  }

  // 1. connectivity
  let reachable = false
  try {
    const response = await fetch(`${config.erpnextUrl}/api/method/frappe.ping`, {
      signal: AbortSignal.timeout(10_000),
    })
    reachable = true
    add({ name: 'connectivity', ok: true, detail: `${config.erpnextUrl} answered HTTP ${response.status}` })
  } catch (error) {
    add({
      name: 'connectivity',
      ok: false,
      detail: `${config.erpnextUrl} did not answer (${describe(error)})`,
      fix: 'check EDUSYNC_ERPNEXT_URL, DNS, TLS and that the firewall lets this machine reach the site',
    })
  }
  if (!reachable) return { ok: false, checks }

  // 2. credentials
  let user = ''
  try {
    user = String(await client.call('frappe.auth.get_logged_user'))
    add({
      name: 'credentials',
      ok: user !== 'Guest',
      detail: `authenticated as ${user}`,
      fix: 'set EDUSYNC_ERPNEXT_API_KEY and EDUSYNC_ERPNEXT_API_SECRET (User → Settings → API Access → Generate Keys)',
    })
  } catch (error) {
    add({
      name: 'credentials',
      ok: false,
      detail: `refused (${describe(error)})`,
      fix: 'regenerate the API key and secret of the integration user and set EDUSYNC_ERPNEXT_API_KEY / _SECRET',
    })
    return { ok: false, checks }
  }

  // 3. permissions per doctype
  for (const doctype of config.doctypes) {
    try {
      await client.docUntyped(doctype).list({ fields: ['name'] as never, limit: 1 })
      add({ name: `read ${doctype}`, ok: true, detail: 'permitted' })
    } catch (error) {
      add({
        name: `read ${doctype}`,
        ok: false,
        detail: describe(error),
        fix: `give ${user} a role that reads ${doctype} (e.g. Academics User, or System Manager for the AI doctypes), or run setup-erpnext if the doctype is missing`,
      })
    }
  }

  // 4. customizations
  try {
    const report = await client.setup.ensureCustomizations(undefined, { dryRun: true })
    const missing = [...report.created, ...report.changed].map((i) => i.name)
    add({
      name: 'AI customizations',
      ok: missing.length === 0,
      detail:
        missing.length === 0
          ? `${report.unchanged.length} custom fields and doctypes present`
          : `missing or different: ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? '…' : ''}`,
      fix: 'run: edusync setup-erpnext',
    })
  } catch (error) {
    add({
      name: 'AI customizations',
      ok: false,
      detail: describe(error),
      fix: 'give the integration user System Manager, then run: edusync setup-erpnext',
    })
  }

  // 5. webhooks registered
  const base = config.publicUrl ?? `http://${config.host}:${config.port}`
  try {
    const hooks = (await client.docUntyped('Webhook').list({
      fields: ['name', 'request_url', 'enabled'] as never,
      filters: [['name', 'like', 'edusync-%']] as never,
      limit: 1000,
    })) as { name: string; request_url: string; enabled: number }[]
    const expected = config.doctypes.flatMap((d) =>
      d === 'Assessment Insight' || d === 'AI Engagement Log'
        ? []
        : webhookEvents(d).map((e) => webhookName(d, e)),
    )
    const have = new Map(hooks.map((h) => [h.name, h]))
    const missing = expected.filter((n) => !have.has(n))
    const wrongUrl = hooks.filter(
      (h) => h.request_url !== `${base}/webhooks/erpnext` || Number(h.enabled) !== 1,
    )
    add({
      name: 'webhooks registered',
      ok: missing.length === 0 && wrongUrl.length === 0,
      detail:
        missing.length > 0
          ? `${missing.length} missing (e.g. ${missing[0]})`
          : wrongUrl.length > 0
            ? `${wrongUrl.length} point elsewhere or are disabled (e.g. ${wrongUrl[0]?.name})`
            : `${expected.length} webhooks → ${base}/webhooks/erpnext`,
      fix: 'run: edusync setup-erpnext (set EDUSYNC_PUBLIC_URL to the address ERPNext reaches this runner at)',
    })
  } catch (error) {
    add({
      name: 'webhooks registered',
      ok: false,
      detail: describe(error),
      fix: 'give the integration user System Manager',
    })
  }

  // 6–7. webhook round trip and round-trip sync of a scratch document
  let own: Awaited<ReturnType<typeof listen>> | undefined
  const serving = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  )
  if (!serving) {
    try {
      own = await listen(service, config.host, config.port)
      service.engine.start({ concurrency: 1 })
    } catch (error) {
      add({
        name: 'webhook round trip',
        ok: false,
        detail: `no runner serves ${base} and the doctor could not listen there (${describe(error)})`,
        fix: 'start `edusync serve`, or free the port',
      })
    }
  }
  if (serving || own) {
    const scratch = `EduSync doctor ${randomBytes(4).toString('hex')}`
    const delivered = () => [...service.counters.webhooks.values()].reduce((a, b) => a + b, 0)
    const before = delivered()
    try {
      await client.docUntyped(SCRATCH_DOCTYPE).create({ program_name: scratch } as never)
      const mirrored = await waitFor(
        async () => (await service.store.documents.get(SCRATCH_DOCTYPE, scratch)) !== null,
      )
      add({
        name: 'webhook round trip',
        ok: mirrored,
        detail: mirrored
          ? `a change to ${SCRATCH_DOCTYPE} "${scratch}" reached ${base}/webhooks/erpnext${own ? ` (${delivered() - before} deliveries)` : ''}`
          : `no delivery within ${timeout / 1000}s`,
        fix: `check that ERPNext reaches ${base} (firewall, EDUSYNC_PUBLIC_URL), its background workers run (bench worker), and its Webhook Request Log for errors (401 = the secret differs: run setup-erpnext again)`,
      })
      if (mirrored) {
        const remote = (await client.docUntyped(SCRATCH_DOCTYPE).get(scratch)) as { modified?: string }
        const local = await service.store.documents.get(SCRATCH_DOCTYPE, scratch)
        await client.docUntyped(SCRATCH_DOCTYPE).delete(scratch)
        const tombstoned = await waitFor(
          async () => (await service.store.documents.get(SCRATCH_DOCTYPE, scratch))?.deleted === true,
        )
        add({
          name: 'round-trip sync',
          ok: local?.modified === remote.modified && tombstoned,
          detail: `mirrored at ERPNext's version ${local?.modified === remote.modified ? '(equal)' : '(differs)'}; deletion ${tombstoned ? 'synced' : 'not synced'}`,
          fix: 'see `edusync dead-letter list` and the runner log for the failing task',
        })
      } else
        await client
          .docUntyped(SCRATCH_DOCTYPE)
          .delete(scratch)
          .catch(() => {})
    } catch (error) {
      add({
        name: 'webhook round trip',
        ok: false,
        detail: describe(error),
        fix: `give the integration user create and delete on ${SCRATCH_DOCTYPE}`,
      })
    }
    if (own) {
      await service.engine.stop()
      await own.close()
    }
  }

  // 8. latency
  const samples: number[] = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    try {
      await client.call('frappe.auth.get_logged_user')
      samples.push(performance.now() - t)
    } catch {}
  }
  samples.sort((a, b) => a - b)
  const median = samples[Math.floor(samples.length / 2)] ?? Number.NaN
  add({
    name: 'latency',
    ok: median < 1000,
    detail: `median ${Math.round(median)} ms over ${samples.length} requests`,
    fix: 'run the runner close to the site; slow answers usually mean an overloaded site (check its workers)',
  })

  // 9. rate limit
  try {
    const headers: Record<string, string> = {}
    if (config.apiKey && config.apiSecret)
      headers.authorization = `token ${config.apiKey}:${config.apiSecret}`
    const r = await fetch(`${config.erpnextUrl}/api/method/frappe.auth.get_logged_user`, {
      headers,
      signal: AbortSignal.timeout(10_000),
    })
    const limit = Number(r.headers.get('x-ratelimit-limit'))
    const remaining = Number(r.headers.get('x-ratelimit-remaining'))
    if (!r.headers.has('x-ratelimit-limit'))
      add({
        name: 'rate limit',
        ok: r.status !== 429,
        detail: `the site limiter is off; the runner sends at most ${config.rateLimit} requests/s`,
      })
    else
      add({
        name: 'rate limit',
        ok: remaining > limit * 0.1,
        detail: `site budget ${limit} µs per window, ${remaining} left; runner limit ${config.rateLimit} requests/s`,
        fix: 'lower EDUSYNC_RATE_LIMIT, or raise rate_limit in the site config',
      })
  } catch (error) {
    add({ name: 'rate limit', ok: false, detail: describe(error), fix: 'see the connectivity line' })
  }
  return { ok: checks.every((c) => c.ok), checks }
}
