import { defaultRandomBytes } from './backend.js'
import { toBase32 } from './encoding.js'
import { ConsentRefusedError, DecryptionError, PolicyError } from './errors.js'
import type { FieldEncryptor } from './encryption.js'
import { isCiphertext } from './encryption.js'
import type { DoctypePolicy, NormalizedRule, Policy } from './policy.js'
import type { Pseudonymizer } from './pseudonym.js'
import type { ConsentFlags, ConsentStore, DataRecord, DisclosureEntry, DisclosureLedger } from './stores.js'

/** Why a field did not leave. */
export type RemovalReason =
  /** The policy drops it. */
  | 'policy'
  /** The policy does not list it and drops unlisted fields. */
  | 'unlisted'
  /** The student opted out of directory information (FERPA §99.37). */
  | 'directory_opt_out'
  /** It could not be generalised or masked (wrong type or shape), so it was dropped rather than passed. */
  | 'untransformable'
  /** A nested object or table without a `table` rule. */
  | 'nested'

/** Who receives a disclosure and why; passed to {@link PrivacyToolkit.applyPolicy}. */
export interface DisclosureContext {
  /** The tenant (school / ERPNext site). */
  readonly tenant: string
  /** The doctype of `doc`, e.g. `Student`. */
  readonly doctype: string
  /** Who receives the view (a system or party), e.g. `ai-tutor`. */
  readonly recipient: string
  /** The document name. @default doc.name */
  readonly docname?: string
  /** The student the document is about. @default doc[policy.doctypes[doctype].subjectField] */
  readonly studentId?: string
  /** Who or what causes the disclosure (user, job), for the ledger. */
  readonly actor?: string
  /** The legal basis or legitimate educational interest, for the ledger. */
  readonly legalBasis?: string
}

/** The outcome of {@link PrivacyToolkit.applyPolicy}. */
export interface PolicyResult<T extends DataRecord = DataRecord> {
  /** The safe view: only fields the policy lets out, transformed. */
  readonly view: { [K in keyof T]?: unknown }
  /** Fields that left, with the strategy applied (`guardians[].guardian` for table rows). */
  readonly disclosed: readonly { readonly field: string; readonly strategy: string }[]
  /** Fields that did not leave, with the reason. */
  readonly removed: readonly { readonly field: string; readonly reason: RemovalReason }[]
  /** The ledger entry written, or `undefined` when no student id is known or no ledger is configured. */
  readonly disclosure: DisclosureEntry | undefined
}

/** Where a document is stored, for {@link PrivacyToolkit.encryptFields}. */
export interface DocumentBinding {
  /** The tenant. */
  readonly tenant: string
  /** The doctype. */
  readonly doctype: string
  /** The document name. @default doc.name */
  readonly docname?: string
}

/** Options of {@link createPrivacyToolkit}. */
export interface PrivacyToolkitOptions {
  /** Makes pseudonyms and keyed hashes. Required when a policy uses `pseudonymise` or `hash`. */
  readonly pseudonymizer?: Pseudonymizer
  /** Encrypts fields. Required when a policy uses `encrypt`, and for encrypt/decryptFields. */
  readonly encryptor?: FieldEncryptor
  /** Per-student flags enforced by applyPolicy. @default none (no student has flags) */
  readonly consent?: ConsentStore
  /** Where disclosures are recorded. @default none */
  readonly ledger?: DisclosureLedger
  /** The clock. @default () => new Date() */
  readonly now?: () => Date
  /** Ledger entry ids. @default random 128-bit ids */
  readonly newId?: () => string
}

