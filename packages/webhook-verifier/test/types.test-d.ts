import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { expectTypeOf } from 'vitest'
import { erpnextWebhook as expressWebhook } from '../src/express.js'
import { erpnextWebhookPlugin } from '../src/fastify.js'
import { createFetchHandler } from '../src/fetch.js'
import { erpnextWebhook as honoWebhook } from '../src/hono.js'
import * as node from '../src/node.js'
import * as web from '../src/web.js'

interface StudentEvent {
  doctype: 'Student'
  name: string
}
const parse = (v: unknown): StudentEvent => v as StudentEvent

// parse() types the payload, on both implementations.
const nodeVerifier = node.createERPNextVerifier({ secret: 's', parse })
expectTypeOf(nodeVerifier.verify).returns.resolves.toEqualTypeOf<node.VerifiedWebhook<StudentEvent>>()
expectTypeOf(nodeVerifier.verifySync).returns.toEqualTypeOf<node.VerifiedWebhook<StudentEvent>>()
const webVerifier = web.createERPNextVerifier({ secret: 's', parse })
expectTypeOf(webVerifier.verify).returns.resolves.toEqualTypeOf<web.VerifiedWebhook<StudentEvent>>()
// The Web Crypto build has no synchronous path.
// @ts-expect-error verifySync exists only on the Node build
webVerifier.verifySync

// Without parse the payload is unknown.
expectTypeOf(node.verifyERPNextWebhookSync({ body: '', headers: {}, secret: 's' }).payload).toBeUnknown()
expectTypeOf(web.verifyERPNextWebhook<StudentEvent>)
  .returns.resolves.toHaveProperty('payload')
  .toEqualTypeOf<StudentEvent>()

// A parsed object is not a raw body.
// @ts-expect-error body must be raw bytes or text
void web.verifyERPNextWebhook({ body: { a: 1 }, headers: {}, secret: 's' })
// Headers in every common shape.
void web.verifyERPNextWebhook({ body: new Uint8Array(), headers: new Headers(), secret: ['a', 'b'] })
void web.verifyERPNextWebhook({
  body: new ArrayBuffer(0),
  headers: { 'x-a': ['1', '2'], 'x-b': undefined },
  secret: 's',
})

// Seen-stores: async stores fit SeenStore; only boolean-returning stores fit SyncSeenStore.
const asyncStore = { markSeen: async (_id: string, _ttl: number) => true }
expectTypeOf(asyncStore).toExtend<node.SeenStore>()
expectTypeOf(asyncStore).not.toExtend<node.SyncSeenStore>()
expectTypeOf(new node.MemorySeenStore()).toExtend<node.SyncSeenStore>()

// The guard narrows to the class of the code.
declare const error: unknown
if (node.isWebhookVerificationError(error, 'replayed')) {
  expectTypeOf(error).toEqualTypeOf<node.ReplayedError>()
  expectTypeOf(error.reason).toEqualTypeOf<node.ReplayReason>()
}
if (node.isWebhookVerificationError(error))
  expectTypeOf(error.code).toEqualTypeOf<node.WebhookVerificationErrorCode>()
expectTypeOf<node.TooLargeError['code']>().toEqualTypeOf<'too_large'>()

// Standard Webhooks
expectTypeOf(web.verifyStandardWebhook<StudentEvent>).returns.resolves.toEqualTypeOf<
  web.VerifiedStandardWebhook<StudentEvent>
>()

// Adapters plug into the real frameworks' types.
const app = express()
app.post(
  '/erpnext',
  expressWebhook({
    secret: 's',
    parse,
    onEvent: (e) => expectTypeOf(e.payload).toEqualTypeOf<StudentEvent>(),
  }),
)
const hono = new Hono()
hono.post('/erpnext', honoWebhook({ secret: 's', onEvent: () => {} }))
void Fastify().register(erpnextWebhookPlugin({ secret: 's', onEvent: () => {} }))
expectTypeOf(createFetchHandler({ secret: 's', onEvent: () => {} })).toEqualTypeOf<
  (request: Request) => Promise<Response>
>()
