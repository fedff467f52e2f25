/**
 * Three-way, field-level resolution of one document.
 *
 * @module
 */

import { defaultEducationRules } from './defaults.js'
import { InvalidDocumentError } from './errors.js'
import { isRuleSet, type RuleSet } from './rules.js'
import { type ConflictContext, runStrategy, type StrategyOutcome, type Winner } from './strategy.js'
import {
  type ChildTypes,
  describeKind,
  type FieldType,
  isRecord,
  JSON_TYPES,
  jsonTextMatches,
  looksLikeTable,
  type Normalized,
  normalizedEqual,
  normalizeValue,
  rowsEqual,
  SYSTEM_FIELDS,
  sameJsonText,
  valuesEqual,
} from './values.js'

/** A document as ERPNext (or the AI layer) holds it: field name → value, child tables as arrays of rows. */
export type Doc = Record<string, unknown>

/** The input of {@link resolve}. */
export interface ResolveInput<T extends Doc = Doc> {
  /** The last-synced snapshot; `undefined`/`null` on first sync (then every difference is a conflict). */
  readonly base?: Doc | null | undefined
  /**
   * The AI layer's version. Its keys are the fields the AI layer holds: a field it does not hold (for
   * example one removed by the privacy filter) is left alone, never treated as deleted.
   */
  readonly ours: Doc
  /** ERPNext's version (the system of record; its standard fields such as `modified` are kept). */
  readonly theirs: T
  /** The doctype, e.g. `Student`; rules are matched by it. */
  readonly doctype: string
  /**
   * The rules to apply.
   * @default defaultEducationRules
   */
  readonly rules?: RuleSet
  /**
   * The current time, passed to strategies and stamped on the resolution (inject it for determinism).
   * @default Date.now()
   */
  readonly now?: Date | number
  /**
   * Declared Frappe fieldtypes by path (`enabled: 'Check'`, `ai_learning_profile: 'JSON'`,
   * `guardians: 'Table'`, `guardians[].date_of_birth: 'Date'`). Undeclared fields are classified by
   * the shape of their values.
   * @default {}
   */
  readonly fieldTypes?: Readonly<Record<string, FieldType>>
  /**
   * Modification times for time-based strategies (`last_writer_wins`), as ERPNext datetimes
   * (`YYYY-MM-DD HH:MM:SS[.ffffff]`), when a document's own `modified` is not the right clock (say,
   * the AI layer records its writes elsewhere).
   * @default each document's `modified`
   */
  readonly modified?: { readonly ours?: string | undefined; readonly theirs?: string | undefined }
  /**
   * Child tables whose row order means something (a course's topic sequence, say). For these, a reorder
   * on one side is a change that survives, and both sides reordering differently is a conflict decided
   * by the `table[]` rule (its strategy sees the row-name sequences as values). Other tables ignore
   * row order and `idx`.
   * @default []
   */
  readonly orderedTables?: readonly string[]
  /**
   * The top-level fields to resolve. Other fields keep ERPNext's value and are never written. Listing a
   * field that `ours` lacks treats it as empty on the AI side.
   * @default the fields present in `ours` (the fields the AI layer holds), except the standard columns
   */
  readonly fields?: readonly string[]
}

/** Which side changed a field since the base (on first sync, `both`). */
export type ChangedBy = 'ours' | 'theirs' | 'both'

/** One decision about one field or child row. Holds no values, so it is safe for the audit log. */
export interface FieldDecision {
  /** `field`, `table[]` (a whole row) or `table[].field`. */
  readonly path: string
  /** The field name (the table field for rows). */
  readonly field: string
  /** The table field, for paths inside a child table. */
  readonly table: string | undefined
  /** The child row's `name`, for paths inside a child table (undefined for rows without a name yet). */
  readonly rowName: string | undefined
  /** `field` or `row`. */
  readonly kind: 'field' | 'row'
  /** For rows: what happened to the row (`reordered`: the order of an ordered table's rows). */
  readonly rowChange: 'added' | 'removed' | 'modified' | 'reordered' | undefined
  /** Who changed it since the base. */
  readonly changedBy: ChangedBy
  /** True when both sides changed it (a strategy decided) — false for one-sided changes. */
  readonly conflict: boolean
  /** The strategy's name; `no_conflict` for one-sided changes, `type_check` for unexpected value types. */
  readonly strategy: string
  /** The id of the rule that chose the strategy (`fallback` when none matched), for conflicts. */
  readonly rule: string | undefined
  /** Who won. */
  readonly winner: Winner
  /** A short, value-free phrase saying why. */
  readonly reason: string
}

/** A field (or row) left for a person. Holds the values — treat it as student data. */
export interface ReviewItem {
  /** The path, as in {@link FieldDecision.path}. */
  readonly path: string
  /** The field name. */
  readonly field: string
  /** The table field, for paths inside a child table. */
  readonly table: string | undefined
  /** The child row's `name`. */
  readonly rowName: string | undefined
  /** `field` or `row`. */
  readonly kind: 'field' | 'row'
  /** Whether there was a base value (false on first sync or for rows the base did not have). */
  readonly hasBase: boolean
  /** The last-synced value (raw). */
  readonly base: unknown
  /** The AI layer's value (raw). */
  readonly ours: unknown
  /** ERPNext's value (raw). */
  readonly theirs: unknown
  /** The strategy that sent it here (`manual_review`, `type_check`, `merge`, ...). */
  readonly strategy: string
  /** The rule id, when a rule was involved. */
  readonly rule: string | undefined
  /** Why, value-free. */
  readonly reason: string
}

