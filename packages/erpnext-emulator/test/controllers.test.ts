import { describe, expect, it } from 'vitest'
import { createEmulator } from '../src/index.js'
import { type Harness, conformance, serverMessages } from './harness.js'

type Row = Record<string, unknown>

/** Seconds since midnight of `H:MM:SS`. */
const secs = (t: unknown) => {
  const [h, m, s] = String(t).split(':').map(Number)
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0)
}

/** Pairs of seeded Course Schedules that the Education app would call overlapping. */
function scheduleClashes(schedules: Row[]): string[] {
  const clashes: string[] = []
  for (const field of ['student_group', 'instructor', 'room']) {
    const byKey = new Map<string, Row[]>()
    for (const s of schedules) {
      const key = `${String(s[field])}|${String(s.schedule_date)}`
      const list = byKey.get(key) ?? []
      list.push(s)
      byKey.set(key, list)
    }
    for (const list of byKey.values()) {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i]!
          const b = list[j]!
          const [af, at, bf, bt] = [secs(a.from_time), secs(a.to_time), secs(b.from_time), secs(b.to_time)]
          if (
            (bf > af && bf < at) ||
            (bt > af && bt < at) ||
            (af > bf && af < bt) ||
            (af === bf && at === bt)
          )
            clashes.push(`${String(a.name)} / ${String(b.name)} (${field})`)
        }
      }
    }
  }
  return clashes
}

/** Pairs of a seeded Assessment Plan and a Course Schedule or another plan that the Education app would call overlapping. */
function planClashes(plans: Row[], schedules: Row[]): string[] {
  const overlaps = (a: Row, b: Row) => {
    const [af, at, bf, bt] = [secs(a.from_time), secs(a.to_time), secs(b.from_time), secs(b.to_time)]
    return (
      a.schedule_date === b.schedule_date &&
      ((bf > af && bf < at) || (bt > af && bt < at) || (af > bf && af < bt) || (af === bf && at === bt))
    )
  }
  const clashes: string[] = []
  for (const p of plans) {
    for (const s of schedules)
      if (
        overlaps(p, s) &&
        (p.student_group === s.student_group ||
          p.room === s.room ||
          (p.supervisor && p.supervisor === s.instructor))
      )
        clashes.push(`${String(p.name)} / ${String(s.name)}`)
    for (const q of plans)
      if (
        q !== p &&
        overlaps(p, q) &&
        (p.student_group === q.student_group ||
          p.room === q.room ||
          (p.supervisor && p.supervisor === q.supervisor))
      )
        clashes.push(`${String(p.name)} / ${String(q.name)}`)
  }
  return clashes
}

/** Seeded Student Attendance rows that duplicate another (same student and schedule, or group and date). */
function attendanceDuplicates(rows: Row[]): string[] {
  const seen = new Set<string>()
  const dups: string[] = []
  for (const a of rows) {
    if (a.docstatus === 2) continue
    const key = a.course_schedule
      ? `${String(a.student)}|cs|${String(a.course_schedule)}`
      : `${String(a.student)}|${String(a.student_group)}|${String(a.date)}`
    if (seen.has(key)) dups.push(String(a.name))
    seen.add(key)
  }
  return dups
}

describe('seeds satisfy the Education controller validations', () => {
  it.each(['school-small', 'school-medium'] as const)(
    '%s: no overlapping Course Schedules or Assessment Plans, no duplicate Student Attendance, none outside its academic year or in the future',
    async (seed) => {
      const e = createEmulator({ seed, timeFactor: 0 })
      try {
        const schedules = e.inspect.documents('Course Schedule')
        expect(schedules.length).toBeGreaterThan(0)
        expect(scheduleClashes(schedules)).toEqual([])
        const plans = e.inspect.documents('Assessment Plan')
        expect(plans.length).toBeGreaterThan(0)
        expect(planClashes(plans, schedules)).toEqual([])
        const attendance = e.inspect.documents('Student Attendance')
        expect(attendance.length).toBeGreaterThan(0)
        expect(attendanceDuplicates(attendance)).toEqual([])
        const today = new Date().toISOString().slice(0, 10)
        const years = new Map(e.inspect.documents('Academic Year').map((y) => [String(y.name), y]))
        const yearOf = new Map(
          e.inspect
            .documents('Student Group')
            .map((g) => [String(g.name), years.get(String(g.academic_year))]),
        )
        const misplaced = attendance.filter((a) => {
          const year = yearOf.get(String(a.student_group))
          const date = String(a.date)
          return (
            date > today ||
            (year && (date < String(year.year_start_date) || date > String(year.year_end_date)))
          )
        })
        expect(misplaced.map((a) => `${String(a.name)} ${String(a.date)}`)).toEqual([])
      } finally {
        await e.close()
      }
    },
  )
})

