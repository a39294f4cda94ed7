// The lab's screen tells the truth at the sizes people use (issue 12, items 9–12): at 1280×720
// and 1600×1000 every panel is on screen or a scroll away, the ring is a ring worth looking at
// and a node's menu hides no other node; long numbers, a leader at the top and slow links both
// ways leave no text cut off or drawn over other text; and the small lies are gone — zeros that
// look like measurements, a stop told twice, an empty narrative that is only filtered, a
// disabled button that does not say why, an isolated node offered isolation. Screenshots of what
// was checked go to .tmp/screens/ for a person to look at.
import { mkdirSync } from 'node:fs'
import type { Locator, Page } from '@playwright/test'
import { expect, test } from './serve'

interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const SCREENS = '.tmp/screens'
mkdirSync(SCREENS, { recursive: true })

async function box(l: Locator): Promise<Rect> {
  const b = await l.boundingBox()
  expect(b, 'drawn').not.toBeNull()
  return b as Rect
}

/** inside: `a` lies within `b` (1 px of rounding allowed). */
function expectInside(a: Rect, b: Rect, what: string): void {
  expect(a.x, `${what}: left`).toBeGreaterThanOrEqual(b.x - 1)
  expect(a.y, `${what}: top`).toBeGreaterThanOrEqual(b.y - 1)
  expect(a.x + a.width, `${what}: right`).toBeLessThanOrEqual(b.x + b.width + 1)
  expect(a.y + a.height, `${what}: bottom`).toBeLessThanOrEqual(b.y + b.height + 1)
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

function union(rs: Rect[]): Rect {
  const x = Math.min(...rs.map((r) => r.x))
  const y = Math.min(...rs.map((r) => r.y))
  return {
    x,
    y,
    width: Math.max(...rs.map((r) => r.x + r.width)) - x,
    height: Math.max(...rs.map((r) => r.y + r.height)) - y,
  }
}

/** nodeBodies are the shapes of the nodes on the ring, n1 first. */
async function nodeBodies(page: Page): Promise<Rect[]> {
  const bodies = page.locator('[data-testid^="node-n"] .body')
  const out: Rect[] = []
  for (let i = 0; i < (await bodies.count()); i++) out.push(await box(bodies.nth(i)))
  return out
}

async function startCluster(page: Page, nodes: number): Promise<void> {
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)
  await page.getByTestId('form-nodes').selectOption(String(nodes))
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })
  await expect(page.locator('[data-testid^="node-n"]')).toHaveCount(nodes)
}

async function leaderName(page: Page): Promise<string> {
  const text = (await page.getByTestId('topbar-leader').textContent()) ?? ''
  return /leader (n\d)/.exec(text)?.[1] ?? ''
}

/** openMenu opens a node's menu by clicking its shape. */
async function openMenu(page: Page, name: string): Promise<Locator> {
  await page.getByTestId(`node-${name}`).locator('.body').click()
  const menu = page.getByTestId('node-menu')
  await expect(menu).toBeVisible()
  await expect(menu.locator('header')).toContainText(name)
  return menu
}

/** narrativeTexts are the narrative's lines as written (without their times). */
async function narrativeTexts(page: Page): Promise<string[]> {
  return (await page.locator('[data-testid="narrative-line"] .text').allTextContents()).map((t) =>
    t.trim(),
  )
}

test.afterEach(async ({ page }) => {
  // A test that fails half-way must not leave its cluster running (the server stops it anyway).
  const stop = page.getByTestId('stop-cluster')
  if ((await stop.count()) > 0 && (await stop.isEnabled().catch(() => false))) {
    await stop.click()
    await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  }
})

const PANELS = [
  'topbar',
  'new-cluster',
  'faults',
  'workload',
  'cluster-view',
  'log-view',
  'narrative',
  'charts',
  'chart-term',
  'chart-leader',
  'chart-latency',
  'chart-throughput',
  'chart-histogram',
]
const CHARTS = [
  'chart-term',
  'chart-leader',
  'chart-latency',
  'chart-throughput',
  'chart-histogram',
]