/** What {@link resolve} returns. Plain, frozen data. */
export interface Resolution<T extends Doc = Doc> {
  /** The doctype resolved. */
  readonly doctype: string
  /** The document's `name` (from theirs, else ours), when present. */
  readonly docname: string | undefined
  /** `now` as an ISO string. */
  readonly resolvedAt: string
  /** `unchanged` (nothing to do), `resolved` (all settled), `needs_review` (some fields wait for a person). */
  readonly status: 'unchanged' | 'resolved' | 'needs_review'
  /**
   * The merged document, ERPNext-shaped (objects and arrays of JSON fields as JSON text). Fields in
   * review keep ERPNext's value; standard fields (`name`, `modified`, ...) are ERPNext's.
   */
  readonly merged: T
  /**
   * The snapshot to store as the next base: `merged`, except that fields in review keep their old base
   * value (omitted on first sync), so they are still conflicts on the next resolution.
   */
  readonly nextBase: T
  /** One decision per field or row that changed on either side. */
  readonly decisions: readonly FieldDecision[]
  /** The fields and rows waiting for a person, with both values and the base. */
  readonly review: readonly ReviewItem[]
  /**
   * Fields to write to ERPNext (changed values; a child table is sent whole, because ERPNext replaces
   * tables on update). Empty when nothing must change there. Send it with ERPNext's `modified`.
   */
  readonly writeToErpnext: Readonly<Record<string, unknown>>
  /** Fields to write to the AI layer. Fields in review are never included. */
  readonly writeToAi: Readonly<Record<string, unknown>>
  /** Whether each side needs a write. */
  readonly needsWrite: { readonly erpnext: boolean; readonly ai: boolean }
}

const NOTHING: unique symbol = Symbol('nothing')
type Maybe = unknown | typeof NOTHING

interface ReviewOp {
  /** Set for the row order of an ordered table; `base`/`ours` are then name sequences. */
  readonly order?: true
  readonly key: string
  readonly rowName: string | undefined
  /** Child field, for cells; undefined for whole rows and top-level fields. */
  readonly field: string | undefined
  readonly row: boolean
  readonly base: Maybe
  readonly ours: Maybe
}

interface Loc {
  readonly path: string
  readonly field: string
  readonly table: string | undefined
  readonly rowName: string | undefined
}

interface State {
  readonly doctype: string
  readonly docname: string | undefined
  readonly rules: RuleSet
  readonly now: number
  readonly modified: { readonly ours: string | undefined; readonly theirs: string | undefined }
  readonly fieldTypes: Readonly<Record<string, FieldType>> | undefined
  readonly orderedTables: ReadonlySet<string> | undefined
  readonly decisions: FieldDecision[]
  readonly review: ReviewItem[]
  readonly ops: ReviewOp[]
  /** The last-synced document, when there is one. */
  readonly base: Doc | undefined
  /** The merged document being built (a copy of theirs). */
  readonly merged: Doc
  /** Top-level fields to write to ERPNext / to the AI layer. */
  readonly toErp: string[]
  readonly toAi: string[]
}

const TABLE_TYPES = new Set(['Table', 'Table MultiSelect'])

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
}

function checkDoc(which: 'base' | 'ours' | 'theirs', value: unknown): asserts value is Doc {
  if (!isRecord(value)) throw new InvalidDocumentError(which, describe(value))
}

function stampOf(doc: Doc): string | undefined {
  const m = doc.modified
  return typeof m === 'string' && m !== '' ? m : undefined
}

/**
 * Put a value into the shape ERPNext keeps for a (non-table) field: objects and arrays as JSON text
 * (ERPNext's JSON fields hold text, and it rejects a list), booleans as 0/1 where ERPNext holds a Check,
 * `null` for absent.
 */
function shape(value: unknown, type: FieldType | undefined, theirs: unknown): unknown {
  if (value === undefined) return null
  if (typeof value === 'object' && value !== null) return jsonText(value) ?? value
  if (typeof value === 'boolean' && (type === 'Check' || typeof theirs === 'number')) return value ? 1 : 0
  return value
}

/** {@link shape} for ours' own value, reusing its serialisation when already made. */
function shapeOurs(o: unknown, oText: string | undefined, type: FieldType | undefined, t: unknown): unknown {
  return oText ?? shape(o, type, t)
}

function jsonText(value: object): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined // cycles or BigInt: not JSON, classified as invalid later
  }
}

function decide(
  st: State,
  loc: Loc,
  kind: 'field' | 'row',
  fields: Pick<FieldDecision, 'changedBy' | 'conflict' | 'strategy' | 'rule' | 'winner' | 'reason'> & {
    rowChange?: FieldDecision['rowChange']
  },
): void {
  st.decisions.push(
    Object.freeze({
      path: loc.path,
      field: loc.field,
      table: loc.table,
      rowName: loc.rowName,
      kind,
      rowChange: fields.rowChange,
      changedBy: fields.changedBy,
      conflict: fields.conflict,
      strategy: fields.strategy,
      rule: fields.rule,
      winner: fields.winner,
      reason: fields.reason,
    }),
  )
}

