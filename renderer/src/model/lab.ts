// The whole renderer-side model of a lab session and the one function that folds LabEvents into
// it. The parts are reduced in a fixed order (cluster first: the timeline and the narrative read
// the leader it computes). Plain objects, no Vue: Pinia stores publish snapshots of it.
import type { ClusterStatus } from '../../../shared/lab/commands'
import type { HelloMessage } from '../../../shared/lab/ipc'
import type { LabEvent } from '../../../shared/lab/events'
import { createActivityModel, reduceActivity, type ActivityModel } from './activity'
import { applyClusterStatus, createClusterModel, reduceCluster, type ClusterModel } from './cluster'
import { createLogsModel, reduceLogs, type LogsModel } from './logs'
import { describeLabEvent, leaderLine, pushLine, type NarrativeLine } from './narrative'
import { createOverloadState, overloadLine, type OverloadState } from './overload'
import { Ring } from './ring'
import { createSnapshotStory, snapshotLine, type SnapshotStoryState } from './snapshotStory'
import { openLinkBand } from '../../../shared/session/faults'
import { createTimelineModel, reduceTimeline, trackLeader, type TimelineModel } from './timeline'

/** NARRATIVE_LINES bounds the narrative. */
export const NARRATIVE_LINES = 2000

/** LabModel is everything the views show. */
export interface LabModel {
  cluster: ClusterModel
  logs: LogsModel
  timeline: TimelineModel
  narrative: Ring<NarrativeLine>
  activity: ActivityModel
  /** lastSeq is the newest event folded in; later events must follow it without a gap. */
  lastSeq: number
  /** overload: what the narrative said about late timers, and an election waiting for a cause. */
  overload: OverloadState
  /** snapshots: what the snapshot sentences remember (a receiver's log before a transfer). */
  snapshots: SnapshotStoryState
}

/** Changes says which parts of the model a batch touched, so only those views re-render. */
export interface Changes {
  cluster: boolean
  logs: boolean
  timeline: boolean
  narrative: boolean
  activity: boolean
  /** gap: the batch skipped sequence numbers (events were lost): the caller should resync. */
  gap: boolean
}

/** createLabModel returns the model of a session with no events yet. */
export function createLabModel(): LabModel {
  return {
    cluster: createClusterModel(),
    logs: createLogsModel(),
    timeline: createTimelineModel(),
    narrative: new Ring(NARRATIVE_LINES),
    activity: createActivityModel(),
    lastSeq: 0,
    overload: createOverloadState(),
    snapshots: createSnapshotStory(),
  }
}

/** noChanges is a Changes with nothing changed. */
export function noChanges(): Changes {
  return {
    cluster: false,
    logs: false,
    timeline: false,
    narrative: false,
    activity: false,
    gap: false,
  }
}

/** applyEvents folds a batch into the model. Events at or before lastSeq are duplicates (a hello
 * overlapping the live stream) and are skipped. */
export function applyEvents(m: LabModel, events: readonly LabEvent[], out = noChanges()): Changes {
  for (const ev of events) {
    if (ev.seq <= m.lastSeq) continue
    if (m.lastSeq > 0 && ev.seq !== m.lastSeq + 1) out.gap = true
    m.lastSeq = ev.seq
    if (reduceCluster(m.cluster, ev)) out.cluster = true
    if (reduceLogs(m.logs, ev)) out.logs = true
    if (reduceActivity(m.activity, ev)) out.activity = true
    const seg = reduceTimeline(m.timeline, ev, m.cluster)
    // Every event moves the clock the charts follow.
    out.timeline = true
    const line = describeLabEvent(ev, { preVote: m.cluster.config?.preVote ?? false })
    if (line) {
      pushLine(m.narrative, line)
      out.narrative = true
    }
    // Snapshots and their transfers (narrative.ts tells events that need no memory).
    const snap = snapshotLine(m.snapshots, ev)
    if (snap) {
      pushLine(m.narrative, snap)
      out.narrative = true
    }
    const overload = overloadLine(m.overload, m.cluster, ev)
    if (overload) {
      pushLine(m.narrative, overload)
      out.narrative = true
    }
    if (seg) {
      pushLine(m.narrative, leaderLine(seg, ev.seq))
      out.narrative = true
      out.cluster = true
    }
  }
  return out
}

/** seedFromStatus makes the model hold a status snapshot as of `timeMs`: the cluster itself, and
 * what the other views can tell from it (each node's term and log length, faults in force), for
 * whatever no event has told them yet. */
function seedFromStatus(m: LabModel, status: ClusterStatus, timeMs: number): void {
  applyClusterStatus(m.cluster, status)
  const at = <T extends object>(body: T): LabEvent =>
    ({ ...body, seq: 0, timeMs }) as unknown as LabEvent
  for (const n of status.nodes) {
    if (n.state !== 'running') {
      reduceTimeline(
        m.timeline,
        at({ type: 'node.process', node: n.id, state: n.state, pid: n.pid }),
        m.cluster,
      )
    }
    if (n.status && !m.timeline.terms.has(n.id)) {
      const ev = at({ type: 'node.status', node: n.id, status: n.status })
      reduceLogs(m.logs, ev)
      reduceTimeline(m.timeline, ev, m.cluster)
      snapshotLine(m.snapshots, ev)
    }
  }
  if (status.links.length > 0 && !openLinkBand(m.timeline.faults))
    reduceTimeline(m.timeline, at({ type: 'links.changed', rules: status.links }), m.cluster)
  trackLeader(m.timeline, m.cluster, timeMs)
}

/** modelFromHello builds a fresh model from a hello: the recent events rebuild the history the
 * charts and the narrative show, then the status snapshot sets the present. */
export function modelFromHello(hello: HelloMessage): LabModel {
  const m = createLabModel()
  applyEvents(m, hello.recent)
  finishHello(m, hello)
  return m
}

/** finishHello completes a model built by folding a hello's recent events (perhaps in slices,
 * to keep each task short): the status snapshot sets the present. */
export function finishHello(m: LabModel, hello: HelloMessage): void {
  seedFromStatus(m, hello.status, m.timeline.lastTimeMs)
  m.lastSeq = hello.lastSeq
}

/** modelFromSnapshot builds a model the other way round (a replay's seek): the cluster as it
 * was at `timeMs` (its state folded up to event `statusSeq`), then the events after it. */
export function modelFromSnapshot(
  status: ClusterStatus,
  statusSeq: number,
  timeMs: number,
  events: readonly LabEvent[],
): LabModel {
  const m = createLabModel()
  m.cluster.lastTimeMs = timeMs
  m.timeline.lastTimeMs = timeMs
  seedFromStatus(m, status, timeMs)
  m.lastSeq = statusSeq
  applyEvents(m, events)
  return m
}
