import type { Student, StudentGuardian } from '@edusync/doctype-schemas'
import { describe, expectTypeOf, it } from 'vitest'
import { createClient, type FilterTuple, type SelectResult } from '../src/index.js'

const client = createClient({ url: 'http://erp.test' })
const students = client.doc('Student')

describe('typed doctypes', () => {
  it('get() returns the doctype document', async () => {
    expectTypeOf(await students.get('X')).toEqualTypeOf<Student>()
  })
  it('unknown doctypes are rejected', () => {
    // @ts-expect-error no such doctype
    client.doc('Studnet')
  })
  it('docUntyped accepts any name', async () => {
    expectTypeOf(await client.docUntyped('ToDo').get('X')).toEqualTypeOf<{
      readonly [field: string]: unknown
    }>()
  })
})

describe('typed fields and results', () => {
  it('results are typed by the selected fields', async () => {
    const rows = await students.list({ fields: ['name', 'first_name', 'joining_date'] })
    // List rows carry every requested field (null when empty), so keys are not optional.
    expectTypeOf(rows).toEqualTypeOf<
      { name: string; first_name: string; joining_date: string | null | undefined }[]
    >()
  })
  it('no fields gives { name }', async () => {
    expectTypeOf(await students.list()).toEqualTypeOf<{ name: string }[]>()
  })
  it('child-table columns can be selected', async () => {
    const rows = await students.list({ fields: ['name', 'guardians.guardian'] })
    expectTypeOf(rows[0]!.guardian).toEqualTypeOf<StudentGuardian['guardian'] | null>()
  })
  it('aliases are typed', async () => {
    const rows = await students.list({ fields: ['first_name as given'] })
    expectTypeOf(rows[0]!.given).toEqualTypeOf<string>()
  })
  it('unknown fields are rejected', () => {
    // @ts-expect-error not a Student field
    void students.list({ fields: ['admission_date'] })
    // @ts-expect-error not a Student Guardian column
    void students.list({ fields: ['guardians.nope'] })
  })
  it('SelectResult of *', () => {
    expectTypeOf<SelectResult<Student, ['*']>>().toHaveProperty('first_name')
    expectTypeOf<SelectResult<Student, ['*']>>().not.toHaveProperty('guardians')
  })
})

describe('typed filters', () => {
  it('accepts field, operator and value types that fit', () => {
    void students.list({
      filters: [
        ['first_name', 'like', 'A%'],
        ['enabled', '=', 1],
        ['joining_date', 'between', ['2024-01-01', '2024-12-31']],
        ['student_email_id', 'in', ['a@x.org', 'b@x.org']],
        ['date_of_leaving', 'is', 'not set'],
        ['modified', 'timespan', 'last 7 days'],
        ['Student Guardian', 'guardian', '=', 'EDU-GRD-2024-00001'],
      ],
      orFilters: { first_name: ['like', 'B%'], enabled: 1 },
    })
  })
  it('rejects unknown fields, unknown operators and wrong value types', () => {
    // @ts-expect-error unknown field
    void students.list({ filters: [['frist_name', '=', 'A']] })
    // @ts-expect-error unknown operator
    void students.list({ filters: [['first_name', 'contains', 'A']] })
    // @ts-expect-error `in` takes a list
    void students.list({ filters: [['first_name', 'in', 'A']] })
    // @ts-expect-error `is` takes 'set' | 'not set'
    void students.list({ filters: [['first_name', 'is', 'empty']] })
    // @ts-expect-error Check is 0 | 1
    void students.list({ filters: { enabled: 'yes' } })
    // @ts-expect-error child doctype field checked against the child
    void students.list({ filters: [['Student Guardian', 'nope', '=', 'x']] })
  })
  it('FilterTuple of a custom document', () => {
    type Doc = { name: string; qty: number; tags: { tag: string }[] }
    expectTypeOf<['qty', '>', 5]>().toExtend<FilterTuple<Doc>>()
    expectTypeOf<['qty', '>', 'five']>().not.toExtend<FilterTuple<Doc>>()
    expectTypeOf<['tags', '=', 'x']>().not.toExtend<FilterTuple<Doc>>()
  })
})

describe('typed writes', () => {
  it('create takes the create shape', () => {
    void students.create({ first_name: 'A', student_email_id: 'a@x.org' })
    // @ts-expect-error student_email_id is mandatory
    void students.create({ first_name: 'A' })
  })
  it('update takes a partial document', () => {
    void students.update('X', { first_name: 'B' }, { ifModified: '2024-01-01 00:00:00.000001' })
    // @ts-expect-error unknown field
    void students.update('X', { frist_name: 'B' })
  })
  it('getValue is typed by the requested fields', async () => {
    const v = await students.getValue('X', ['first_name', 'enabled'])
    expectTypeOf(v).toEqualTypeOf<{ first_name: string; enabled: Student['enabled'] } | undefined>()
  })
})

describe('user doctype maps', () => {
  interface LibraryMember {
    name: string
    modified: string
    member_name: string
    loans: { book: string; due: string }[]
  }
  interface Mine {
    'Library Member': LibraryMember
  }
  const mine = createClient<Mine, Mine>({ url: 'http://erp.test' })
  it('types the custom doctype', async () => {
    const rows = await mine.doc('Library Member').list({ fields: ['member_name', 'loans.due'] })
    expectTypeOf(rows).toEqualTypeOf<{ member_name: string; due: string | null }[]>()
    // @ts-expect-error Student is not in this map
    mine.doc('Student')
  })
})

describe('call overloads', () => {
  it('types frappe.client methods', async () => {
    expectTypeOf(await client.call('frappe.client.get_count', { doctype: 'Student' })).toEqualTypeOf<number>()
    // @ts-expect-error doctype is required
    void client.call('frappe.client.get_count', {})
    expectTypeOf(await client.call<{ ok: boolean }>('my_app.api.thing')).toEqualTypeOf<{ ok: boolean }>()
  })
})

describe('README example', () => {
  it('compiles with the documented result type', async () => {
    const rows = await client.doc('Student').list({
      fields: ['name', 'first_name', 'guardians.guardian', 'joining_date as joined'],
      filters: [
        ['enabled', '=', 1],
        ['joining_date', 'between', ['2024-01-01', '2024-12-31']],
        ['Student Guardian', 'relation', '=', 'Mother'],
      ],
      orFilters: { first_name: ['like', 'A%'] },
      orderBy: 'modified desc',
      limit: 50,
    })
    expectTypeOf(rows).toEqualTypeOf<
      { name: string; first_name: string; guardian: string | null; joined: string | null | undefined }[]
    >()
  })
})
