import { createHmacSigner, defaultRandomBytes } from './backend.js'
import {
  canonicalJson,
  fromBase64Url,
  toBase32,
  toBase64Url,
  timingSafeEqualString,
  utf8,
} from './encoding.js'
import { KeyNotFoundError, ReceiptError, SubjectRequestError } from './errors.js'
import { assertKeyId } from './keyring.js'
import type {
  ConsentFlags,
  ConsentStore,
  DataRecord,
  DisclosureEntry,
  DisclosureLedger,
  Keyring,
  ReidentificationEntry,
  ReidentificationStore,
  SubjectDataKind,
  SubjectDataSource,
  SubjectRecord,
  TombstoneStore,
} from './stores.js'

/** The law a request is made under; it sets the deadline. */
export type Regime = 'ferpa' | 'gdpr'
/** The kinds of data-subject request. */
export type SubjectRequestType = 'access' | 'portability' | 'rectification' | 'erasure'

/** An open data-subject request, with its deadline. */
export interface SubjectRequest {
  /** Request id. */
  readonly id: string
  /** What is asked for. */
  readonly type: SubjectRequestType
  /** The law it is made under (sets the deadline). */
  readonly regime: Regime
  /** The tenant (school). */
  readonly tenant: string
  /** The student (or guardian) the request is about. */
  readonly subjectId: string
  /** When the school received the request. */
  readonly receivedAt: Date
  /** FERPA §99.10(b): 45 days; GDPR Art. 12(3): one month. */
  readonly dueAt: Date
}

/**
 * The deadline of a request received at `receivedAt`: FERPA 45 days (§99.10(b)); GDPR one month
 * (Art. 12(3)), i.e. the same day of the next month, or that month's last day when it has no such day.
 */
export function computeDueDate(regime: Regime, receivedAt: Date): Date {
  if (regime === 'ferpa') return new Date(receivedAt.getTime() + 45 * 86_400_000)
  if (regime !== 'gdpr')
    throw new TypeError(`[@edusync/privacy-toolkit] computeDueDate: regime must be 'ferpa' or 'gdpr'.`)
  const d = new Date(receivedAt.getTime())
  const day = d.getUTCDate()
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() + 1)
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
  d.setUTCDate(Math.min(day, last))
  return d
}

/** Deadline status of a request at `now`. */
export interface DeadlineStatus {
  /** The deadline. */
  readonly dueAt: Date
  /** Whole days left (negative when overdue). */
  readonly daysLeft: number
  /** `true` once the deadline has passed. */
  readonly overdue: boolean
}

/** Where a request stands against its deadline. */
export function deadlineStatus(request: SubjectRequest, now: Date): DeadlineStatus {
  const ms = request.dueAt.getTime() - now.getTime()
  return { dueAt: request.dueAt, daysLeft: Math.floor(ms / 86_400_000), overdue: ms < 0 }
}

/** One kind of data in an access report. */
export interface AccessKind extends SubjectDataKind {
  /** Every record of this kind held about the subject. */
  readonly records: readonly SubjectRecord[]
}

/** Everything held about a subject (FERPA §99.10, GDPR Art. 15). */
export interface AccessReport {
  /** The request answered. */
  readonly request: SubjectRequest
  /** When the report was made. */
  readonly generatedAt: Date
  /** Every kind of data held, with its records. */
  readonly kinds: readonly AccessKind[]
  /** The record of disclosures (FERPA §99.32(c); GDPR Art. 15(1)(c) recipients). */
  readonly disclosures: readonly DisclosureEntry[]
  /** Pseudonyms made for the subject (GDPR: pseudonymised data is personal data). */
  readonly pseudonyms: readonly ReidentificationEntry[]
  /** The subject's consent and restriction flags, when any were set (GDPR Art. 15, 18, 21). */
  readonly consent: ConsentFlags | undefined
}

/** One file of a portability export. */
export interface ExportFile {
  /** Relative path, e.g. `data.json`, `csv/ai_insights.csv`, `manifest.json`. */
  readonly path: string
  /** The file's media type. */
  readonly mediaType: 'application/json' | 'text/csv'
  /** The file's text (UTF-8). */
  readonly content: string
}

