// The time series behind the live charts: term per node, the leader timeline with its no-leader
// gaps, fault periods, workload samples and raw write latencies. Everything is bounded (rings),
// and raw latencies older than FULL_RES_MS are thinned into an archive, so a 10-minute run at
// thousands of writes per second costs a fixed amount of memory. Pure: no DOM, no Vue.
import { createFaultBands, reduceFaults, type FaultBands } from '../../../shared/session/faults'
import type { LabEvent } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'
import type { ClusterModel } from './cluster'
import { Ring, SeriesRing } from './ring'

/** LeaderSegment is a stretch of time with one leader (0: none) of one term. */
export interface LeaderSegment {
  startMs: number
  endMs: number | null
  leader: NodeId
  term: number
}

// Fault bands are folded by the one reducer in shared/session/faults.ts (the session state that
// recordings keep uses it too).
export type { FaultBand } from '../../../shared/session/faults'

/** FaultMark is one fault event, drawn as a tick where it happened. */
export interface FaultMark {
  timeMs: number
  action: 'applied' | 'healed'
  description: string
}

/** SamplePoint is one workload progress window. */
export interface SamplePoint {
  timeMs: number
  windowMs: number
  p50: number
  p99: number
  max: number
  writesPerSec: number
  readsPerSec: number
  fail: number
  info: number
  warmup: boolean
}

/** FULL_RES_MS: raw latencies are kept at full resolution for this long, then thinned. */
export const FULL_RES_MS = 3 * 60_000
/** ARCHIVE_EVERY: one raw latency in this many survives into the archive. */
export const ARCHIVE_EVERY = 8

/** TimelineModel holds every time series, keyed by session time in ms. */
export interface TimelineModel {
  /** terms: per node, a point per term change; NaN marks a node that is down (a gap). */
  terms: Map<NodeId, SeriesRing>
  leaders: Ring<LeaderSegment>
  /** faults: the fault bands (shared/session/faults.ts). */
  faults: FaultBands
  marks: Ring<FaultMark>
  samples: Ring<SamplePoint>
  raw: SeriesRing
  rawArchive: SeriesRing
  /** lastStatusMs / lastSampleMs: when each kind of data last arrived ("not receiving data"). */
  lastStatusMs: number
  lastSampleMs: number
  lastTimeMs: number
  /** clusterStartMs: when the newest cluster started (null: not seen), where the charts begin
   * while they follow now — a new cluster's charts do not carry the last one's history. */
  clusterStartMs: number | null
  /** private bookkeeping */
  archiveCounter: number
}

/** createTimelineModel returns empty series with the given bounds. */
export function createTimelineModel(caps = { raw: 32_768, archive: 16_384 }): TimelineModel {
  return {
    terms: new Map(),
    leaders: new Ring(2048),
    faults: createFaultBands(1024),
    marks: new Ring(2048),
    samples: new Ring(7200),
    raw: new SeriesRing(caps.raw),
    rawArchive: new SeriesRing(caps.archive),
    lastStatusMs: -Infinity,
    lastSampleMs: -Infinity,
    lastTimeMs: 0,
    clusterStartMs: null,
    archiveCounter: 0,
  }
}

function termSeries(t: TimelineModel, id: NodeId): SeriesRing {
  let s = t.terms.get(id)
  if (!s) {
    s = new SeriesRing(4096)
    t.terms.set(id, s)
  }
  return s
}

function recordTerm(t: TimelineModel, id: NodeId, timeMs: number, term: number): void {
  const s = termSeries(t, id)
  const last = s.lastY()
  if (last === term || (last !== undefined && Number.isNaN(last) && Number.isNaN(term))) return
  if (last === undefined && Number.isNaN(term)) return
  s.push(timeMs, term)
}

/** currentLeaderSegment is the open segment, if any. */
export function currentLeaderSegment(t: TimelineModel): LeaderSegment | null {
  const s = t.leaders.last()
  return s && s.endMs === null ? s : null
}

/** trackLeader opens a segment when the cluster's leader (or its term) changes; it returns the
 * new segment, or null when nothing changed. Nothing is tracked while no cluster runs or while
 * the cluster is being stopped (its nodes going one by one leave it leaderless: that is the
 * shutdown, not a gap to count). */
