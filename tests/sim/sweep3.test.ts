// The simulator sweep run by `npm test`: 2,000 seeds × 2,000 steps of a 3-node cluster with every
// fault kind, Raft's safety properties checked after every step, and liveness after healing.
import { describe, expect, it } from 'vitest'
import { runSeedRange } from '../../electron/lab/sim/simRunner'

const SEEDS = 2000
const STEPS = 2000

describe('simulator sweep, 3 nodes', () => {
  it(`passes ${SEEDS} seeds × ${STEPS} steps with no violation`, () => {
    const started = performance.now()
    let steps = 0
    let elections = 0
    let maxConverge = 0
    const res = runSeedRange(
      3 * 1_000_000,
      3 * 1_000_000 + SEEDS,
      { steps: STEPS, nodeCounts: [3], traceLines: 30 },
      (s) => {
        steps += s.steps + s.livenessSteps
        elections += s.elections
        maxConverge = Math.max(maxConverge, s.livenessConvergeTicks ?? 0)
      },
    )
    const seconds = (performance.now() - started) / 1000
    console.log(
      `sim sweep (3 nodes): ${SEEDS} seeds, ${steps} steps, ${elections} elections, liveness ≤ ${maxConverge} ticks, ${seconds.toFixed(1)} s (${Math.round(steps / seconds)} steps/s)`,
    )
    const first = res.violations[0]
    expect(
      first
        ? `${first.kind}: ${first.message}\n  ${first.repro}\n  ${first.trace.join('\n  ')}`
        : null,
    ).toBeNull()
    expect(res.stats.every((s) => s.steps === STEPS)).toBe(true)
  })
})
