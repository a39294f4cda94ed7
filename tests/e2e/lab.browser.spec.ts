// The live lab as a person touches it, in browser mode: the cluster ring with roles, terms and
// the leader; the node menu (pause/resume, crash/restart); one direction of a link cut by a
// click; the partition presets; a workload filling the latency and throughput charts; the
// narrative and its filters; the logs; the keyboard help; a refused command's toast; and the
// "no leader" state when a majority is gone. Each test starts and stops its own cluster.
import type { Locator, Page } from '@playwright/test'
import { expect, test } from './serve'

/** leaderName reads the top bar's leader ("leader n2" → "n2"), or null while there is none. */
async function leaderName(page: Page): Promise<string | null> {
  const el = page.getByTestId('topbar-leader')
  if ((await el.count()) === 0) return null
  const text = (await el.textContent({ timeout: 5000 })) ?? ''
  return /leader (n\d)/.exec(text)?.[1] ?? null
}

/** topbarTerm reads the term the top bar shows. */
async function topbarTerm(page: Page): Promise<number> {
  const text = (await page.getByTestId('cluster-facts').textContent()) ?? ''
  return Number(/term (\d+)/.exec(text)?.[1] ?? NaN)
}

/** startCluster starts an n-node cluster from the form and waits for its leader. */
async function startCluster(page: Page, nodes: number): Promise<string> {
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)
  await page.getByTestId('form-nodes').selectOption(String(nodes))
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })
  await expect(page.locator('[data-testid^="node-n"]')).toHaveCount(nodes)
  return (await leaderName(page)) as string
}

/** stopCluster stops the cluster with the form's stop button. */
async function stopCluster(page: Page): Promise<void> {
  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  await expect(page.getByTestId('no-cluster')).toBeVisible()
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)
}

/** node is a node on the ring. */
const node = (page: Page, name: string): Locator => page.getByTestId(`node-${name}`)

/** menu opens a node's menu (a click on its shape) and presses one of its actions. */
async function menu(page: Page, name: string, action: 'pause' | 'crash'): Promise<void> {
  await node(page, name).locator('.body').click()
  await expect(page.getByTestId('node-menu')).toBeVisible()
  await expect(page.getByTestId('node-menu').locator('header')).toContainText(name)
  await page.getByTestId(`menu-${action}`).click()
  await expect(page.getByTestId('node-menu')).toHaveCount(0)
}

/** newLeader waits for a leader other than `old` and returns it. */
async function newLeader(page: Page, old: string, timeout = 20_000): Promise<string> {
  await expect
    .poll(async () => (await leaderName(page)) ?? old, { timeout, message: 'a new leader' })
    .not.toBe(old)
  return (await leaderName(page)) as string
}

/** clickLink clicks one direction of a link where a person would: the middle of its line. (A
 * horizontal line has a zero-height box, which Playwright counts as invisible, so the click goes
 * through the mouse at that point; the line's wide, transparent hit stroke takes it.) */
async function clickLink(page: Page, from: string, to: string): Promise<void> {
  const box = await page.getByTestId(`link-${from}-${to}`).boundingBox()
  expect(box, `link ${from}→${to} is drawn`).not.toBeNull()
  const b = box as { x: number; y: number; width: number; height: number }
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2)
}

