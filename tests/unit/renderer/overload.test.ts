import { describe, expect, it } from 'vitest'
import { applyEvents, createLabModel } from '../../../renderer/src/model/lab'
import { lateBy } from '../../../renderer/src/model/overload'
import { startedCluster, Stream } from './events'

const lag = (s: Stream, t: number, node: number, maxMs: number, loadPerCpu = 2.3) =>
  s.at(t, { type: 'node.lag', node, maxMs, p99Ms: maxMs / 2, loadPerCpu })
const election = (s: Stream, t: number, node: number, term: number) =>
  s.at(t, {
    type: 'node.raft',
    node,
    event: { kind: 'electionStarted', term, preVote: true, transfer: false },
  })
const overload = (m: ReturnType<typeof createLabModel>) =>
  m.narrative.toArray().filter((l) => /timers ran/.test(l.text))

describe('elections no fault explains', () => {
  it('blame late timers when a node reported them just before', () => {
    const s = new Stream()
    const m = createLabModel()
    applyEvents(m, [...startedCluster(s, 3), lag(s, 1000, 2, 180), election(s, 1500, 3, 2)])
    expect(overload(m).map((l) => [l.kind, l.text])).toEqual([
      [
        'warning',
        "n2's timers ran 180 ms late: the machine is overloaded (load 2.3 per CPU). No fault is " +
          'in force — late timers, not Raft, likely caused this election',
      ],
    ])
    // The ring says so while the report is fresh, not after.
    const n2 = m.cluster.nodes[1]
    expect(n2 && lateBy(m.cluster.config, n2, 1500)).toBe(180)
    expect(n2 && lateBy(m.cluster.config, n2, 5000)).toBe(0)
  })

  it('blame them when the stalled node reports only after the election it caused', () => {
    const s = new Stream()
    const m = createLabModel()
    applyEvents(m, [...startedCluster(s, 3), election(s, 1000, 3, 2), lag(s, 2000, 1, 700, 0.5)])
    expect(overload(m).map((l) => l.text)).toEqual([
      "n1's timers ran 700 ms late: its process was held up (a busy event loop, or a machine " +
        'short of CPU). No fault is in force — late timers, not Raft, likely caused this election',
    ])
  })

  it('say nothing of a first election: there was no leader to lose', () => {
    const s = new Stream()
    const m = createLabModel()
    const first = startedCluster(s, 3)
    // Before the leader's status arrives: the cluster's first election.
    const beforeLeader = first.filter((e) => !(e.type === 'node.status' && e.timeMs >= 300))
    applyEvents(m, [...beforeLeader, lag(s, 100, 2, 180), election(s, 150, 3, 1)])
    expect(overload(m)).toEqual([])
  })

  it('say nothing when a fault explains it, when timers were on time, or twice in a row', () => {
    const s = new Stream()
    const m = createLabModel()
    applyEvents(m, [
      ...startedCluster(s, 3),
      // Under the heartbeat interval: not late.
      lag(s, 1000, 2, 30),
      election(s, 1100, 3, 2),
      // A cut link explains an election.
      s.at(2000, {
        type: 'links.changed',
        rules: [{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }],
      }),
      lag(s, 2100, 2, 300),
      election(s, 2200, 3, 3),
      s.at(2300, { type: 'links.changed', rules: [] }),
    ])
    expect(overload(m)).toEqual([])
    applyEvents(m, [lag(s, 8000, 2, 300), election(s, 8100, 3, 4), election(s, 8200, 2, 5)])
    expect(overload(m)).toHaveLength(1)
  })
})