function sendToReview(
  st: State,
  loc: Loc,
  kind: 'field' | 'row',
  values: { hasBase: boolean; base: unknown; ours: unknown; theirs: unknown },
  strategy: string,
  rule: string | undefined,
  reason: string,
  op: ReviewOp,
): void {
  st.review.push(
    Object.freeze({
      path: loc.path,
      field: loc.field,
      table: loc.table,
      rowName: loc.rowName,
      kind,
      hasBase: values.hasBase,
      base: values.base,
      ours: values.ours,
      theirs: values.theirs,
      strategy,
      rule,
      reason,
    }),
  )
  st.ops.push(op)
}

function runRule(
  st: State,
  loc: Loc,
  kind: 'field' | 'row',
  hasBase: boolean,
  normalized: { base: unknown; ours: unknown; theirs: unknown },
  raw: { base: unknown; ours: unknown; theirs: unknown },
  type: FieldType | undefined,
): { outcome: StrategyOutcome; strategy: string; rule: string } {
  const match = st.rules.match(st.doctype, loc.path)
  const context: ConflictContext = {
    doctype: st.doctype,
    docname: st.docname,
    path: loc.path,
    kind,
    field: loc.field,
    table: loc.table,
    rowName: loc.rowName,
    hasBase,
    base: normalized.base,
    ours: normalized.ours,
    theirs: normalized.theirs,
    raw,
    fieldType: type,
    modified: st.modified,
    now: st.now,
    rule: match.ruleId,
  }
  return { outcome: runStrategy(match.strategy, context), strategy: match.strategy.name, rule: match.ruleId }
}

const KEEP = Symbol('keep')

/**
 * What settling a value produced: the value to place (or KEEP for ERPNext's) and whether each side must
 * be written. Knowing it here spares a second comparison pass (and a second JSON parse) per field.
 */
interface Settled {
  readonly value: unknown
  readonly toErp: boolean
  readonly toAi: boolean
}

const EQUAL: Settled = Object.freeze({ value: KEEP, toErp: false, toAi: false })
const THEIRS: Settled = Object.freeze({ value: KEEP, toErp: false, toAi: true })

function placed(value: unknown, toErp: boolean, toAi: boolean): Settled {
  return { value, toErp, toAi }
}

function fieldOp(loc: Loc, hasBase: boolean, b: unknown, o: unknown): ReviewOp {
  const inRow = loc.table !== undefined
  return {
    key: inRow ? loc.table : loc.field,
    rowName: loc.rowName,
    field: inRow ? loc.field : undefined,
    row: false,
    base: hasBase ? b : NOTHING,
    ours: o,
  }
}

/**
 * Settle one (non-table) value: `field` at the top level, or `field` of row `rowName` of `table`. The
 * location is only built once there is a decision to record (most values compared are equal).
 */
function settleField(
  st: State,
  field: string,
  table: string | undefined,
  rowName: string | undefined,
  b: unknown,
  o: unknown,
  t: unknown,
  type: FieldType | undefined,
  hasBase: boolean,
): Settled {
  if (o === t) return EQUAL
  // The AI layer usually holds JSON fields parsed, ERPNext as text: serialise ours once, and when it is
  // the very text ERPNext (or the base) holds, skip parsing that text.
  let oText: string | undefined
  if (
    typeof o === 'object' &&
    o !== null &&
    (type === undefined || JSON_TYPES.has(type)) &&
    !Array.isArray(t)
  ) {
    if (typeof t === 'string' && jsonTextMatches(t, o)) return EQUAL
    oText = jsonText(o)
    if (oText !== undefined && oText === t) return EQUAL
  } else if ((type === undefined || JSON_TYPES.has(type)) && sameJsonText(o, t)) return EQUAL
  const no = normalizeValue(o, type)
  const nt = normalizeValue(t, type)
  if (normalizedEqual(no, nt)) return EQUAL
  // ERPNext's or the AI layer's value is often still the base value itself: reuse its normalisation.
  const nb: Normalized | undefined = !hasBase
    ? undefined
    : b === t
      ? nt
      : b === o || (oText !== undefined && b === oText && no.kind === 'json')
        ? no
        : normalizeValue(b, type)
  const oursChanged = nb === undefined || !normalizedEqual(nb, no)
  const theirsChanged = nb === undefined || !normalizedEqual(nb, nt)
  const changedBy: ChangedBy = oursChanged && theirsChanged ? 'both' : oursChanged ? 'ours' : 'theirs'
  const loc: Loc = { path: table === undefined ? field : `${table}[].${field}`, field, table, rowName }

  const mismatch =
    no.kind === 'invalid' ||
    nt.kind === 'invalid' ||
    (no.kind !== 'empty' && nt.kind !== 'empty' && no.kind !== nt.kind)
  if (mismatch) {
    const reason = `unexpected value types: the AI layer has ${describeKind(o)}, ERPNext has ${describeKind(t)}${type ? ` for a ${type} field` : ''}`
    decide(st, loc, 'field', {
      changedBy,
      conflict: changedBy === 'both',
      strategy: 'type_check',
      rule: undefined,
      winner: 'review',
      reason,
    })
    sendToReview(
      st,
      loc,
      'field',
      { hasBase, base: b, ours: o, theirs: t },
      'type_check',
      undefined,
      reason,
      fieldOp(loc, hasBase, b, o),
    )
    return EQUAL
  }
  if (!oursChanged) {
    decide(st, loc, 'field', {
      changedBy,
      conflict: false,
      strategy: 'no_conflict',
      rule: undefined,
      winner: 'theirs',
      reason: 'only ERPNext changed it',
    })
    return THEIRS
  }
  if (!theirsChanged) {
    decide(st, loc, 'field', {
      changedBy,
      conflict: false,
      strategy: 'no_conflict',
      rule: undefined,
      winner: 'ours',
      reason: 'only the AI layer changed it',
    })
    return placed(shapeOurs(o, oText, type, t), true, false)
  }
  const { outcome, strategy, rule } = runRule(
    st,
    loc,
    'field',
    hasBase,
    { base: nb?.value ?? null, ours: no.value, theirs: nt.value },
    { base: b, ours: o, theirs: t },
    type,
  )
  const reason = outcome.reason ?? defaultReason(outcome.winner)
  decide(st, loc, 'field', { changedBy, conflict: true, strategy, rule, winner: outcome.winner, reason })
  switch (outcome.winner) {
    case 'ours':
      return placed(shapeOurs(o, oText, type, t), true, false)
    case 'theirs':
      return THEIRS
    case 'merged': {
      const value = shape(outcome.value, type, t)
      return placed(value, !valuesEqual(value, t, type), !valuesEqual(value, o, type))
    }
    default:
      sendToReview(
        st,
        loc,
        'field',
        { hasBase, base: b, ours: o, theirs: t },
        strategy,
        rule,
        reason,
        fieldOp(loc, hasBase, b, o),
      )
      return EQUAL
  }
}

