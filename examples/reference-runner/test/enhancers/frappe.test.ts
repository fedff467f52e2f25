import { describe, expect, it } from 'vitest'
import {
  formatFrappeDatetime,
  formatFrappeTime,
  idempotencyKey,
  isFrappeDate,
  parseFrappeTime,
} from '../../src/enhancers/index.js'

describe('Frappe time values', () => {
  it('parses the unpadded H:MM:SS ERPNext returns', () => {
    expect(parseFrappeTime('9:05:00')).toBe(9 * 3600 + 5 * 60)
  })

  it('parses a padded time with a fraction', () => {
    expect(parseFrappeTime('13:30:15.5')).toBe(13 * 3600 + 30 * 60 + 15)
  })

  it('rejects minutes beyond 59', () => {
    expect(parseFrappeTime('9:75:00')).toBeUndefined()
  })

  it('rejects a non-string', () => {
    expect(parseFrappeTime(32400)).toBeUndefined()
  })

  it('formats seconds back without padding the hour', () => {
    expect(formatFrappeTime(9 * 3600 + 5 * 60)).toBe('9:05:00')
    expect(formatFrappeTime(15 * 3600 + 30 * 60 + 9)).toBe('15:30:09')
  })
})

describe('Frappe dates and datetimes', () => {
  it('accepts a real calendar date', () => {
    expect(isFrappeDate('2024-02-29')).toBe(true)
  })

  it('rejects an impossible date', () => {
    expect(isFrappeDate('2023-02-29')).toBe(false)
  })

  it('rejects an ISO datetime', () => {
    expect(isFrappeDate('2024-03-01T00:00:00Z')).toBe(false)
  })

  it('formats an instant as naive wall-clock time in the site time zone', () => {
    const at = Date.UTC(2024, 4, 1, 8, 30, 5)
    expect(formatFrappeDatetime(at)).toBe('2024-05-01 08:30:05')
    expect(formatFrappeDatetime(at, 'Europe/Berlin')).toBe('2024-05-01 10:30:05')
    expect(formatFrappeDatetime(Date.UTC(2024, 0, 1, 0, 0, 0))).toBe('2024-01-01 00:00:00')
  })
})

describe('idempotencyKey', () => {
  it('joins short parts as they are', () => {
    expect(idempotencyKey('assessment-insight', 'EDU-RES-2024-00001', '2024-03-20 10:15:00.123456')).toBe(
      'assessment-insight:EDU-RES-2024-00001:2024-03-20 10:15:00.123456',
    )
  })

  it('hashes parts that would exceed the engine limit of 140 characters, deterministically', () => {
    const long = 'R'.repeat(200)
    const key = idempotencyKey('assessment-insight', long, '2024-03-20 10:15:00')
    expect(key.length).toBeLessThanOrEqual(140)
    expect(key).toMatch(/^assessment-insight:[0-9a-f]{64}$/)
    expect(idempotencyKey('assessment-insight', long, '2024-03-20 10:15:00')).toBe(key)
    expect(idempotencyKey('assessment-insight', long, '2024-03-20 10:15:01')).not.toBe(key)
  })
})
