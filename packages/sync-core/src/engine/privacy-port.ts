import {
  type Policy,
  type PrivacyToolkit,
  type Pseudonymizer,
  isConsentRefusedError,
} from '@edusync/privacy-toolkit'
import type { ErpDoc, PrivacyPort } from './ports.js'

/** Options of {@link privacyPortFromToolkit}. */
export interface PrivacyPortOptions {
  /** A toolkit from `createPrivacyToolkit()` (with an encryptor, and a pseudonymizer if the policy needs one). */
  readonly toolkit: PrivacyToolkit
  /** The policy enhancers see documents through, e.g. `educationPolicy(classification)`. */
  readonly viewPolicy: Policy
  /** The policy of fields encrypted at rest, e.g. `atRestPolicy(classification)`. */
  readonly storagePolicy: Policy
  /** The tenant (school / site). @default 'default' */
  readonly tenant?: string
  /** Who receives the views, for the disclosure ledger. @default 'ai-layer' */
  readonly recipient?: string
  /**
   * The toolkit's pseudonymizer (with its re-identification store). With it the port can `reidentify`:
   * AI documents that link a student by the pseudonym the enhancer saw are written to ERPNext with the
   * real id. Without it, enhancers must link documents by names the view kept.
   */
  readonly pseudonymizer?: Pseudonymizer
}

/**
 * Adapt `@edusync/privacy-toolkit` to the engine's {@link PrivacyPort}: enhancers get `applyPolicy` views
 * (consent enforced, every disclosure logged), and the mirror stores documents with their PII fields
 * encrypted (`encryptFields`, bound to tenant/doctype/name). A student who restricted processing or objected
 * yields no view, so no enhancer runs for them.
 *
 * @example
 * ```ts
 * const privacy = privacyPortFromToolkit({
 *   toolkit: createPrivacyToolkit({ encryptor, pseudonymizer, consent, ledger }),
 *   viewPolicy: educationPolicy(classification),
 *   storagePolicy: atRestPolicy(classification),
 *   pseudonymizer, // lets AI documents link students by the pseudonyms enhancers saw
 * })
 * ```
 */
export function privacyPortFromToolkit(options: PrivacyPortOptions): PrivacyPort {
  const { toolkit, viewPolicy, storagePolicy } = options ?? ({} as PrivacyPortOptions)
  if (!toolkit || typeof toolkit.applyPolicy !== 'function')
    throw new TypeError(
      '[@edusync/sync-core] privacyPortFromToolkit(): "toolkit" must come from createPrivacyToolkit().',
    )
  if (!viewPolicy || !storagePolicy)
    throw new TypeError(
      '[@edusync/sync-core] privacyPortFromToolkit(): "viewPolicy" and "storagePolicy" are required.',
    )
  const tenant = options.tenant ?? 'default'
  const pseudonymizer = options.pseudonymizer
  if (pseudonymizer !== undefined && typeof pseudonymizer.resolve !== 'function')
    throw new TypeError(
      '[@edusync/sync-core] privacyPortFromToolkit(): "pseudonymizer" must come from createPseudonymizer().',
    )
  const recipient = options.recipient ?? 'ai-layer'
  return {
    async view(doctype, doc) {
      try {
        const result = await toolkit.applyPolicy(doc as ErpDoc, viewPolicy, { tenant, doctype, recipient })
        return result.view as ErpDoc
      } catch (error) {
        if (isConsentRefusedError(error)) return null
        throw error
      }
    },
    seal: (doctype, name, doc) =>
      toolkit.encryptFields({ ...doc }, storagePolicy, { tenant, doctype, docname: name }),
    unseal: (doctype, name, doc) =>
      toolkit.decryptFields({ ...doc }, storagePolicy, { tenant, doctype, docname: name }),
    ...(pseudonymizer === undefined
      ? {}
      : {
          async reidentify(value: string) {
            const entry = await pseudonymizer.resolve(value)
            return entry !== undefined && entry.tenant === tenant ? entry.subjectId : undefined
          },
        }),
  }
}
