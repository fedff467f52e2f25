/**
 * msw request handlers over an emulator, for in-process tests (`@edusync/erpnext-emulator/msw`).
 * msw is an optional peer dependency; install it to use this entry point.
 *
 * @packageDocumentation
 */
import { type HttpHandler, http } from 'msw'
import type { Emulator } from './emulator.js'

/** Options of {@link createHandlers}. */
export interface CreateHandlersOptions {
  /**
   * Origin the handlers answer for, e.g. `https://erp.example.test` (paths under `/api/`, plus the
   * stored files under `/files/` and `/private/files/`).
   */
  readonly baseUrl: string
}

/**
 * msw handlers that route every request under `${baseUrl}/api/`, `${baseUrl}/files/` and
 * `${baseUrl}/private/files/` to `emulator.handle`.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node'
 * import { createEmulator } from '@edusync/erpnext-emulator'
 * import { createHandlers } from '@edusync/erpnext-emulator/msw'
 *
 * const emulator = createEmulator({ seed: 'school-small' })
 * const server = setupServer(...createHandlers(emulator, { baseUrl: 'https://erp.test' }))
 * server.listen({ onUnhandledRequest: 'error' })
 * ```
 */
export function createHandlers(emulator: Emulator, options: CreateHandlersOptions): HttpHandler[] {
  if (!emulator || typeof emulator.handle !== 'function') {
    throw new TypeError(
      '[@edusync/erpnext-emulator] createHandlers: emulator must come from createEmulator()',
    )
  }
  let origin: string
  try {
    origin = new URL(options?.baseUrl).origin
  } catch {
    throw new TypeError(
      '[@edusync/erpnext-emulator] createHandlers: options.baseUrl must be an absolute URL such as https://erp.test',
    )
  }
  // A RegExp, not a path pattern: msw decodes path patterns and would throw on malformed escapes that
  // Frappe answers normally.
  const pattern = new RegExp(
    `^${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/api(?:/|$)|/files/|/private/files/)`,
  )
  return [http.all(pattern, ({ request }) => emulator.handle(request))]
}
