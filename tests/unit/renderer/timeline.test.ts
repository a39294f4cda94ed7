import { describe, expect, it } from 'vitest'
import { createClusterModel, reduceCluster } from '../../../renderer/src/model/cluster'
import {
  bandSpans,
  drawnIn,
  gapsIn,
  latencySeries,
  leaderSpans,
  termPoints,
  untilNow,
} from '../../../renderer/src/model/chartData'
import {
  ARCHIVE_EVERY,
  createTimelineModel,
  FULL_RES_MS,
  noLeaderStats,
  reduceTimeline,
  addRawPoints,
} from '../../../renderer/src/model/timeline'
import type { LabEvent } from '../../../shared/lab/events'
import { DEFAULT_WORKLOAD, mostlyFailing, type WorkloadSample } from '../../../shared/lab/workload'
import { startedCluster, status, Stream } from './events'

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

const sample = (p: Partial<WorkloadSample> = {}): WorkloadSample => ({
  windowMs: 500,
  writes: 100,
  reads: 0,
  fail: 0,
  info: 0,
  writesPerSec: 200,
  readsPerSec: 0,
  p50Ms: 2,
  p99Ms: 9,
  maxMs: 12,
  points: [1, 2, 3, 4],
  ...p,
})

describe('the leader timeline', () => {
  it('opens a no-leader gap at the start and a segment when a leader is elected', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 3))
    const segs = t.leaders.toArray()
    expect(segs.map((x) => [x.leader, x.term])).toEqual([
      [0, 0],
      [1, 1],
    ])
    expect(segs[0]?.endMs).toBe(300)
    expect(noLeaderStats(t, 1000)).toEqual({ gaps: 1, totalMs: 300 })
  })

  it('keeps one gap while candidates bump the term, and counts it', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 3))
    feed([
      s.at(1000, { type: 'node.process', node: 1, state: 'crashed', pid: null }),
      s.at(1200, { type: 'node.status', node: 2, status: status({ role: 'candidate', term: 2 }) }),
      s.at(1400, { type: 'node.status', node: 2, status: status({ role: 'candidate', term: 3 }) }),
      s.at(1500, {
        type: 'node.status',
        node: 3,
        status: status({ role: 'leader', term: 3, leaderId: 3 }),
      }),
    ])
    const segs = t.leaders.toArray().map((x) => [x.leader, x.term, x.startMs])
    expect(segs.slice(2)).toEqual([
      [0, 3, 1000],
      [3, 3, 1500],
    ])
    expect(gapsIn(t, { fromMs: 900, toMs: 2000 })).toEqual({ gaps: 1, totalMs: 500 })
    expect(leaderSpans(t, { fromMs: 900, toMs: 2000 }).map((x) => [x.x0, x.x1])).toEqual([
      [0.9, 1],
      [1, 1.5],
      [1.5, 2],
    ])
  })
})

describe('term lines', () => {
  it('record changes only, break while a node is down, and hold the value across the window', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 3))
    feed([
      s.at(2000, { type: 'node.process', node: 2, state: 'crashed', pid: null }),
      s.at(3000, { type: 'node.status', node: 2, status: status({ term: 4 }) }),
    ])
    const pts = termPoints(t.terms.get(2), { fromMs: 1000, toMs: 5000 })
    expect(pts).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: null },
      { x: 3, y: 4 },
      { x: 5, y: 4 },
    ])
  })
})

describe('untilNow', () => {
  it("stops held states at now in a young session's window, and counts gaps only up to now", () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 3))
    feed([
      s.at(1000, { type: 'node.process', node: 1, state: 'crashed', pid: null }),
      s.at(1200, { type: 'node.status', node: 2, status: status({ role: 'candidate', term: 2 }) }),
    ])
    // Now is 4 s into the session; the axis shows the first minute.
    const w = { fromMs: 0, toMs: 60_000 }
    const now = untilNow(w, 4000)
    expect(now).toEqual({ fromMs: 0, toMs: 4000 })
    expect(leaderSpans(t, now).at(-1)).toMatchObject({ leader: 0, x1: 4, open: true })
    expect(gapsIn(t, now)).toEqual({ gaps: 2, totalMs: 300 + 3000 })
    expect(termPoints(t.terms.get(2), now).at(-1)).toEqual({ x: 4, y: 2 })
    // A window wholly in the past (frozen, or scrolled back) is left as it is; never inverted.
    expect(untilNow({ fromMs: 1000, toMs: 2000 }, 4000)).toEqual({ fromMs: 1000, toMs: 2000 })
    expect(untilNow({ fromMs: 5000, toMs: 9000 }, 4000)).toEqual({ fromMs: 5000, toMs: 5000 })
  })
})

describe('fault bands', () => {
  it('come from node states and link rules, and close when the fault ends', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 3))
    feed([
      s.at(1000, { type: 'node.process', node: 2, state: 'paused', pid: 102 }),
      s.at(1000, { type: 'fault', action: 'applied', description: 'n2 paused' }),
      s.at(2000, { type: 'node.process', node: 2, state: 'running', pid: 102 }),
      s.at(2500, {
        type: 'links.changed',
        rules: [{ from: 1, to: 3, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }],
      }),
      s.at(2500, { type: 'fault', action: 'applied', description: 'link n1→n3 cut' }),
    ])
    const bands = bandSpans(t, { fromMs: 0, toMs: 4000 })
    expect(bands.map((b) => [b.kind, b.label, b.x0, b.x1, b.open])).toEqual([
      ['node', 'n2 paused', 1, 2, false],
      ['link', 'link n1→n3 cut', 2.5, 4, true],
    ])
    feed([s.at(5000, { type: 'links.changed', rules: [] })])
    expect(t.faults.bands.at(-1)?.endMs).toBe(5000)
    expect(t.marks.length).toBe(2)
  })

  it('do not shade nodes stopping because the whole cluster stopped', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed(startedCluster(s, 2))
    feed([
      s.at(1000, { type: 'node.process', node: 1, state: 'stopped', pid: null }),
      s.at(1010, { type: 'node.process', node: 2, state: 'stopped', pid: null }),
      s.at(1020, { type: 'cluster.stopped', reason: 'stopped by command' }),
    ])
    expect(bandSpans(t, { fromMs: 0, toMs: 2000 })).toEqual([])
  })
})

