/**
 * The enhancers inside the real sync engine: the @edusync/erpnext-emulator HTTP server on loopback with a
 * seeded school, the real @edusync/erpnext-client, the memory store, and the privacy boundary configured
 * as the runner configures it (pseudonymous ids, PII dropped). Everything the AI layer writes back is
 * read from the emulator.
 */
import { randomBytes } from 'node:crypto'
import { fieldClassification } from '@edusync/doctype-schemas'
import { createClient } from '@edusync/erpnext-client'
import { type RunningEmulator, startEmulator } from '@edusync/erpnext-emulator'
import {
  atRestPolicy,
  createFieldEncryptor,
  createMemoryKeyring,
  createPrivacyToolkit,
  createPseudonymizer,
  defaultEducationPolicy,
} from '@edusync/privacy-toolkit'
import {
  type SyncEngine,
  createStore,
  createSyncEngine,
  educationDoctypes,
  erpnextPortFromClient,
  privacyPortFromToolkit,
} from '@edusync/sync-core'
import { memoryAdapter } from '@edusync/sync-core/memory'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type EducationEnhancers,
  createAnalyticsIndex,
  createEducationEnhancers,
  replayMirror,
} from '../../src/enhancers/index.js'

const DOCTYPES = [
  'Assessment Plan',
  'Course Schedule',
  'Student Attendance',
  'Assessment Result',
  'Course',
  'Instructor',
  'Student',
  'Program Enrollment',
  'Assessment Insight',
]

let erp: RunningEmulator
let engine: SyncEngine
let ai: EducationEnhancers
let replay: () => Promise<{ counts: Record<string, number>; index: ReturnType<typeof createAnalyticsIndex> }>

const json = (value: unknown): any => (typeof value === 'string' ? JSON.parse(value) : value)

beforeAll(async () => {
  erp = await startEmulator({ seed: 'school-small', seedSize: 12, installAi: true, timeFactor: 0.001 })
  const client = createClient({
    url: erp.url,
    auth: { type: 'token', apiKey: erp.credentials.admin.apiKey, apiSecret: erp.credentials.admin.apiSecret },
    retry: { attempts: 2, minDelay: 5, maxDelay: 20 },
  } as never)
  const store = createStore(memoryAdapter())
  const toolkit = createPrivacyToolkit({
    encryptor: createFieldEncryptor({
      keyring: createMemoryKeyring({ keys: { v1: randomBytes(32) } }),
      dataKeys: store.privacy.dataKeys,
    }),
    pseudonymizer: createPseudonymizer({
      keyring: createMemoryKeyring({ keys: { v1: randomBytes(32) } }),
      store: store.privacy.reidentification,
    }),
    consent: store.privacy.consent,
    ledger: store.privacy.disclosures,
  })
  const doctypes = educationDoctypes(DOCTYPES)
  const childTables: Record<string, Record<string, string>> = {}
  for (const [d, c] of Object.entries(doctypes)) if (c.children) childTables[d] = { ...c.children }
  ai = createEducationEnhancers({ now: () => Date.UTC(2024, 2, 20, 9, 15, 0) })
  const privacy = privacyPortFromToolkit({
    toolkit,
    viewPolicy: defaultEducationPolicy(fieldClassification, { childTables }),
    storagePolicy: atRestPolicy(fieldClassification),
  })
  replay = async () => {
    const index = createAnalyticsIndex()
    return { counts: await replayMirror({ index, store, privacy, pageSize: 50 }), index }
  }
  engine = createSyncEngine({
    client: erpnextPortFromClient(client),
    store,
    doctypes,
    privacy,
    enhancers: ai.enhancers,
  })
  // Related documents first, the documents that aggregate them after (see the README: the engine has no
  // "re-enhance" call yet, so a Student enhanced before its attendance arrives is refreshed only when it
  // changes again).
  for (const doctype of DOCTYPES.slice(0, -1)) await engine.backfill([doctype])
  await engine.drain()
}, 60_000)

afterAll(async () => {
  await engine?.stop()
  await erp?.close()
})