/** Seeded records and a free date (a Saturday far from the seeded school days) for new schedules. */
async function fixtures(h: Harness) {
  const groups = (
    await h.call('/api/resource/Student Group?fields=["name","program"]&limit=0&order_by=name asc')
  ).body.data as { name: string; program: string }[]
  const instructors = (await h.call('/api/resource/Instructor?limit=0&order_by=name asc')).body.data as {
    name: string
  }[]
  const rooms = (await h.call('/api/resource/Room?limit=0&order_by=name asc')).body.data as { name: string }[]
  expect(groups.length).toBeGreaterThan(1)
  expect(instructors.length).toBeGreaterThan(1)
  expect(rooms.length).toBeGreaterThan(1)
  const members = async (group: string) =>
    (await h.call(`/api/resource/Student Group/${encodeURIComponent(group)}`)).body.data.students.map(
      (s: { student: string }) => s.student,
    ) as string[]
  return { groups, instructors, rooms, members }
}

/**
 * The site's clock for these tests: Friday 2024-06-28, in the seeded academic year 2023-24 (2023-08-15 to
 * 2024-06-30). The seeds fill the last school days before it; the tests use January, which they leave free.
 */
const NOW = Date.UTC(2024, 5, 28, 12)

conformance(
  'Education controller validations',
  (h) => {
    const date = '2024-01-13'
    const schedule = (json: Record<string, unknown>) =>
      h().call('/api/resource/Course Schedule', {
        method: 'POST',
        json: { course: 'Mathematics 9', ...json },
      })
    const plan = (json: Record<string, unknown>) =>
      h().call('/api/resource/Assessment Plan', {
        method: 'POST',
        json: {
          assessment_name: 'Quiz',
          assessment_group: 'Term Exams',
          grading_scale: 'Standard Grading',
          course: 'Mathematics 9',
          schedule_date: date,
          maximum_assessment_score: 100,
          assessment_criteria: [
            { assessment_criteria: 'Written Exam', maximum_score: 60 },
            { assessment_criteria: 'Coursework', maximum_score: 40 },
          ],
          ...json,
        },
      })
    /** A 9:00–10:30 lesson on `date`. */
    const morningLesson = (student_group: string, instructor: string, room: string) =>
      schedule({ student_group, instructor, room, schedule_date: date, from_time: '09:00', to_time: '10:30' })

    it('Course Schedule: refuses an overlap for the same student group, instructor or room (OverlapError 417)', async () => {
      const { groups, instructors, rooms } = await fixtures(h())
      const [g0, g1] = [groups[0]!.name, groups[1]!.name]
      const [i0, i1] = [instructors[0]!.name, instructors[1]!.name]
      const [r0, r1] = [rooms[0]!.name, rooms[1]!.name]
      const first = await morningLesson(g0, i0, r0)
      expect(first.status).toBe(200)
      const existing = first.body.data.name as string

      const cases: [Record<string, unknown>, string][] = [
        [
          { student_group: g0, instructor: i1, room: r1, from_time: '10:00', to_time: '11:00' },
          `Student Group ${g0}`,
        ],
        [
          { student_group: g1, instructor: i0, room: r1, from_time: '08:30', to_time: '09:30' },
          `Instructor ${i0}`,
        ],
        [{ student_group: g1, instructor: i1, room: r0, from_time: '09:00', to_time: '10:30' }, `Room ${r0}`],
        [{ student_group: g1, instructor: i1, room: r0, from_time: '09:15', to_time: '10:00' }, `Room ${r0}`],
      ]
      for (const [fields, clash] of cases) {
        const r = await schedule({ schedule_date: date, ...fields })
        expect(r.status).toBe(417)
        expect(r.body.exc_type).toBe('OverlapError')
        expect(r.body.exception).toBe(
          `education.education.utils.OverlapError: This Course Schedule conflicts with ${existing} for ${clash}`,
        )
        expect(serverMessages(r.body)[0]?.message).toBe(
          `This Course Schedule conflicts with ${existing} for ${clash}`,
        )
      }
      // Nothing was stored by the refused inserts.
      const count = await h().call(
        `/api/method/frappe.client.get_count?doctype=Course Schedule&filters=${encodeURIComponent(JSON.stringify({ schedule_date: date }))}`,
      )
      expect(count.body.message).toBe(1)
    })

    it('Course Schedule: touching spans, other dates and unrelated groups/instructors/rooms are accepted', async () => {
      const { groups, instructors, rooms } = await fixtures(h())
      const base = {
        student_group: groups[0]!.name,
        instructor: instructors[0]!.name,
        room: rooms[0]!.name,
      }
      const first = await schedule({ ...base, schedule_date: date, from_time: '09:00', to_time: '10:00' })
      expect(first.status).toBe(200)
      // Back to back with the same group, instructor and room: no overlap.
      expect(
        (await schedule({ ...base, schedule_date: date, from_time: '10:00', to_time: '11:00' })).status,
      ).toBe(200)
      expect(
        (await schedule({ ...base, schedule_date: date, from_time: '8:00', to_time: '9:00' })).status,
      ).toBe(200)
      // Same span on another date.
      expect(
        (await schedule({ ...base, schedule_date: '2024-01-20', from_time: '09:00', to_time: '10:00' }))
          .status,
      ).toBe(200)
      // Same span, nothing shared.
      const other = {
        student_group: groups[1]!.name,
        instructor: instructors[1]!.name,
        room: rooms[1]!.name,
      }
      expect(
        (await schedule({ ...other, schedule_date: date, from_time: '09:00', to_time: '10:00' })).status,
      ).toBe(200)
      // Saving a schedule does not clash with itself.
      const name = first.body.data.name as string
      const saved = await h().call(`/api/resource/Course Schedule/${name}`, {
        method: 'PUT',
        json: { from_time: '09:00', to_time: '09:45' },
      })
      expect(saved.status).toBe(200)
      // Moving it onto another schedule's span is refused.
      const moved = await h().call(`/api/resource/Course Schedule/${name}`, {
        method: 'PUT',
        json: { from_time: '10:15', to_time: '10:45' },
      })
      expect(moved.status).toBe(417)
      expect(moved.body.exc_type).toBe('OverlapError')
    })

    it('Student Attendance: refuses a duplicate for the same student and course schedule (417, Duplicate Entry)', async () => {
      const { groups, instructors, rooms, members } = await fixtures(h())
      const group = groups[0]!.name
      const [student, other] = await members(group)
      const cs = await schedule({
        student_group: group,
        instructor: instructors[0]!.name,
        room: rooms[0]!.name,
        schedule_date: date,
        from_time: '09:00',
        to_time: '10:00',
      })
      const csName = cs.body.data.name as string
      const mark = (s: string, extra: Record<string, unknown> = {}) =>
        h().call('/api/resource/Student Attendance', {
          method: 'POST',
          json: { student: s, course_schedule: csName, status: 'Present', date: '2020-01-01', ...extra },
        })
      const first = await mark(student!)
      expect(first.status).toBe(200)
      // The date and group come from the schedule.
      expect(first.body.data.date).toBe(date)
      expect(first.body.data.student_group).toBe(group)
      expect((await mark(other!)).status).toBe(200)
      const dup = await mark(student!, { status: 'Absent' })
      expect(dup.status).toBe(417)
      expect(dup.body.exc_type).toBe('ValidationError')
      const msg = serverMessages(dup.body)[0]
      expect(msg?.title).toBe('Duplicate Entry')
      expect(msg?.message).toBe(
        `Student Attendance record <a href="/app/student-attendance/${first.body.data.name}">${first.body.data.name}</a> already exists against the Student <strong>${student}</strong>`,
      )
      // A cancelled record no longer counts.
      const firstName = first.body.data.name as string
      expect(
        (
          await h().call(`/api/resource/Student Attendance/${firstName}`, {
            method: 'PUT',
            json: { docstatus: 1 },
          })
        ).status,
      ).toBe(200)
      expect(
        (
          await h().call(`/api/resource/Student Attendance/${firstName}`, {
            method: 'PUT',
            json: { docstatus: 2 },
          })
        ).status,
      ).toBe(200)
      expect((await mark(student!, { status: 'Absent' })).status).toBe(200)
    })

    it('Student Attendance: refuses a duplicate for the same student, group and date; other dates pass', async () => {
      const { groups, members } = await fixtures(h())
      const group = groups[0]!.name
      const [student] = await members(group)
      const mark = (d: string) =>
        h().call('/api/resource/Student Attendance', {
          method: 'POST',
          json: { student, student_group: group, date: d, status: 'Present' },
        })
      const first = await mark('2024-01-15')
      expect(first.status).toBe(200)
      const dup = await mark('2024-01-15')
      expect(dup.status).toBe(417)
      expect(serverMessages(dup.body)[0]?.message).toContain(`${first.body.data.name}</a> already exists`)
      expect((await mark('2024-01-16')).status).toBe(200)
    })

    it("Student Attendance: refuses a date in the default company's holiday list, and needs that list", async () => {
      const { groups, members } = await fixtures(h())
      const group = groups[0]!.name
      const [student] = await members(group)
      const company = (await h().call('/api/resource/Company?fields=["name","default_holiday_list"]')).body
        .data[0] as { name: string; default_holiday_list: string }
      expect(company.default_holiday_list).toBe('EduSync Academy Holidays')
      const setHolidays = await h().call(
        `/api/resource/Holiday List/${encodeURIComponent(company.default_holiday_list)}`,
        { method: 'PUT', json: { holidays: [{ holiday_date: '2024-01-15', description: 'Founders Day' }] } },
      )
      expect(setHolidays.status).toBe(200)
      const mark = (d: string) =>
        h().call('/api/resource/Student Attendance', {
          method: 'POST',
          json: { student, student_group: group, date: d, status: 'Present' },
        })
      const holiday = await mark('2024-01-15')
      expect(holiday.status).toBe(417)
      expect(holiday.body.exc_type).toBe('ValidationError')
      expect(serverMessages(holiday.body)[0]?.message).toBe(
        'Attendance cannot be marked for <strong>15-01-2024</strong> as it is a holiday.',
      )
      expect((await mark('2024-01-16')).status).toBe(200)
      const unset = await h().call(`/api/resource/Company/${encodeURIComponent(company.name)}`, {
        method: 'PUT',
        json: { default_holiday_list: null },
      })
      expect(unset.status).toBe(200)
      const noList = await mark('2024-01-17')
      expect(noList.status).toBe(417)
      expect(serverMessages(noList.body)[0]?.message).toBe(
        `Please set a default Holiday List for Company <strong>${company.name}</strong>`,
      )
    })

    it('Student Attendance: needs a group or schedule, and a student of that group', async () => {
      const { groups, members } = await fixtures(h())
      const [student] = await members(groups[0]!.name)
      const none = await h().call('/api/resource/Student Attendance', {
        method: 'POST',
        json: { student, date: '2024-01-15', status: 'Present' },
      })
      expect(none.status).toBe(417)
      expect(serverMessages(none.body)[0]).toMatchObject({
        title: 'Mandatory Fields',
        message: '<strong>Student Group</strong> or <strong>Course Schedule</strong> is mandatory',
      })
      const outsider = await h().call('/api/resource/Student Attendance', {
        method: 'POST',
        json: { student, student_group: groups[1]!.name, date: '2024-01-15', status: 'Present' },
      })
      expect(outsider.status).toBe(417)
      expect(serverMessages(outsider.body)[0]?.message).toContain(`does not belong to Student Group`)
    })
    it('Student Attendance: refuses a future date and a date outside the academic year', async () => {
      const { groups, members } = await fixtures(h())
      const group = groups[0]!
      const [student] = await members(group.name)
      const mark = (d: string) =>
        h().call('/api/resource/Student Attendance', {
          method: 'POST',
          json: { student, student_group: group.name, date: d, status: 'Present' },
        })
      const future = await mark('2024-06-29')
      expect(future.status).toBe(417)
      expect(future.body.exc_type).toBe('ValidationError')
      expect(serverMessages(future.body)[0]?.message).toBe('Attendance cannot be marked for future dates.')
      const year = (await h().call(`/api/resource/Student Group/${encodeURIComponent(group.name)}`)).body.data
        .academic_year as string
      expect(year).toBe('2023-24')
      const before = await mark('2023-08-14')
      expect(before.status).toBe(417)
      expect(serverMessages(before.body)[0]?.message).toBe(
        'Attendance cannot be marked outside of Academic Year 2023-24',
      )
      // The first day of the year and today are fine.
      expect((await mark('2023-08-15')).status).toBe(200)
      expect((await mark('2024-06-28')).status).toBe(200)
    })

    it('Assessment Plan: refuses an overlap with a Course Schedule or another plan (OverlapError), checked in order', async () => {
      const { groups, instructors, rooms } = await fixtures(h())
      const [g0, g1] = [groups[0]!.name, groups[1]!.name]
      const [r0, r1] = [rooms[0]!.name, rooms[1]!.name]
      const g2 = groups[2]?.name ?? g0
      const r2 = rooms[2]?.name ?? r0
      const i0 = instructors[0]!.name
      const lesson = await morningLesson(g0, i0, r0)
      expect(lesson.status).toBe(200)
      const lessonName = lesson.body.data.name as string
      // Against the lesson: its student group, then its room.
      const byGroup = await plan({ student_group: g0, room: r1, from_time: '10:00', to_time: '11:00' })
      expect(byGroup.status).toBe(417)
      expect(byGroup.body.exc_type).toBe('OverlapError')
      expect(serverMessages(byGroup.body)[0]?.message).toBe(
        `This Assessment Plan conflicts with ${lessonName} for Student Group ${g0}`,
      )
      const byRoom = await plan({ student_group: g1, room: r0, from_time: '09:30', to_time: '10:00' })
      expect(serverMessages(byRoom.body)[0]?.message).toBe(
        `This Assessment Plan conflicts with ${lessonName} for Room ${r0}`,
      )
      // Right after the lesson: fine. Then a plan against that one by supervisor (labelled by its fieldname).
      const first = await plan({
        student_group: g1,
        room: r1,
        supervisor: i0,
        from_time: '10:30',
        to_time: '12:00',
      })
      expect(first.status).toBe(200)
      const firstName = first.body.data.name as string
      const bySupervisor = await plan({
        student_group: g2,
        room: r2,
        supervisor: i0,
        from_time: '11:00',
        to_time: '11:30',
      })
      expect(bySupervisor.status).toBe(417)
      expect(serverMessages(bySupervisor.body)[0]?.message).toBe(
        `This Assessment Plan conflicts with ${firstName} for supervisor ${i0}`,
      )
      // A Course Schedule against the plan: the plan's supervisor is the lesson's instructor.
      const laterLesson = await schedule({
        student_group: g2,
        instructor: i0,
        room: r2,
        schedule_date: date,
        from_time: '11:30',
        to_time: '12:30',
      })
      expect(laterLesson.status).toBe(417)
      expect(laterLesson.body.exc_type).toBe('OverlapError')
      expect(serverMessages(laterLesson.body)[0]?.message).toBe(
        `This Course Schedule conflicts with ${firstName} for supervisor ${i0}`,
      )
    })

    it("Assessment Plan: the criteria's maximum scores must add up to the plan's", async () => {
      const { groups, rooms } = await fixtures(h())
      const res = await plan({
        student_group: groups[0]!.name,
        room: rooms[0]!.name,
        schedule_date: '2024-01-20',
        from_time: '09:00',
        to_time: '10:00',
        assessment_criteria: [
          { assessment_criteria: 'Written Exam', maximum_score: 50 },
          { assessment_criteria: 'Coursework', maximum_score: 40 },
        ],
      })
      expect(res.status).toBe(417)
      expect(res.body.exc_type).toBe('ValidationError')
      expect(serverMessages(res.body)[0]?.message).toBe(
        'Sum of Scores of Assessment Criteria needs to be 100.0.',
      )
    })
  },
  { now: () => NOW },
)
