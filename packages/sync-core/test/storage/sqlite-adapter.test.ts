import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createStore,
  isCorruptRowError,
  isMigrationError,
  isSchemaVersionError,
  LATEST_SCHEMA_VERSION,
} from '@edusync/sync-core'
import { sqliteAdapter } from '@edusync/sync-core/sqlite'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'

const paths: string[] = []
function tempFile(): string {
  const p = join(tmpdir(), `edusync-sqlite-${process.pid}-${Date.now()}-${paths.length}.db`)
  paths.push(p)
  return p
}
afterEach(() => {
  for (const p of paths.splice(0)) for (const s of ['', '-wal', '-shm']) rmSync(p + s, { force: true })
})

async function migrated(): Promise<string> {
  const filename = tempFile()
  const store = createStore(sqliteAdapter({ filename }))
  await store.open()
  await store.documents.upsert({
    doctype: 'Student',
    name: 'A',
    modified: '2026-01-05 10:00:00',
    data: { a: 1 },
  })
  await store.close()
  return filename
}

describe('sqlite adapter', () => {
  it('uses the WAL journal and leaves a database it did not open open', async () => {
    const db = new Database(tempFile())
    const store = createStore(sqliteAdapter({ database: db }))
    await store.open()
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    await store.close()
    expect(db.open).toBe(true)
    db.close()
  })

  it('records the schema version it migrated to', async () => {
    const db = new Database(await migrated())
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: 'initial' },
      { version: 2, name: 'queue_document_index' },
    ])
    expect(LATEST_SCHEMA_VERSION).toBe(2)
    db.close()
  })

  it('upgrades a version-1 database: the queue gains its (doctype, name) index, data kept', async () => {
    const filename = await migrated()
    const db = new Database(filename)
    // What version 1 left behind: no sync_queue_document index, one migration recorded.
    db.exec('DROP INDEX sync_queue_document')
    db.prepare('DELETE FROM schema_migrations WHERE version = 2').run()
    db.close()
    const store = createStore(sqliteAdapter({ filename }))
    expect((await store.documents.get('Student', 'A'))?.data).toEqual({ a: 1 })
    await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
    expect(await store.queue.cancel!('Student', ['A'])).toBe(1)
    await store.close()
    const check = new Database(filename)
    expect(check.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1 },
      { version: 2 },
    ])
    // queue.cancel's statement is answered from the index, not a scan of the queue.
    const plan = check
      .prepare(
        "EXPLAIN QUERY PLAN DELETE FROM sync_queue WHERE state <> 'leased' AND doctype = ? AND name IN (?, ?)",
      )
      .all('Student', 'A', 'B') as { detail: string }[]
    expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX sync_queue_document')
    check.close()
  })

  it('refuses a database migrated by a newer version (SchemaVersionError), changing nothing', async () => {
    const filename = await migrated()
    const db = new Database(filename)
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('future')
    db.close()
    const store = createStore(sqliteAdapter({ filename }))
    const error = await store.open().catch((e: unknown) => e)
    expect(isSchemaVersionError(error)).toBe(true)
    expect(error).toMatchObject({
      name: 'SchemaVersionError',
      code: 'STORAGE_SCHEMA_VERSION',
      found: 99,
      supported: LATEST_SCHEMA_VERSION,
    })
    await expect(store.documents.get('Student', 'A')).rejects.toMatchObject({
      code: 'STORAGE_SCHEMA_VERSION',
    })
    await store.close()
  })

  it('refuses a database whose recorded migration it does not know', async () => {
    const filename = await migrated()
    const db = new Database(filename)
    db.prepare('UPDATE schema_migrations SET name = ? WHERE version = 1').run('someone-elses-schema')
    db.close()
    const store = createStore(sqliteAdapter({ filename }))
    await expect(store.open()).rejects.toMatchObject({ code: 'STORAGE_SCHEMA_VERSION' })
    await store.close()
  })

  it('rolls a failed migration back and reports MigrationError', async () => {
    const filename = tempFile()
    const db = new Database(filename)
    db.exec('CREATE TABLE sync_queue (unrelated TEXT)')
    db.close()
    const store = createStore(sqliteAdapter({ filename }))
    const error = await store.open().catch((e: unknown) => e)
    expect(isMigrationError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'STORAGE_MIGRATION_FAILED', version: 1 })
    expect((error as Error).cause).toBeInstanceOf(Error)
    await store.close()
    const check = new Database(filename)
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'sync_documents'").all()).toEqual([])
    check.close()
  })

  it('reports a row with invalid JSON as CorruptRowError without its content', async () => {
    const filename = await migrated()
    const db = new Database(filename)
    db.prepare("UPDATE sync_documents SET data = '{\"secret\": \"Ada Lovelace' WHERE name = 'A'").run()
    db.close()
    const store = createStore(sqliteAdapter({ filename }))
    const error = await store.documents.get('Student', 'A').catch((e: unknown) => e)
    expect(isCorruptRowError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'STORAGE_CORRUPT_ROW', table: 'sync_documents', key: 'Student/A' })
    expect((error as Error).message).not.toContain('Ada')
    await store.close()
  })

  it('reports a queue row in an unknown state as CorruptRowError', async () => {
    const filename = tempFile()
    const store = createStore(sqliteAdapter({ filename }))
    const id = await store.queue.enqueue({ kind: 'pull', doctype: 'Student', name: 'A' })
    await store.close()
    const db = new Database(filename)
    db.pragma('ignore_check_constraints = ON')
    db.prepare("UPDATE sync_queue SET state = 'paused' WHERE id = ?").run(id)
    db.close()
    const again = createStore(sqliteAdapter({ filename }))
    await expect(again.queue.get(id)).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT_ROW',
      table: 'sync_queue',
    })
    await again.close()
  })

  it('validates its options', () => {
    expect(() => sqliteAdapter({})).toThrow(TypeError)
    expect(() => sqliteAdapter({ filename: '' })).toThrow(TypeError)
    expect(() => sqliteAdapter({ filename: ':memory:', synchronous: 'off' as never })).toThrow(TypeError)
    expect(() => sqliteAdapter({ filename: ':memory:', busyTimeoutMs: -1 })).toThrow(RangeError)
    expect(() => sqliteAdapter({ database: {} as never })).toThrow(TypeError)
  })

  it('declares ":memory:" not durable', () => {
    expect(sqliteAdapter({ filename: ':memory:' }).capabilities.durable).toBe(false)
  })
})
