import { describe, expect, it } from 'vitest'
import {
  formatFrappeDate,
  formatFrappeDatetime,
  formatFrappeTimestamp,
  isTimeZone,
  wallClock,
} from '../src/index.js'

const AT = Date.UTC(2024, 4, 1, 23, 30, 5) // 2024-05-01 23:30:05 UTC

describe('Frappe time formatting', () => {
  it('formats a Datetime as naive wall-clock time in the site zone', () => {
    expect(formatFrappeDatetime(AT)).toBe('2024-05-01 23:30:05')
    expect(formatFrappeDatetime(AT, 'UTC')).toBe('2024-05-01 23:30:05')
    expect(formatFrappeDatetime(AT, 'Europe/Berlin')).toBe('2024-05-02 01:30:05')
    expect(formatFrappeDatetime(AT, 'America/New_York')).toBe('2024-05-01 19:30:05')
    // Half-hour zone, and midnight is 00, never 24.
    expect(formatFrappeDatetime(AT, 'Asia/Kolkata')).toBe('2024-05-02 05:00:05')
    expect(formatFrappeDatetime(Date.UTC(2024, 0, 1, 23, 0), 'Europe/Paris')).toBe('2024-01-02 00:00:00')
  })

  it('formats a Date as the calendar day in the site zone', () => {
    expect(formatFrappeDate(AT)).toBe('2024-05-01')
    expect(formatFrappeDate(AT, 'Asia/Kolkata')).toBe('2024-05-02')
    expect(formatFrappeDate(Date.UTC(2024, 0, 1, 3), 'America/Los_Angeles')).toBe('2023-12-31')
  })

  it('formats microseconds as Frappe now(): six fraction digits, always', () => {
    expect(formatFrappeTimestamp(AT * 1000)).toBe('2024-05-01 23:30:05.000000')
    expect(formatFrappeTimestamp(AT * 1000 + 42)).toBe('2024-05-01 23:30:05.000042')
    expect(formatFrappeTimestamp(AT * 1000 + 999_999, 'Europe/Berlin')).toBe('2024-05-02 01:30:05.999999')
  })

  it('agrees with the runtime across a daylight-saving change', () => {
    // Europe/Berlin leaves summer time at 01:00 UTC on 2024-10-27: 02:59 CEST is followed by 02:00 CET.
    expect(formatFrappeDatetime(Date.UTC(2024, 9, 27, 0, 59), 'Europe/Berlin')).toBe('2024-10-27 02:59:00')
    expect(formatFrappeDatetime(Date.UTC(2024, 9, 27, 1, 0), 'Europe/Berlin')).toBe('2024-10-27 02:00:00')
  })

  it('exposes the wall-clock fields', () => {
    expect(wallClock(AT, 'Asia/Kolkata')).toEqual({
      year: 2024,
      month: 5,
      day: 2,
      hour: 5,
      minute: 0,
      second: 5,
    })
  })

  it('knows IANA zones and refuses anything else', () => {
    expect(isTimeZone('Europe/Zurich')).toBe(true)
    expect(isTimeZone('UTC')).toBe(true)
    for (const bad of ['Mars/Olympus', '', 42, null, undefined]) expect(isTimeZone(bad)).toBe(false)
    expect(() => formatFrappeDatetime(AT, 'Mars/Olympus')).toThrow(RangeError)
  })
})
