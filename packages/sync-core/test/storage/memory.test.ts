import { memoryAdapter } from '@edusync/sync-core/memory'
import { testStorageAdapter } from '@edusync/sync-core/testing'

testStorageAdapter({
  name: 'memory',
  create: () => memoryAdapter(),
  capabilities: { durable: false, multiProcess: false, transactions: true },
})
