// The Benchmarks tab in browser mode: refused while a live cluster runs (with a way out), a tiny
// write-latency sweep from the form (progress, then results, a chart and exports), and a sweep
// cancelled half-way. Kept small: one 1-node configuration measured for 1 s.
import { readFileSync } from 'node:fs'
import type { Locator, Page } from '@playwright/test'
import { expect, test } from './serve'

/** fillSweep fills the sweep form's fields (they have labels, not test ids). */
async function fillSweep(
  form: Locator,
  f: { nodes: string; clients: string; measureS: number; warmupS: number },
): Promise<void> {
  await form.getByLabel('nodes').fill(f.nodes)
  await form.getByLabel('clients').fill(f.clients)
  await form.getByLabel('measure s').fill(String(f.measureS))
  await form.getByLabel('warm-up s').fill(String(f.warmupS))
}

/** openBench switches to the Benchmarks tab. */
async function openBench(page: Page): Promise<Locator> {
  await page.getByTestId('tab-bench').click()
  await expect(page.getByTestId('bench-view')).toBeVisible()
  await expect(page.getByTestId('lab-view')).toBeHidden()
  return page.getByTestId('bench-form')
}

test('a live cluster blocks benchmarks; a tiny sweep shows progress, then results and exports', async ({
  page,
  served,
  consoleErrors,
}) => {
  await page.goto(served.url)
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)

  // A live 1-node cluster: the tab says benchmarks will be refused, and the engine does refuse.
  await page.getByTestId('form-nodes').selectOption('1')
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText('leader n1', { timeout: 30_000 })
  const form = await openBench(page)
  const refusal = page.getByTestId('bench-refusal')
  await expect(refusal).toContainText('A live cluster is running')
  await fillSweep(form, { nodes: '1', clients: '1', measureS: 1, warmupS: 0 })
  await expect(form).toContainText(/1 configuration, about \d/)
  await page.getByTestId('bench-start').click()
  await expect(refusal).toContainText(
    'The engine refused: stop the live cluster first: a benchmark runs clusters of its own',
  )
  await expect(page.getByTestId('bench-progress')).toHaveCount(0)
  // Its button stops the live cluster, and the notice goes.
  await page.getByTestId('bench-stop-cluster').click()
  await expect(refusal).toHaveCount(0, { timeout: 20_000 })
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/)

  // The sweep: progress while it runs (with a cancel button), then a row of results.
  await expect(page.getByTestId('bench-results')).toHaveCount(0)
  await page.getByTestId('bench-start').click()
  const progress = page.getByTestId('bench-progress')
  await expect(progress).toBeVisible()
  await expect(page.getByTestId('bench-cancel')).toBeVisible()
  await expect(page.getByTestId('bench-start')).toBeDisabled()
  const results = page.getByTestId('bench-results')
  await expect(results).toBeVisible({ timeout: 40_000 })
  await expect(progress).toHaveCount(0)
  await expect(page.getByTestId('bench-cancel')).toHaveCount(0)
  await expect(page.getByTestId('bench-start')).toBeEnabled()
  await expect(form).not.toContainText('cancelled')
  await expect(form).not.toContainText('benchmark failed')
  const rows = results.locator('tbody tr')
  await expect(rows).toHaveCount(1)
  const cells = rows.first().locator('td')
  await expect(cells.nth(0)).toHaveText(
    '1 nodes, fsync always, 1 client, 64 B, batch 512, +0 ms link',
  )
  // Writes were made and measured: a throughput above 0, a p50, successes and no failures.
  expect(Number((await cells.nth(1).textContent())?.replace(/[^\d.]/g, ''))).toBeGreaterThan(0)
  await expect(cells.nth(2)).toHaveText(/^\d/)
  expect(Number((await cells.nth(7).textContent())?.replace(/[^\d]/g, ''))).toBeGreaterThan(0)
  await expect(cells.nth(8)).toHaveText('0')
  // Stability: the leader changes no fault explains (a count) and the node's resident memory.
  await expect(cells.nth(10)).toHaveText(/^\d+$/)
  if (process.platform === 'linux')
    expect(Number(await cells.nth(11).textContent())).toBeGreaterThan(10)
  const chart = page.getByTestId('bench-chart')
  await expect(chart).toBeVisible()
  await expect(chart.locator('canvas')).toHaveCount(1)
  expect((await chart.boundingBox())?.height ?? 0).toBeGreaterThan(100)

  // Exports: JSON, CSV and Markdown, each a download of this report.
  for (const id of ['bench-export-json', 'bench-export-csv', 'bench-export-md'])
    await expect(page.getByTestId(id)).toBeVisible()
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('bench-export-csv').click(),
  ])
  expect(csv.suggestedFilename()).toMatch(/^raftlab-bench-.*\.csv$/)
  const csvText = readFileSync(await csv.path(), 'utf8')
    .trim()
    .split('\n')
  expect(csvText).toHaveLength(2)
  expect(csvText[0]).toContain('nodes')
  const [json] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('bench-export-json').click(),
  ])
  expect(json.suggestedFilename()).toMatch(/\.json$/)
  const report = JSON.parse(readFileSync(await json.path(), 'utf8')) as {
    rows: { config: { nodes: number; concurrency: number } }[]
  }
  expect(report.rows).toHaveLength(1)
  expect(report.rows[0]?.config).toMatchObject({ nodes: 1, concurrency: 1 })
  expect(consoleErrors).toEqual([])
})

