/**
 * The demo, as `pnpm demo` runs it (a smaller school): it completes, and every number in its summary
 * matches what the emulator itself recorded.
 */
import { describe, expect, it } from 'vitest'
import { runDemo } from '../src/demo.js'

describe('the demo', () => {
  it('completes and its summary matches the emulator', { timeout: 90_000 }, async () => {
    let output = ''
    const summary = await runDemo({ seedSize: 24, out: { write: (s: string) => (output += s) } })
    // Every ERPNext request the emulator logged came either from the teacher or from the runner's client.
    expect(summary.requests.runner).toBe(summary.requests.runnerCounted)
    expect(summary.requests.total).toBe(summary.requests.runner + summary.requests.teacher)
    expect(summary.requests.runner).toBeGreaterThan(0)
    // The mirror holds exactly what ERPNext holds, for every synced doctype.
    for (const [doctype, c] of Object.entries(summary.mirror)) expect(c.mirror, doctype).toBe(c.erpnext)
    // Every webhook attempt ERPNext made was accepted (none rejected, none lost).
    expect(summary.webhooks.delivered).toBeGreaterThan(0)
    expect(summary.webhooks.accepted).toBe(summary.webhooks.delivered)
    // AI documents the runner says it inserted are in ERPNext.
    expect(summary.insights.inErpnext).toBe(summary.insights.documentsInserted)
    expect(summary.teacherEdit.kept).toBe(true)
    expect(summary.latency.samples).toBeGreaterThan(0)
    expect(output).toContain('5. Summary')
    expect(output).toMatch(/Status page: http:\/\/127\.0\.0\.1:\d+\/\n/)
    expect(output).toMatch(/Student\s+\[█+\]\s+24\/24/)
  })
})
