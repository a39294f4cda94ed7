// Where a lab keeps its files: a private run directory for sockets (short, mode 0700, under
// XDG_RUNTIME_DIR or the OS temp dir) and the built entries it starts as processes.
import { existsSync, mkdtempSync, chmodSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
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

/** defaultRecordingsDir is where the app's recordings go unless told otherwise:
 * RAFTLAB_RECORDINGS_DIR, else the platform's per-user data folder (XDG_DATA_HOME or
 * ~/.local/share on Linux, ~/Library/Application Support on macOS, %APPDATA% on Windows). */
export function defaultRecordingsDir(): string {
  const env = process.env
  if (env.RAFTLAB_RECORDINGS_DIR) return env.RAFTLAB_RECORDINGS_DIR
  const home = homedir()
  const base =
    process.platform === 'darwin'
      ? join(home, 'Library', 'Application Support')
      : process.platform === 'win32'
        ? (env.APPDATA ?? join(home, 'AppData', 'Roaming'))
        : (env.XDG_DATA_HOME ?? join(home, '.local', 'share'))
  return join(base, 'raftlab', 'recordings')
}

/** builtEntry finds a built plain-Node entry (node.js, reaper.js …): beside this module in a
 * build, or in out/main when running from source (tests). */
export function builtEntry(name: string): string {
  return findBuiltEntry(name, __dirname)
}

/** findBuiltEntry is builtEntry for a module living in `dir`. In the packaged app `dir` lies
 * inside resources/app.asar, which only Electron's patched fs can read; the entries are also
 * unpacked beside it (electron-builder's asarUnpack), and a child process is started from there,
 * so it runs from real files whatever runtime starts it. Built, every module of the lab lives in
 * out/main; from source this one is electron/lab/supervisor/, three levels below out/. */
export function findBuiltEntry(name: string, dir: string): string {
  const file = `${name}.js`
  const candidates = [
    join(asarUnpackedPath(dir), file),
    join(dir, file),
    resolve(dir, '../../../out/main', file),
  ]
  for (const c of candidates) if (existsSync(c)) return c
  throw new Error(
    `the ${name} entry is not built (looked for ${candidates.join(', ')}); run: npm run build`,
  )
}

/** asarUnpackedPath maps a path inside an `app.asar` archive to the same path in the
 * `app.asar.unpacked` folder beside it; any other path is returned unchanged. */
export function asarUnpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked')
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
