import { expectTypeOf } from 'vitest'
import type {
  EngineStoreAreas,
  Enhancement,
  EraseResult,
  LeasedTask,
  StorageAreas,
  SyncEngine,
} from '../../src/index.js'

declare const engine: SyncEngine

engine.on('document.applied', (e) => {
  expectTypeOf(e.doctype).toEqualTypeOf<string>()
  expectTypeOf(e.latencyMs).toEqualTypeOf<number | null>()
})
engine.on('circuit.changed', (e) => {
  expectTypeOf(e.state).toEqualTypeOf<'closed' | 'open' | 'half-open'>()
})
engine.on('backfill.progress', (p) => {
  expectTypeOf(p.etaMs).toEqualTypeOf<number | null>()
})
// @ts-expect-error unknown event
engine.on('nope', () => undefined)
// @ts-expect-error payload mismatch
engine.on('document.deleted', (e: { state: string }) => e)
expectTypeOf(engine.on('review.created', () => undefined)).toEqualTypeOf<() => void>()
expectTypeOf(engine.get('Student', 'x')).resolves.toEqualTypeOf<Record<string, unknown>>()
// @ts-expect-error unknown level
void engine.reconcile('medium')

expectTypeOf(engine.reenhance('Student', ['S-1'])).resolves.toEqualTypeOf<{ enhance: number; pull: number }>()
// @ts-expect-error names are an array
engine.reenhance('Student', 'S-1')
const refreshing: Enhancement = { refresh: [{ doctype: 'Student', name: 'S-1' }] }
expectTypeOf(refreshing.refresh).toEqualTypeOf<
  readonly { readonly doctype: string; readonly name: string }[] | undefined
>()

expectTypeOf(engine.privacy.erase('Student', 'S-1', 'dsr-1')).resolves.toEqualTypeOf<EraseResult>()
expectTypeOf<EraseResult['documents'][number]>().toEqualTypeOf<{
  readonly doctype: string
  readonly count: number
}>()

// The engine's store areas are the storage contract's own methods: every adapter's areas fit as they are.
declare const areas: StorageAreas
const engineAreas: EngineStoreAreas = areas
expectTypeOf(engineAreas.queue.lease).returns.resolves.toEqualTypeOf<LeasedTask[]>()
expectTypeOf(engineAreas.reviews.purgeDocuments).toEqualTypeOf<
  ((doctype: string, names: readonly string[]) => Promise<number>) | undefined
>()
