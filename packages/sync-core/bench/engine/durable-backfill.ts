/**
 * The reference runner's backfill with SQLite `synchronous: 'normal'` and `'full'` (a script, not a test):
 *
 *   pnpm exec tsx bench/engine/durable-backfill.ts          # school-small seed, 1 round
 *   ROUNDS=2 SEED=school-small pnpm exec tsx bench/engine/durable-backfill.ts
 *
 * Each run gets a fresh emulator (a child process, `packages/erpnext-emulator/dist/cli.js`, so build it
 * first) and a fresh data folder, then runs `edusync setup-erpnext` and times `edusync backfill` (the
 * runner's CLI from source, through its `bin`). Modes alternate within a round so that machine load hits
 * both; the ratio full/normal is the figure to compare, not the absolute times.
 *
 * `STRACE=1` runs the backfill under `strace -f -c -e trace=fsync,fdatasync` and prints how many syncs it
 * made and the time spent in them: a count that machine load does not move (on a disk with cheap syncs
 * the wall-clock difference between the modes is within the noise of a shared machine).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..')
const emulatorCli = join(root, 'packages/erpnext-emulator/dist/cli.js')
const runnerBin = join(root, 'examples/reference-runner/bin/edusync.mjs')
const ROUNDS = Number(process.env.ROUNDS ?? 1)
const SEED = process.env.SEED ?? 'school-small'
const STRACE = process.env.STRACE === '1'

async function startEmulator(): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  const child = spawn(process.execPath, [emulatorCli, '--port', '0', '--seed', SEED], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  const env = await new Promise<Record<string, string>>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`emulator exited with ${code}: ${out}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1]
      const key = /Administrator: api_key=(\S+) api_secret=(\S+)/.exec(out)
      if (url && key)
        ok({
          EDUSYNC_ERPNEXT_URL: url,
          EDUSYNC_ERPNEXT_API_KEY: key[1]!,
          EDUSYNC_ERPNEXT_API_SECRET: key[2]!,
        })
    })
  })
  return { child, env }
}

function runCli(args: string[], env: Record<string, string>, straceTo?: string): Promise<void> {
  const command = straceTo === undefined ? process.execPath : 'strace'
  const argv = [runnerBin, ...args]
  if (straceTo !== undefined)
    argv.unshift('-f', '-c', '-e', 'trace=fsync,fdatasync', '-o', straceTo, process.execPath)
  return new Promise((ok, fail) => {
    const child = spawn(command, argv, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let err = ''
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString()
    })
    child.once('exit', (code) =>
      code === 0 ? ok() : fail(new Error(`edusync ${args[0]} exited with ${code}: ${err.slice(-2000)}`)),
    )
  })
}

/** Syncs counted by `strace -c` (the `total` line: calls and seconds). */
function syncs(file: string): string {
  const total = readFileSync(file, 'utf8')
    .split('\n')
    .find((line) => /\btotal$/.test(line.trim()))
  const cols = total?.trim().split(/\s+/) ?? []
  return cols.length >= 5 ? `${cols[3]} syncs, ${Number(cols[1]).toFixed(2)} s in them` : 'no syncs'
}

async function backfill(synchronous: 'normal' | 'full'): Promise<number> {
  const { child, env } = await startEmulator()
  const dir = mkdtempSync(join(tmpdir(), 'edusync-durable-'))
  try {
    const all = { ...env, EDUSYNC_DATA_DIR: dir, EDUSYNC_SQLITE_SYNCHRONOUS: synchronous }
    await runCli(['setup-erpnext'], all)
    const straceTo = STRACE ? join(dir, 'strace.txt') : undefined
    const started = performance.now()
    await runCli(['backfill'], all, straceTo)
    const seconds = (performance.now() - started) / 1000
    if (straceTo !== undefined) console.log(`  ${synchronous}: ${syncs(straceTo)}`)
    return seconds
  } finally {
    child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}

const times: Record<'normal' | 'full', number[]> = { normal: [], full: [] }
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of round % 2 === 0 ? (['normal', 'full'] as const) : (['full', 'normal'] as const)) {
    const s = await backfill(mode)
    times[mode].push(s)
    console.log(`round ${round + 1} ${mode.padEnd(6)} ${s.toFixed(1)} s`)
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const n = median(times.normal)
const f = median(times.full)
console.log(`median: normal ${n.toFixed(1)} s, full ${f.toFixed(1)} s, full/normal ${(f / n).toFixed(2)}x`)
