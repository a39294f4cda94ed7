// Browser mode opens: the page loads from `raftlab serve`, connects to the lab and logs no error.
import { expect, test } from './serve'

test('the app loads in browser mode and connects to the lab', async ({
  page,
  served,
  consoleErrors,
}) => {
  await page.goto(served.url)
  await expect(page.locator('body')).not.toBeEmpty()
  await expect(page).toHaveTitle(/raftlab/i)
  // Give the WebSocket its hello.
  await page.waitForTimeout(1000)
  expect(consoleErrors).toEqual([])
})