function defaultReason(winner: Winner): string {
  switch (winner) {
    case 'ours':
      return "the strategy chose the AI layer's value"
    case 'theirs':
      return "the strategy chose ERPNext's value"
    case 'merged':
      return 'the strategy merged both values'
    default:
      return 'the strategy asked for a person to decide'
  }
}

type Row = Record<string, unknown>

function rowKey(row: Row): string | undefined {
  const n = row.name
  if (typeof n === 'string' && n !== '') return n
  if (typeof n === 'number') return String(n)
  return undefined
}

function childTypesOf(st: State, table: string): ChildTypes {
  const all = st.fieldTypes
  if (all === undefined) return undefined
  const prefix = `${table}[].`
  let out: Record<string, FieldType> | undefined
  for (const key in all) {
    if (key.startsWith(prefix)) (out ??= {})[key.slice(prefix.length)] = all[key]!
  }
  return out
}

interface Indexed {
  readonly names: string[]
  readonly rows: Row[]
  readonly unnamed: Row[]
  /** Row name → first position in `names`, for tables too long for a linear search. */
  readonly at: Map<string, number> | undefined
}

const EMPTY_INDEX: Indexed = Object.freeze({
  names: [],
  rows: [],
  unnamed: [],
  at: undefined,
}) as unknown as Indexed

/** Up to this many named rows a linear search beats building a Map. */
const LINEAR_ROWS = 16

/**
 * Index a child table by row name in one pass; `undefined` when the value is not an array of rows.
 * Child tables usually hold a handful of rows: parallel arrays with a linear search beat a Map there;
 * longer tables get a Map too, so matching rows stays linear in the table's length.
 */
function index(value: unknown): Indexed | undefined {
  if (value === undefined || value === null || value === '') return EMPTY_INDEX
  if (!Array.isArray(value)) return undefined
  const names: string[] = []
  const named: Row[] = []
  const unnamed: Row[] = []
  for (const row of value) {
    if (!isRecord(row)) return undefined
    const k = rowKey(row)
    if (k === undefined) unnamed.push(row)
    else {
      names.push(k)
      named.push(row)
    }
  }
  let at: Map<string, number> | undefined
  if (names.length > LINEAR_ROWS) {
    at = new Map()
    for (let i = 0; i < names.length; i++) if (!at.has(names[i]!)) at.set(names[i]!, i)
  }
  return { names, rows: named, unnamed, at }
}

/** Position of the first row named `name`, or -1. */
function position(indexed: Indexed, name: string): number {
  return indexed.at === undefined ? indexed.names.indexOf(name) : (indexed.at.get(name) ?? -1)
}

function lookup(indexed: Indexed, name: string): Row | undefined {
  const at = position(indexed, name)
  return at < 0 ? undefined : indexed.rows[at]
}

function settleCell(
  st: State,
  key: string,
  name: string,
  f: string,
  br: Row | undefined,
  or: Row,
  tr: Row,
  types: ChildTypes,
): Settled | undefined {
  if (SYSTEM_FIELDS.has(f)) return undefined
  const o = or[f]
  const t = tr[f]
  if (o === t) return undefined
  return settleField(st, f, key, name, br?.[f], o, t, types?.[f], br !== undefined)
}

/** Fast path for the common case: the same named rows, in the same order, with equal contents. */
function sameRowsInPlace(o: unknown, t: unknown, types: ChildTypes): boolean {
  if (!Array.isArray(o) || !Array.isArray(t) || o.length !== t.length) return false
  for (let i = 0; i < o.length; i++) {
    const a: unknown = o[i]
    const b: unknown = t[i]
    if (a === b && isRecord(a) && rowKey(a) !== undefined) continue
    if (!isRecord(a) || !isRecord(b)) return false
    const name = rowKey(a)
    if (name === undefined || name !== rowKey(b) || !rowsEqual(a, b, types)) return false
  }
  return true
}

