// Why a signature did not match. Part of the failure path (fail.ts), which the async functions load only
// when a delivery is rejected, so the happy path stays within the size budget.
import type { Crypto, Gen } from './core.js'
import { utf8, verifyOp } from './core.js'
import {
  BodyNotRawError,
  SecretWhitespaceError,
  SignatureMismatchError,
  type WebhookVerificationError,
} from './errors.js'
import { num } from './py-number.js'

const LIMIT = 65_536
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|[,:]/g

/** Python `json.dumps` of parsed JSON, from its compact `JSON.stringify` form. */
function reserialise(compact: string, allFloat: boolean): string {
  return compact.replace(TOKEN, (t) =>
    t === ',' || t === ':'
      ? `${t} `
      : t[0] === '"'
        ? t.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        : num(Number(t), allFloat),
  )
}

/** @internal what {@link diagnose} needs. */
export interface Mismatch {
  readonly keys: readonly Uint8Array[]
  /** The raw body. */
  readonly bytes: Uint8Array
  readonly sig: Uint8Array
}

// Keeps a leading U+FEFF, so that a secret starting with one counts as having whitespace.
const secretText = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * @internal The error of a signature mismatch: `body_not_raw` when the signature matches ERPNext's serialisation of the parsed
 * body (integers as ints, then as floats) but not the bytes received; `secret_whitespace` when a secret has
 * surrounding whitespace; otherwise `signature_mismatch`.
 */
export function* diagnose(m: Mismatch, x: Crypto): Gen<WebhookVerificationError> {
  const text = new TextDecoder().decode(m.bytes)
  let compact = ''
  try {
    if (text.length <= LIMIT) compact = JSON.stringify(JSON.parse(text))
  } catch {}
  for (const allFloat of compact ? [false, true] : []) {
    const py = reserialise(compact, allFloat)
    for (const key of py === text ? [] : m.keys) {
      if (yield* verifyOp(x, key, utf8(py), m.sig)) {
        return new BodyNotRawError(
          'the signature matches the parsed-and-re-serialised body, not the bytes received: your framework parsed the body; verify the raw request bytes, before any JSON parser.',
        )
      }
    }
  }
  // ERPNext keys are the UTF-8 of the secrets, so decoding them gives the secrets back (whitespace intact).
  if (m.keys.some((k) => secretText.decode(k).trim() !== secretText.decode(k))) {
    return new SecretWhitespaceError(
      'no secret matches, and a configured secret has leading/trailing whitespace: trim it (ERPNext signs with the secret as saved).',
    )
  }
  return new SignatureMismatchError(
    'no configured secret matches: check the secret(s) against the ERPNext Webhook Secret (during rotation configure both) and pass the raw body.',
  )
}