/** The manifest of an export: what each file is, with its size and SHA-256. */
export interface ExportManifest {
  /** Format id and version. */
  readonly format: 'edusync-subject-export/1'
  /** The request answered. */
  readonly requestId: string
  /** The tenant. */
  readonly tenant: string
  /** The subject. */
  readonly subjectId: string
  /** The law the request was made under. */
  readonly regime: Regime
  /** When the export was made (ISO 8601). */
  readonly generatedAt: string
  /** The request's deadline (ISO 8601). */
  readonly dueAt: string
  /** Each kind exported: origin, record count and its CSV path. */
  readonly kinds: readonly {
    readonly kind: string
    readonly origin: string
    readonly count: number
    readonly csv: string
  }[]
  /** Every file but the manifest, with its size in bytes and SHA-256 (hex). */
  readonly files: readonly { readonly path: string; readonly bytes: number; readonly sha256: string }[]
}

/** A complete, machine-readable export (GDPR Art. 20): `data.json`, one CSV per kind, `manifest.json`. */
export interface PortabilityExport {
  /** The manifest (also the last file). */
  readonly manifest: ExportManifest
  /** `data.json` first, then CSVs, then `manifest.json`. */
  readonly files: readonly ExportFile[]
}

/** One correction of a rectification request. */
export interface Correction {
  /** The kind (table) of the record. */
  readonly kind: string
  /** The record id. */
  readonly recordId: string
  /** Field → corrected value. */
  readonly changes: DataRecord
}

/** The outcome of a rectification (FERPA §99.20, GDPR Art. 16). */
export interface RectificationResult {
  /** The request answered. */
  readonly request: SubjectRequest
  /** Corrections applied, with the fields changed. */
  readonly applied: readonly {
    readonly kind: string
    readonly recordId: string
    readonly fields: readonly string[]
  }[]
  /** Corrections whose record does not exist for this subject. */
  readonly notFound: readonly { readonly kind: string; readonly recordId: string }[]
  /** Mirror records corrected here that must be written back to / re-synced from ERPNext. */
  readonly resync: readonly { readonly kind: string; readonly recordId: string }[]
  /** Derived kinds that must be re-derived because a source kind changed. */
  readonly rederive: readonly string[]
  /** When the corrections were applied. */
  readonly completedAt: Date
}

/** Options of an erasure. */
export interface ErasureOptions {
  /** `delete` records, or `pseudonymise` them irreversibly (subject id → random token, PII fields removed). @default 'delete' */
  readonly mode?: 'delete' | 'pseudonymise'
  /** Which kinds: `all`, or only `derived` (AI-layer) data. @default 'all' */
  readonly scope?: 'all' | 'derived'
  /** For `pseudonymise`: fields removed per kind (besides every value equal to the subject id). @default {} */
  readonly piiFields?: Readonly<Record<string, readonly string[]>>
}

/** A signed proof of erasure (GDPR Art. 17). Holds counts, not data. */
export interface ErasureReceipt {
  /** Format id and version. */
  readonly format: 'edusync-erasure-receipt/1'
  /** The erasure request. */
  readonly requestId: string
  /** The tenant. */
  readonly tenant: string
  /** The erased subject. */
  readonly subjectId: string
  /** The law the request was made under. */
  readonly regime: Regime
  /** When the request was received (ISO 8601). */
  readonly receivedAt: string
  /** The deadline (ISO 8601). */
  readonly dueAt: string
  /** When the erasure finished (ISO 8601). */
  readonly completedAt: string
  /** `true` when completed by the deadline. */
  readonly onTime: boolean
  /** Whether records were deleted or irreversibly pseudonymised. */
  readonly mode: 'delete' | 'pseudonymise'
  /** Records erased per kind. */
  readonly erased: readonly { readonly kind: string; readonly count: number }[]
  /** Kept because of a legal hold (student-wide or per record). */
  readonly held: readonly { readonly kind: string; readonly count: number }[]
  /** Pseudonym ↔ subject mappings deleted (0 while anything is held). */
  readonly pseudonymMappingsDeleted: number
  /** Tombstones written. */
  readonly tombstones: number
  /** The receipt key id. */
  readonly keyId: string
  /** `rcpt_<keyId>_<base64url HMAC-SHA256 of the canonical receipt without this field>`. */
  readonly signature: string
}

