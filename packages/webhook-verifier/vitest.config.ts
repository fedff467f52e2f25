import { defineProject } from 'vitest/config'
import { sourceAliases } from '../../vitest.shared'

export default defineProject({
  resolve: { alias: sourceAliases() },
  test: {
    name: 'webhook-verifier',
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
})
