import fc from 'fast-check'
import { describe, it } from 'vitest'
import {
  analyticsPolicy,
  createPrivacyToolkit,
  createPseudonymizer,
  defaultEducationPolicy,
  type FieldClassification,
  type Policy,
  reportingPolicy,
  tutoringChatPolicy,
} from '../src/index.js'
import { classification, keyringV1 } from './fixtures.js'

const heavy = process.env['EDUSYNC_HEAVY'] === '1'
const privacy = createPrivacyToolkit({ pseudonymizer: createPseudonymizer({ keyring: keyringV1() }) })

/** Values long and distinctive enough that finding them as a substring means they leaked. */
const piiValue = fc.oneof(
  fc.stringMatching(/^[A-Z][a-z]{5,12} [A-Z][a-z]{5,12}$/),
  fc.stringMatching(/^[a-z]{5,10}\.[a-z]{5,10}@[a-z]{5,8}\.edu$/),
  fc.stringMatching(/^\+44 7[0-9]{3} [0-9]{6}$/),
  fc.stringMatching(/^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$/),
)
const otherValue = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.stringMatching(/^[a-z]{1,6}$/))

function documentOf(doctype: string, cls: FieldClassification) {
  const fields = cls[doctype]!
  const entries = Object.entries(fields).map(
    ([f, c]) => [f, c === 'direct_pii' ? fc.option(piiValue, { nil: undefined }) : otherValue] as const,
  )
  return fc.record({
    name: fc.stringMatching(/^EDU-(STU|GRD)-20[0-9]{2}-[0-9]{5}$/),
    ...Object.fromEntries(entries),
    unclassified: fc.option(piiValue, { nil: undefined }),
  })
}

/** A policy keeps a direct-PII field only if it says `keep` for it; every other strategy must not leak the value. */
function keptFields(policy: Policy, doctype: string): Set<string> {
  const dp = policy.doctypes[doctype]!
  return new Set(
    Object.entries(dp.fields)
      .filter(([, r]) => r.strategy === 'keep')
      .map(([f]) => f),
  )
}

const policies = [
  defaultEducationPolicy(classification),
  analyticsPolicy(classification),
  tutoringChatPolicy(classification),
  reportingPolicy(classification),
]

describe('property: no direct PII survives a policy that does not keep it', () => {
  for (const doctype of ['Student', 'Guardian']) {
    for (const policy of policies) {
      it(`${doctype} under ${policy.name}`, async () => {
        const kept = keptFields(policy, doctype)
        await fc.assert(
          fc.asyncProperty(documentOf(doctype, classification), async (doc) => {
            const { view } = await privacy.applyPolicy(doc as Record<string, unknown>, policy, {
              tenant: 't',
              doctype,
              recipient: 'ai',
            })
            const json = JSON.stringify(view)
            for (const [field, cls] of Object.entries(classification[doctype]!)) {
              const value = (doc as Record<string, unknown>)[field]
              if (cls !== 'direct_pii' || kept.has(field) || typeof value !== 'string') continue
              // A reduced form (birth year, city, postcode prefix, masked text) is allowed; the value is not.
              if (json.includes(value)) return false
            }
            if (typeof doc.unclassified === 'string' && json.includes(doc.unclassified)) return false
            return !json.includes(doc.name)
          }),
          { numRuns: heavy ? 2000 : 100 },
        )
      })
    }
  }
})
