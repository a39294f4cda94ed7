// Recording and replay in browser mode, end to end (issue 6's "done when"): start a 3-node
// cluster from the form, record, crash the leader from its node menu, wait for a new leader, stop
// the recording, open the file, scrub to the crash and watch the election play back.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, test } from './serve'

/** leaderName reads the top bar's leader ("leader n2" → "n2"), or null while there is none. */
async function leaderName(page: Page): Promise<string | null> {
  const text = (await page.getByTestId('topbar-leader').textContent()) ?? ''
  return /leader (n\d)/.exec(text)?.[1] ?? null
}

test('record a leader crash, open it, scrub to the crash, see the election', async ({
  page,
  served,
  consoleErrors,
}) => {
  test.setTimeout(120_000)
  await page.goto(served.url)
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle|live/)

  // A 3-node cluster from the form.
  await page.getByTestId('form-nodes').selectOption('3')
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })

  // Record, then crash the leader through its node menu.
  await page.getByTestId('record-button').click()
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'true')
  await page.waitForTimeout(1000)
  const oldLeader = await leaderName(page)
  expect(oldLeader).not.toBeNull()
  await page.getByTestId(`node-${oldLeader}`).click()
  await page.getByTestId('menu-crash').click()
  await expect(page.getByTestId(`node-${oldLeader}`)).toHaveAttribute('data-state', 'crashed')
  await expect
    .poll(
      async () => {
        const l = await leaderName(page)
        return l !== null && l !== oldLeader
      },
      { timeout: 20_000 },
    )
    .toBe(true)
  const newLeader = await leaderName(page)
  await page.waitForTimeout(800)

  // Stop: the toast says where the file went and offers to replay it.
  await page.getByTestId('record-button').click()
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'false')
  await expect(page.getByTestId('toast').filter({ hasText: 'Recording saved' })).toBeVisible()
  const files = readdirSync(served.recordingsDir).filter((f) => f.endsWith('.raftrec'))
  expect(files).toHaveLength(1)

  // Open it the way File → Open recording… does: the file input.
  await page.getByTestId('recording-input').setInputFiles(join(served.recordingsDir, files[0]!))
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('live-indicator')).toHaveText(/replay/)
  await expect(page.getByTestId('replay-name')).toHaveText(files[0]!)
  // At the start the old leader leads, alive.
  await expect(page.getByTestId(`node-${oldLeader}`)).not.toHaveAttribute('data-state', 'crashed')
  await expect(page.getByTestId('topbar-leader')).toHaveText(`leader ${oldLeader}`)

  // A replay never touches the live cluster: commands are refused while it is shown.
  await page.getByTestId(`node-${newLeader}`).click()
  await page.getByTestId('menu-crash').click()
  await expect(page.getByTestId('toast').filter({ hasText: 'being replayed' })).toBeVisible()
  await page.keyboard.press('Escape')

  // Scrub to the crash: its fault marker.
  const crash = page.getByTestId('replay-marker').filter({ hasText: '▮' }).first()
  await expect(crash).toHaveAttribute('title', new RegExp(`${oldLeader} crashed`))
  await crash.click()
  await expect(page.getByTestId(`node-${oldLeader}`)).toHaveAttribute('data-state', 'crashed')

  // Play: the survivors' election plays back, and the new leader appears.
  await page.getByTestId('replay-speed').selectOption('2')
  await page.getByTestId('replay-play').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(`leader ${newLeader}`, {
    timeout: 20_000,
  })
  await expect(
    page.getByTestId('narrative-line').filter({ hasText: 'election' }).first(),
  ).toBeVisible()
  await expect(page.getByTestId(`node-${newLeader}`)).toHaveAttribute('data-role', 'leader')
  // RAFTLAB_SHOTS=DIR keeps a picture of replay mode (docs, reviews).
  if (process.env.RAFTLAB_SHOTS) {
    await page.waitForTimeout(1500)
    await page.screenshot({ path: join(process.env.RAFTLAB_SHOTS, 'replay.png') })
  }

  // Back to live: the live cluster is still there, led by a survivor.
  await page.getByTestId('replay-close').click()
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)
  // (Not necessarily the same one: on a busy machine the live cluster may have changed leaders
  // meanwhile; never the crashed one.)
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/)
  await expect(page.getByTestId('topbar-leader')).not.toHaveText(`leader ${oldLeader}`)
  await expect(page.getByTestId(`node-${oldLeader}`)).toHaveAttribute('data-state', 'crashed')
  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })

  // Re-run it: a fresh cluster plays the same crash, recorded, and the two runs are compared.
  await page.getByTestId('recording-input').setInputFiles(join(served.recordingsDir, files[0]!))
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await page.getByTestId('replay-rerun').click()
  // The recording began mid-session: its recorded part is re-run (the dialog's default).
  await expect(page.getByTestId('rerun-part-recorded')).toBeChecked()
  await page.getByTestId('rerun-confirm').click()
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)
  await expect(page.getByTestId('compare')).toBeVisible()
  await expect(page.getByTestId('compare')).toHaveAttribute('data-running', 'false', {
    timeout: 60_000,
  })
  await expect(page.getByTestId('compare-recording')).toContainText('.rerun.raftrec')
  await expect(page.getByTestId('compare-facts')).toContainText('time without a leader')
  if (process.env.RAFTLAB_SHOTS) {
    await page.screenshot({ path: join(process.env.RAFTLAB_SHOTS, 'rerun.png') })
  }
  await page.getByTestId('compare-close').click()
  await expect(page.getByTestId('compare')).toHaveCount(0)
  if (await page.getByTestId('stop-cluster').isEnabled()) {
    await page.getByTestId('stop-cluster').click()
    await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  }
  expect(consoleErrors).toEqual([])
})