for (const size of [
  { width: 1280, height: 720 },
  { width: 1600, height: 1000 },
]) {
  const name = `${size.width}x${size.height}`
  test(`at ${name}: every panel on screen or a scroll away, a full-size ring, menus beside it`, async ({
    page,
    served,
    consoleErrors,
  }) => {
    test.setTimeout(150_000)
    await page.setViewportSize(size)
    await page.goto(served.url)
    await startCluster(page, 5)
    await page.getByTestId('workload-closed').check()
    await page.getByTestId('workload-concurrency').fill('4')
    await page.getByTestId('workload-start').click()
    await expect(page.getByTestId('chart-throughput')).toHaveAttribute('data-empty', 'false', {
      timeout: 30_000,
    })
    await page.screenshot({ path: `${SCREENS}/layout-${name}.png` })

    // Every panel can be brought wholly into view, and no chart is cut off by its card.
    const view = { x: 0, y: 0, ...size }
    for (const id of PANELS) {
      const panel = page.getByTestId(id)
      await panel.scrollIntoViewIfNeeded()
      expectInside(await box(panel), view, `${id} at ${name}`)
    }
    const charts = await box(page.getByTestId('charts'))
    for (const id of CHARTS)
      expectInside(await box(page.getByTestId(id)), charts, `${id} in its card`)
    await page.getByTestId('chart-throughput').scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${SCREENS}/layout-${name}-scrolled.png` })

    // The ring: a ring worth looking at, with every crown and label inside its pane.
    await page.getByTestId('cluster-view').scrollIntoViewIfNeeded()
    const pane = await box(page.getByTestId('cluster-view').locator('svg').first())
    const bodies = await nodeBodies(page)
    const ring = union(bodies)
    expect(ring.height, 'ring height').toBeGreaterThanOrEqual(220)
    // (A node whose timers run late says so under it — "late 101 ms" — and the ring keeps
    // room for its longest label: on a busy machine it is a little narrower. Before the fix it was
    // about 150 px.)
    expect(ring.width, 'ring width').toBeGreaterThanOrEqual(360)
    for (const label of await page.locator('[data-testid^="node-n"] .labels').all())
      expectInside(await box(label), pane, 'node label')
    // (The leader may change meanwhile on a busy machine: a star gone since is not checked.)
    for (const crown of await page.locator('[data-testid^="node-n"] .crown').all()) {
      const b = await crown.boundingBox({ timeout: 1000 }).catch(() => null)
      if (b) expectInside(b, pane, 'leader star')
    }

    // A node's menu covers no other node and little of the ring, whichever node it is for.
    for (let i = 1; i <= 5; i++) {
      const menu = await openMenu(page, `n${i}`)
      const m = await box(menu)
      expectInside(m, view, `n${i}'s menu`)
      bodies.forEach((b, j) => {
        if (j !== i - 1) expect(overlap(m, b), `n${i}'s menu over n${j + 1}`).toBe(0)
      })
      expect(
        overlap(m, ring) / (ring.width * ring.height),
        `n${i}'s menu over the ring`,
      ).toBeLessThan(0.25)
      if (i === 1) await page.screenshot({ path: `${SCREENS}/layout-${name}-menu-n1.png` })
      if (i === 3) await page.screenshot({ path: `${SCREENS}/layout-${name}-menu-n3.png` })
      await page.keyboard.press('Escape')
      await expect(menu).toHaveCount(0)
    }

    // The workload's stop button says "■ stop workload" on one line, like its neighbours.
    const stopWorkload = await box(page.getByTestId('workload-stop'))
    const stopCluster = await box(page.getByTestId('stop-cluster'))
    expect(stopWorkload.height, 'one line').toBeLessThanOrEqual(stopCluster.height + 1)

    await page.getByTestId('stop-cluster').click()
    await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
    expect(consoleErrors).toEqual([])
  })
}

