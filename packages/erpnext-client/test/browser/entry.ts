/**
 * Entry of the browser test: bundled by esbuild (`platform: 'browser'`) together with bottleneck and
 * zod, then loaded by `index.html` in Chromium (driven through Playwright) and, when they
 * are installed, imported by Deno and Bun. Every scenario runs the real client and returns plain,
 * structured-cloneable data; the test asserts on it.
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

/** Where the emulator is and its token credentials, handed in by the test (loopback only, never a real site). */
export interface Target {
  readonly url: string
  readonly apiKey: string
  readonly apiSecret: string
}

/** An error as the runtime saw it, reduced to data that survives the trip back to the test. */
export interface PageError {
  readonly name: string
  readonly code: string | undefined
  readonly status: number | undefined
  readonly isERPNextError: boolean
  readonly instanceOfError: boolean
}

function make(target: Target, hooks?: { beforeRetry: ((info: RetryInfo) => void)[] }) {
  return createClient({
    url: target.url,
    auth: { type: 'token', apiKey: target.apiKey, apiSecret: target.apiSecret },
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

/** Facts about the realm the bundle runs in (in Chromium: proves it is a browser, not Node). */
export function environment() {
  return {
    hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
    hasBuffer: typeof (globalThis as { Buffer?: unknown }).Buffer !== 'undefined',
    hasWindow: typeof window !== 'undefined',
    userAgent: navigator.userAgent,
  }
}

/** List enabled Students with typed fields. */
export async function listStudents(target: Target) {
  const client: ERPNextClient = make(target)
  const rows = await client
    .doc('Student')
    .list({ fields: ['name', 'first_name', 'enabled'], filters: { enabled: 1 }, limit: 5 })
  // `rows` is typed by the selected fields: these accesses are checked by tsc.
  return rows.map((row) => ({ name: row.name, firstName: row.first_name, enabled: row.enabled }))
}

/** Fetch Students with their guardians in a constant number of requests. */
export async function getManyWithGuardians(target: Target, names: readonly string[]) {
  const client = make(target)
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

/** A 404 for a Student that does not exist, classified where it happened. */
export async function notFound(target: Target) {
  const error = await make(target)
    .doc('Student')
    .get('EDU-STU-DOES-NOT-EXIST')
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  return { ...describeError(error), isNotFoundError: isNotFoundError(error) }
}

/** A 417 (MandatoryError) for a Student without `first_name`, classified where it happened. */
export async function mandatory(target: Target) {
  const error = await make(target)
    .doc('Student')
    .create({ last_name: 'Browser' } as never, { validateOutgoing: false })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  return { ...describeError(error), isValidationError: isValidationError(error) }
}

/** A GET that meets injected 503s and succeeds after retrying. */
export async function retryAfter503(target: Target) {
  const retries: { status: number | undefined; attempt: number }[] = []
  const client = make(target, {
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
export async function writeNotRetried(target: Target) {
  let retries = 0
  const client = make(target, { beforeRetry: [() => retries++] })
  const error = await client
    .doc('Guardian')
    .create({ guardian_name: 'Browser Write' })
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  return { ...describeError(error), isServerError: isServerError(error), retries }
}
