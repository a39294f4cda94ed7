// How `npm test` (scripts/test.mjs) adds up what ran: the counts of Playwright's JSON reports and
// the final line CI reads. Plain JavaScript, as scripts/test.mjs runs under Node without a build.

/** listedCount returns how many tests a `playwright test --list --reporter=json` output names, or
 * 0 when it is not such an output. */
export function listedCount(stdout) {
  try {
    const stats = JSON.parse(stdout).stats
    return typeof stats?.skipped === 'number' ? stats.skipped : 0
  } catch {
    return 0
  }
}

/** playwrightSkips counts a Playwright JSON report's skipped tests by the reason each gave
 * (its `skip` annotation), as a Map from reason to count. */
export function playwrightSkips(report) {
  const out = new Map()
  const visit = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'skipped') continue
        const notes = [
          ...(t.annotations ?? []),
          ...(t.results ?? []).flatMap((x) => x.annotations ?? []),
        ]
        const why = notes.find((a) => a.type === 'skip')?.description || 'skipped, no reason given'
        out.set(why, (out.get(why) ?? 0) + 1)
      }
    }
    for (const s of suite.suites ?? []) visit(s)
  }
  for (const s of report.suites ?? []) visit(s)
  return out
}

/** summaryLines are the last lines `npm test` prints: what did not run and why, the failures,
 * then `N passed, N failed` — with `, N skipped` when any test did not run, so the line never
 * overstates what was checked. */
export function summaryLines({ passed, failed, skipReasons, failures }) {
  const skipped = [...skipReasons.values()].reduce((a, b) => a + b, 0)
  const lines = []
  if (skipped > 0) {
    lines.push(`not run (${skipped}):`)
    for (const [why, n] of skipReasons) lines.push(`  ${n} — ${why}`)
  }
  if (failures.length > 0) lines.push(`failed: ${failures.join('; ')}`)
  lines.push(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
  return lines
}
