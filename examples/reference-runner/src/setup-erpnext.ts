import { aiDocTypes, getDocTypeMeta, isKnownDocType } from '@edusync/doctype-schemas'
import { type ERPNextClient, isAuthenticationError, isPermissionError } from '@edusync/erpnext-client'
import { SetupError } from './errors.js'
import { describe } from './service.js'

/** One thing `setup-erpnext` looked at. */
export interface SetupChange {
  readonly kind: 'Custom Field' | 'DocType' | 'Webhook'
  readonly name: string
  readonly action: 'created' | 'updated' | 'unchanged' | 'refused'
  readonly detail: string
}

/** What `setup-erpnext` did. */
export interface SetupReport {
  readonly changes: readonly SetupChange[]
  /** Number of created or updated items (0 on a second run). */
  readonly changed: number
}

/** Options of {@link setupErpnext}. */
export interface SetupOptions {
  /** The URL ERPNext posts webhooks to, e.g. `https://sync.school.example/webhooks/erpnext`. */
  readonly webhookUrl: string
  /** The secret ERPNext signs webhooks with. */
  readonly webhookSecret: string
  /** Doctypes to register webhooks for (AI doctypes are skipped: the runner writes them). */
  readonly doctypes: readonly string[]
  /** Report what would change without changing anything. @default false */
  readonly dryRun?: boolean
}

/**
 * The payload: the recommended template of `@edusync/webhook-verifier` — which document changed and its
 * version, never its content (so no PII leaves ERPNext), plus an `event_id` (doctype, name, `modified`,
 * event) that the verifier uses to reject replays and duplicates, and `sent_at` for its tolerance window.
 */
export function webhookTemplate(event: string): string {
  return (
    `{"event": "${event}", ` +
    `"event_id": {{ (doc.doctype ~ ":" ~ doc.name ~ ":" ~ doc.modified ~ ":${event}") | tojson }}, ` +
    `"doctype": {{ doc.doctype | tojson }}, "name": {{ doc.name | tojson }}, ` +
    `"modified": {{ doc.modified | tojson }}, ` +
    `"sent_at": {{ frappe.utils.get_datetime_in_timezone("UTC").isoformat() | tojson }}}`
  )
}

/** The events registered for a doctype: saves and deletions, plus cancellation of submittable doctypes. */
export function webhookEvents(doctype: string): string[] {
  const submittable = isKnownDocType(doctype) && getDocTypeMeta(doctype).is_submittable === 1
  return submittable ? ['on_update', 'on_cancel', 'on_trash'] : ['on_update', 'on_trash']
}

/** The Webhook document name EduSync uses for a doctype and event. */
export function webhookName(doctype: string, event: string): string {
  return `edusync-${doctype.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${event.replace(/_/g, '-')}`
}

/**
 * Install EduSync on an ERPNext site, idempotently: the AI custom fields and doctypes (through
 * `@edusync/erpnext-client`'s `setup.ensureCustomizations`), then one Webhook document per doctype and
 * event pointing at the runner, signed with the secret and sending the thin payload of {@link webhookTemplate}. A second run changes
 * nothing and says so.
 *
 * @throws {SetupError} when the site refuses (missing System Manager role, unreachable site)
 */
export async function setupErpnext(client: ERPNextClient, options: SetupOptions): Promise<SetupReport> {
  const changes: SetupChange[] = []
  const dryRun = options.dryRun ?? false
  try {
    const report = await client.setup.ensureCustomizations(undefined, { dryRun })
    for (const [action, items] of [
      ['created', report.created],
      ['updated', report.changed],
      ['unchanged', report.unchanged],
      ['refused', report.refused],
    ] as const)
      for (const item of items)
        changes.push({ kind: item.kind, name: item.name, action, detail: item.changes.join(', ') })
  } catch (error) {
    const denied = isPermissionError(error) || isAuthenticationError(error)
    throw new SetupError(
      `installing the AI custom fields and doctypes failed (${describe(error)})${denied ? '; the API user needs the System Manager role' : ''}.`,
      { cause: error },
    )
  }
  const hooks = client.docUntyped('Webhook')
  const wanted = options.doctypes.filter((d) => !(aiDocTypes as readonly string[]).includes(d))
  let existing: Record<string, unknown>[]
  try {
    existing = (await hooks.list({
      fields: [
        'name',
        'webhook_doctype',
        'webhook_docevent',
        'request_url',
        'request_structure',
        'webhook_json',
        'enable_security',
        'enabled',
      ] as never,
      filters: [['name', 'like', 'edusync-%']] as never,
      limit: 1000,
    })) as Record<string, unknown>[]
  } catch (error) {
    throw new SetupError(`listing the site's Webhooks failed (${describe(error)}).`, { cause: error })
  }
  const byName = new Map(existing.map((w) => [String(w.name), w]))
  for (const doctype of wanted) {
    for (const event of webhookEvents(doctype)) {
      const name = webhookName(doctype, event)
      const desired = {
        webhook_doctype: doctype,
        webhook_docevent: event,
        request_url: options.webhookUrl,
        request_structure: 'JSON',
        webhook_json: webhookTemplate(event),
        enable_security: 1,
        enabled: 1,
      }
      const current = byName.get(name)
      try {
        if (!current) {
          if (!dryRun)
            await hooks.create({ name, ...desired, webhook_secret: options.webhookSecret } as never)
          changes.push({
            kind: 'Webhook',
            name,
            action: 'created',
            detail: `${doctype} ${event} → ${options.webhookUrl}`,
          })
          continue
        }
        const diff = Object.entries(desired)
          .filter(([k, v]) => String(current[k] ?? '') !== String(v))
          .map(([k]) => k)
        if (diff.length === 0) {
          changes.push({ kind: 'Webhook', name, action: 'unchanged', detail: `${doctype} ${event}` })
          continue
        }
        if (!dryRun) await hooks.update(name, { ...desired, webhook_secret: options.webhookSecret } as never)
        changes.push({ kind: 'Webhook', name, action: 'updated', detail: diff.join(', ') })
      } catch (error) {
        throw new SetupError(`saving the Webhook ${name} failed (${describe(error)}).`, { cause: error })
      }
    }
  }
  return {
    changes,
    changed: changes.filter((c) => c.action === 'created' || c.action === 'updated').length,
  }
}

/** The report as lines for a terminal. */
export function formatSetupReport(report: SetupReport, dryRun = false): string {
  const lines = report.changes
    .filter((c) => c.action !== 'unchanged')
    .map((c) => `  ${c.action.padEnd(9)} ${c.kind.padEnd(12)} ${c.name}${c.detail ? `  (${c.detail})` : ''}`)
  const unchanged = report.changes.length - lines.length
  return [
    report.changed === 0
      ? `Nothing to change: ERPNext is already set up (${unchanged} items checked).`
      : `${dryRun ? 'Would change' : 'Changed'} ${report.changed} item(s); ${unchanged} already as wanted:`,
    ...lines,
  ].join('\n')
}
