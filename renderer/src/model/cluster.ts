// The cluster as the renderer sees it: node processes, their last Raft status, link rules, the
// leader, recent votes and the live workload. A pure reducer over LabEvents (no DOM, no Vue), so
// the same code seeds from a hello, follows the live stream and is unit-tested under Node.
import type { ClusterStatus } from '../../../shared/lab/commands'
import type { ClusterConfig } from '../../../shared/lab/config'
import type { LabEvent, LinkRule, NodeState, NodeStatus } from '../../../shared/lab/events'
import type { WorkloadSample, WorkloadSpec } from '../../../shared/lab/workload'
import type { NodeId } from '../../../shared/raft/types'
import { Ring } from './ring'
import { clusterLeader } from '../../../shared/lab/leader'
import { foldNodeProcess } from '../../../shared/session/nodes'

/** NodeModel is one node: its process and its last reported Raft status. */
export interface NodeModel {
  id: NodeId
  state: NodeState
  pid: number | null
  /** status is the Raft state while the process runs (or is paused); null otherwise, as in the
   * engine's ClusterStatus. */
  status: NodeStatus | null
  /** lastStatus survives a crash, so a dead node can still show its last term and indices. */
  lastStatus: NodeStatus | null
  /** statusAtMs is the session time of the last status, to tell a slow node from a live one. */
  statusAtMs: number
  /** detail explains the last state change: an exit code, a signal, a start failure. */
  detail: string | null
  messages: { sent: number; received: number; dropped: number } | null
  warning: { message: string; timeMs: number } | null
  /** lag: the node's last report of how late its timers ran (node.lag), if any. */
  lag: { maxMs: number; p99Ms: number; loadPerCpu: number; timeMs: number } | null
}

/** VoteArrow is a vote one node cast for (or refused to) a candidate, drawn for a moment. */
export interface VoteArrow {
  timeMs: number
  from: NodeId
  to: NodeId
  granted: boolean
  preVote: boolean
  term: number
}

/** WorkloadModel is the live workload against the cluster, if any. */
export interface WorkloadModel {
  running: boolean
  spec: WorkloadSpec | null
  last: WorkloadSample | null
  /** totals: operations completed since it started (warm-up included), by outcome: ok, failed,
   * and unknown (timed out: they may or may not have taken effect). */
  totals: { ok: number; fail: number; info: number }
  elapsedMs: number
  error: string | null
}

/** emptyWorkload: no workload has run against this cluster. */
export function emptyWorkload(): WorkloadModel {
  return {
    running: false,
    spec: null,
    last: null,
    totals: { ok: 0, fail: 0, info: 0 },
    elapsedMs: 0,
    error: null,
  }
}

/** ClusterModel is everything the cluster view, the top bar and the presets need. */
export interface ClusterModel {
  running: boolean
  clusterId: string | null
  config: ClusterConfig | null
  /** nodes, sorted by id. */
  nodes: NodeModel[]
  links: LinkRule[]
  /** leader is the leader of the highest term any running node reports (the engine's rule). */
  leader: NodeId | null
  term: number
  votes: Ring<VoteArrow>
  workload: WorkloadModel
  /** lastTimeMs is the session time of the newest event seen. */
  lastTimeMs: number
}

/** VOTE_MEMORY bounds the votes kept for drawing (a 9-node election casts at most 16). */
const VOTE_MEMORY = 64

/** createClusterModel is the model before any event: no cluster. */
export function createClusterModel(): ClusterModel {
  return {
    running: false,
    clusterId: null,
    config: null,
    nodes: [],
    links: [],
    leader: null,
    term: 0,
    votes: new Ring(VOTE_MEMORY),
    workload: emptyWorkload(),
    lastTimeMs: 0,
  }
}

function newNode(id: NodeId, state: NodeState = 'starting'): NodeModel {
  return {
    id,
    state,
    pid: null,
    status: null,
    lastStatus: null,
    statusAtMs: 0,
    detail: null,
    messages: null,
    warning: null,
    lag: null,
  }
}

/** nodeOf finds a node, creating it when an event names one the model does not know yet (a hello
 * that started mid-session, or a stream that missed the cluster.started event). */
export function nodeOf(m: ClusterModel, id: NodeId): NodeModel {
  let n = m.nodes.find((x) => x.id === id)
  if (!n) {
    n = newNode(id)
    m.nodes.push(n)
    m.nodes.sort((a, b) => a.id - b.id)
  }
  return n
}

/** recomputeLeader applies the engine's rule: the term is the highest any running or paused
 * node reports; the leader is a running node that leads that term. */
export function recomputeLeader(m: ClusterModel): void {
  const { term, leader } = clusterLeader(m.nodes)
  m.term = term
  m.leader = leader
}

/** applyClusterStatus makes the model match a status snapshot (from a hello): the snapshot is
 * the truth now; history that led to it comes from the hello's recent events. */
