/**
 * Group commit in the SQLite driver: writes outside a transaction issued in the same turn of the event
 * loop share one transaction, run in the order they were issued, settle only after that transaction is
 * committed, and a failed COMMIT rejects every write in the group.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSqliteDriver } from '../../src/storage/sql/sqlite-driver.js'

const dirs: string[] = []
const open: Database.Database[] = []

function files(): { file: string; writer: Database.Database; reader: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'edusync-group-'))
  dirs.push(dir)
  const file = join(dir, 'g.db')
  const writer = new Database(file)
  writer.pragma('journal_mode = WAL')
  writer.pragma('synchronous = FULL')
  writer.pragma('foreign_keys = ON')
  writer.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE entries (seq INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL UNIQUE, n INTEGER);
    CREATE TABLE child (id INTEGER PRIMARY KEY,
      parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`)
  // A second connection sees only what is committed.
  const reader = new Database(file, { readonly: true })
  open.push(writer, reader)
  return { file, writer, reader }
}

/** Record every transaction-control statement the driver runs. */
function spyExec(db: Database.Database): string[] {
  const log: string[] = []
  const exec = db.exec.bind(db)
  vi.spyOn(db, 'exec').mockImplementation((sql: string) => {
    log.push(sql)
    return exec(sql)
  })
  return log
}

afterEach(() => {
  vi.restoreAllMocks()
  for (const db of open.splice(0)) if (db.open) db.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('SQLite group commit', () => {
  it('commits writes issued together in one transaction, in the order they were issued', async () => {
    const { writer, reader } = files()
    const log = spyExec(writer)
    const { executor } = createSqliteDriver(writer)
    const labels = Array.from({ length: 20 }, (_, i) => `e${String(i).padStart(2, '0')}`)
    const changes = await Promise.all([
      ...labels.map((label) => executor.run('INSERT INTO entries (label, n) VALUES (?, 0)', [label])),
      // Issued after the inserts: it sees all of them.
      executor.run('UPDATE entries SET n = n + 1'),
    ])
    expect(changes).toEqual([...labels.map(() => 1), 20])
    expect(log.filter((s) => s === 'BEGIN IMMEDIATE')).toHaveLength(1)
    expect(log.filter((s) => s === 'COMMIT')).toHaveLength(1)
    const rows = reader.prepare('SELECT label, n FROM entries ORDER BY seq').all()
    expect(rows).toEqual(labels.map((label) => ({ label, n: 1 })))
  })

  it('acknowledges no write before its transaction is committed', async () => {
    const { writer, reader } = files()
    const log = spyExec(writer)
    const { executor } = createSqliteDriver(writer)
    const seenAtResolve: { committed: boolean; visible: number }[] = []
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        executor.run('INSERT INTO entries (label) VALUES (?)', [`r${i}`]).then(() => {
          seenAtResolve.push({
            committed: log.includes('COMMIT'),
            visible: (
              reader.prepare('SELECT count(*) AS c FROM entries WHERE label = ?').get(`r${i}`) as {
                c: number
              }
            ).c,
          })
        }),
      ),
    )
    expect(seenAtResolve).toEqual(Array.from({ length: 10 }, () => ({ committed: true, visible: 1 })))
  })

  it('a failing statement rejects only its caller and is undone; the rest of the group commits', async () => {
    const { writer, reader } = files()
    const { executor } = createSqliteDriver(writer)
    const results = await Promise.allSettled([
      executor.run("INSERT INTO entries (label) VALUES ('a')"),
      executor.run("INSERT INTO entries (label) VALUES ('a')"), // UNIQUE violation
      executor.run("INSERT INTO entries (label) VALUES ('b')"),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/)
    expect(reader.prepare('SELECT label FROM entries ORDER BY seq').all()).toEqual([
      { label: 'a' },
      { label: 'b' },
    ])
  })

  it('a failed COMMIT rejects every caller of the group and leaves none of its writes', async () => {
    const { writer, reader } = files()
    const log = spyExec(writer)
    const { executor } = createSqliteDriver(writer)
    const results = await Promise.allSettled([
      executor.run("INSERT INTO entries (label) VALUES ('x')"),
      // A deferred foreign key: the statement succeeds, the COMMIT fails.
      executor.run('INSERT INTO child (id, parent_id) VALUES (1, 42)'),
      executor.run("INSERT INTO entries (label) VALUES ('y')"),
    ])
    expect(log.filter((s) => s === 'BEGIN IMMEDIATE')).toHaveLength(1)
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/)
    expect(reader.prepare('SELECT count(*) AS c FROM entries').get()).toEqual({ c: 0 })
    expect(reader.prepare('SELECT count(*) AS c FROM child').get()).toEqual({ c: 0 })
    expect(writer.inTransaction).toBe(false)
    // The connection is usable afterwards.
    await executor.run("INSERT INTO entries (label) VALUES ('z')")
    expect(reader.prepare('SELECT label FROM entries').all()).toEqual([{ label: 'z' }])
  })

  it('keeps order with transactions: a group waits for a running transaction and sees its writes', async () => {
    const { writer, reader } = files()
    const driver = createSqliteDriver(writer)
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const tx = driver.transaction(async (ex) => {
      await ex.run("INSERT INTO entries (label, n) VALUES ('tx', 0)")
      await gate
      return 'done'
    })
    const grouped = driver.executor.run("UPDATE entries SET n = 7 WHERE label = 'tx'")
    await new Promise((r) => setImmediate(r))
    await new Promise((r) => setImmediate(r))
    // The transaction still holds the connection: nothing of the group has run.
    expect(reader.prepare('SELECT count(*) AS c FROM entries').get()).toEqual({ c: 0 })
    release()
    await expect(tx).resolves.toBe('done')
    await expect(grouped).resolves.toBe(1)
    expect(reader.prepare('SELECT label, n FROM entries').all()).toEqual([{ label: 'tx', n: 7 }])
  })

  it('a later group forms after a commit: writes issued in separate turns commit separately', async () => {
    const { writer } = files()
    const log = spyExec(writer)
    const { executor } = createSqliteDriver(writer)
    await executor.run("INSERT INTO entries (label) VALUES ('one')")
    await executor.run("INSERT INTO entries (label) VALUES ('two')")
    expect(log.filter((s) => s === 'COMMIT')).toHaveLength(2)
  })
})
