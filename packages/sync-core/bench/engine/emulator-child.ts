/**
 * The emulator in its own process for the engine benchmarks, so that its request handling does not share an
 * event loop with the engine and the load generator being measured. Started by bench/engine/sync.ts through
 * `child_process.fork`; answers inspection questions over IPC.
 */
import { startEmulator } from '@edusync/erpnext-emulator'

type Ask =
  | { id: number; op: 'documents'; doctype: string; fields: string[] }
  | { id: number; op: 'count'; pattern: string }
  | { id: number; op: 'close' }

const erp = await startEmulator({
  seed: 'school-small',
  seedSize: Number(process.env.STUDENTS ?? 10_000),
  installAi: true,
  timeFactor: 0.001,
})
process.send?.({ ready: true, url: erp.url, credentials: erp.credentials })
process.on('message', async (m: Ask) => {
  if (m.op === 'documents') {
    const docs = erp.emulator.inspect
      .documents(m.doctype)
      .map((d) => Object.fromEntries(m.fields.map((f) => [f, d[f] ?? null])))
    process.send?.({ id: m.id, value: docs })
  } else if (m.op === 'count') {
    process.send?.({ id: m.id, value: erp.emulator.inspect.count(new RegExp(m.pattern)) })
  } else {
    await erp.close()
    process.send?.({ id: m.id, value: null }, () => process.exit(0))
  }
})
