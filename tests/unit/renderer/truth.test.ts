// Drawings that outlive what they show, and small lies (issue 12, items 11 and 12): vote arrows go
// with the cluster; a cluster's shutdown is not a no-leader gap and its stopping nodes are not
// faults; a new cluster's charts begin at its start; one node stopped is one line; an isolated
// node is recognised as such (its menu offers to rejoin); the workload's readout says "no leader"
// rather than zeros that look like measurements.
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createClusterModel, isIsolated, reduceCluster } from '../../../renderer/src/model/cluster'
import { bandSpans, gapsIn, leaderSpans } from '../../../renderer/src/model/chartData'
import { formatWorkloadReadout } from '../../../renderer/src/model/format'
import { applyEvents, createLabModel } from '../../../renderer/src/model/lab'
import {
  createTimelineModel,
  noLeaderStats,
  reduceTimeline,
} from '../../../renderer/src/model/timeline'
import { useTimeAxisStore } from '../../../renderer/src/stores/timeAxis'
import type { LabEvent, LinkRule } from '../../../shared/lab/events'
import { config, startedCluster, status, Stream } from './events'

function setup() {
  const c = createClusterModel()
  const t = createTimelineModel()
  const feed = (events: LabEvent[]) => {
    for (const e of events) {
      reduceCluster(c, e)
      reduceTimeline(t, e, c)
    }
  }
  return { c, t, feed }
}

/** stopAll is a whole cluster of `n` nodes stopped by command at `at`, the leader first. */
function stopAll(s: Stream, at: number, n = 3): LabEvent[] {
  const cmd = { type: 'cluster.stop' } as const
  const out = [s.at(at, { type: 'command', id: 9, phase: 'started', command: cmd })]
  for (let i = 1; i <= n; i++)
    out.push(s.at(at + 100 * i, { type: 'node.process', node: i, state: 'stopped', pid: null }))
  out.push(s.at(at + 100 * n + 50, { type: 'cluster.stopped', reason: 'stopped by command' }))
  out.push(s.at(at + 100 * n + 60, { type: 'command', id: 9, phase: 'done', command: cmd }))
  return out
}

/** restarted is a second cluster started at `at`, n1 leading term 1 from `at` + 300. */
function restarted(s: Stream, at: number, n = 3): LabEvent[] {
  const out: LabEvent[] = [
    s.at(at, {
      type: 'cluster.started',
      clusterId: 'lab-y',
      config: config(n),
      runDir: '/r',
      dataDir: '/d',
    }),
  ]
  for (let i = 1; i <= n; i++)
    out.push(s.at(at + 10, { type: 'node.process', node: i, state: 'running', pid: 200 + i }))
  out.push(
    s.at(at + 300, {
      type: 'node.status',
      node: 1,
      status: status({ role: 'leader', term: 1, leaderId: 1 }),
    }),
  )
  for (let i = 2; i <= n; i++)
    out.push(
      s.at(at + 310, { type: 'node.status', node: i, status: status({ term: 1, leaderId: 1 }) }),
    )
  return out
}

