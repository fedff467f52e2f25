import { describe, expect, it } from 'vitest'
import { escapeHtml, html } from '../src/html.js'
import { renderMetrics } from '../src/metrics.js'
import type { RunnerStatus } from '../src/pages.js'
import { formatBar, formatEta, progressBars } from '../src/progress.js'
import { findWarnings, safeEqual } from '../src/server.js'
import { webhookEvents, webhookName, webhookTemplate } from '../src/setup-erpnext.js'

describe('html', () => {
  it('escapes every interpolated value', () => {
    expect(html`<p title="${'"><script>'}">${'<b>&'}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;</p>',
    )
  })
  it('keeps nested html as markup', () => {
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.value).toBe(
      '<ul><li>a&lt;</li><li>b</li></ul>',
    )
  })
  it('escapes quotes and backticks', () => {
    expect(escapeHtml(`'\``)).toBe('&#39;&#96;')
  })
})

describe('safeEqual', () => {
  it('accepts the same token', () => expect(safeEqual('a'.repeat(20), 'a'.repeat(20))).toBe(true))
  it('refuses a different token of the same length', () =>
    expect(safeEqual('a'.repeat(20), 'b'.repeat(20))).toBe(false))
  it('refuses a prefix', () => expect(safeEqual('abc', 'abcd')).toBe(false))
})

describe('findWarnings', () => {
  it('finds a raised warning', () => {
    expect(findWarnings('ai_x', { earlyWarning: { level: 'watch', reasons: ['low rate'] } })).toHaveLength(1)
  })
  it('ignores a warning whose level is none', () => {
    expect(findWarnings('ai_x', { earlyWarning: { level: 'none', reasons: [] } })).toEqual([])
  })
  it('ignores an empty list of warnings', () => {
    expect(findWarnings('ai_x', { warnings: [] })).toEqual([])
  })
})

describe('progress', () => {
  const p = { doctype: 'Student', done: 50, total: 200, rate: 25, etaMs: 6000 }
  it('draws done/total, rate and ETA', () => {
    expect(formatBar(p)).toBe(
      `Student              [${'█'.repeat(6)}${'░'.repeat(18)}]      50/200   25.0/s  ETA 6s`,
    )
  })
  it('formats minutes in the ETA', () => expect(formatEta(125_000)).toBe('2m05s'))
  it('prints a line per quarter when not on a terminal', () => {
    let out = ''
    const bars = progressBars({ write: (s: string) => (out += s) })
    for (let done = 0; done <= 200; done += 10) bars.update({ ...p, done })
    bars.done()
    expect(out.trim().split('\n')).toHaveLength(5)
  })
})

describe('setup-erpnext naming', () => {
  it('registers cancel events for submittable doctypes', () => {
    expect(webhookEvents('Student Attendance')).toEqual(['on_update', 'on_cancel', 'on_trash'])
    expect(webhookEvents('Student')).toEqual(['on_update', 'on_trash'])
  })
  it('names webhooks predictably', () =>
    expect(webhookName('Program Enrollment', 'on_update')).toBe('edusync-program-enrollment-on-update'))
  it("sends a thin payload only: the verifier's recommended template with event id and sent_at", () => {
    expect(webhookTemplate('on_trash')).toBe(
      '{"event": "on_trash", "event_id": {{ (doc.doctype ~ ":" ~ doc.name ~ ":" ~ doc.modified ~ ":on_trash") | tojson }}, ' +
        '"doctype": {{ doc.doctype | tojson }}, "name": {{ doc.name | tojson }}, "modified": {{ doc.modified | tojson }}, ' +
        '"sent_at": {{ frappe.utils.get_datetime_in_timezone("UTC").isoformat() | tojson }}}',
    )
  })
})

describe('renderMetrics', () => {
  const status: RunnerStatus = {
    running: true,
    workerId: 'w',
    queue: {
      pending: 2,
      leased: 1,
      byKind: { pull: { pending: 2, leased: 1, dead: 0 } },
      oldestPendingAgeMs: 1500,
    },
    lag: { Student: { lastLatencyMs: 250, lastAppliedAt: 1_700_000_000_000 } },
    throughput: 1.5,
    requests: 10,
    documentsSynced: 100,
    requestsPerDocument: 0.1,
    errors: { 'ENGINE_X"y': 1 },
    deadLetters: 3,
    openReviews: 0,
    circuit: { state: 'closed', retryAt: null },
    mirror: { Student: 100 },
    webhooks: { '401': 2 },
    storage: 'sqlite',
  }
  it('renders gauges and counters with escaped labels', () => {
    const text = renderMetrics(status, new Map([['/metrics 200', 4]]))
    expect(text).toContain('edusync_queue_depth{state="dead"} 3')
    expect(text).toContain('edusync_sync_lag_seconds{doctype="Student"} 0.25')
    expect(text).toContain('edusync_errors_total{code="ENGINE_X\\"y"} 1')
    expect(text).toContain('edusync_webhooks_total{status="401"} 2')
    expect(text).toContain('edusync_http_requests_total{route="/metrics",status="200"} 4')
    expect(text.endsWith('\n')).toBe(true)
  })
})
