import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Redis from 'ioredis'

const here = dirname(fileURLToPath(import.meta.url))
export const REDIS_URL = process.env.EDUSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A skip reason when Redis is unreachable (an error under CI=true), else false. */
export async function redisSkipReason(): Promise<string | false> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 })
  try {
    await redis.connect()
    await redis.ping()
    return false
  } catch (error) {
    if (process.env.CI === 'true')
      throw new Error(`Redis at ${REDIS_URL} is unreachable and CI=true: ${(error as Error).message}`)
    return `Redis at ${REDIS_URL} is unreachable (${(error as Error).message})`
  } finally {
    redis.disconnect()
  }
}

export interface WorkerProcess {
  readonly id: string
  readonly child: ChildProcess
  /** `applied <doctype> <name>` lines seen so far. */
  readonly applied: string[]
  ready: Promise<void>
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>
  /** The last 4,000 characters the worker wrote to stderr, for diagnostics. */
  stderr(): string
}

/** Spawn `worker-process.ts` under tsx with the given environment. */
export function spawnWorker(id: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'worker-process.ts')], {
    cwd: join(here, '../../..'),
    env: { ...process.env, ...env, WORKER_ID: id },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const applied: string[] = []
  let buffer = ''
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => {
    markReady = resolve
  })
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let nl = buffer.indexOf('\n')
    while (nl >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (line === 'ready') markReady()
      else if (line.startsWith('applied ')) applied.push(line.slice(8))
      nl = buffer.indexOf('\n')
    }
  })
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000)
  })
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code && code !== 0) process.stderr.write(`[worker ${id}] exit ${code}: ${stderr}\n`)
      resolve(signal ?? code)
    }),
  )
  return { id, child, applied, ready, exited, stderr: () => stderr }
}
