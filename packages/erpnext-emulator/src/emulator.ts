/**
 * The emulator: one in-memory Frappe site behind a Fetch-API `handle(request)` that implements
 * Frappe v15's HTTP surface (contract §1–§12). `startEmulator` serves it on node:http; the `/msw`
 * subpath serves it through msw.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  aiCustomFields,
  aiDocTypeMeta,
  doctypeMeta,
  educationDocTypes,
  isTimeZone,
} from '@edusync/doctype-schemas'
import { type Doc, Engine, type PermType, type SiteUser, type Txn, cint } from './engine.js'
import {
  EmulatorClosedError,
  EmulatorDocumentError,
  FrappeException,
  frappeThrow,
  isFrappeException,
} from './errors.js'
import { type FaultConfig, FaultController } from './faults.js'
import {
  type EmulatorDocTypeMeta,
  type EmulatorFieldMeta,
  NO_VALUE_TYPES,
  TABLE_TYPES,
  coreDoctypes,
  field,
} from './meta.js'
import {
  type UploadedFile,
  contentHash,
  fileContent,
  fileHeaders,
  fileType,
  fileUrl,
  pyTruthy,
  suffixedName,
} from './files.js'
import { type SeedName, seedSchool, SEED_NAMES } from './seed.js'
import { WEEKDAYS, type Weekday } from './timespan.js'
import { unwrapPy } from './pyjson.js'
import { type FetchLike, type TimerLike, type WebhookDelivery, WebhookEngine } from './webhooks.js'
import { METHOD_NOT_ALLOWED_HTML, frappeJson, htmlErrorPage, v1ErrorBody, v2ErrorBody } from './wire.js'

/** API credentials of one user. */
export interface ApiCredentials {
  readonly user: string
  readonly apiKey: string
  readonly apiSecret: string
  readonly password: string
}

/** Options of {@link createEmulator}. */
export interface EmulatorOptions {
  /**
   * Dataset loaded at start and on `reset()`: `'empty'` (core records only), `'school-small'`
   * (~200 students), `'school-medium'` (~2,000) or `'school-large'` (~20,000 students, ~1M attendance
   * rows generated lazily on first use).
   * @default 'empty'
   */
  readonly seed?: SeedName
  /** Override the number of students of the seed dataset. */
  readonly seedSize?: number
  /**
   * Seed of the pseudo-random generator (names, hashes, credentials, faults, datasets).
   * @default 1
   */
  readonly randomSeed?: number
  /**
   * Multiplier applied to webhook retry back-off and timeouts (`0.001` makes 1 s become 1 ms).
   * @default 1
   */
  readonly timeFactor?: number
  /** Faults in force from the start (change later with `emulator.faults.set`). */
  readonly faults?: FaultConfig
  /**
   * `fetch` used to deliver webhooks.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike
  /**
   * Timers used for back-off, latency faults and timeouts.
   * @default globalThis.setTimeout / clearTimeout
   */
  readonly timers?: TimerLike
  /**
   * Clock in epoch milliseconds.
   * @default Date.now
   */
  readonly now?: () => number
  /**
   * The site's System Settings time zone (timestamps are naive local time in this zone).
   * @default 'UTC'
   */
  readonly timeZone?: string
  /**
   * System Settings `first_day_of_the_week`: where `this week`, `last week` and `next week` (and
   * `previous`/`next` `1 week`) filters start.
   * @default 'Monday'
   */
  readonly firstDayOfWeek?: Weekday
  /**
   * Install EduSync's AI custom fields and doctypes at start, as `setup-erpnext` would.
   * @default false
   */
  readonly installAi?: boolean
  /** Extra doctypes to register (for users' own doctypes). */
  readonly doctypes?: readonly EmulatorDocTypeMeta[]
  /**
   * System Settings `allow_error_traceback`: include `exception`/`exc` in error bodies.
   * @default true
   */
  readonly allowErrorTraceback?: boolean
  /**
   * Largest request body accepted, in bytes (larger → 413).
   * @default 10485760
   */
  readonly maxBodyBytes?: number
  /**
   * Requests kept by `inspect.requests()` (oldest dropped first); `counts()` stays exact.
   * @default 100000
   */
  readonly requestLogLimit?: number
  /** Fixed API credentials (otherwise derived from `randomSeed`). */
  readonly credentials?: {
    readonly admin?: Partial<ApiCredentials>
    readonly restricted?: Partial<ApiCredentials>
  }
}

/** One recorded request. */
export interface RequestLogEntry {
  readonly seq: number
  readonly method: string
  readonly path: string
  /** Route key, e.g. `GET /api/resource/Student`, `GET /api/resource/Student/:name`, `POST /api/method/frappe.client.get_list`. */
  readonly route: string
  user: string
  status: number
}

/** The inspection API (`emulator.inspect`). */
export interface EmulatorInspect {
  /** Every request handled since start or the last `reset()`/`clearRequests()`. */
  requests(): readonly RequestLogEntry[]
  /** Number of requests per route key. */
  counts(): Record<string, number>
  /** Number of requests whose route key equals `route` (or matches it, for a RegExp). */
  count(route: string | RegExp): number
  /** Forget recorded requests. */
  clearRequests(): void
  /** Current documents of a doctype in the wire form of `frappe.client.get` (nulls kept). */
  documents(doctype: string): Record<string, unknown>[]
  /** One document in wire form, or undefined. */
  document(doctype: string, name: string): Record<string, unknown> | undefined
  /** Webhook deliveries, in the order they were queued. */
  webhookDeliveries(): readonly WebhookDelivery[]
  /** Resolve when all queued webhook deliveries have finished (including retries). */
  webhooksIdle(): Promise<void>
}

/** Fault control (`emulator.faults`). */
export interface EmulatorFaults {
  /** Replace the fault configuration. */
  set(config: FaultConfig): void
  /** Remove every fault. */
  clear(): void
  /** The configuration in force. */
  readonly current: FaultConfig
}

/** What `handle` needs to know about the transport (node:http passes abort signals through `Request`). */
export interface Emulator {
  /** Handle one HTTP request the way a Frappe v15 site would. */
  handle(request: Request): Promise<Response>
  /** Credentials of the Administrator and of a restricted user (read-only on a few doctypes). */
  readonly credentials: { readonly admin: ApiCredentials; readonly restricted: ApiCredentials }
  readonly inspect: EmulatorInspect
  readonly faults: EmulatorFaults
  /** The seeded OAuth Client (authorization-code flow with PKCE; authorization is skipped). */
  readonly oauthClient: {
    readonly clientId: string
    readonly clientSecret: string
    readonly redirectUri: string
  }
  /** Insert a document directly (as Administrator, with full validation and webhooks). */
  insert(doctype: string, doc: Record<string, unknown>): Record<string, unknown>
  /** Register a doctype at run time. */
  registerDocType(meta: EmulatorDocTypeMeta): void
  /** Restore the initial dataset, clear logs, deliveries, sessions and faults. */
  reset(): void
  /** Stop accepting requests. */
  close(): Promise<void>
}

const PREFIX = '[@edusync/erpnext-emulator]'

/** Module Def records of the frappe app (v15). */
const FRAPPE_MODULES = [
  'Core',
  'Website',
  'Workflow',
  'Email',
  'Custom',
  'Geo',
  'Desk',
  'Integrations',
  'Printing',
  'Contacts',
  'Social',
  'Automation',
] as const

/** Module Def records of the erpnext app (v15) that a school site has. */
const ERPNEXT_MODULES = [
  'Accounts',
  'CRM',
  'Buying',
  'Projects',
  'Selling',
  'Setup',
  'Manufacturing',
  'Stock',
  'Support',
  'Utilities',
  'Assets',
  'Portal',
  'Maintenance',
  'Regional',
  'Quality Management',
  'Communication',
  'Telephony',
  'Bulk Transaction',
  'Subcontracting',
  'EDI',
] as const

/** mulberry32: small, fast, seedable PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface NormalizedOptions {
  seed: SeedName
  seedSize: number | undefined
  randomSeed: number
  timeFactor: number
  fetch: FetchLike
  timers: TimerLike
  now: () => number
  timeZone: string
  firstDayOfWeek: number
  installAi: boolean
  doctypes: readonly EmulatorDocTypeMeta[]
  allowErrorTraceback: boolean
  maxBodyBytes: number
  faults: FaultConfig | undefined
  credentials: EmulatorOptions['credentials']
  requestLogLimit: number
}

function normalizeOptions(options: EmulatorOptions): Readonly<NormalizedOptions> {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${PREFIX} options must be an object`)
  const seed = options.seed ?? 'empty'
  if (!SEED_NAMES.includes(seed)) {
    throw new RangeError(
      `${PREFIX} options.seed must be one of ${SEED_NAMES.join(', ')} (got ${String(seed)})`,
    )
  }
  if (options.seedSize !== undefined && (!Number.isInteger(options.seedSize) || options.seedSize < 0)) {
    throw new RangeError(`${PREFIX} options.seedSize must be a non-negative integer`)
  }
  const randomSeed = options.randomSeed ?? 1
  if (!Number.isInteger(randomSeed)) throw new TypeError(`${PREFIX} options.randomSeed must be an integer`)
  const timeFactor = options.timeFactor ?? 1
  if (typeof timeFactor !== 'number' || !(timeFactor >= 0) || !Number.isFinite(timeFactor)) {
    throw new RangeError(`${PREFIX} options.timeFactor must be a finite number >= 0`)
  }
  const fetchFn = options.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchLike | undefined)
  if (typeof fetchFn !== 'function')
    throw new TypeError(`${PREFIX} options.fetch must be a function (no global fetch found)`)
  const timers = options.timers ?? {
    setTimeout: (fn: () => void, ms: number) => {
      const h = setTimeout(fn, ms)
      h.unref?.()
      return h
    },
    clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  }
  if (typeof timers.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function') {
    throw new TypeError(`${PREFIX} options.timers must have setTimeout and clearTimeout`)
  }
  const now = options.now ?? Date.now
  if (typeof now !== 'function')
    throw new TypeError(`${PREFIX} options.now must be a function returning epoch ms`)
  const timeZone = options.timeZone ?? 'UTC'
  if (!isTimeZone(timeZone))
    throw new RangeError(`${PREFIX} options.timeZone must be an IANA time zone such as 'Europe/Zurich'`)
  const firstDayOfWeek = WEEKDAYS.indexOf(options.firstDayOfWeek ?? 'Monday')
  if (firstDayOfWeek < 0) {
    throw new RangeError(`${PREFIX} options.firstDayOfWeek must be one of ${WEEKDAYS.join(', ')}`)
  }
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new RangeError(`${PREFIX} options.maxBodyBytes must be a positive integer`)
  }
  const requestLogLimit = options.requestLogLimit ?? 100_000
  if (!Number.isInteger(requestLogLimit) || requestLogLimit < 0) {
    throw new RangeError(`${PREFIX} options.requestLogLimit must be a non-negative integer`)
  }
  return Object.freeze({
    requestLogLimit,
    seed,
    seedSize: options.seedSize,
    randomSeed,
    timeFactor,
    fetch: fetchFn,
    timers,
    now,
    timeZone,
    firstDayOfWeek,
    installAi: options.installAi ?? false,
    doctypes: options.doctypes ?? [],
    allowErrorTraceback: options.allowErrorTraceback ?? true,
    maxBodyBytes,
    faults: options.faults,
    credentials: options.credentials,
  })
}

/** Read-only doctypes of the restricted user. */
const RESTRICTED_READ = ['Student', 'Program', 'Course', 'Academic Year', 'Academic Term', 'Student Group']