/** Settle a child table row by row. */
function settleTable(st: State, key: string, b: unknown, o: unknown, t: unknown, hasBase: boolean): Settled {
  const types = childTypesOf(st, key)
  if (sameRowsInPlace(o, t, types)) return EQUAL
  const B = hasBase ? index(b) : EMPTY_INDEX
  const O = index(o)
  const T = index(t)
  const tableLoc: Loc = { path: key, field: key, table: undefined, rowName: undefined }
  if (B === undefined || O === undefined || T === undefined) {
    const reason = `unexpected value types: a child table must be an array of rows (the AI layer has ${describeKind(o)}, ERPNext has ${describeKind(t)})`
    decide(st, tableLoc, 'field', {
      changedBy: 'both',
      conflict: true,
      strategy: 'type_check',
      rule: undefined,
      winner: 'review',
      reason,
    })
    sendToReview(
      st,
      tableLoc,
      'field',
      { hasBase, base: b, ours: o, theirs: t },
      'type_check',
      undefined,
      reason,
      {
        key,
        rowName: undefined,
        field: undefined,
        row: false,
        base: hasBase ? b : NOTHING,
        ours: o,
      },
    )
    return EQUAL
  }
  const names: string[] = [...T.names]
  for (const k of O.names) if (position(T, k) < 0) names.push(k)
  const out: Row[] = []
  let toErp = false
  let toAi = false
  const rowPath = `${key}[]`
  for (const name of names) {
    const br = lookup(B, name)
    const or = lookup(O, name)
    const tr = lookup(T, name)
    const rowLoc: Loc = { path: rowPath, field: key, table: key, rowName: name }
    if (or !== undefined && tr !== undefined) {
      if (or === tr || rowsEqual(or, tr, types)) {
        out.push(tr)
        continue
      }
      let mergedRow: Row | undefined
      for (const f of cellNames(br, or, tr)) {
        const r = settleCell(st, key, name, f, br, or, tr, types)
        if (r === undefined) continue
        if (r.value !== KEEP) (mergedRow ??= { ...tr })[f] = r.value
        if (r.toErp) toErp = true
        if (r.toAi) toAi = true
      }
      out.push(mergedRow ?? tr)
      continue
    }
    const present = (or ?? tr)!
    const side: 'ours' | 'theirs' = or !== undefined ? 'ours' : 'theirs'
    const other: 'ours' | 'theirs' = side === 'ours' ? 'theirs' : 'ours'
    if (br !== undefined && rowsEqual(br, present, types)) {
      // The other side removed a row this side left alone: remove it here too.
      decide(st, rowLoc, 'row', {
        changedBy: other,
        conflict: false,
        strategy: 'no_conflict',
        rule: undefined,
        winner: other,
        reason: `only ${SIDE_LABEL[other]} changed it (removed the row)`,
        rowChange: 'removed',
      })
      if (side === 'theirs') toErp = true
      else toAi = true
      continue
    }
    if (br === undefined && hasBase) {
      decide(st, rowLoc, 'row', {
        changedBy: side,
        conflict: false,
        strategy: 'no_conflict',
        rule: undefined,
        winner: side,
        reason: `only ${SIDE_LABEL[side]} changed it (added the row)`,
        rowChange: 'added',
      })
      out.push(present)
      if (side === 'ours') toErp = true
      else toAi = true
      continue
    }
    // Modified on one side and removed on the other, or (first sync) present on one side only.
    const rowChange = br === undefined ? 'added' : 'modified'
    const { outcome, strategy, rule } = runRule(
      st,
      rowLoc,
      'row',
      br !== undefined,
      { base: br, ours: or, theirs: tr },
      { base: br, ours: or, theirs: tr },
      undefined,
    )
    const reason = outcome.reason ?? defaultReason(outcome.winner)
    decide(st, rowLoc, 'row', {
      changedBy: 'both',
      conflict: true,
      strategy,
      rule,
      winner: outcome.winner,
      reason,
      rowChange,
    })
    if (outcome.winner === 'ours') {
      if (or !== undefined) out.push(or)
      toErp = true
    } else if (outcome.winner === 'theirs') {
      if (tr !== undefined) out.push(tr)
      toAi = true
    } else if (outcome.winner === 'merged') {
      const value = outcome.value
      if (isRecord(value)) out.push(value)
      if (!(isRecord(value) && tr !== undefined && rowsEqual(value, tr, types)) && (isRecord(value) || tr))
        toErp = true
      if (!(isRecord(value) && or !== undefined && rowsEqual(value, or, types)) && (isRecord(value) || or))
        toAi = true
    } else {
      if (tr !== undefined) out.push(tr)
      sendToReview(
        st,
        rowLoc,
        'row',
        { hasBase: br !== undefined, base: br, ours: or, theirs: tr },
        strategy,
        rule,
        reason,
        { key, rowName: name, field: undefined, row: true, base: br ?? NOTHING, ours: or ?? NOTHING },
      )
    }
  }
  if (st.orderedTables?.has(key)) {
    const ordered = orderRows(st, key, out, B, O, T, hasBase)
    out.length = 0
    out.push(...ordered.rows)
    if (ordered.toErp) toErp = true
    if (ordered.toAi) toAi = true
  }
  // Rows without a name are new rows (ERPNext names rows on insert): additions, except that a new row
  // both sides already hold (equal contents) is one row, not two.
  const theirsNew = [...T.unnamed]
  const oursNew: Row[] = []
  for (const row of O.unnamed) {
    const same = theirsNew.findIndex((other) => rowsEqual(row, other, types))
    if (same < 0) oursNew.push(row)
    else out.push(...theirsNew.splice(same, 1))
  }
  for (const [side, rows] of [
    ['ours', oursNew],
    ['theirs', theirsNew],
  ] as const) {
    for (const row of rows) {
      decide(st, { path: rowPath, field: key, table: key, rowName: undefined }, 'row', {
        changedBy: side,
        conflict: false,
        strategy: 'no_conflict',
        rule: undefined,
        winner: side,
        reason: `only ${SIDE_LABEL[side]} changed it (added a new row)`,
        rowChange: 'added',
      })
      out.push(row)
      if (side === 'ours') toErp = true
      else toAi = true
    }
  }
  // Nothing differs from ERPNext: keep its array as it is (same rows, same order).
  return toErp ? placed(out, true, toAi) : toAi ? THEIRS : EQUAL
}

