// The state of a lab session as its event stream builds it, kept small enough to snapshot: what
// every node is and has, the links, the faults, and bounded chart series. Recordings store it as
// keyframes (so a replay can seek without reading from the start) and a replay rebuilds views
// from it. Pure: events in, state out.
import type { ClusterConfig } from '../lab/config'
import type { LabEvent, LinkRule, NodeState, NodeStatus } from '../lab/events'
import { clusterLeader } from '../lab/leader'
import { emptyLog, foldLog, type LogRuns } from './logRuns'
import { foldNodeProcess } from './nodes'
import { createFaultBands, reduceFaults, type FaultBands } from './faults'
import type { WorkloadSpec } from '../lab/workload'
import type { NodeId } from '../raft/types'

/** NodeSnapshot is one node in a SessionState. */
export interface NodeSnapshot {
  id: NodeId
  state: NodeState
  pid: number | null
  detail: string | null
  status: NodeStatus | null
  /** log is the node's log as runs of terms (compact whatever the log's length), by the fold the
   * app's log view uses (shared/session/logRuns.ts). */
  log: LogRuns
  sent: number
  received: number
  dropped: number
}

/** LatencyPoint is one workload sample on the session clock. */
export interface LatencyPoint {
  timeMs: number
  p50Ms: number
  p99Ms: number
  writesPerSec: number
}

/** SessionState is a lab session at one point of its event stream. */
export interface SessionState {
  seq: number
  timeMs: number
  clusterId: string | null
  /** clusterStartedMs is when the current (or last) cluster started; re-runs align on it. */
  clusterStartedMs: number | null
  config: ClusterConfig | null
  running: boolean
  nodes: NodeSnapshot[]
  links: LinkRule[]
  /** faults: the fault bands, by the reducer the app's charts use (shared/session/faults.ts). */
  faults: FaultBands
  /** termSeries[i] lists [timeMs, term] changes of nodes[i] (bounded). */
  termSeries: Record<string, [number, number][]>
  /** leaderSeries lists [timeMs, leader] changes (0: no leader), bounded. */
  leaderSeries: [number, number][]
  latency: LatencyPoint[]
  workload: WorkloadSpec | null
  counters: { elections: number; leaderChanges: number; faults: number; clientOps: number }
}

/** SERIES_LIMIT bounds each chart series kept in a state (oldest points are thinned first): about
 * one point per pixel of a whole-session chart. A replay that zooms in reads the events of the
 * visible stretch for full resolution. Keyframes carry these series, so the limit also bounds a
 * keyframe's size (about 10 KB compressed for an hour-long session). */
export const SERIES_LIMIT = 1000

/** micro rounds milliseconds to microseconds: chart data needs no more, and it compresses. */
const micro = (ms: number): number => Math.round(ms * 1000) / 1000

/** emptyState is a session before any event. */
export function emptyState(): SessionState {
  return {
    seq: 0,
    timeMs: 0,
    clusterId: null,
    clusterStartedMs: null,
    config: null,
    running: false,
    nodes: [],
    links: [],
    faults: createFaultBands(SERIES_LIMIT),
    termSeries: {},
    leaderSeries: [],
    latency: [],
    workload: null,
    counters: { elections: 0, leaderChanges: 0, faults: 0, clientOps: 0 },
  }
}

function node(s: SessionState, id: NodeId): NodeSnapshot {
  let n = s.nodes.find((x) => x.id === id)
  if (!n) {
    n = {
      id,
      state: 'starting',
      pid: null,
      detail: null,
      status: null,
      log: emptyLog(),
      sent: 0,
      received: 0,
      dropped: 0,
    }
    s.nodes.push(n)
    s.nodes.sort((a, b) => a.id - b.id)
  }
  return n
}

/** thin keeps a series bounded: past the limit it drops every other point of its older half,
 * so recent history stays at full resolution and old history at a coarser one. */
function thin<T>(xs: T[]): void {
  if (xs.length <= SERIES_LIMIT) return
  const half = Math.floor(xs.length / 2)
  const older = xs.slice(0, half).filter((_, i) => i % 2 === 0)
  xs.splice(0, half, ...older)
}

/** highestTerm is the highest term a running or paused node reports (0: none). */
export function highestTerm(s: SessionState): number {
  return clusterLeader(s.nodes).term
}

/** leaderOf is the leader by the lab's rule (shared/lab/leader.ts), as ClusterStatus says it
 * (0: none). */
export function leaderOf(s: SessionState): number {
  return clusterLeader(s.nodes).leader ?? 0
}

/** applyEvent folds one event into the state (mutating it) and returns it. */
export function applyEvent(s: SessionState, e: LabEvent): SessionState {
  s.seq = e.seq
  s.timeMs = e.timeMs
  reduceFaults(s.faults, e, s.running)
  switch (e.type) {
    case 'cluster.started':
      Object.assign(s, {
        ...emptyState(),
        seq: e.seq,
        timeMs: e.timeMs,
        counters: s.counters,
        faults: s.faults,
      })
      s.clusterId = e.clusterId
      s.clusterStartedMs = e.timeMs
      s.config = e.config
      s.running = true
      for (let id = 1; id <= e.config.nodes; id++) node(s, id)
      break
    case 'cluster.stopped':
      s.running = false
      break
    case 'node.process':
      foldNodeProcess(node(s, e.node), e)
      break
    case 'node.status': {
      const n = node(s, e.node)
      foldLog(n.log, e)
      const before = n.status?.term
      n.status = e.status
      if (before !== e.status.term) {
        const series = (s.termSeries[String(e.node)] ??= [])
        series.push([e.timeMs, e.status.term])
        thin(series)
      }
      break
    }
    case 'node.raft':
      if (e.event.kind === 'electionStarted' && !e.event.preVote) s.counters.elections++
      break
    case 'node.log':
    case 'node.recovered':
      foldLog(node(s, e.node).log, e)
      break
    case 'node.messages': {
      const n = node(s, e.node)
      n.sent = e.sent
      n.received = e.received
      n.dropped = e.dropped
      break
    }
    case 'links.changed':
      s.links = e.rules
      break
    case 'fault':
      if (e.action === 'applied') s.counters.faults++
      break
    case 'client.op':
      s.counters.clientOps++
      break
    case 'workload.started':
      s.workload = e.spec
      break
    case 'workload.stopped':
      s.workload = null
      break
    case 'workload.sample':
      s.latency.push({
        timeMs: e.timeMs,
        p50Ms: micro(e.sample.p50Ms),
        p99Ms: micro(e.sample.p99Ms),
        writesPerSec: Math.round(e.sample.writesPerSec * 10) / 10,
      })
      thin(s.latency)
      break
    default:
      break
  }
  const leader = leaderOf(s)
  const last = s.leaderSeries[s.leaderSeries.length - 1]
  if (!last || last[1] !== leader) {
    if (last && leader !== 0) s.counters.leaderChanges++
    s.leaderSeries.push([e.timeMs, leader])
    thin(s.leaderSeries)
  }
  return s
}

/** cloneState copies a state (keyframes must not share structure with the live one). */
export function cloneState(s: SessionState): SessionState {
  return JSON.parse(JSON.stringify(s)) as SessionState
}