test('long indices, a leader at the top, a link slowed both ways: no text cut off or drawn over', async ({
  page,
  served,
  consoleErrors,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 })
  // The in-page stand-in engine (?fake): its events can be staged, so the logs can be 199,356
  // entries long without writing them.
  await page.goto(`${served.url}&fake`)
  // (Its toy elections are not Raft and may stall: the leader is staged below, not waited for.)
  await page.getByTestId('form-nodes').selectOption('5')
  await page.getByTestId('start-cluster').click()
  await expect(page.locator('[data-testid^="node-n"]')).toHaveCount(5)
  await page.getByTestId('workload-start').click()
  await expect(page.getByTestId('workload-stop')).toBeVisible()
  await page.evaluate(() => {
    type Fake = { close(): void; emit(body: unknown): void }
    const fake = (globalThis as unknown as { raftlabFake: Fake }).raftlabFake
    fake.close()
    const st = (p: Record<string, unknown>) => ({
      role: 'follower',
      term: 12,
      vote: 1,
      leaderId: 1,
      commit: 188_221,
      applied: 188_221,
      lastIndex: 188_225,
      lastTerm: 12,
      electionElapsedTicks: 3,
      electionTimeoutTicks: 20,
      ...p,
    })
    // n1, at the top of the ring, leads; n5 lags far behind.
    fake.emit({
      type: 'node.status',
      node: 1,
      status: st({ role: 'leader', commit: 199_356, applied: 199_350, lastIndex: 199_356 }),
    })
    for (const node of [2, 3, 4]) fake.emit({ type: 'node.status', node, status: st({}) })
    fake.emit({
      type: 'node.status',
      node: 5,
      status: st({ commit: 177_086, applied: 177_086, lastIndex: 177_090 }),
    })
    // Their logs' tails (the entries before them are known to exist, their terms not).
    const tail = (node: number, last: number) =>
      fake.emit({
        type: 'node.log',
        node,
        op: 'append',
        fromIndex: last - 5,
        toIndex: last,
        terms: [12, 12, 12, 12, 12, 12],
      })
    tail(1, 199_356)
    for (const node of [2, 3, 4]) tail(node, 188_225)
    tail(5, 177_090)
    const slow = { cut: false, latencyMs: 20, jitterMs: 5, lossPercent: 10 }
    fake.emit({
      type: 'links.changed',
      rules: [
        { from: 1, to: 2, ...slow },
        { from: 2, to: 1, ...slow },
      ],
    })
  })
  await expect(page.getByTestId('node-n1')).toHaveAttribute('data-role', 'leader')
  await expect(page.getByTestId('node-n1').locator('.indices')).toHaveText(
    'c199,356 a199,350 l199,356',
  )
  await expect(page.getByTestId('log-n5')).toHaveAttribute('data-commit', '177086')
  await page.getByTestId('cluster-view').scrollIntoViewIfNeeded()
  await page.screenshot({ path: `${SCREENS}/text-1280x720.png` })

  // The leader's star and every node's numbers stay inside the ring's pane.
  const pane = await box(page.getByTestId('cluster-view').locator('svg').first())
  expectInside(await box(page.getByTestId('node-n1').locator('.crown')), pane, 'leader star')
  for (const label of await page.locator('[data-testid^="node-n"] .labels').all())
    expectInside(await box(label), pane, 'node label')
  for (const text of await page.locator('[data-testid^="node-n"] .indices').allTextContents())
    expect(text).toMatch(/^c\d{1,3}(,\d{3})*( a\d{1,3}(,\d{3})*)? l\d{1,3}(,\d{3})*$/)

  // The two directions of the slowed link write their numbers apart.
  const labels = page.getByTestId('link-label')
  await expect(labels).toHaveCount(2)
  await expect(labels.first()).toHaveText('20±5 ms 10% loss')
  expect(overlap(await box(labels.nth(0)), await box(labels.nth(1))), 'labels apart').toBe(0)
  for (const l of await labels.all()) expectInside(await box(l), pane, 'link label')

  // The logs' last column holds "−22,266 c177,086" whole, and every row's track keeps one width.
  const ends = page.locator('[data-testid^="log-n"] .end')
  await expect(ends.last()).toHaveText(/−22,266\s+c177,086/)
  for (const end of await ends.all()) {
    const cut = await end.evaluate(
      (el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth > el.clientWidth,
    )
    expect(cut, `${await end.textContent()} is not cut`).toBe(false)
    expectInside(await box(end), await box(page.getByTestId('log-view')), 'log numbers')
  }
  const tracks = await page.locator('[data-testid^="log-n"] .track').all()
  const first = await box(tracks[0] as Locator)
  for (const t of tracks) {
    const b = await box(t)
    expect(
      Math.abs(b.x - first.x) + Math.abs(b.width - first.width),
      'tracks aligned',
    ).toBeLessThan(1)
  }
  // "■ stop workload" stays on one line.
  const stopWorkload = await box(page.getByTestId('workload-stop'))
  expect(stopWorkload.height).toBeLessThanOrEqual(
    (await box(page.getByTestId('stop-cluster'))).height + 1,
  )
  expect(consoleErrors).toEqual([])
})