const SIDE_LABEL = { ours: 'the AI layer', theirs: 'ERPNext' } as const

function sameSequence(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Order the merged rows of an ordered table: settle the sequence of the rows both sides hold (one-sided
 * reorder wins, two different reorders go to the `table[]` rule), then put every added row after the
 * row that precedes it on the side that added it.
 */
function orderRows(
  st: State,
  key: string,
  out: readonly Row[],
  B: Indexed,
  O: Indexed,
  T: Indexed,
  hasBase: boolean,
): { rows: Row[]; toErp: boolean; toAi: boolean } {
  const byName = new Map<string, Row>()
  for (const row of out) byName.set(rowKey(row)!, row)
  const common = new Set(T.names.filter((n) => byName.has(n) && O.names.includes(n)))
  const seq = (names: readonly string[]) => names.filter((n) => common.has(n))
  const oSeq = seq(O.names)
  const tSeq = seq(T.names)
  const bSeq = seq(B.names)
  const baseKnown = hasBase && bSeq.length === common.size
  const loc: Loc = { path: `${key}[]`, field: key, table: key, rowName: undefined }
  let win = tSeq
  let reviewOrder = false
  if (!sameSequence(oSeq, tSeq)) {
    if (baseKnown && sameSequence(tSeq, bSeq)) {
      win = oSeq
      decide(st, loc, 'row', {
        changedBy: 'ours',
        conflict: false,
        strategy: 'no_conflict',
        rule: undefined,
        winner: 'ours',
        reason: 'only the AI layer changed it (reordered the rows)',
        rowChange: 'reordered',
      })
    } else if (baseKnown && sameSequence(oSeq, bSeq)) {
      decide(st, loc, 'row', {
        changedBy: 'theirs',
        conflict: false,
        strategy: 'no_conflict',
        rule: undefined,
        winner: 'theirs',
        reason: 'only ERPNext changed it (reordered the rows)',
        rowChange: 'reordered',
      })
    } else {
      const values = { base: baseKnown ? bSeq : undefined, ours: oSeq, theirs: tSeq }
      const { outcome, strategy, rule } = runRule(st, loc, 'row', baseKnown, values, values, undefined)
      let winner = outcome.winner
      if (winner === 'ours') win = oSeq
      else if (winner === 'merged') {
        const v = outcome.winner === 'merged' ? outcome.value : undefined
        const isPermutation =
          Array.isArray(v) &&
          v.length === common.size &&
          new Set(v).size === v.length &&
          v.every((n) => common.has(n as string))
        if (isPermutation) win = v as string[]
        else winner = 'review'
      }
      const reason =
        winner === outcome.winner
          ? (outcome.reason ?? defaultReason(winner))
          : 'the merged order is not an order of the same rows'
      decide(st, loc, 'row', {
        changedBy: 'both',
        conflict: true,
        strategy,
        rule,
        winner,
        reason,
        rowChange: 'reordered',
      })
      if (winner === 'review') {
        reviewOrder = true
        st.ops.push({
          order: true,
          key,
          rowName: undefined,
          field: undefined,
          row: true,
          base: values.base ?? NOTHING,
          ours: oSeq,
        })
        st.review.push(
          Object.freeze({
            path: loc.path,
            field: key,
            table: key,
            rowName: undefined,
            kind: 'row',
            hasBase: baseKnown,
            base: values.base,
            ours: oSeq,
            theirs: tSeq,
            strategy,
            rule,
            reason,
          }),
        )
      }
    }
  }
  // Added rows go after their predecessor (among the common rows) on the side that holds them.
  const after = new Map<string | undefined, Row[]>()
  const place = (row: Row) => {
    const name = rowKey(row)!
    const side = T.names.includes(name) ? T.names : O.names
    let before: string | undefined
    for (const n of side) {
      if (n === name) break
      if (common.has(n)) before = n
    }
    const list = after.get(before)
    if (list) list.push(row)
    else after.set(before, [row])
  }
  for (const row of out) if (!common.has(rowKey(row)!)) place(row)
  const rows: Row[] = [...(after.get(undefined) ?? [])]
  for (const n of win) rows.push(byName.get(n)!, ...(after.get(n) ?? []))
  const finalNames = rows.map((r) => rowKey(r)!)
  const inFinal = new Set(finalNames)
  const orderOf = (names: readonly string[]) => {
    const held = new Set(names)
    return { final: finalNames.filter((n) => held.has(n)), side: names.filter((n) => inFinal.has(n)) }
  }
  const t = orderOf(T.names)
  const o = orderOf(O.names)
  return {
    rows,
    toErp: !sameSequence(t.final, t.side),
    // An order waiting for review is not pushed to the AI layer either.
    toAi: !reviewOrder && !sameSequence(o.final, o.side),
  }
}

function cellNames(br: Row | undefined, or: Row, tr: Row): string[] {
  const names: string[] = []
  for (const f in tr) names.push(f)
  for (const f in or) if (!(f in tr)) names.push(f)
  if (br !== undefined) for (const f in br) if (!(f in tr) && !(f in or)) names.push(f)
  return names
}

function isTableField(type: FieldType | undefined, b: unknown, o: unknown, t: unknown): boolean {
  if (type !== undefined) return TABLE_TYPES.has(type)
  return looksLikeTable(t) || looksLikeTable(o) || looksLikeTable(b)
}

/** Apply review reverts: pick `base` (next base) or `ours` (the AI view) for reviewed spots. */
function applyOps(merged: Doc, ops: readonly ReviewOp[], pick: 'base' | 'ours'): Doc {
  if (ops.length === 0) return merged
  const doc: Doc = { ...merged }
  const cloned = new Set<string>()
  const tableOf = (key: string): Row[] => {
    if (!cloned.has(key)) {
      cloned.add(key)
      doc[key] = Array.isArray(doc[key]) ? [...(doc[key] as Row[])] : []
    }
    return doc[key] as Row[]
  }
  for (const op of ops) {
    const value = op[pick]
    if (op.order) {
      if (!Array.isArray(value)) continue
      const rows = tableOf(op.key)
      const rank = new Map((value as string[]).map((n, i) => [n, i]))
      const position = (r: Row) => rank.get(rowKey(r) ?? '') ?? Number.MAX_SAFE_INTEGER
      const sorted = [...rows].sort((a, b) => position(a) - position(b))
      rows.splice(0, rows.length, ...sorted)
      continue
    }
    if (op.rowName === undefined) {
      if (value === NOTHING || value === undefined) delete doc[op.key]
      else doc[op.key] = value
      continue
    }
    const rows = tableOf(op.key)
    const at = rows.findIndex((r) => isRecord(r) && rowKey(r) === op.rowName)
    if (op.row) {
      if (value === NOTHING || !isRecord(value)) {
        if (at >= 0) rows.splice(at, 1)
      } else if (at >= 0) rows[at] = value
      else rows.push(value)
      continue
    }
    if (at < 0) continue
    const row = { ...rows[at]! }
    if (value === NOTHING || value === undefined) delete row[op.field!]
    else row[op.field!] = value
    rows[at] = row
  }
  return doc
}

// Frozen values shared by every resolution that has them (freezing is a measurable part of a call).
const NO_ITEMS: readonly never[] = Object.freeze([])
const NO_WRITES: Readonly<Record<string, unknown>> = Object.freeze({})
const NEEDS_WRITE = [
  [Object.freeze({ erpnext: false, ai: false }), Object.freeze({ erpnext: false, ai: true })],
  [Object.freeze({ erpnext: true, ai: false }), Object.freeze({ erpnext: true, ai: true })],
] as const

function frozenList<T>(items: T[]): readonly T[] {
  return items.length === 0 ? NO_ITEMS : Object.freeze(items)
}

// Many resolutions of a batch share one `now`; formatting a date is a measurable part of a resolution.
let lastNow = Number.NaN
let lastIso = ''
function isoOf(now: number): string {
  if (now !== lastNow) {
    lastIso = new Date(now).toISOString()
    lastNow = now
  }
  return lastIso
}

function toMillis(now: Date | number | undefined): number {
  if (now === undefined) return Date.now()
  const ms = now instanceof Date ? now.getTime() : now
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(
      '[@edusync/conflict-rules] resolve(): "now" must be a valid Date or epoch milliseconds.',
    )
  }
  return ms
}

