import { readFileSync } from 'node:fs'
import * as node from '../src/node.js'
import * as web from '../src/web.js'

export interface Vector {
  name: string
  secret: string
  body: string
  signature: string
  sha256: string
}

/** Vectors computed by Python's hmac/json (test/vectors/generate.py). */
export const vectors: Vector[] = JSON.parse(
  readFileSync(new URL('./vectors/erpnext-vectors.json', import.meta.url), 'utf8'),
) as Vector[]

export function vector(name: string): Vector {
  const v = vectors.find((x) => x.name === name)
  if (!v) throw new Error(`no vector ${name}`)
  return v
}

/** Both implementations behind the one API, for `describe.each`. */
export const implementations = [
  { name: 'node', api: node },
  { name: 'web', api: web },
] as const

/** A fixed clock: 2026-11-25T17:16:53Z, one microsecond before the template vector's sent_at. */
export const NOW = Date.parse('2026-11-25T17:16:53.000Z')

/** Records the code of a rejected promise (or a thrown error). */
export async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run()
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).name
  }
  return 'no error'
}
