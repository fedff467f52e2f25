#!/usr/bin/env node
/** `edusync-emulator --port 8000 --seed school-small`: start an emulator and print URL and credentials. */
import { parseArgs } from 'node:util'
import { SEED_NAMES, type SeedName } from './seed.js'
import { startEmulator } from './server.js'
import { WEEKDAYS, type Weekday } from './timespan.js'

const USAGE = `Usage: edusync-emulator [--port 8000] [--host 127.0.0.1] [--seed school-small] [--random-seed 1]
                       [--time-factor 1] [--time-zone UTC] [--first-day-of-week Monday] [--install-ai]

Starts an ERPNext (Frappe v15) emulator and prints its URL and API credentials. It serves /api/*
(resources, methods including frappe.client.attach_file and upload_file, v2) and the stored files at
/files/* and /private/files/* (login required).
Seeds: ${SEED_NAMES.join(', ')}
First day of the week (timespan filters such as "this week"): ${WEEKDAYS.join(', ')}`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: 'school-small' },
      'random-seed': { type: 'string', default: '1' },
      'time-factor': { type: 'string', default: '1' },
      'time-zone': { type: 'string', default: 'UTC' },
      'first-day-of-week': { type: 'string', default: 'Monday' },
      'install-ai': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const seed = values.seed as SeedName
  if (!SEED_NAMES.includes(seed)) {
    process.stderr.write(
      `[@edusync/erpnext-emulator] unknown --seed "${values.seed}"; use one of ${SEED_NAMES.join(', ')}\n`,
    )
    process.exitCode = 2
    return
  }
  const firstDayOfWeek = values['first-day-of-week'] as Weekday
  if (!WEEKDAYS.includes(firstDayOfWeek)) {
    process.stderr.write(
      `[@edusync/erpnext-emulator] unknown --first-day-of-week "${values['first-day-of-week']}"; use one of ${WEEKDAYS.join(', ')}\n`,
    )
    process.exitCode = 2
    return
  }
  const started = Date.now()
  const erp = await startEmulator({
    port: Number(values.port),
    host: values.host,
    seed,
    randomSeed: Number(values['random-seed']),
    timeFactor: Number(values['time-factor']),
    timeZone: values['time-zone'],
    firstDayOfWeek,
    installAi: values['install-ai'],
  })
  const { admin, restricted } = erp.credentials
  process.stdout.write(
    [
      `ERPNext emulator listening on ${erp.url} (seed ${seed}, ready in ${Date.now() - started} ms)`,
      `Administrator: api_key=${admin.apiKey} api_secret=${admin.apiSecret} (password ${admin.password})`,
      `  Authorization: token ${admin.apiKey}:${admin.apiSecret}`,
      `Restricted (${restricted.user}): api_key=${restricted.apiKey} api_secret=${restricted.apiSecret}`,
      `Try: curl -H 'Authorization: token ${admin.apiKey}:${admin.apiSecret}' '${erp.url}/api/resource/Student'`,
      '',
    ].join('\n'),
  )
  const stop = () => {
    void erp.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
