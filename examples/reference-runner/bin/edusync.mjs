#!/usr/bin/env node
// Runs the CLI from TypeScript source with tsx, resolving `@edusync/*` to the packages' source through the
// runner's tsconfig `paths`, so the runner works in the repository without building the packages first.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
const { main } = await import('../src/cli.ts')
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })
process.exit(code)
