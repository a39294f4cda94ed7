// Bad recording files opened in the app (the hidden file input that File → Open recording…, the
// Open button and `o` use): each unreadable one is refused with a toast naming the file and the
// specific problem, and the app stays live; a cut-short or damaged recording opens with what is
// readable and says what was lost. Never a page error.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, test } from './serve'

/** open hands bytes to the app as a picked file. */
async function open(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.getByTestId('recording-input').setInputFiles({
    name,
    mimeType: 'application/octet-stream',
    buffer,
  })
}

/** refused opens a file that must not open: a toast names it and the problem, and the app stays
 * in live mode. */
async function refused(page: Page, name: string, bytes: Buffer, why: string): Promise<void> {
  await open(page, name, bytes)
  const toast = page.getByTestId('toast').filter({ hasText: `${name}: ${why}` })
  await expect(toast).toBeVisible()
  await expect(toast).toHaveAttribute('data-kind', 'error')
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)
  await expect(page.getByTestId('live-indicator')).not.toHaveText(/replay/)
  await expect(page.getByTestId('open-recording')).toHaveText('Open recording…')
}

/** Chunk is where one chunk of a recording lies (docs/formats/recording.md). */
interface Chunk {
  offset: number
  end: number
  kind: number
}

/** chunks lists a recording's chunks: after the header (magic, version, u32 length, JSON, crc),
 * each chunk is a 36-byte header (kind at +4, u32 payload length at +28) and its payload. */
function chunks(b: Buffer): Chunk[] {
  const out: Chunk[] = []
  let at = 16 + b.readUInt32BE(12) + 4
  while (at + 36 <= b.length) {
    expect(b.subarray(at, at + 4).toString('latin1')).toBe('RCHK')
    const end = at + 36 + b.readUInt32BE(at + 28)
    out.push({ offset: at, end, kind: b[at + 4] as number })
    at = end
  }
  expect(at).toBe(b.length)
  return out
}
const EVENTS = 1

test('files that are not readable recordings are refused with the reason', async ({
  page,
  served,
  consoleErrors,
}) => {
  await page.goto(served.url)
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)

  await refused(page, 'empty.raftrec', Buffer.alloc(0), 'the file is empty')
  await refused(
    page,
    'notes.txt',
    Buffer.from('hello, these are my notes\n'),
    'not a raftlab recording (it starts with "hello, t")',
  )
  await refused(
    page,
    'image.raftrec',
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    'not a raftlab recording (it starts with ".PNG....")',
  )
  // The right magic, then nothing: cut short inside the header.
  await refused(
    page,
    'stub.raftrec',
    Buffer.from('RAFTREC\n\x01\x00'),
    'the recording is cut short inside its header',
  )

  // Still a working app: the lab answers, a cluster could be started.
  await expect(page.getByTestId('no-cluster')).toBeVisible()
  await expect(page.getByTestId('start-cluster')).toBeEnabled()
  expect(consoleErrors).toEqual([])
})

