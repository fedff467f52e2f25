/**
 * The `merge` strategy: a recursive three-way merge of JSON values.
 *
 * @module
 */

import { defineStrategy, type Strategy } from './strategy.js'
import { canonicalJson, isRecord, jsonEqual, jsonLike } from './values.js'

/** How two numbers that both sides changed are combined. */
export type NumberCombiner =
  | 'max'
  | 'min'
  /** Three-way sum of the deltas: `base + (ours - base) + (theirs - base)`, for counters. */
  | 'sum'
  | ((values: {
      readonly base: number | undefined
      readonly ours: number
      readonly theirs: number
    }) => number)

/** How two arrays that both sides changed are merged. */
export type ArrayMerge =
  /** As sets of values: additions from both sides kept, removals from either side applied. */
  | 'set'
  /** As lists of objects identified by a key property; items present on both sides merge recursively. */
  | { readonly key: string }

/** Options of {@link merge}. */
export interface MergeOptions<Name extends string = 'merge'> {
  /**
   * The strategy's name, so several configured merges can be told apart in decisions.
   * @default 'merge'
   */
  readonly name?: Name
  /**
   * How arrays are merged.
   * @default 'set'
   */
  readonly arrays?: ArrayMerge
  /**
   * Per-location array modes, by dotted path inside the field (`sessions`, `history.items`; inside the
   * items of a keyed array, `sessions[].events`).
   * @default {}
   */
  readonly arraysAt?: Readonly<Record<string, ArrayMerge>>
  /**
   * How numbers both sides changed are combined. Without it such numbers are a conflict (`onConflict`).
   * @default undefined
   */
  readonly numbers?: NumberCombiner
  /**
   * What happens when a value inside cannot be merged (two different strings, a key changed on one side
   * and deleted on the other): send the whole field to review, or prefer one side at that spot.
   * @default 'review'
   */
  readonly onConflict?: 'review' | 'ours' | 'theirs'
}

class Unmergeable {
  constructor(readonly at: string) {}
}

