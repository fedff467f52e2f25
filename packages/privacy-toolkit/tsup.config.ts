import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'neutral',
  // Sibling packages resolve to their built declarations here, not to the source paths used by typecheck.
  dts: { compilerOptions: { paths: {} } },
  clean: true,
  sourcemap: true,
  treeshake: true,
})