test('a recording from the future, damaged or cut short: refused, or opened with the damage shown', async ({
  page,
  served,
  consoleErrors,
}) => {
  test.setTimeout(120_000)
  await page.goto(served.url)
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)

  // A real recording to damage: a 1-node cluster, recorded while it takes a few writes.
  await page.getByTestId('form-nodes').selectOption('1')
  await page.getByTestId('start-cluster').click()
  await expect(page.getByTestId('topbar-leader')).toHaveText('leader n1', { timeout: 30_000 })
  await page.getByTestId('record-button').click()
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'true')
  await page.getByTestId('workload-closed').check()
  await page.getByTestId('workload-concurrency').fill('2')
  await page.getByTestId('workload-start').click()
  await expect(page.getByTestId('chart-latency')).toHaveAttribute('data-empty', 'false', {
    timeout: 20_000,
  })
  // Chunks are written a second apart: wait for a few.
  await page.waitForTimeout(2000)
  await page.getByTestId('workload-stop').click()
  await expect(page.getByTestId('topbar-workload')).toHaveCount(0, { timeout: 20_000 })
  await page.getByTestId('record-button').click()
  await expect(page.getByTestId('record-button')).toHaveAttribute('data-recording', 'false')
  await expect(page.getByTestId('toast').filter({ hasText: 'Recording saved' })).toBeVisible()
  await page.getByTestId('stop-cluster').click()
  await expect(page.getByTestId('cluster-facts')).toHaveText(/no cluster/, { timeout: 20_000 })
  const files = readdirSync(served.recordingsDir).filter((f) => f.endsWith('.raftrec'))
  expect(files).toHaveLength(1)
  const good = readFileSync(join(served.recordingsDir, files[0] as string))
  const parts = chunks(good)
  expect(parts.filter((c) => c.kind === EVENTS).length).toBeGreaterThan(1)

  // A newer major format version (the header's byte 8): upgrade raftlab.
  const future = Buffer.from(good)
  future[8] = 2
  future[9] = 3
  await refused(
    page,
    'future.raftrec',
    future,
    'recorded by a newer raftlab (recording format 2.3); this raftlab reads format 1.x — upgrade raftlab to open it',
  )
  // Flipped bytes in the header's metadata: its checksum no longer matches.
  const header = Buffer.from(good)
  for (let i = 20; i < 24; i++) header[i] = (header[i] as number) ^ 0xff
  await refused(
    page,
    'header.raftrec',
    header,
    "the recording's header is damaged (checksum mismatch)",
  )
  // Cut inside its very first chunk: nothing is left to show.
  const first = parts[0] as Chunk
  await refused(
    page,
    'stump.raftrec',
    good.subarray(0, first.offset + 40),
    `nothing in this recording is readable: the recording is cut short at byte ${first.offset} of ${first.offset + 40}`,
  )

  // Cut in half (a crash, a copy that did not finish): opens with the readable first half and
  // says where it ends.
  let half = Math.floor(good.length / 2)
  // (Exactly on a chunk boundary the first half would be a whole, shorter recording.)
  if (parts.some((c) => c.end === half)) half -= 1
  const cutAt = (parts.find((c) => c.end > half) as Chunk).offset
  expect(
    parts.some((c) => c.kind === EVENTS && c.end <= half),
    'an events chunk lies wholly in the first half',
  ).toBe(true)
  await open(page, 'half.raftrec', good.subarray(0, half))
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('live-indicator')).toHaveText(/replay/)
  await expect(page.getByTestId('replay-name')).toHaveText('half.raftrec')
  const cutNotice = `the recording is cut short at byte ${cutAt} of ${half}`
  await expect(page.getByTestId('replay-damage')).toContainText(cutNotice)
  await expect(
    page.getByTestId('toast').filter({ hasText: `half.raftrec: ${cutNotice}` }),
  ).toBeVisible()
  await expect(page.getByTestId('node-n1')).toBeVisible()
  await page.getByTestId('replay-close').click()
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)
  await expect(page.getByTestId('live-indicator')).toHaveText(/idle/)

  // Flipped bytes inside an events chunk in the middle: that chunk is lost, the rest opens.
  const hit = parts.filter((c) => c.kind === EVENTS)[1] as Chunk
  const flipped = Buffer.from(good)
  for (let i = hit.offset + 40; i < hit.offset + 48; i++) flipped[i] = (flipped[i] as number) ^ 0x5a
  await open(page, 'flipped.raftrec', flipped)
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  const lost = `${hit.end - hit.offset} damaged bytes at byte ${hit.offset}: the events stored there are lost`
  await expect(page.getByTestId('replay-damage')).toContainText(lost)
  await expect(page.getByTestId('replay-damage')).not.toContainText('cut short')
  await page.getByTestId('replay-close').click()
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)

  // The intact file opens cleanly: nothing above broke the app.
  await open(page, files[0] as string, good)
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('replay-damage')).toHaveCount(0)
  await page.getByTestId('replay-close').click()
  await expect(page.getByTestId('replay-bar')).toHaveCount(0)

  // Dropped on the window, the same file opens too (a drop of a file, as a desktop would send).
  const drop = await page.evaluateHandle(
    ({ name, b64 }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      // (This runs in the page; the test files are typechecked without the DOM's types.)
      const page = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: File): void } }
      }
      const dt = new page.DataTransfer()
      dt.items.add(new File([bytes], name))
      return dt
    },
    { name: 'dropped.raftrec', b64: good.toString('base64') },
  )
  await page.getByTestId('app').dispatchEvent('dragover', { dataTransfer: drop })
  await expect(page.getByTestId('drop-zone')).toBeVisible()
  await page.getByTestId('app').dispatchEvent('drop', { dataTransfer: drop })
  await expect(page.getByTestId('replay-bar')).toBeVisible()
  await expect(page.getByTestId('replay-name')).toHaveText('dropped.raftrec')
  await expect(page.getByTestId('drop-zone')).toHaveCount(0)
  await page.getByTestId('replay-close').click()
  expect(consoleErrors).toEqual([])
})
