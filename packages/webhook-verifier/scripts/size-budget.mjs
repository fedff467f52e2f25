#!/usr/bin/env node
// Size budget of the Web Crypto build (what an edge bundle pulls in), minified + gzipped with esbuild and
// node:zlib. The failure diagnosis sits behind a dynamic import() and loads only when a signature does not
// match, so it is kept external here and reported separately.
//   verifyERPNextSignature (the core signature check)            must stay under 2048 B
//   verifyERPNextWebhook   (+ JSON, event id, sent_at, dedupe)    must stay under 2500 B (regression guard)
// Usage: node scripts/size-budget.mjs [entry]   (default dist/web.js; run after `pnpm build`)
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGETS = { verifyERPNextSignature: 2048, verifyERPNextWebhook: 2500 }
const dir = fileURLToPath(new URL('..', import.meta.url))
const entry = process.argv[2] ?? 'dist/web.js'
if (!existsSync(join(dir, entry))) {
  console.error(`size-budget: ${entry} is missing; run \`pnpm build\` first.`)
  process.exit(1)
}

const gzip = (code) => gzipSync(code, { level: 9 }).length

async function bundle(contents, external) {
  const result = await build({
    stdin: { contents, resolveDir: dir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'lazy-diagnosis-external',
        setup(b) {
          b.onResolve({ filter: /diagnose|fail/ }, (args) =>
            args.kind === 'dynamic-import' && external ? { path: args.path, external: true } : undefined,
          )
        },
      },
    ],
  })
  return result.outputFiles[0].contents
}

async function measure(name) {
  const code = await bundle(`export { ${name} } from './${entry}'`, true)
  const all = await bundle(`export { ${name} } from './${entry}'`, false)
  return { min: code.length, gz: gzip(code), lazy: Math.max(0, gzip(all) - gzip(code)) }
}

for (const [name, limit] of Object.entries(BUDGETS)) {
  const { min, gz, lazy } = await measure(name)
  console.log(
    `${name}: ${min} B minified, ${gz} B gzipped (budget ${limit} B); the lazy diagnosis adds ~${lazy} B gzipped`,
  )
  if (gz > limit) {
    console.error(`size-budget: ${name} is over budget by ${gz - limit} B`)
    process.exitCode = 1
  }
}
