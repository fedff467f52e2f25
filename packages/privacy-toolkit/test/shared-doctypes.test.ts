import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { classification } from './fixtures.js'

/** The real Education DocType JSON, when the workspace's shared reference material is present. */
const dir = new URL('../../../../shared/erpnext/doctypes/', import.meta.url)
const present = existsSync(dir)
const fileOf: Record<string, string> = {
  Student: 'student.json',
  Guardian: 'guardian.json',
  'Student Guardian': 'student_guardian.json',
}

const title = present
  ? 'fixture classification against the real ERPNext DocType JSON'
  : 'fixture classification against the real DocType JSON (skipped: ../shared/erpnext/doctypes is absent)'

describe.skipIf(!present)(title, () => {
  for (const [doctype, fields] of Object.entries(classification)) {
    it(`${doctype}: every classified field exists in the real doctype`, () => {
      const meta = JSON.parse(readFileSync(new URL(fileOf[doctype]!, dir), 'utf8')) as {
        fields: { fieldname: string }[]
      }
      const real = new Set(meta.fields.map((f) => f.fieldname))
      expect(Object.keys(fields).filter((f) => !real.has(f))).toEqual([])
    })
  }
})
