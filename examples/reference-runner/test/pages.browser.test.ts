/**
 * The web pages in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against the
 * runner and the emulator: live numbers, a review resolved by clicking, a written-back insight, and an
 * HTML-injection attempt rendered as text.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, type Page, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setupErpnext } from '../src/setup-erpnext.js'
import { ADMIN_TOKEN, type TestRunner, reviewRules, startRunner, testEnhancers } from './helpers/runner.js'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available && process.env.CI === 'true')
  throw new Error(`${CHROMIUM} is missing; CI installs Debian's chromium package.`)
const SCREENSHOTS = process.env.EDUSYNC_SCREENSHOTS === '1'
const docsDir = fileURLToPath(new URL('../../../docs/images/', import.meta.url))

const INJECTION = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>Zoë'

describe.skipIf(!available)('pages in headless Chromium', () => {
  let r: TestRunner
  let context: BrowserContext
  let page: Page
  let profileDir: string
  let conflicted: string
  let injected: string

  beforeAll(async () => {
    r = await startRunner({
      seedSize: 6,
      enhancers: testEnhancers,
      rules: reviewRules,
      doctypes: ['Student', 'Guardian', 'Student Group', 'Assessment Result', 'Assessment Insight'],
    })
    injected = String(
      r.erp.emulator.insert('Student', { first_name: INJECTION, student_email_id: 'inject@school.test' })
        .name,
    )
    await setupErpnext(r.service.client, {
      webhookUrl: `${r.server.url}/webhooks/erpnext`,
      webhookSecret: r.service.webhookSecret,
      doctypes: r.config.doctypes,
    })
    await r.service.engine.backfill()
    // A teacher changes a student's learning profile before the AI layer's value is written back: both
    // sides changed the field, and the test rules send it to a person.
    conflicted = String(r.erp.emulator.inspect.documents('Student')[1]!.name)
    await r.service.client.docUntyped('Student').update(conflicted, {
      ai_learning_profile: JSON.stringify({ style: 'auditory', by: 'teacher' }),
    } as never)
    await r.erp.emulator.inspect.webhooksIdle()
    await r.service.engine.drain()
    r.service.engine.start({ concurrency: 1 })
    profileDir = mkdtempSync(join(tmpdir(), 'edusync-chromium-'))
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1200, height: 900 },
    })
    page = context.pages()[0] ?? (await context.newPage())
    // Never let the browser talk to anything but the runner.
    await context.route('**/*', (route) =>
      route.request().url().startsWith(r.server.url) ? route.continue() : route.abort(),
    )
    await page.goto(`${r.server.url}/`)
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${r.server.url}/`)
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    await r?.close()
    if (profileDir) rmSync(profileDir, { recursive: true, force: true })
  })

  it('the status page shows live numbers', async () => {
    const mirrored = page.locator('[data-metric="mirror:Student"]').first()
    const count = r.erp.emulator.inspect.documents('Student').length
    await expect.poll(() => mirrored.textContent()).toBe(String(count))
    if (SCREENSHOTS) {
      mkdirSync(docsDir, { recursive: true })
      await page.screenshot({ path: join(docsDir, 'status-page.png'), fullPage: true })
    }
    // A new student in ERPNext arrives by webhook; the page updates without a reload.
    r.erp.emulator.insert('Student', { first_name: 'Newcomer', student_email_id: 'new@school.test' })
    await expect.poll(() => mirrored.textContent(), { timeout: 15_000 }).toBe(String(count + 1))
  })

  it('a review item resolved by clicking reaches ERPNext', async () => {
    await page.goto(`${r.server.url}/reviews`)
    const item = page.locator('article.review', { hasText: conflicted })
    await expect.poll(() => item.count()).toBe(1)
    await expect.poll(() => item.locator('pre').nth(2).textContent()).toContain('teacher')
    if (SCREENSHOTS) await page.screenshot({ path: join(docsDir, 'review-page.png'), fullPage: true })
    await item.getByRole('button', { name: 'Keep the AI value' }).click()
    await page.waitForURL(/\/reviews\?resolved=\d+/)
    expect(await page.getByRole('status').textContent()).toMatch(/resolved and written back to ERPNext/)
    await expect
      .poll(
        () => JSON.parse(String(r.erp.emulator.inspect.document('Student', conflicted)?.ai_learning_profile)),
        {
          timeout: 15_000,
        },
      )
      .toMatchObject({ style: 'visual' })
  })

  it('the student page shows the insights written back', async () => {
    await page.goto(`${r.server.url}/students/${encodeURIComponent(conflicted)}`)
    const html = await page.locator('main').textContent()
    expect(html).toContain('Scores rose over the term.')
    expect(html).toContain('Fractions')
    expect(html).toContain('Practise past papers weekly')
    expect(await page.locator('section.warning').count()).toBeGreaterThan(0)
    // What the page shows is what ERPNext holds.
    const results = r.erp.emulator.inspect
      .documents('Assessment Result')
      .filter((x) => x.student === conflicted)
      .map((x) => x.name)
    const insights = r.erp.emulator.inspect
      .documents('Assessment Insight')
      .filter((i) => results.includes(i.assessment_result))
    expect(insights.length).toBeGreaterThan(0)
    expect(await page.locator('section.insight').count()).toBe(insights.length)
  })

  it('a doctype this runner does not sync is a 404, not an error', async () => {
    const res = await fetch(`${r.server.url}/api/courses/anything`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { message: string }).message).toContain('EDUSYNC_DOCTYPES')
  })

  it('an HTML-injection attempt in a student name renders as text', async () => {
    await page.goto(`${r.server.url}/students/${encodeURIComponent(injected)}`)
    const name = page.locator('[data-student-name]')
    expect(await name.textContent()).toContain(INJECTION)
    expect(await name.locator('img, script').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    await page.goto(`${r.server.url}/students`)
    expect(await page.locator('main img, main script').count()).toBe(0)
    expect(await page.locator('main').textContent()).toContain(INJECTION)
  })
})
