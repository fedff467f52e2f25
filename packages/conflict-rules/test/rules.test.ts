import { describe, expect, it } from 'vitest'
import {
  aiWins,
  custom,
  defineRules,
  erpnextWins,
  isAmbiguousRulesError,
  isInvalidRuleError,
  isInvalidRulePathError,
  isRuleSet,
  isUnknownStrategyError,
  manualReview,
  merge,
} from '../src/index.js'

const captured = (fn: () => unknown): unknown => {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('rule matching and precedence', () => {
  const rules = defineRules([
    { id: 'any-glob', field: '*', strategy: 'manual_review' },
    { id: 'ai-glob', field: 'ai_*', strategy: 'ai_wins' },
    { id: 'ai-exact', field: 'ai_engagement_metrics', strategy: 'merge' },
    { id: 'student-ai-glob', doctype: 'Student', field: 'ai_*', strategy: 'erpnext_wins' },
    { id: 'guardians-table', doctype: 'Student', field: 'guardians', strategy: 'erpnext_wins' },
    { id: 'guardian-rows', doctype: 'Student', field: 'guardians[]', strategy: 'manual_review' },
    { id: 'guardian-relation', doctype: 'Student', field: 'guardians[].relation', strategy: 'ai_wins' },
    { id: 'any-child-dob', field: '*[].date_of_birth', strategy: 'last_writer_wins' },
  ])
  const at = (doctype: string, path: string) => rules.match(doctype, path).ruleId

  it('an exact field beats a glob', () => expect(at('Course', 'ai_engagement_metrics')).toBe('ai-exact'))
  it('an exact doctype beats any doctype at equal field specificity', () =>
    expect(at('Student', 'ai_learning_profile')).toBe('student-ai-glob'))
  it('more literal characters beat fewer', () => expect(at('Course', 'ai_content_mapping')).toBe('ai-glob'))
  it('a glob matches what nothing more specific claims', () =>
    expect(at('Course', 'description')).toBe('any-glob'))
  it('a child-field rule beats the table rule', () =>
    expect(at('Student', 'guardians[].relation')).toBe('guardian-relation'))
  it('a row rule covers the rows and beats the table rule', () => {
    expect(at('Student', 'guardians[]')).toBe('guardian-rows')
    expect(at('Student', 'guardians[].guardian')).toBe('guardian-rows')
  })
  it('a table rule covers its rows and fields when nothing closer exists', () => {
    const only = defineRules([{ id: 't', doctype: 'Student', field: 'siblings', strategy: 'erpnext_wins' }])
    expect(only.match('Student', 'siblings[]').ruleId).toBe('t')
    expect(only.match('Student', 'siblings[].full_name').ruleId).toBe('t')
  })
  it('child-path globs match any table', () =>
    expect(at('Student', 'siblings[].date_of_birth')).toBe('any-child-dob'))
  it('falls back when nothing matches', () => {
    const none = defineRules([{ doctype: 'Course', field: 'x', strategy: 'ai_wins' }])
    expect(none.match('Student', 'x')).toMatchObject({
      rule: undefined,
      ruleId: 'fallback',
      strategy: manualReview,
    })
  })
  it('accepts a custom fallback', () => {
    const r = defineRules([], { fallback: 'erpnext_wins' })
    expect(r.match('Student', 'x').strategy).toBe(erpnextWins)
  })
  it('resolves strategy names to the built-ins', () => {
    expect(rules.match('Course', 'ai_x').strategy).toBe(aiWins)
    expect(rules.match('Course', 'ai_engagement_metrics').strategy.name).toBe('merge')
  })
  it('matches a list of doctypes', () => {
    const r = defineRules([{ id: 'l', doctype: ['Guardian', 'Student'], field: 'x', strategy: 'ai_wins' }])
    expect(r.match('Guardian', 'x').ruleId).toBe('l')
    expect(r.match('Course', 'x').ruleId).toBe('fallback')
  })
  it('rejects malformed lookups', () => {
    expect(() => rules.match('', 'x')).toThrow(TypeError)
    expect(() => rules.match('Student', 'a.b')).toThrow(TypeError)
  })
  it('is immutable and recognisable', () => {
    expect(isRuleSet(rules)).toBe(true)
    expect(isRuleSet({ rules: [] })).toBe(false)
    expect(Object.isFrozen(rules.rules)).toBe(true)
  })
})

describe('extend(): a later layer overrides equally specific rules', () => {
  const defaults = defineRules([
    { id: 'email', field: 'student_email_id', strategy: 'erpnext_wins' },
    { id: 'ai', field: 'ai_*', strategy: 'ai_wins' },
  ])
  it('overrides the same field', () => {
    const school = defaults.extend([
      { id: 'school-email', field: 'student_email_id', strategy: 'manual_review' },
    ])
    expect(school.match('Student', 'student_email_id').ruleId).toBe('school-email')
    expect(defaults.match('Student', 'student_email_id').ruleId).toBe('email')
  })
  it('does not override a more specific earlier rule with a less specific later one', () => {
    const school = defaults.extend([{ id: 'all', field: '*', strategy: 'manual_review' }])
    expect(school.match('Student', 'student_email_id').ruleId).toBe('email')
    expect(school.match('Student', 'city').ruleId).toBe('all')
  })
  it('can register new strategies and change the fallback', () => {
    const keepLonger = custom('keep_longer', () => ({ winner: 'ours' }))
    const school = defaults.extend([{ field: 'notes', strategy: 'keep_longer' }], {
      strategies: [keepLonger],
      fallback: 'erpnext_wins',
    })
    expect(school.match('Student', 'notes').strategy).toBe(keepLonger)
    expect(school.fallback).toBe(erpnextWins)
  })
  it('still detects ambiguity within the new layer', () => {
    expect(
      isAmbiguousRulesError(
        captured(() =>
          defaults.extend([
            { id: 'a', field: 'x_*', strategy: 'ai_wins' },
            { id: 'b', field: 'x_*', strategy: 'erpnext_wins' },
          ]),
        ),
      ),
    ).toBe(true)
  })
})

describe('construction errors name the rule', () => {
  it('two rules on the same field and doctype are ambiguous', () => {
    const error = captured(() =>
      defineRules([
        { id: 'first', doctype: 'Student', field: 'city', strategy: 'ai_wins' },
        { id: 'second', doctype: 'Student', field: 'city', strategy: 'erpnext_wins' },
      ]),
    )
    expect(isAmbiguousRulesError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'AMBIGUOUS_RULES', rules: ['first', 'second'] })
    expect((error as Error).message).toMatch(/^\[@edusync\/conflict-rules\] rules "first" and "second"/)
  })
  it('two overlapping globs of equal specificity are ambiguous', () => {
    const error = captured(() =>
      defineRules([
        { id: 'prefix', field: 'ai_*', strategy: 'ai_wins' },
        { id: 'suffix', field: '*_id', strategy: 'erpnext_wins' },
      ]),
    )
    expect(error).toMatchObject({ name: 'AmbiguousRulesError', rules: ['prefix', 'suffix'] })
  })
  it('globs that cannot match the same field are not ambiguous', () => {
    expect(() =>
      defineRules([
        { field: 'ai_*', strategy: 'ai_wins' },
        { field: 'xy_*', strategy: 'erpnext_wins' },
      ]),
    ).not.toThrow()
  })
  it('rules on different doctypes are not ambiguous', () => {
    expect(() =>
      defineRules([
        { doctype: 'Student', field: 'city', strategy: 'ai_wins' },
        { doctype: 'Guardian', field: 'city', strategy: 'erpnext_wins' },
      ]),
    ).not.toThrow()
  })
  it('an any-doctype rule and a doctype rule on the same field are not ambiguous (the doctype rule wins)', () => {
    const r = defineRules([
      { field: 'city', strategy: 'ai_wins' },
      { doctype: 'Student', field: 'city', strategy: 'erpnext_wins' },
    ])
    expect(r.match('Student', 'city').strategy).toBe(erpnextWins)
  })
  it('an unknown strategy name', () => {
    const error = captured(() => defineRules([{ id: 'mine', field: 'city', strategy: 'coin_flip' }]))
    expect(isUnknownStrategyError(error)).toBe(true)
    expect(error).toMatchObject({ rule: 'mine', strategy: 'coin_flip' })
    expect((error as Error).message).toMatch(/erpnext_wins/)
  })
  it('an unknown fallback', () => {
    expect(isUnknownStrategyError(captured(() => defineRules([], { fallback: 'nope' })))).toBe(true)
  })
  it.each([
    '',
    'guardians[]relation',
    '[].relation',
    'a.b',
    'guardians[].',
    'guardians[][]',
    'two words',
    'guardians[].x.y',
  ])('a malformed path %j', (path) => {
    const error = captured(() => defineRules([{ id: 'bad-path', field: path, strategy: 'ai_wins' }]))
    expect(isInvalidRulePathError(error)).toBe(true)
    expect(error).toMatchObject({ rule: 'bad-path', path })
  })
  it('a rule that is not an object', () => {
    expect(isInvalidRuleError(captured(() => defineRules([null as never])))).toBe(true)
  })
  it('a missing field', () => {
    expect(captured(() => defineRules([{ id: 'nofield', strategy: 'ai_wins' } as never]))).toMatchObject({
      rule: 'nofield',
      code: 'INVALID_RULE',
    })
  })
  it('a bad doctype', () => {
    expect(
      isInvalidRuleError(
        captured(() => defineRules([{ doctype: 3 as never, field: 'x', strategy: 'ai_wins' }])),
      ),
    ).toBe(true)
    expect(
      isInvalidRuleError(captured(() => defineRules([{ doctype: [], field: 'x', strategy: 'ai_wins' }]))),
    ).toBe(true)
  })
  it('a strategy that is neither a name nor a strategy', () => {
    expect(
      isInvalidRuleError(captured(() => defineRules([{ field: 'x', strategy: { name: 'x' } as never }]))),
    ).toBe(true)
  })
  it('duplicate ids', () => {
    expect(
      isInvalidRuleError(
        captured(() =>
          defineRules([
            { id: 'same', field: 'a', strategy: 'ai_wins' },
            { id: 'same', field: 'b', strategy: 'ai_wins' },
          ]),
        ),
      ),
    ).toBe(true)
  })
  it('a second strategy registered under a taken name', () => {
    expect(() => defineRules([], { strategies: [merge({ name: 'erpnext_wins' as never })] })).toThrow(
      RangeError,
    )
  })
  it('rules that are not an array', () => {
    expect(() => defineRules({} as never)).toThrow(TypeError)
  })
})