/** Options of {@link createSubjectRequests}. */
export interface SubjectRequestsOptions {
  /** Where the subject's data lives. */
  readonly source: SubjectDataSource
  /** Tombstones written on erasure. Required for erasure. */
  readonly tombstones?: TombstoneStore
  /** Pseudonym mappings: listed on access, deleted on erasure. @default none */
  readonly reidentification?: ReidentificationStore
  /** Student-wide legal holds. @default none */
  readonly consent?: ConsentStore
  /** The record of disclosures, included in access reports. @default none */
  readonly ledger?: DisclosureLedger
  /** Keys that sign erasure receipts (primary signs; any verifies). Required for erasure. */
  readonly receiptKeyring?: Keyring
  /** The clock. @default () => new Date() */
  readonly now?: () => Date
  /** Request ids. @default random `dsr_…` ids */
  readonly newId?: () => string
}

/** Data-subject requests orchestrated over a {@link SubjectDataSource}. */
export interface SubjectRequests {
  /** Open a request and compute its deadline. */
  open(input: {
    readonly type: SubjectRequestType
    readonly regime: Regime
    readonly tenant: string
    readonly subjectId: string
    readonly receivedAt?: Date
  }): SubjectRequest
  /** Everything held about the subject. */
  access(request: SubjectRequest): Promise<AccessReport>
  /** A complete export: JSON, CSV per kind, and a manifest with SHA-256 per file. */
  portability(request: SubjectRequest): Promise<PortabilityExport>
  /** Apply corrections and say what must be re-synced or re-derived. */
  rectification(request: SubjectRequest, corrections: readonly Correction[]): Promise<RectificationResult>
  /** Erase (or irreversibly pseudonymise) the subject's data, respecting legal holds; returns a signed receipt. */
  erasure(request: SubjectRequest, options?: ErasureOptions): Promise<ErasureReceipt>
  /** Verify a receipt's signature; throws {@link ReceiptError} when it does not verify. */
  verifyReceipt(receipt: ErasureReceipt): Promise<true>
}

const CSV_FORMULA = /^[=+\-@\t\r]/

/** @internal One CSV cell (RFC 4180), with spreadsheet formula injection neutralised. */
export function csvCell(value: unknown): string {
  let s: string
  if (value === null || value === undefined) s = ''
  else if (value instanceof Date) s = value.toISOString()
  else if (typeof value === 'object') s = JSON.stringify(value)
  else s = String(value)
  if (CSV_FORMULA.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** @internal A CSV of records: `id` first, then every field in sorted order. */
export function toCsv(records: readonly SubjectRecord[]): string {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r.data)))].sort()
  const lines = [['id', ...columns].map(csvCell).join(',')]
  for (const r of records) lines.push([r.id, ...columns.map((c) => r.data[c])].map(csvCell).join(','))
  return `${lines.join('\r\n')}\r\n`
}

async function sha256Hex(text: string): Promise<string> {
  const d = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', utf8(text) as Uint8Array<ArrayBuffer>),
  )
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('')
}

const safeName = (kind: string) => kind.replace(/[^A-Za-z0-9._-]/g, '_')

/**
 * Create the data-subject request orchestrator.
 *
 * @example
 * ```ts
 * const dsr = createSubjectRequests({ source, tombstones, reidentification, consent, ledger, receiptKeyring })
 * const request = dsr.open({ type: 'erasure', regime: 'gdpr', tenant: 'school-a', subjectId: 'EDU-STU-1' })
 * const receipt = await dsr.erasure(request)
 * await dsr.verifyReceipt(receipt)
 * ```
 */