/** Settle one top-level field whose two values are not the same value. */
function settleKey(st: State, key: string, o: unknown, t: unknown): void {
  const hasBase = st.base !== undefined
  const b = hasBase ? st.base[key] : undefined
  const type = st.fieldTypes?.[key]
  const settled = isTableField(type, b, o, t)
    ? settleTable(st, key, b, o, t, hasBase)
    : settleField(st, key, undefined, undefined, b, o, t, type, hasBase)
  if (settled.value !== KEEP) st.merged[key] = settled.value
  if (settled.toErp) st.toErp.push(key)
  if (settled.toAi) st.toAi.push(key)
}

/**
 * Resolve one document three ways, field by field. Fields only one side changed since `base` take that
 * side's value; fields both changed (true conflicts) are settled by the rule set; values of unexpected
 * types go to review. ERPNext's value quirks (Check 0/1, `100.0`, unpadded times, microseconds, JSON
 * text, child-row order and `idx`) never count as changes.
 *
 * @example
 * const r = resolve({ base, ours: aiStudent, theirs: erpStudent, doctype: 'Student', rules: defaultEducationRules, now: Date.now() })
 * if (r.needsWrite.erpnext) await client.update('Student', r.docname, { ...r.writeToErpnext, modified: erpStudent.modified })
 * for (const item of r.review) await queue.add(item)
 */
