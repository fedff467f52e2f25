import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DOCTYPES, loadConfig } from '../src/config.js'
import { ConfigError, isConfigError, isRunnerError, isStartupError, StartupError } from '../src/errors.js'

const valid = {
  EDUSYNC_ERPNEXT_URL: 'https://erp.school.example/',
  EDUSYNC_ERPNEXT_API_KEY: 'key',
  EDUSYNC_ERPNEXT_API_SECRET: 'secret',
}

function issues(env: Record<string, string>): string[] {
  try {
    loadConfig({ env })
  } catch (error) {
    if (isConfigError(error)) return [...error.issues]
    throw error
  }
  return []
}

describe('loadConfig', () => {
  it('accepts a valid environment, applies defaults and freezes the result', () => {
    const config = loadConfig({ env: valid })
    expect(config.erpnextUrl).toBe('https://erp.school.example')
    expect(config.port).toBe(8080)
    expect(config.host).toBe('127.0.0.1')
    expect(config.doctypes).toEqual(DEFAULT_DOCTYPES)
    expect(config.databaseUrl).toBeUndefined()
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('explains a missing ERPNext URL', () => {
    const { EDUSYNC_ERPNEXT_URL: _, ...env } = valid
    expect(issues(env)).toEqual(['EDUSYNC_ERPNEXT_URL: is required (set EDUSYNC_ERPNEXT_URL)'])
  })

  it('explains a URL that is not http(s)', () => {
    expect(issues({ ...valid, EDUSYNC_ERPNEXT_URL: 'ftp://erp' })[0]).toMatch(
      /^EDUSYNC_ERPNEXT_URL: must be an http\(s\) URL/,
    )
  })

  it('explains a short webhook secret without echoing it', () => {
    const [issue] = issues({ ...valid, EDUSYNC_WEBHOOK_SECRET: 'hunter2' })
    expect(issue).toMatch(/^EDUSYNC_WEBHOOK_SECRET: must be at least 16 characters/)
    expect(issue).not.toContain('hunter2')
  })

  it('explains a port out of range', () => {
    expect(issues({ ...valid, EDUSYNC_PORT: '70000' })).toEqual(['EDUSYNC_PORT: must be at most 65535'])
  })

  it('explains a database URL that is not PostgreSQL', () => {
    expect(issues({ ...valid, EDUSYNC_DATABASE_URL: 'mysql://db' })).toEqual([
      'EDUSYNC_DATABASE_URL: must be a postgres:// URL',
    ])
  })

  it('explains a Redis URL of the wrong scheme', () => {
    expect(issues({ ...valid, EDUSYNC_REDIS_URL: 'http://cache' })).toEqual([
      'EDUSYNC_REDIS_URL: must be a redis:// or rediss:// URL',
    ])
  })

  it('needs the API secret with the API key', () => {
    const { EDUSYNC_ERPNEXT_API_SECRET: _, ...env } = valid
    expect(issues(env)[0]).toMatch(/set both/)
  })

  it('lists every problem at once', () => {
    expect(issues({ EDUSYNC_ERPNEXT_URL: 'nope', EDUSYNC_PORT: 'x', EDUSYNC_WORKERS: '0' })).toHaveLength(3)
  })

  it('reads a JSON file, and the environment wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edusync-config-'))
    try {
      const file = join(dir, 'edusync.json')
      writeFileSync(
        file,
        JSON.stringify({ erpnextUrl: 'https://from-file.example', port: 9000, doctypes: ['Student'] }),
      )
      const config = loadConfig({ env: { EDUSYNC_PORT: '9100' }, file })
      expect(config.erpnextUrl).toBe('https://from-file.example')
      expect(config.port).toBe(9100)
      expect(config.doctypes).toEqual(['Student'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('names an unknown key of the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edusync-config-'))
    try {
      const file = join(dir, 'edusync.json')
      writeFileSync(file, JSON.stringify({ erpnextUrl: 'https://x.example', prot: 1 }))
      expect(() => loadConfig({ env: {}, file })).toThrow(/unknown setting "prot"/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('explains a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edusync-config-'))
    try {
      const file = join(dir, 'edusync.json')
      writeFileSync(file, '{ nope')
      expect(() => loadConfig({ env: {}, file })).toThrow(/cannot be read as JSON/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('errors', () => {
  it('carry a prefix, a literal name, a stable code and realm-safe guards', () => {
    const error = new ConfigError(['EDUSYNC_PORT: must be a number'])
    expect(error.message).toMatch(/^\[@edusync\/reference-runner\] The configuration is not valid/)
    expect(error.name).toBe('ConfigError')
    expect(error.code).toBe('CONFIG_INVALID')
    expect(isRunnerError(error)).toBe(true)
    expect(isStartupError(error)).toBe(false)
    const cause = new Error('ECONNREFUSED')
    const startup = new StartupError('cannot open', { cause })
    expect(startup.cause).toBe(cause)
    expect(isStartupError(startup)).toBe(true)
    expect(isConfigError({ code: 'CONFIG_INVALID' })).toBe(false)
  })
})
