#!/usr/bin/env node
/** The `edusync-schemas` command: generate schema modules from DocType metadata. */
import { runCli } from './cli-core.js'

runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`edusync-schemas: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`)
    process.exitCode = 1
  },
)
