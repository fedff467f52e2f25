/** Frappe's response bodies: envelopes, v1/v2 error bodies, HTML error pages. */
import type { FrappeException } from './errors.js'
import { pyDumps } from './pyjson.js'

/** Build the `exc` traceback list Frappe puts into error bodies. */
export function traceback(e: FrappeException): string {
  const module = e.options.module ?? 'frappe.exceptions'
  const text = e.options.exceptionText ?? e.message
  return `Traceback (most recent call last):\n  File "apps/frappe/frappe/app.py", line 114, in application\n    response = frappe.api.handle(request)\n${module}.${e.excType}${text ? `: ${text}` : ''}\n`
}

/** The `exception` line of an error body. */
export function exceptionLine(e: FrappeException): string {
  const module = e.options.module ?? 'frappe.exceptions'
  const text = e.options.exceptionText ?? e.message
  return `${module}.${e.excType}${text ? `: ${text}` : ''}`
}

/** One `_server_messages` entry for a raised error. */
export function messageFor(e: FrappeException, excId: string, message = e.message): Record<string, unknown> {
  return {
    message,
    title: e.options.title ?? 'Message',
    indicator: 'red',
    raise_exception: 1,
    __frappe_exc_id: excId,
  }
}

/** v1 error body (contract §6). */
export function v1ErrorBody(
  e: FrappeException,
  excId: string,
  allowTraceback: boolean,
): Record<string, unknown> {
  const body: Record<string, unknown> = { exc_type: e.excType }
  if (e.options.bare) return body
  if (allowTraceback && e.status !== 404) {
    body.exception = exceptionLine(e)
    body.exc = pyDumps([traceback(e)])
  }
  const messages: Record<string, unknown>[] = []
  for (const m of e.options.messages ?? []) messages.push({ message: m, title: 'Message' })
  if (e.options.serverMessage !== false && e.message) messages.push(messageFor(e, excId))
  if (messages.length) body._server_messages = pyDumps(messages.map((m) => pyDumps(m)))
  if (e.options.errorMessage) body._error_message = e.options.errorMessage
  return body
}

/** v2 error body (contract §4). */
export function v2ErrorBody(e: FrappeException, allowTraceback: boolean): Record<string, unknown> {
  const messages = [...(e.options.messages ?? [])]
  const error: Record<string, unknown> = { type: e.excType }
  if (allowTraceback && e.status !== 404) error.exception = exceptionLine(e)
  error.message = e.message || messages.join('\n') || e.excType
  error.title = e.options.title ?? 'Message'
  error.indicator = 'red'
  return { errors: [error] }
}

/** Werkzeug's 405 page. */
export const METHOD_NOT_ALLOWED_HTML =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n'

/** Minimal HTML error page (for requests that do not accept JSON). */
export function htmlErrorPage(status: number, title: string, message: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${esc(title)}</title></head>\n<body><div class="page-card"><h2>${status} ${esc(title)}</h2><p>${esc(message)}</p></div></body>\n</html>\n`
}

/** Serialise a response body like Frappe (`json.dumps(..., separators=(",", ":"))`). */
export function frappeJson(body: unknown): string {
  return pyDumps(body, { compact: true })
}