test('a sweep cancelled half-way says so and frees the form', async ({
  page,
  served,
  consoleErrors,
}) => {
  await page.goto(served.url)
  const form = await openBench(page)
  // Two configurations of 30 s each: far longer than this test waits.
  await fillSweep(form, { nodes: '1, 3', clients: '1', measureS: 30, warmupS: 0 })
  await expect(form).toContainText(/2 configurations, about 1 min/)
  await page.getByTestId('bench-start').click()
  const progress = page.getByTestId('bench-progress')
  await expect(progress).toBeVisible()
  // The first configuration reports its progress.
  await expect(progress).toContainText('configuration 1 of 2: 1 nodes', { timeout: 20_000 })
  await page.getByTestId('bench-cancel').click()
  await expect(form.getByText('cancelled: the results below hold what was measured.')).toBeVisible({
    timeout: 20_000,
  })
  await expect(progress).toHaveCount(0)
  await expect(page.getByTestId('bench-cancel')).toHaveCount(0)
  await expect(page.getByTestId('bench-start')).toBeEnabled()
  await expect(form).not.toContainText('benchmark failed')
  // Nothing is left running: the lab can start a cluster at once.
  await page.getByTestId('tab-lab').click()
  await page.getByTestId('form-nodes').selectOption('1')
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText('leader n1', { timeout: 30_000 })
  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  expect(consoleErrors).toEqual([])
})

test('an open-loop sweep its one client cannot keep up with measures writes and says why', async ({
  page,
  served,
  consoleErrors,
}) => {
  await page.goto(served.url)
  const form = await openBench(page)
  await fillSweep(form, { nodes: '3', clients: '1', measureS: 1, warmupS: 1 })
  // 20 ms each way between nodes: one client completes ~25 writes/s of the 100 offered. This
  // sweep once came back all zeros (0 ok, 0 fail, 0 info) with no word of why.
  await form.getByLabel('link latency ms').fill('20')
  await form.getByLabel('open').check()
  const rate = page.getByTestId('bench-rate')
  await rate.fill('100')
  // The rate box has a cell of its own: it overlaps no other field or label.
  const rateBox = await rate.boundingBox()
  for (const other of await form.locator('.grid > label, .grid > .fsync').all()) {
    if ((await other.getByTestId('bench-rate').count()) > 0) continue
    const b = await other.boundingBox()
    if (!rateBox || !b) continue
    const apart =
      rateBox.x >= b.x + b.width ||
      b.x >= rateBox.x + rateBox.width ||
      rateBox.y >= b.y + b.height ||
      b.y >= rateBox.y + rateBox.height
    expect(apart, `the rate box overlaps "${await other.textContent()}"`).toBe(true)
  }
  await page.getByTestId('bench-start').click()
  const results = page.getByTestId('bench-results')
  await expect(results).toBeVisible({ timeout: 40_000 })
  const cells = results.locator('tbody tr').first().locator('td')
  expect(Number((await cells.nth(7).textContent())?.replace(/[^\d]/g, ''))).toBeGreaterThan(0)
  await expect(page.getByTestId('bench-notes')).toContainText(
    'the clients could not keep up: 100/s offered',
  )
  expect(consoleErrors).toEqual([])
})
