// Recordings tell the truth in browser mode (issue 12, items 6–8): where a recording went (the
// server's disk) and a download of it; "Open recording…" listing the lab's recordings; a replay
// framed on its recording, the live chart settings back afterwards; Shift+Q in a replay saying
// what it did; a re-run from a replay that stops the live cluster when asked, re-runs only the
// recorded part by default, and stops when its comparison is closed.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, test } from './serve'

/** startCluster starts an n-node cluster from the form and waits for its leader. */
async function startCluster(page: Page, nodes: number): Promise<void> {
  await page.getByTestId('form-nodes').selectOption(String(nodes))
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })
}

/** recordFor records the live session for `ms` and returns the file's name. */
async function recordFor(page: Page, recordingsDir: string, ms: number): Promise<string> {
  await page.getByTestId('record-button').click()
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'true')
  await page.waitForTimeout(ms)
  await page.getByTestId('record-button').click()
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'false')
  const files = readdirSync(recordingsDir).filter((f) => f.endsWith('.raftrec'))
  expect(files).toHaveLength(1)
  return files[0]!
}

test('a recording says where it went, downloads, is listed, and replays framed on itself', async ({
  page,
  served,
  consoleErrors,
}) => {
  test.setTimeout(120_000)
  await page.goto(served.url)
  await startCluster(page, 1)
  // Live chart settings a person might have: a 5-minute span and a pinned cursor.
  await page.getByTestId('span-300').click()
  const term = page.getByTestId('chart-term')
  const box = (await term.locator('canvas').boundingBox())!
  await page.mouse.click(box.x + box.width * 0.9, box.y + box.height / 2)
  await page.mouse.move(0, 0)
  await expect(term.locator('.cursor')).toHaveCount(1)

  const name = await recordFor(page, served.recordingsDir, 2500)
  // Item 8: the message says the file stayed on the server's disk, and where; Download saves it.
  const saved = page.getByTestId('toast').filter({ hasText: 'Recording saved' })
  await expect(saved).toContainText(join(served.recordingsDir, name))
  await expect(saved).toContainText('computer running raftlab serve')
  await expect(saved).toContainText('Nothing was downloaded')
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    saved.getByTestId('toast-action-download').click(),
  ])
  expect(download.suggestedFilename()).toBe(name)
  const copy = readFileSync((await download.path())!)
  expect(copy.subarray(0, 8).toString()).toBe('RAFTREC\n')
  expect(copy.equals(readFileSync(join(served.recordingsDir, name)))).toBe(true)

  // "Open recording…" lists the lab's recordings: name, time, length, size; each downloads.
  await page.getByTestId('open-recording').click()
  const dialog = page.getByTestId('recordings-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('recordings-dir')).toContainText(served.recordingsDir)
  const row = dialog.locator(`[data-testid="recordings-row"][data-name="${name}"]`)
  await expect(row).toBeVisible()
  await expect(row).toContainText(/\d\.\d s/)
  await expect(row).toContainText(/KiB/)
  const [again] = await Promise.all([
    page.waitForEvent('download'),
    row.getByTestId('recordings-download').click(),
  ])
  expect(again.suggestedFilename()).toBe(name)
  await row.getByTestId('recordings-replay').click()
  await expect(dialog).toHaveCount(0)
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('replay-name')).toHaveText(name)

  // Item 6: framed on the recording — its ~2.5 s span, not the live 5 minutes; no cursor pinned.
  const spanNow = page.locator('[data-testid="charts"] .span-now')
  await expect(spanNow).toHaveText(/^\s*[23]\.\d s\s*$/)
  await expect(page.getByTestId('span-300')).not.toHaveClass(/\bon\b/)
  await expect(term.locator('.cursor')).toHaveCount(0)
  // Back to live: the 5-minute span, following now.
  await page.getByTestId('replay-close').click()
  await expect(page.getByTestId('span-300')).toHaveClass(/\bon\b/)
  await expect(page.getByTestId('charts-state')).toHaveText('live')
  await expect(term.locator('.cursor')).toHaveCount(0)

  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  expect(consoleErrors).toEqual([])
})

test('re-run from a replay: Shift+Q explains, the live cluster is stopped on request, the recorded part by default, closing stops it', async ({
  page,
  served,
  consoleErrors,
}) => {
  test.setTimeout(150_000)
  await page.goto(served.url)
  await startCluster(page, 3)
  // The cluster runs a while before recording begins: the recording is made mid-session.
  await page.waitForTimeout(4000)
  const name = await recordFor(page, served.recordingsDir, 3000)
  await page.getByTestId('recording-input').setInputFiles(join(served.recordingsDir, name))
  await expect(page.getByTestId('replay-bar')).toBeVisible()

  // Item 7b: Shift+Q stops nothing, the replay stays, and a toast says so.
  await page.keyboard.press('Shift+Q')
  const explained = page.getByTestId('toast').filter({ hasText: 'Shift+Q stopped nothing' })
  await expect(explained).toContainText('live cluster (3 nodes) is still running')
  await expect(page.getByTestId('replay-bar')).toBeVisible()

  // Item 7a and c: Re-run… says the live cluster will be stopped, and offers the recorded part
  // (the default) or the whole session.
  await page.getByTestId('replay-rerun').click()
  const dialog = page.getByTestId('rerun-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('rerun-part-recorded')).toBeChecked()
  await expect(dialog.getByTestId('rerun-part-whole')).not.toBeChecked()
  await expect(dialog).toContainText(/Only the recorded part \([23]\.\d s\)/)
  await expect(dialog.getByTestId('rerun-stops-live')).toContainText('The live cluster (3 nodes)')
  await expect(dialog.getByTestId('rerun-confirm')).toHaveText('Stop the live cluster and re-run')
  await dialog.getByTestId('rerun-confirm').click()
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)
  const compare = page.getByTestId('compare')
  await expect(compare).toBeVisible()
  await expect(compare).toContainText('(the recorded part)')
  await expect(compare).toHaveAttribute('data-running', 'true')
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'true')

  // Item 7d: closing the comparison while the re-run goes on stops its cluster and recording.
  await page.getByTestId('compare-close').click()
  await expect(compare).toHaveCount(0)
  await expect(page.getByTestId('toast').filter({ hasText: 'was stopped' })).toBeVisible()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'false', {
    timeout: 20_000,
  })
  const rerun = readdirSync(served.recordingsDir).filter((f) => f.includes('.rerun'))
  expect(rerun).toHaveLength(1)
  expect(consoleErrors).toEqual([])
})
