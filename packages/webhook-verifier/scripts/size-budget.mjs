#!/usr/bin/env node
// Size budget of the verify entry points, minified + gzipped (esbuild, node:zlib level 9), on both builds:
// dist/web.js (Web Crypto: what an edge bundle pulls in) and dist/node.js (node:crypto, left external).
// Failures are data on the hot path: the error classes, their messages and the signature-mismatch diagnosis
// sit behind a dynamic import() that runs only when a delivery is rejected, so they are kept external here
// and reported separately ("failure path").
//   verifyERPNextWebhook   (signature + JSON, event id, sent_at, dedupe)   must stay under 2048 B
//   verifyERPNextSignature (the signature check only)                       must stay under 2048 B
// Usage: node scripts/size-budget.mjs   (run after `pnpm build`; part of `node scripts/check-packages.mjs`)
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const LIMIT = 2048
const ENTRIES = ['verifyERPNextWebhook', 'verifyERPNextSignature']
const BUILDS = { web: 'dist/web.js', node: 'dist/node.js' }
const dir = fileURLToPath(new URL('..', import.meta.url))
for (const file of Object.values(BUILDS)) {
  if (!existsSync(join(dir, file))) {
    console.error(`size-budget: ${file} is missing; run \`pnpm build\` first.`)
    process.exit(1)
  }
}

const gzip = (code) => gzipSync(code, { level: 9 }).length

async function bundle(name, file, lazyExternal) {
  const result = await build({
    stdin: { contents: `export { ${name} } from './${file}'`, resolveDir: dir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    external: ['node:*'],
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'failure-path-external',
        setup(b) {
          b.onResolve({ filter: /./ }, (args) =>
            args.kind === 'dynamic-import' && lazyExternal ? { path: args.path, external: true } : undefined,
          )
        },
      },
    ],
  })
  return result.outputFiles[0].contents
}

const rows = []
for (const name of ENTRIES) {
  for (const [buildName, file] of Object.entries(BUILDS)) {
    const code = await bundle(name, file, true)
    const all = await bundle(name, file, false)
    rows.push({ name, build: buildName, min: code.length, gz: gzip(code), lazy: gzip(all) - gzip(code) })
  }
}

const width = Math.max(...rows.map((r) => `${r.name} (${r.build})`.length))
console.log(`size-budget: minified + gzipped, budget ${LIMIT} B each`)
for (const r of rows) {
  const label = `${r.name} (${r.build})`.padEnd(width)
  const verdict = r.gz <= LIMIT ? `ok, ${LIMIT - r.gz} B to spare` : `OVER BUDGET by ${r.gz - LIMIT} B`
  console.log(
    `  ${label}  ${String(r.gz).padStart(5)} B gzipped  ${String(r.min).padStart(5)} B minified  ${verdict}; failure path +${r.lazy} B gzipped, loaded on the first rejected delivery`,
  )
  if (r.gz > LIMIT) process.exitCode = 1
}
