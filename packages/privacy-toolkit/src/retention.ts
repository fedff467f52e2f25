import type { ConsentStore } from './stores.js'

/**
 * A retention rule for one data kind. `days` after the anchor, the record is due for purging:
 * - `from: 'created'` (default): `days` after `createdAt` (e.g. chat interactions, 365 days).
 * - `from: 'enrollment_end'`: kept while the student is enrolled, then `days` after
 *   `enrollmentEndedAt` (e.g. insights, while enrolled + 1 year).
 */
export interface RetentionRule {
  /** The data kind (table), e.g. `ai_chat_interactions`. */
  readonly kind: string
  /** Days to keep after the anchor. */
  readonly days: number
  /** The anchor. @default 'created' */
  readonly from?: 'created' | 'enrollment_end'
}

/** One record the inventory reports. Holds ids and dates only. */
export interface RetentionCandidate {
  /** The data kind. */
  readonly kind: string
  /** The record id. */
  readonly id: string
  /** The student it is about, when any (for legal-hold checks). */
  readonly subjectId?: string | undefined
  /** When the record was created. */
  readonly createdAt: Date
  /** When the student's enrollment ended; `null`/absent while enrolled. */
  readonly enrollmentEndedAt?: Date | null | undefined
  /** A legal hold on this record itself. */
  readonly legalHold?: boolean | undefined
}

/**
 * What the retention planner walks: the engine's store lists, per kind, the records created before a
 * cutoff (so a database can use an index).
 */
export interface RetentionInventory {
  /** Records of `kind` created strictly before `createdBefore`. */
  list(
    kind: string,
    createdBefore: Date,
  ): Promise<readonly RetentionCandidate[]> | AsyncIterable<RetentionCandidate>
}

/** One record due for purging. */
export interface RetentionPurge {
  /** The data kind. */
  readonly kind: string
  /** The record id. */
  readonly id: string
  /** The student it is about, when known. */
  readonly subjectId: string | undefined
  /** When it became due. */
  readonly dueAt: Date
  /** The rule, e.g. `ai_chat_interactions: 365 days after created`. */
  readonly rule: string
}

/** The plan: what to purge, what a legal hold keeps. The engine executes and logs it. */
export interface RetentionPlan {
  /** The `now` the plan was made for. */
  readonly now: Date
  /** Records to purge. */
  readonly purge: readonly RetentionPurge[]
  /** Records past retention but under a legal hold (record or student). */
  readonly held: readonly RetentionPurge[]
}

/** Options of {@link createRetentionPlanner}. */
export interface RetentionPlannerOptions {
  /** One rule per kind. */
  readonly rules: readonly RetentionRule[]
  /** Lists candidate records. */
  readonly inventory: RetentionInventory
  /** Student-level legal holds are read from here. @default none */
  readonly consent?: ConsentStore
  /** The tenant, for consent lookups. Required with `consent`. */
  readonly tenant?: string
}

/** Plans retention purges. */
export interface RetentionPlanner {
  /** The validated, frozen rules. */
  readonly rules: readonly RetentionRule[]
  /** What is due for purging at `now`. Does not delete anything. */
  planRetention(now: Date): Promise<RetentionPlan>
}

const DAY = 86_400_000

/**
 * Create a retention planner.
 *
 * @example
 * ```ts
 * const planner = createRetentionPlanner({
 *   rules: [
 *     { kind: 'ai_chat_interactions', days: 365 },
 *     { kind: 'ai_insights', days: 365, from: 'enrollment_end' },
 *   ],
 *   inventory: store.retentionInventory,
 * })
 * const plan = await planner.planRetention(new Date())
 * ```
 */