test('the small lies: no-leader readout, one line per stop, a filter that says so, reasons, rejoin, a fresh chart axis', async ({
  page,
  served,
  consoleErrors,
}) => {
  test.setTimeout(180_000)
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto(served.url)
  await startCluster(page, 3)
  await page.getByTestId('workload-closed').check()
  await page.getByTestId('workload-concurrency').fill('2')
  await page.getByTestId('workload-start').click()
  await expect(page.getByTestId('workload-readout')).toHaveText(/\/s · p99 \d/, { timeout: 20_000 })

  // A link from a node to itself: apply is disabled, and the form says why.
  await page.getByTestId('faults').locator('summary').click()
  await page.getByTestId('link-to').selectOption('1')
  await expect(page.getByTestId('link-apply')).toBeDisabled()
  await expect(page.getByTestId('link-refusal')).toHaveText(/n1 to itself is not a link/)
  await page.getByTestId('link-to').selectOption('2')
  await expect(page.getByTestId('link-refusal')).toHaveCount(0)

  // An isolated follower's menu offers Rejoin, not Isolate; Rejoin heals its links.
  const leader = await leaderName(page)
  const follower = ['n1', 'n2', 'n3'].find((n) => n !== leader) as string
  await (await openMenu(page, follower)).getByTestId('menu-isolate').click()
  await expect(page.locator('[data-testid^="link-n"][data-kind="cut"]')).toHaveCount(4)
  const menu = await openMenu(page, follower)
  await expect(menu.getByTestId('menu-isolate')).toHaveCount(0)
  await expect(menu.getByTestId('menu-rejoin')).toBeVisible()
  await page.getByTestId('menu-rejoin').click()
  await expect(page.locator('[data-testid^="link-n"][data-kind="cut"]')).toHaveCount(0)
  await expect(page.locator('[data-testid^="link-n"][data-kind="ok"]')).toHaveCount(6)

  // Stopping a node is told once.
  await openMenu(page, follower)
  await page.getByTestId('menu-stop').click()
  await expect(page.getByTestId(`node-${follower}`)).toHaveAttribute('data-state', 'stopped', {
    timeout: 20_000,
  })
  await expect
    .poll(async () => (await narrativeTexts(page)).includes(`${follower} stopped`), {
      timeout: 10_000,
    })
    .toBe(true)
  await page.waitForTimeout(1000)
  expect((await narrativeTexts(page)).filter((t) => t === `${follower} stopped`)).toHaveLength(1)

  // The leader crashes: one node of three is left, the workload's writes wait, and its readout
  // says so instead of "0/s · p99 0.000 ms".
  const current = await leaderName(page)
  await openMenu(page, current)
  await page.getByTestId('menu-crash').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText('no leader', { timeout: 20_000 })
  await expect(page.getByTestId('workload-readout')).toHaveText('no leader — writes wait', {
    timeout: 20_000,
  })
  await expect(page.getByTestId('workload')).not.toContainText('0.000 ms')

  // A filter that hides every line says so, and how many, instead of "Nothing yet".
  await page.getByTestId('filter-election').dblclick()
  await page.getByTestId('filter-election').click()
  await expect(page.getByTestId('narrative-line')).toHaveCount(0)
  await expect(page.getByTestId('narrative-empty')).toHaveText(/The filter hides all \d+ events/)
  await page.getByTestId('narrative-empty').getByRole('button').click()
  await expect(page.getByTestId('narrative-line')).not.toHaveCount(0)

  // A new cluster: its charts begin at its start. The leader band counts the new cluster's first
  // election only — not the last cluster's leaderless end, nor the time between.
  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  await expect(page.getByTestId('vote-arrow')).toHaveCount(0)
  await page.waitForTimeout(2000)
  await startCluster(page, 3)
  await expect(page.getByTestId('chart-leader').locator('.summary')).toHaveText(
    /^(no gaps|1 no-leader gap in view, .*)$/,
  )
  await page.waitForTimeout(1500)
  await expect(page.getByTestId('chart-leader').locator('.summary')).toHaveText(
    /^(no gaps|1 no-leader gap in view, .*)$/,
  )
  await page.screenshot({ path: `${SCREENS}/lies-1280x720.png` })
  expect(consoleErrors).toEqual([])
})
