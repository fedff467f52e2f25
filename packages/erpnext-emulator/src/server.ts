/** Serve an emulator over node:http. */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ApiCredentials, type Emulator, type EmulatorOptions, createEmulator } from './emulator.js'
import { EmulatorListenError } from './errors.js'

/** Options of {@link startEmulator}: the engine's options plus where to listen. */
export interface StartEmulatorOptions extends EmulatorOptions {
  /**
   * TCP port; 0 picks a free one.
   * @default 0
   */
  readonly port?: number
  /**
   * Interface to bind.
   * @default '127.0.0.1'
   */
  readonly host?: string
}

/** A running HTTP emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** API credentials of the Administrator and of the restricted user. */
  readonly credentials: { readonly admin: ApiCredentials; readonly restricted: ApiCredentials }
  /** The engine behind the server (inspection, faults, reset). */
  readonly emulator: Emulator
  /** Stop the server (open connections are closed). */
  close(): Promise<void>
}

async function toRequest(req: IncomingMessage, base: string, signal: AbortSignal): Promise<Request> {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
  const method = req.method ?? 'GET'
  let body: Buffer | undefined
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    body = Buffer.concat(chunks)
  }
  return new Request(new URL(req.url ?? '/', base), {
    method,
    headers,
    ...(body?.length ? { body: body as unknown as BodyInit } : {}),
    signal,
  })
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  if (response.type === 'error') {
    res.socket?.destroy()
    return
  }
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length) headers['set-cookie'] = cookies
  const buf = Buffer.from(await response.arrayBuffer())
  headers['content-length'] = String(buf.length)
  res.writeHead(response.status, headers)
  res.end(buf)
}

/**
 * Start an emulator on node:http.
 *
 * @example
 * ```ts
 * const erp = await startEmulator({ seed: 'school-small' })
 * const { apiKey, apiSecret } = erp.credentials.admin
 * const res = await fetch(`${erp.url}/api/resource/Student`, {
 *   headers: { Authorization: `token ${apiKey}:${apiSecret}` },
 * })
 * await erp.close()
 * ```
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError('[@edusync/erpnext-emulator] options.port must be an integer between 0 and 65535')
  }
  const host = options.host ?? '127.0.0.1'
  if (typeof host !== 'string' || !host)
    throw new TypeError('[@edusync/erpnext-emulator] options.host must be a non-empty string')
  const emulator = createEmulator(options)
  let base = ''
  const server = createServer((req, res) => {
    const controller = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) controller.abort()
    })
    toRequest(req, base, controller.signal)
      .then((request) => emulator.handle(request))
      .then((response) => send(res, response))
      .catch(() => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' })
          res.end('{"exc_type":"InternalServerError"}')
        } else res.destroy()
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new EmulatorListenError(`Could not listen on ${host}:${port}: ${error.message}`, { cause: error }),
      ),
    )
    server.listen(port, host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address
  base = `http://${hostPart}:${address.port}`
  let closed = false
  return {
    url: base,
    credentials: emulator.credentials,
    emulator,
    close: async () => {
      if (closed) return
      closed = true
      await emulator.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
