// The workload panel's "one operation": put, get and cas against a live cluster, each answered
// on a result line that stays until the next operation — a missing key says "not found", a cas
// that did not swap says what the key holds. (Results once showed only in a passing toast, a
// missing key said "ok", and there was no cas.)
import { expect, test } from './serve'

test('one operation: put, get, a missing key, cas that swaps and cas that does not', async ({
  page,
  served,
  consoleErrors,
}) => {
  await page.goto(served.url)
  await page.getByTestId('form-nodes').selectOption('3')
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText(/leader n\d/, { timeout: 30_000 })
  await page.getByTestId('workload').locator('details.kv summary').click()
  const result = page.getByTestId('kv-result')

  await page.getByTestId('kv-key').fill('colour')
  await page.getByTestId('kv-value').fill('blue')
  await page.getByTestId('kv-put').click()
  await expect(result).toHaveText(
    /^put colour = "blue": committed at index \d+ \(term \d+\) via n\d in [\d.]+ ms; it held nothing$/,
  )
  await expect(result).toHaveAttribute('data-kind', 'ok')
  await page.getByTestId('kv-get').click()
  await expect(result).toHaveText(/^get colour = "blue" \(read at index \d+/)

  await page.getByTestId('kv-key').fill('absent')
  await page.getByTestId('kv-get').click()
  await expect(result).toHaveText(/^get absent: not found/)
  await expect(result).toHaveAttribute('data-kind', 'miss')
  await expect(page.getByTestId('narrative')).toContainText('get absent → not found')

  await page.getByTestId('kv-key').fill('colour')
  await page.getByTestId('kv-expected').fill('blue')
  await page.getByTestId('kv-value').fill('green')
  await page.getByTestId('kv-cas').click()
  await expect(result).toHaveText(/^cas colour: swapped "blue" → "green", committed at index/)
  await page.getByTestId('kv-value').fill('red')
  await page.getByTestId('kv-cas').click()
  await expect(result).toHaveText(/^cas colour: not swapped — it holds "green", not "blue"/)
  await expect(result).toHaveAttribute('data-kind', 'miss')
  // It stays: nothing else replaces it while the lab goes on.
  await page.waitForTimeout(1500)
  await expect(result).toHaveText(/^cas colour: not swapped/)

  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  expect(consoleErrors).toEqual([])
})
