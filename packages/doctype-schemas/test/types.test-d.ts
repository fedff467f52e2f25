import type {
  Check,
  CreateDocTypeMap,
  DocTypeMap,
  DocTypeName,
  ParseResult,
  Student,
  StudentAttendance,
  StudentCreate,
  StudentGuardian,
  StudentGuardianCreate,
  UpdateDoc,
} from '@edusync/doctype-schemas'
import {
  createDocTypeRegistry,
  parseDoc,
  sampleDoc,
  schemaFor,
  validateOutgoing,
} from '@edusync/doctype-schemas'
import { describe, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import {
  generatedSchemas as librarySchemas,
  type LibraryMember,
  type LibraryMemberCreate,
} from './fixtures/library.generated.js'

// Declaration merging: a user's own doctype joins the maps (types only).
declare module '@edusync/doctype-schemas' {
  interface DocTypeMap {
    'Library Member': LibraryMember
  }
  interface CreateDocTypeMap {
    'Library Member': LibraryMemberCreate
  }
}

describe('DocTypeMap', () => {
  it('maps doctype names to read documents', () => {
    expectTypeOf<DocTypeMap['Student']>().toEqualTypeOf<Student>()
    expectTypeOf<DocTypeMap['Student Guardian']>().toEqualTypeOf<StudentGuardian>()
    expectTypeOf<CreateDocTypeMap['Student']>().toEqualTypeOf<StudentCreate>()
  })

  it('is extended by declaration merging', () => {
    expectTypeOf<DocTypeMap['Library Member']>().toEqualTypeOf<LibraryMember>()
    expectTypeOf<CreateDocTypeMap['Library Member']['member_name']>().toEqualTypeOf<string>()
    // The built-in names stay a closed union: the merged doctype is not one of them.
    expectTypeOf<'Library Member'>().not.toMatchTypeOf<DocTypeName>()
  })
})

describe('read flavour', () => {
  it('types fields the way ERPNext returns them', () => {
    expectTypeOf<Student['name']>().toEqualTypeOf<string>()
    expectTypeOf<Student['first_name']>().toEqualTypeOf<string>()
    expectTypeOf<Student['middle_name']>().toEqualTypeOf<string | null | undefined>()
    expectTypeOf<Student['enabled']>().toEqualTypeOf<Check | null | undefined>()
    expectTypeOf<Student['guardians']>().toEqualTypeOf<StudentGuardian[] | undefined>()
    expectTypeOf<Student['blood_group']>().toEqualTypeOf<
      '' | 'A+' | 'A-' | 'B+' | 'B-' | 'O+' | 'O-' | 'AB+' | 'AB-' | null | undefined
    >()
    expectTypeOf<StudentAttendance['status']>().toEqualTypeOf<'Present' | 'Absent' | 'Leave'>()
    expectTypeOf<StudentGuardian['parent']>().toEqualTypeOf<string>()
    expectTypeOf<Student['ai_learning_profile']>().toEqualTypeOf<string | null | undefined>()
  })

  it('parseDoc returns the read document', () => {
    const result = parseDoc('Student', {})
    expectTypeOf(result).toEqualTypeOf<ParseResult<Student>>()
    if (result.success) expectTypeOf(result.data.first_name).toEqualTypeOf<string>()
    // @ts-expect-error not a field of Student
    if (result.success) result.data.course_code
  })
})

describe('create flavour', () => {
  it('requires mandatory fields and has no server-set fields', () => {
    expectTypeOf<StudentCreate['student_email_id']>().toEqualTypeOf<string>()
    expectTypeOf<StudentCreate['guardians']>().toEqualTypeOf<StudentGuardianCreate[] | undefined>()
    expectTypeOf<StudentCreate['ai_learning_profile']>().toEqualTypeOf<
      string | Record<string, unknown> | null | undefined
    >()
    expectTypeOf<StudentCreate>().not.toHaveProperty('owner')
    expectTypeOf<StudentCreate>().not.toHaveProperty('modified')
    // @ts-expect-error student_email_id is mandatory on create
    const missing: StudentCreate = { first_name: 'Ada' }
    void missing
  })

  it('parseDoc/validateOutgoing return the create document', () => {
    expectTypeOf(parseDoc('Student', {}, { flavour: 'create' })).toEqualTypeOf<ParseResult<StudentCreate>>()
    expectTypeOf(validateOutgoing('Student', {})).toEqualTypeOf<ParseResult<StudentCreate>>()
    expectTypeOf(validateOutgoing('Student', {}, { mode: 'update' })).toEqualTypeOf<
      ParseResult<UpdateDoc<StudentCreate>>
    >()
    expectTypeOf(schemaFor('Student', 'create')).toEqualTypeOf<z.ZodType<StudentCreate>>()
  })

  it('sampleDoc is typed by flavour', () => {
    expectTypeOf(sampleDoc('Student')).toEqualTypeOf<Student>()
    expectTypeOf(sampleDoc('Student', { flavour: 'create' })).toEqualTypeOf<StudentCreate>()
  })

  it('rejects unknown doctype names at compile time', () => {
    // @ts-expect-error not a doctype
    parseDoc('Studnet', {})
  })
})

describe('createDocTypeRegistry (the generic way)', () => {
  const registry = createDocTypeRegistry({
    'Library Member': {
      read: librarySchemas['Library Member'].read(),
      create: librarySchemas['Library Member'].create(),
    },
  })

  it('types your doctypes from their schemas and keeps the built-ins', () => {
    const member = registry.parseDoc('Library Member', {})
    if (member.success) expectTypeOf(member.data.member_name).toEqualTypeOf<string>()
    expectTypeOf(registry.parseDoc('Student', {})).toEqualTypeOf<ParseResult<Student>>()
    const created = registry.validateOutgoing('Library Member', {})
    if (created.success)
      expectTypeOf(created.data.membership_type).toEqualTypeOf<'Standard' | 'Premium' | null | undefined>()
  })
})
