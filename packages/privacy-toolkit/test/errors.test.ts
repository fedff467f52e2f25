import { describe, expect, it } from 'vitest'
import {
  ConsentRefusedError,
  DecryptionError,
  InvalidKeyError,
  KeyNotFoundError,
  PolicyError,
  PrivacyToolkitError,
  ReceiptError,
  SubjectRequestError,
  SyncUnavailableError,
  isConsentRefusedError,
  isDecryptionError,
  isInvalidKeyError,
  isKeyNotFoundError,
  isPolicyError,
  isPrivacyToolkitError,
  isReceiptError,
  isSubjectRequestError,
  isSyncUnavailableError,
} from '../src/index.js'

const cases = [
  [new KeyNotFoundError('v1', 'keyring'), isKeyNotFoundError, 'KeyNotFoundError', 'KEY_NOT_FOUND'],
  [new InvalidKeyError('bad'), isInvalidKeyError, 'InvalidKeyError', 'INVALID_KEY'],
  [new DecryptionError('format', 'bad'), isDecryptionError, 'DecryptionError', 'DECRYPTION_FAILED'],
  [new PolicyError('bad'), isPolicyError, 'PolicyError', 'POLICY_INVALID'],
  [
    new ConsentRefusedError('restricted', 'analytics'),
    isConsentRefusedError,
    'ConsentRefusedError',
    'CONSENT_REFUSED',
  ],
  [new SubjectRequestError('bad'), isSubjectRequestError, 'SubjectRequestError', 'SUBJECT_REQUEST_FAILED'],
  [new ReceiptError('bad'), isReceiptError, 'ReceiptError', 'RECEIPT_INVALID'],
  [
    new SyncUnavailableError('runtime', 'm', 'p'),
    isSyncUnavailableError,
    'SyncUnavailableError',
    'SYNC_UNAVAILABLE',
  ],
] as const

describe('errors', () => {
  for (const [error, guard, name, code] of cases) {
    it(`${name} has a literal name, a stable code, the prefix and a guard`, () => {
      expect(error).toBeInstanceOf(PrivacyToolkitError)
      expect(error.name).toBe(name)
      expect(error.code).toBe(code)
      expect(error.message.startsWith('[@edusync/privacy-toolkit] ')).toBe(true)
      expect(guard(error)).toBe(true)
      expect(isPrivacyToolkitError(error)).toBe(true)
    })
  }

  it('guards reject look-alikes without the brand and other subclasses', () => {
    expect(isKeyNotFoundError({ name: 'KeyNotFoundError', code: 'KEY_NOT_FOUND' })).toBe(false)
    expect(isKeyNotFoundError(new PolicyError('x'))).toBe(false)
    expect(isPrivacyToolkitError(new Error('x'))).toBe(false)
  })

  it('keeps the cause', () => {
    const cause = new Error('inner')
    expect(new DecryptionError('authentication', 'x', 'Student.a', { cause }).cause).toBe(cause)
  })
})
