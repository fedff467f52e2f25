import type { PrivacyPort } from '@edusync/sync-core'
import { type AnalyticsIndex, INDEXED_DOCTYPES } from './analytics-index.js'

/** The part of a `@edusync/sync-core` Store that {@link replayMirror} reads (any `createStore()` fits). */
export interface MirrorSource {
  readonly documents: {
    list(
      doctype: string,
      options?: { after?: { readonly modified: string; readonly name: string } | null; limit?: number },
    ): Promise<{
      readonly items: readonly {
        readonly name: string
        readonly data: Readonly<Record<string, unknown>>
        readonly deleted: boolean
      }[]
      readonly next: { readonly modified: string; readonly name: string } | null
    }>
  }
}

/** Options of {@link replayMirror}. */
export interface ReplayMirrorOptions {
  readonly index: AnalyticsIndex
  /** The engine's store. */
  readonly store: MirrorSource
  /** The engine's privacy port: documents are unsealed, then filtered exactly as for enhancers. */
  readonly privacy: PrivacyPort
  /** @default INDEXED_DOCTYPES */
  readonly doctypes?: readonly string[]
  /** Documents per store page. @default 500 */
  readonly pageSize?: number
  /** Stops the replay between pages. */
  readonly signal?: AbortSignal
}

/**
 * Rebuild an {@link AnalyticsIndex} from the mirror, after a restart: every live mirrored document of the
 * indexed doctypes is unsealed and passed through the privacy view (consent enforced, disclosure logged),
 * then observed. Tombstoned (deleted or erased) documents are skipped. Returns the documents indexed per
 * doctype.
 *
 * @example
 * ```ts
 * const ai = createEducationEnhancers()
 * await replayMirror({ index: ai.index, store, privacy })
 * const engine = createSyncEngine({ ..., store, privacy, enhancers: ai.enhancers })
 * ```
 */
export async function replayMirror(options: ReplayMirrorOptions): Promise<Record<string, number>> {
  const { index, store, privacy } = options ?? ({} as ReplayMirrorOptions)
  if (!index || typeof index.observe !== 'function')
    throw new TypeError(
      '[@edusync/reference-runner] replayMirror(): "index" must come from createAnalyticsIndex().',
    )
  if (!store?.documents || typeof store.documents.list !== 'function')
    throw new TypeError('[@edusync/reference-runner] replayMirror(): "store" must be the engine\'s store.')
  if (!privacy || typeof privacy.view !== 'function' || typeof privacy.unseal !== 'function')
    throw new TypeError(
      '[@edusync/reference-runner] replayMirror(): "privacy" must be the engine\'s privacy port.',
    )
  const pageSize = options.pageSize ?? 500
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 10_000)
    throw new RangeError(
      `[@edusync/reference-runner] replayMirror(): "pageSize" must be an integer from 1 to 10000, got ${String(options.pageSize)}.`,
    )
  const counts: Record<string, number> = {}
  for (const doctype of options.doctypes ?? INDEXED_DOCTYPES) {
    let after: { modified: string; name: string } | null = null
    let count = 0
    do {
      options.signal?.throwIfAborted()
      const page: Awaited<ReturnType<MirrorSource['documents']['list']>> = await store.documents.list(
        doctype,
        {
          after,
          limit: pageSize,
        },
      )
      for (const item of page.items) {
        if (item.deleted) continue
        const plain = await privacy.unseal(doctype, item.name, item.data)
        const view = await privacy.view(doctype, plain)
        if (view !== null && index.observe(doctype, item.name, view)) count++
      }
      after = page.next
    } while (after !== null)
    counts[doctype] = count
  }
  return counts
}
