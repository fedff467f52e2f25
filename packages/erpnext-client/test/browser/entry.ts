/**
 * Browser entry of the browser test: bundled by esbuild (`platform: 'browser'`) together with ky,
 * p-retry, bottleneck and zod, loaded by `index.html`, and driven from `test/browser.test.ts` through
 * Playwright. Every scenario runs the real client in the page and returns plain, structured-cloneable data.
 */
import {
  createClient,
  type ERPNextClient,
  isERPNextError,
  isNotFoundError,
  isServerError,
  isValidationError,
  type RetryInfo,
} from '../../src/index.js'

/** Token credentials handed in by the test (loopback emulator, never a real site). */
export interface PageCredentials {
  readonly apiKey: string
  readonly apiSecret: string
}

/** What the page reports about an error that crossed no realm boundary yet. */
export interface PageError {
  readonly name: string
  readonly code: string | undefined
  readonly status: number | undefined
  readonly isERPNextError: boolean
  readonly instanceOfError: boolean
}

function make(credentials: PageCredentials, hooks?: { beforeRetry: ((info: RetryInfo) => void)[] }) {
  return createClient({
    url: location.origin,
    auth: { type: 'token', apiKey: credentials.apiKey, apiSecret: credentials.apiSecret },
    retry: { minDelay: 1, maxDelay: 5 },
    ...(hooks ? { hooks } : {}),
  })
}

function describeError(error: unknown): PageError {
  const e = error as { name?: unknown; code?: unknown; status?: unknown }
  return {
    name: String(e?.name),
    code: typeof e?.code === 'string' ? e.code : undefined,
    status: typeof e?.status === 'number' ? e.status : undefined,
    isERPNextError: isERPNextError(error),
    instanceOfError: error instanceof Error,
  }
}

/** Facts about the realm the bundle runs in (proves it is a browser, not Node). */
export function environment() {
  return {
    hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
    hasBuffer: typeof (globalThis as { Buffer?: unknown }).Buffer !== 'undefined',
    hasWindow: typeof window !== 'undefined',
    userAgent: navigator.userAgent,
  }
}

/** List enabled Students with typed fields. */
export async function listStudents(credentials: PageCredentials) {
  const client: ERPNextClient = make(credentials)
  const rows = await client
    .doc('Student')
    .list({ fields: ['name', 'first_name', 'enabled'], filters: { enabled: 1 }, limit: 5 })
  // `rows` is typed by the selected fields: these accesses are checked by tsc.
  return rows.map((row) => ({ name: row.name, firstName: row.first_name, enabled: row.enabled }))
}

/** Fetch Students with their guardians in a constant number of requests. */
export async function getManyWithGuardians(credentials: PageCredentials, names: readonly string[]) {
  const client = make(credentials)
  const result = await client.getMany('Student', names, { withChildren: ['guardians'] })
  return {
    requests: result.requests,
    missing: [...result.missing],
    docs: result.docs.map((doc) => ({
      name: String(doc.name),
      guardians: ((doc.guardians ?? []) as { guardian: string }[]).map((g) => g.guardian),
    })),
  }
}

/** A 404 for a Student that does not exist, classified in the page. */
export async function notFound(credentials: PageCredentials) {
  const error = await make(credentials)
    .doc('Student')
    .get('EDU-STU-DOES-NOT-EXIST')
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  return { ...describeError(error), isNotFoundError: isNotFoundError(error) }
}

/** A 417 (MandatoryError) for a Student without `first_name`, classified in the page. */
export async function mandatory(credentials: PageCredentials) {
  const error = await make(credentials)
    .doc('Student')
    .create({ last_name: 'Browser' } as never, { validateOutgoing: false })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  return { ...describeError(error), isValidationError: isValidationError(error) }
}

/** A GET that meets injected 503s and succeeds after retrying. */
export async function retryAfter503(credentials: PageCredentials) {
  const retries: { status: number | undefined; attempt: number }[] = []
  const client = make(credentials, {
    beforeRetry: [
      (info) =>
        retries.push({
          status: (info.error as { status?: number }).status,
          attempt: info.attempt,
        }),
    ],
  })
  const rows = await client.doc('Student').list({ fields: ['name'], limit: 1 })
  return { rows: rows.length, retries }
}

/** A write that meets an injected 503: not retried, surfaced as a ServerError. */
export async function writeNotRetried(credentials: PageCredentials) {
  let retries = 0
  const client = make(credentials, { beforeRetry: [() => retries++] })
  const error = await client
    .doc('Guardian')
    .create({ guardian_name: 'Browser Write' })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  return { ...describeError(error), isServerError: isServerError(error), retries }
}
