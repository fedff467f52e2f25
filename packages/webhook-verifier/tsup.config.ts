import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    node: 'src/node.ts',
    web: 'src/web.ts',
    'node-http': 'src/node-http.ts',
    express: 'src/express.ts',
    fastify: 'src/fastify.ts',
    fetch: 'src/fetch.ts',
    hono: 'src/hono.ts',
    testing: 'src/testing.ts',
  },
  format: ['esm'],
  target: 'es2022',
  platform: 'neutral',
  external: ['node:crypto'],
  // Keep the node: prefix so Deno and Bun resolve the Node build's builtins too.
  removeNodeProtocol: false,
  // Sibling packages resolve to their built declarations here, not to the source paths used by typecheck.
  dts: { compilerOptions: { paths: {} } },
  clean: true,
  sourcemap: true,
  splitting: true,
  treeshake: true,
})