export function resolve<T extends Doc>(input: ResolveInput<T>): Resolution<T> {
  if (!isRecord(input))
    throw new TypeError(
      '[@edusync/conflict-rules] resolve(): expected an object { base, ours, theirs, doctype, rules, now }.',
    )
  const { base, ours, theirs, doctype, fieldTypes, fields, orderedTables } = input
  if (typeof doctype !== 'string' || doctype.trim() === '') {
    throw new TypeError(
      '[@edusync/conflict-rules] resolve(): "doctype" must be a non-empty string such as "Student".',
    )
  }
  checkDoc('ours', ours)
  checkDoc('theirs', theirs)
  const hasBase = base !== undefined && base !== null
  if (hasBase) checkDoc('base', base)
  const rules = input.rules ?? defaultEducationRules
  if (!isRuleSet(rules)) {
    throw new TypeError(
      '[@edusync/conflict-rules] resolve(): "rules" must be a rule set built with defineRules().',
    )
  }
  if (fieldTypes !== undefined && !isRecord(fieldTypes)) {
    throw new TypeError(
      '[@edusync/conflict-rules] resolve(): "fieldTypes" must be an object of path → Frappe fieldtype.',
    )
  }
  if (fields !== undefined && (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string'))) {
    throw new TypeError('[@edusync/conflict-rules] resolve(): "fields" must be an array of field names.')
  }
  if (
    orderedTables !== undefined &&
    (!Array.isArray(orderedTables) || !orderedTables.every((f) => typeof f === 'string'))
  ) {
    throw new TypeError(
      '[@edusync/conflict-rules] resolve(): "orderedTables" must be an array of table field names.',
    )
  }
  const stamps = input.modified
  if (
    stamps !== undefined &&
    (!isRecord(stamps) ||
      (stamps.ours !== undefined && typeof stamps.ours !== 'string') ||
      (stamps.theirs !== undefined && typeof stamps.theirs !== 'string'))
  ) {
    throw new TypeError(
      '[@edusync/conflict-rules] resolve(): "modified" must be { ours?: string, theirs?: string }.',
    )
  }
  const now = toMillis(input.now)
  const nameValue = theirs.name ?? ours.name
  const merged: Doc = { ...theirs }
  const st: State = {
    doctype,
    docname: typeof nameValue === 'string' || typeof nameValue === 'number' ? String(nameValue) : undefined,
    rules,
    now,
    modified: {
      ours: input.modified?.ours ?? stampOf(ours),
      theirs: input.modified?.theirs ?? stampOf(theirs),
    },
    fieldTypes,
    orderedTables: orderedTables && orderedTables.length > 0 ? new Set(orderedTables) : undefined,
    decisions: [],
    review: [],
    ops: [],
    base: hasBase ? base : undefined,
    merged,
    toErp: [],
    toAi: [],
  }
  // The AI layer's document lists the fields it holds (privacy filtering removes the rest): a field
  // missing from `ours` is not held, so it is neither compared nor written. Absent in theirs = null.
  // Most fields hold the very same value on both sides, so that is tested first, in the loop itself;
  // `for…in` reads `ours` through its enumeration cache (no key array, no keyed lookup per field).
  if (fields === undefined) {
    for (const key in ours) {
      const o = ours[key]
      const t = theirs[key]
      if (o !== t && !SYSTEM_FIELDS.has(key) && Object.hasOwn(ours, key)) settleKey(st, key, o, t)
    }
  } else {
    for (const key of fields) {
      const o = ours[key]
      const t = theirs[key]
      if (o !== t && !SYSTEM_FIELDS.has(key)) settleKey(st, key, o, t)
    }
  }
  const { toErp, toAi } = st
  const aiView = applyOps(merged, st.ops, 'ours')
  const nextBase = applyOps(merged, st.ops, 'base')
  const writeToErpnext: Record<string, unknown> = {}
  for (const key of toErp) writeToErpnext[key] = merged[key] ?? null
  const writeToAi: Record<string, unknown> = {}
  for (const key of toAi) writeToAi[key] = aiView[key] ?? null
  return Object.freeze({
    doctype,
    docname: st.docname,
    resolvedAt: isoOf(now),
    status: st.review.length > 0 ? 'needs_review' : st.decisions.length > 0 ? 'resolved' : 'unchanged',
    merged: merged as T,
    nextBase: nextBase as T,
    decisions: frozenList(st.decisions),
    review: frozenList(st.review),
    writeToErpnext: toErp.length > 0 ? Object.freeze(writeToErpnext) : NO_WRITES,
    writeToAi: toAi.length > 0 ? Object.freeze(writeToAi) : NO_WRITES,
    needsWrite: NEEDS_WRITE[toErp.length > 0 ? 1 : 0]![toAi.length > 0 ? 1 : 0]!,
  })
}
