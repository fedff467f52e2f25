import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))

/** Escape a string for use inside a RegExp. */
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Aliases that resolve every `@edusync/*` package (and each of its subpath exports) to its
 * TypeScript source, so tests never depend on a prior build. The export `./x` of a package maps to
 * `src/x.ts` (or `src/x/index.ts`), and `.` maps to `src/index.ts`.
 */
export function sourceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = []
  const packagesDir = join(root, 'packages')
  for (const dir of readdirSync(packagesDir)) {
    const manifestPath = join(packagesDir, dir, 'package.json')
    if (!existsSync(manifestPath)) continue
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      name: string
      exports?: Record<string, unknown>
    }
    for (const key of Object.keys(manifest.exports ?? { '.': null })) {
      if (key === './package.json') continue
      const sub = key === '.' ? 'index' : key.slice(2)
      const candidates = [
        join(packagesDir, dir, 'src', `${sub}.ts`),
        join(packagesDir, dir, 'src', sub, 'index.ts'),
      ]
      const file = candidates.find((c) => existsSync(c))
      if (!file) continue
      const specifier = key === '.' ? manifest.name : `${manifest.name}/${sub}`
      aliases.push({ find: new RegExp(`^${escapeRegExp(specifier)}$`), replacement: file })
    }
  }
  // better-sqlite3 12 (the last release that runs on Node 20) aborts the process on Node >= 24.19 when a
  // Statement is finalised outside a V8 context; 13 fixes it but needs Node 22. CI's Node 24 run installs
  // 13 beside the workspace and points this variable at it, testing what a Node 24 user would install.
  const sqliteDriver = process.env.EDUSYNC_BETTER_SQLITE3
  if (sqliteDriver) {
    const manifest = JSON.parse(readFileSync(join(sqliteDriver, 'package.json'), 'utf8')) as { main?: string }
    aliases.push({
      find: /^better-sqlite3$/,
      replacement: join(sqliteDriver, manifest.main ?? 'lib/index.js'),
    })
  }
  return aliases
}
