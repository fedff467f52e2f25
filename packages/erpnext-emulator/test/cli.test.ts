import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'

const pkgDir = fileURLToPath(new URL('..', import.meta.url))
let child: ChildProcess | undefined

afterEach(() => {
  child?.kill('SIGTERM')
  child = undefined
})

function start(args: string[]): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: pkgDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child!.stdout!.on('data', (d) => {
      out += String(d)
      if (out.includes('Try: curl')) resolve(out)
    })
    child!.stderr!.on('data', (d) => {
      err += String(d)
    })
    child!.on('exit', (code) => reject(new Error(`cli exited with ${code}: ${err}`)))
  })
}

it('edusync-emulator --seed school-small prints URL and credentials and answers a list of Students', async () => {
  const out = await start(['--port', '0', '--seed', 'school-small'])
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1]
  const token = /Authorization: (token \S+)/.exec(out)?.[1]
  expect(url).toBeTruthy()
  expect(token).toBeTruthy()
  const res = await fetch(`${url}/api/resource/Student?limit_page_length=0`, {
    headers: { Authorization: token!, Accept: 'application/json' },
  })
  expect(res.status).toBe(200)
  const body = (await res.json()) as { data: unknown[] }
  expect(body.data).toHaveLength(200)
}, 30_000)

it('rejects an unknown --seed with exit code 2', async () => {
  await expect(start(['--port', '0', '--seed', 'school-huge'])).rejects.toThrow(
    /exited with 2.*unknown --seed/s,
  )
}, 30_000)

it('rejects an unknown --first-day-of-week with exit code 2', async () => {
  await expect(start(['--port', '0', '--first-day-of-week', 'Funday'])).rejects.toThrow(
    /exited with 2.*unknown --first-day-of-week/s,
  )
}, 30_000)
