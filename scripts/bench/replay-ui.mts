// How long the app takes to open a recording and to seek in it, in Chromium (browser mode):
// from the file chosen to the replay painted, and from a click on the timeline to the moment
// painted. Run after `npm run build`, on a quiet machine:
//
//   npx tsx scripts/bench/replay-ui.mts [FILE]   default: the one-hour recording that
//                                               `recording-figures.mts hour` writes
//
// Only 127.0.0.1 is used; the server is stopped by pid at the end.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { CHROMIUM, CHROMIUM_ARGS, startServe } from '../../tests/e2e/browserMode.ts'

const root = join(import.meta.dirname, '..', '..')
const file = process.argv[2] ?? join(root, '.tmp', 'recording-figures', 'one-hour.raftrec')
if (!existsSync(file)) {
  console.error(`replay-ui: no ${file} (make it with recording-figures.mts hour, or name one)`)
  process.exit(1)
}
const q = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN

// The page's globals, seen from here (this file is typechecked without the DOM's types).
interface PageGlobals {
  document: { querySelector(s: string): { textContent: string | null } | null }
  requestAnimationFrame(fn: () => void): void
  t0?: number
}

const dir = mkdtempSync(join(tmpdir(), 'raftlab-replay-ui-'))
const serve = startServe(dir)
const server = serve.child
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: [...CHROMIUM_ARGS],
})
try {
  const url = await serve.url
  const painted = (): Promise<number> =>
    new Promise((r) => {
      const g = globalThis as unknown as PageGlobals
      g.requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0))
    })
  const opens: number[] = []
  const seeks: number[] = []
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(url)
    await page
      .getByTestId('live-indicator')
      .filter({ hasText: /idle|live/ })
      .waitFor()
    // The clock starts at the input's change event: handing the file to the page is
    // Playwright's time, not the app's.
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        t0?: number
        document: { querySelector(s: string): { addEventListener(...a: unknown[]): void } }
      }
      g.document
        .querySelector('[data-testid="recording-input"]')
        .addEventListener('change', () => (g.t0 = performance.now()), { capture: true })
    })
    await page.getByTestId('recording-input').setInputFiles(file)
    await page.getByTestId('replay-bar').waitFor({ timeout: 120_000 })
    const end = await page.evaluate(painted)
    opens.push(
      end - ((await page.evaluate(() => (globalThis as unknown as PageGlobals).t0)) ?? end),
    )
    if (i === 4) {
      const box = await page.getByTestId('replay-scrubber').boundingBox()
      if (!box) throw new Error('no timeline on the page')
      let seed = 7
      for (let k = 0; k < 60; k++) {
        seed = (seed * 48271) % 2147483647
        const x = box.x + 2 + (seed / 2147483647) * (box.width - 4)
        const before = await page.getByTestId('replay-time').textContent()
        const t0 = await page.evaluate(() => performance.now())
        await page.mouse.click(x, box.y + box.height / 2)
        await page.waitForFunction(
          (b) =>
            (globalThis as unknown as PageGlobals).document.querySelector(
              '[data-testid="replay-time"]',
            )?.textContent !== b,
          before,
        )
        seeks.push((await page.evaluate(painted)) - t0)
      }
    }
    await page.close()
  }
  console.log(`recording ${file}`)
  console.log(
    `open (file chosen → replay painted, 5 page loads): median ${q(opens, 0.5).toFixed(0)} ms, max ${Math.max(...opens).toFixed(0)} ms`,
  )
  console.log(
    `seek (click on 60 random spots of the timeline → painted): median ${q(seeks, 0.5).toFixed(0)} ms, p90 ${q(seeks, 0.9).toFixed(0)} ms, max ${Math.max(...seeks).toFixed(0)} ms`,
  )
} finally {
  await browser.close()
  if (server.pid && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((r) => server.once('exit', r))
    process.kill(server.pid, 'SIGTERM')
    await exited
  }
  rmSync(dir, { recursive: true, force: true })
}