interface Session {
  user: string
}

interface OAuthCode {
  clientId: string
  redirectUri: string
  scope: string
  user: string
  challenge: string | undefined
  method: string | undefined
  expires: number
}

interface OAuthToken {
  user: string
  scope: string
  clientId: string
  expires: number
  refreshToken: string
}

interface Ctx {
  readonly request: Request
  readonly url: URL
  readonly v2: boolean
  args: Record<string, unknown>
  user: string
  txn: Txn
  sessionExpired: boolean
  readonly cookies: string[]
  readonly extra: Record<string, unknown>
  status: number
  route: string
  /** Multipart file parts of the request, by form field name. */
  readonly files: Map<string, UploadedFile>
}

/** What a new File document is made from (`attach_file` / `upload_file`). */
interface NewFile {
  readonly fileName: string | undefined
  readonly content: Uint8Array | undefined
  readonly fileUrl: string | undefined
  readonly isPrivate: boolean
  readonly folder: string | undefined
  readonly attachedToDoctype: string | undefined
  readonly attachedToName: string | undefined
  readonly attachedToField: string | undefined
}

type MethodFn = (ctx: Ctx) => unknown

interface MethodDef {
  readonly fn: MethodFn
  readonly allowGuest?: boolean
  readonly verbs?: readonly string[]
}

const WRITE_VERBS = ['POST', 'PUT'] as const

/** Parse a JSON parameter the way `frappe.parse_json` / `json.loads` does for strings. */
/**
 * The field metadata described by a Custom Field document or a DocType's `fields` row (the two share
 * DocField's columns), with Frappe's truthy flags normalised to 0/1.
 */
function fieldFromDoc(r: Doc, extra: Partial<EmulatorFieldMeta> = {}): EmulatorFieldMeta {
  const flag = (v: unknown): 0 | 1 => (cint(v) ? 1 : 0)
  return field(String(r.fieldname), String(r.fieldtype ?? 'Data'), {
    label: r.label ? String(r.label) : String(r.fieldname),
    ...(r.options ? { options: String(r.options) } : {}),
    reqd: flag(r.reqd),
    unique: flag(r.unique),
    read_only: flag(r.read_only),
    hidden: flag(r.hidden),
    allow_on_submit: flag(r.allow_on_submit),
    in_list_view: flag(r.in_list_view),
    ...(r.default != null && r.default !== '' ? { default: String(r.default) } : {}),
    ...(r.fetch_from ? { fetch_from: String(r.fetch_from) } : {}),
    ...extra,
  })
}

function jsonArg(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const t = value.trim()
  if (!t) return value
  try {
    return JSON.parse(t)
  } catch {
    return value
  }
}

function strictJson(value: unknown): unknown {
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    throw new FrappeException('JSONDecodeError', 'Expecting value: line 1 column 1 (char 0)', {
      module: 'json.decoder',
      serverMessage: false,
    })
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment.replace(/%[0-9A-Fa-f]{2}/g, (m) => String.fromCharCode(Number.parseInt(m.slice(1), 16)))
  }
}

function required(ctx: Ctx, name: string, fn: string): unknown {
  const v = ctx.args[name]
  if (v === undefined || v === null) {
    throw new FrappeException('TypeError', `${fn}() missing 1 required positional argument: '${name}'`, {
      module: 'builtins',
      serverMessage: false,
    })
  }
  return v
}

function asDoc(value: unknown, what: string): Doc {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    frappeThrow('ValidationError', `${what} must be a JSON object`)
  }
  return value as Doc
}

/** The emulator implementation behind {@link createEmulator}. */
class EmulatorImpl implements Emulator {
  readonly engine: Engine
  private readonly opts: Readonly<NormalizedOptions>
  private readonly random: () => number
  private readonly webhooks: WebhookEngine
  private readonly faultController: FaultController
  private readonly log: RequestLogEntry[] = []
  private readonly routeCounts = new Map<string, number>()
  private readonly sessions = new Map<string, Session>()
  private readonly oauthCodes = new Map<string, OAuthCode>()
  private readonly oauthTokens = new Map<string, OAuthToken>()
  private readonly refreshTokens = new Map<string, string>()
  private readonly methods = new Map<string, MethodDef>()
  /** Bytes of stored files by `file_url` (`/files/x.pdf`, `/private/files/y.png`). */
  private readonly fileBytes = new Map<string, Uint8Array>()
  private seq = 0
  private closed = false
  readonly credentials: { readonly admin: ApiCredentials; readonly restricted: ApiCredentials }
  readonly inspect: EmulatorInspect
  readonly faults: EmulatorFaults
  /** OAuth client seeded for the client engineers. */
  oauthClient = { clientId: '', clientSecret: '', redirectUri: 'http://127.0.0.1/callback' }

  constructor(options: EmulatorOptions) {
    this.opts = normalizeOptions(options)
    this.random = seededRandom(this.opts.randomSeed)
    this.engine = new Engine({
      timeZone: this.opts.timeZone,
      now: this.opts.now,
      random: this.random,
      firstDayOfWeek: this.opts.firstDayOfWeek,
    })
    this.faultController = new FaultController(
      seededRandom(this.opts.randomSeed ^ 0x5eed),
      this.opts.now,
      this.opts.faults,
    )
    this.webhooks = new WebhookEngine({
      engine: this.engine,
      fetch: this.opts.fetch,
      timers: this.opts.timers,
      timeFactor: this.opts.timeFactor,
      random: seededRandom(this.opts.randomSeed ^ 0xbeef),
      faults: () => this.faultController.webhooks(),
      now: this.opts.now,
    })
    this.engine.onMetaChange = (txn, dt, doc) => this.applyMetaDoc(txn, dt, doc)
    this.engine.onMetaDelete = (txn, dt, doc) => this.removeMetaDoc(txn, dt, doc)
    const key = () => this.engine.hash(15)
    const c = this.opts.credentials
    this.credentials = Object.freeze({
      admin: Object.freeze({
        user: 'Administrator',
        apiKey: c?.admin?.apiKey ?? key(),
        apiSecret: c?.admin?.apiSecret ?? key(),
        password: c?.admin?.password ?? 'admin',
      }),
      restricted: Object.freeze({
        user: c?.restricted?.user ?? 'restricted@example.com',
        apiKey: c?.restricted?.apiKey ?? key(),
        apiSecret: c?.restricted?.apiSecret ?? key(),
        password: c?.restricted?.password ?? 'restricted',
      }),
    })
    this.registerMethods()
    this.loadInitial()
    const fc = this.faultController
    this.faults = {
      set: (config) => fc.set(config),
      clear: () => fc.clear(),
      get current() {
        return fc.current
      },
    }
    this.inspect = {
      requests: () => this.log,
      counts: () => Object.fromEntries(this.routeCounts),
      count: (route) => {
        if (typeof route === 'string') return this.routeCounts.get(route) ?? 0
        let n = 0
        for (const [key, c] of this.routeCounts) if (route.test(key)) n += c
        return n
      },
      clearRequests: () => {
        this.log.length = 0
        this.routeCounts.clear()
      },
      documents: (doctype) => [...this.engine.all(doctype)].map((d) => this.plain(doctype, d)),
      document: (doctype, name) => {
        const d = this.engine.peek(doctype, name)
        return d ? this.plain(doctype, d) : undefined
      },
      webhookDeliveries: () => this.webhooks.deliveries,
      webhooksIdle: () => this.webhooks.idle(),
    }
  }

  /** A document as plain JS values (floats as numbers), nulls kept. */
  private plain(doctype: string, doc: Doc): Record<string, unknown> {
    return unwrapPy(this.engine.toWire(doctype, doc, false)) as Record<string, unknown>
  }

  // --- setup --------------------------------------------------------------------------------------

  private registerBaseMetas(): void {
    this.engine.metas.clear()
    for (const m of coreDoctypes) this.engine.registerMeta(m)
    for (const name of educationDocTypes) {
      const meta = doctypeMeta[name] as unknown as EmulatorDocTypeMeta
      this.engine.registerMeta(
        this.opts.installAi ? meta : { ...meta, fields: meta.fields.filter((f) => !f.is_custom_field) },
      )
    }
    if (this.opts.installAi) {
      for (const meta of Object.values(aiDocTypeMeta))
        this.engine.registerMeta(meta as unknown as EmulatorDocTypeMeta)
    }
    for (const m of this.opts.doctypes) this.engine.registerMeta(m)
  }

