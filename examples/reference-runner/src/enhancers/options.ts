const PREFIX = '[@edusync/reference-runner]'

/** A finite number within `[min, max]`, or the default. Throws TypeError/RangeError naming the option. */
export function numberOption(
  where: string,
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new TypeError(`${PREFIX} ${where}: "${name}" must be a number, got ${typeof value}.`)
  if (value < min || value > max || (integer && !Number.isInteger(value)))
    throw new RangeError(
      `${PREFIX} ${where}: "${name}" must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${value}.`,
    )
  return value
}

/** Throws a RangeError unless `low <= high`. */
export function orderedOptions(
  where: string,
  lowName: string,
  low: number,
  highName: string,
  high: number,
): void {
  if (low > high)
    throw new RangeError(`${PREFIX} ${where}: "${lowName}" (${low}) must not exceed "${highName}" (${high}).`)
}

/** Throws a TypeError unless `value` is undefined or a plain object. */
export function objectOption(where: string, name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
    throw new TypeError(`${PREFIX} ${where}: "${name}" must be an object.`)
}
