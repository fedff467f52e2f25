import { describe, expect, it } from 'vitest'
import {
  AuthenticationError,
  DuplicateEntryError,
  decodeServerMessages,
  HTTPStatusError,
  isAuthenticationError,
  isERPNextError,
  isLinkExistsError,
  isLinkValidationError,
  isMandatoryError,
  isNotFoundError,
  isPermissionError,
  isRateLimitError,
  isServerError,
  isTimestampMismatchError,
  isUniqueValidationError,
  isUpdateAfterSubmitError,
  isValidationError,
  LinkExistsError,
  MandatoryError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimestampMismatchError,
  ValidationError,
  parseRetryAfter,
} from '../src/index.js'
import { frappeError, json, testClient } from './helpers.js'

describe('decodeServerMessages', () => {
  it('double-decodes the Frappe encoding', () => {
    const raw = JSON.stringify([
      JSON.stringify({ message: 'Student X not found', title: 'Message', raise_exception: 1 }),
    ])
    expect(decodeServerMessages(raw)).toEqual([
      { message: 'Student X not found', title: 'Message', raise_exception: 1 },
    ])
  })
  it('decodes Python separators', () => {
    const raw = '["{\\"message\\": \\"A\\", \\"indicator\\": \\"red\\"}", "{\\"message\\": \\"B\\"}"]'
    expect(decodeServerMessages(raw).map((m) => m.message)).toEqual(['A', 'B'])
  })
  it('keeps an undecodable string as the message', () => {
    expect(decodeServerMessages('not json')).toEqual([{ message: 'not json' }])
  })
  it('returns [] when absent', () => {
    expect(decodeServerMessages(undefined)).toEqual([])
  })
  it('accepts inner plain strings', () => {
    expect(decodeServerMessages(JSON.stringify(['plain text']))).toEqual([{ message: 'plain text' }])
  })
})

describe('status and exc_type mapping', () => {
  const cases: [number, string, (e: unknown) => boolean, new (...a: never[]) => Error][] = [
    [401, 'AuthenticationError', isAuthenticationError, AuthenticationError],
    [403, 'PermissionError', isPermissionError, PermissionError],
    [404, 'DoesNotExistError', isNotFoundError, NotFoundError],
    [409, 'DuplicateEntryError', (e) => (e as Error).name === 'DuplicateEntryError', DuplicateEntryError],
    [417, 'ValidationError', isValidationError, ValidationError],
    [417, 'MandatoryError', isMandatoryError, MandatoryError],
    [417, 'LinkValidationError', isLinkValidationError, Error],
    [417, 'TimestampMismatchError', isTimestampMismatchError, TimestampMismatchError],
    [417, 'UniqueValidationError', isUniqueValidationError, Error],
    [417, 'UpdateAfterSubmitError', isUpdateAfterSubmitError, Error],
    [417, 'LinkExistsError', isLinkExistsError, LinkExistsError],
    [429, 'TooManyRequestsError', isRateLimitError, RateLimitError],
    [500, 'QueryDeadlockError', isServerError, ServerError],
    [405, 'MethodNotAllowed', (e) => (e as Error).name === 'HTTPStatusError', HTTPStatusError],
  ]
  for (const [status, excType, guard, Class] of cases) {
    it(`${status} ${excType}`, async () => {
      const { client } = testClient(() => frappeError(status, excType, `Boom for ${excType}`), {
        retry: false,
      })
      const error = await client
        .doc('Student')
        .get('EDU-STU-1')
        .catch((e: unknown) => e)
      expect(guard(error)).toBe(true)
      expect(error).toBeInstanceOf(Class)
      expect(isERPNextError(error)).toBe(true)
      const e = error as ValidationError
      expect(e.status).toBe(status)
      expect(e.excType).toBe(excType)
      expect(e.serverMessages[0]?.message).toBe(`Boom for ${excType}`)
      expect(e.serverMessage).toBe(`Boom for ${excType}`)
      expect(e.doctype).toBe('Student')
      expect(e.docname).toBe('EDU-STU-1')
      expect(e.message).toMatch(
        /^\[@edusync\/erpnext-client\] GET \/api\/resource\/Student\/EDU-STU-1 failed with/,
      )
      expect(e.request?.method).toBe('GET')
    })
  }

  it('keeps server text (which may quote personal data) out of `message` unless exposeServerMessages', async () => {
    const body = () => frappeError(417, 'UniqueValidationError', 'ann@example.org already exists')
    const quiet = (await testClient(body)
      .client.doc('Student')
      .get('A')
      .catch((e: unknown) => e)) as Error
    expect(quiet.message).not.toContain('ann@example.org')
    expect(quiet.message).toContain('error.serverMessage')
    expect((quiet as ValidationError).serverMessage).toBe('ann@example.org already exists')
    const loud = (await testClient(body, { exposeServerMessages: true })
      .client.doc('Student')
      .get('A')
      .catch((e: unknown) => e)) as Error
    expect(loud.message).toContain(': ann@example.org already exists.')
  })

  it('v14 bodies without exc_type are classified from `exception`', async () => {
    const { client } = testClient(() =>
      json({ exception: 'frappe.exceptions.TimestampMismatchError: changed' }, 417),
    )
    const error = await client
      .doc('Student')
      .update('A', {})
      .catch((e: unknown) => e)
    expect(isTimestampMismatchError(error)).toBe(true)
  })

  it('a 403 as Guest hints at missing credentials', async () => {
    const { client } = testClient(() => frappeError(403, 'PermissionError'), { auth: { type: 'none' } })
    const error = (await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)) as PermissionError
    expect(error.probableCause).toBe('credentials')
    expect(error.message).toMatch(/No credential was sent/)
  })

  it('a 403 with a role message points at permissions', async () => {
    const { client } = testClient(() =>
      json({ exc_type: 'PermissionError', _error_message: 'No permission for Student' }, 403),
    )
    const error = (await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)) as PermissionError
    expect(error.probableCause).toBe('permissions')
    expect(error.errorMessage).toBe('No permission for Student')
  })

  it('a 403 with session_expired on a bearer token hints at expiry', async () => {
    const { client } = testClient(() => json({ exc_type: 'PermissionError', session_expired: 1 }, 403), {
      auth: { type: 'bearer', token: 'tok' },
    })
    const error = (await client
      .doc('Student')
      .get('A')
      .catch((e: unknown) => e)) as PermissionError
    expect(error.probableCause).toBe('credentials')
    expect(error.message).toMatch(/expired/)
  })

  it('parses v2 `errors` bodies', async () => {
    const { client } = testClient(() =>
      json({ errors: [{ type: 'MandatoryError', message: 'Value missing for Student: First Name' }] }, 417),
    )
    const error = (await client
      .doc('Student')
      .create({}, { validateOutgoing: false })
      .catch((e: unknown) => e)) as MandatoryError
    expect(isMandatoryError(error)).toBe(true)
    expect(error.serverMessage).toBe('Value missing for Student: First Name')
  })
})

