import type { ERPNextClient } from '@edusync/erpnext-client'
import type { BulkUpdateFailure, ErpDoc, ErpnextPort } from './ports.js'

/** Reads go as POST (arguments in the body, no URL length limit) but are still retried as read-only. */
const READ_AS_POST = { verb: 'POST', safe: true } as const

/** The part of an `@edusync/erpnext-client` client the engine uses. */
export type EngineClient = Pick<ERPNextClient, 'call' | 'bulkUpdate' | 'insertMany'>

/**
 * Adapt an `@edusync/erpnext-client` client to the engine's {@link ErpnextPort}. Lists go through
 * `frappe.client.get_list` as a POST with the arguments in the body, so a `name in [...]` filter of hundreds
 * of names is still one request (and the client retries it as a safe, read-only method); `bulk_update` and
 * `insert_many` go through the client's bulk API, one request per call.
 *
 * @example
 * ```ts
 * import { createClient } from '@edusync/erpnext-client'
 * const client = erpnextPortFromClient(createClient({ url, auth: { type: 'token', key, secret } }))
 * ```
 */
export function erpnextPortFromClient(client: EngineClient): ErpnextPort {
  if (
    client === null ||
    typeof client !== 'object' ||
    typeof client.call !== 'function' ||
    typeof client.bulkUpdate !== 'function' ||
    typeof client.insertMany !== 'function'
  )
    throw new TypeError(
      '[@edusync/sync-core] erpnextPortFromClient() needs an @edusync/erpnext-client client.',
    )
  return {
    async list(doctype, request) {
      const rows = await client.call(
        'frappe.client.get_list',
        {
          doctype,
          fields: request.fields,
          ...(request.filters && request.filters.length > 0 ? { filters: request.filters } : {}),
          order_by: request.orderBy,
          limit_start: request.limitStart ?? 0,
          limit_page_length: request.limit,
          ...(request.parent ? { parent: request.parent } : {}),
        },
        READ_AS_POST,
      )
      return rows as ErpDoc[]
    },
    async count(doctype, filters) {
      return client.call(
        'frappe.client.get_count',
        {
          doctype,
          ...(filters && filters.length > 0 ? { filters } : {}),
        },
        READ_AS_POST,
      )
    },
    async bulkUpdate(items) {
      if (items.length === 0) return []
      const summary = await client.bulkUpdate(
        items.map((i) => ({ ...i.fields, doctype: i.doctype, docname: i.docname, modified: i.modified })),
        { chunkSize: items.length },
      )
      return summary.failed.map(
        (f): BulkUpdateFailure => ({
          doctype: f.doctype,
          docname: f.docname,
          timestampMismatch: f.excType === 'TimestampMismatchError',
          // Only the exception class: the traceback may echo field values.
          error: f.excType ?? f.error.code,
        }),
      )
    },
    async insertMany(doctype, docs) {
      if (docs.length === 0) return []
      const summary = await client.insertMany(doctype, docs, { chunkSize: docs.length })
      if (!summary.complete) {
        const failed = summary.chunks.find((c) => c.status === 'failed')
        throw failed && 'error' in failed
          ? failed.error
          : new Error('insert_many did not insert every document')
      }
      return [...summary.names]
    },
  }
}
