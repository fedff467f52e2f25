import { type PrivacyPort, createStore } from '@edusync/sync-core'
import { memoryAdapter } from '@edusync/sync-core/memory'
import { describe, expect, it } from 'vitest'
import { createAnalyticsIndex, replayMirror } from '../../src/enhancers/index.js'
import { OTHER_STUDENT, STUDENT, attendanceView } from './fixtures.js'

/** A privacy port that refuses the view of OTHER_STUDENT's documents (consent withdrawn). */
const privacy: PrivacyPort = {
  view: (_d, doc) => (doc.student === OTHER_STUDENT ? null : { ...doc }),
  seal: (_d, _n, doc) => ({ ...doc }),
  unseal: (_d, _n, doc) => ({ ...doc }),
}

async function mirror() {
  const store = createStore(memoryAdapter())
  for (const [i, date] of ['2024-03-04', '2024-03-05', '2024-03-06'].entries())
    await store.documents.upsert({
      doctype: 'Student Attendance',
      name: `EDU-ATT-2024-0000${i}`,
      data: attendanceView(date, 'Present'),
      modified: `${date} 09:00:00`,
    })
  await store.documents.upsert({
    doctype: 'Student Attendance',
    name: 'EDU-ATT-2024-00009',
    data: attendanceView('2024-03-04', 'Absent', { student: OTHER_STUDENT }),
    modified: '2024-03-04 09:00:00',
  })
  return store
}

describe('replayMirror', () => {
  it('indexes every live mirrored document across pages', async () => {
    const store = await mirror()
    const index = createAnalyticsIndex()
    const counts = await replayMirror({
      index,
      store,
      privacy,
      pageSize: 2,
      doctypes: ['Student Attendance'],
    })
    expect(counts).toEqual({ 'Student Attendance': 3 })
    expect(index.attendanceOf(STUDENT)).toHaveLength(3)
  })

  it('skips documents whose view consent forbids', async () => {
    const index = createAnalyticsIndex()
    await replayMirror({ index, store: await mirror(), privacy })
    expect(index.attendanceOf(OTHER_STUDENT)).toEqual([])
  })

  it('skips tombstoned documents', async () => {
    const store = await mirror()
    await store.documents.markDeleted('Student Attendance', 'EDU-ATT-2024-00000')
    const index = createAnalyticsIndex()
    await replayMirror({ index, store, privacy })
    expect(index.attendanceOf(STUDENT)).toHaveLength(2)
  })

  it('stops when aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      replayMirror({
        index: createAnalyticsIndex(),
        store: await mirror(),
        privacy,
        signal: controller.signal,
      }),
    ).rejects.toThrow()
  })

  it('names a bad pageSize', async () => {
    await expect(
      replayMirror({ index: createAnalyticsIndex(), store: await mirror(), privacy, pageSize: 0 }),
    ).rejects.toThrow(/"pageSize" must be an integer from 1 to 10000/)
  })

  it('names a missing privacy port', async () => {
    await expect(
      replayMirror({ index: createAnalyticsIndex(), store: await mirror(), privacy: undefined as never }),
    ).rejects.toThrow(TypeError)
  })
})
