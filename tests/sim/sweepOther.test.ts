// The simulator on the cluster sizes the main sweep does not cover: a single node (no links to
// cut; crashes and pauses only) and seven nodes.
import { describe, expect, it } from 'vitest'
import { runSeedRange } from '../../electron/lab/sim/simRunner'

describe.each([
  [1, 1000],
  [7, 500],
])('simulator sweep, %i node(s)', (nodes, seeds) => {
  it(`passes ${seeds} seeds × 2000 steps with no violation`, () => {
    const started = performance.now()
    const res = runSeedRange(nodes * 1_000_000, nodes * 1_000_000 + seeds, {
      steps: 2000,
      nodeCounts: [nodes],
      traceLines: 30,
    })
    const steps = res.stats.reduce((a, s) => a + s.steps + s.livenessSteps, 0)
    console.log(
      `sim sweep (${nodes} nodes): ${seeds} seeds, ${steps} steps, ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    const first = res.violations[0]
    expect(
      first
        ? `${first.kind}: ${first.message}\n  ${first.repro}\n  ${first.trace.join('\n  ')}`
        : null,
    ).toBeNull()
  })
})
