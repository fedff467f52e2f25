import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    generator: 'src/generator.ts',
    cli: 'src/cli.ts',
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