describe('latency series', () => {
  it('keeps percentiles per sample, gaps for windows without writes, and raw points spread over the window', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed([
      s.at(1000, {
        type: 'workload.sample',
        elapsedMs: 1000,
        totalMs: 0,
        phase: 'measure',
        sample: sample(),
      }),
      s.at(1500, {
        type: 'workload.sample',
        elapsedMs: 1500,
        totalMs: 0,
        phase: 'measure',
        sample: sample({ writes: 0, points: [] }),
      }),
    ])
    const l = latencySeries(t, { fromMs: 0, toMs: 2000 })
    expect(l.p50).toEqual([
      { x: 1, y: 2 },
      { x: 1.5, y: null },
    ])
    expect([...l.raw.xs]).toEqual([0.5625, 0.6875, 0.8125, 0.9375])
  })

  it('counts failed and unknown operations per window and in the workload totals', () => {
    // Writes that failed were once invisible: a rate of 0 and nothing else to see.
    const s = new Stream()
    const { c, t, feed } = setup()
    feed([
      ...startedCluster(s, 3),
      s.at(900, { type: 'workload.started', spec: DEFAULT_WORKLOAD }),
      s.at(1000, {
        type: 'workload.sample',
        elapsedMs: 1000,
        totalMs: 0,
        phase: 'measure',
        sample: sample({
          writes: 2,
          writesPerSec: 4,
          fail: 40,
          info: 10,
          topError: { message: 'stale session', count: 50 },
        }),
      }),
      s.at(1500, {
        type: 'workload.sample',
        elapsedMs: 1500,
        totalMs: 0,
        phase: 'measure',
        sample: sample(),
      }),
    ])
    const l = latencySeries(t, { fromMs: 0, toMs: 2000 })
    expect(l.failed.map((p) => p.y)).toEqual([80, 0])
    expect(l.unknown.map((p) => p.y)).toEqual([20, 0])
    expect(c.workload.totals).toEqual({ ok: 102, fail: 40, info: 10 })
    expect(mostlyFailing(c.workload.last as WorkloadSample)).toBe(false)
    expect(mostlyFailing(sample({ writes: 2, fail: 40, info: 10 }))).toBe(true)
    expect(mostlyFailing(sample({ writes: 0, fail: 1, info: 1 }))).toBe(false)
  })

  it('inserts a break where samples stop for a while', () => {
    const s = new Stream()
    const { t, feed } = setup()
    feed([
      s.at(1000, {
        type: 'workload.sample',
        elapsedMs: 0,
        totalMs: 0,
        phase: 'measure',
        sample: sample(),
      }),
      s.at(9000, {
        type: 'workload.sample',
        elapsedMs: 0,
        totalMs: 0,
        phase: 'measure',
        sample: sample(),
      }),
    ])
    expect(latencySeries(t, { fromMs: 0, toMs: 10_000 }).p50.map((p) => p.y)).toEqual([2, null, 2])
  })

  it('thins raw points older than the full-resolution horizon into the archive', () => {
    const t = createTimelineModel({ raw: 100_000, archive: 100_000 })
    const perWindow = Array.from({ length: 40 }, (_, i) => i)
    for (let end = 500; end <= FULL_RES_MS + 60_000; end += 500)
      addRawPoints(t, end, 500, perWindow)
    expect(t.raw.x(0)).toBeGreaterThanOrEqual(60_000)
    const aged = (60_000 / 500) * 40
    expect(t.rawArchive.length).toBe(Math.ceil(aged / ARCHIVE_EVERY))
    // Striding keeps a chart's point count bounded whatever the window.
    expect(
      latencySeries(t, { fromMs: 0, toMs: FULL_RES_MS + 60_000 }, 1000).raw.xs.length,
    ).toBeLessThanOrEqual(1000)
  })
})

describe('drawnIn', () => {
  const w = { fromMs: 10_000, toMs: 20_000 }
  it('sees a line with a point inside the window, or a segment crossing it', () => {
    expect(drawnIn([{ x: 12, y: 1 }], w)).toBe(true)
    expect(
      drawnIn(
        [
          { x: 5, y: 1 },
          { x: 25, y: 2 },
        ],
        w,
      ),
    ).toBe(true)
  })
  it('does not count the lone point before the window that lines are handed', () => {
    expect(drawnIn([{ x: 5, y: 1 }], w)).toBe(false)
    expect(drawnIn([], w)).toBe(false)
    expect(drawnIn([{ x: 25, y: 1 }], w)).toBe(false)
    // A gap (null) breaks the segment: nothing crosses the window.
    expect(
      drawnIn(
        [
          { x: 5, y: 1 },
          { x: 8, y: null },
          { x: 25, y: 2 },
        ],
        w,
      ),
    ).toBe(false)
  })
})