/** The policy engine: applyPolicy at the AI boundary, encrypt/decryptFields at rest. */
export interface PrivacyToolkit {
  /**
   * Filter one document through a policy for its purpose: enforce consent (restriction/objection →
   * {@link ConsentRefusedError}; directory opt-out → directory fields withheld), apply each field's
   * strategy, and record the disclosure in the ledger.
   *
   * @example
   * ```ts
   * const { view, removed } = await privacy.applyPolicy(student, tutoringChatPolicy(classification), {
   *   tenant: 'school-a', doctype: 'Student', recipient: 'ai-tutor',
   * })
   * ```
   */
  applyPolicy<T extends DataRecord>(
    doc: T,
    policy: Policy,
    context: DisclosureContext,
  ): Promise<PolicyResult<T>>
  /** Encrypt the fields a policy marks `encrypt`; everything else is returned as is. */
  encryptFields<T extends DataRecord>(doc: T, policy: Policy, binding: DocumentBinding): Promise<T>
  /**
   * Decrypt the fields a policy marks `encrypt`. A non-null value in such a field that is not a valid
   * ciphertext raises {@link DecryptionError}; nothing falls back to plaintext.
   */
  decryptFields<T extends DataRecord>(doc: T, policy: Policy, binding: DocumentBinding): Promise<T>
}

const NO_FLAGS: ConsentFlags = Object.freeze({
  directoryOptOut: false,
  restricted: false,
  objectedPurposes: Object.freeze([]),
  legalHold: false,
  updatedAt: new Date(0),
})

const BULLET = '•••'

/** @internal Mask a string; `undefined` when it cannot be masked. */
export function maskValue(value: unknown, style: 'auto' | 'email' | 'phone' | 'text'): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined
  const chosen =
    style !== 'auto'
      ? style
      : value.includes('@')
        ? 'email'
        : /^[+\d\s().-]{5,}$/.test(value)
          ? 'phone'
          : 'text'
  if (chosen === 'email') {
    const at = value.lastIndexOf('@')
    if (at < 1 || at === value.length - 1) return undefined
    return `${[...value][0]}${BULLET}${value.slice(at)}`
  }
  if (chosen === 'phone') {
    const digits = value.replace(/\D/g, '')
    if (digits.length < 5) return undefined
    return `${BULLET}${digits.slice(-2)}`
  }
  return `${[...value][0]}${BULLET}`
}

const DATE = /^(\d{4})-(\d{2})(?:-\d{2})?(?:[T ].*)?$/

/** @internal Generalise a value; `undefined` when it cannot be generalised. */
export function generaliseValue(
  value: unknown,
  rule: { to: 'year' | 'month' | 'city' | 'postcode_prefix'; from: string; digits: number },
  doc: DataRecord,
): string | undefined {
  if (rule.to === 'city') {
    const city = doc[rule.from]
    return typeof city === 'string' && city.length > 0 ? city : undefined
  }
  if (rule.to === 'postcode_prefix') {
    const s = typeof value === 'number' ? String(value) : value
    if (typeof s !== 'string') return undefined
    const compact = s.replace(/\s/g, '')
    return compact.length > rule.digits ? compact.slice(0, rule.digits) : undefined
  }
  const iso = value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : value
  if (typeof iso !== 'string') return undefined
  const m = DATE.exec(iso)
  if (m === null) return undefined
  return rule.to === 'year' ? m[1]! : `${m[1]}-${m[2]}`
}

/** The fields of `doc` whose rule (listed, or `otherFields`) is `encrypt`. */
/**
 * Await independent operations started together. Rejects, once all have settled, with the failure of
 * the first operation in input order, so the error a caller sees does not depend on which finished first
 * (and no rejection is left unhandled).
 */
async function settleInOrder<T>(pending: readonly Promise<T>[]): Promise<T[]> {
  try {
    return await Promise.all(pending)
  } catch {
    const settled = await Promise.allSettled(pending)
    const failed = settled.find((r) => r.status === 'rejected')
    throw failed!.reason
  }
}

function encryptedFields(dp: DoctypePolicy, doc: DataRecord): [string, NormalizedRule][] {
  const out: [string, NormalizedRule][] = []
  for (const field of Object.keys(doc)) {
    const rule = Object.hasOwn(dp.fields, field) ? dp.fields[field]! : dp.otherFields
    if (rule.strategy === 'encrypt') out.push([field, rule])
  }
  return out
}

const isPrimitive = (v: unknown) =>
  v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
const isPlainValue = (v: unknown) =>
  isPrimitive(v) || v instanceof Date || (Array.isArray(v) && v.every(isPrimitive))

/**
 * Create the policy engine.
 *
 * @example
 * ```ts
 * const privacy = createPrivacyToolkit({ pseudonymizer, encryptor, consent, ledger })
 * ```
 */
