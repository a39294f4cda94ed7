// Where a lab keeps its files: a private run directory for sockets (short, mode 0700, under
// XDG_RUNTIME_DIR or the OS temp dir) and the built entries it starts as processes.
import { existsSync, mkdtempSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** makeRunDir creates a fresh private directory for a cluster's sockets. */
export function makeRunDir(): string {
  const base =
    process.env.XDG_RUNTIME_DIR && existsSync(process.env.XDG_RUNTIME_DIR)
      ? process.env.XDG_RUNTIME_DIR
      : tmpdir()
  const dir = mkdtempSync(join(base, 'raftlab-'))
  chmodSync(dir, 0o700)
  return dir
}

/** makeDataDir creates a fresh directory for node data when the user gave none. */
export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'raftlab-data-'))
}

/** builtEntry finds a built plain-Node entry (node.js, reaper.js …): beside this module in a
 * build, or in out/main when running from source (tests). */
export function builtEntry(name: string): string {
  const candidates = [
    join(__dirname, `${name}.js`),
    resolve(__dirname, '../../out/main', `${name}.js`),
  ]
  for (const c of candidates) if (existsSync(c)) return c
  throw new Error(
    `the ${name} entry is not built (looked for ${candidates.join(', ')}); run: npm run build`,
  )
}

/** childEnv is the environment for lab child processes: only what they need. NODE_EXTRA_CA_CERTS
 * is left out on purpose (loading the CA bundle triples a Node child's start-up time, and nodes
 * make no TLS connections); ELECTRON_RUN_AS_NODE makes Electron's binary act as Node. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ELECTRON_RUN_AS_NODE: '1', ...extra }
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'XDG_RUNTIME_DIR', 'SYSTEMROOT', 'LANG']) {
    if (process.env[k] !== undefined) env[k] = process.env[k]
  }
  return env
}
