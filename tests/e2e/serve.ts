// A `raftlab serve` per test, the way a user starts browser mode: the built CLI on a free
// port, its recordings in a private folder. Stopped with SIGTERM at the end (which stops every
// node process it started); a server that does not exit in time is killed by pid.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test as base } from '@playwright/test'
import { startServe } from './browserMode'

/** Served is a running browser-mode server. */
export interface Served {
  /** url is the page to open, token included. */
  url: string
  /** recordingsDir is where the app's recordings go. */
  recordingsDir: string
  /** output is the tail of what the server printed so far. */
  output(): string
}

async function launch(): Promise<{ served: Served; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'raftlab-e2e-'))
  const recordingsDir = join(dir, 'recordings')
  const { child, url, output } = startServe(recordingsDir)
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
  // A server that never prints its URL is stopped too, not left behind.
  const printed = await url.catch(async (e: Error) => {
    await stop()
    throw e
  })
  return { served: { url: printed, recordingsDir, output }, stop }
}

/** test gives each test a server of its own (`served`: its clusters, recordings and chart
 * history never meet another test's; starting one takes about a second) and fails a test whose
 * page logged an error to the console. */
export const test = base.extend<{ consoleErrors: string[]; served: Served }>({
  served: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const { served, stop } = await launch()
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
