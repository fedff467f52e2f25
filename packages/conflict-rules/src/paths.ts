/**
 * Field paths and path patterns.
 *
 * A concrete path names what a decision is about: a top-level field (`student_name`), a child-table
 * row (`guardians[]`, for rows added or removed) or a child-table field (`guardians[].relation`).
 * A pattern is the same with `*` globs in either segment (`ai_*`, `*[].date_of_birth`).
 *
 * @module
 */

/** The three shapes a path can have. */
export type PathShape = 'field' | 'row' | 'child'

/** A parsed path pattern. */
export interface PathPattern {
  readonly source: string
  readonly shape: PathShape
  /** Field glob (shape `field`), or the child field glob (shape `child`). */
  readonly field: string | undefined
  /** Table glob (shapes `row` and `child`). */
  readonly table: string | undefined
  /** True when no segment contains `*`. */
  readonly exact: boolean
  /** Number of non-wildcard characters; more literal characters = more specific. */
  readonly literals: number
}

const SEGMENT = '[A-Za-z0-9_*]+'
const PATTERN_RE = new RegExp(`^(${SEGMENT})(?:(\\[\\])(?:\\.(${SEGMENT}))?)?$`)

/** Parse a pattern; `undefined` when malformed. */
export function parsePattern(source: string): PathPattern | undefined {
  const m = PATTERN_RE.exec(source)
  if (!m) return undefined
  const first = m[1]!
  const shape: PathShape = m[2] === undefined ? 'field' : m[3] === undefined ? 'row' : 'child'
  const table = shape === 'field' ? undefined : first
  const field = shape === 'field' ? first : shape === 'child' ? m[3] : undefined
  const text = (table ?? '') + (field ?? '')
  let literals = 0
  for (const ch of text) if (ch !== '*') literals++
  return Object.freeze({
    source,
    shape,
    field,
    table,
    exact: !text.includes('*'),
    literals,
  })
}

const globCache = new Map<string, RegExp>()

/** Does `name` match the segment glob `glob` (`*` = any run of characters)? */
export function globMatch(glob: string, name: string): boolean {
  if (!glob.includes('*')) return glob === name
  let re = globCache.get(glob)
  if (re === undefined) {
    re = new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`)
    globCache.set(glob, re)
  }
  return re.test(name)
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Can some name match both segment globs? */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>()
  const step = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j
    const known = memo.get(key)
    if (known !== undefined) return known
    let result: boolean
    if (i === a.length && j === b.length) result = true
    else if (i < a.length && a[i] === '*') {
      result = step(i + 1, j) || (j < b.length && step(i, j + 1))
    } else if (j < b.length && b[j] === '*') {
      result = step(i, j + 1) || (i < a.length && step(i + 1, j))
    } else result = i < a.length && j < b.length && a[i] === b[j] && step(i + 1, j + 1)
    memo.set(key, result)
    return result
  }
  return step(0, 0)
}

/** Can the two patterns (of the same shape) match the same concrete path? */
export function patternsIntersect(a: PathPattern, b: PathPattern): boolean {
  if (a.shape !== b.shape) return false
  if (a.table !== undefined && b.table !== undefined && !globsIntersect(a.table, b.table)) return false
  if (a.field !== undefined && b.field !== undefined && !globsIntersect(a.field, b.field)) return false
  return true
}

/** A concrete path, split. */
export interface ConcretePath {
  readonly shape: PathShape
  /** Top-level field name (`field`) or the table field (`row`, `child`). */
  readonly top: string
  /** The child field (`child` only). */
  readonly child: string | undefined
}

/**
 * How closely `pattern` matches `path`: 3 = directly, 2 = through a row rule of the enclosing table,
 * 1 = through a rule on the table field itself, 0 = no match.
 */
export function matchLevel(pattern: PathPattern, path: ConcretePath): 0 | 1 | 2 | 3 {
  if (pattern.shape === 'field') {
    if (!globMatch(pattern.field!, path.top)) return 0
    return path.shape === 'field' ? 3 : 1
  }
  if (path.shape === 'field' || !globMatch(pattern.table!, path.top)) return 0
  if (pattern.shape === 'row') return path.shape === 'row' ? 3 : 2
  return path.shape === 'child' && globMatch(pattern.field!, path.child!) ? 3 : 0
}

/** Build the string form of a concrete path. */
export function formatPath(top: string, child?: string | null, row?: boolean): string {
  if (child != null) return `${top}[].${child}`
  return row ? `${top}[]` : top
}
