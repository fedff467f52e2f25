import type { QueueTask, ReviewItem, SyncEngineStatus } from '@edusync/sync-core'
import { type SafeHtml, html, layout, num, prettyJson } from './html.js'

/** The JSON status: the engine's snapshot plus the mirror's counts and the webhook counters. */
export interface RunnerStatus extends SyncEngineStatus {
  /** Live mirrored documents per doctype. */
  readonly mirror: Readonly<Record<string, number>>
  /** Webhook responses by status code. */
  readonly webhooks: Readonly<Record<string, number>>
  readonly storage: string
}

const ms = (v: number | null) =>
  v === null ? '–' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`
const when = (t: number | null) =>
  t === null ? '–' : new Date(t).toISOString().replace('T', ' ').slice(0, 19)

function card(label: string, metric: string, value: string | number, cls = ''): SafeHtml {
  return html`<div class="card"><div class="v ${cls}" data-metric="${metric}">${value}</div><div class="k">${label}</div></div>`
}

/** The sync status page: live numbers, per-doctype lag, queue and circuit. */
export function statusPage(s: RunnerStatus): string {
  const rows = Object.keys(s.mirror).map((doctype) => {
    const lag = s.lag[doctype]
    return html`<tr><th scope="row">${doctype}</th><td class="n" data-metric="mirror:${doctype}">${num(s.mirror[doctype] ?? 0)}</td>
<td class="n">${ms(lag?.lastLatencyMs ?? null)}</td><td>${when(lag?.lastAppliedAt ?? null)}</td></tr>`
  })
  const kinds = Object.entries(s.queue.byKind).map(
    ([kind, q]) =>
      html`<tr><th scope="row">${kind}</th><td class="n">${q.pending}</td><td class="n">${q.leased}</td><td class="n">${q.dead}</td></tr>`,
  )
  const errors = Object.entries(s.errors).map(
    ([code, n]) => html`<tr><th scope="row">${code}</th><td class="n">${n}</td></tr>`,
  )
  const body = html`<h1>Sync status</h1>
<p class="muted">Storage: ${s.storage} · worker ${s.workerId} · ${s.running ? 'workers running' : 'workers stopped'}</p>
<section aria-label="Key figures" class="cards">
${card('documents synced', 'documentsSynced', num(s.documentsSynced))}
${card('ERPNext requests', 'requests', num(s.requests))}
${card('requests per document', 'requestsPerDocument', num(s.requestsPerDocument))}
${card('queue pending', 'pending', num(s.queue.pending))}
${card('queue leased', 'leased', num(s.queue.leased))}
${card('dead letters', 'deadLetters', num(s.deadLetters), s.deadLetters > 0 ? 'bad' : '')}
${card('open reviews', 'openReviews', num(s.openReviews), s.openReviews > 0 ? 'bad' : '')}
${card('documents / s (1 min)', 'throughput', num(s.throughput))}
${card('ERPNext circuit', 'circuit', s.circuit.state, s.circuit.state === 'closed' ? 'ok' : 'bad')}
</section>
<h2 id="doctypes">Per doctype</h2>
<table aria-labelledby="doctypes"><thead><tr><th scope="col">Doctype</th><th scope="col">Mirrored</th><th scope="col">Last change-to-sync lag</th><th scope="col">Last synced (UTC)</th></tr></thead><tbody>${rows}</tbody></table>
<h2 id="queue">Queue</h2>
<p>Oldest pending task: ${ms(s.queue.oldestPendingAgeMs)}</p>
<table aria-labelledby="queue"><thead><tr><th scope="col">Kind</th><th scope="col">Pending</th><th scope="col">Leased</th><th scope="col">Dead</th></tr></thead><tbody>${
    kinds.length > 0 ? kinds : html`<tr><td colspan="4" class="muted">The queue is empty.</td></tr>`
  }</tbody></table>
