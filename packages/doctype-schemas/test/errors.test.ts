import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import {
  DocTypeSchemasError,
  DocValidationError,
  isDocTypeSchemasError,
  isDocValidationError,
  isMetadataError,
  isMetadataFetchError,
  isUnknownDocTypeError,
  MetadataError,
  MetadataFetchError,
  UnknownDocTypeError,
} from '../src/index.js'

describe('errors', () => {
  const cases = [
    [
      new MetadataError({ source: 'a.json', doctype: 'X', field: 'f', problem: 'bad' }),
      'MetadataError',
      'ERR_METADATA',
      isMetadataError,
    ],
    [
      new MetadataFetchError({ url: 'http://127.0.0.1/x', status: 500, problem: 'HTTP 500' }),
      'MetadataFetchError',
      'ERR_METADATA_FETCH',
      isMetadataFetchError,
    ],
    [new UnknownDocTypeError('Nope'), 'UnknownDocTypeError', 'ERR_UNKNOWN_DOCTYPE', isUnknownDocTypeError],
    [
      new DocValidationError('Student', 'EDU-STU-1', []),
      'DocValidationError',
      'ERR_DOC_VALIDATION',
      isDocValidationError,
    ],
  ] as const

  it.each(cases)(
    '%s has a literal name, a stable code, a prefixed message and a guard',
    (error, name, code, guard) => {
      expect(error).toBeInstanceOf(DocTypeSchemasError)
      expect(error.name).toBe(name)
      expect(error.code).toBe(code)
      expect(error.message.startsWith('[@edusync/doctype-schemas] ')).toBe(true)
      expect(guard(error)).toBe(true)
      expect(isDocTypeSchemasError(error)).toBe(true)
    },
  )

  it('guards tell the classes apart and reject look-alikes', () => {
    expect(isMetadataError(new UnknownDocTypeError('X'))).toBe(false)
    expect(isMetadataError({ name: 'MetadataError', code: 'ERR_METADATA' })).toBe(false)
    expect(isDocTypeSchemasError(new Error('x'))).toBe(false)
    expect(isDocTypeSchemasError(null)).toBe(false)
  })

  it('guards work across realms (brand, not instanceof)', () => {
    const foreign = runInNewContext(
      `const e = new Error('x'); e.name = 'UnknownDocTypeError'; e[Symbol.for('@edusync/doctype-schemas/error')] = true; e`,
    )
    expect(foreign instanceof DocTypeSchemasError).toBe(false)
    expect(isUnknownDocTypeError(foreign)).toBe(true)
  })

  it('keeps the cause', () => {
    const cause = new TypeError('fetch failed')
    expect(
      new MetadataFetchError({ url: 'http://127.0.0.1', problem: 'the request failed' }, { cause }).cause,
    ).toBe(cause)
  })

  it('MetadataError names file, doctype and field', () => {
    const error = new MetadataError({
      source: 'student.json',
      doctype: 'Student',
      field: 'enabled',
      problem: 'bad flag',
    })
    expect(error.message).toBe(
      '[@edusync/doctype-schemas] Malformed DocType metadata in student.json, doctype "Student", field "enabled": bad flag',
    )
  })
})
