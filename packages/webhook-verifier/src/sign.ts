import {
  b64encode,
  decoder,
  ERPNEXT_SIGNATURE_HEADER,
  type Gen,
  P,
  type Signer,
  signOp,
  utf8,
} from './core.js'
import { dumps } from './python-json.js'

/** What {@link signERPNextWebhook} produces: exactly what ERPNext sends. */
export interface SignedERPNextWebhook {
  /** The body text ERPNext sends (Python `json.dumps` output for objects). */
  readonly body: string
  /** base64 HMAC-SHA256 of the body. */
  readonly signature: string
  /** `{ 'X-Frappe-Webhook-Signature': signature }`. */
  readonly headers: Readonly<Record<string, string>>
}

/** @internal */
export function* signERPNext(payload: unknown, secret: string, x: Signer): Gen<SignedERPNextWebhook> {
  if (typeof secret !== 'string' || secret === '')
    throw new TypeError(`${P}secret must be a non-empty string.`)
  const raw = payload instanceof Uint8Array
  const body = typeof payload === 'string' ? payload : raw ? decoder.decode(payload) : dumps(payload, false)
  const signature = b64encode(yield* signOp(x, utf8(secret), raw ? payload : utf8(body)))
  return Object.freeze({ body, signature, headers: Object.freeze({ [ERPNEXT_SIGNATURE_HEADER]: signature }) })
}
