import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { ConfigError } from './errors.js'

/** The doctypes the runner syncs by default (ERPNext → mirror), plus the AI doctypes it inserts. */
export const DEFAULT_DOCTYPES: readonly string[] = Object.freeze([
  // Records first, so the AI layer has seen a student's attendance and results when it profiles the
  // student, a course or an instructor during a backfill.
  'Program',
  'Student Group',
  'Course Schedule',
  'Assessment Plan',
  'Student Attendance',
  'Assessment Result',
  'Guardian',
  'Student',
  'Program Enrollment',
  'Course',
  'Instructor',
  'Assessment Insight',
  'AI Engagement Log',
])

/** Setting → environment variable. The optional JSON file uses the setting names as keys. */
export const ENV_NAMES = Object.freeze({
  erpnextUrl: 'EDUSYNC_ERPNEXT_URL',
  apiKey: 'EDUSYNC_ERPNEXT_API_KEY',
  apiSecret: 'EDUSYNC_ERPNEXT_API_SECRET',
  webhookSecret: 'EDUSYNC_WEBHOOK_SECRET',
  adminToken: 'EDUSYNC_ADMIN_TOKEN',
  metricsToken: 'EDUSYNC_METRICS_TOKEN',
  dataDir: 'EDUSYNC_DATA_DIR',
  databaseUrl: 'EDUSYNC_DATABASE_URL',
  pgSchema: 'EDUSYNC_PG_SCHEMA',
  redisUrl: 'EDUSYNC_REDIS_URL',
  host: 'EDUSYNC_HOST',
  port: 'EDUSYNC_PORT',
  publicUrl: 'EDUSYNC_PUBLIC_URL',
  workers: 'EDUSYNC_WORKERS',
  rateLimit: 'EDUSYNC_RATE_LIMIT',
  doctypes: 'EDUSYNC_DOCTYPES',
  site: 'EDUSYNC_SITE',
  sqliteSynchronous: 'EDUSYNC_SQLITE_SYNCHRONOUS',
} as const)

type Key = keyof typeof ENV_NAMES

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v)
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''
      } catch {
        return false
      }
    }, `must be an http(s) URL such as ${what}`)
    .transform((v) => v.replace(/\/+$/, ''))

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)

const secret = (minLength: number) =>
  z
    .string()
    .min(minLength, `must be at least ${minLength} characters (generate one with: openssl rand -hex 32)`)

/** The zod schema of the runner's configuration. */
export const configSchema = z.object({
  erpnextUrl: httpUrl('https://erp.school.example'),
  apiKey: z.string().min(1, 'must not be empty').optional(),
  apiSecret: z.string().min(1, 'must not be empty').optional(),
  webhookSecret: secret(16).optional(),
  adminToken: secret(16).optional(),
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>` (or the admin token). */
  metricsToken: secret(16).optional(),
  dataDir: z.string().min(1).default('.edusync-data'),
  databaseUrl: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'must be a postgres:// URL')
    .optional(),
  pgSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be lowercase letters, digits or "_" (not starting with a digit)')
    .default('edusync'),
  redisUrl: z
    .string()
    .trim()
    .refine((v) => /^rediss?:\/\/.+/.test(v), 'must be a redis:// or rediss:// URL')
    .optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: int(0, 65535).default(8080),
  publicUrl: httpUrl('https://sync.school.example').optional(),
  workers: int(1, 32).default(2),
  rateLimit: int(1, 10_000).default(20),
  doctypes: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (typeof v === 'string' ? v.split(',') : v).map((s) => s.trim()).filter((s) => s !== ''))
    .refine((v) => v.length > 0, 'must name at least one doctype')
    .default([...DEFAULT_DOCTYPES]),
  site: z.string().min(1).default('default'),
  sqliteSynchronous: z.enum(['normal', 'full'], { error: 'must be "normal" or "full"' }).default('full'),
})

/** The validated, frozen configuration. */
export type RunnerConfig = Readonly<z.output<typeof configSchema>>

/** Where the settings come from. */
export interface LoadConfigOptions {
  /** The environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** A JSON file of settings (keys as in {@link ENV_NAMES}); environment variables win over it. */
  readonly file?: string
  /** Settings that win over both (command-line flags). */
  readonly overrides?: Partial<Record<Key, unknown>>
}

/**
 * Read the configuration from an optional JSON file, the environment (`EDUSYNC_*`) and overrides, in
 * that order of precedence (later wins), validate it and explain every problem at once.
 *
 * @throws {ConfigError} listing each wrong setting with its variable name (values are never echoed)
 * @example
 * ```ts
 * const config = loadConfig({ file: process.env.EDUSYNC_CONFIG })
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): RunnerConfig {
  const env = options.env ?? process.env
  const raw: Record<string, unknown> = {}
  const source: Record<string, string> = {}
  const file = options.file ?? env.EDUSYNC_CONFIG
  if (file) {
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(resolve(file), 'utf8'))
    } catch (error) {
      throw new ConfigError(
        [`config file ${file}: cannot be read as JSON (${(error as Error).message.split('\n')[0]})`],
        { cause: error },
      )
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new ConfigError([`config file ${file}: must hold a JSON object of settings`])
    const unknown = Object.keys(parsed).filter((k) => !(k in ENV_NAMES))
    if (unknown.length > 0)
      throw new ConfigError(
        unknown.map(
          (k) => `config file ${file}: unknown setting "${k}" (known: ${Object.keys(ENV_NAMES).join(', ')})`,
        ),
      )
    for (const [k, v] of Object.entries(parsed)) {
      raw[k] = v
      source[k] = `"${k}" in ${file}`
    }
  }
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const v = env[name]
    if (v !== undefined && v !== '') {
      raw[key] = v
      source[key] = name
    }
  }
  for (const [k, v] of Object.entries(options.overrides ?? {})) {
    if (v !== undefined) {
      raw[k] = v
      source[k] = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    }
  }
  const result = configSchema.safeParse(raw)
  const issues: string[] = []
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '')
      const where = source[key] ?? ENV_NAMES[key as Key] ?? key
      issues.push(
        issue.code === 'invalid_type' && raw[key] === undefined
          ? `${where}: is required (set ${ENV_NAMES[key as Key] ?? key})`
          : `${where}: ${issue.message}`,
      )
    }
  } else {
    const c = result.data
    if ((c.apiKey === undefined) !== (c.apiSecret === undefined))
      issues.push(
        `${ENV_NAMES.apiKey} and ${ENV_NAMES.apiSecret}: set both (an API key comes with its secret)`,
      )
  }
  if (issues.length > 0 || !result.success) throw new ConfigError(issues)
  return Object.freeze({ ...result.data, doctypes: Object.freeze([...result.data.doctypes]) }) as RunnerConfig
}
