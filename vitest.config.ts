import { defineConfig } from 'vitest/config'
import { projects } from './vitest.workspace'

export default defineConfig({
  test: {
    projects,
    passWithNoTests: false,
    // The JSON report lets CI print a plain "N passed, N failed" closing line
    // (scripts/readme-test-command.sh).
    reporters: ['default', 'json'],
    outputFile: { json: '.cache/vitest-report.json' },
  },
})