  private loadInitial(): void {
    this.registerBaseMetas()
    this.engine.clearData()
    const admin = this.credentials.admin
    const restricted = this.credentials.restricted
    const perms: Record<string, PermType[]> = {}
    for (const dt of RESTRICTED_READ) perms[dt] = ['read']
    this.engine.users.clear()
    const users: SiteUser[] = [
      {
        name: 'Administrator',
        fullName: 'Administrator',
        apiKey: admin.apiKey,
        apiSecret: admin.apiSecret,
        password: admin.password,
        perms: 'all',
      },
      {
        name: restricted.user,
        fullName: 'Restricted User',
        apiKey: restricted.apiKey,
        apiSecret: restricted.apiSecret,
        password: restricted.password,
        perms,
      },
    ]
    for (const u of users) this.engine.users.set(u.name, u)
    const stamp = this.engine.now()
    const base = (doctype: string, name: string, data: Doc): Doc => ({
      ...this.engine.blank(this.engine.meta(doctype)),
      ...data,
      name,
      owner: 'Administrator',
      modified_by: 'Administrator',
      creation: stamp,
      modified: stamp,
    })
    this.engine.load('User', [
      base('User', 'Administrator', {
        email: 'admin@example.com',
        first_name: 'Administrator',
        full_name: 'Administrator',
        enabled: 1,
        api_key: admin.apiKey,
      }),
      base('User', 'Guest', {
        email: 'guest@example.com',
        first_name: 'Guest',
        full_name: 'Guest',
        enabled: 1,
      }),
      base('User', restricted.user, {
        email: restricted.user,
        first_name: 'Restricted',
        last_name: 'User',
        full_name: 'Restricted User',
        enabled: 1,
        api_key: restricted.apiKey,
      }),
    ])
    // The modules of a Frappe v15 + ERPNext + Education site, plus any module a served doctype names.
    const appOf = new Map<string, string>([
      ...FRAPPE_MODULES.map((m) => [m, 'frappe'] as const),
      ...ERPNEXT_MODULES.map((m) => [m, 'erpnext'] as const),
      ['Education', 'education'],
    ])
    for (const meta of this.engine.metas.values()) {
      if (meta.module && !appOf.has(meta.module)) appOf.set(meta.module, 'frappe')
    }
    this.engine.load(
      'Module Def',
      [...appOf].map(([m, app]) => base('Module Def', m, { module_name: m, app_name: app, custom: 0 })),
    )
    this.syncDocTypeDocs(stamp)
    this.fileBytes.clear()
    this.engine.load('File', [
      base('File', 'Home', { file_name: 'Home', is_folder: 1, is_home_folder: 1 }),
      base('File', 'Home/Attachments', {
        file_name: 'Attachments',
        is_folder: 1,
        is_attachments_folder: 1,
        folder: 'Home',
      }),
    ])
    const clientId = this.engine.hash(10)
    const clientSecret = this.engine.hash(10)
    this.oauthClient = { clientId, clientSecret, redirectUri: 'http://127.0.0.1/callback' }
    this.engine.load('OAuth Client', [
      base('OAuth Client', clientId, {
        client_id: clientId,
        client_secret: clientSecret,
        app_name: 'EduSync',
        user: 'Administrator',
        skip_authorization: 1,
        scopes: 'all openid',
        redirect_uris: 'http://127.0.0.1/callback\nhttp://localhost/callback',
        default_redirect_uri: 'http://127.0.0.1/callback',
        grant_type: 'Authorization Code',
        response_type: 'Code',
      }),
    ])
    seedSchool(this.engine, this.opts.seed, {
      size: this.opts.seedSize,
      randomSeed: this.opts.randomSeed,
      stamp,
    })
    if (this.opts.installAi) {
      for (const cf of aiCustomFields) {
        this.engine.load('Custom Field', [
          base('Custom Field', `${cf.dt}-${cf.fieldname}`, {
            ...cf,
            reqd: cf.reqd ?? 0,
            unique: cf.unique ?? 0,
            read_only: cf.read_only ?? 0,
            allow_on_submit: cf.allow_on_submit ?? 0,
          }),
        ])
      }
    }
  }

  /** DocType documents mirror the registered metadata so Links to DocType validate. */
  private syncDocTypeDocs(stamp: string): void {
    const docs: Doc[] = []
    for (const meta of this.engine.metas.values()) {
      if (this.engine.peek('DocType', meta.name)) continue
      docs.push(this.metaToDoc(meta, stamp))
    }
    this.engine.load('DocType', docs)
  }

  private metaToDoc(meta: EmulatorDocTypeMeta, stamp: string): Doc {
    return {
      ...this.engine.blank(this.engine.meta('DocType')),
      name: meta.name,
      owner: 'Administrator',
      modified_by: 'Administrator',
      creation: stamp,
      modified: stamp,
      module: meta.module,
      custom: meta.custom ?? 0,
      istable: meta.istable,
      issingle: meta.issingle,
      is_submittable: meta.is_submittable,
      autoname: meta.autoname ?? null,
      naming_rule: meta.naming_rule ?? null,
      title_field: meta.title_field ?? null,
      sort_field: meta.sort_field ?? 'modified',
      sort_order: meta.sort_order ?? 'DESC',
      fields: meta.fields
        .filter((f) => !f.is_custom_field)
        .map((f, i) => ({
          ...this.engine.blank(this.engine.meta('DocField')),
          name: `${meta.name}-${f.fieldname}`.slice(0, 140),
          owner: 'Administrator',
          modified_by: 'Administrator',
          creation: stamp,
          modified: stamp,
          parent: meta.name,
          parentfield: 'fields',
          parenttype: 'DocType',
          idx: i + 1,
          label: f.label ?? null,
          fieldtype: f.fieldtype,
          fieldname: f.fieldname,
          options: f.options ?? null,
          reqd: f.reqd,
          unique: f.unique,
          read_only: f.read_only,
          hidden: f.hidden,
          allow_on_submit: f.allow_on_submit,
          in_list_view: f.in_list_view,
          default: f.default ?? null,
          fetch_from: f.fetch_from ?? null,
        })),
      permissions: [],
    }
  }

  registerDocType(meta: EmulatorDocTypeMeta): void {
    this.engine.registerMeta(meta)
    this.syncDocTypeDocs(this.engine.now())
  }

  // --- Custom Field / DocType at run time ---------------------------------------------------------

  /** Custom Field naming and checks, run before the document is named (Frappe `validate`). */
  private prepareCustomField(data: Doc): void {
    const dt = String(data.dt ?? '')
    if (!dt) {
      throw new FrappeException('MandatoryError', 'Error: Value missing for Custom Field: DocType', {
        messages: ['Error: Value missing for Custom Field: DocType'],
        exceptionText: '[Custom Field, None]: dt',
        serverMessage: false,
      })
    }
    const meta = this.engine.metas.get(dt)
    if (!meta) frappeThrow('LinkValidationError', `Could not find DocType: ${dt}`, { title: 'Missing Link' })
    let fieldname = data.fieldname ? String(data.fieldname) : ''
    if (!fieldname) {
      const label = String(data.label ?? '').trim()
      if (!label) frappeThrow('ValidationError', 'Label is mandatory')
      fieldname = `custom_${label.replace(/ /g, '_').replace(/[^A-Za-z0-9_]/g, '')}`.toLowerCase()
    } else fieldname = fieldname.toLowerCase()
    const reserved = new Set([
      'name',
      'owner',
      'creation',
      'modified',
      'modified_by',
      'docstatus',
      'idx',
      'parent',
      'parentfield',
      'parenttype',
      'doctype',
    ])
    if (reserved.has(fieldname)) fieldname = `${fieldname}1`
    if (meta.fields.some((f) => f.fieldname === fieldname)) {
      frappeThrow('ValidationError', `A field with the name ${fieldname} already exists in ${dt}`)
    }
    data.fieldname = fieldname
    if (!data.fieldtype) data.fieldtype = 'Data'
  }

  private applyMetaDoc(txn: Txn, dt: string, doc: Doc): void {
    const engine = this.engine
    if (dt === 'Custom Field') {
      const target = engine.metas.get(String(doc.dt))
      if (!target) return
      const f = fieldFromDoc(doc, { is_custom_field: 1 })
      const fields = target.fields.filter((x) => x.fieldname !== f.fieldname)
      const after = String(doc.insert_after ?? '')
      const idx = fields.findIndex((x) => x.fieldname === after)
      if (idx >= 0 && after !== 'append') fields.splice(idx + 1, 0, f)
      else fields.push(f)
      this.swapMeta(txn, { ...target, fields })
      return
    }
    if (dt === 'DocType') {
      const name = String(doc.name)
      const existing = engine.metas.get(name)
      if (existing && !existing.custom && !cint(doc.custom)) return
      const fields: EmulatorFieldMeta[] = ((doc.fields as Doc[]) ?? []).map((r) => fieldFromDoc(r))
      const meta: EmulatorDocTypeMeta = {
        name,
        module: String(doc.module ?? 'Custom'),
        istable: cint(doc.istable) ? 1 : 0,
        issingle: cint(doc.issingle) ? 1 : 0,
        is_submittable: cint(doc.is_submittable) ? 1 : 0,
        custom: 1,
        ...(doc.autoname ? { autoname: String(doc.autoname) } : {}),
        ...(doc.naming_rule ? { naming_rule: String(doc.naming_rule) } : {}),
        ...(doc.title_field ? { title_field: String(doc.title_field) } : {}),
        sort_field: String(doc.sort_field ?? 'modified'),
        sort_order: String(doc.sort_order ?? 'DESC').toUpperCase() === 'ASC' ? 'ASC' : 'DESC',
        fields,
      }
      for (const f of fields) {
        if (TABLE_TYPES.has(f.fieldtype) && !engine.metas.has(f.options ?? '')) {
          frappeThrow(
            'ValidationError',
            `Options must be a valid DocType for field ${f.label} in row ${f.fieldname}`,
          )
        }
      }
      this.swapMeta(txn, meta)
    }
  }

  private removeMetaDoc(txn: Txn, dt: string, doc: Doc): void {
    if (dt === 'Custom Field') {
      const target = this.engine.metas.get(String(doc.dt))
      if (target)
        this.swapMeta(txn, { ...target, fields: target.fields.filter((f) => f.fieldname !== doc.fieldname) })
    } else if (dt === 'DocType') {
      const before = this.engine.metas.get(String(doc.name))
      if (before?.custom) {
        this.engine.metas.delete(before.name)
        txn.undo.push(() => this.engine.metas.set(before.name, before))
      }
    }
  }

  private swapMeta(txn: Txn, meta: EmulatorDocTypeMeta): void {
    const before = this.engine.metas.get(meta.name)
    this.engine.registerMeta(meta)
    txn.undo.push(() => {
      if (before) this.engine.metas.set(meta.name, before)
      else this.engine.metas.delete(meta.name)
    })
  }

  /** Insert with the pre-naming steps some doctypes need. */
  private insertDoc(txn: Txn, doctype: string, data: Doc): Doc {
    const copy = { ...data }
    if (doctype === 'Custom Field') {
      this.engine.check(txn.user, doctype, 'create')
      this.prepareCustomField(copy)
    }
    if (doctype === 'DocType') {
      this.engine.check(txn.user, doctype, 'create')
      const name = String(copy.name ?? '').trim()
      if (name && this.engine.metas.has(name)) {
        throw new FrappeException('DuplicateEntryError', `DocType <strong>${name}</strong> already exists`, {
          title: 'Duplicate Name',
        })
      }
      copy.custom = 1
      copy.fields = ((copy.fields as Doc[] | undefined) ?? []).map((r) => ({
        ...r,
        fieldname: r.fieldname
          ? String(r.fieldname)
          : String(r.label ?? '')
              .trim()
              .toLowerCase()
              .replace(/ /g, '_')
              .replace(/[^a-z0-9_]/g, ''),
      }))
    }
    const doc = this.engine.insert(txn, doctype, copy)
    if (doctype === 'DocType') this.syncDocTypeDocs(this.engine.now())
    return doc
  }

  // --- request handling ---------------------------------------------------------------------------

