// Types of scripts/testSummary.mjs, for the tests that import it.

/** listedCount returns how many tests a `playwright test --list --reporter=json` output names. */
export function listedCount(stdout: string): number

/** playwrightSkips counts a Playwright JSON report's skipped tests by reason. */
export function playwrightSkips(report: unknown): Map<string, number>

/** summaryLines are the last lines `npm test` prints, ending with `N passed, N failed[, N skipped]`. */
export function summaryLines(totals: {
  passed: number
  failed: number
  skipReasons: Map<string, number>
  failures: string[]
}): string[]