describe('guards', () => {
  it('are realm-safe: they use a registered symbol brand, not instanceof', () => {
    const error = new NotFoundError('x')
    const foreign = Object.create(null) as Record<string | symbol, unknown>
    for (const key of Reflect.ownKeys(error))
      foreign[key] = (error as unknown as Record<string | symbol, unknown>)[key]
    foreign.code = 'NOT_FOUND'
    expect(foreign instanceof NotFoundError).toBe(false)
    expect(isNotFoundError(foreign)).toBe(true)
    expect(isERPNextError(foreign)).toBe(true)
  })
  it('reject look-alikes without the brand', () => {
    expect(isNotFoundError({ name: 'NotFoundError', code: 'NOT_FOUND' })).toBe(false)
    expect(isERPNextError(new Error('x'))).toBe(false)
    expect(isERPNextError(null)).toBe(false)
  })
  it('isValidationError covers subclasses but not other classes', () => {
    expect(isValidationError(new TimestampMismatchError('x'))).toBe(true)
    expect(isValidationError(new NotFoundError('x'))).toBe(false)
  })
  it('errors carry literal names and stable codes', () => {
    const e = new TimestampMismatchError('x')
    expect(e.name).toBe('TimestampMismatchError')
    expect(e.code).toBe('TIMESTAMP_MISMATCH')
    expect(e.message).toBe('[@edusync/erpnext-client] x')
  })
  it('keeps the cause', () => {
    const cause = new Error('root')
    expect(new ServerError('x', { cause }).cause).toBe(cause)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds', () => expect(parseRetryAfter('3', 0)).toBe(3000))
  it('reads an HTTP date relative to now', () =>
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000))
  it('ignores garbage', () => expect(parseRetryAfter('soon', 0)).toBeUndefined())
  it('absent is undefined', () => expect(parseRetryAfter(null, 0)).toBeUndefined())
})