export function createRetentionPlanner(options: RetentionPlannerOptions): RetentionPlanner {
  if (!Array.isArray(options?.rules) || options.rules.length === 0) {
    throw new TypeError(
      '[@edusync/privacy-toolkit] createRetentionPlanner: options.rules must be a non-empty array.',
    )
  }
  if (typeof options.inventory?.list !== 'function') {
    throw new TypeError(
      '[@edusync/privacy-toolkit] createRetentionPlanner: options.inventory must have list().',
    )
  }
  if (options.consent !== undefined && (typeof options.tenant !== 'string' || options.tenant.length === 0)) {
    throw new TypeError(
      '[@edusync/privacy-toolkit] createRetentionPlanner: options.tenant is required with options.consent.',
    )
  }
  const seen = new Set<string>()
  const rules = options.rules.map((r, i) => {
    if (typeof r?.kind !== 'string' || r.kind.length === 0) {
      throw new TypeError(
        `[@edusync/privacy-toolkit] createRetentionPlanner: rules[${i}].kind must be a non-empty string.`,
      )
    }
    if (seen.has(r.kind)) {
      throw new TypeError(
        `[@edusync/privacy-toolkit] createRetentionPlanner: rules[${i}]: kind "${r.kind}" has two rules.`,
      )
    }
    seen.add(r.kind)
    if (!Number.isInteger(r.days) || r.days < 0) {
      throw new RangeError(
        `[@edusync/privacy-toolkit] createRetentionPlanner: rules[${i}].days must be an integer ≥ 0.`,
      )
    }
    const from = r.from ?? 'created'
    if (from !== 'created' && from !== 'enrollment_end') {
      throw new TypeError(
        `[@edusync/privacy-toolkit] createRetentionPlanner: rules[${i}].from must be 'created' or 'enrollment_end'.`,
      )
    }
    return Object.freeze({ kind: r.kind, days: r.days, from })
  })
  const { inventory, consent, tenant } = options

  return Object.freeze({
    rules: Object.freeze(rules),
    async planRetention(now: Date): Promise<RetentionPlan> {
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
        throw new TypeError('[@edusync/privacy-toolkit] planRetention: now must be a valid Date.')
      }
      const purge: RetentionPurge[] = []
      const held: RetentionPurge[] = []
      const holds = new Map<string, boolean>()
      const studentHold = async (id: string | undefined) => {
        if (id === undefined || consent === undefined) return false
        let h = holds.get(id)
        if (h === undefined) {
          h = (await consent.get(tenant!, id))?.legalHold ?? false
          holds.set(id, h)
        }
        return h
      }
      for (const rule of rules) {
        const label = `${rule.kind}: ${rule.days} days after ${rule.from === 'created' ? 'created' : 'enrollment ended'}`
        // Under the 'created' anchor only records older than the cutoff can be due; under 'enrollment_end' the
        // end date is not monotonic in creation, so every record created before now is a candidate.
        const cutoff = rule.from === 'created' ? new Date(now.getTime() - rule.days * DAY) : now
        const listed = inventory.list(rule.kind, cutoff)
        const iterable: Iterable<RetentionCandidate> | AsyncIterable<RetentionCandidate> =
          Symbol.asyncIterator in Object(listed)
            ? (listed as AsyncIterable<RetentionCandidate>)
            : await (listed as Promise<readonly RetentionCandidate[]>)
        for await (const c of iterable) {
          let anchor: Date | undefined
          if (rule.from === 'created') anchor = c.createdAt
          else if (c.enrollmentEndedAt instanceof Date) anchor = c.enrollmentEndedAt
          if (anchor === undefined) continue
          const dueAt = new Date(anchor.getTime() + rule.days * DAY)
          if (dueAt.getTime() > now.getTime()) continue
          const item: RetentionPurge = Object.freeze({
            kind: rule.kind,
            id: c.id,
            subjectId: c.subjectId,
            dueAt,
            rule: label,
          })
          if (c.legalHold === true || (await studentHold(c.subjectId))) held.push(item)
          else purge.push(item)
        }
      }
      return Object.freeze({ now, purge: Object.freeze(purge), held: Object.freeze(held) })
    },
  })
}
