/**
 * Conformance cases for implementations of this package's storage interfaces. They are framework-free:
 * each case is a name and an async `run()` that throws on failure, so any test runner can loop them.
 * Every case uses its own random tenant, so a shared database needs no cleanup between cases.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest'
 * import { reidentificationStoreCases } from '@edusync/privacy-toolkit/testing'
 *
 * describe('PgReidentificationStore', () => {
 *   for (const c of reidentificationStoreCases(() => new PgReidentificationStore(pool))) it(c.name, c.run)
 * })
 * ```
 *
 * @module
 */
import type {
  ConsentStore,
  DataKeyStore,
  DisclosureEntry,
  DisclosureLedger,
  ReidentificationStore,
  TombstoneStore,
} from './stores.js'

/** One conformance case: run it in your test runner; it throws when the implementation misbehaves. */
export interface ConformanceCase {
  /** What the case checks. */
  readonly name: string
  /** Runs the case; rejects with an `Error` describing the first mismatch. */
  readonly run: () => Promise<void>
}

/** Builds a fresh store (or a handle onto a shared one) for one case. */
export type StoreFactory<S> = () => S | Promise<S>

class ConformanceFailure extends Error {
  override name = 'ConformanceFailure'
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(`[@edusync/privacy-toolkit/testing] ${message}`)
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const tenant = () => `conformance-${globalThis.crypto.randomUUID()}`
const at = (iso: string) => new Date(iso)

function cases<S>(
  prefix: string,
  make: StoreFactory<S>,
  list: [string, (s: S) => Promise<void>][],
): ConformanceCase[] {
  return list.map(([name, fn]) => ({ name: `${prefix}: ${name}`, run: async () => fn(await make()) }))
}

/** Cases for a {@link ReidentificationStore}. */
export function reidentificationStoreCases(make: StoreFactory<ReidentificationStore>): ConformanceCase[] {
  const entry = (t: string, pseudonym: string, subjectId: string, keyId = 'v1') => ({
    pseudonym,
    tenant: t,
    purpose: 'analytics',
    keyId,
    subjectId,
    createdAt: at('2026-01-01T00:00:00.000Z'),
  })
  return cases('ReidentificationStore', make, [
    [
      'resolves what was put, with every field intact',
      async (s) => {
        const t = tenant()
        const e = entry(t, `psn_v1_${t.slice(-12)}a`, 'S1')
        await s.put(e)
        const got = await s.resolve(e.pseudonym)
        check(got !== undefined, 'resolve() returned undefined for a pseudonym that was put')
        check(
          same(got, e) && got.createdAt.getTime() === e.createdAt.getTime(),
          'resolve() changed the entry',
        )
      },
    ],
    [
      'returns undefined for an unknown pseudonym',
      async (s) => {
        check(
          (await s.resolve(`psn_v1_unknown${tenant().slice(-12)}`)) === undefined,
          'unknown pseudonym resolved',
        )
      },
    ],
    [
      'put is idempotent',
      async (s) => {
        const t = tenant()
        const e = entry(t, `psn_v1_${t.slice(-12)}b`, 'S1')
        await s.put(e)
        await s.put(e)
        check(
          (await s.listBySubject(t, 'S1')).length === 1,
          'putting the same pseudonym twice made two entries',
        )
      },
    ],
    [
      'lists and deletes by subject within the tenant only',
      async (s) => {
        const t = tenant()
        const other = tenant()
        await s.put(entry(t, `psn_v1_${t.slice(-12)}c`, 'S1'))
        await s.put(entry(t, `psn_v2_${t.slice(-12)}d`, 'S1', 'v2'))
        await s.put(entry(t, `psn_v1_${t.slice(-12)}e`, 'S2'))
        await s.put(entry(other, `psn_v1_${other.slice(-12)}f`, 'S1'))
        check((await s.listBySubject(t, 'S1')).length === 2, 'listBySubject did not return both key versions')
        check((await s.deleteBySubject(t, 'S1')) === 2, 'deleteBySubject did not report 2 deletions')
        check((await s.listBySubject(t, 'S1')).length === 0, 'entries remain after deleteBySubject')
        check(
          (await s.resolve(`psn_v1_${t.slice(-12)}c`)) === undefined,
          'a deleted pseudonym still resolves',
        )
        check((await s.listBySubject(t, 'S2')).length === 1, 'deleteBySubject removed another subject')
        check((await s.listBySubject(other, 'S1')).length === 1, 'deleteBySubject crossed tenants')
      },
    ],
  ])
}

/** Cases for a {@link DisclosureLedger}. */
export function disclosureLedgerCases(make: StoreFactory<DisclosureLedger>): ConformanceCase[] {
  const entry = (t: string, id: string, studentId: string, iso: string): DisclosureEntry => ({
    id,
    tenant: t,
    studentId,
    doctype: 'Student',
    docname: studentId,
    purpose: 'tutoring_chat',
    recipient: 'ai-tutor',
    actor: 'job:test',
    legalBasis: 'legitimate educational interest',
    fields: [{ field: 'date_of_birth', strategy: 'generalise' }],
    withheld: ['student_email_id'],
    at: at(iso),
  })
  return cases('DisclosureLedger', make, [
    [
      'returns a student’s entries oldest first, intact',
      async (s) => {
        const t = tenant()
        const late = entry(t, 'd2', 'S1', '2026-03-02T00:00:00.000Z')
        const early = entry(t, 'd1', 'S1', '2026-03-01T00:00:00.000Z')
        await s.append(late)
        await s.append(early)
        await s.append(entry(t, 'd3', 'S2', '2026-03-01T00:00:00.000Z'))
        const got = await s.query({ tenant: t, studentId: 'S1' })
        check(
          same(
            got.map((e) => e.id),
            ['d1', 'd2'],
          ),
          'query did not return S1’s entries oldest first',
        )
        check(same(got[0], early), 'an entry changed in the ledger')
      },
    ],
    [
      'filters by [from, to)',
      async (s) => {
        const t = tenant()
        for (const [id, iso] of [
          ['a', '2026-03-01T00:00:00.000Z'],
          ['b', '2026-03-05T00:00:00.000Z'],
          ['c', '2026-03-09T00:00:00.000Z'],
        ] as const) {
          await s.append(entry(t, id, 'S1', iso))
        }
        const got = await s.query({
          tenant: t,
          studentId: 'S1',
          from: at('2026-03-05T00:00:00.000Z'),
          to: at('2026-03-09T00:00:00.000Z'),
        })
        check(
          same(
            got.map((e) => e.id),
            ['b'],
          ),
          '`from` must be inclusive and `to` exclusive',
        )
      },
    ],
    [
      'keeps tenants apart',
      async (s) => {
        const t = tenant()
        await s.append(entry(t, 'x', 'S1', '2026-03-01T00:00:00.000Z'))
        check((await s.query({ tenant: tenant(), studentId: 'S1' })).length === 0, 'query crossed tenants')
      },
    ],
  ])
}

/** Cases for a {@link TombstoneStore}. */
export function tombstoneStoreCases(make: StoreFactory<TombstoneStore>): ConformanceCase[] {
  const stone = (t: string, kind: string, requestId = 'dsr_1') => ({
    tenant: t,
    subjectId: 'S1',
    kind,
    requestId,
    action: 'deleted' as const,
    erasedAt: at('2026-03-01T00:00:00.000Z'),
  })
  return cases('TombstoneStore', make, [
    [
      'a kind tombstone erases that kind only',
      async (s) => {
        const t = tenant()
        await s.put(stone(t, 'ai_insights'))
        check(await s.isErased(t, 'S1', 'ai_insights'), 'isErased is false for a tombstoned kind')
        check(!(await s.isErased(t, 'S1', 'ai_chat_interactions')), 'isErased is true for another kind')
        check(!(await s.isErased(t, 'S2', 'ai_insights')), 'isErased is true for another subject')
        check(!(await s.isErased(tenant(), 'S1', 'ai_insights')), 'isErased crossed tenants')
      },
    ],
    [
      'a * tombstone erases every kind',
      async (s) => {
        const t = tenant()
        await s.put(stone(t, '*'))
        check(await s.isErased(t, 'S1', 'anything'), 'a * tombstone did not cover every kind')
      },
    ],
    [
      'put is idempotent and list returns the tombstones intact',
      async (s) => {
        const t = tenant()
        await s.put(stone(t, 'ai_insights'))
        await s.put(stone(t, 'ai_insights'))
        await s.put(stone(t, 'ai_insights', 'dsr_2'))
        const got = await s.list(t, 'S1')
        check(got.length === 2, 'the same tombstone put twice was stored twice, or a request was lost')
        check(
          same(
            got.find((x) => x.requestId === 'dsr_1'),
            stone(t, 'ai_insights'),
          ),
          'a tombstone changed',
        )
      },
    ],
  ])
}

/** Cases for a {@link ConsentStore}. */
export function consentStoreCases(make: StoreFactory<ConsentStore>): ConformanceCase[] {
  const flags = {
    directoryOptOut: true,
    restricted: false,
    objectedPurposes: ['analytics'],
    legalHold: true,
    updatedAt: at('2026-03-01T00:00:00.000Z'),
  }
  return cases('ConsentStore', make, [
    [
      'returns undefined for a student without flags',
      async (s) => {
        check((await s.get(tenant(), 'S1')) === undefined, 'get() invented flags')
      },
    ],
    [
      'set then get returns the flags intact; set replaces',
      async (s) => {
        const t = tenant()
        await s.set(t, 'S1', flags)
        check(same(await s.get(t, 'S1'), flags), 'get() did not return the flags that were set')
        const next = { ...flags, objectedPurposes: [], legalHold: false }
        await s.set(t, 'S1', next)
        check(same(await s.get(t, 'S1'), next), 'set() did not replace the flags')
        check((await s.get(tenant(), 'S1')) === undefined, 'flags crossed tenants')
      },
    ],
  ])
}

/** Cases for a {@link DataKeyStore}. */
export function dataKeyStoreCases(make: StoreFactory<DataKeyStore>): ConformanceCase[] {
  const key = (t: string, version: number, wrapped = 'd3JhcHBlZA') => ({
    tenant: t,
    id: `dk${version}`,
    version,
    kekId: 'v1',
    wrapped,
    createdAt: at('2026-03-01T00:00:00.000Z'),
  })
  return cases('DataKeyStore', make, [
    [
      'create is insert-if-absent',
      async (s) => {
        const t = tenant()
        check(await s.create(key(t, 1)), 'create() of a new key returned false')
        check(!(await s.create(key(t, 1, 'b3RoZXI'))), 'create() of an existing id returned true')
        check((await s.get(t, 'dk1'))?.wrapped === 'd3JhcHBlZA', 'a second create() overwrote the first key')
      },
    ],
    [
      'concurrent creates of one id: exactly one wins',
      async (s) => {
        const t = tenant()
        const results = await Promise.all([s.create(key(t, 1, 'YQ')), s.create(key(t, 1, 'Yg'))])
        check(results.filter(Boolean).length === 1, 'two concurrent create() calls both won (or both lost)')
      },
    ],
    [
      'rewrap replaces only kekId and wrapped',
      async (s) => {
        const t = tenant()
        await s.create(key(t, 1))
        check(await s.rewrap(t, 'dk1', 'v2', 'bmV3'), 'rewrap() of an existing key returned false')
        const got = await s.get(t, 'dk1')
        check(
          same(got, { ...key(t, 1), kekId: 'v2', wrapped: 'bmV3' }),
          'rewrap() changed more than kekId/wrapped',
        )
        check(!(await s.rewrap(t, 'dk9', 'v2', 'bmV3')), 'rewrap() of a missing key returned true')
      },
    ],
    [
      'lists a tenant’s keys only',
      async (s) => {
        const t = tenant()
        await s.create(key(t, 1))
        await s.create(key(t, 2))
        await s.create(key(tenant(), 1))
        check(
          same((await s.list(t)).map((k) => k.id).sort(), ['dk1', 'dk2']),
          'list() is wrong for the tenant',
        )
      },
    ],
  ])
}
