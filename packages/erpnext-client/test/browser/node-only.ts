/**
 * Negative fixture of the browser test: the client plus one Node-only import. Bundling it with the same
 * browser settings as `entry.ts` must fail, which shows the settings would catch a Node-only API that
 * crept into the client's request path.
 */
import { createHash } from 'node:crypto'
import { createClient } from '../../src/index.js'

export function fingerprint(url: string): string {
  createClient({ url, auth: { type: 'none' } })
  return createHash('sha256').update(url).digest('hex')
}
