import type { RunnerStatus } from './pages.js'

/** Escape a Prometheus label value. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function metric(
  out: string[],
  name: string,
  help: string,
  type: 'gauge' | 'counter',
  samples: readonly [labels: Record<string, string>, value: number][],
): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
  for (const [labels, value] of samples) {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${label(v)}"`)
      .join(',')
    out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}`)
  }
}

/**
 * Render the status in the Prometheus text exposition format (version 0.0.4): queue depth, lag,
 * throughput, requests per document, errors, webhooks and HTTP requests.
 */
export function renderMetrics(s: RunnerStatus, http: ReadonlyMap<string, number>): string {
  const out: string[] = []
  metric(out, 'edusync_queue_depth', 'Tasks in the queue by state.', 'gauge', [
    [{ state: 'pending' }, s.queue.pending],
    [{ state: 'leased' }, s.queue.leased],
    [{ state: 'dead' }, s.deadLetters],
  ])
  metric(
    out,
    'edusync_queue_tasks',
    'Tasks in the queue by kind and state.',
    'gauge',
    Object.entries(s.queue.byKind).flatMap(([kind, q]) => [
      [{ kind, state: 'pending' }, q.pending] as [Record<string, string>, number],
      [{ kind, state: 'leased' }, q.leased] as [Record<string, string>, number],
      [{ kind, state: 'dead' }, q.dead] as [Record<string, string>, number],
    ]),
  )
  metric(out, 'edusync_queue_oldest_pending_seconds', 'Age of the oldest pending task.', 'gauge', [
    [{}, (s.queue.oldestPendingAgeMs ?? 0) / 1000],
  ])
  metric(
    out,
    'edusync_sync_lag_seconds',
    'Last observed change-to-mirror latency per doctype.',
    'gauge',
    Object.entries(s.lag)
      .filter(([, l]) => l.lastLatencyMs !== null)
      .map(([doctype, l]) => [{ doctype }, (l.lastLatencyMs ?? 0) / 1000]),
  )
  metric(
    out,
    'edusync_last_synced_timestamp_seconds',
    'When each doctype last synced (Unix time).',
    'gauge',
    Object.entries(s.lag)
      .filter(([, l]) => l.lastAppliedAt !== null)
      .map(([doctype, l]) => [{ doctype }, (l.lastAppliedAt ?? 0) / 1000]),
  )
  metric(
    out,
    'edusync_throughput_documents_per_second',
    'Documents applied per second over the last minute.',
    'gauge',
    [[{}, s.throughput]],
  )
  metric(out, 'edusync_erpnext_requests_total', 'ERPNext requests made by this process.', 'counter', [
    [{}, s.requests],
  ])
  metric(out, 'edusync_documents_synced_total', 'Documents synced by this process.', 'counter', [
    [{}, s.documentsSynced],
  ])
  metric(out, 'edusync_requests_per_document', 'ERPNext requests per synced document.', 'gauge', [
    [{}, s.requestsPerDocument],
  ])
  metric(
    out,
    'edusync_errors_total',
    'Engine errors by code.',
    'counter',
    Object.entries(s.errors).map(([code, n]) => [{ code }, n]),
  )
  metric(out, 'edusync_open_reviews', 'Conflicts waiting for a person.', 'gauge', [[{}, s.openReviews]])
  metric(out, 'edusync_circuit_open', 'ERPNext circuit breaker (0 closed, 1 open or half-open).', 'gauge', [
    [{ state: s.circuit.state }, s.circuit.state === 'closed' ? 0 : 1],
  ])
  metric(
    out,
    'edusync_mirror_documents',
    'Live mirrored documents per doctype.',
    'gauge',
    Object.entries(s.mirror).map(([doctype, n]) => [{ doctype }, n]),
  )
  metric(
    out,
    'edusync_webhooks_total',
    'Webhook deliveries by HTTP status answered.',
    'counter',
    Object.entries(s.webhooks).map(([status, n]) => [{ status }, n]),
  )
  metric(
    out,
    'edusync_http_requests_total',
    'HTTP requests served by route and status.',
    'counter',
    [...http].map(([key, n]) => {
      const [route = '', status = ''] = key.split(' ')
      return [{ route, status }, n]
    }),
  )
  return `${out.join('\n')}\n`
}