<h2 id="errors">Errors</h2>
${
  errors.length > 0
    ? html`<table aria-labelledby="errors"><thead><tr><th scope="col">Code</th><th scope="col">Count</th></tr></thead><tbody>${errors}</tbody></table>`
    : html`<p class="muted">No errors since start.</p>`
}
<h2>Webhooks received</h2>
<p>${Object.entries(s.webhooks).map(([code, n]) => html`<span>HTTP ${code}: ${n}</span> `)}${Object.keys(s.webhooks).length === 0 ? 'None yet.' : ''}</p>`
  return layout('Sync status', body, { refreshScript: true })
}

/** The review queue: each conflict with base, AI and ERPNext values, and a form to decide. */
export function reviewsPage(items: readonly ReviewItem[], flash?: string): string {
  const body = html`<h1>Review queue</h1>
${flash ? html`<p role="status" class="ok">${flash}</p>` : ''}
<p class="muted">Fields both ERPNext and the AI layer changed since the last sync, which the conflict rules send to a person. Choosing a value writes it back to ERPNext.</p>
${
  items.length === 0
    ? html`<p>No open reviews.</p>`
    : items.map(
        (r) => html`<article class="review" aria-labelledby="r${r.id}" data-review="${r.id}">
<h2 id="r${r.id}">#${r.id} · ${r.doctype} <a href="${docHref(r.doctype, r.name)}">${r.name}</a> · field <code>${r.field}</code></h2>
<p class="muted">${r.reason ?? ''} · opened ${when(r.createdAt)} UTC</p>
<div class="choice">
<section><h3>Base (last synced)</h3><pre>${prettyJson(r.base)}</pre></section>
<section><h3>AI layer</h3><pre>${prettyJson(r.local)}</pre>
<form method="post" action="/reviews/${r.id}/resolve"><input type="hidden" name="decision" value="local"><button type="submit">Keep the AI value</button></form></section>
<section><h3>ERPNext</h3><pre>${prettyJson(r.remote)}</pre>
<form method="post" action="/reviews/${r.id}/resolve"><input type="hidden" name="decision" value="remote"><button type="submit" class="secondary">Keep the ERPNext value</button></form></section>
</div></article>`,
      )
}`
  return layout('Review queue', body)
}

function docHref(doctype: string, name: string): string {
  if (doctype === 'Student') return `/students/${encodeURIComponent(name)}`
  if (doctype === 'Student Group') return `/classes/${encodeURIComponent(name)}`
  return '#'
}

/** Dead letters: tasks that ran out of attempts, with retry and discard. */
export function deadLettersPage(tasks: readonly QueueTask[], flash?: string): string {
  const body = html`<h1>Dead letters</h1>
${flash ? html`<p role="status" class="ok">${flash}</p>` : ''}
<p class="muted">Tasks that failed every attempt. Retry re-queues them; discard drops them (a later pull or reconciliation still repairs the mirror).</p>
${
  tasks.length === 0
    ? html`<p>No dead letters.</p>`
    : html`<form method="post" action="/dead-letters/retry-all" class="inline"><button type="submit">Retry all</button></form>
<table><thead><tr><th scope="col">#</th><th scope="col">Kind</th><th scope="col">Document</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Actions</th></tr></thead><tbody>${tasks.map(
        (
          t,
        ) => html`<tr data-task="${t.id}"><td><a href="/dead-letters/${t.id}">${t.id}</a></td><td>${t.kind}</td><td>${t.doctype} ${t.name}</td><td class="n">${t.attempts}</td><td>${(t.lastError ?? '').slice(0, 160)}</td>
<td><form method="post" action="/dead-letters/${t.id}/retry" class="inline"><button type="submit">Retry</button></form>
<form method="post" action="/dead-letters/${t.id}/discard" class="inline"><button type="submit" class="secondary">Discard</button></form></td></tr>`,
      )}</tbody></table>`
}`
  return layout('Dead letters', body)
}

/** One dead letter in full. */
export function deadLetterPage(t: QueueTask): string {
  const body = html`<h1>Dead letter #${t.id}</h1>
