// Python's rendering of numbers in json.dumps: `int` as digits, `float` as repr().

/** Python `repr(float)`: shortest round-trip digits, `.0` on integral values, exponent outside [1e-4, 1e16). */
/** @internal */
export function float(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return 'Infinity'
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (n === 0) return 1 / n < 0 ? '-0.0' : '0.0'
  const [mantissa, e] = n.toExponential().split('e') as [string, string]
  const exp = Number(e)
  if (exp < -4 || exp >= 16)
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  const s = String(n)
  return s.includes('.') ? s : `${s}.0`
}

function int(n: number): string {
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString()
}

/** @internal a number as Python renders it; `allFloat` renders integers as floats. */
export function num(n: number, allFloat: boolean): string {
  return allFloat || !Number.isInteger(n) ? float(n) : int(n)
}