export function createSubjectRequests(options: SubjectRequestsOptions): SubjectRequests {
  if (typeof options?.source?.listKinds !== 'function') {
    throw new TypeError(
      '[@edusync/privacy-toolkit] createSubjectRequests: options.source must be a SubjectDataSource.',
    )
  }
  if (options.receiptKeyring !== undefined)
    assertKeyId(options.receiptKeyring.primaryKeyId, 'receiptKeyring.primaryKeyId')
  const { source, tombstones, reidentification, consent, ledger, receiptKeyring } = options
  const now = options.now ?? (() => new Date())
  const newId = options.newId ?? (() => `dsr_${toBase32(defaultRandomBytes(16))}`)

  const checkRequest = (request: SubjectRequest, type: SubjectRequestType | 'any') => {
    if (
      typeof request?.id !== 'string' ||
      typeof request.subjectId !== 'string' ||
      typeof request.tenant !== 'string'
    ) {
      throw new TypeError('[@edusync/privacy-toolkit] pass a request made by open().')
    }
    if (type !== 'any' && request.type !== type && !(type === 'access' && request.type === 'portability')) {
      throw new SubjectRequestError(
        `request ${request.id} is a ${request.type} request, not ${type}.`,
        request.id,
      )
    }
  }

  const wrap = async <T>(request: SubjectRequest, step: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (error) {
      if (error instanceof SubjectRequestError || error instanceof KeyNotFoundError) throw error
      throw new SubjectRequestError(
        `request ${request.id}: ${step} failed; the request is still open, retry it (steps are idempotent).`,
        request.id,
        { cause: error },
      )
    }
  }

  const sign = async (body: Omit<ErasureReceipt, 'signature'>, keyId: string) => {
    const key = await receiptKeyring!.getKey(keyId)
    if (key === undefined) throw new KeyNotFoundError(keyId, 'receipt keyring')
    const signer = await createHmacSigner(key, 'auto')
    return `rcpt_${keyId}_${toBase64Url(await signer.sign(utf8(canonicalJson(body))))}`
  }

  const gather = async (request: SubjectRequest): Promise<AccessKind[]> => {
    const kinds = await source.listKinds(request.tenant, request.subjectId)
    const out: AccessKind[] = []
    for (const k of kinds) {
      out.push({ ...k, records: await source.read(request.tenant, request.subjectId, k.kind) })
    }
    return out
  }

  const dsr: SubjectRequests = {
    open(input) {
      const types: SubjectRequestType[] = ['access', 'portability', 'rectification', 'erasure']
      if (!types.includes(input?.type)) {
        throw new TypeError(`[@edusync/privacy-toolkit] open: type must be one of ${types.join(', ')}.`)
      }
      if (input.regime !== 'ferpa' && input.regime !== 'gdpr') {
        throw new TypeError(`[@edusync/privacy-toolkit] open: regime must be 'ferpa' or 'gdpr'.`)
      }
      for (const k of ['tenant', 'subjectId'] as const) {
        if (typeof input[k] !== 'string' || input[k].length === 0) {
          throw new TypeError(`[@edusync/privacy-toolkit] open: ${k} must be a non-empty string.`)
        }
      }
      const receivedAt = input.receivedAt ?? now()
      return Object.freeze({
        id: newId(),
        type: input.type,
        regime: input.regime,
        tenant: input.tenant,
        subjectId: input.subjectId,
        receivedAt,
        dueAt: computeDueDate(input.regime, receivedAt),
      })
    },

    async access(request) {
      checkRequest(request, 'access')
      return wrap(request, 'access', async () => {
        const kinds = await gather(request)
        const disclosures =
          ledger === undefined
            ? []
            : await ledger.query({ tenant: request.tenant, studentId: request.subjectId })
        const pseudonyms =
          reidentification === undefined
            ? []
            : await reidentification.listBySubject(request.tenant, request.subjectId)
        const flags = consent === undefined ? undefined : await consent.get(request.tenant, request.subjectId)
        return { request, generatedAt: now(), kinds, disclosures, pseudonyms, consent: flags }
      })
    },

    async portability(request) {
      checkRequest(request, 'access')
      const report = await dsr.access(request)
      const data = {
        format: 'edusync-subject-export/1',
        requestId: request.id,
        tenant: request.tenant,
        subjectId: request.subjectId,
        generatedAt: report.generatedAt.toISOString(),
        kinds: Object.fromEntries(
          report.kinds.map((k) => [
            k.kind,
            { origin: k.origin, records: k.records.map((r) => ({ id: r.id, ...r.data })) },
          ]),
        ),
        disclosures: report.disclosures,
        pseudonyms: report.pseudonyms,
        consent: report.consent,
      }
      const files: ExportFile[] = [
        { path: 'data.json', mediaType: 'application/json', content: `${canonicalJson(data)}\n` },
      ]
      const used = new Set<string>()
      const kinds: { kind: string; origin: string; count: number; csv: string }[] = []
      for (const k of report.kinds) {
        let name = safeName(k.kind)
        while (used.has(name)) name = `${name}_`
        used.add(name)
        const path = `csv/${name}.csv`
        files.push({ path, mediaType: 'text/csv', content: toCsv(k.records) })
        kinds.push({ kind: k.kind, origin: k.origin, count: k.records.length, csv: path })
      }
      const listed = []
      for (const f of files) {
        listed.push({ path: f.path, bytes: utf8(f.content).length, sha256: await sha256Hex(f.content) })
      }
      const manifest: ExportManifest = {
        format: 'edusync-subject-export/1',
        requestId: request.id,
        tenant: request.tenant,
        subjectId: request.subjectId,
        regime: request.regime,
        generatedAt: report.generatedAt.toISOString(),
        dueAt: request.dueAt.toISOString(),
        kinds,
        files: listed,
      }
      files.push({
        path: 'manifest.json',
        mediaType: 'application/json',
        content: `${JSON.stringify(manifest, null, 2)}\n`,
      })
      return { manifest, files }
    },

    async rectification(request, corrections) {
      checkRequest(request, 'rectification')
      if (!Array.isArray(corrections) || corrections.length === 0) {
        throw new TypeError(
          '[@edusync/privacy-toolkit] rectification: corrections must be a non-empty array.',
        )
      }
      return wrap(request, 'rectification', async () => {
        const kinds = await source.listKinds(request.tenant, request.subjectId)
        const byKind = new Map(kinds.map((k) => [k.kind, k]))
        const applied: { kind: string; recordId: string; fields: string[] }[] = []
        const notFound: { kind: string; recordId: string }[] = []
        const resync: { kind: string; recordId: string }[] = []
        const changedKinds = new Set<string>()
        for (const c of corrections) {
          const ok = await source.rectify(request.tenant, request.subjectId, c.kind, c.recordId, c.changes)
          if (!ok) {
            notFound.push({ kind: c.kind, recordId: c.recordId })
            continue
          }
          applied.push({ kind: c.kind, recordId: c.recordId, fields: Object.keys(c.changes).sort() })
          changedKinds.add(c.kind)
          if (byKind.get(c.kind)?.origin === 'mirror') resync.push({ kind: c.kind, recordId: c.recordId })
        }
        const rederive = kinds
          .filter(
            (k) =>
              k.origin === 'derived' &&
              !changedKinds.has(k.kind) &&
              changedKinds.size > 0 &&
              (k.derivedFrom === undefined || k.derivedFrom.some((d) => changedKinds.has(d))),
          )
          .map((k) => k.kind)
        return { request, applied, notFound, resync, rederive, completedAt: now() }
      })
    },

    async erasure(request, erasureOptions = {}) {
      checkRequest(request, 'erasure')
      if (tombstones === undefined || receiptKeyring === undefined) {
        throw new TypeError(
          '[@edusync/privacy-toolkit] erasure needs options.tombstones and options.receiptKeyring in createSubjectRequests().',
        )
      }
      const mode = erasureOptions.mode ?? 'delete'
      const scope = erasureOptions.scope ?? 'all'
      if (mode !== 'delete' && mode !== 'pseudonymise') {
        throw new TypeError(`[@edusync/privacy-toolkit] erasure: mode must be 'delete' or 'pseudonymise'.`)
      }
      if (scope !== 'all' && scope !== 'derived') {
        throw new TypeError(`[@edusync/privacy-toolkit] erasure: scope must be 'all' or 'derived'.`)
      }
      const { tenant, subjectId } = request
      return wrap(request, 'erasure', async () => {
        const studentHold = (await consent?.get(tenant, subjectId))?.legalHold ?? false
        const erased: { kind: string; count: number }[] = []
        const held: { kind: string; count: number }[] = []
        let tombstoneCount = 0
        const token = `anon_${toBase32(defaultRandomBytes(16))}`
        for (const kind of await source.listKinds(tenant, subjectId)) {
          if (scope === 'derived' && kind.origin !== 'derived') continue
          const records = await source.read(tenant, subjectId, kind.kind)
          let e = 0
          let h = 0
          for (const r of records) {
            if (studentHold || r.legalHold === true) {
              h++
              continue
            }
            const action =
              mode === 'delete'
                ? ({ type: 'delete' } as const)
                : ({
                    type: 'replace',
                    data: anonymise(r.data, subjectId, token, erasureOptions.piiFields?.[kind.kind] ?? []),
                  } as const)
            if (await source.erase(tenant, subjectId, kind.kind, r.id, action)) e++
          }
          if (e > 0) erased.push({ kind: kind.kind, count: e })
          if (h > 0) held.push({ kind: kind.kind, count: h })
          if (h === 0) {
            await tombstones.put({
              tenant,
              subjectId,
              kind: kind.kind,
              requestId: request.id,
              action: mode === 'delete' ? 'deleted' : 'pseudonymised',
              erasedAt: now(),
            })
            tombstoneCount++
          }
        }
        const pseudonymMappingsDeleted =
          held.length === 0 && reidentification !== undefined
            ? await reidentification.deleteBySubject(tenant, subjectId)
            : 0
        if (held.length === 0 && scope === 'all') {
          await tombstones.put({
            tenant,
            subjectId,
            kind: '*',
            requestId: request.id,
            action: mode === 'delete' ? 'deleted' : 'pseudonymised',
            erasedAt: now(),
          })
          tombstoneCount++
        }
        const completedAt = now()
        const keyId = receiptKeyring.primaryKeyId
        const body: Omit<ErasureReceipt, 'signature'> = {
          format: 'edusync-erasure-receipt/1',
          requestId: request.id,
          tenant,
          subjectId,
          regime: request.regime,
          receivedAt: request.receivedAt.toISOString(),
          dueAt: request.dueAt.toISOString(),
          completedAt: completedAt.toISOString(),
          onTime: completedAt.getTime() <= request.dueAt.getTime(),
          mode,
          erased,
          held,
          pseudonymMappingsDeleted,
          tombstones: tombstoneCount,
          keyId,
        }
        return Object.freeze({ ...body, signature: await sign(body, keyId) })
      })
    },

    async verifyReceipt(receipt) {
      if (receiptKeyring === undefined) {
        throw new TypeError('[@edusync/privacy-toolkit] verifyReceipt needs options.receiptKeyring.')
      }
      const m = /^rcpt_([a-z0-9]{1,16})_([A-Za-z0-9_-]+)$/.exec(String(receipt?.signature))
      if (m === null || fromBase64Url(m[2]!) === undefined || receipt.keyId !== m[1]) {
        throw new ReceiptError('the receipt has no valid signature field; it was not made by erasure().')
      }
      const { signature, ...body } = receipt
      const expected = await sign(body, m[1]!)
      if (!timingSafeEqualString(expected, signature)) {
        throw new ReceiptError(
          'the receipt signature does not match: the receipt was altered or signed with another key.',
        )
      }
      return true
    },
  }
  return Object.freeze(dsr)
}

/** @internal Irreversibly pseudonymise one record: subject id → token, PII fields removed. */
export function anonymise(
  data: DataRecord,
  subjectId: string,
  token: string,
  piiFields: readonly string[],
): DataRecord {
  const drop = new Set(piiFields)
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return v === subjectId ? token : v.split(subjectId).join(token)
    if (Array.isArray(v)) return v.map(visit)
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      const out: DataRecord = {}
      for (const [k, x] of Object.entries(v)) if (!drop.has(k)) out[k] = visit(x)
      return out
    }
    return v
  }
  return visit(data) as DataRecord
}
