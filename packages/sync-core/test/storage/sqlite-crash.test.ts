import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createStore } from '@edusync/sync-core'
import { sqliteAdapter } from '@edusync/sync-core/sqlite'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const child = join(here, 'fixtures', 'sqlite-crash-child.ts')
const files: string[] = []
afterEach(() => {
  for (const f of files.splice(0)) for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true })
})

function run(args: string[]): { proc: ChildProcess; line: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
    cwd: join(here, '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = new Promise<string>((resolve, reject) => {
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => resolve(d.trim()))
    proc.on('exit', (code) => reject(new Error(`child exited early with ${code}`)))
  })
  return { proc, line }
}

function kill(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.on('exit', () => resolve())
    proc.kill('SIGKILL')
  })
}

async function inspect(filename: string) {
  const db = new Database(filename)
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  db.close()
  const store = createStore(sqliteAdapter({ filename }))
  const docs = (await store.documents.stats('Student')).count
  const tasks = (await store.queue.stats()).pending
  const audits = (await store.audit.query({ limit: 10_000 })).length
  const cursor = await store.cursors.get('crash', 'Student')
  await store.close()
  return { docs, tasks, audits, cursor: cursor ? Number(cursor.name) + 1 : 0 }
}

describe('sqlite crash safety (SIGKILL)', { timeout: 60_000 }, () => {
  it('a process killed inside a transaction leaves none of its writes and every committed one', async () => {
    const filename = join(tmpdir(), `edusync-crash-${process.pid}-${Date.now()}.db`)
    files.push(filename)
    const { proc, line } = run([filename, 'hang', '25'])
    expect(await line).toBe('MID')
    await kill(proc)
    expect(await inspect(filename)).toEqual({ docs: 25, tasks: 25, audits: 25, cursor: 25 })
  })

  it('a process killed at an arbitrary moment of a write loop leaves a consistent database', async () => {
    const filename = join(tmpdir(), `edusync-crash-loop-${process.pid}-${Date.now()}.db`)
    files.push(filename)
    const { proc, line } = run([filename, 'loop'])
    expect(await line).toBe('RUNNING')
    await new Promise((r) => setTimeout(r, 150))
    await kill(proc)
    const state = await inspect(filename)
    expect(state.docs).toBeGreaterThan(20)
    expect(state).toEqual({ docs: state.docs, tasks: state.docs, audits: state.docs, cursor: state.docs })
  })
})