<table><tbody>
<tr><th scope="row">Kind</th><td>${t.kind}</td></tr><tr><th scope="row">Document</th><td>${t.doctype} ${t.name}</td></tr>
<tr><th scope="row">Version</th><td>${t.modified ?? '–'}</td></tr><tr><th scope="row">Attempts</th><td>${t.attempts} of ${t.maxAttempts}</td></tr>
<tr><th scope="row">Created</th><td>${when(t.createdAt)} UTC</td></tr><tr><th scope="row">Last error</th><td><pre>${t.lastError ?? ''}</pre></td></tr>
<tr><th scope="row">Payload</th><td><pre>${prettyJson(t.payload)}</pre></td></tr></tbody></table>
<form method="post" action="/dead-letters/${t.id}/retry" class="inline"><button type="submit">Retry</button></form>
<form method="post" action="/dead-letters/${t.id}/discard" class="inline"><button type="submit" class="secondary">Discard</button></form>`
  return layout(`Dead letter #${t.id}`, body)
}

function parse(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

const TEXT_KEYS = ['explanation', 'summary', 'message', 'suggestion', 'description', 'text']

/** The human sentence of an AI value, when it has one. */
function sentence(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const k of TEXT_KEYS) {
      const v = (value as Record<string, unknown>)[k]
      if (typeof v === 'string' && v !== '') return v
    }
  }
  return null
}

/** Sentences of a value and of its `reasons`, for teachers; the raw JSON stays in {@link details}. */
function readable(value: unknown): SafeHtml {
  const main = sentence(value)
  const reasons =
    value && typeof value === 'object' && Array.isArray((value as { reasons?: unknown }).reasons)
      ? ((value as { reasons: unknown[] }).reasons.map(sentence).filter(Boolean) as string[])
      : []
  return html`${main ? html`<p>${main}</p>` : ''}${reasons.length > 0 ? html`<ul>${reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}`
}

function list(value: unknown, empty: string): SafeHtml {
  if (!Array.isArray(value) || value.length === 0) return html`<p class="muted">${empty}</p>`
  return html`<ul>${value.map((v) => html`<li>${sentence(v) ?? criterionLine(v) ?? JSON.stringify(v)}</li>`)}</ul>`
}

/** `Coursework: 30% (high)` for a criterion-level entry. */
function criterionLine(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null
  const v = value as Record<string, unknown>
  const label = v.criterion ?? v.name ?? v.topic
  if (typeof label !== 'string') return null
  const percent = typeof v.percent === 'number' ? `: ${v.percent}%` : ''
  const severity = typeof v.severity === 'string' ? ` (${v.severity})` : ''
  return `${label}${percent}${severity}`
}

function details(value: unknown, label = 'Details'): SafeHtml {
  return html`<details><summary>${label}</summary><pre>${prettyJson(value)}</pre></details>`
}

/** An AI field or document rendered for teachers. */
export interface InsightView {
  readonly label: string
  readonly value: unknown
}

/** Per-student insights: the AI fields written back and the Assessment Insights of the student's results. */
export function studentPage(input: {
  name: string
  displayName: string
  aiFields: readonly InsightView[]
  assessmentInsights: readonly Record<string, unknown>[]
  warnings: readonly InsightView[]
}): string {
  const body = html`<h1>Student <span data-student-name>${input.displayName}</span></h1>
<p class="muted">${input.name}</p>
<h2>Early warnings</h2>
${
  input.warnings.length === 0
    ? html`<p>No early warnings.</p>`
    : input.warnings.map(
        (w) =>
          html`<section class="warning"><h3>${w.label}</h3>${readable(w.value)}${details(w.value)}</section>`,
      )
}
<h2>AI fields in ERPNext</h2>
${
  input.aiFields.length === 0
    ? html`<p>No AI values written back yet.</p>`
    : html`<table><tbody>${input.aiFields.map(
        (f) =>
          html`<tr><th scope="row"><code>${f.label}</code></th><td data-field="${f.label}">${readable(f.value)}${details(f.value)}</td></tr>`,
      )}</tbody></table>`
}
<h2>Assessment Insights</h2>
${
  input.assessmentInsights.length === 0
    ? html`<p>No Assessment Insights yet.</p>`
    : input.assessmentInsights.map(
        (
          i,
        ) => html`<section class="insight" data-insight="${String(i.name ?? '')}"><h3>${String(i.assessment_result ?? '')} <span class="muted">${String(i.generated_timestamp ?? '')}</span></h3>
${readable(parse(i.ai_analysis))}
<h4>Learning gaps</h4>${list(parse(i.learning_gaps), 'No gaps found.')}
<h4>Suggestions</h4>${list(parse(i.improvement_suggestions), 'No suggestions.')}
${details(parse(i.ai_analysis), 'Analysis')}</section>`,
      )
}`
  return layout(`Student ${input.displayName}`, body)
}

/** Per-class insights: the students of a Student Group with their headline AI values. */
export function classPage(input: {
  name: string
  students: readonly { name: string; displayName: string; summary: string; warnings: number }[]
  groupFields: readonly InsightView[]
  links: readonly { href: string; label: string }[]
}): string {
  const body = html`<h1>Class ${input.name}</h1>
${input.links.length > 0 ? html`<p>${input.links.map((l, i) => html`${i > 0 ? ' · ' : ''}<a href="${l.href}">${l.label}</a>`)}</p>` : ''}
${input.groupFields.map((f) => html`<h2>${f.label}</h2>${readable(f.value)}${details(f.value)}`)}
<table><thead><tr><th scope="col">Student</th><th scope="col">Early warnings</th><th scope="col">Performance insight</th></tr></thead><tbody>${input.students.map(
    (s) =>
      html`<tr><td><a href="/students/${encodeURIComponent(s.name)}">${s.displayName}</a></td><td class="n ${s.warnings > 0 ? 'bad' : ''}">${s.warnings}</td><td>${s.summary}</td></tr>`,
  )}</tbody></table>`
  return layout(`Class ${input.name}`, body)
}

/** A Course's or an Instructor's AI values (difficulty profile, instructor metrics with schedule conflicts). */
export function aiDocumentPage(input: {
  doctype: string
  name: string
  title: string
  aiFields: readonly InsightView[]
  warnings: readonly InsightView[]
}): string {
  const body = html`<h1>${input.doctype} <span data-title>${input.title}</span></h1>
<p class="muted">${input.name}</p>
${input.warnings.map((w) => html`<section class="warning"><h2>${w.label}</h2>${readable(w.value)}${details(w.value)}</section>`)}
${
  input.aiFields.length === 0
    ? html`<p>No AI values written back yet.</p>`
    : input.aiFields.map(
        (f) =>
          html`<section data-field="${f.label}"><h2><code>${f.label}</code></h2>${readable(f.value)}${summaryTable(f.value)}${details(f.value)}</section>`,
      )
}`
  return layout(`${input.doctype} ${input.title}`, body)
}

/** The scalar entries of an AI value as a two-column table (mean, median, pass rate…). */
function summaryTable(value: unknown): SafeHtml {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return html``
  const rows = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => typeof v === 'number' || (typeof v === 'string' && v.length < 80),
  )
  if (rows.length === 0) return html``
  return html`<table><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td class="n">${typeof v === 'number' ? num(v) : v}</td></tr>`)}</tbody></table>`
}

