// Fault bands come from one reducer (shared/session/faults.ts): the session state recordings keep
// and the app's charts hold the same bands, ended by the state events themselves.
import { describe, expect, it } from 'vitest'
import { applyEvents, createLabModel } from '../../../renderer/src/model/lab'
import { applyEvent, emptyState } from '../../../shared/session/state'
import { startedCluster, Stream } from '../renderer/events'

describe('fault bands', () => {
  it('are the same in the session state and the charts, ended by state, not by words', () => {
    const s = new Stream()
    const events = [
      ...startedCluster(s, 3),
      s.at(1000, { type: 'node.process', node: 2, state: 'paused', pid: 102 }),
      s.at(1001, { type: 'fault', action: 'applied', description: 'n2 paused' }),
      s.at(2000, {
        type: 'links.changed',
        rules: [{ from: 1, to: 3, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }],
      }),
      s.at(2001, { type: 'fault', action: 'applied', description: 'link n1→n3 cut' }),
      // A heal worded unlike its fault still ends it: the node is running again.
      s.at(3000, { type: 'node.process', node: 2, state: 'running', pid: 102 }),
      s.at(3001, { type: 'fault', action: 'healed', description: 'everything healed' }),
      s.at(4000, { type: 'links.changed', rules: [] }),
      s.at(5000, { type: 'command', id: 9, phase: 'started', command: { type: 'cluster.stop' } }),
      s.at(5100, { type: 'node.process', node: 1, state: 'stopped', pid: null }),
      s.at(5200, { type: 'cluster.stopped', reason: 'stopped by command' }),
    ]
    const state = emptyState()
    for (const e of events) applyEvent(state, e)
    const m = createLabModel()
    applyEvents(m, events)
    const shape = (b: { kind: string; label: string; startMs: number; endMs: number | null }) => [
      b.kind,
      b.label,
      b.startMs,
      b.endMs,
    ]
    const kept = state.faults.bands.filter((b) => !b.discarded).map(shape)
    expect(kept).toEqual([
      ['node', 'n2 paused', 1000, 3000],
      ['link', 'link n1→n3 cut', 2000, 4000],
    ])
    expect(m.timeline.faults.bands.filter((b) => !b.discarded).map(shape)).toEqual(kept)
    // n1 stopping as part of the cluster's stop is the shutdown, not a fault.
    expect(state.faults.bands.find((b) => b.node === 1)?.discarded).toBe(true)
    expect(state.counters.faults).toBe(2)
  })
})
