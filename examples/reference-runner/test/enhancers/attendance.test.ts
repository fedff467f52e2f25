import { describe, expect, it } from 'vitest'
import {
  type AttendanceRecord,
  analyzeAttendance,
  resolveAttendanceThresholds,
  toAttendanceRecord,
} from '../../src/enhancers/index.js'
import { SCHOOL_DAYS, attendanceView } from './fixtures.js'

const present = (dates: readonly string[]): AttendanceRecord[] =>
  dates.map((date) => ({ date, status: 'Present' }))

/** A valid fixture: 12 school days, all present. */
const valid = present(SCHOOL_DAYS)
/** 28 earlier school days, all present (keeps the overall rate high). */
const january = present(Array.from({ length: 28 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`))

describe('analyzeAttendance', () => {
  it('reports a full record as rate 1 with no warning', () => {
    const a = analyzeAttendance(valid)
    expect(a).toMatchObject({
      records: 12,
      present: 12,
      absent: 0,
      rate: 1,
      recentRate: 1,
      schoolDays: 12,
      longestAbsenceStreak: 0,
      currentAbsenceStreak: 0,
      firstDate: '2024-03-04',
      lastDate: '2024-03-19',
      level: 'none',
      reasons: [],
    })
  })

  it('raises a warning for an ongoing streak of three absent school days across a weekend', () => {
    const records = valid.map((r) =>
      ['2024-03-14', '2024-03-15', '2024-03-18'].includes(r.date) ? { ...r, status: 'Absent' as const } : r,
    )
    records.pop() // 2024-03-19 not yet marked: the streak reaches the latest day
    const a = analyzeAttendance([...january, ...records])
    expect(a.currentAbsenceStreak).toBe(3)
    expect(a.streaks).toEqual([{ from: '2024-03-14', to: '2024-03-18', days: 3 }])
    expect(a.level).toBe('warning')
    expect(a.reasons.map((r) => r.code)).toContain('absence_streak')
  })

  it('makes a streak of five critical', () => {
    const records = valid.map((r, i) => (i >= 7 ? { ...r, status: 'Absent' as const } : r))
    const a = analyzeAttendance(records)
    expect(a.currentAbsenceStreak).toBe(5)
    expect(a.level).toBe('critical')
  })

  it('only watches a past streak the student has returned from', () => {
    const records = valid.map((r, i) => (i >= 2 && i <= 4 ? { ...r, status: 'Absent' as const } : r))
    const a = analyzeAttendance(records)
    expect(a.currentAbsenceStreak).toBe(0)
    expect(a.longestAbsenceStreak).toBe(3)
    expect(a.reasons.find((r) => r.code === 'past_absence_streak')?.level).toBe('watch')
  })

  it('treats Leave as excused: out of the rate, neither breaking nor extending a streak', () => {
    const statuses = ['Absent', 'Leave', 'Absent', 'Absent'] as const
    const records = valid.map((r, i) => (i >= 8 ? { ...r, status: statuses[i - 8]! } : r))
    const a = analyzeAttendance(records)
    expect(a.leave).toBe(1)
    expect(a.rate).toBeCloseTo(8 / 11, 4)
    expect(a.currentAbsenceStreak).toBe(3)
  })

  it('counts a day with any Present session as attended for streaks, but every session for the rate', () => {
    const records = [
      ...valid,
      { date: '2024-03-19', status: 'Absent' as const },
      { date: '2024-03-18', status: 'Absent' as const },
    ]
    const a = analyzeAttendance(records)
    expect(a.records).toBe(14)
    expect(a.rate).toBeCloseTo(12 / 14, 4)
    expect(a.currentAbsenceStreak).toBe(0)
  })

  it('does not judge the rate before minRecords sessions', () => {
    const a = analyzeAttendance([
      { date: '2024-03-04', status: 'Present' },
      { date: '2024-03-05', status: 'Absent' },
    ])
    expect(a.rate).toBe(0.5)
    expect(a.level).toBe('none')
  })

  it('grades a low rate against configurable thresholds', () => {
    const records = valid.map((r, i) => (i % 4 === 0 ? { ...r, status: 'Absent' as const } : r))
    // 9 of 12 = 75 %: below the warning rate (85 %), not below the critical rate (75 %)
    expect(analyzeAttendance(records).level).toBe('warning')
    expect(analyzeAttendance(records, resolveAttendanceThresholds({ criticalRate: 0.8 })).level).toBe(
      'critical',
    )
  })

  it('flags a recent drop even when the overall rate is fine', () => {
    // 28 January days, all present, twice (two sessions a day); then 10 recent days with 4 absences.
    const recent = SCHOOL_DAYS.slice(0, 10).map(
      (date, i) => ({ date, status: i < 4 ? 'Absent' : 'Present' }) as const,
    )
    const a = analyzeAttendance([...january, ...january, ...recent])
    expect(a.rate).toBeGreaterThan(0.9)
    expect(a.recentRate).toBe(0.6)
    expect(a.reasons.map((r) => r.code)).toContain('low_recent_rate')
  })

  it('is deterministic whatever the input order', () => {
    const records = valid.map((r, i) => (i % 3 === 0 ? { ...r, status: 'Absent' as const } : r))
    expect(analyzeAttendance([...records].reverse())).toEqual(analyzeAttendance(records))
  })

  it('returns an empty analysis for no records', () => {
    expect(analyzeAttendance([])).toMatchObject({ records: 0, rate: null, level: 'none', firstDate: null })
  })

  it('never puts a document name or student id into the reasons', () => {
    const a = analyzeAttendance(valid.map((r) => ({ ...r, status: 'Absent' as const })))
    expect(JSON.stringify(a)).not.toMatch(/psn_|EDU-/)
  })
})

describe('resolveAttendanceThresholds', () => {
  it('freezes the defaults', () => {
    const t = resolveAttendanceThresholds()
    expect(Object.isFrozen(t)).toBe(true)
    expect(t).toEqual({
      watchRate: 0.92,
      warningRate: 0.85,
      criticalRate: 0.75,
      warningStreak: 3,
      criticalStreak: 5,
      minRecords: 5,
      recentDays: 10,
    })
  })

  it('names a rate outside 0–1', () => {
    expect(() => resolveAttendanceThresholds({ warningRate: 85 })).toThrow(RangeError)
    expect(() => resolveAttendanceThresholds({ warningRate: 85 })).toThrow(/"warningRate"/)
  })

  it('rejects a non-integer streak', () => {
    expect(() => resolveAttendanceThresholds({ warningStreak: 2.5 })).toThrow(/"warningStreak"/)
  })

  it('rejects a critical rate above the warning rate', () => {
    expect(() => resolveAttendanceThresholds({ criticalRate: 0.9 })).toThrow(
      /"criticalRate" \(0.9\) must not exceed "warningRate"/,
    )
  })

  it('rejects a string where a number belongs', () => {
    expect(() => resolveAttendanceThresholds({ minRecords: '5' as never })).toThrow(TypeError)
  })
})

describe('toAttendanceRecord', () => {
  it('reads date and status from a Student Attendance view', () => {
    expect(toAttendanceRecord(attendanceView('2024-03-04', 'Absent'))).toEqual({
      date: '2024-03-04',
      status: 'Absent',
    })
  })

  it('rejects an unknown status', () => {
    expect(toAttendanceRecord(attendanceView('2024-03-04', 'Half Day'))).toBeUndefined()
  })

  it("rejects the design notes' attendance_date (the real field is date)", () => {
    const { date: _d, ...rest } = attendanceView('2024-03-04', 'Present')
    expect(toAttendanceRecord({ ...rest, attendance_date: '2024-03-04' })).toBeUndefined()
  })
})