export function applyClusterStatus(m: ClusterModel, s: ClusterStatus): void {
  m.running = s.running
  m.clusterId = s.clusterId
  m.config = s.config
  m.links = s.links.map((r) => ({ ...r }))
  const known = new Map(m.nodes.map((n) => [n.id, n]))
  m.nodes = s.nodes
    .map((v) => {
      const n = known.get(v.id) ?? newNode(v.id, v.state)
      n.state = v.state
      n.pid = v.pid
      n.status = v.status
      if (v.status) n.lastStatus = v.status
      return n
    })
    .sort((a, b) => a.id - b.id)
  if (!s.running) m.nodes = []
  recomputeLeader(m)
}

/** reduceCluster applies one event; it returns whether anything the views show changed. */
export function reduceCluster(m: ClusterModel, ev: LabEvent): boolean {
  m.lastTimeMs = Math.max(m.lastTimeMs, ev.timeMs)
  switch (ev.type) {
    case 'cluster.started':
      m.running = true
      m.clusterId = ev.clusterId
      m.config = ev.config
      m.links = []
      m.nodes = Array.from({ length: ev.config.nodes }, (_, i) => newNode(i + 1))
      m.votes.clear()
      recomputeLeader(m)
      return true
    case 'cluster.stopped':
      m.running = false
      m.nodes = []
      m.links = []
      // Votes are drawn for a moment after they are cast, measured in event time, which stands
      // still once the cluster is gone: the last election's arrows must go with it.
      m.votes.clear()
      m.workload.running = false
      recomputeLeader(m)
      return true
    case 'node.process': {
      foldNodeProcess(nodeOf(m, ev.node), ev)
      recomputeLeader(m)
      return true
    }
    case 'node.status': {
      const n = nodeOf(m, ev.node)
      n.status = ev.status
      n.lastStatus = ev.status
      n.statusAtMs = ev.atMs !== undefined ? Math.min(ev.atMs, ev.timeMs) : ev.timeMs
      recomputeLeader(m)
      return true
    }
    case 'node.raft':
      if (ev.event.kind === 'voteCast') {
        m.votes.push({
          timeMs: ev.timeMs,
          from: ev.node,
          to: ev.event.candidate,
          granted: ev.event.granted,
          preVote: ev.event.preVote,
          term: ev.event.term,
        })
        return true
      }
      return false
    case 'node.messages':
      nodeOf(m, ev.node).messages = { sent: ev.sent, received: ev.received, dropped: ev.dropped }
      return true
    case 'node.warning':
      if (ev.node === 0) return false
      nodeOf(m, ev.node).warning = { message: ev.message, timeMs: ev.timeMs }
      return true
    case 'node.lag':
      nodeOf(m, ev.node).lag = {
        maxMs: ev.maxMs,
        p99Ms: ev.p99Ms,
        loadPerCpu: ev.loadPerCpu,
        timeMs: ev.timeMs,
      }
      return true
    case 'links.changed':
      m.links = ev.rules.map((r) => ({ ...r }))
      return true
    case 'workload.started':
      m.workload = { ...emptyWorkload(), running: true, spec: ev.spec }
      return true
    case 'workload.sample':
      m.workload.running = true
      m.workload.last = ev.sample
      m.workload.totals = {
        ok: m.workload.totals.ok + ev.sample.writes + ev.sample.reads,
        fail: m.workload.totals.fail + ev.sample.fail,
        info: m.workload.totals.info + ev.sample.info,
      }
      m.workload.elapsedMs = ev.elapsedMs
      return true
    case 'workload.stopped':
      m.workload.running = false
      m.workload.error = ev.error ?? null
      return true
    default:
      return false
  }
}

/** linkRule finds the rule on the directed link from → to, if any. */
export function linkRule(
  m: { links: readonly LinkRule[] },
  from: NodeId,
  to: NodeId,
): LinkRule | null {
  return m.links.find((r) => r.from === from && r.to === to) ?? null
}

/** isIsolated tells whether every link to and from a node is cut (in a cluster of two or more):
 * the node is cut off, and what it needs is to rejoin, not to be isolated again. */
export function isIsolated(
  m: { links: readonly LinkRule[]; nodes: readonly { id: NodeId }[] },
  id: NodeId,
): boolean {
  const others = m.nodes.filter((n) => n.id !== id)
  return (
    others.length > 0 &&
    others.every((o) => linkRule(m, id, o.id)?.cut === true && linkRule(m, o.id, id)?.cut === true)
  )
}

/** isNodeDown tells whether a node's process is not serving (crashed, stopped, starting). */
export function isNodeDown(n: Pick<NodeModel, 'state'>): boolean {
  return n.state === 'crashed' || n.state === 'stopped' || n.state === 'starting'
}
