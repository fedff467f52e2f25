import { expectTypeOf } from 'vitest'
import type {
  FieldRule,
  KeyNotFoundError,
  PolicyResult,
  PrivacyToolkit,
  PrivacyToolkitError,
  Redactor,
} from '../src/index.js'
import { isKeyNotFoundError, isPrivacyToolkitError } from '../src/index.js'

declare const toolkit: PrivacyToolkit
declare const redactor: Redactor
declare const policy: Parameters<PrivacyToolkit['applyPolicy']>[1]

const doc = { name: 'EDU-STU-1', first_name: 'Ada', enabled: 1 }

// applyPolicy keeps the document's keys in the view type, all optional.
const result = await toolkit.applyPolicy(doc, policy, { tenant: 't', doctype: 'Student', recipient: 'ai' })
expectTypeOf(result).toEqualTypeOf<PolicyResult<typeof doc>>()
expectTypeOf(result.view).toEqualTypeOf<{ name?: unknown; first_name?: unknown; enabled?: unknown }>()
// @ts-expect-error a key the document does not have
result.view.last_name

// encrypt/decryptFields return the document's own type.
expectTypeOf(await toolkit.encryptFields(doc, policy, { tenant: 't', doctype: 'Student' })).toEqualTypeOf<
  typeof doc
>()
expectTypeOf(await toolkit.decryptFields(doc, policy, { tenant: 't', doctype: 'Student' })).toEqualTypeOf<
  typeof doc
>()

// @ts-expect-error a context needs a recipient
await toolkit.applyPolicy(doc, policy, { tenant: 't', doctype: 'Student' })

// redact keeps the input type.
expectTypeOf(redactor.redact({ a: 1 })).toEqualTypeOf<{ a: number }>()

// Rules: strings or objects with the strategy's options.
expectTypeOf<'keep'>().toMatchTypeOf<FieldRule>()
expectTypeOf<{ strategy: 'generalise'; to: 'year' }>().toMatchTypeOf<FieldRule>()
// @ts-expect-error unknown strategy
const bad: FieldRule = 'scramble'
void bad

// Guards narrow.
declare const e: unknown
if (isKeyNotFoundError(e)) expectTypeOf(e).toEqualTypeOf<KeyNotFoundError>()
if (isPrivacyToolkitError(e)) expectTypeOf(e.code).toEqualTypeOf<PrivacyToolkitError['code']>()

// Conformance cases accept a factory (sync or async) of the matching store only.
import {
  type ConformanceCase,
  type StoreFactory,
  tombstoneStoreCases,
} from '@edusync/privacy-toolkit/testing'
import { MemoryDisclosureLedger, MemoryTombstoneStore, type TombstoneStore } from '../src/index.js'

expectTypeOf(tombstoneStoreCases).parameter(0).toEqualTypeOf<StoreFactory<TombstoneStore>>()
expectTypeOf(tombstoneStoreCases(async () => new MemoryTombstoneStore())).toEqualTypeOf<ConformanceCase[]>()
// @ts-expect-error a ledger is not a tombstone store
tombstoneStoreCases(() => new MemoryDisclosureLedger())
