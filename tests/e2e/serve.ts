// A `raftlab serve` per test, the way a user starts browser mode: the built CLI on a free
// port, its recordings in a private folder. Stopped with SIGTERM at the end (which stops every
// node process it started); a server that does not exit in time is killed by pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base } from '@playwright/test'

const root = join(__dirname, '..', '..')

/** Served is a running browser-mode server. */
export interface Served {
  /** url is the page to open, token included. */
  url: string
  /** recordingsDir is where the app's recordings go. */
  recordingsDir: string
  /** output is everything the server printed so far. */
  output(): string
}

async function startServe(): Promise<{ served: Served; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'raftlab-e2e-'))
  const recordingsDir = join(dir, 'recordings')
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, 'bin', 'raftlab.cjs'), 'serve', '--no-open'],
    {
      cwd: root,
      env: { ...process.env, RAFTLAB_RECORDINGS_DIR: recordingsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let text = ''
  child.stdout?.on('data', (b: Buffer) => (text += b.toString()))
  child.stderr?.on('data', (b: Buffer) => (text += b.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`raftlab serve printed no URL:\n${text}`)),
      20_000,
    )
    const look = (): void => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(text)
      if (m) {
        clearTimeout(timer)
        resolve(m[1] as string)
      }
    }
    child.stdout?.on('data', look)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`raftlab serve exited (${code}):\n${text}`))
    })
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  return { served: { url, recordingsDir, output: () => text }, stop }
}

/** test gives each test a server of its own (`served`: its clusters, recordings and chart
 * history never meet another test's; starting one takes about a second) and fails a test whose
 * page logged an error to the console. */
export const test = base.extend<{ consoleErrors: string[]; served: Served }>({
  served: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { served, stop } = await startServe()
      try {
        await use(served)
      } finally {
        await stop()
      }
    },
    { scope: 'test' },
  ],
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('pageerror', (e) => errors.push(e.message))
    await use(errors)
  },
})

export { expect } from '@playwright/test'
