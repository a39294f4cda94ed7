// How `npm test` counts what did not run: the final line never overstates what was checked.
import { describe, expect, it } from 'vitest'
import { listedCount, playwrightSkips, summaryLines } from '../../../scripts/testSummary.mjs'

describe('npm test summary', () => {
  it('ends with N passed, N failed, N skipped when tests did not run, the reasons above it', () => {
    const lines = summaryLines({
      passed: 660,
      failed: 0,
      skipReasons: new Map([
        ['browser tests: no Chromium at /usr/bin/chromium', 12],
        ['playwright: no Electron binary', 3],
      ]),
      failures: [],
    })
    expect(lines.at(-1)).toBe('660 passed, 0 failed, 15 skipped')
    expect(lines).toContain('  12 — browser tests: no Chromium at /usr/bin/chromium')
  })

  it('ends with the plain N passed, N failed when everything ran', () => {
    const lines = summaryLines({ passed: 5, failed: 1, skipReasons: new Map(), failures: ['lint'] })
    expect(lines).toEqual(['failed: lint', '5 passed, 1 failed'])
  })

  it("counts Playwright's skipped tests by the reason each gave", () => {
    const test = (status: string, why?: string) => ({
      status,
      annotations: why ? [{ type: 'skip', description: why }] : [],
      results: [],
    })
    const report = {
      suites: [
        {
          specs: [{ tests: [test('skipped', 'no Electron'), test('expected')] }],
          suites: [{ specs: [{ tests: [test('skipped', 'no Electron'), test('skipped')] }] }],
        },
      ],
    }
    expect(playwrightSkips(report)).toEqual(
      new Map([
        ['no Electron', 2],
        ['skipped, no reason given', 1],
      ]),
    )
  })

  it('reads the number of listed tests, and 0 from anything else', () => {
    expect(listedCount(JSON.stringify({ stats: { skipped: 12, expected: 0 } }))).toBe(12)
    expect(listedCount('Error: no tests found')).toBe(0)
  })
})
