// The desktop app end to end (Playwright's Electron support): the bridge the page sees (isolated,
// no Node), the IPC guard, denied pop-ups, and every node process gone after quitting.
// Electron's binary is downloaded on first use; where it is absent (no route to GitHub) this
// file skips with the reason printed, and never triggers the download itself: it reads
// node_modules/electron/path.txt instead of require('electron'). Run: npx playwright test
// tests/e2e/electron.spec.ts (after npm run build; on Linux, under a display or xvfb-run).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test'

const root = join(__dirname, '..', '..')

/** electronBinary is the installed Electron executable, or why there is none. */
function electronBinary(): { path: string } | { reason: string } {
  const dir = join(root, 'node_modules', 'electron')
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) {
    return {
      reason: `Electron's binary is not installed (no ${pathFile}): its download needs GitHub; on a connected machine run node node_modules/electron/install.js`,
    }
  }
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return { reason: `Electron's binary ${binary} is missing` }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display (DISPLAY is unset); run under xvfb-run' }
  }
  if (!existsSync(join(root, 'out', 'main', 'index.js'))) {
    return { reason: 'the app is not built; run npm run build' }
  }
  return { path: binary }
}

const found = electronBinary()
const skipReason = 'reason' in found ? found.reason : null
if (skipReason !== null) console.log(`skipping the Electron end-to-end tests: ${skipReason}`)

test.describe('the desktop app', () => {
  test.skip(skipReason !== null, skipReason ?? '')

  let app: ElectronApplication
  const pids: number[] = []

  test.beforeAll(async () => {
    const env = { ...process.env } as Record<string, string>
    delete env.ELECTRON_RENDERER_URL
    delete env.ELECTRON_RUN_AS_NODE
    app = await electron.launch({
      executablePath: (found as { path: string }).path,
      // Chromium refuses to run as root with its sandbox (CI containers); the renderer is still
      // sandboxed by Electron's own settings, which is what these tests check.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
      env,
    })
  })

  test.afterAll(async () => {
    await app?.close()
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone, as it should be
      }
    }
  })

  test('the page sees window.raftlab with one method per channel, and no Node', async () => {
    const page = await app.firstWindow()
    const shape = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>
      const bridge = w.raftlab as Record<string, unknown>
      return {
        // contextBridge hands the page a frozen copy, and only with context isolation on.
        frozen: Object.isFrozen(bridge),
        keys: Object.keys(bridge).sort(),
        types: Object.values(bridge).map((v) => typeof v),
        require: typeof w.require,
        process: typeof w.process,
        ipc: typeof w.ipcRenderer,
      }
    })
    expect(shape.frozen).toBe(true)
    expect(shape.keys).toEqual(['command', 'hello', 'onEvents', 'onMenu'])
    expect(new Set(shape.types)).toEqual(new Set(['function']))
    expect([shape.require, shape.process, shape.ipc]).toEqual([
      'undefined',
      'undefined',
      'undefined',
    ])
  })

  test('hello and commands go through; a malformed command is refused; window.open is denied', async () => {
    const page = await app.firstWindow()
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    const out = await page.evaluate(async () => {
      type Bridge = {
        hello(): Promise<{ appVersion: string }>
        command(c: unknown): Promise<{ ok: boolean; code?: string }>
      }
      const r = (globalThis as unknown as { raftlab: Bridge }).raftlab
      const hello = await r.hello()
      const bad = await r.command({ type: 'node.pause', node: 'n1' })
      const popup = (globalThis as unknown as { open(u: string): unknown }).open(
        'https://example.com/',
      )
      return { version: hello.appVersion, bad, popup: popup === null }
    })
    expect(out.version).toBe(pkg.version)
    expect(out.bad).toMatchObject({ ok: false, code: 'invalid' })
    expect(out.popup).toBe(true)
    expect(app.windows()).toHaveLength(1)
  })

  test('quitting stops every node process', async () => {
    const page = await app.firstWindow()
    const started = await page.evaluate(async () => {
      type Bridge = {
        command(c: unknown): Promise<{ ok: boolean; status?: { nodes: { pid: number | null }[] } }>
      }
      const r = (globalThis as unknown as { raftlab: Bridge }).raftlab
      return r.command({ type: 'cluster.start', config: { nodes: 3 } })
    })
    expect(started.ok).toBe(true)
    for (const n of started.status?.nodes ?? []) if (n.pid !== null) pids.push(n.pid)
    expect(pids).toHaveLength(3)
    await app.close()
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([])
  })
})
