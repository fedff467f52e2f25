const P = '[@edusync/webhook-verifier] '

/**
 * Where the verifier remembers which deliveries it has already accepted, so that a replayed or retried
 * delivery is rejected. ERPNext retries a delivery up to three times and sends no delivery id, so the id
 * is the payload's `event_id` (see the recommended template) or a hash of the body.
 *
 * Implementations must make {@link SeenStore.markSeen} an **atomic insert-if-absent with a TTL**: when
 * two workers receive the same id at the same moment, exactly one call may return `true`.
 * In SQL: `INSERT … ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE
 * <table>.expires_at <= now() RETURNING id` (a row back means "first seen"); in Redis:
 * `SET key 1 NX PX ttlMs` (`OK` means first seen).
 *
 * Contract:
 * - `markSeen(id, ttlMs)` returns `true` when `id` was not present (or its previous entry had expired) and
 *   records it until `now + ttlMs`; returns `false` while an unexpired entry exists, without extending it.
 * - `id` is an opaque string of at most a few hundred characters (not secret, no PII); store it as is or
 *   hash it. `ttlMs` is a positive integer number of milliseconds.
 * - `release(id)` (optional) deletes the entry. The framework adapters call it when your event handler
 *   throws, so that ERPNext's retry of that delivery is processed instead of being treated as a duplicate.
 * - Errors thrown (or rejected) by the store propagate to the caller unchanged; the adapters answer 500,
 *   which makes ERPNext retry.
 * - A store that is synchronous (returns plain booleans) also satisfies {@link SyncSeenStore} and can be
 *   used with the synchronous Node API (`verifySync`).
 */
export interface SeenStore {
  /** Atomically records `id` for `ttlMs` milliseconds; `true` if it was not already recorded. */
  markSeen(id: string, ttlMs: number): boolean | Promise<boolean>
  /** Forgets `id` (optional). Called when processing an accepted delivery failed. */
  release?(id: string): void | Promise<void>
}

/** A {@link SeenStore} that answers synchronously; required by the synchronous Node API. */
export interface SyncSeenStore extends SeenStore {
  markSeen(id: string, ttlMs: number): boolean
  release?(id: string): void
}

/** Options of {@link MemorySeenStore}. */
export interface MemorySeenStoreOptions {
  /**
   * Most ids kept; the least recently seen unexpired id is dropped beyond it. Size it above the number of
   * deliveries you receive within the dedupe window.
   * @default 10000
   */
  maxEntries?: number
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number
}

/**
 * In-process {@link SeenStore}: a least-recently-used map with a TTL per entry. Good for one process;
 * several instances behind a load balancer need a shared store (Redis/SQL) implementing {@link SeenStore}.
 * @example
 * const seen = new MemorySeenStore({ maxEntries: 50_000 })
 * const verifier = createERPNextVerifier({ secret, seen })
 */
export class MemorySeenStore implements SyncSeenStore {
  readonly #entries = new Map<string, number>()
  readonly #max: number
  readonly #now: () => number

  constructor(options: MemorySeenStoreOptions = {}) {
    const { maxEntries = 10_000, now = Date.now } = options
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`${P}maxEntries must be a positive integer, got ${String(maxEntries)}.`)
    }
    if (typeof now !== 'function')
      throw new TypeError(`${P}now must be a function returning epoch milliseconds.`)
    this.#max = maxEntries
    this.#now = now
  }

  /** Number of entries currently held (expired ones may linger until touched or evicted). */
  get size(): number {
    return this.#entries.size
  }

  markSeen(id: string, ttlMs: number): boolean {
    if (typeof id !== 'string') throw new TypeError(`${P}markSeen: id must be a string.`)
    if (!(ttlMs > 0)) throw new RangeError(`${P}markSeen: ttlMs must be a positive number.`)
    const now = this.#now()
    const expires = this.#entries.get(id)
    if (expires !== undefined && expires > now) {
      // Refresh recency without extending the TTL.
      this.#entries.delete(id)
      this.#entries.set(id, expires)
      return false
    }
    this.#entries.delete(id)
    this.#entries.set(id, now + ttlMs)
    for (const [oldest, exp] of this.#entries) {
      if (this.#entries.size <= this.#max && exp > now) break
      this.#entries.delete(oldest)
    }
    return true
  }

  release(id: string): void {
    this.#entries.delete(id)
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear()
  }
}
