// better-sqlite3 has no reachable prebuilt binary here, so node-gyp compiles it. pnpm does not pass
// `nodedir` from .npmrc to node-gyp, which then tries to download Node's headers and fails offline.
// Point node-gyp at the headers that ship beside the `node` binary on PATH (works for /usr/bin/node
// and for the npm `node@24` package used by the CI Node matrix).
const { execFileSync } = require('node:child_process')
const { existsSync } = require('node:fs')
const path = require('node:path')

function findNodeDir() {
  try {
    const execPath = execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).trim()
    const dir = path.resolve(path.dirname(execPath), '..')
    // The npm `node` package keeps the headers in its platform package beside the binary.
    const candidates = [dir, path.join(dir, 'node_modules', `node-${process.platform}-${process.arch}`)]
    for (const candidate of candidates) {
      if (existsSync(path.join(candidate, 'include', 'node', 'common.gypi'))) return candidate
    }
  } catch {}
  return undefined
}

module.exports = {
  hooks: {
    updateConfig(config) {
      const nodedir = process.env.npm_config_nodedir || findNodeDir()
      if (!nodedir) return config
      return { ...config, extraEnv: { ...(config.extraEnv ?? {}), npm_config_nodedir: nodedir } }
    },
  },
}
