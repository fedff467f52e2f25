import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultEducationRules, manualReview } from '@edusync/conflict-rules'
import { type RunningEmulator, startEmulator } from '@edusync/erpnext-emulator'
import { type ConflictResolverPort, type Enhancer, conflictRulesResolver } from '@edusync/sync-core'
import { type CliIo, main } from '../../src/cli.js'
import { type RunnerConfig, loadConfig } from '../../src/config.js'
import { type RunnerServer, listen } from '../../src/server.js'
import { type Service, createService } from '../../src/service.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'
export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789'

/** A temporary data folder, removed by the returned function. */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'edusync-runner-test-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The emulator with a small seeded school (AI customizations installed unless said otherwise). */
export function emulator(options: { seedSize?: number; installAi?: boolean } = {}): Promise<RunningEmulator> {
  return startEmulator({
    seed: 'school-small',
    seedSize: options.seedSize ?? 8,
    randomSeed: 3,
    timeFactor: 0.2,
    installAi: options.installAi ?? true,
  })
}

/** The environment a user would set for the runner against `erp`. */
export function envFor(erp: RunningEmulator, dataDir: string, extra: Record<string, string> = {}) {
  return {
    EDUSYNC_ERPNEXT_URL: erp.url,
    EDUSYNC_ERPNEXT_API_KEY: erp.credentials.admin.apiKey,
    EDUSYNC_ERPNEXT_API_SECRET: erp.credentials.admin.apiSecret,
    EDUSYNC_DATA_DIR: dataDir,
    EDUSYNC_ADMIN_TOKEN: ADMIN_TOKEN,
    EDUSYNC_WEBHOOK_SECRET: WEBHOOK_SECRET,
    EDUSYNC_PORT: '0',
    ...extra,
  }
}

/** Run the CLI in process, capturing its output. */
export async function cli(
  args: string[],
  env: Record<string, string>,
  extra: Partial<CliIo> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    service: { pollIntervalMs: 10, retryBaseMs: 20, retryMaxMs: 100 },
    ...extra,
  })
  return { code, stdout, stderr }
}

/** Rules for tests: a teacher's edit of the learning profile goes to a person. */
export const reviewRules: ConflictResolverPort = conflictRulesResolver(
  defaultEducationRules.extend([
    { id: 'teacher-curated-profile', field: 'ai_learning_profile', strategy: manualReview },
  ]),
)

/** Deterministic test enhancers: a learning profile and performance insight per student, an insight per result. */
export const testEnhancers: Enhancer[] = [
  {
    name: 'test-profile',
    doctypes: ['Student'],
    enhance: ({ modified }) => ({
      fields: {
        ai_learning_profile: { style: 'visual', computedAt: modified },
        ai_performance_insights: {
          trend: 'improving',
          explanation: 'Scores rose over the term.',
          early_warning: { absences: 3 },
        },
      },
    }),
  },
  {
    name: 'test-insight',
    doctypes: ['Assessment Result'],
    enhance: ({ name }) => ({
      documents: [
        {
          doctype: 'Assessment Insight',
          key: `insight:${name}`,
          doc: {
            assessment_result: name,
            ai_analysis: { weakest: 'Written Exam' },
            improvement_suggestions: ['Practise past papers weekly'],
            learning_gaps: ['Fractions'],
            generated_timestamp: '2026-01-05 10:00:00',
          },
        },
      ],
    }),
  },
]

export interface TestRunner {
  erp: RunningEmulator
  config: RunnerConfig
  service: Service
  server: RunnerServer
  dataDir: string
  close(): Promise<void>
}

/** Emulator + service + HTTP server, on loopback with random ports. */
export async function startRunner(
  options: {
    seedSize?: number
    enhancers?: readonly Enhancer[]
    rules?: ConflictResolverPort
    doctypes?: string[]
    maxAttempts?: number
    /** More `EDUSYNC_*` settings. */
    env?: Record<string, string>
  } = {},
): Promise<TestRunner> {
  const erp = await emulator(options.seedSize === undefined ? {} : { seedSize: options.seedSize })
  const tmp = tempDir()
  const config = loadConfig({
    env: envFor(erp, tmp.dir, {
      ...(options.doctypes ? { EDUSYNC_DOCTYPES: options.doctypes.join(',') } : {}),
      ...options.env,
    }),
  })
  const service = await createService(config, {
    env: {},
    pollIntervalMs: 10,
    retryBaseMs: 20,
    retryMaxMs: 100,
    ...(options.enhancers ? { enhancers: options.enhancers } : {}),
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  })
  const server = await listen(service, '127.0.0.1', 0)
  return {
    erp,
    config,
    service,
    server,
    dataDir: tmp.dir,
    async close() {
      await server.close()
      await service.close()
      await erp.close()
      tmp.remove()
    },
  }
}

/** Register the runner's webhooks on the emulator, as setup-erpnext does. */
export { setupErpnext } from '../../src/setup-erpnext.js'
