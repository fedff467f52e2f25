import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type DocTypeName,
  type FieldMeta,
  doctypeMeta,
  isRequiredOnCreate,
  parseDoc,
  sampleDoc,
  selectOptions,
} from '../src/index.js'

const names = Object.keys(doctypeMeta).sort() as DocTypeName[]
const numRuns = process.env.EDUSYNC_HEAVY === '1' ? 3000 : 300

/** A value of the wrong shape for a field, one per fieldtype family. */
function corrupt(field: FieldMeta, flavour: 'read' | 'create'): unknown {
  switch (field.fieldtype) {
    case 'Check':
      return true
    case 'Int':
      return 1.5
    case 'Float':
    case 'Currency':
    case 'Percent':
    case 'Duration':
    case 'Rating':
      return '12.5'
    case 'Date':
      return '2024-13-01'
    case 'Datetime':
      return '2024-01-01T08:00:00Z'
    case 'Time':
      return flavour === 'read' ? '9:05' : '9h05'
    case 'JSON':
    case 'Geolocation':
      return '{"unterminated":'
    case 'Table':
    case 'Table MultiSelect':
      return 'not a list'
    case 'Select':
      return selectOptions(field)?.length ? '__not_an_option__' : 42
    default:
      return 42
  }
}

const flavours = ['read', 'create'] as const

describe('sample builder ↔ schemas (property)', () => {
  it('every schema accepts what sampleDoc builds, in both flavours', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.constantFrom(...flavours),
        fc.integer(),
        (doctype, flavour, seed) => {
          const doc = sampleDoc(doctype, { seed, flavour } as { seed: number; flavour: 'read' })
          const result = parseDoc(doctype, doc, { flavour } as { flavour: 'read' })
          if (!result.success) throw new Error(result.issues.map((i) => i.message).join('\n'))
        },
      ),
      { numRuns },
    )
  })

  it('every schema rejects a sample with one field corrupted, naming that field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.constantFrom(...flavours),
        fc.integer(),
        fc.nat(),
        (doctype, flavour, seed, pick) => {
          const fields = doctypeMeta[doctype].fields
          const field = fields[pick % fields.length] as FieldMeta
          const doc = sampleDoc(doctype, { seed, flavour } as {
            seed: number
            flavour: 'read'
          }) as unknown as Record<string, unknown>
          const broken = { ...doc, [field.fieldname]: corrupt(field, flavour) }
          const result = parseDoc(doctype, broken, { flavour } as { flavour: 'read' })
          expect(result.success).toBe(false)
          expect(result.issues?.map((i) => i.path[0])).toContain(field.fieldname)
        },
      ),
      { numRuns },
    )
  })

  it('every schema rejects a sample missing one mandatory field', () => {
    const cases = names.flatMap((doctype) =>
      flavours.flatMap((flavour) =>
        doctypeMeta[doctype].fields
          .filter((f) => !f.fieldtype.startsWith('Table'))
          .filter((f) => (flavour === 'read' ? f.reqd === 1 : isRequiredOnCreate(f)))
          .map((f) => [doctype, flavour, f.fieldname] as const),
      ),
    )
    expect(cases.length).toBeGreaterThan(50)
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.integer(), ([doctype, flavour, fieldname], seed) => {
        const doc = sampleDoc(doctype, { seed, flavour } as {
          seed: number
          flavour: 'read'
        }) as unknown as Record<string, unknown>
        delete doc[fieldname]
        const result = parseDoc(doctype, doc, { flavour } as { flavour: 'read' })
        expect(result.issues?.find((i) => i.path[0] === fieldname)?.code).toBe('required')
      }),
      { numRuns },
    )
  })

  it('every create schema rejects one unknown field, naming it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.integer(),
        fc.stringMatching(/^x_[a-z]{1,12}$/),
        (doctype, seed, extra) => {
          const doc = sampleDoc(doctype, { seed, flavour: 'create' }) as unknown as Record<string, unknown>
          const result = parseDoc(doctype, { ...doc, [extra]: 1 }, { flavour: 'create' })
          expect(result.issues?.map((i) => [i.field, i.code])).toEqual([[extra, 'unknown_field']])
        },
      ),
      { numRuns },
    )
  })

  it('is deterministic for a seed', () => {
    expect(sampleDoc('Student', { seed: 7 })).toEqual(sampleDoc('Student', { seed: 7 }))
    expect(sampleDoc('Student', { seed: 7 })).not.toEqual(sampleDoc('Student', { seed: 8 }))
  })

  it('builds ERPNext-shaped reads: child rows point at their parent, times unpadded', () => {
    const doc = sampleDoc('Assessment Result', { seed: 3, fillRate: 1 })
    for (const [i, row] of (doc.details ?? []).entries()) {
      expect(row).toMatchObject({
        parent: doc.name,
        parenttype: 'Assessment Result',
        parentfield: 'details',
        idx: i + 1,
      })
    }
    const times = Array.from({ length: 50 }, (_, seed) => sampleDoc('Course Schedule', { seed }).from_time)
    expect(times.some((t) => /^\d:/.test(t))).toBe(true)
  })

  it('validates its options', () => {
    expect(() => sampleDoc('Student', { fillRate: 2 })).toThrow(RangeError)
    expect(() => sampleDoc('Student', { seed: 1.5 })).toThrow(/options\.seed/)
  })
})
