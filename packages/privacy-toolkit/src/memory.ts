import type {
  ConsentFlags,
  ConsentStore,
  DataKeyStore,
  DataRecord,
  DisclosureEntry,
  DisclosureLedger,
  DisclosureQuery,
  EraseAction,
  ReidentificationEntry,
  ReidentificationStore,
  SubjectDataKind,
  SubjectDataSource,
  SubjectRecord,
  Tombstone,
  TombstoneStore,
  WrappedDataKey,
} from './stores.js'

const k = (...parts: string[]) => parts.map((p) => `${p.length}:${p}`).join('')

/** In-memory {@link DataKeyStore}: not durable; for tests and single-process deployments. */
export class MemoryDataKeyStore implements DataKeyStore {
  readonly #keys = new Map<string, WrappedDataKey>()
  async list(tenant: string): Promise<readonly WrappedDataKey[]> {
    return [...this.#keys.values()].filter((d) => d.tenant === tenant)
  }
  async get(tenant: string, id: string): Promise<WrappedDataKey | undefined> {
    return this.#keys.get(k(tenant, id))
  }
  async create(key: WrappedDataKey): Promise<boolean> {
    const id = k(key.tenant, key.id)
    if (this.#keys.has(id)) return false
    this.#keys.set(id, Object.freeze({ ...key }))
    return true
  }
  async rewrap(tenant: string, id: string, kekId: string, wrapped: string): Promise<boolean> {
    const current = this.#keys.get(k(tenant, id))
    if (current === undefined) return false
    this.#keys.set(k(tenant, id), Object.freeze({ ...current, kekId, wrapped }))
    return true
  }
}

/** In-memory {@link ReidentificationStore}. */
export class MemoryReidentificationStore implements ReidentificationStore {
  readonly #byPseudonym = new Map<string, ReidentificationEntry>()
  async put(entry: ReidentificationEntry): Promise<void> {
    if (!this.#byPseudonym.has(entry.pseudonym))
      this.#byPseudonym.set(entry.pseudonym, Object.freeze({ ...entry }))
  }
  async resolve(pseudonym: string): Promise<ReidentificationEntry | undefined> {
    return this.#byPseudonym.get(pseudonym)
  }
  async listBySubject(tenant: string, subjectId: string): Promise<readonly ReidentificationEntry[]> {
    return [...this.#byPseudonym.values()].filter((e) => e.tenant === tenant && e.subjectId === subjectId)
  }
  async deleteBySubject(tenant: string, subjectId: string): Promise<number> {
    let n = 0
    for (const [p, e] of this.#byPseudonym) {
      if (e.tenant === tenant && e.subjectId === subjectId) {
        this.#byPseudonym.delete(p)
        n++
      }
    }
    return n
  }
}

/** In-memory {@link DisclosureLedger}. */
export class MemoryDisclosureLedger implements DisclosureLedger {
  readonly #entries: DisclosureEntry[] = []
  async append(entry: DisclosureEntry): Promise<void> {
    this.#entries.push(
      Object.freeze({
        ...entry,
        fields: Object.freeze([...entry.fields]),
        withheld: Object.freeze([...entry.withheld]),
      }),
    )
  }
  async query(query: DisclosureQuery): Promise<readonly DisclosureEntry[]> {
    const from = query.from?.getTime() ?? Number.NEGATIVE_INFINITY
    const to = query.to?.getTime() ?? Number.POSITIVE_INFINITY
    return this.#entries
      .filter((e) => {
        const t = e.at.getTime()
        return e.tenant === query.tenant && e.studentId === query.studentId && t >= from && t < to
      })
      .sort((a, b) => a.at.getTime() - b.at.getTime())
  }
}

/** In-memory {@link TombstoneStore}. */
export class MemoryTombstoneStore implements TombstoneStore {
  readonly #items = new Map<string, Tombstone>()
  async put(tombstone: Tombstone): Promise<void> {
    const id = k(tombstone.tenant, tombstone.subjectId, tombstone.kind, tombstone.requestId)
    if (!this.#items.has(id)) this.#items.set(id, Object.freeze({ ...tombstone }))
  }
  async list(tenant: string, subjectId: string): Promise<readonly Tombstone[]> {
    return [...this.#items.values()]
      .filter((t) => t.tenant === tenant && t.subjectId === subjectId)
      .sort((a, b) => a.erasedAt.getTime() - b.erasedAt.getTime())
  }
  async isErased(tenant: string, subjectId: string, kind: string): Promise<boolean> {
    for (const t of this.#items.values()) {
      if (t.tenant === tenant && t.subjectId === subjectId && (t.kind === kind || t.kind === '*')) return true
    }
    return false
  }
}

/** In-memory {@link ConsentStore}. */
export class MemoryConsentStore implements ConsentStore {
  readonly #flags = new Map<string, ConsentFlags>()
  async get(tenant: string, studentId: string): Promise<ConsentFlags | undefined> {
    return this.#flags.get(k(tenant, studentId))
  }
  async set(tenant: string, studentId: string, flags: ConsentFlags): Promise<void> {
    this.#flags.set(
      k(tenant, studentId),
      Object.freeze({ ...flags, objectedPurposes: Object.freeze([...flags.objectedPurposes]) }),
    )
  }
}

/** Declaration of one kind held by a {@link MemorySubjectDataSource}. */
export interface MemoryKindDefinition {
  /** `mirror` (copy of ERPNext data) or `derived` (made by the AI layer). */
  readonly origin: 'mirror' | 'derived'
  /** The field of each record that holds the subject id. */
  readonly subjectField: string
  /** For derived kinds: the kinds it is computed from. */
  readonly derivedFrom?: readonly string[]
}

interface StoredRecord {
  tenant: string
  id: string
  data: DataRecord
  updatedAt: Date
  legalHold: boolean
}

/**
 * In-memory {@link SubjectDataSource}: declare kinds, add records, and let data-subject requests walk
 * them. Records are matched to a subject by their `subjectField`.
 *
 * @example
 * ```ts
 * const source = new MemorySubjectDataSource({
 *   Student: { origin: 'mirror', subjectField: 'name' },
 *   ai_insights: { origin: 'derived', subjectField: 'student', derivedFrom: ['Student'] },
 * })
 * source.add('school-a', 'Student', 'EDU-STU-0001', { name: 'EDU-STU-0001', first_name: 'Ada' })
 * ```
 */
export class MemorySubjectDataSource implements SubjectDataSource {
  readonly #kinds: ReadonlyMap<string, MemoryKindDefinition>
  readonly #records = new Map<string, Map<string, StoredRecord>>()
  readonly #now: () => Date

  constructor(kinds: Readonly<Record<string, MemoryKindDefinition>>, options?: { now?: () => Date }) {
    this.#kinds = new Map(Object.entries(kinds))
    for (const name of this.#kinds.keys()) this.#records.set(name, new Map())
    this.#now = options?.now ?? (() => new Date())
  }

  #table(kind: string): Map<string, StoredRecord> {
    const t = this.#records.get(kind)
    if (t === undefined) {
      throw new RangeError(`[@edusync/privacy-toolkit] MemorySubjectDataSource: unknown kind "${kind}".`)
    }
    return t
  }

  /** Add or replace a record. */
  add(tenant: string, kind: string, id: string, data: DataRecord, options?: { legalHold?: boolean }): void {
    this.#table(kind).set(k(tenant, id), {
      tenant,
      id,
      data: structuredClone(data),
      updatedAt: this.#now(),
      legalHold: options?.legalHold ?? false,
    })
  }

  /** A record's current data (a copy), or `undefined`. */
  get(tenant: string, kind: string, id: string): DataRecord | undefined {
    const r = this.#table(kind).get(k(tenant, id))
    return r === undefined ? undefined : structuredClone(r.data)
  }

  #mine(tenant: string, subjectId: string, kind: string): StoredRecord[] {
    const def = this.#kinds.get(kind)
    if (def === undefined) return []
    return [...this.#table(kind).values()].filter(
      (r) => r.tenant === tenant && r.data[def.subjectField] === subjectId,
    )
  }

  async listKinds(tenant: string, subjectId: string): Promise<readonly SubjectDataKind[]> {
    const out: SubjectDataKind[] = []
    for (const [kind, def] of this.#kinds) {
      const count = this.#mine(tenant, subjectId, kind).length
      if (count > 0) out.push({ kind, origin: def.origin, derivedFrom: def.derivedFrom, count })
    }
    return out
  }

  async read(tenant: string, subjectId: string, kind: string): Promise<readonly SubjectRecord[]> {
    return this.#mine(tenant, subjectId, kind).map((r) => ({
      id: r.id,
      data: structuredClone(r.data),
      updatedAt: r.updatedAt,
      legalHold: r.legalHold,
    }))
  }

  async rectify(
    tenant: string,
    subjectId: string,
    kind: string,
    recordId: string,
    changes: DataRecord,
  ): Promise<boolean> {
    const r = this.#mine(tenant, subjectId, kind).find((x) => x.id === recordId)
    if (r === undefined) return false
    r.data = { ...r.data, ...structuredClone(changes) }
    r.updatedAt = this.#now()
    return true
  }

  async erase(
    tenant: string,
    subjectId: string,
    kind: string,
    recordId: string,
    action: EraseAction,
  ): Promise<boolean> {
    const r = this.#mine(tenant, subjectId, kind).find((x) => x.id === recordId)
    if (r === undefined) return false
    if (action.type === 'delete') this.#table(kind).delete(k(tenant, recordId))
    else {
      r.data = structuredClone(action.data)
      r.updatedAt = this.#now()
    }
    return true
  }
}
