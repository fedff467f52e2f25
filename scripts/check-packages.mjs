#!/usr/bin/env node
// Checks every built package the way its users' tools will see it: publint --strict (package.json,
// exports, files) and attw --pack (types resolve for every export condition of an ESM-only package).
// A package may add its own checks as a `check:package` script (the webhook verifier's size budget).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const only = process.argv.slice(2)
const failures = []

function run(label, cmd, args, cwd, { showOutput = false } = {}) {
  process.stdout.write(`  • ${label} … `)
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8' })
  if (res.status === 0) {
    console.log('ok')
    if (showOutput && res.stdout.trim()) console.log(res.stdout.trimEnd().replace(/^/gm, '      '))
    return
  }
  console.log('FAILED')
  console.log((res.stdout ?? '') + (res.stderr ?? ''))
  failures.push(label)
}

for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const cwd = join(root, 'packages', dir)
  const manifestPath = join(cwd, 'package.json')
  if (!existsSync(manifestPath)) continue
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  if (manifest.private || (only.length > 0 && !only.includes(dir))) continue
  console.log(`${manifest.name}`)
  if (!existsSync(join(cwd, 'dist'))) {
    console.log('  • not built: run `pnpm build` first')
    failures.push(`${manifest.name}: not built`)
    continue
  }
  const bin = (name) => join(root, 'node_modules', '.bin', name)
  run(`${manifest.name}: publint --strict`, bin('publint'), ['--strict'], cwd)
  run(
    `${manifest.name}: attw --pack`,
    bin('attw'),
    ['--pack', '.', '--profile', 'esm-only', '--format', 'table-flipped'],
    cwd,
  )
  if (manifest.scripts?.['check:package']) {
    run(`${manifest.name}: check:package`, 'pnpm', ['run', '--silent', 'check:package'], cwd, {
      showOutput: true,
    })
  }
}

if (failures.length > 0) {
  console.error(`\ncheck:packages failed: ${failures.join('; ')}`)
  process.exit(1)
}
console.log('\ncheck:packages: every package is clean')
