import { describe, it } from 'vitest'
import { defineStrategy } from '../src/index.js'
import { describeStrategyConformance } from '../src/testing.js'

// The strategies shown in the README and in docs/extending-conflict-rules.md, verbatim: the examples we
// hand contributors must pass the suite we ask them to run.

const keepEarliestDate = defineStrategy({
  name: 'keep_earliest_date',
  description: 'For dates both sides changed, keep the earlier one.',
  symmetric: true,
  resolve: ({ ours, theirs }) => {
    if (typeof ours !== 'string' || typeof theirs !== 'string')
      return { winner: 'review', reason: 'not two dates' }
    if (ours === theirs) return { winner: 'theirs' }
    return ours < theirs
      ? { winner: 'ours', reason: 'the AI layer has the earlier date' }
      : { winner: 'theirs', reason: 'ERPNext has the earlier date' }
  },
})

const preferLongerText = defineStrategy({
  name: 'prefer_longer_text',
  description: 'Keeps the longer of two texts both sides changed.',
  symmetric: false,
  resolve: ({ ours, theirs, kind }) => {
    if (kind === 'row') return { winner: 'review', reason: 'rows are not texts' }
    if (typeof ours !== 'string' || typeof theirs !== 'string')
      return { winner: 'review', reason: 'not two texts' }
    return ours.length > theirs.length
      ? { winner: 'ours', reason: "the AI layer's text is longer" }
      : { winner: 'theirs', reason: "ERPNext's text is at least as long" }
  },
})

describe('documented example strategies', () => {
  describeStrategyConformance(keepEarliestDate, { describe, it }, { runs: 100 })
  describeStrategyConformance(preferLongerText, { describe, it }, { runs: 100 })
})