  async handle(request: Request): Promise<Response> {
    if (this.closed) throw new EmulatorClosedError()
    const url = new URL(request.url)
    const path = url.pathname
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      method: request.method,
      path: safeDecode(path),
      route: this.routeKey(request.method, path),
      user: 'Guest',
      status: 0,
    }
    this.log.push(entry)
    this.routeCounts.set(entry.route, (this.routeCounts.get(entry.route) ?? 0) + 1)
    if (this.log.length > this.opts.requestLogLimit)
      this.log.splice(0, this.log.length - this.opts.requestLogLimit)
    const decision = this.faultController.decide(request.method, entry.path)
    if (decision.latencyMs > 0) await this.delay(decision.latencyMs, request.signal)
    const action = decision.action
    if (action) {
      if (action.kind === 'drop') {
        entry.status = 0
        return Response.error()
      }
      if (action.kind === 'timeout') {
        await this.delay(action.hangMs, request.signal)
        entry.status = 0
        return Response.error()
      }
      if (action.kind === 'status') {
        entry.status = action.status
        if (action.status === 500) {
          const e = new FrappeException('InternalServerError', 'Injected fault', { serverMessage: false })
          return this.json(
            action.status,
            v1ErrorBody(e, this.engine.hash(10), this.opts.allowErrorTraceback),
            [],
          )
        }
        return new Response(
          htmlErrorPage(
            action.status,
            action.status === 502
              ? 'Bad Gateway'
              : action.status === 503
                ? 'Service Unavailable'
                : 'Gateway Timeout',
            'Injected fault',
          ),
          {
            status: action.status,
            headers: { 'content-type': 'text/html; charset=utf-8' },
          },
        )
      }
      entry.status = 429
      const e = new FrappeException('TooManyRequestsError', '', { serverMessage: false })
      const res = this.json(429, v1ErrorBody(e, this.engine.hash(10), this.opts.allowErrorTraceback), [])
      res.headers.set('Retry-After', String(action.retryAfter))
      return res
    }
    const rl = this.faultController.rateLimit()
    let response: Response
    if (rl?.limited) {
      const e = new FrappeException('TooManyRequestsError', '', { serverMessage: false })
      response = this.json(429, v1ErrorBody(e, this.engine.hash(10), this.opts.allowErrorTraceback), [])
      response.headers.set('Retry-After', String(rl.retryAfter))
    } else {
      response = await this.dispatch(request, url, entry)
      if (request.method === 'HEAD' && response.body) {
        response = new Response(null, { status: response.status, headers: response.headers })
      }
    }
    if (rl) {
      for (const [k, v] of Object.entries(rl.headers)) response.headers.set(k, v)
      if (!rl.limited) response.headers.set('X-RateLimit-Used', String(rl.used))
    }
    entry.status = response.status
    return response
  }

  private delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const h = this.opts.timers.setTimeout(() => resolve(), ms)
      signal?.addEventListener(
        'abort',
        () => {
          this.opts.timers.clearTimeout(h)
          resolve()
        },
        { once: true },
      )
    })
  }

  private routeKey(method: string, rawPath: string): string {
    const path = rawPath.replace(/\/+$/, '')
    const m = /^\/api\/(?:v1\/)?resource\/([^/]+)(\/.+)?$/.exec(path)
    if (m) return `${method} /api/resource/${safeDecode(m[1]!)}${m[2] ? '/:name' : ''}`
    const v2 = /^\/api\/v2\/document\/([^/]+)(\/[^/]+)?(\/method\/.+)?$/.exec(path)
    if (v2)
      return `${method} /api/v2/document/${safeDecode(v2[1]!)}${v2[2] ? '/:name' : ''}${v2[3] ? '/method' : ''}`
    return `${method} ${safeDecode(path)}`
  }

  private json(status: number, body: unknown, cookies: readonly string[]): Response {
    const headers = new Headers({ 'content-type': 'application/json' })
    for (const c of cookies) headers.append('set-cookie', c)
    // The body is ASCII (Python's ensure_ascii), so latin1 is an exact, fast encoding.
    return new Response(Buffer.from(frappeJson(body), 'latin1'), { status, headers })
  }

  private wantsJson(request: Request, path: string): boolean {
    const accept = request.headers.get('accept') ?? ''
    if (accept.includes('application/json')) return true
    return path.startsWith('/api/') && !accept.startsWith('text')
  }

  private async readArgs(
    request: Request,
    url: URL,
    files?: Map<string, UploadedFile>,
  ): Promise<Record<string, unknown>> {
    const declared = Number(request.headers.get('content-length') ?? '0')
    if (declared > this.opts.maxBodyBytes) throw new TooLarge()
    const buf = request.body ? new Uint8Array(await request.arrayBuffer()) : new Uint8Array()
    if (buf.byteLength > this.opts.maxBodyBytes) throw new TooLarge()
    const text = new TextDecoder().decode(buf)
    const type = (request.headers.get('content-type') ?? '').toLowerCase()
    let args: Record<string, unknown>
    if (text.trim() && type.includes('json')) {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        throw new FrappeException('JSONDecodeError', 'Expecting value: line 1 column 1 (char 0)', {
          module: 'json.decoder',
          serverMessage: false,
        })
      }
      args = Array.isArray(parsed)
        ? { data: parsed }
        : parsed && typeof parsed === 'object'
          ? { ...(parsed as object) }
          : { data: parsed }
    } else {
      args = {}
      for (const [k, v] of url.searchParams) args[k] = v
      if (text && type.includes('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(text)) args[k] = v
      } else if (text && type.includes('multipart/form-data')) {
        const form = await new Response(buf, {
          headers: { 'content-type': request.headers.get('content-type') ?? '' },
        }).formData()
        for (const [k, v] of form) {
          if (typeof v === 'string') args[k] = v
          else {
            args[k] = v.name
            files?.set(k, { filename: v.name, bytes: new Uint8Array(await v.arrayBuffer()) })
          }
        }
      }
    }
    delete args._
    return args
  }

  /** Resolve the user (contract §1). */
  private authenticate(
    request: Request,
    args: Record<string, unknown>,
    ctx: { sessionExpired: boolean },
  ): string {
    const header = request.headers.get('authorization')
    if (header !== null) {
      const parts = header.split(' ')
      if (parts.length === 2) {
        const scheme = parts[0]!.toLowerCase()
        const value = parts[1]!
        let user: string | undefined
        if (scheme === 'token' || scheme === 'basic') {
          let creds = value
          if (scheme === 'basic') {
            if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
              throw new FrappeException('InvalidAuthorizationToken', '', { serverMessage: false })
            }
            creds = Buffer.from(value, 'base64').toString('utf8')
          }
          const kv = creds.split(':')
          if (kv.length === 2) {
            const found = [...this.engine.users.values()].find((u) => u.apiKey === kv[0])
            if (!found || found.apiSecret !== kv[1])
              throw new FrappeException('AuthenticationError', '', { serverMessage: false })
            user = found.name
          }
        } else if (scheme === 'bearer') {
          const token = this.oauthTokens.get(value)
          if (token && token.expires > this.opts.now()) user = token.user
        }
        if (!user) throw new FrappeException('AuthenticationError', '', { serverMessage: false })
        return user
      }
    }
    const sid = this.cookie(request, 'sid') ?? (typeof args.sid === 'string' ? args.sid : undefined)
    if (sid && sid !== 'Guest') {
      const session = this.sessions.get(sid)
      if (session) return session.user
      ctx.sessionExpired = true
    }
    return 'Guest'
  }

  private cookie(request: Request, name: string): string | undefined {
    const header = request.headers.get('cookie')
    if (!header) return undefined
    for (const part of header.split(';')) {
      const [k, ...v] = part.trim().split('=')
      if (k === name) return v.join('=')
    }
    return undefined
  }

  private async dispatch(request: Request, url: URL, entry: RequestLogEntry): Promise<Response> {
    const rawPath = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname
    const v2 = rawPath.startsWith('/api/v2/')
    const ctx: Ctx = {
      request,
      url,
      v2,
      args: {},
      user: 'Guest',
      txn: this.engine.begin('Guest'),
      sessionExpired: false,
      cookies: [],
      extra: {},
      status: 200,
      route: entry.route,
      files: new Map(),
    }
    try {
      if (rawPath.startsWith('/files/') || rawPath.startsWith('/private/files/')) {
        ctx.args = await this.readArgs(request, url)
        ctx.user = this.authenticate(request, ctx.args, ctx)
        entry.user = ctx.user
        return this.serveFile(ctx, safeDecode(rawPath))
      }
      if (!rawPath.startsWith('/api/') && rawPath !== '/api') {
        throw new FrappeException('PageDoesNotExistError', 'Page not found', { bare: true })
      }
      // werkzeug answers HEAD on every GET rule (the body is dropped by the transport).
      const handler = this.match(request.method === 'HEAD' ? 'GET' : request.method, rawPath)
      if (handler === 'not-found') throw new FrappeException('DoesNotExistError', '', { bare: true })
      if (handler === 'method-not-allowed') {
        return new Response(METHOD_NOT_ALLOWED_HTML, {
          status: 405,
          headers: { 'content-type': 'text/html; charset=utf-8' },
        })
      }
      ctx.args = await this.readArgs(request, url, ctx.files)
      ctx.user = this.authenticate(request, ctx.args, ctx)
      entry.user = ctx.user
      ctx.txn = this.engine.begin(ctx.user)
      // Handlers are synchronous: a transaction never interleaves with another request's.
      const result = handler(ctx)
      if (request.method === 'GET' || request.method === 'HEAD') this.engine.rollback(ctx.txn)
      else this.webhooks.flush(ctx.txn)
      if (!ctx.cookies.length) ctx.cookies.push(this.sidCookie('Guest'))
      if (result instanceof Response) return result
      const body = result as Record<string, unknown>
      if (ctx.sessionExpired && !v2) body.session_expired = 1
      return this.json(ctx.status, body, ctx.cookies)
    } catch (error) {
      this.engine.rollback(ctx.txn)
      if (error instanceof TooLarge) {
        return new Response(
          '<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n<h1>Request Entity Too Large</h1>\n<p>The data value transmitted exceeds the capacity limit.</p>\n',
          { status: 413, headers: { 'content-type': 'text/html; charset=utf-8' } },
        )
      }
      const e = isFrappeException(error)
        ? error
        : new FrappeException(
            error instanceof TypeError ? 'TypeError' : 'Exception',
            error instanceof Error ? error.message : String(error),
            {
              module: 'builtins',
              serverMessage: false,
              status: 500,
            },
          )
      const cookies =
        e.excType === 'AuthenticationError' ? [this.sidCookie('Guest', true)] : [this.sidCookie('Guest')]
      if (!this.wantsJson(request, url.pathname)) {
        return new Response(htmlErrorPage(e.status, e.excType, e.message), {
          status: e.status,
          headers: { 'content-type': 'text/html; charset=utf-8' },
        })
      }
      const body = v2
        ? v2ErrorBody(e, this.opts.allowErrorTraceback)
        : v1ErrorBody(e, this.engine.hash(10), this.opts.allowErrorTraceback)
      if (!v2 && ctx.extra.loginMessage) body.message = ctx.extra.loginMessage
      if (!v2 && ctx.sessionExpired) body.session_expired = 1
      return this.json(e.status, body, cookies)
    }
  }

  private sidCookie(sid: string, expire = false): string {
    if (expire) return 'sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'
    const maxAge = 170 * 3600
    const expires = new Date(this.opts.now() + maxAge * 1000).toUTCString()
    return `sid=${sid}; Expires=${expires}; Max-Age=${maxAge}; HttpOnly; Path=/; SameSite=Lax`
  }

  /** Route table: returns the handler, or why none matched. */
  private match(method: string, path: string): ((ctx: Ctx) => unknown) | 'not-found' | 'method-not-allowed' {
    const segs = path.split('/').slice(2) // after /api
    let rest = segs
    if (rest[0] === 'v1') rest = rest.slice(1)
    if (segs[0] === 'v2') return this.matchV2(method, segs.slice(1))
    if (rest[0] === 'resource' && rest.length >= 2) {
      const doctype = safeDecode(rest[1]!)
      if (rest.length === 2) {
        if (method === 'GET') return (ctx) => this.v1List(ctx, doctype)
        if (method === 'POST') return (ctx) => this.v1Create(ctx, doctype)
        return 'method-not-allowed'
      }
      const name = rest.slice(2).map(safeDecode).join('/')
      if (method === 'GET') return (ctx) => this.v1Read(ctx, doctype, name)
      if (method === 'PUT') return (ctx) => this.v1Update(ctx, doctype, name)
      if (method === 'DELETE') return (ctx) => this.v1Delete(ctx, doctype, name)
      if (method === 'POST') return (ctx) => this.v1DocMethod(ctx, doctype, name)
      return 'method-not-allowed'
    }
    if (rest[0] === 'method' && rest.length >= 2) {
      const cmd = rest.slice(1).map(safeDecode).join('/')
      return (ctx) => this.callMethod(ctx, cmd)
    }
    return 'not-found'
  }

  private matchV2(
    method: string,
    segs: string[],
  ): ((ctx: Ctx) => unknown) | 'not-found' | 'method-not-allowed' {
    const [kind, a, b, c, ...more] = segs
    if (kind === 'document' && a) {
      const doctype = safeDecode(a)
      if (b === undefined) {
        if (method === 'GET') return (ctx) => this.v2List(ctx, doctype)
        if (method === 'POST') return (ctx) => this.v1Create(ctx, doctype)
        return 'method-not-allowed'
      }
      const name = safeDecode(b)
      if (c === 'method' && more.length) {
        if (method !== 'GET' && method !== 'POST') return 'method-not-allowed'
        const m = more.map(safeDecode).join('/')
        return (ctx) => this.runDocMethod(ctx, doctype, name, m)
      }
      if (c !== undefined) return 'not-found'
      if (method === 'GET') return (ctx) => this.v1Read(ctx, doctype, name)
      if (method === 'PUT' || method === 'PATCH') return (ctx) => this.v1Update(ctx, doctype, name)
      if (method === 'DELETE') return (ctx) => this.v1Delete(ctx, doctype, name)
      return 'method-not-allowed'
    }
    if (kind === 'doctype' && a && (b === 'meta' || b === 'count') && c === undefined) {
      if (method !== 'GET') return 'method-not-allowed'
      const doctype = safeDecode(a)
      return b === 'meta' ? (ctx) => this.v2Meta(ctx, doctype) : (ctx) => this.v2Count(ctx, doctype)
    }
    if (kind === 'method' && a) {
      const cmd = segs.slice(1).map(safeDecode).join('/')
      return (ctx) => this.callMethod(ctx, cmd)
    }
    return 'not-found'
  }

  private wrap(ctx: Ctx, value: unknown): Record<string, unknown> {
    if (ctx.v2) return { data: value ?? null }
    return { data: value }
  }

  private requireLogin(ctx: Ctx, doctype: string): void {
    if (ctx.user === 'Guest') this.engine.check('Guest', doctype, 'read')
  }

  // --- v1 resource --------------------------------------------------------------------------------

  private v1List(ctx: Ctx, doctype: string): unknown {
    this.requireLogin(ctx, doctype)
    const a = ctx.args
    const rows = this.engine.list(ctx.txn, doctype, {
      fields: a.fields,
      filters: a.filters,
      or_filters: a.or_filters,
      order_by: a.order_by,
      group_by: a.group_by,
      limit_start: a.limit_start,
      limit_page_length: a.limit_page_length !== undefined ? a.limit_page_length : a.limit,
      as_dict: a.as_dict,
      parent: a.parent,
      strictFields: true,
    })
    return { data: rows }
  }

  private v2List(ctx: Ctx, doctype: string): unknown {
    this.requireLogin(ctx, doctype)
    const a = ctx.args
    const rows = this.engine.list(ctx.txn, doctype, {
      fields: a.fields,
      filters: a.filters,
      order_by: a.order_by,
      limit_start: a.limit_start,
      limit_page_length: a.limit !== undefined ? a.limit : a.limit_page_length,
      parent: a.parent,
      strictFields: true,
    })
    return { data: rows }
  }

  private bodyDoc(ctx: Ctx): Doc {
    const a = ctx.args
    if (typeof a.data === 'string') return asDoc(strictJson(a.data), 'data')
    if (a.data && typeof a.data === 'object' && !Array.isArray(a.data)) return a.data as Doc
    const { cmd: _cmd, sid: _sid, ...rest } = a
    return rest
  }

  private v1Create(ctx: Ctx, doctype: string): unknown {
    this.engine.meta(doctype)
    this.requireLogin(ctx, doctype)
    const data = { ...this.bodyDoc(ctx) }
    delete data.doctype
    const doc = this.insertDoc(ctx.txn, doctype, data)
    return this.wrap(ctx, this.engine.toWire(doctype, doc, true))
  }

  /** Find a child row by name across its parents. */
  private findChild(
    doctype: string,
    name: string,
  ): { parentDt: string; parent: Doc; field: string; row: Doc } | undefined {
    for (const p of this.engine.parentsOf(doctype)) {
      for (const parent of this.engine.all(p.parent)) {
        const row = ((parent[p.fieldname] as Doc[]) ?? []).find((r) => r.name === name)
        if (row) return { parentDt: p.parent, parent, field: p.fieldname, row }
      }
    }
    return undefined
  }

  private readDoc(ctx: Ctx, doctype: string, name: string): Doc {
    const meta = this.engine.meta(doctype)
    if (meta.istable) {
      const hit = this.findChild(doctype, name)
      if (!hit) frappeThrow('DoesNotExistError', `${doctype} ${name} not found`)
      this.engine.check(ctx.user, hit.parentDt, 'read', String(hit.parent.name))
      return hit.row
    }
    const doc = this.engine.get(doctype, name)
    this.engine.check(ctx.user, doctype, 'read', name)
    return doc
  }

  private v1Read(ctx: Ctx, doctype: string, name: string): unknown {
    if (typeof ctx.args.run_method === 'string')
      return this.runDocMethod(ctx, doctype, name, ctx.args.run_method)
    const doc = this.readDoc(ctx, doctype, name)
    return this.wrap(ctx, this.engine.toWire(doctype, doc, true))
  }

  private v1Update(ctx: Ctx, doctype: string, name: string): unknown {
    const meta = this.engine.meta(doctype)
    const data = { ...this.bodyDoc(ctx) }
    delete data.doctype
    delete data.flags
    if (meta.istable) {
      const hit = this.findChild(doctype, name)
      if (!hit) frappeThrow('DoesNotExistError', `${doctype} ${name} not found`)
      const rows = ((hit.parent[hit.field] as Doc[]) ?? []).map((r) =>
        r.name === name ? { ...r, ...data, name } : r,
      )
      const saved = this.engine.save(
        ctx.txn,
        hit.parentDt,
        String(hit.parent.name),
        { [hit.field]: rows },
        { mode: 'merge', checkModified: 'never' },
      )
      const row = ((saved[hit.field] as Doc[]) ?? []).find((r) => r.name === name)!
      return this.wrap(ctx, this.engine.toWire(doctype, row, true))
    }
    this.engine.get(doctype, name)
    const doc = this.engine.save(ctx.txn, doctype, name, data, { mode: 'merge', checkModified: 'if-sent' })
    return this.wrap(ctx, this.engine.toWire(doctype, doc, true))
  }

  private v1Delete(ctx: Ctx, doctype: string, name: string): unknown {
    const meta = this.engine.meta(doctype)
    if (meta.istable) {
      const hit = this.findChild(doctype, name)
      if (!hit) throw new FrappeException('DoesNotExistError', `${doctype} ${name} not found`, { bare: true })
      const rows = ((hit.parent[hit.field] as Doc[]) ?? []).filter((r) => r.name !== name)
      this.engine.save(
        ctx.txn,
        hit.parentDt,
        String(hit.parent.name),
        { [hit.field]: rows },
        { mode: 'merge', checkModified: 'never' },
      )
    } else this.engine.delete(ctx.txn, doctype, name)
    ctx.status = 202
    return ctx.v2 ? { data: 'ok' } : { data: 'ok' }
  }

  private v1DocMethod(ctx: Ctx, doctype: string, name: string): unknown {
    const method = ctx.args.run_method
    if (typeof method !== 'string' || !method) {
      throw new FrappeException(
        'TypeError',
        "execute_doc_method() missing 1 required positional argument: 'method'",
        {
          module: 'builtins',
          serverMessage: false,
        },
      )
    }
    return this.runDocMethod(ctx, doctype, name, method)
  }

  private runDocMethod(ctx: Ctx, doctype: string, name: string, method: string): unknown {
    const doc = this.readDoc(ctx, doctype, name)
    const verb = ctx.request.method
    let result: unknown
    switch (method) {
      case 'submit':
        if (verb === 'GET') this.engine.check(ctx.user, doctype, 'write', name)
        result = this.engine.toWire(doctype, this.engine.submit(ctx.txn, doctype, name), true)
        break
      case 'cancel':
        result = this.engine.toWire(doctype, this.engine.cancel(ctx.txn, doctype, name), true)
        break
      case 'as_dict':
        result = this.engine.toWire(doctype, doc, false)
        break
      default:
        throw new FrappeException('PermissionError', `Method ${method} is not whitelisted`, {
          title: 'Method Not Allowed',
          exceptionText: '',
        })
    }
    return ctx.v2 ? { data: result } : { data: result }
  }

  // --- v2 doctype ---------------------------------------------------------------------------------

  private v2Meta(ctx: Ctx, doctype: string): unknown {
    const meta = this.engine.meta(doctype)
    this.requireLogin(ctx, doctype)
    return { data: this.metaWire(meta) }
  }

  private v2Count(ctx: Ctx, doctype: string): unknown {
    this.engine.meta(doctype)
    this.requireLogin(ctx, doctype)
    this.engine.check(ctx.user, doctype, 'read')
    return { data: this.engine.countWhere(doctype, ctx.args.filters) }
  }

  private metaWire(meta: EmulatorDocTypeMeta): Record<string, unknown> {
    const doc = this.metaToDoc(
      meta,
      String(this.engine.peek('DocType', meta.name)?.modified ?? this.engine.now()),
    )
    const wire = this.engine.toWire('DocType', doc, false)
    wire.fields = meta.fields
      .filter((f) => !NO_VALUE_TYPES.has(f.fieldtype) || true)
      .map((f, i) => ({
        doctype: 'DocField',
        name: `${meta.name}-${f.fieldname}`,
        parent: meta.name,
        parentfield: 'fields',
        parenttype: 'DocType',
        idx: i + 1,
        fieldname: f.fieldname,
        fieldtype: f.fieldtype,
        label: f.label ?? null,
        options: f.options ?? null,
        reqd: f.reqd,
        unique: f.unique,
        read_only: f.read_only,
        hidden: f.hidden,
        allow_on_submit: f.allow_on_submit,
        in_list_view: f.in_list_view,
        default: f.default ?? null,
        fetch_from: f.fetch_from ?? null,
        ...(f.is_custom_field ? { is_custom_field: 1 } : {}),
      }))
    return wire
  }

  // --- /api/method --------------------------------------------------------------------------------

  private callMethod(ctx: Ctx, cmd: string): unknown {
    const def = this.methods.get(cmd)
    if (!def) {
      const dot = cmd.lastIndexOf('.')
      frappeThrow(
        'ValidationError',
        `Failed to get method for command ${cmd} with ${dot > 0 ? `module '${cmd.slice(0, dot)}' has no attribute '${cmd.slice(dot + 1)}'` : `No module named '${cmd}'`}`,
      )
    }
    if (ctx.user === 'Guest' && !def.allowGuest) {
      throw new FrappeException(
        'PermissionError',
        `<details><summary>Not permitted</summary>Function <strong>${cmd}</strong> is not whitelisted.</details>`,
        {
          title: 'Method Not Allowed',
          exceptionText: '',
        },
      )
    }
    const verbs = def.verbs ?? ['GET', 'POST', 'PUT', 'DELETE']
    if (!verbs.includes(ctx.request.method)) {
      throw new FrappeException('PermissionError', 'Not permitted', {
        exceptionText: '',
        title: 'Method Not Allowed',
      })
    }
    const result = def.fn(ctx)
    if (result instanceof Response) return result
    if (ctx.v2) return { data: result ?? null }
    const body: Record<string, unknown> = {}
    if (result !== undefined && result !== null) body.message = result
    Object.assign(body, ctx.extra.response ?? {})
    return body
  }

  private registerMethods(): void {
    const m = (name: string, fn: MethodFn, opts: Omit<MethodDef, 'fn'> = {}) =>
      this.methods.set(name, { fn, ...opts })
    const e = this.engine
    m('frappe.client.get_list', (ctx) => {
      const a = ctx.args
      const doctype = String(required(ctx, 'doctype', 'get_list'))
      return e.list(ctx.txn, doctype, {
        fields: a.fields,
        filters: a.filters,
        or_filters: a.or_filters,
        order_by: a.order_by,
        group_by: a.group_by,
        limit_start: a.limit_start,
        limit_page_length: a.limit_page_length === undefined ? 20 : a.limit_page_length,
        as_dict: a.as_dict,
        parent: a.parent,
      })
    })
    m('frappe.client.get_count', (ctx) =>
      e.countWhere(String(required(ctx, 'doctype', 'get_count')), ctx.args.filters),
    )
    m('frappe.client.get', (ctx) => {
      const doctype = String(required(ctx, 'doctype', 'get'))
      let name = ctx.args.name as string | undefined
      if (!name) {
        const rows = e.list(ctx.txn, doctype, {
          filters: jsonArg(ctx.args.filters),
          fields: ['name'],
          limit_page_length: 1,
          parent: ctx.args.parent,
        })
        const first = rows[0] as Record<string, unknown> | undefined
        if (!first) frappeThrow('DoesNotExistError', `${doctype} not found`)
        name = String(first.name)
      }
      return e.toWire(doctype, this.readDoc(ctx, doctype, String(name)), false)
    })
    m('frappe.client.get_value', (ctx) => {
      const doctype = String(required(ctx, 'doctype', 'get_value'))
      const rawField = required(ctx, 'fieldname', 'get_value')
      const parsed = jsonArg(rawField)
      const fields = Array.isArray(parsed)
        ? parsed.map(String)
        : typeof parsed === 'object' && parsed
          ? Object.keys(parsed)
          : [String(rawField)]
      let filters = ctx.args.filters
      const parsedFilters = jsonArg(filters)
      if (typeof parsedFilters === 'string') filters = { name: parsedFilters }
      else filters = parsedFilters
      const asDict = ctx.args.as_dict === undefined ? true : cint(ctx.args.as_dict) !== 0
      const rows = e.list(ctx.txn, doctype, {
        fields,
        filters: filters ?? undefined,
        limit_page_length: 1,
        as_dict: asDict ? 1 : 0,
        parent: ctx.args.parent,
      })
      if (asDict) return rows[0] ?? {}
      if (!rows.length) return undefined
      const row = rows[0] as unknown[]
      return fields.length > 1 ? row : row[0]
    })
    m(
      'frappe.client.set_value',
      (ctx) => {
        const doctype = String(required(ctx, 'doctype', 'set_value'))
        const name = String(required(ctx, 'name', 'set_value'))
        const fieldname = required(ctx, 'fieldname', 'set_value')
        const parsed = jsonArg(fieldname)
        const values: Doc =
          parsed && typeof parsed === 'object' && !Array.isArray(parsed)
            ? { ...(parsed as Doc) }
            : { [String(fieldname)]: ctx.args.value ?? null }
        for (const k of Object.keys(values)) {
          if (
            [
              'name',
              'owner',
              'creation',
              'modified',
              'modified_by',
              'docstatus',
              'idx',
              'parent',
              'parenttype',
              'parentfield',
              'doctype',
            ].includes(k)
          ) {
            frappeThrow('ValidationError', 'Cannot edit standard fields')
          }
        }
        const meta = e.meta(doctype)
        if (meta.istable) {
          const hit = this.findChild(doctype, name)
          if (!hit) frappeThrow('DoesNotExistError', `${doctype} ${name} not found`)
          const rows = ((hit.parent[hit.field] as Doc[]) ?? []).map((r) =>
            r.name === name ? { ...r, ...values } : r,
          )
          const saved = e.save(
            ctx.txn,
            hit.parentDt,
            String(hit.parent.name),
            { [hit.field]: rows },
            { mode: 'merge', checkModified: 'never' },
          )
          return e.toWire(hit.parentDt, saved, false)
        }
        const doc = e.save(ctx.txn, doctype, name, values, { mode: 'merge', checkModified: 'never' })
        return e.toWire(doctype, doc, false)
      },
      { verbs: WRITE_VERBS },
    )
    m(
      'frappe.client.insert',
      (ctx) => {
        const doc = asDoc(strictJson(required(ctx, 'doc', 'insert')), 'doc')
        return this.clientInsert(ctx, doc)
      },
      { verbs: WRITE_VERBS },
    )
    m(
      'frappe.client.insert_many',
      (ctx) => {
        const docs = strictJson(required(ctx, 'docs', 'insert_many'))
        if (!Array.isArray(docs)) frappeThrow('ValidationError', 'docs must be a list')
        if (docs.length > 200) frappeThrow('ValidationError', 'Only 200 inserts allowed in one request')
        const names: string[] = []
        for (const d of docs) {
          const saved = this.clientInsert(ctx, asDoc(d, 'doc')) as Record<string, unknown>
          names.push(String(saved.name))
        }
        return names
      },
      { verbs: WRITE_VERBS },
    )
    const saveLike = (ctx: Ctx, submit: boolean) => {
      const doc = asDoc(strictJson(required(ctx, 'doc', submit ? 'submit' : 'save')), 'doc')
      const doctype = String(doc.doctype ?? '')
      e.meta(doctype)
      if (doc.name === undefined || doc.name === null || !e.peek(doctype, String(doc.name))) {
        if (!doc.name || !e.meta(doctype).autoname?.startsWith('prompt')) {
          if (doc.name && !e.peek(doctype, String(doc.name)))
            frappeThrow('DoesNotExistError', `${doctype} ${String(doc.name)} not found`)
          const inserted = this.insertDoc(ctx.txn, doctype, submit ? { ...doc, docstatus: 1 } : doc)
          return e.toWire(doctype, inserted, false)
        }
      }
      const data = submit ? { ...doc, docstatus: 1 } : doc
      const saved = e.save(ctx.txn, doctype, String(doc.name), data, {
        mode: 'replace',
        checkModified: 'always',
      })
      return e.toWire(doctype, saved, false)
    }
    m('frappe.client.save', (ctx) => saveLike(ctx, false), { verbs: WRITE_VERBS })
    m('frappe.client.submit', (ctx) => saveLike(ctx, true), { verbs: WRITE_VERBS })
    m(
      'frappe.client.cancel',
      (ctx) => {
        const doctype = String(required(ctx, 'doctype', 'cancel'))
        const name = String(required(ctx, 'name', 'cancel'))
        return e.toWire(doctype, e.cancel(ctx.txn, doctype, name), false)
      },
      { verbs: WRITE_VERBS },
    )
    m(
      'frappe.client.delete',
      (ctx) => {
        const doctype = String(required(ctx, 'doctype', 'delete'))
        const name = String(required(ctx, 'name', 'delete'))
        if (e.meta(doctype).istable) {
          const hit = this.findChild(doctype, name)
          if (!hit) frappeThrow('DoesNotExistError', `${doctype} ${name} not found`)
          const rows = ((hit.parent[hit.field] as Doc[]) ?? []).filter((r) => r.name !== name)
          e.save(
            ctx.txn,
            hit.parentDt,
            String(hit.parent.name),
            { [hit.field]: rows },
            { mode: 'merge', checkModified: 'never' },
          )
        } else e.delete(ctx.txn, doctype, name)
        return undefined
      },
      { verbs: ['POST', 'DELETE'] },
    )
    m(
      'frappe.client.bulk_update',
      (ctx) => {
        const raw = required(ctx, 'docs', 'bulk_update')
        if (typeof raw !== 'string') {
          throw new FrappeException(
            'TypeError',
            `the JSON object must be str, bytes or bytearray, not ${Array.isArray(raw) ? 'list' : 'dict'}`,
            {
              module: 'builtins',
              serverMessage: false,
            },
          )
        }
        const docs = strictJson(raw)
        if (!Array.isArray(docs)) frappeThrow('ValidationError', 'docs must be a JSON list')
        const failed: { doc: unknown; exc: string }[] = []
        for (const item of docs) {
          // Frappe pops `flags`, then echoes the item exactly as sent (doctype and docname included).
          const sentItem = { ...asDoc(item, 'doc') }
          delete sentItem.flags
          const d = { ...sentItem }
          const doctype = String(d.doctype ?? '')
          const docname = String(d.docname ?? '')
          delete d.doctype
          delete d.docname
          const mark = ctx.txn.undo.length
          const events = ctx.txn.events.length
          try {
            e.save(ctx.txn, doctype, docname, d, { mode: 'merge', checkModified: 'if-sent' })
          } catch (err) {
            // Frappe has no savepoint here, but a failed save writes nothing, so undo nothing-but-this item.
            const undo = ctx.txn.undo.splice(mark)
            for (let i = undo.length - 1; i >= 0; i--) undo[i]!()
            ctx.txn.events.length = events
            const fx = isFrappeException(err) ? err : new FrappeException('Exception', String(err))
            failed.push({
              doc: sentItem,
              exc: `Traceback (most recent call last):\n  File "apps/frappe/frappe/client.py", line 485, in bulk_update\n    doc.save()\nfrappe.exceptions.${fx.excType}: ${fx.message}\n`,
            })
          }
        }
        return { failed_docs: failed }
      },
      { verbs: WRITE_VERBS },
    )
    m(
      'frappe.client.rename_doc',
      (ctx) => {
        const doctype = String(required(ctx, 'doctype', 'rename_doc'))
        const oldName = String(required(ctx, 'old_name', 'rename_doc'))
        const newName = String(required(ctx, 'new_name', 'rename_doc'))
        return e.rename(ctx.txn, doctype, oldName, newName, cint(ctx.args.merge) === 1)
      },
      { verbs: WRITE_VERBS },
    )
    m('frappe.client.has_permission', (ctx) => {
      const doctype = String(required(ctx, 'doctype', 'has_permission'))
      const ptype = String(ctx.args.perm_type ?? 'read') as PermType
      return { has_permission: e.can(ctx.user, doctype, ptype) }
    })
    m('frappe.client.attach_file', (ctx) => this.attachFile(ctx), { verbs: WRITE_VERBS })
    m('upload_file', (ctx) => this.uploadFile(ctx), { allowGuest: true })
    m('frappe.handler.upload_file', (ctx) => this.uploadFile(ctx), { allowGuest: true })
    m('frappe.auth.get_logged_user', (ctx) => ctx.user)
    m('frappe.ping', () => 'pong', { allowGuest: true })
    m('ping', () => 'pong', { allowGuest: true })
    m('login', (ctx) => this.login(ctx), { allowGuest: true })
    m(
      'logout',
      (ctx) => {
        const sid = this.cookie(ctx.request, 'sid')
        if (sid) this.sessions.delete(sid)
        ctx.cookies.push(this.sidCookie('Guest', true))
        return undefined
      },
      { allowGuest: true },
    )
    m('frappe.desk.form.load.getdoctype', (ctx) => {
      const doctype = String(required(ctx, 'doctype', 'getdoctype'))
      const meta = e.meta(doctype)
      e.check(ctx.user, doctype, 'read')
      const docs = [this.metaWire(meta)]
      for (const f of meta.fields) {
        if (TABLE_TYPES.has(f.fieldtype) && e.metas.has(f.options ?? ''))
          docs.push(this.metaWire(e.meta(f.options ?? '')))
      }
      ctx.extra.response = { docs, user_settings: '{}' }
      return undefined
    })
    m('frappe.integrations.oauth2.authorize', (ctx) => this.oauthAuthorize(ctx), { allowGuest: true })
    m('frappe.integrations.oauth2.get_token', (ctx) => this.oauthToken(ctx), {
      allowGuest: true,
      verbs: ['POST'],
    })
    m(
      'frappe.integrations.oauth2.revoke_token',
      (ctx) => {
        const token = String(ctx.args.token ?? '')
        const t = this.oauthTokens.get(token)
        if (t) {
          this.oauthTokens.delete(token)
          this.refreshTokens.delete(t.refreshToken)
        }
        return new Response(null, { status: 200 })
      },
      { allowGuest: true, verbs: ['POST'] },
    )
  }

  private clientInsert(ctx: Ctx, doc: Doc): unknown {
    const e = this.engine
    if (doc.parenttype && doc.parent && doc.parentfield) {
      const parentDt = String(doc.parenttype)
      const parent = e.get(parentDt, String(doc.parent))
      const { parenttype: _pt, parent: _p, parentfield, doctype: _d, ...row } = doc
      const rows = [...((parent[String(parentfield)] as Doc[]) ?? []), row]
      const saved = e.save(
        ctx.txn,
        parentDt,
        String(doc.parent),
        { [String(parentfield)]: rows },
        { mode: 'merge', checkModified: 'never' },
      )
      return e.toWire(parentDt, saved, false)
    }
    const doctype = String(doc.doctype ?? '')
    if (!doctype) frappeThrow('ValidationError', 'doctype is required')
    const data = { ...doc }
    delete data.doctype
    return e.toWire(doctype, this.insertDoc(ctx.txn, doctype, data), false)
  }

  // --- files ----------------------------------------------------------------------------------------

  /**
   * `frappe.client.attach_file` (v15): the document must exist and be readable; the File is saved; with
   * `docfield`, the document's field is set to the file URL and the document saved (needs write).
   */
  private attachFile(ctx: Ctx): unknown {
    const a = ctx.args
    const doctype = a.doctype == null ? 'None' : String(a.doctype)
    const docname = a.docname == null ? 'None' : String(a.docname)
    const meta = this.engine.meta(doctype)
    if (meta.istable) frappeThrow('DoesNotExistError', `${doctype} ${docname} not found`)
    this.engine.get(doctype, docname)
    this.engine.check(ctx.user, doctype, 'read', docname)
    const docfield = a.docfield == null || a.docfield === '' ? undefined : String(a.docfield)
    const file = this.createFile(ctx, {
      fileName: a.filename == null || a.filename === '' ? undefined : String(a.filename),
      content: pyTruthy(a.filedata) ? fileContent(a.filedata, pyTruthy(a.decode_base64)) : undefined,
      fileUrl: undefined,
      isPrivate: cint(a.is_private) === 1,
      folder: a.folder == null || a.folder === '' ? undefined : String(a.folder),
      attachedToDoctype: doctype,
      attachedToName: docname,
      attachedToField: docfield,
    })
    // Frappe sets the attribute and saves; a name that is not a field of the doctype is not stored.
    if (docfield && meta.fields.some((f) => f.fieldname === docfield)) {
      this.engine.save(
        ctx.txn,
        doctype,
        docname,
        { [docfield]: file.file_url },
        { mode: 'merge', checkModified: 'never' },
      )
    }
    return this.engine.toWire('File', file, true)
  }

  /**
   * `upload_file` (`frappe.handler.upload_file`, v15): a multipart `file` part or a `file_url`; Guest is
   * refused (System Settings `allow_guests_to_upload_files` is off); an existing document needs write
   * permission; a missing one is not checked (Desk uploads before the first save).
   */
  private uploadFile(ctx: Ctx): unknown {
    if (ctx.user === 'Guest') {
      throw new FrappeException('PermissionError', '', { exceptionText: '', serverMessage: false })
    }
    const a = ctx.args
    const str = (v: unknown) => (v == null || v === '' ? undefined : String(v))
    if (str(a.method)) {
      frappeThrow(
        'ValidationError',
        'upload_file with a "method" argument is not supported by the emulator; upload without it.',
      )
    }
    const doctype = str(a.doctype)
    const docname = str(a.docname)
    if (doctype && docname) {
      this.engine.meta(doctype)
      if (this.engine.peek(doctype, docname)) this.engine.check(ctx.user, doctype, 'write', docname)
    } else if (doctype) {
      this.engine.meta(doctype)
      this.engine.check(ctx.user, doctype, 'write')
    }
    let fileName = str(a.file_name)
    let fileUrlArg = str(a.file_url)
    let isPrivate = cint(a.is_private) === 1
    const library = str(a.library_file_name)
    if (library) {
      const lib = this.engine.get('File', library)
      if (!this.canReadFile(ctx.user, lib)) {
        const msg = `You need the 'read' permission on <strong>File</strong> ${library} to perform this action.`
        throw new FrappeException('PermissionError', msg, {
          errorMessage: msg,
          exceptionText: '',
          title: 'Not Permitted',
        })
      }
      isPrivate = cint(lib.is_private) === 1
      fileUrlArg = str(lib.file_url)
      fileName = str(lib.file_name)
    }
    const part = ctx.files.get('file')
    return this.engine.toWire(
      'File',
      this.createFile(ctx, {
        fileName: part ? part.filename : fileName,
        content: part?.bytes,
        fileUrl: fileUrlArg,
        isPrivate,
        folder: str(a.folder) ?? 'Home',
        attachedToDoctype: doctype,
        attachedToName: docname,
        attachedToField: str(a.fieldname),
      }),
      true,
    )
  }

  /** Frappe's File insert: name checks, de-duplication by content hash, on-"disk" name clashes, URL rules. */
  private createFile(ctx: Ctx, f: NewFile): Doc {
    if (f.attachedToDoctype) {
      if (!f.attachedToName) frappeThrow('ValidationError', 'Attached To Name must be a string or an integer')
      if (f.attachedToField && /[^A-Za-z0-9_]/.test(f.attachedToField)) {
        frappeThrow('ValidationError', "The fieldname you've specified in Attached To Field is invalid")
      }
    }
    let fileName = f.fileName?.replace(/[/\\]/g, '')
    let url = f.fileUrl
    let isPrivate = f.isPrivate
    let size = 0
    let hash: string | null = null
    if (!fileName && !url) {
      frappeThrow('MandatoryError', 'Fields `file_name` or `file_url` must be set for File')
    }
    if (url) {
      const remote = /^https?:\/\//i.test(url)
      if (!remote && !url.startsWith('/files/') && !url.startsWith('/private/files/')) {
        frappeThrow('ValidationError', 'URL must start with http:// or https://', { title: 'Invalid URL' })
      }
      if (!remote) {
        isPrivate = url.startsWith('/private/')
        const bytes = this.fileBytes.get(url)
        if (!bytes) {
          throw new FrappeException('OSError', `File ${url} does not exist`, {
            module: 'builtins',
            serverMessage: false,
            status: 500,
          })
        }
        size = bytes.byteLength
        hash = contentHash(bytes)
      }
      fileName ??= url.split('/').pop() || url
    } else if (f.content && f.content.byteLength > 0) {
      const content = f.content
      const name = fileName as string
      hash = contentHash(content)
      size = content.byteLength
      // Same bytes already stored with the same privacy: reuse that URL (no second copy).
      const same = [...this.engine.all('File')].find(
        (d) => d.content_hash === hash && cint(d.is_private) === (isPrivate ? 1 : 0) && d.file_url,
      )
      if (same) url = String(same.file_url)
      else {
        let target = name
        if (this.fileBytes.has(fileUrl(target, isPrivate))) target = suffixedName(target, hash.slice(-6))
        fileName = target
        url = fileUrl(target, isPrivate)
        const key = url
        this.fileBytes.set(key, content)
        ctx.txn.undo.push(() => this.fileBytes.delete(key))
      }
    } else {
      throw new FrappeException('OSError', 'File None does not exist', {
        module: 'builtins',
        serverMessage: false,
        status: 500,
      })
    }
    const folder = f.folder ?? (f.attachedToDoctype ? 'Home/Attachments' : 'Home')
    return this.engine.insert(
      ctx.txn,
      'File',
      {
        file_name: fileName,
        is_private: isPrivate ? 1 : 0,
        file_type: fileType(fileName ?? ''),
        file_size: size,
        file_url: url,
        folder,
        is_folder: 0,
        attached_to_doctype: f.attachedToDoctype ?? null,
        attached_to_name: f.attachedToName ?? null,
        attached_to_field: f.attachedToField ?? null,
        content_hash: hash,
      },
      { ignorePermissions: true },
    )
  }

  /** Frappe's File `has_permission` for read: public, own file, Administrator, or read on the attached document. */
  private canReadFile(user: string, file: Doc): boolean {
    if (!cint(file.is_private) || user === 'Administrator') return true
    if (user !== 'Guest' && file.owner === user) return true
    const dt = file.attached_to_doctype
    const dn = file.attached_to_name
    if (!dt || !dn || !this.engine.metas.has(String(dt))) return false
    if (!this.engine.peek(String(dt), String(dn))) return false
    return this.engine.can(user, String(dt), 'read')
  }

  /** `GET /files/<name>` (public) and `/private/files/<name>` (`download_private_file`: login + permission). */
  private serveFile(ctx: Ctx, path: string): Response {
    const method = ctx.request.method
    if (method !== 'GET' && method !== 'HEAD') {
      return new Response(METHOD_NOT_ALLOWED_HTML, {
        status: 405,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      })
    }
    const bytes = this.fileBytes.get(path)
    const fileName = path.split('/').pop() ?? ''
    if (path.startsWith('/private/')) {
      const file = bytes
        ? [...this.engine.all('File')].find((d) => d.file_url === path && this.canReadFile(ctx.user, d))
        : undefined
      if (ctx.user === 'Guest' || !bytes || !file) {
        return new Response(
          htmlErrorPage(403, 'Forbidden', "You don't have permission to access this file"),
          { status: 403, headers: { 'content-type': 'text/html; charset=utf-8' } },
        )
      }
    } else if (!bytes) {
      return new Response(htmlErrorPage(404, 'Not Found', 'The requested URL was not found on the server.'), {
        status: 404,
        headers: { 'content-type': 'text/html; charset=utf-8' },
      })
    }
    const headers = fileHeaders(fileName)
    headers.set('content-length', String(bytes!.byteLength))
    return new Response(Buffer.from(bytes!), { status: 200, headers })
  }

  private login(ctx: Ctx): unknown {
    const usr = ctx.args.usr
    const pwd = ctx.args.pwd
    if (!usr || !pwd) {
      ctx.extra.loginMessage = 'Incomplete login details'
      throw new FrappeException('AuthenticationError', 'Incomplete login details', { serverMessage: false })
    }
    const user = [...this.engine.users.values()].find(
      (u) => u.name === usr || (u.name === 'Administrator' ? usr === 'admin@example.com' : false),
    )
    if (!user || user.password !== pwd) {
      ctx.extra.loginMessage = 'Invalid login credentials'
      throw new FrappeException('AuthenticationError', 'Invalid login credentials', { serverMessage: false })
    }
    const sid = createHash('sha256').update(randomBytes(32)).digest('hex').slice(0, 56)
    this.sessions.set(sid, { user: user.name })
    ctx.user = user.name
    ctx.cookies.push(
      this.sidCookie(sid),
      'system_user=yes; Path=/; SameSite=Lax',
      `full_name=${encodeURIComponent(user.fullName)}; Path=/; SameSite=Lax`,
      `user_id=${encodeURIComponent(user.name)}; Path=/; SameSite=Lax`,
      'user_image=; Path=/; SameSite=Lax',
    )
    ctx.extra.response = { home_page: '/app', full_name: user.fullName }
    return 'Logged In'
  }

  // --- OAuth 2.0 ----------------------------------------------------------------------------------

  private oauthError(status: number, error: string, description: string): Response {
    return new Response(JSON.stringify({ error, error_description: description }), {
      status,
      headers: { 'content-type': 'application/json' },
    })
  }

  private oauthAuthorize(ctx: Ctx): Response {
    const a = ctx.args
    const clientId = String(a.client_id ?? '')
    const client = clientId ? this.engine.peek('OAuth Client', clientId) : undefined
    if (!client) return this.oauthError(400, 'invalid_client', 'Unknown client_id')
    const redirectUri = String(a.redirect_uri ?? client.default_redirect_uri ?? '')
    const allowed = String(client.redirect_uris ?? '')
      .split(/\s+/)
      .filter(Boolean)
    if (!allowed.includes(redirectUri))
      return this.oauthError(400, 'invalid_request', 'Mismatching redirect URI')
    if (ctx.user === 'Guest') {
      const back = encodeURIComponent(`${ctx.url.pathname}${ctx.url.search}`)
      return new Response(null, { status: 302, headers: { location: `/login?redirect-to=${back}` } })
    }
    const target = new URL(redirectUri)
    if (a.response_type !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type')
      if (a.state !== undefined) target.searchParams.set('state', String(a.state))
      return new Response(null, { status: 302, headers: { location: target.toString() } })
    }
    const method = a.code_challenge_method === undefined ? undefined : String(a.code_challenge_method)
    if (a.code_challenge !== undefined && method !== 'S256') {
      target.searchParams.set('error', 'invalid_request')
      target.searchParams.set('error_description', 'Transform algorithm not supported.')
      return new Response(null, { status: 302, headers: { location: target.toString() } })
    }
    const code = this.engine.hash(30)
    this.oauthCodes.set(code, {
      clientId,
      redirectUri,
      scope: String(a.scope ?? client.scopes ?? 'all'),
      user: ctx.user,
      challenge: a.code_challenge === undefined ? undefined : String(a.code_challenge),
      method,
      expires: this.opts.now() + 10 * 60 * 1000,
    })
    target.searchParams.set('code', code)
    if (a.state !== undefined) target.searchParams.set('state', String(a.state))
    return new Response(null, { status: 302, headers: { location: target.toString() } })
  }

  private oauthToken(ctx: Ctx): Response {
    const a = ctx.args
    const grant = String(a.grant_type ?? '')
    const issue = (user: string, scope: string, clientId: string) => {
      const access = this.engine.hash(30)
      const refresh = this.engine.hash(30)
      this.oauthTokens.set(access, {
        user,
        scope,
        clientId,
        expires: this.opts.now() + 3600 * 1000,
        refreshToken: refresh,
      })
      this.refreshTokens.set(refresh, access)
      return new Response(
        JSON.stringify({
          access_token: access,
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: refresh,
          scope,
        }),
        {
          status: 200,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' },
        },
      )
    }
    if (grant === 'authorization_code') {
      const code = this.oauthCodes.get(String(a.code ?? ''))
      if (!code || code.expires < this.opts.now())
        return this.oauthError(400, 'invalid_grant', 'Invalid or expired code')
      if (code.clientId !== String(a.client_id ?? ''))
        return this.oauthError(401, 'invalid_client', 'Client mismatch')
      if (code.redirectUri !== String(a.redirect_uri ?? ''))
        return this.oauthError(400, 'invalid_grant', 'Mismatching redirect URI')
      if (code.challenge !== undefined) {
        const verifier = String(a.code_verifier ?? '')
        const digest = createHash('sha256').update(verifier).digest('base64url')
        if (!verifier || digest !== code.challenge)
          return this.oauthError(400, 'invalid_grant', 'PKCE verification failed')
      }
      this.oauthCodes.delete(String(a.code))
      return issue(code.user, code.scope, code.clientId)
    }
    if (grant === 'refresh_token') {
      const refresh = String(a.refresh_token ?? '')
      const access = this.refreshTokens.get(refresh)
      const token = access ? this.oauthTokens.get(access) : undefined
      if (!token) return this.oauthError(400, 'invalid_grant', 'Invalid refresh token')
      if (a.client_id !== undefined && String(a.client_id) !== token.clientId)
        return this.oauthError(401, 'invalid_client', 'Client mismatch')
      this.oauthTokens.delete(access!)
      this.refreshTokens.delete(refresh)
      return issue(token.user, token.scope, token.clientId)
    }
    return this.oauthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${grant}`)
  }

  // --- misc ---------------------------------------------------------------------------------------

  insert(doctype: string, doc: Record<string, unknown>): Record<string, unknown> {
    if (this.closed) throw new EmulatorClosedError()
    const txn = this.engine.begin('Administrator')
    try {
      const saved = this.insertDoc(txn, doctype, doc)
      this.webhooks.flush(txn)
      return this.plain(doctype, saved)
    } catch (error) {
      this.engine.rollback(txn)
      throw toDocumentError(error, doctype)
    }
  }

  reset(): void {
    if (this.closed) throw new EmulatorClosedError()
    this.log.length = 0
    this.routeCounts.clear()
    this.sessions.clear()
    this.oauthCodes.clear()
    this.oauthTokens.clear()
    this.refreshTokens.clear()
    this.webhooks.reset()
    this.faultController.clear()
    this.loadInitial()
  }

  async close(): Promise<void> {
    this.closed = true
  }
}

class TooLarge extends Error {}

function toDocumentError(error: unknown, doctype: string): unknown {
  if (isFrappeException(error))
    return new EmulatorDocumentError(error.excType, error.status, doctype, { cause: error })
  return error
}

/**
 * Create the in-memory Frappe site. Its `handle(request)` answers like Frappe v15; serve it with
 * `startEmulator` (node:http) or `createHandlers` from `@edusync/erpnext-emulator/msw`.
 *
 * @example
 * ```ts
 * const emulator = createEmulator({ seed: 'school-small' })
 * const { apiKey, apiSecret } = emulator.credentials.admin
 * const res = await emulator.handle(new Request('http://erp.test/api/resource/Student', {
 *   headers: { Authorization: `token ${apiKey}:${apiSecret}` },
 * }))
 * ```
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  return new EmulatorImpl(options)
}
