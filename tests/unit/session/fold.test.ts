// One fold of the event stream: the session state recordings keep and the app's views take fault
// bands (shared/session/faults.ts), logs (shared/session/logRuns.ts) and the leader
// (shared/lab/leader.ts) from the same reducers, so they always agree.
import { describe, expect, it } from 'vitest'
import { applyEvents, createLabModel } from '../../../renderer/src/model/lab'
import { applyEvent, emptyState, leaderOf } from '../../../shared/session/state'
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

describe('logs and the leader', () => {
  it('are the same in the session state and the app, conflicts and recoveries included', () => {
    const s = new Stream()
    const events = [
      ...startedCluster(s, 3),
      s.at(400, {
        type: 'node.log',
        node: 1,
        op: 'append',
        fromIndex: 1,
        toIndex: 3,
        terms: [1, 1, 1],
      }),
      s.at(410, {
        type: 'node.log',
        node: 2,
        op: 'append',
        fromIndex: 1,
        toIndex: 4,
        terms: [1, 1, 2, 2],
      }),
      // n2's suffix from index 3 conflicts with the leader's: truncated, then replaced.
      s.at(420, { type: 'node.log', node: 2, op: 'truncate', fromIndex: 3, toIndex: 3, terms: [] }),
      s.at(430, {
        type: 'node.log',
        node: 2,
        op: 'append',
        fromIndex: 3,
        toIndex: 4,
        terms: [3, 3],
      }),
      // n3 restarts and recovers 6 entries it never reported: their terms are unknown.
      s.at(440, {
        type: 'node.recovered',
        node: 3,
        entries: 6,
        lastIndex: 6,
        term: 3,
        truncatedTailBytes: 0,
        durationMs: 1,
      }),
    ]
    const state = emptyState()
    for (const e of events) applyEvent(state, e)
    const m = createLabModel()
    applyEvents(m, events)
    for (const id of [1, 2, 3]) {
      const a = state.nodes.find((n) => n.id === id)?.log
      const b = m.logs.get(id)
      expect(a, `n${id}`).toEqual({ runs: b?.runs, lastIndex: b?.lastIndex })
    }
    expect(state.nodes[1]?.log.runs).toEqual([
      { start: 1, term: 1 },
      { start: 3, term: 3 },
    ])
    expect(state.nodes[2]?.log).toEqual({ runs: [{ start: 1, term: 0 }], lastIndex: 6 })
    expect(m.logs.get(2)?.lastTruncation).toMatchObject({ fromIndex: 3, toIndex: 4 })
    expect(leaderOf(state)).toBe(m.cluster.leader ?? 0)
    expect(leaderOf(state)).toBe(1)
  })
})

describe('a link band', () => {
  it('takes the words of the fault that set its rules, known by the fault kind, not its words', () => {
    const s = new Stream()
    const state = emptyState()
    const events = [
      ...startedCluster(s, 3),
      s.at(1000, {
        type: 'links.changed',
        rules: [{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }],
      }),
      s.at(1001, {
        type: 'fault',
        action: 'applied',
        description: 'n1 and n2 can no longer talk',
        kind: 'split',
        nodes: [1],
      }),
    ]
    for (const e of events) applyEvent(state, e)
    expect(state.faults.bands.at(-1)?.label).toBe('n1 and n2 can no longer talk')
  })
})

describe('a node process', () => {
  it('keeps a crash reason through a later stop, in the session state as in the app', () => {
    const s = new Stream()
    const events = [
      ...startedCluster(s, 3),
      s.at(1000, {
        type: 'node.process',
        node: 2,
        state: 'crashed',
        pid: null,
        detail: 'exited with code 70: AssertionError',
      }),
      s.at(2000, { type: 'node.process', node: 2, state: 'stopped', pid: null }),
    ]
    const state = emptyState()
    for (const e of events) applyEvent(state, e)
    const m = createLabModel()
    applyEvents(m, events)
    const fromState = state.nodes.find((n) => n.id === 2)
    const fromApp = m.cluster.nodes.find((n) => n.id === 2)
    expect(fromState?.detail).toBe('exited with code 70: AssertionError')
    expect(fromApp?.detail).toBe(fromState?.detail)
    expect([fromState?.state, fromState?.status]).toEqual(['stopped', null])
    expect([fromApp?.state, fromApp?.status]).toEqual(['stopped', null])
  })
})
