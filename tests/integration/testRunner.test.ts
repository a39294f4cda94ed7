// `npm test` itself (scripts/test.mjs): on a machine without Chromium the browser tests cannot
// run, and the final line must say so instead of passing over them in silence.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '..', '..')

describe('npm test without Chromium', () => {
  it('counts the browser tests as skipped, names why, and ends with N passed, N failed, N skipped', () => {
    const res = spawnSync(process.execPath, [join(root, 'scripts', 'test.mjs')], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        RAFTLAB_CHROMIUM: '/nonexistent/chromium',
        RAFTLAB_TEST_STAGES: 'playwright',
      },
      timeout: 120_000,
    })
    const lines = res.stdout.trim().split('\n')
    const last = lines.at(-1) ?? ''
    const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(last)
    expect(m, res.stdout.slice(-2000)).not.toBeNull()
    expect(res.stdout).toMatch(/\d+ — browser tests: no Chromium at \/nonexistent\/chromium/)
    // Every browser spec's tests are among the skipped.
    const browser = Number(/(\d+) — browser tests/.exec(res.stdout)?.[1])
    expect(browser).toBeGreaterThanOrEqual(10)
    expect(Number(m?.[3])).toBeGreaterThanOrEqual(browser)
  })
})