interface Config {
  readonly arrays: ArrayMerge
  readonly arraysAt: Readonly<Record<string, ArrayMerge>>
  readonly numbers: NumberCombiner | undefined
  readonly onConflict: 'review' | 'ours' | 'theirs'
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`)

function mergeValue(
  b: unknown,
  o: unknown,
  t: unknown,
  hasBase: boolean,
  path: string,
  cfg: Config,
): unknown {
  if (jsonEqual(o, t)) return o
  if (hasBase) {
    if (jsonEqual(b, o)) return t
    if (jsonEqual(b, t)) return o
  } else {
    // Without a base a value only one side has is an addition, not a conflict.
    if (o === undefined || o === null) return t
    if (t === undefined || t === null) return o
  }
  if (isRecord(o) && isRecord(t)) {
    const base = hasBase && isRecord(b) ? b : undefined
    const out: Record<string, unknown> = {}
    const keys = new Set([...Object.keys(o), ...Object.keys(t)])
    for (const key of [...keys].sort()) {
      const value = mergeValue(base?.[key], o[key], t[key], base !== undefined, join(path, key), cfg)
      if (value !== undefined) out[key] = value
    }
    return out
  }
  // Lists are merged item by item by their JSON form; a list holding anything else (a BigInt, a Map, a
  // class instance) is a conflict like any other.
  if (
    Array.isArray(o) &&
    Array.isArray(t) &&
    jsonLike(o) &&
    jsonLike(t) &&
    !(hasBase && Array.isArray(b) && !jsonLike(b))
  ) {
    const mode = cfg.arraysAt[path] ?? cfg.arrays
    const base = hasBase && Array.isArray(b) ? b : []
    return mode === 'set' ? mergeSets(base, o, t) : mergeKeyed(base, o, t, mode.key, path, cfg)
  }
  if (typeof o === 'number' && typeof t === 'number' && cfg.numbers !== undefined) {
    const bn = hasBase && typeof b === 'number' ? b : undefined
    switch (cfg.numbers) {
      case 'max':
        return Math.max(o, t)
      case 'min':
        return Math.min(o, t)
      case 'sum':
        return bn === undefined ? o + t : bn + (o - bn) + (t - bn)
      default:
        return cfg.numbers({ base: bn, ours: o, theirs: t })
    }
  }
  if (cfg.onConflict === 'ours') return o
  if (cfg.onConflict === 'theirs') return t
  throw new Unmergeable(path)
}

function byCanonical(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}

/** Base order for what both sides kept, then every addition in canonical order (so the result is symmetric). */
function mergeSets(base: readonly unknown[], o: readonly unknown[], t: readonly unknown[]): unknown[] {
  const inO = new Set(o.map(canonicalJson))
  const inT = new Set(t.map(canonicalJson))
  const inB = new Set<string>()
  const out: unknown[] = []
  for (const item of base) {
    const c = canonicalJson(item)
    if (inB.has(c)) continue
    inB.add(c)
    if (inO.has(c) && inT.has(c)) out.push(item)
  }
  const added = new Map<string, unknown>()
  for (const item of [...o, ...t]) {
    const c = canonicalJson(item)
    if (!inB.has(c) && !added.has(c)) added.set(c, item)
  }
  for (const [, item] of [...added].sort(byCanonical)) out.push(item)
  return out
}

function mergeKeyed(
  base: readonly unknown[],
  o: readonly unknown[],
  t: readonly unknown[],
  key: string,
  path: string,
  cfg: Config,
): unknown[] {
  const index = (list: readonly unknown[]) => {
    const keyed = new Map<string, unknown>()
    const loose: unknown[] = []
    for (const item of list) {
      if (isRecord(item) && item[key] !== undefined && item[key] !== null)
        keyed.set(canonicalJson(item[key]), item)
      else loose.push(item)
    }
    return { keyed, loose }
  }
  const B = index(base)
  const O = index(o)
  const T = index(t)
  const out: unknown[] = []
  const settle = (k: string) => {
    const bi = B.keyed.get(k)
    const oi = O.keyed.get(k)
    const ti = T.keyed.get(k)
    // `[]`, not the key's value, in the path: reasons reach the audit log and keys may be personal data.
    const value = mergeValue(bi, oi, ti, bi !== undefined, `${path}[]`, cfg)
    if (value !== undefined) out.push(value)
  }
  for (const k of B.keyed.keys()) settle(k)
  const added = new Set<string>()
  for (const k of [...O.keyed.keys(), ...T.keyed.keys()]) if (!B.keyed.has(k)) added.add(k)
  for (const k of [...added].sort()) settle(k)
  return [...out, ...mergeSets(B.loose, O.loose, T.loose)]
}

const ARRAY_MODE_ERROR = "must be 'set' or { key: '<property>' }"

function checkArrayMode(value: unknown, option: string): ArrayMerge {
  if (value === 'set') return 'set'
  if (isRecord(value) && typeof value.key === 'string' && value.key !== '')
    return Object.freeze({ key: value.key })
  throw new TypeError(`[@edusync/conflict-rules] merge(): option "${option}" ${ARRAY_MODE_ERROR}.`)
}

/**
 * A strategy that merges both sides' changes: objects key by key (recursively three-way against the
 * base), arrays as sets or by a key, numbers by a declared combiner. Whatever cannot be merged goes to
 * review (or to the side named by `onConflict`). Fields that are not JSON (two different strings) are
 * conflicts too.
 *
 * @example
 * const metrics = merge({ numbers: 'max', arraysAt: { sessions: { key: 'id' } } })
 * defineRules([{ doctype: 'Student', field: 'ai_engagement_metrics', strategy: metrics }])
 */
export function merge<const Name extends string = 'merge'>(options: MergeOptions<Name> = {}): Strategy<Name> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('[@edusync/conflict-rules] merge(): options must be an object.')
  }
  const arrays = checkArrayMode(options.arrays ?? 'set', 'arrays')
  const arraysAt: Record<string, ArrayMerge> = {}
  if (options.arraysAt !== undefined) {
    if (!isRecord(options.arraysAt)) {
      throw new TypeError(
        '[@edusync/conflict-rules] merge(): option "arraysAt" must be an object of path → mode.',
      )
    }
    for (const [at, mode] of Object.entries(options.arraysAt))
      arraysAt[at] = checkArrayMode(mode, `arraysAt.${at}`)
  }
  const numbers: NumberCombiner | undefined = options.numbers
  if (numbers !== undefined && typeof numbers !== 'function' && !['max', 'min', 'sum'].includes(numbers)) {
    throw new TypeError(
      `[@edusync/conflict-rules] merge(): option "numbers" must be 'max', 'min', 'sum' or a function; got ${JSON.stringify(numbers)}.`,
    )
  }
  const onConflict: 'review' | 'ours' | 'theirs' = options.onConflict ?? 'review'
  if (!['review', 'ours', 'theirs'].includes(onConflict)) {
    throw new TypeError(
      `[@edusync/conflict-rules] merge(): option "onConflict" must be 'review', 'ours' or 'theirs'; got ${JSON.stringify(onConflict)}.`,
    )
  }
  const cfg: Config = Object.freeze({ arrays, arraysAt: Object.freeze(arraysAt), numbers, onConflict })
  return defineStrategy({
    name: (options.name ?? 'merge') as Name,
    description: 'Both sides’ changes are merged field by field; what cannot be merged goes to review.',
    symmetric: onConflict === 'review' && typeof numbers !== 'function',
    resolve: ({ base, ours, theirs, hasBase }) => {
      try {
        return {
          winner: 'merged',
          value: mergeValue(base, ours, theirs, hasBase, '', cfg),
          reason: 'both sides’ changes were merged',
        }
      } catch (error) {
        if (!(error instanceof Unmergeable)) throw error
        return {
          winner: 'review',
          reason:
            error.at === ''
              ? 'both sides changed the value differently and it cannot be merged'
              : `both sides changed "${error.at}" differently`,
        }
      }
    },
  })
}
