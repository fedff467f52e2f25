import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url))

describe('examples/validate-student.ts', () => {
  it('validates the Student and rejects the misspelled outgoing field, naming it', () => {
    const run = spawnSync(tsx, ['examples/validate-student.ts'], { cwd: packageDir, encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('✓ EDU-STU-2024-00017 is a valid Student')
    expect(run.stdout).toContain('field "student_emial_id": unknown field "student_emial_id"')
  })
})
