import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    memory: 'src/memory.ts',
    sqlite: 'src/sqlite.ts',
    postgres: 'src/postgres.ts',
    testing: 'src/testing.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  // Sibling packages resolve to their built declarations here, not to the source paths used by typecheck.
  dts: { compilerOptions: { paths: {} } },
  clean: true,
  sourcemap: true,
  treeshake: true,
})
