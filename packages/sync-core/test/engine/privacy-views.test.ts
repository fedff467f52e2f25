/**
 * The privacy views of a page are computed several at a time (so that the disclosure records they write can
 * share commits), while enhancers still run one document at a time in page order, each only after the
 * disclosure record of its view is committed.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createFieldEncryptor,
  createMemoryKeyring,
  createPrivacyToolkit,
  definePolicy,
} from '@edusync/privacy-toolkit'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { privacyPortFromToolkit } from '../../src/engine/privacy-port.js'
import type { PrivacyPort } from '../../src/engine/ports.js'
import type { Enhancer } from '../../src/engine/types.js'
import { mapBounded } from '../../src/engine/util.js'
import { createStore } from '../../src/index.js'
import { sqliteAdapter } from '../../src/sqlite.js'
import { STUDENT_CHILDREN, setup, student } from './helpers/fixture.js'

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('mapBounded', () => {
  it('returns results in input order with at most `limit` calls in flight', async () => {
    let inFlight = 0
    let max = 0
    const out = await mapBounded([5, 1, 4, 2, 3, 0, 6, 2], 3, async (n, i) => {
      inFlight++
      max = Math.max(max, inFlight)
      await turns(n)
      inFlight--
      return `${i}:${n}`
    })
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6', '7:2'])
    expect(max).toBe(3)
  })

  it('starts nothing after a failure and throws the earliest failed item', async () => {
    const started: number[] = []
    const run = mapBounded([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n)
      // Item 1 fails after item 2 has failed: item 1's error is the one reported.
      if (n === 1) {
        await turns(3)
        throw new Error('one')
      }
      if (n === 2) throw new Error('two')
      await turns(1)
      return n
    })
    await expect(run).rejects.toThrow('one')
    expect(started).toEqual([0, 1, 2])
  })
})

describe('privacy views of a page', () => {
  it('are computed concurrently (bounded), while enhancers and audit rows follow page order', async () => {
    let inFlight = 0
    let max = 0
    const requested: string[] = []
    const port: PrivacyPort = {
      async view(_doctype, doc) {
        const name = String(doc.name)
        requested.push(name)
        inFlight++
        max = Math.max(max, inFlight)
        // Later documents finish first.
        await turns(160 - requested.length)
        inFlight--
        // Every 7th student objected: no view.
        return Number(name.slice(-5)) % 7 === 0 ? null : { ...doc }
      },
      seal: async (_d, _n, doc) => doc,
      unseal: async (_d, _n, doc) => doc,
    }
    const ran: string[] = []
    const enhancer: Enhancer = {
      name: 'order',
      doctypes: ['Student'],
      enhance(ctx) {
        ran.push(ctx.name)
        return undefined
      },
    }
    const { engine, erp, store } = setup({ privacy: port, enhancers: [enhancer] })
    // More documents than views in flight at once (128), so the bound is reached and held.
    for (let i = 1; i <= 150; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
    await engine.backfill(['Student'])

    expect(requested).toHaveLength(150)
    expect(max).toBe(128)
    const objected = requested.filter((n) => Number(n.slice(-5)) % 7 === 0)
    expect(ran).toEqual(requested.filter((n) => !objected.includes(n)))
    const skipped = (await store.audit.query({ type: 'enhancer.skipped', limit: 1000 }))
      .sort((a, b) => a.id - b.id)
      .map((a) => a.name)
    expect(skipped).toEqual(objected)
  })

  it('with SQLite (synchronous full), each view reaches its enhancer only after its disclosure is committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edusync-views-'))
    dirs.push(dir)
    const filename = join(dir, 'store.db')
    const store = createStore(sqliteAdapter({ filename, synchronous: 'full' }))
    await store.open()
    const toolkit = createPrivacyToolkit({
      encryptor: createFieldEncryptor({
        keyring: createMemoryKeyring({ keys: { v1: randomBytes(32) } }),
        dataKeys: store.privacy.dataKeys,
      }),
      consent: store.privacy.consent,
      ledger: store.privacy.disclosures,
    })
    const port = privacyPortFromToolkit({
      toolkit,
      viewPolicy: definePolicy({
        name: 'ai-view',
        purpose: 'analytics',
        ai: true,
        doctypes: { Student: { subjectField: 'name', fields: { name: 'keep', first_name: 'keep' } } },
      }),
      storagePolicy: definePolicy({
        name: 'at-rest',
        purpose: 'storage',
        doctypes: { Student: { fields: { student_email_id: 'encrypt' }, otherFields: 'keep' } },
      }),
    })
    // Another connection sees only committed rows.
    const reader = new Database(filename, { readonly: true })
    const committedAtRun: number[] = []
    const ran: string[] = []
    const enhancer: Enhancer = {
      name: 'ledger-check',
      doctypes: ['Student'],
      enhance(ctx) {
        ran.push(ctx.name)
        const row = reader
          .prepare('SELECT count(*) AS c FROM privacy_disclosures WHERE docname = ?')
          .get(ctx.name) as { c: number }
        committedAtRun.push(row.c)
        return undefined
      },
    }
    try {
      const { engine, erp } = setup({ store, privacy: port, enhancers: [enhancer] })
      for (let i = 1; i <= 40; i++) erp.put('Student', student(i), STUDENT_CHILDREN)
      await engine.backfill(['Student'])
      expect(ran).toHaveLength(40)
      expect(committedAtRun).toEqual(ran.map(() => 1))
      expect(reader.prepare('SELECT count(*) AS c FROM privacy_disclosures').get()).toEqual({ c: 40 })
    } finally {
      reader.close()
      await store.close()
    }
  })
})
