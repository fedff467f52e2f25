/** Markup that is already safe (built by {@link html}). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c)
}

/**
 * A tagged template that escapes every interpolated value unless it is {@link SafeHtml} (the result of
 * another `html` call). Arrays are joined. Rendering never concatenates untrusted text as markup.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '')
  })
  return new SafeHtml(out)
}

function render(v: unknown): string {
  if (v instanceof SafeHtml) return v.value
  if (Array.isArray(v)) return v.map(render).join('')
  if (v === null || v === undefined || v === false) return ''
  return escapeHtml(v)
}

/** Format a number for display (integers as is, others with up to 2 decimals). */
export function num(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–'
  return Number.isInteger(n) ? String(n) : n.toFixed(2)
}

/** Pretty-print a JSON value (or a JSON string, as ERPNext stores JSON fields) for a `<pre>`. */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2)
    } catch {
      return value
    }
  }
  return JSON.stringify(value ?? null, null, 2)
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#5b6570;--line:#d6dbe0;--accent:#0b5cad;--bad:#b3261e;--ok:#1e7a34}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ec;--bg:#15181b;--muted:#9aa4ae;--line:#3a4148;--accent:#6aa9f0;--bad:#f28b82;--ok:#81c995}}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0}
a{color:var(--accent)}header{border-bottom:1px solid var(--line);padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
header strong{font-size:1.05rem}nav a{margin-right:.9rem}main{padding:1rem 1.2rem;max-width:72rem}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:var(--bg);padding:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.2rem}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.8rem;margin:.8rem 0 1.2rem}
.card{border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem}.card .v{font-size:1.6rem;font-weight:600;font-variant-numeric:tabular-nums}
.card .k{color:var(--muted);font-size:.85rem}.bad{color:var(--bad)}.ok{color:var(--ok)}.muted{color:var(--muted)}
pre{background:color-mix(in srgb,var(--line) 30%,transparent);padding:.5rem;border-radius:4px;overflow:auto;max-height:20rem;margin:.2rem 0}
button{font:inherit;padding:.25rem .7rem;border:1px solid var(--accent);background:var(--accent);color:#fff;border-radius:4px;cursor:pointer}
button.secondary{background:transparent;color:var(--accent)}form.inline{display:inline}
.choice{display:grid;grid-template-columns:repeat(3,1fr);gap:.6rem}.choice section{border:1px solid var(--line);border-radius:6px;padding:.5rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}
`

/** The page frame: header with navigation, main content, no inline script. */
export function layout(title: string, body: SafeHtml, options: { refreshScript?: boolean } = {}): string {
  return `<!doctype html>${
    html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · EduSync</title><link rel="stylesheet" href="/assets/style.css">${
      options.refreshScript ? html`<script src="/assets/status.js" defer></script>` : ''
    }</head><body><a class="skip" href="#main">Skip to content</a>
<header><strong>EduSync runner</strong><nav aria-label="Main"><a href="/">Status</a><a href="/reviews">Review queue</a><a href="/dead-letters">Dead letters</a><a href="/classes">Classes</a><a href="/students">Students</a><a href="/courses">Courses</a><a href="/instructors">Instructors</a></nav></header>
<main id="main">${body}</main></body></html>`.value
  }`
}

/** The stylesheet served at `/assets/style.css`. */
export const STYLESHEET = STYLE

/** The status page's script (served at `/assets/status.js`): refreshes the numbers from `/api/status`. */
export const STATUS_SCRIPT = `
const set = (key, value) => { for (const el of document.querySelectorAll('[data-metric="' + key + '"]')) el.textContent = value }
const fmt = (n) => (n === null || n === undefined ? '–' : Number.isInteger(n) ? String(n) : n.toFixed(2))
async function tick() {
  try {
    const r = await fetch('/api/status', { credentials: 'same-origin', headers: { accept: 'application/json' } })
    if (!r.ok) return
    const s = await r.json()
    set('documentsSynced', fmt(s.documentsSynced)); set('requests', fmt(s.requests))
    set('requestsPerDocument', fmt(s.requestsPerDocument)); set('pending', fmt(s.queue.pending))
    set('leased', fmt(s.queue.leased)); set('deadLetters', fmt(s.deadLetters)); set('openReviews', fmt(s.openReviews))
    set('throughput', fmt(s.throughput)); set('circuit', s.circuit.state)
    for (const [doctype, d] of Object.entries(s.mirror || {})) set('mirror:' + doctype, fmt(d))
    document.body.dataset.updated = String(Date.now())
  } catch {}
}
setInterval(tick, 2000); tick()
`
