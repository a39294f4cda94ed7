// One simulator sweep as a test: `seeds` seeds × `steps` steps of an n-node cluster with every
// fault kind, Raft's safety properties checked after every step and liveness after healing. The
// sweep files call it once per cluster size (one file each, so Vitest runs them side by side).
import { describe, expect, it } from 'vitest'
import { runSeedRange } from '../../electron/lab/sim/simRunner'

export function defineSweep(nodes: number, seeds: number, steps = 2000): void {
  describe(`simulator sweep, ${nodes} node${nodes === 1 ? '' : 's'}`, () => {
    it(`passes ${seeds} seeds × ${steps} steps with no violation`, () => {
      const started = performance.now()
      let total = 0
      let elections = 0
      let maxConverge = 0
      const snaps = { taken: 0, compactions: 0, sent: 0, restored: 0 }
      const res = runSeedRange(
        nodes * 1_000_000,
        nodes * 1_000_000 + seeds,
        { steps, nodeCounts: [nodes], traceLines: 30 },
        (s) => {
          total += s.steps + s.livenessSteps
          elections += s.elections
          maxConverge = Math.max(maxConverge, s.livenessConvergeTicks ?? 0)
          snaps.taken += s.snapshotsTaken
          snaps.compactions += s.compactions
          snaps.sent += s.snapshotsSent
          snaps.restored += s.snapshotsRestored
        },
      )
      const seconds = (performance.now() - started) / 1000
      console.log(
        `sim sweep (${nodes} nodes): ${seeds} seeds, ${total} steps, ${elections} elections, ` +
          `liveness ≤ ${maxConverge} ticks, ${snaps.taken} snapshots taken, ${snaps.compactions} ` +
          `compactions, ${snaps.sent} sent, ${snaps.restored} restored, ${seconds.toFixed(1)} s ` +
          `(${Math.round(total / seconds)} steps/s)`,
      )
      const first = res.violations[0]
      expect(
        first
          ? `${first.kind}: ${first.message}\n  ${first.repro}\n  ${first.trace.join('\n  ')}`
          : null,
      ).toBeNull()
      expect(res.stats.every((s) => s.steps === steps)).toBe(true)
    })
  })
}