export function trackLeader(
  t: TimelineModel,
  c: ClusterModel,
  timeMs: number,
): LeaderSegment | null {
  const open = currentLeaderSegment(t)
  // While the cluster is being stopped, its nodes going one by one leave it leaderless: that is
  // the shutdown (shared/session/faults.ts tracks when it began).
  const stoppingAtMs = t.faults.stoppingAtMs
  if (!c.running || stoppingAtMs !== null) {
    if (open) open.endMs = Math.max(open.startMs, stoppingAtMs ?? timeMs)
    return null
  }
  const leader = c.leader ?? 0
  // A leaderless stretch stays one gap even while candidates bump the term.
  if (open && open.leader === leader && (leader === 0 || open.term === c.term)) {
    if (leader === 0) open.term = c.term
    return null
  }
  if (open) open.endMs = timeMs
  const seg: LeaderSegment = { startMs: timeMs, endMs: null, leader, term: c.term }
  t.leaders.push(seg)
  return seg
}

/** reduceTimeline applies one event, after the cluster model has; it returns the leader segment
 * the event opened (for the narrative), or null. */
export function reduceTimeline(
  t: TimelineModel,
  ev: LabEvent,
  c: ClusterModel,
): LeaderSegment | null {
  t.lastTimeMs = Math.max(t.lastTimeMs, ev.timeMs)
  reduceFaults(t.faults, ev, c.running)
  switch (ev.type) {
    case 'cluster.started':
      for (const id of t.terms.keys()) recordTerm(t, id, ev.timeMs, NaN)
      t.clusterStartMs = ev.timeMs
      break
    case 'cluster.stopped':
      for (const id of t.terms.keys()) recordTerm(t, id, ev.timeMs, NaN)
      break
    case 'node.status':
      t.lastStatusMs = ev.timeMs
      recordTerm(t, ev.node, ev.timeMs, ev.status.term)
      break
    case 'node.process':
      if (ev.state === 'crashed' || ev.state === 'stopped') recordTerm(t, ev.node, ev.timeMs, NaN)
      break
    case 'fault':
      t.marks.push({ timeMs: ev.timeMs, action: ev.action, description: ev.description })
      break
    case 'workload.sample': {
      const s = ev.sample
      t.lastSampleMs = ev.timeMs
      t.samples.push({
        timeMs: ev.timeMs,
        windowMs: s.windowMs,
        // A window in which no write completed has no latency (not a latency of 0): a gap.
        p50: s.writes > 0 ? s.p50Ms : NaN,
        p99: s.writes > 0 ? s.p99Ms : NaN,
        max: s.writes > 0 ? s.maxMs : NaN,
        writesPerSec: s.writesPerSec,
        readsPerSec: s.readsPerSec,
        fail: s.fail,
        info: s.info,
        warmup: ev.phase === 'warmup',
      })
      addRawPoints(t, ev.timeMs, s.windowMs, s.points)
      break
    }
    default:
      break
  }
  return trackLeader(t, c, ev.timeMs)
}

/** addRawPoints spreads a window's raw latencies evenly over the window (they were drawn
 * uniformly from it), then moves points older than FULL_RES_MS into the thinned archive. */
export function addRawPoints(
  t: TimelineModel,
  endMs: number,
  windowMs: number,
  points: readonly number[],
): void {
  const n = points.length
  const start = endMs - windowMs
  for (let i = 0; i < n; i++) t.raw.push(start + ((i + 0.5) * windowMs) / n, points[i] as number)
  const horizon = endMs - FULL_RES_MS
  t.raw.shiftWhile(
    (x) => x < horizon,
    (x, y) => {
      if (t.archiveCounter++ % ARCHIVE_EVERY === 0) t.rawArchive.push(x, y)
    },
  )
}

/** noLeaderStats counts the no-leader gaps (after a first leader or not) and their total time up
 * to `nowMs`, within the segments the ring still holds. */
export function noLeaderStats(t: TimelineModel, nowMs: number): { gaps: number; totalMs: number } {
  let gaps = 0
  let totalMs = 0
  for (let i = 0; i < t.leaders.length; i++) {
    const s = t.leaders.at(i) as LeaderSegment
    if (s.leader !== 0) continue
    gaps++
    totalMs += (s.endMs ?? nowMs) - s.startMs
  }
  return { gaps, totalMs }
}