describe('the education enhancers in the sync engine', () => {
  it('inserts one Assessment Insight per Assessment Result, linked and timestamped', () => {
    const results = erp.emulator.inspect.documents('Assessment Result')
    const insights = erp.emulator.inspect.documents('Assessment Insight')
    expect(results.length).toBeGreaterThan(0)
    expect(insights).toHaveLength(results.length)
    const names = new Set(results.map((r) => String(r.name)))
    for (const i of insights) {
      expect(names.has(String(i.assessment_result))).toBe(true)
      expect(String(i.generated_timestamp)).toBe('2024-03-20 09:15:00')
      expect(Array.isArray(json(i.learning_gaps))).toBe(true)
      expect(
        json(i.ai_analysis)
          .criteria.map((c: { criterion: string }) => c.criterion)
          .sort(),
      ).toEqual(['Coursework', 'Written Exam'])
    }
  })

  it('writes score trends and attendance early warnings into every Student', () => {
    const students = erp.emulator.inspect.documents('Student')
    expect(students.length).toBeGreaterThan(0)
    for (const s of students) {
      const insights = json(s.ai_performance_insights)
      expect(insights).toMatchObject({
        version: 1,
        trend: expect.any(String),
        confidence: expect.any(Number),
      })
      expect(insights.attendance.schoolDays).toBeGreaterThan(0)
      expect(['none', 'watch', 'warning', 'critical']).toContain(insights.earlyWarning.level)
    }
  })

  it('profiles the difficulty of every course that has results', () => {
    const assessed = new Set(erp.emulator.inspect.documents('Assessment Result').map((r) => String(r.course)))
    for (const c of erp.emulator.inspect.documents('Course').filter((c) => assessed.has(String(c.name)))) {
      const profile = json(c.ai_difficulty_profile)
      expect(profile.results).toBeGreaterThan(0)
      expect(profile.histogram.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(
        profile.results,
      )
    }
  })

  it('writes class metrics into every Instructor who teaches', () => {
    const teaching = new Set(
      erp.emulator.inspect.documents('Course Schedule').map((s) => String(s.instructor)),
    )
    const instructors = erp.emulator.inspect
      .documents('Instructor')
      .filter((i) => teaching.has(String(i.name)))
    expect(instructors.length).toBeGreaterThan(0)
    for (const i of instructors) expect(json(i.ai_performance_metrics).sessions).toBeGreaterThan(0)
  })

  it('never writes a name, e-mail address or document id of a person', () => {
    const written: string[] = []
    for (const s of erp.emulator.inspect.documents('Student'))
      written.push(String(s.ai_performance_insights ?? ''))
    for (const p of erp.emulator.inspect.documents('Program Enrollment'))
      written.push(String(p.ai_progress_tracking ?? ''), String(p.ai_intervention_history ?? ''))
    for (const i of erp.emulator.inspect.documents('Instructor'))
      written.push(String(i.ai_performance_metrics ?? ''))
    for (const i of erp.emulator.inspect.documents('Assessment Insight'))
      written.push(JSON.stringify({ ...i, assessment_result: '', name: '', idempotency_key: '' }))
    const text = written.join('\n')
    for (const s of erp.emulator.inspect.documents('Student')) {
      for (const v of [s.name, s.student_name, s.student_email_id, s.student_mobile_number])
        if (typeof v === 'string' && v.length > 3) expect(text).not.toContain(v)
    }
    for (const i of erp.emulator.inspect.documents('Instructor'))
      for (const v of [i.name, i.instructor_name])
        if (typeof v === 'string' && v.length > 3) expect(text).not.toContain(v)
  })

  it('rebuilds the same index from the mirror after a restart', async () => {
    const { counts, index } = await replay()
    const size = ai.index.size()
    expect(counts).toEqual({
      'Student Attendance': size.attendance,
      'Assessment Result': size.results,
      'Course Schedule': size.schedules,
      'Assessment Plan': size.plans,
    })
    expect(size.attendance).toBeGreaterThan(0)
    // pseudonyms are keyed, so the replayed index answers for the same student pseudonym
    const { student } = ai.index.resultsOfCourse(
      String(erp.emulator.inspect.documents('Assessment Result')[0]!.course),
    )[0]!
    expect(index.attendanceOf(student)).toHaveLength(ai.index.attendanceOf(student).length)
    expect(index.resultsOfStudent(student).map((r) => r.date)).toEqual(
      ai.index.resultsOfStudent(student).map((r) => r.date),
    )
  })

  it('does not insert an insight twice when everything is synced again', async () => {
    const before = erp.emulator.inspect.documents('Assessment Insight').length
    await engine.backfill(['Assessment Result'], { restart: true })
    await engine.drain()
    expect(erp.emulator.inspect.documents('Assessment Insight')).toHaveLength(before)
  })
})
