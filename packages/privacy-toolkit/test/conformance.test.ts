import { describe, it } from 'vitest'
import {
  MemoryConsentStore,
  MemoryDataKeyStore,
  MemoryDisclosureLedger,
  MemoryReidentificationStore,
  MemoryTombstoneStore,
} from '../src/index.js'
import {
  consentStoreCases,
  dataKeyStoreCases,
  disclosureLedgerCases,
  reidentificationStoreCases,
  tombstoneStoreCases,
} from '@edusync/privacy-toolkit/testing'

describe('in-memory stores pass the exported conformance cases', () => {
  for (const c of [
    ...reidentificationStoreCases(() => new MemoryReidentificationStore()),
    ...disclosureLedgerCases(() => new MemoryDisclosureLedger()),
    ...tombstoneStoreCases(() => new MemoryTombstoneStore()),
    ...consentStoreCases(() => new MemoryConsentStore()),
    ...dataKeyStoreCases(() => new MemoryDataKeyStore()),
  ]) {
    it(c.name, c.run)
  }

  it('a broken store fails its case', async ({ expect }) => {
    const broken = new MemoryTombstoneStore()
    broken.isErased = async () => true
    const [first] = tombstoneStoreCases(() => broken)
    await expect(first!.run()).rejects.toThrow(/isErased is true for another kind/)
  })
})
