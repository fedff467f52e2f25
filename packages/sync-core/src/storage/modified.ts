const MODIFIED = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/

/**
 * Normalise an ERPNext datetime string (`YYYY-MM-DD HH:MM:SS[.ffffff]`, Python's `str(datetime)`, which
 * omits the fraction when microseconds are zero) to a fixed-width form that sorts lexically:
 * `YYYY-MM-DD HH:MM:SS.ffffff`. Comparing the raw strings is wrong: `"… 10:00:00"` sorts before
 * `"… 10:00:00.000001"` correctly but after `"… 10:00:00.5"`'s prefix rules break with mixed widths.
 *
 * @throws TypeError when the value is not an ERPNext datetime string.
 * @example
 * normalizeModified('2024-05-01 10:00:00') // '2024-05-01 10:00:00.000000'
 * normalizeModified('2024-05-01 10:00:00.5') // '2024-05-01 10:00:00.500000'
 */
export function normalizeModified(modified: string): string {
  const match = typeof modified === 'string' ? MODIFIED.exec(modified) : null
  if (!match) {
    throw new TypeError(
      `[@edusync/sync-core] Expected an ERPNext datetime "YYYY-MM-DD HH:MM:SS[.ffffff]" for modified, got ${describe(modified)}.`,
    )
  }
  return `${match[1]} ${match[2]}.${(match[3] ?? '').padEnd(6, '0')}`
}

/**
 * Compare two ERPNext `modified` strings as datetimes: negative when `a` is older, 0 when equal, positive
 * when newer.
 * @example
 * compareModified('2024-05-01 10:00:00', '2024-05-01 10:00:00.000000') // 0
 */
export function compareModified(a: string, b: string): number {
  const x = normalizeModified(a)
  const y = normalizeModified(b)
  return x < y ? -1 : x > y ? 1 : 0
}

function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 40 ? `a string of length ${value.length}` : `"${value}"`
  return value === null ? 'null' : typeof value
}
