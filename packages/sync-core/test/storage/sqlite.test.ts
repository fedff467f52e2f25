import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteAdapter } from '@edusync/sync-core/sqlite'
import { testStorageAdapter } from '@edusync/sync-core/testing'
import type { StorageAdapter } from '@edusync/sync-core'

const files = new WeakMap<StorageAdapter, string>()
let n = 0

testStorageAdapter({
  name: 'sqlite',
  create: () => {
    const filename = join(tmpdir(), `edusync-conformance-${process.pid}-${Date.now()}-${++n}.db`)
    const adapter = sqliteAdapter({ filename, synchronous: 'normal' })
    files.set(adapter, filename)
    return adapter
  },
  reopen: (previous) => {
    const adapter = sqliteAdapter({ filename: files.get(previous)!, synchronous: 'normal' })
    files.set(adapter, files.get(previous)!)
    return adapter
  },
  destroy: (adapter) => {
    const filename = files.get(adapter)!
    for (const suffix of ['', '-wal', '-shm']) rmSync(filename + suffix, { force: true })
  },
  capabilities: { durable: true, multiProcess: false, transactions: true },
})
