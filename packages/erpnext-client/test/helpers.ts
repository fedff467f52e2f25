import {
  type ClientOptions,
  createClient,
  type DocTypeMapLike,
  type UntypedDocTypeMap,
} from '../src/index.js'

/** One request seen by the fake fetch. */
export interface Seen {
  method: string
  url: URL
  headers: Headers
  body: string
}

export type Handler = (req: Seen, index: number) => Response | Promise<Response>

/** A fetch that records requests and answers with `handler`. */
export function fakeFetch(handler: Handler) {
  const seen: Seen[] = []
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init)
    const entry: Seen = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: request.body ? await request.text() : '',
    }
    seen.push(entry)
    return handler(entry, seen.length - 1)
  }
  return { fetch: fetch as typeof globalThis.fetch, seen }
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** A Frappe v1 error body with double-encoded `_server_messages`. */
export function frappeError(
  status: number,
  excType: string,
  message?: string,
  extra: Record<string, unknown> = {},
) {
  const body: Record<string, unknown> = {
    exc_type: excType,
    exception: `frappe.exceptions.${excType}: ${message ?? ''}`,
    ...extra,
  }
  if (message !== undefined) {
    body._server_messages = JSON.stringify([
      JSON.stringify({
        message,
        title: 'Message',
        indicator: 'red',
        raise_exception: 1,
        __frappe_exc_id: 'abc',
      }),
    ])
  }
  return json(body, status)
}

export const SECRET = 'sekrit-5f1e2d3c4b5a'
export const URL_BASE = 'http://erp.test'

/** A client with token auth, no waiting, and a fake fetch. */
export function testClient<M extends DocTypeMapLike = UntypedDocTypeMap>(
  handler: Handler,
  options: Partial<ClientOptions> = {},
) {
  const { fetch, seen } = fakeFetch(handler)
  const lines: string[] = []
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`)
  const client = createClient<M, UntypedDocTypeMap>({
    url: URL_BASE,
    auth: { type: 'token', apiKey: 'key1', apiSecret: SECRET },
    fetch,
    sleep: async () => {},
    random: () => 0.5,
    rateLimit: false,
    // Unit tests bring their own metadata and schemas; the bundled ones are exercised separately.
    meta: false,
    schemas: false,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    ...options,
  })
  return { client, seen, lines }
}

/** Minimal Student/Guardian metadata used by validation tests. */
export const meta = {
  Student: {
    name: 'Student',
    istable: 0,
    fields: [
      { fieldname: 'first_name', fieldtype: 'Data', reqd: 1 },
      { fieldname: 'last_name', fieldtype: 'Data' },
      { fieldname: 'student_email_id', fieldtype: 'Data', reqd: 1, unique: 1 },
      { fieldname: 'enabled', fieldtype: 'Check' },
      { fieldname: 'joining_date', fieldtype: 'Date' },
      { fieldname: 'guardians', fieldtype: 'Table', options: 'Student Guardian' },
      { fieldname: 'siblings', fieldtype: 'Table', options: 'Student Sibling' },
    ],
  },
  'Student Guardian': {
    name: 'Student Guardian',
    istable: 1,
    fields: [
      { fieldname: 'guardian', fieldtype: 'Link', options: 'Guardian', reqd: 1 },
      { fieldname: 'guardian_name', fieldtype: 'Data' },
      { fieldname: 'relation', fieldtype: 'Select', options: 'Mother\nFather\nOthers' },
    ],
  },
  'Student Sibling': {
    name: 'Student Sibling',
    istable: 1,
    fields: [{ fieldname: 'student', fieldtype: 'Link', options: 'Student' }],
  },
} as const
