import { defineConfig } from 'vitest/config'
import { projects } from './vitest.workspace'

export default defineConfig({
  test: {
    projects,
    // Heavy suites (chaos, soak, full benchmarks) opt in with EDUSYNC_HEAVY=1; CI runs the short form.
    passWithNoTests: false,
  },
})
