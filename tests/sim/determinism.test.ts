import { describe, expect, it } from 'vitest'
import { runSimulation } from '../../shared/sim'

function traceOf(seed: number, nodes: number): { text: string; stats: unknown } {
  const lines: string[] = []
  const res = runSimulation(seed, { nodes, steps: 1500, onTrace: (l) => lines.push(l) })
  return { text: lines.join('\n'), stats: res.stats }
}

describe('simulator determinism', () => {
  it('gives a byte-identical trace and statistics for the same seed', () => {
    for (const [seed, nodes] of [
      [7, 3],
      [8, 5],
      [9, 7],
    ] as const) {
      const a = traceOf(seed, nodes)
      const b = traceOf(seed, nodes)
      expect(a.text.length).toBeGreaterThan(10_000)
      expect(b.text).toBe(a.text)
      expect(b.stats).toEqual(a.stats)
    }
  })

  it('gives different runs for different seeds', () => {
    expect(traceOf(1, 3).text).not.toBe(traceOf(2, 3).text)
  })

  it('exercises every kind of fault and protocol event in its traces', () => {
    const text = Array.from({ length: 30 }, (_, i) => traceOf(100 + i, 5).text).join('\n')
    for (const needle of [
      'nemesis: partition',
      'nemesis: cut',
      'nemesis: isolate',
      'nemesis: crash',
      'nemesis: restart',
      'nemesis: pause',
      'nemesis: resume',
      'nemesis: heal all links',
      'pre-vote started',
      'election won',
      'stepped down',
      'log truncated',
      'MsgReadIndex',
      'MsgHeartbeat',
      'liveness: all faults healed',
      'snapshot at',
      'compacted log to',
      'MsgSnap',
      'restores snapshot',
      'reports its snapshot',
    ]) {
      expect(text, needle).toContain(needle)
    }
  })

  it('tracing does not change the run', () => {
    const traced = traceOf(42, 5).stats
    const plain = runSimulation(42, { nodes: 5, steps: 1500 }).stats
    expect(plain).toEqual(traced)
  })
})
