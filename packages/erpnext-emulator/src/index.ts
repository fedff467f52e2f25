/**
 * `@edusync/erpnext-emulator`: a Frappe v15 / ERPNext Education site in memory, served over node:http
 * (`startEmulator`) or msw (`@edusync/erpnext-emulator/msw`), with webhooks, fault injection and
 * seeded schools.
 *
 * @packageDocumentation
 */
export type {
  ApiCredentials,
  Emulator,
  EmulatorFaults,
  EmulatorInspect,
  EmulatorOptions,
  RequestLogEntry,
} from './emulator.js'
export { createEmulator, seededRandom } from './emulator.js'
export type { RunningEmulator, StartEmulatorOptions } from './server.js'
export { startEmulator } from './server.js'
export type { FaultConfig, RateLimitConfig, RouteFault } from './faults.js'
export type { FetchLike, TimerLike, WebhookAttempt, WebhookDelivery, WebhookFaults } from './webhooks.js'
export { signWebhookBody } from './webhooks.js'
export type { SeedName } from './seed.js'
export type { Weekday } from './timespan.js'
export { SEED_NAMES } from './seed.js'
export type { EmulatorDocTypeMeta, EmulatorFieldMeta, Flag } from './meta.js'
export { coreDoctypes } from './meta.js'
export type { PyDumpsOptions } from './pyjson.js'
export { PyFloat, pyDumps, pyFloatRepr, pyLoads } from './pyjson.js'
export type { EmulatorErrorCode } from './errors.js'
export {
  EmulatorClosedError,
  EmulatorDocumentError,
  EmulatorError,
  EmulatorListenError,
  EmulatorSeedError,
  isEmulatorClosedError,
  isEmulatorDocumentError,
  isEmulatorError,
  isEmulatorListenError,
  isEmulatorSeedError,
} from './errors.js'
