import type { DocTypeMeta } from '@edusync/doctype-schemas'
import type { EmulatorDocTypeMeta } from '../src/index.js'
import { expectTypeOf } from 'vitest'
import {
  type Emulator,
  type RunningEmulator,
  type WebhookDelivery,
  createEmulator,
  startEmulator,
} from '../src/index.js'
import { createHandlers } from '../src/msw.js'

expectTypeOf(createEmulator).returns.toEqualTypeOf<Emulator>()
expectTypeOf(startEmulator).returns.resolves.toEqualTypeOf<RunningEmulator>()
expectTypeOf<Emulator['handle']>().parameters.toEqualTypeOf<[Request]>()
expectTypeOf<Emulator['handle']>().returns.resolves.toEqualTypeOf<Response>()
expectTypeOf<ReturnType<Emulator['inspect']['webhookDeliveries']>>().toEqualTypeOf<
  readonly WebhookDelivery[]
>()
expectTypeOf(createHandlers).returns.toBeArray()

// @ts-expect-error seed must be a known dataset name
createEmulator({ seed: 'school-huge' })
// @ts-expect-error fault status must be a 5xx the emulator injects
createEmulator({ faults: { routes: [{ status: 404 }] } })

// Metadata from @edusync/doctype-schemas can be registered as is.
expectTypeOf<DocTypeMeta>().toExtend<EmulatorDocTypeMeta>()