describe('when a cluster stops', () => {
  it('its vote arrows go with it', () => {
    const s = new Stream()
    const { c, feed } = setup()
    feed(startedCluster(s, 3))
    feed([
      s.at(400, {
        type: 'node.raft',
        node: 2,
        event: { kind: 'voteCast', candidate: 1, granted: true, preVote: false, term: 1 },
      }),
    ])
    expect(c.votes.length).toBe(1)
    feed([s.at(500, { type: 'cluster.stopped', reason: 'stopped by command' })])
    expect(c.votes.length).toBe(0)
  })

  it('its shutdown is neither a no-leader gap nor a fault, and the next one starts clean', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 3))
    feed(stopAll(s, 5000))
    feed(restarted(s, 20_000))
    // Two stretches without a leader: each cluster's first election. Not the shutdown, in which
    // the leader stopped first and the others were left leaderless for a while.
    expect(noLeaderStats(t, 21_000)).toEqual({ gaps: 2, totalMs: 300 + 300 })
    const spans = leaderSpans(t, { fromMs: 0, toMs: 21_000 })
    expect(spans.map((x) => [x.startMs, x.endMs, x.leader])).toEqual([
      [0, 300, 0],
      [300, 5000, 1],
      [20_000, 20_300, 0],
      [20_300, null, 1],
    ])
    const inView = gapsIn(t, { fromMs: 20_000, toMs: 21_000 })
    expect(inView.gaps).toBe(1)
    expect(inView.totalMs).toBeCloseTo(300)
    expect(bandSpans(t, { fromMs: 0, toMs: 21_000 })).toEqual([])
    expect(t.clusterStartMs).toBe(20_000)
  })

  it('a node stopped on purpose before the shutdown is still shaded as a fault', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 3))
    feed([s.at(1000, { type: 'node.process', node: 3, state: 'stopped', pid: null })])
    feed(stopAll(s, 5000, 2))
    const bands = bandSpans(t, { fromMs: 0, toMs: 10_000 })
    expect(bands.map((b) => [b.label, b.startMs, b.endMs])).toEqual([['n3 stopped', 1000, 5000]])
  })
})

describe('the time axis across clusters', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('begins at the running cluster’s start while it follows now', () => {
    const a = useTimeAxisStore()
    a.setOrigin(100_000)
    // Young cluster: its first minute, not the last minute of the one before.
    expect(a.windowAt(110_000)).toEqual({ fromMs: 100_000, toMs: 160_000 })
    expect(a.windowAt(200_000)).toEqual({ fromMs: 140_000, toMs: 200_000 })
    a.freeze(110_000)
    expect(a.windowAt(300_000)).toEqual({ fromMs: 100_000, toMs: 160_000 })
  })
})

describe('the narrative', () => {
  it('tells one node stopped once', () => {
    const s = new Stream()
    const m = createLabModel()
    const cmd = { type: 'node.stop', node: 3 } as const
    applyEvents(m, startedCluster(s, 3))
    applyEvents(m, [
      s.at(1000, { type: 'command', id: 4, phase: 'started', command: cmd }),
      s.at(1200, { type: 'node.process', node: 3, state: 'stopped', pid: null }),
      s.at(1210, { type: 'fault', action: 'applied', description: 'n3 stopped' }),
      s.at(1211, { type: 'command', id: 4, phase: 'done', command: cmd }),
    ])
    const told = m.narrative.toArray().filter((l) => /\bn3 stopped\b/.test(l.text))
    expect(told.map((l) => [l.kind, l.text])).toEqual([['fault', 'n3 stopped']])
  })
})

describe('an isolated node', () => {
  const nodes = [{ id: 1 }, { id: 2 }, { id: 3 }]
  const cut = (from: number, to: number): LinkRule => ({
    from,
    to,
    cut: true,
    latencyMs: 0,
    jitterMs: 0,
    lossPercent: 0,
  })

  it('is one whose every link, both ways, is cut', () => {
    const links = [cut(1, 2), cut(2, 1), cut(1, 3), cut(3, 1)]
    expect(isIsolated({ nodes, links }, 1)).toBe(true)
    expect(isIsolated({ nodes, links }, 2)).toBe(false)
    expect(isIsolated({ nodes, links: links.slice(0, 3) }, 1)).toBe(false)
    expect(isIsolated({ nodes: [{ id: 1 }], links: [] }, 1)).toBe(false)
  })
})

describe('the workload readout', () => {
  const sample = { writesPerSec: 1100, readsPerSec: 0, writes: 550, p99Ms: 18.2 }

  it('says there is no leader rather than 0/s and a p99 of 0.000 ms', () => {
    expect(formatWorkloadReadout({ ...sample, writesPerSec: 0, writes: 0, p99Ms: 0 }, false)).toBe(
      'no leader — writes wait',
    )
    expect(formatWorkloadReadout({ ...sample, writesPerSec: 0, writes: 0, p99Ms: 0 }, true)).toBe(
      '0/s · p99 —',
    )
    expect(formatWorkloadReadout(sample, true)).toBe('1.1k/s · p99 18.2 ms')
  })
})
