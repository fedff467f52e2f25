import { describe, expect, it } from 'vitest'
import {
  AmbiguousRulesError,
  ConflictRulesError,
  type ConflictContext,
  ConformanceError,
  custom,
  defineStrategy,
  InvalidDocumentError,
  InvalidRuleError,
  InvalidRulePathError,
  isAmbiguousRulesError,
  isConflictRulesError,
  isConformanceError,
  isInvalidDocumentError,
  isInvalidRuleError,
  isInvalidRulePathError,
  isStrategyError,
  isUnknownStrategyError,
  lastWriterWins,
  StrategyError,
  UnknownStrategyError,
} from '../src/index.js'

const ctx = (modified: ConflictContext['modified']): ConflictContext => ({
  doctype: 'Student',
  docname: 'X',
  path: 'city',
  kind: 'field',
  field: 'city',
  table: undefined,
  rowName: undefined,
  hasBase: true,
  base: 'a',
  ours: 'b',
  theirs: 'c',
  raw: { base: 'a', ours: 'b', theirs: 'c' },
  fieldType: undefined,
  modified,
  now: 0,
  rule: 'r',
})

describe('defineStrategy / custom', () => {
  it('returns a frozen strategy with defaults', () => {
    const s = defineStrategy({ name: 'keep_theirs', resolve: () => ({ winner: 'theirs' }) })
    expect(s).toMatchObject({
      name: 'keep_theirs',
      symmetric: false,
      description: 'Custom strategy "keep_theirs".',
    })
    expect(Object.isFrozen(s)).toBe(true)
  })
  it('custom() is the same with a function', () => {
    expect(custom('x.y', () => ({ winner: 'ours' }), { symmetric: true }).symmetric).toBe(true)
  })
  it.each([['Bad Name'], [''], ['1abc'], [undefined]])('rejects the name %j', (name) => {
    expect(() => defineStrategy({ name: name as never, resolve: () => ({ winner: 'ours' }) })).toThrowError(
      /"name"/,
    )
  })
  it('rejects reserved names', () => {
    expect(() => defineStrategy({ name: 'no_conflict', resolve: () => ({ winner: 'ours' }) })).toThrow(
      RangeError,
    )
  })
  it('rejects a missing resolve', () => {
    expect(() => defineStrategy({ name: 'x' } as never)).toThrowError(/"resolve"/)
  })
  it('rejects a bad description or symmetric flag', () => {
    expect(() =>
      defineStrategy({ name: 'x', resolve: () => ({ winner: 'ours' }), description: 1 as never }),
    ).toThrowError(/"description"/)
    expect(() =>
      defineStrategy({ name: 'x', resolve: () => ({ winner: 'ours' }), symmetric: 'yes' as never }),
    ).toThrowError(/"symmetric"/)
  })
  it('rejects a non-object definition', () => {
    expect(() => defineStrategy(null as never)).toThrow(TypeError)
  })
})

describe('lastWriterWins', () => {
  it('the later AI write wins', () => {
    expect(
      lastWriterWins.resolve(ctx({ ours: '2024-05-02 00:00:00', theirs: '2024-05-01 23:59:59.999999' }))
        .winner,
    ).toBe('ours')
  })
  it('the later ERPNext write wins', () => {
    expect(
      lastWriterWins.resolve(ctx({ ours: '2024-05-01 00:00:00', theirs: '2024-05-01 00:00:01' })).winner,
    ).toBe('theirs')
  })
  it('compares ERPNext datetimes with and without microseconds as equal and gives ties to ERPNext', () => {
    const o = lastWriterWins.resolve(
      ctx({ ours: '2024-05-01 00:00:00.000000', theirs: '2024-05-01 00:00:00' }),
    )
    expect(o).toEqual({
      winner: 'theirs',
      reason: 'both sides have the same modification time; ties go to ERPNext',
    })
  })
  it('a side without a timestamp is older', () => {
    expect(lastWriterWins.resolve(ctx({ ours: '2024-05-01 00:00:00', theirs: undefined })).winner).toBe(
      'ours',
    )
    expect(lastWriterWins.resolve(ctx({ ours: undefined, theirs: undefined })).winner).toBe('theirs')
  })
})

describe('errors', () => {
  const cases: [Error, (e: unknown) => boolean, string, string][] = [
    [new InvalidRuleError('r', 'bad'), isInvalidRuleError, 'InvalidRuleError', 'INVALID_RULE'],
    [
      new InvalidRulePathError('r', 'a.b'),
      isInvalidRulePathError,
      'InvalidRulePathError',
      'INVALID_RULE_PATH',
    ],
    [
      new UnknownStrategyError('r', 's', ['a']),
      isUnknownStrategyError,
      'UnknownStrategyError',
      'UNKNOWN_STRATEGY',
    ],
    [new AmbiguousRulesError('a', 'b'), isAmbiguousRulesError, 'AmbiguousRulesError', 'AMBIGUOUS_RULES'],
    [
      new InvalidDocumentError('ours', 'null'),
      isInvalidDocumentError,
      'InvalidDocumentError',
      'INVALID_DOCUMENT',
    ],
    [
      new StrategyError('s', 'p', 'it threw', { cause: new Error('x') }),
      isStrategyError,
      'StrategyError',
      'STRATEGY_FAILED',
    ],
    [new ConformanceError('s', 'c', 'd'), isConformanceError, 'ConformanceError', 'CONFORMANCE_FAILED'],
  ]
  it.each(cases)(
    '%s has a literal name, a stable code, the prefix and a guard',
    (error, guard, name, code) => {
      expect(error).toBeInstanceOf(ConflictRulesError)
      expect(error.name).toBe(name)
      expect((error as ConflictRulesError).code).toBe(code)
      expect(error.message.startsWith('[@edusync/conflict-rules] ')).toBe(true)
      expect(guard(error)).toBe(true)
      expect(isConflictRulesError(error)).toBe(true)
    },
  )
  it('guards reject look-alikes and other errors', () => {
    expect(isStrategyError({ name: 'StrategyError', code: 'STRATEGY_FAILED' })).toBe(false)
    expect(isConflictRulesError(new Error('x'))).toBe(false)
    expect(isStrategyError(new InvalidRuleError('r', 'x'))).toBe(false)
  })
  it('keeps the cause', () => {
    const cause = new Error('inner')
    expect(new StrategyError('s', 'p', 'it threw', { cause }).cause).toBe(cause)
  })
})