/** A list of links (classes, students, courses, instructors). */
export function listPage(
  title: string,
  items: readonly { href: string; label: string; note?: string }[],
): string {
  const body = html`<h1>${title}</h1>${
    items.length === 0
      ? html`<p>Nothing mirrored yet: run a backfill.</p>`
      : html`<ul>${items.map((i) => html`<li><a href="${i.href}">${i.label}</a> <span class="muted">${i.note ?? ''}</span></li>`)}</ul>`
  }`
  return layout(title, body)
}

/** The sign-in form (the admin token is set as an HttpOnly, SameSite=Strict cookie). */
export function loginPage(next: string, failed: boolean): string {
  const body = html`<h1>Sign in</h1>
${failed ? html`<p role="alert" class="bad">That token is not valid.</p>` : ''}
<form method="post" action="/login"><input type="hidden" name="next" value="${next}">
<p><label for="token">Admin token</label><br><input id="token" name="token" type="password" autocomplete="current-password" required size="50"></p>
<p><button type="submit">Sign in</button></p></form>
<p class="muted">The token is EDUSYNC_ADMIN_TOKEN, or the one the runner generated in its data folder (state.json).</p>`
  return layout('Sign in', body)
}

/** A plain error page. */
export function errorPage(status: number, message: string): string {
  return layout(`Error ${status}`, html`<h1>Error ${status}</h1><p>${message}</p>`)
}
