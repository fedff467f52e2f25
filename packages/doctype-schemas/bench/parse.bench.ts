/**
 * Start-up and validation figures for @edusync/doctype-schemas. Run from the package folder:
 *   pnpm exec tsx bench/parse.bench.ts
 * Absolute numbers depend on the machine; compare the ratios printed within one run.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const t0 = performance.now()
const lib = await import('../src/index.js')
const importMs = performance.now() - t0
const { doctypeMeta, parseDoc, sampleDoc, schemaFor, validateOutgoing } = lib

/** Best of three rounds (the machine is shared: the best round is the least disturbed). */
function bench(label: string, fn: () => unknown, minMs = 300): number {
  for (let i = 0; i < 2000; i++) fn()
  let perSec = 0
  for (let round = 0; round < 3; round++) {
    let n = 0
    const start = performance.now()
    let elapsed = 0
    while (elapsed < minMs) {
      for (let i = 0; i < 100; i++) fn()
      n += 100
      elapsed = performance.now() - start
    }
    perSec = Math.max(perSec, (n / elapsed) * 1000)
  }
  console.log(`${label.padEnd(58)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} ops/s`)
  return perSec
}

// Start-up: the built package in a fresh Node process (what the emulator pays), when built.
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
if (existsSync(dist)) {
  // zod first, then the package: the second figure is what this package adds on top of zod.
  const code = `const t=performance.now();await import('zod');const a=performance.now();await import(${JSON.stringify(dist)});console.log((a-t)+' '+(performance.now()-a))`
  const runs = Array.from({ length: 7 }, () =>
    spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    })
      .stdout.trim()
      .split(' ')
      .map(Number),
  )
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  const zodMs = median(runs.map((r) => r[0] as number))
  const ownMs = median(runs.map((r) => r[1] as number))
  console.log(
    `fresh process, median of 7: import zod ${zodMs.toFixed(1)} ms, then dist/index.js ${ownMs.toFixed(1)} ms`,
  )
  console.log(`ratio package import / zod import:       ${(ownMs / zodMs).toFixed(2)}`)
} else {
  console.log('import dist/index.js: not built (run pnpm build first)')
}
console.log(`import src/index.ts through tsx (this process)              ${importMs.toFixed(1)} ms`)

const names = Object.keys(doctypeMeta) as (keyof typeof doctypeMeta)[]
const tBuild = performance.now()
for (const name of names) {
  schemaFor(name, 'read')
  schemaFor(name, 'create')
  schemaFor(name, 'update')
}
console.log(
  `build all ${names.length * 3} schemas (${names.length} doctypes × 3 flavours), cold          ${(performance.now() - tBuild).toFixed(1)} ms`,
)

const student = sampleDoc('Student', { seed: 42, fillRate: 1 })
const newStudent = sampleDoc('Student', { seed: 42, flavour: 'create', fillRate: 1 })
const broken = { ...student, enabled: true, blood_group: 'Z', joining_date: '19/08/2024' }
const raw = schemaFor('Student')

console.log('')
const zodOps = bench('zod safeParse, Student read (baseline)', () => raw.safeParse(student))
const readOps = bench('parseDoc Student read, valid', () => parseDoc('Student', student))
bench('validateOutgoing Student create, valid', () => validateOutgoing('Student', newStudent))
const badOps = bench('parseDoc Student read, 3 issues (issue mapping)', () => parseDoc('Student', broken))
bench('sampleDoc Student read', () => sampleDoc('Student', { seed: 7 }))
// The baseline again, after everything is warm: the better of its two runs is the fair one.
const zodOps2 = bench('zod safeParse, Student read (baseline, again)', () => raw.safeParse(student))
const zodBest = Math.max(zodOps, zodOps2)
console.log('')
console.log(`ratio parseDoc / raw zod (valid read):   ${(readOps / zodBest).toFixed(2)}`)
console.log(`ratio invalid / valid parseDoc:          ${(badOps / readOps).toFixed(2)}`)
