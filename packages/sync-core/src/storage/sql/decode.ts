import { CorruptRowError } from '../errors.js'
import type { SqlDialect, SqlRow } from './driver.js'

/** Typed, checked access to one row's columns; anything unexpected is a {@link CorruptRowError}. */
export class RowReader {
  readonly #d: SqlDialect
  readonly #table: string
  readonly #row: SqlRow
  readonly #key: string
  constructor(d: SqlDialect, table: string, row: SqlRow, key: string) {
    this.#d = d
    this.#table = table
    this.#row = row
    this.#key = key
  }
  #corrupt(column: string, problem: string, cause?: unknown): never {
    throw new CorruptRowError(this.#table, this.#key, `column ${column} ${problem}`, cause)
  }
  str(column: string): string {
    const v = this.#row[column]
    if (typeof v !== 'string') this.#corrupt(column, 'is not text')
    return v
  }
  strOrNull(column: string): string | null {
    const v = this.#row[column]
    return v === null || v === undefined ? null : this.str(column)
  }
  oneOf<T extends string>(column: string, values: readonly T[]): T {
    const v = this.str(column)
    if (!(values as readonly string[]).includes(v)) this.#corrupt(column, 'holds an unknown value')
    return v as T
  }
  num(column: string): number {
    const v = this.#row[column]
    const n =
      typeof v === 'number' ? v : typeof v === 'bigint' || typeof v === 'string' ? Number(v) : Number.NaN
    if (!Number.isFinite(n)) this.#corrupt(column, 'is not a number')
    return n
  }
  numOrNull(column: string): number | null {
    const v = this.#row[column]
    return v === null || v === undefined ? null : this.num(column)
  }
  bool(column: string): boolean {
    const v = this.#row[column]
    if (v === true || v === 1 || v === 1n) return true
    if (v === false || v === 0 || v === 0n) return false
    return this.#corrupt(column, 'is not a boolean')
  }
  json(column: string): unknown {
    const v = this.#row[column]
    if (v === null || v === undefined) this.#corrupt(column, 'is empty')
    const decoded = this.#d.readJson(v)
    if (!decoded.ok) this.#corrupt(column, 'is not valid JSON')
    return decoded.value
  }
  jsonOrNull(column: string): unknown {
    const v = this.#row[column]
    return v === null || v === undefined ? null : this.json(column)
  }
  object(column: string): Record<string, unknown> {
    const v = this.json(column)
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.#corrupt(column, 'is not a JSON object')
    return v as Record<string, unknown>
  }
  objectOrNull(column: string): Record<string, unknown> | null {
    const v = this.#row[column]
    return v === null || v === undefined ? null : this.object(column)
  }
  strings(column: string): string[] {
    const v = this.json(column)
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      this.#corrupt(column, 'is not a list of text')
    return v as string[]
  }
}

/** Encode a JSON parameter (`null` stays SQL NULL). */
export function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}