export function createPrivacyToolkit(options: PrivacyToolkitOptions = {}): PrivacyToolkit {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('[@edusync/privacy-toolkit] createPrivacyToolkit: options must be an object.')
  }
  for (const [name, method] of [
    ['pseudonymizer', 'pseudonymise'],
    ['encryptor', 'encrypt'],
    ['consent', 'get'],
    ['ledger', 'append'],
  ] as const) {
    const v = (options as Record<string, unknown>)[name]
    if (v !== undefined && typeof (v as Record<string, unknown>)[method] !== 'function') {
      throw new TypeError(
        `[@edusync/privacy-toolkit] createPrivacyToolkit: options.${name} has no ${method}() method.`,
      )
    }
  }
  const { pseudonymizer, encryptor, consent, ledger } = options
  const now = options.now ?? (() => new Date())
  const newId = options.newId ?? (() => `dsc_${toBase32(defaultRandomBytes(16))}`)

  const doctypePolicy = (policy: Policy, doctype: string): DoctypePolicy => {
    const dp = policy.doctypes[doctype]
    if (dp === undefined) {
      throw new PolicyError(
        `policy "${policy.name}" does not define doctype "${doctype}"; documents of doctypes a policy does not name are refused.`,
        { doctype },
      )
    }
    return dp
  }

  const requirePseudonymizer = (policy: Policy, doctype: string, field: string) => {
    if (pseudonymizer === undefined) {
      throw new PolicyError(
        `policy "${policy.name}" pseudonymises ${doctype}.${field} but the toolkit has no pseudonymizer; pass options.pseudonymizer.`,
        { doctype, field },
      )
    }
    return pseudonymizer
  }
  const requireEncryptor = (policy: Policy, doctype: string, field: string) => {
    if (encryptor === undefined) {
      throw new PolicyError(
        `policy "${policy.name}" encrypts ${doctype}.${field} but the toolkit has no encryptor; pass options.encryptor.`,
        { doctype, field },
      )
    }
    return encryptor
  }

  interface Walk {
    disclosed: { field: string; strategy: string }[]
    removed: { field: string; reason: RemovalReason }[]
    /**
     * Keyed operations (pseudonymise, hash, encrypt) started while walking the document: their results
     * go into `view[field]`, whose key was already placed so the view keeps the document's field order.
     */
    pending: { view: DataRecord; field: string; result: Promise<unknown> }[]
  }

  /**
   * Walk the document synchronously, deciding every field and starting its keyed operation, if any;
   * the operations of all fields (and table rows) then run concurrently, awaited by the caller. The
   * walk's lists do not depend on their results (they always yield a string), so they stay in document
   * order, and operations start in document order (so IVs are drawn in that order).
   */
  const filter = (
    doc: DataRecord,
    policy: Policy,
    doctype: string,
    docname: string,
    tenant: string,
    flags: ConsentFlags,
    walk: Walk,
    prefix: string,
  ): DataRecord => {
    const dp = doctypePolicy(policy, doctype)
    const view: DataRecord = {}
    for (const [field, value] of Object.entries(doc)) {
      if (value === undefined) continue
      const path = prefix + field
      const listed = Object.hasOwn(dp.fields, field)
      const rule: NormalizedRule = listed ? dp.fields[field]! : dp.otherFields
      if (rule.strategy === 'drop') {
        walk.removed.push({ field: path, reason: listed ? 'policy' : 'unlisted' })
        continue
      }
      if (flags.directoryOptOut && dp.directoryFields.has(field)) {
        walk.removed.push({ field: path, reason: 'directory_opt_out' })
        continue
      }
      if (rule.strategy === 'table') {
        if (!Array.isArray(value)) {
          walk.removed.push({ field: path, reason: 'untransformable' })
          continue
        }
        const rows: DataRecord[] = []
        for (const row of value) {
          if (typeof row !== 'object' || row === null || Array.isArray(row)) continue
          rows.push(
            filter(row as DataRecord, policy, rule.doctype, docname, tenant, flags, walk, `${path}[].`),
          )
        }
        view[field] = rows
        continue
      }
      if (!isPlainValue(value)) {
        walk.removed.push({ field: path, reason: 'nested' })
        continue
      }
      if (value === null) {
        view[field] = null
        walk.disclosed.push({ field: path, strategy: rule.strategy })
        continue
      }
      let out: unknown
      let later: Promise<unknown> | undefined
      switch (rule.strategy) {
        case 'keep':
          out = value instanceof Date ? value.toISOString() : value
          break
        case 'pseudonymise':
        case 'hash': {
          const pz = requirePseudonymizer(policy, doctype, field)
          const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
          if (s === undefined || s.length === 0) out = undefined
          else if (rule.strategy === 'pseudonymise')
            later = pz.pseudonymise(s, { tenant, purpose: policy.purpose })
          else later = pz.hash(s, { tenant, purpose: policy.purpose, field: `${doctype}.${field}` })
          break
        }
        case 'mask':
          out = maskValue(value, rule.style)
          break
        case 'generalise':
          out = generaliseValue(value, rule, doc)
          break
        case 'encrypt':
          if (docname.length === 0) {
            throw new TypeError(
              `[@edusync/privacy-toolkit] applyPolicy: ${doctype}.${field} is encrypted, which binds it to the document name; pass context.docname or a doc with a name.`,
            )
          }
          later = requireEncryptor(policy, doctype, field).encrypt(value, {
            tenant,
            doctype,
            docname,
            field,
          })
          break
      }
      if (later !== undefined) {
        view[field] = null
        walk.pending.push({ view, field, result: later })
        walk.disclosed.push({ field: path, strategy: rule.strategy })
        continue
      }
      if (out === undefined) {
        walk.removed.push({ field: path, reason: 'untransformable' })
        continue
      }
      view[field] = out
      walk.disclosed.push({ field: path, strategy: rule.strategy })
    }
    return view
  }

  const checkDoc = (doc: unknown, what: string) => {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new TypeError(`[@edusync/privacy-toolkit] ${what}: the document must be an object.`)
    }
  }
  const checkPolicy = (policy: Policy, what: string) => {
    if (
      typeof policy !== 'object' ||
      policy === null ||
      typeof policy.doctypes !== 'object' ||
      !Object.isFrozen(policy)
    ) {
      throw new PolicyError(`${what}: pass a policy built by definePolicy() or a default-policy builder.`)
    }
  }

  const toolkit: PrivacyToolkit = {
    async applyPolicy(doc, policy, context) {
      checkDoc(doc, 'applyPolicy')
      checkPolicy(policy, 'applyPolicy')
      for (const k of ['tenant', 'doctype', 'recipient'] as const) {
        if (typeof context?.[k] !== 'string' || context[k].length === 0) {
          throw new TypeError(
            `[@edusync/privacy-toolkit] applyPolicy: context.${k} must be a non-empty string.`,
          )
        }
      }
      const dp = doctypePolicy(policy, context.doctype)
      const subject = context.studentId ?? (dp.subjectField === undefined ? undefined : doc[dp.subjectField])
      const studentId = typeof subject === 'string' && subject.length > 0 ? subject : undefined
      const flags =
        (studentId !== undefined && consent !== undefined
          ? await consent.get(context.tenant, studentId)
          : undefined) ?? NO_FLAGS
      if (policy.ai && flags.restricted) throw new ConsentRefusedError('restricted', policy.purpose)
      if (
        policy.ai &&
        (flags.objectedPurposes.includes('*') || flags.objectedPurposes.includes(policy.purpose))
      ) {
        throw new ConsentRefusedError('objected', policy.purpose)
      }
      const docname = context.docname ?? (typeof doc['name'] === 'string' ? doc['name'] : '')
      const walk: Walk = { disclosed: [], removed: [], pending: [] }
      let view: DataRecord
      try {
        view = filter(doc, policy, context.doctype, docname, context.tenant, flags, walk, '')
      } catch (error) {
        // A later field was refused: the operations already started still finish, but must not
        // surface as unhandled rejections.
        for (const p of walk.pending) p.result.catch(() => undefined)
        throw error
      }
      const results = await settleInOrder(walk.pending.map((p) => p.result))
      for (let i = 0; i < results.length; i++) walk.pending[i]!.view[walk.pending[i]!.field] = results[i]
      let disclosure: DisclosureEntry | undefined
      if (ledger !== undefined && studentId !== undefined) {
        disclosure = Object.freeze({
          id: newId(),
          tenant: context.tenant,
          studentId,
          doctype: context.doctype,
          docname,
          purpose: policy.purpose,
          recipient: context.recipient,
          actor: context.actor,
          legalBasis: context.legalBasis,
          fields: walk.disclosed.map((d) => Object.freeze({ ...d })),
          withheld: walk.removed.map((r) => r.field),
          at: now(),
        })
        await ledger.append(disclosure)
      }
      return {
        view: view as PolicyResult<typeof doc>['view'],
        disclosed: walk.disclosed,
        removed: walk.removed,
        disclosure,
      }
    },

    async encryptFields(doc, policy, binding) {
      checkDoc(doc, 'encryptFields')
      checkPolicy(policy, 'encryptFields')
      const dp = doctypePolicy(policy, binding.doctype)
      const docname = binding.docname ?? (typeof doc['name'] === 'string' ? doc['name'] : undefined)
      if (docname === undefined || docname.length === 0) {
        throw new TypeError(
          '[@edusync/privacy-toolkit] encryptFields: binding.docname (or doc.name) is required.',
        )
      }
      if (binding.docname === undefined && encryptedFields(dp, doc).some(([f]) => f === 'name')) {
        throw new PolicyError(
          `policy "${policy.name}" encrypts ${binding.doctype}.name, which is the document name ciphertexts are bound to; keep it, or pass binding.docname.`,
          { doctype: binding.doctype, field: 'name' },
        )
      }
      // Checks first, then every field's encryption in flight at once (independent operations: on Web
      // Crypto they overlap in its thread pool instead of queueing behind one another).
      const fields: string[] = []
      for (const [field, rule] of encryptedFields(dp, doc)) {
        const value = doc[field]
        if (rule.strategy !== 'encrypt' || value === undefined || value === null) continue
        requireEncryptor(policy, binding.doctype, field)
        fields.push(field)
      }
      const sealed = await settleInOrder(
        fields.map((field) =>
          encryptor!.encrypt(doc[field], {
            tenant: binding.tenant,
            doctype: binding.doctype,
            docname,
            field,
          }),
        ),
      )
      const out: DataRecord = { ...doc }
      for (let i = 0; i < fields.length; i++) out[fields[i]!] = sealed[i]
      return out as typeof doc
    },

    async decryptFields(doc, policy, binding) {
      checkDoc(doc, 'decryptFields')
      checkPolicy(policy, 'decryptFields')
      const dp = doctypePolicy(policy, binding.doctype)
      const docname = binding.docname ?? (typeof doc['name'] === 'string' ? doc['name'] : undefined)
      if (docname === undefined || docname.length === 0) {
        throw new TypeError(
          '[@edusync/privacy-toolkit] decryptFields: binding.docname (or doc.name) is required.',
        )
      }
      // Checks first (nothing is decrypted when a field is not a ciphertext), then all fields at once.
      const fields: [string, string][] = []
      for (const [field, rule] of encryptedFields(dp, doc)) {
        const value = doc[field]
        if (rule.strategy !== 'encrypt' || value === undefined || value === null) continue
        const location = `${binding.doctype}.${field}`
        if (!isCiphertext(value)) {
          throw new DecryptionError(
            'format',
            `${location} should be encrypted but holds a value that is not a ciphertext; refusing to return it as plaintext.`,
            location,
          )
        }
        requireEncryptor(policy, binding.doctype, field)
        fields.push([field, value])
      }
      const opened = await settleInOrder(
        fields.map(([field, value]) =>
          encryptor!.decrypt(value, { tenant: binding.tenant, doctype: binding.doctype, docname, field }),
        ),
      )
      const out: DataRecord = { ...doc }
      for (let i = 0; i < fields.length; i++) out[fields[i]![0]] = opened[i]
      return out as typeof doc
    },
  }
  return Object.freeze(toolkit)
}
