// The desktop-lab issue's walkthrough in browser mode, as a person would do it: a 5-node cluster
// from the form, pause the leader from its node menu (a new leader, a higher term on the chart),
// cut a link (drawn cut), run writes (latency chart and histogram fill), heal and see every log
// agree. Screenshots of each step go to test-results/walkthrough/ for a person to look at.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, test } from './serve'

const shots = join(__dirname, '..', '..', 'test-results', 'walkthrough')

async function leaderName(page: Page): Promise<string | null> {
  const text = (await page.getByTestId('topbar-leader').textContent()) ?? ''
  return /leader (n\d)/.exec(text)?.[1] ?? null
}

async function chartTerm(page: Page): Promise<number> {
  const text = (await page.getByTestId('chart-term').locator('.summary').textContent()) ?? ''
  return Number(/term (\d+)/.exec(text)?.[1] ?? NaN)
}

test('5 nodes: pause the leader, cut a link, write, heal, logs agree', async ({
  page,
  served,
  consoleErrors,
}) => {
  test.setTimeout(150_000)
  mkdirSync(shots, { recursive: true })
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) })
  await page.goto(served.url)

  // A 5-node cluster from the form, and a leader.
  await page.getByTestId('form-nodes').selectOption('5')
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })
  await expect(page.locator('[data-testid^="node-n"][data-role="leader"]')).toHaveCount(1)
  await expect(page.getByTestId('chart-term').locator('.summary')).toHaveText(/term \d+/)
  const firstLeader = (await leaderName(page)) as string
  const firstTerm = await chartTerm(page)
  await shot('1-leader')

  // Pause the leader from its node menu: the others elect a new one, in a higher term.
  await page.getByTestId(`node-${firstLeader}`).click()
  await page.getByTestId('menu-pause').click()
  await expect(page.getByTestId(`node-${firstLeader}`)).toHaveAttribute('data-state', 'paused')
  await expect
    .poll(async () => (await leaderName(page)) ?? firstLeader, { timeout: 20_000 })
    .not.toBe(firstLeader)
  await expect.poll(() => chartTerm(page), { timeout: 10_000 }).toBeGreaterThan(firstTerm)
  const leader = (await leaderName(page)) as string
  await shot('2-paused-leader')
  await page.getByTestId(`node-${firstLeader}`).click()
  await page.getByTestId('menu-pause').click()
  await expect(page.getByTestId(`node-${firstLeader}`)).toHaveAttribute('data-state', 'running')

  // Cut one direction of a link between two followers: drawn cut, the other direction not.
  const followers = ['n1', 'n2', 'n3', 'n4', 'n5'].filter((n) => n !== leader)
  const [a, b] = followers as [string, string]
  await page.getByTestId(`link-${a}-${b}`).click()
  await expect(page.getByTestId(`link-${a}-${b}`)).toHaveAttribute('data-kind', 'cut')
  await expect(page.getByTestId(`link-${b}-${a}`)).not.toHaveAttribute('data-kind', 'cut')

  // Writes: the latency chart and the histogram fill.
  await expect(page.getByTestId('chart-histogram')).toHaveAttribute('data-empty', 'true')
  await page.getByTestId('workload-closed').check()
  await page.getByTestId('workload-start').click()
  await expect(page.getByTestId('topbar-workload')).toBeVisible()
  await expect(page.getByTestId('chart-latency')).toHaveAttribute('data-empty', 'false', {
    timeout: 20_000,
  })
  await expect(page.getByTestId('chart-histogram')).toHaveAttribute('data-empty', 'false', {
    timeout: 20_000,
  })
  await expect(page.getByTestId('chart-latency').locator('.summary')).toHaveText(/p50/)
  await page.waitForTimeout(3000)
  await shot('3-writes-with-a-cut-link')

  // Stop writing, heal: every log reaches the same last index and commit index.
  await page.getByTestId('workload-stop').click()
  await expect(page.getByTestId('topbar-workload')).toHaveCount(0, { timeout: 20_000 })
  await page.getByTestId('preset-heal').click()
  await expect(page.getByTestId(`link-${a}-${b}`)).not.toHaveAttribute('data-kind', 'cut')
  const rows = page.locator('[data-testid^="log-n"]')
  await expect(rows).toHaveCount(5)
  await expect
    .poll(
      async () => {
        const seen = new Set<string>()
        for (let i = 0; i < 5; i++) {
          const row = rows.nth(i)
          seen.add(
            `${await row.getAttribute('data-last-index')}/${await row.getAttribute('data-commit')}`,
          )
        }
        return [...seen]
      },
      { timeout: 20_000 },
    )
    .toHaveLength(1)
  const last = Number(await rows.first().getAttribute('data-last-index'))
  expect(last).toBeGreaterThan(10)
  await page.getByTestId('log-whole').click()
  await shot('4-healed-logs-agree')

  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  expect(consoleErrors).toEqual([])
})
