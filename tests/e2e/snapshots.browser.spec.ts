// A snapshot on demand from the node menu (issue 14): the node takes it, the narrative says so in
// plain words, and the log view draws the compacted prefix as one block named by the snapshot.
// A screenshot of the log view goes to .tmp/screens/ for a person to look at.
import { mkdirSync } from 'node:fs'
import { expect, test } from './serve'

const SCREENS = '.tmp/screens'
mkdirSync(SCREENS, { recursive: true })

test('Take snapshot now: the node compacts its log, the narrative and the log view show it', async ({
  page,
  served,
  consoleErrors,
}) => {
  test.setTimeout(120_000)
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(served.url)
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)
  await page.getByTestId('form-nodes').selectOption('3')
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })
  const leader = /leader (n\d)/.exec((await page.getByTestId('topbar-leader').textContent()) ?? '')
  const follower = ['n1', 'n2', 'n3'].find((n) => n !== leader?.[1]) as string

  // Some entries to compact: a short workload.
  await page.getByTestId('workload-closed').check()
  await page.getByTestId('workload-concurrency').fill('2')
  await page.getByTestId('workload-start').click()
  await expect(page.getByTestId('workload-readout')).toHaveText(/\/s · p99 \d/, { timeout: 20_000 })
  await page.waitForTimeout(1500)
  await page.getByTestId('workload-stop').click()

  await page.getByTestId(`node-${follower}`).locator('.body').click()
  const menu = page.getByTestId('node-menu')
  await expect(menu.getByTestId('menu-snapshot')).toBeEnabled()
  await menu.getByTestId('menu-snapshot').click()

  await expect
    .poll(
      async () =>
        (await page.locator('[data-testid="narrative-line"] .text').allTextContents()).some((t) =>
          new RegExp(
            `^${follower} took a snapshot at [\\d,]+ \\(.+\\) and compacted its log$`,
          ).test(t.trim()),
        ),
      { timeout: 15_000 },
    )
    .toBe(true)
  await page.getByTestId('log-whole').click()
  const block = page.getByTestId(`log-${follower}`).getByTestId('log-snapshot')
  await expect(block).toBeVisible()
  await expect(block).toHaveText(/^snapshot ≤ [\d,]+$/)
  // Only the node told to snapshot did (the default policy waits for 10,000 entries).
  await expect(page.getByTestId('log-view').getByTestId('log-snapshot')).toHaveCount(1)
  await page.getByTestId('log-view').screenshot({ path: `${SCREENS}/snapshot-log-view.png` })
  await page.screenshot({ path: `${SCREENS}/snapshot-app.png` })

  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  expect(consoleErrors).toEqual([])
})
