import { describe, expect, it } from 'vitest'
import {
  type ScheduleRecord,
  findScheduleConflicts,
  resolveFreeSlotOptions,
  suggestFreeSlots,
  toScheduleRecord,
} from '../../src/enhancers/index.js'
import { INSTRUCTOR, OTHER_INSTRUCTOR, scheduleView } from './fixtures.js'

const rec = (name: string, from: string, to: string, extra: Record<string, unknown> = {}): ScheduleRecord =>
  toScheduleRecord(name, scheduleView(from, to, extra))!

/** A valid fixture: a conflict-free Monday for Grade 7 - A in room 1 with one instructor. */
const monday = () => [
  rec('EDU-CSH-2024-00001', '8:00:00', '9:30:00'),
  rec('EDU-CSH-2024-00002', '9:30:00', '11:00:00', { course: 'Science' }),
  rec('EDU-CSH-2024-00003', '13:00:00', '14:30:00', { course: 'English' }),
]

describe('toScheduleRecord', () => {
  it('reads the unpadded H:MM:SS times ERPNext returns', () => {
    expect(rec('EDU-CSH-2024-00001', '9:05:00', '10:35:00')).toMatchObject({
      date: '2024-03-04',
      from: 9 * 3600 + 300,
      to: 10 * 3600 + 35 * 60,
      instructor: INSTRUCTOR,
      room: 'HTL-ROOM-2024-00001',
      studentGroup: 'Grade 7 - A',
    })
  })

  it('rejects a schedule that ends before it starts', () => {
    expect(toScheduleRecord('X', scheduleView('10:00:00', '9:00:00'))).toBeUndefined()
  })

  it('rejects a schedule without a date', () => {
    expect(
      toScheduleRecord('X', scheduleView('9:00:00', '10:00:00', { schedule_date: null })),
    ).toBeUndefined()
  })
})

describe('findScheduleConflicts', () => {
  it('finds nothing in a conflict-free day (back-to-back classes do not overlap)', () => {
    expect(findScheduleConflicts(monday())).toEqual([])
  })

  it('reports an instructor teaching two groups in two rooms at once', () => {
    const clash = rec('EDU-CSH-2024-00004', '10:00:00', '11:00:00', {
      student_group: 'Grade 8 - B',
      room: 'HTL-ROOM-2024-00002',
    })
    expect(findScheduleConflicts([...monday(), clash])).toEqual([
      {
        kind: 'instructor',
        resource: INSTRUCTOR,
        date: '2024-03-04',
        first: 'EDU-CSH-2024-00002',
        second: 'EDU-CSH-2024-00004',
        overlapFrom: '10:00:00',
        overlapTo: '11:00:00',
      },
    ])
  })

  it('reports a room double-booked by two instructors', () => {
    const clash = rec('EDU-CSH-2024-00004', '13:30:00', '15:00:00', {
      instructor: OTHER_INSTRUCTOR,
      student_group: 'Grade 8 - B',
    })
    const conflicts = findScheduleConflicts([...monday(), clash])
    expect(conflicts.map((c) => [c.kind, c.resource, c.overlapFrom, c.overlapTo])).toEqual([
      ['room', 'HTL-ROOM-2024-00001', '13:30:00', '14:30:00'],
    ])
  })

  it('reports a group in two places at once', () => {
    const clash = rec('EDU-CSH-2024-00004', '8:30:00', '9:00:00', {
      instructor: OTHER_INSTRUCTOR,
      room: 'HTL-ROOM-2024-00002',
    })
    expect(findScheduleConflicts([...monday(), clash]).map((c) => c.kind)).toEqual(['student_group'])
  })

  it('does not compare different dates', () => {
    const tuesday = rec('EDU-CSH-2024-00004', '8:00:00', '9:30:00', { schedule_date: '2024-03-05' })
    expect(findScheduleConflicts([...monday(), tuesday])).toEqual([])
  })

  it('reports every pair when three classes overlap', () => {
    const a = rec('A', '9:00:00', '12:00:00', { room: 'R1', student_group: 'G1' })
    const b = rec('B', '10:00:00', '11:00:00', { room: 'R2', student_group: 'G2' })
    const c = rec('C', '10:30:00', '11:30:00', { room: 'R3', student_group: 'G3' })
    expect(findScheduleConflicts([c, b, a]).map((x) => `${x.first}-${x.second}`)).toEqual([
      'A-B',
      'A-C',
      'B-C',
    ])
  })

  it('scales to a school timetable without comparing all pairs', () => {
    const many: ScheduleRecord[] = []
    for (let day = 1; day <= 20; day++)
      for (let g = 0; g < 100; g++)
        for (let p = 0; p < 6; p++)
          many.push({
            name: `S-${day}-${g}-${p}`,
            date: `2024-04-${String(day).padStart(2, '0')}`,
            from: (8 + p) * 3600,
            to: (9 + p) * 3600,
            instructor: `I${(g + p) % 100}`,
            room: `R${g}`,
            studentGroup: `G${g}`,
            course: `C${p}`,
          })
    expect(findScheduleConflicts(many)).toEqual([])
  })
})

describe('suggestFreeSlots', () => {
  const busy = monday()

  it('suggests the free slots of the needed length before 17:00, earliest first', () => {
    expect(suggestFreeSlots('2024-03-04', 90 * 60, busy)).toEqual([
      { date: '2024-03-04', from_time: '11:00:00', to_time: '12:30:00' },
      { date: '2024-03-04', from_time: '14:30:00', to_time: '16:00:00' },
    ])
  })

  it('respects a custom day and limit', () => {
    const o = resolveFreeSlotOptions({ dayStart: '7:00:00', dayEnd: '18:00:00', limit: 4 })
    expect(suggestFreeSlots('2024-03-04', 60 * 60, busy, o).map((s) => s.from_time)).toEqual([
      '7:00:00',
      '11:00:00',
      '12:00:00',
      '14:30:00',
    ])
  })

  it('aligns a slot after an odd end time to the grid', () => {
    const odd = [{ from: 8 * 3600, to: 8 * 3600 + 50 * 60 }]
    expect(suggestFreeSlots('2024-03-04', 30 * 60, odd)[0]?.from_time).toBe('9:00:00')
  })

  it('returns nothing when the day is full', () => {
    expect(suggestFreeSlots('2024-03-04', 60 * 60, [{ from: 0, to: 24 * 3600 }])).toEqual([])
  })

  it('validates its options', () => {
    expect(() => resolveFreeSlotOptions({ dayEnd: '7:00:00' })).toThrow(
      /"dayEnd" must be a time H:MM:SS after "dayStart"/,
    )
    expect(() => resolveFreeSlotOptions({ stepMinutes: 0 })).toThrow(/"stepMinutes"/)
  })
})