/** allNodes lists n1 … nN. */
const allNodes = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`)

test.beforeEach(async ({ page, served }) => {
  await page.goto(served.url)
})

// A test that fails half-way must not leave its cluster to the next one (they share a server).
test.afterEach(async ({ page }) => {
  const stop = page.getByTestId('stop-cluster')
  if ((await stop.count()) > 0 && (await stop.isEnabled())) {
    await stop.click()
    await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  }
})

test('the ring: one leader; pause and resume a follower, crash and restart the leader', async ({
  page,
  consoleErrors,
}) => {
  // Before a cluster: the empty state says how to start one.
  await expect(page.getByTestId('no-cluster')).toBeVisible()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/)

  // The app's clusters weigh as one app on a busy machine unless the form says otherwise.
  await expect(page.getByTestId('form-cpu-share')).toHaveValue('cluster')
  const leader = await startCluster(page, 3)
  await expect(page.getByTestId('no-cluster')).toHaveCount(0)
  await expect(page.getByTestId('live-indicator')).toHaveText(/live/)
  await expect(
    page.getByTestId('narrative-line').filter({ hasText: 'CPU shared as one app' }),
  ).toHaveCount(1)
  await expect(page.getByTestId('cluster-facts')).toContainText('3 nodes')
  // Exactly one node leads, and it is the one the top bar names; the rest follow.
  await expect(page.locator('[data-testid^="node-n"][data-role="leader"]')).toHaveCount(1)
  await expect(node(page, leader)).toHaveAttribute('data-role', 'leader')
  await expect(page.locator('[data-testid^="node-n"][data-role="follower"]')).toHaveCount(2)
  await expect(page.getByTestId('no-leader')).toHaveCount(0)
  // Every node shows its term on its badge, the same as the top bar's.
  const term = await topbarTerm(page)
  expect(term).toBeGreaterThan(0)
  for (const n of allNodes(3)) {
    await expect(node(page, n)).toHaveAttribute('data-state', 'running')
    await expect(node(page, n).locator('.term-badge')).toHaveText(`t${term}`)
  }

  // Pause a follower from its menu: SIGSTOP, drawn paused; the leader stays.
  const follower = allNodes(3).find((n) => n !== leader) as string
  await menu(page, follower, 'pause')
  await expect(node(page, follower)).toHaveAttribute('data-state', 'paused')
  await expect(node(page, follower)).toContainText('paused')
  await expect(
    page.getByTestId('narrative-line').filter({ hasText: `${follower} paused` }),
  ).not.toHaveCount(0)
  // Its menu now offers Resume.
  await node(page, follower).locator('.body').click()
  await expect(page.getByTestId('menu-pause')).toContainText('Resume')
  await page.getByTestId('menu-pause').click()
  await expect(node(page, follower)).toHaveAttribute('data-state', 'running')
  await expect(node(page, follower)).toHaveAttribute('data-role', 'follower')
  expect(await leaderName(page)).toBe(leader)

  // Crash the leader: SIGKILL, drawn crashed; the survivors elect a new one in a higher term.
  await menu(page, leader, 'crash')
  await expect(node(page, leader)).toHaveAttribute('data-state', 'crashed')
  await expect(node(page, leader)).toContainText('crashed')
  const second = await newLeader(page, leader)
  expect(allNodes(3).filter((n) => n !== leader)).toContain(second)
  await expect(node(page, second)).toHaveAttribute('data-role', 'leader')
  await expect(page.locator('[data-testid^="node-n"][data-role="leader"]')).toHaveCount(1)
  await expect.poll(() => topbarTerm(page)).toBeGreaterThan(term)
  await expect(
    page.getByTestId('narrative-line').filter({ hasText: `won term` }).last(),
  ).toContainText(second)

  // Restart it from the same menu: a new process on the same data rejoins as a follower.
  await node(page, leader).locator('.body').click()
  await expect(page.getByTestId('menu-crash')).toContainText('Restart')
  await page.getByTestId('menu-crash').click()
  await expect(node(page, leader)).toHaveAttribute('data-state', 'running', { timeout: 20_000 })
  await expect(node(page, leader)).toHaveAttribute('data-role', 'follower', { timeout: 20_000 })
  expect(await leaderName(page)).toBe(second)

  await stopCluster(page)
  expect(consoleErrors).toEqual([])
})

test('links: cut and heal one direction by clicking it; isolate leader, split, bridge, heal all', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(120_000)
  const leader = await startCluster(page, 3)
  const [a, b] = allNodes(3).filter((n) => n !== leader) as [string, string]
  const link = (from: string, to: string): Locator => page.getByTestId(`link-${from}-${to}`)
  // Every direction of every link is drawn, all ok.
  await expect(page.locator('[data-testid^="link-n"]')).toHaveCount(6)
  await expect(page.locator('[data-testid^="link-n"][data-kind="ok"]')).toHaveCount(6)

  // A click cuts just that direction; the reverse stays up. Another click heals it.
  await clickLink(page, a, b)
  await expect(link(a, b)).toHaveAttribute('data-kind', 'cut')
  await expect(link(b, a)).toHaveAttribute('data-kind', 'ok')
  await expect(page.getByTestId('faults')).toContainText('1 link rule')
  await expect(
    page.getByTestId('narrative-line').filter({ hasText: `link ${a}→${b} cut` }),
  ).not.toHaveCount(0)
  await clickLink(page, a, b)
  await expect(link(a, b)).toHaveAttribute('data-kind', 'ok')
  await expect(
    page.getByTestId('narrative-line').filter({ hasText: `link ${a}→${b} healed` }),
  ).not.toHaveCount(0)

  // Cut it again and heal everything with the preset.
  await clickLink(page, b, a)
  await expect(link(b, a)).toHaveAttribute('data-kind', 'cut')
  await expect(link(a, b)).toHaveAttribute('data-kind', 'ok')
  await page.getByTestId('preset-heal').click()
  await expect(page.locator('[data-testid^="link-n"][data-kind="ok"]')).toHaveCount(6)

  // Isolate the leader: every link to and from it is cut, and the other two elect a new leader.
  await page.getByTestId('preset-isolate-leader').click()
  for (const o of [a, b]) {
    await expect(link(leader, o)).toHaveAttribute('data-kind', 'cut')
    await expect(link(o, leader)).toHaveAttribute('data-kind', 'cut')
  }
  await expect(link(a, b)).toHaveAttribute('data-kind', 'ok')
  const second = await newLeader(page, leader)
  expect([a, b]).toContain(second)
  await expect(page.getByTestId('preset-heal')).toBeEnabled()
  await page.getByTestId('preset-heal').click()
  await expect(page.locator('[data-testid^="link-n"][data-kind="ok"]')).toHaveCount(6)
  await expect(page.getByTestId('faults')).not.toContainText('link rule')
  // Healed, the old leader hears of the new term and follows.
  await expect(node(page, leader)).toHaveAttribute('data-role', 'follower', { timeout: 20_000 })

  // Split: the leader alone in the minority; the majority elects another. (The leader as the
  // page shows it now: on a busy test machine a heal may have moved leadership once more.)
  await expect.poll(() => leaderName(page), { timeout: 20_000 }).toMatch(/^n\d$/)
  const current = (await leaderName(page)) as string
  await page.getByTestId('preset-split').click()
  const others = allNodes(3).filter((n) => n !== current)
  for (const o of others) {
    await expect(link(current, o)).toHaveAttribute('data-kind', 'cut')
    await expect(link(o, current)).toHaveAttribute('data-kind', 'cut')
  }
  const third = await newLeader(page, current)
  expect(others).toContain(third)
  await expect(
    page.getByTestId('narrative-line').filter({ hasText: 'partition {' }),
  ).not.toHaveCount(0)
  await page.getByTestId('preset-heal').click()
  await expect(page.locator('[data-testid^="link-n"][data-kind="ok"]')).toHaveCount(6)

  // Bridge: n1 and n3 cannot talk to each other, only through n2.
  await page.getByTestId('preset-bridge').click()
  await expect(link('n1', 'n3')).toHaveAttribute('data-kind', 'cut')
  await expect(link('n3', 'n1')).toHaveAttribute('data-kind', 'cut')
  for (const [f, t] of [
    ['n1', 'n2'],
    ['n2', 'n1'],
    ['n2', 'n3'],
    ['n3', 'n2'],
  ] as const)
    await expect(link(f, t)).toHaveAttribute('data-kind', 'ok')
  await page.getByTestId('preset-heal').click()
  await expect(page.locator('[data-testid^="link-n"][data-kind="ok"]')).toHaveCount(6)
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 20_000 })

  await stopCluster(page)
  expect(consoleErrors).toEqual([])
})

test('a workload fills the latency and throughput charts and the logs; the narrative filters', async ({
  page,
  consoleErrors,
}) => {
  await startCluster(page, 3)
  // No writes yet: the latency and throughput charts say their window is empty. (The charts span
  // the server's whole session, earlier tests' clusters included: a 15 s window lets any earlier
  // workload scroll out of view.)
  await page.getByTestId('span-15').click()
  await expect(page.getByTestId('charts-state')).toHaveText('live')
  await expect(page.getByTestId('chart-latency')).toHaveAttribute('data-empty', 'true', {
    timeout: 25_000,
  })
  await expect(page.getByTestId('chart-latency-empty')).toBeVisible()
  await expect(page.getByTestId('chart-throughput')).toHaveAttribute('data-empty', 'true', {
    timeout: 25_000,
  })
  await expect(page.getByTestId('chart-throughput-empty')).toBeVisible()
  await expect(page.getByTestId('topbar-workload')).toHaveCount(0)
  // The term chart and the leader band have something already.
  await expect(page.getByTestId('chart-term')).toHaveAttribute('data-empty', 'false')

  // A small closed-loop workload (4 clients: the machine is shared).
  await page.getByTestId('workload-closed').check()
  await page.getByTestId('workload-concurrency').fill('4')
  await page.getByTestId('workload-start').click()
  await expect(page.getByTestId('topbar-workload')).toBeVisible()
  await expect(page.getByTestId('topbar-workload')).toHaveText(/workload \d/, { timeout: 20_000 })
  await expect(page.getByTestId('chart-latency')).toHaveAttribute('data-empty', 'false', {
    timeout: 20_000,
  })
  await expect(page.getByTestId('chart-latency-empty')).toHaveCount(0)
  await expect(page.getByTestId('chart-latency').locator('.summary')).toHaveText(/p50/)
  await expect(page.getByTestId('chart-throughput')).toHaveAttribute('data-empty', 'false', {
    timeout: 20_000,
  })
  await expect(page.getByTestId('chart-throughput-empty')).toHaveCount(0)
  await expect(page.getByTestId('chart-histogram')).toHaveAttribute('data-empty', 'false', {
    timeout: 20_000,
  })

  // The logs grow on every node, committed entries included.
  const rows = page.locator('[data-testid^="log-n"]')
  await expect(rows).toHaveCount(3)
  for (const n of allNodes(3)) {
    await expect
      .poll(async () => Number(await page.getByTestId(`log-${n}`).getAttribute('data-commit')), {
        timeout: 20_000,
      })
      .toBeGreaterThan(5)
  }
  await expect(page.getByTestId('log-hidden')).toHaveText(/entries|–/)

  // The narrative tells the story; filters hide and show kinds of lines.
  const lines = page.getByTestId('narrative-line')
  const elections = page.locator('[data-testid="narrative-line"][data-kind="election"]')
  await expect(elections).not.toHaveCount(0)
  await expect(lines.filter({ hasText: 'workload' })).not.toHaveCount(0)
  const filter = page.getByTestId('filter-election')
  await expect(filter).toHaveAttribute('aria-pressed', 'true')
  await filter.click()
  await expect(filter).toHaveAttribute('aria-pressed', 'false')
  await expect(elections).toHaveCount(0)
  await expect(lines).not.toHaveCount(0)
  await filter.click()
  await expect(filter).toHaveAttribute('aria-pressed', 'true')
  await expect(elections).not.toHaveCount(0)
  // A double click shows one kind alone; another brings every kind back.
  await page.getByTestId('filter-command').dblclick()
  await expect(page.getByTestId('filter-election')).toHaveAttribute('aria-pressed', 'false')
  await expect(lines).not.toHaveCount(0)
  await expect(
    page.locator('[data-testid="narrative-line"]:not([data-kind="command"])'),
  ).toHaveCount(0)
  await page.getByTestId('filter-command').dblclick()
  await expect(page.getByTestId('filter-election')).toHaveAttribute('aria-pressed', 'true')
  await expect(elections).not.toHaveCount(0)

  // Stop the workload: the indicator goes, the charts keep what was measured.
  await page.getByTestId('workload-stop').click()
  await expect(page.getByTestId('topbar-workload')).toHaveCount(0, { timeout: 20_000 })
  await expect(page.getByTestId('workload-start')).toBeVisible()
  await expect(page.getByTestId('chart-latency')).toHaveAttribute('data-empty', 'false')
  // Once its last samples scroll out of the 15 s window, the charts say there is nothing to show
  // (not a stale line off the left edge).
  await expect(page.getByTestId('chart-latency-empty')).toHaveText(/no workload running/, {
    timeout: 30_000,
  })
  await expect(page.getByTestId('chart-latency')).toHaveAttribute('data-empty', 'true')
  await expect(page.getByTestId('chart-throughput')).toHaveAttribute('data-empty', 'true', {
    timeout: 10_000,
  })

  await stopCluster(page)
  expect(consoleErrors).toEqual([])
})

test('the keyboard: ? opens the help with every shortcut, Esc closes it', async ({
  page,
  consoleErrors,
}) => {
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)
  await expect(page.getByTestId('help-overlay')).toHaveCount(0)
  await page.keyboard.press('?')
  const help = page.getByTestId('help-overlay')
  await expect(help).toBeVisible()
  await expect(help).toContainText('isolate the leader')
  await expect(help).toContainText('pause / resume the selected node')
  await expect(help).toContainText('start / stop the workload')
  await expect(help.locator('kbd', { hasText: /^Esc$/ })).toHaveCount(1)
  await page.keyboard.press('Escape')
  await expect(help).toHaveCount(0)
  // The top bar's button opens it too; its ✕ closes it.
  await page.getByTestId('help-button').click()
  await expect(help).toBeVisible()
  await help.getByRole('button', { name: 'close' }).click()
  await expect(help).toHaveCount(0)
  // A key that needs a cluster says so instead of failing silently.
  await page.keyboard.press('i')
  await expect(page.getByTestId('toast').filter({ hasText: 'no cluster is running' })).toBeVisible()
  expect(consoleErrors).toEqual([])
})

test('a majority gone: "no leader"; refused commands say why in a toast', async ({
  page,
  consoleErrors,
}) => {
  const first = await startCluster(page, 3)

  // The engine refuses a link loss above 100 %: its words come back in a toast.
  await page.getByTestId('faults').locator('summary').click()
  await page.getByTestId('link-loss').fill('150')
  await page.getByTestId('link-apply').click()
  const lossToast = page
    .getByTestId('toast')
    .filter({ hasText: 'lossPercent must be a number from 0 to 100' })
  await expect(lossToast).toBeVisible()
  await expect(lossToast).toHaveAttribute('data-kind', 'error')
  await expect(lossToast).toContainText('failed')
  await expect(page.locator('[data-testid^="link-n"][data-kind="ok"]')).toHaveCount(6)
  await page.getByTestId('link-loss').blur()

  // Crash the leader, then the one the survivors elect: one node of three is left, and it cannot
  // win a majority.
  await menu(page, first, 'crash')
  await expect(node(page, first)).toHaveAttribute('data-state', 'crashed')
  const second = await newLeader(page, first)
  await menu(page, second, 'crash')
  await expect(node(page, second)).toHaveAttribute('data-state', 'crashed')
  await expect(page.getByTestId('no-leader')).toBeVisible({ timeout: 20_000 })
  await expect(page.getByTestId('no-leader')).toContainText(
    'no leader — a leader needs votes from 2 of 3 nodes; 1 is running',
  )
  await expect(page.getByTestId('topbar-leader')).toHaveText('no leader')
  await expect(page.locator('[data-testid^="node-n"][data-role="leader"]')).toHaveCount(0)
  // It stays leaderless (not a moment between two leaders).
  await page.waitForTimeout(1500)
  await expect(page.getByTestId('topbar-leader')).toHaveText('no leader')

  // Pausing a crashed node by keyboard (select it, p): the engine says it is not running.
  const num = first.slice(1)
  await page.keyboard.press(num)
  await page.keyboard.press('p')
  const pauseToast = page
    .getByTestId('toast')
    .filter({ hasText: `pause ${first} failed: ${first} is not running (it is crashed)` })
  await expect(pauseToast).toBeVisible()
  await expect(pauseToast).toHaveAttribute('data-kind', 'error')
  // Isolating the leader when there is none is refused with a reason too.
  await page.getByTestId('preset-isolate-leader').click()
  await expect(
    page.getByTestId('toast').filter({ hasText: 'isolate leader: there is no leader right now' }),
  ).toBeVisible()

  // Restart one: a majority again, and a leader.
  await menu(page, first, 'crash')
  await expect(node(page, first)).toHaveAttribute('data-state', 'running', { timeout: 20_000 })
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })
  await expect(page.getByTestId('no-leader')).toHaveCount(0)
  await expect(page.locator('[data-testid^="node-n"][data-role="leader"]')).toHaveCount(1)

  // Stopping works with a node still crashed.
  await stopCluster(page)
  expect(consoleErrors).toEqual([])
})
