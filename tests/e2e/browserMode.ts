// Browser mode for tools: Debian's Chromium and how to launch it here, and a `raftlab serve`
// started the way a user starts it. Shared by playwright.config.ts, the Playwright fixture
// (serve.ts) and the UI benchmarks in scripts/bench/ — plain Node, no test runner in it.
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'

// (From __filename: tsx, loading this file for the .mts scripts, sets it but not __dirname.)
const root = join(dirname(__filename), '..', '..')

/** CHROMIUM is Debian's Chromium (RAFTLAB_CHROMIUM overrides): Playwright's own browser
 * downloads are never used. */
export const CHROMIUM = process.env.RAFTLAB_CHROMIUM || '/usr/bin/chromium'

/** CHROMIUM_ARGS: as root (CI containers) Chromium needs --no-sandbox; the rest stop it from
 * trying connections it cannot make here. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** ServeProcess is a started `raftlab serve --no-open`: its process (to stop by pid, whatever
 * happens), the URL it prints (token included), and the tail of what it printed. */
export interface ServeProcess {
  child: ChildProcess
  url: Promise<string>
  output(): string
}

/** startServe runs the built CLI's `raftlab serve --no-open` on a free 127.0.0.1 port with its
 * recordings in `recordingsDir`. The process is returned at once; `url` settles when the URL is
 * printed, or rejects (with the output) when none comes within 20 s or the server exits. */
export function startServe(recordingsDir: string): ServeProcess {
  const child = spawn(process.execPath, [join(root, 'bin', 'raftlab.cjs'), 'serve', '--no-open'], {
    cwd: root,
    env: { ...process.env, RAFTLAB_RECORDINGS_DIR: recordingsDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Keep reading (a full pipe would stall the server) but keep only the tail.
  let text = ''
  const keep = (b: Buffer): void => {
    text = (text + b.toString()).slice(-20_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`raftlab serve printed no URL in 20 s:\n${text}`)),
      20_000,
    )
    const look = (): void => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(text)
      if (m) {
        clearTimeout(timer)
        child.stdout?.off('data', look)
        resolve(m[1] as string)
      }
    }
    child.stdout?.on('data', look)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`raftlab serve exited (${signal ?? code}):\n${text}`))
    })
  })
  return { child, url, output: () => text }
}
