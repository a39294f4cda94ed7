// Test helpers: LabEvents with sequence numbers and times, as the engine would stamp them.
import type { ClusterConfig } from '../../../shared/lab/config'
import { DEFAULT_CLUSTER_CONFIG } from '../../../shared/lab/config'
import type {
  LabActivityEvent,
  LabEvent,
  LabEventBody,
  NodeStatus,
} from '../../../shared/lab/events'

/** Stream stamps bodies with consecutive seqs and the time given. */
export class Stream {
  seq = 0
  timeMs = 0
  /** at stamps one event at a time (ms). */
  at(timeMs: number, body: LabEventBody | LabActivityEvent): LabEvent {
    this.timeMs = timeMs
    return { ...body, seq: ++this.seq, timeMs } as LabEvent
  }
}

/** status builds a NodeStatus. */
export function status(p: Partial<NodeStatus> = {}): NodeStatus {
  return {
    role: 'follower',
    term: 1,
    vote: 0,
    leaderId: 0,
    commit: 0,
    applied: 0,
    lastIndex: 0,
    lastTerm: 0,
    electionElapsedTicks: 0,
    electionTimeoutTicks: 20,
    ...p,
  }
}

/** config is a cluster config with `nodes` nodes. */
export function config(nodes = 3, p: Partial<ClusterConfig> = {}): ClusterConfig {
  return { ...DEFAULT_CLUSTER_CONFIG, nodes, ...p }
}

/** startedCluster returns the events of a cluster of `n` nodes starting, all running, with n1
 * elected leader of term 1 at t = 300 ms. */
export function startedCluster(s: Stream, n = 3): LabEvent[] {
  const out: LabEvent[] = [
    s.at(0, {
      type: 'cluster.started',
      clusterId: 'lab-x',
      config: config(n),
      runDir: '/r',
      dataDir: '/d',
    }),
  ]
  for (let i = 1; i <= n; i++)
    out.push(s.at(10, { type: 'node.process', node: i, state: 'running', pid: 100 + i }))
  for (let i = 1; i <= n; i++)
    out.push(s.at(20, { type: 'node.status', node: i, status: status({ term: 0 }) }))
  out.push(
    s.at(300, {
      type: 'node.status',
      node: 1,
      status: status({ role: 'leader', term: 1, leaderId: 1 }),
    }),
  )
  for (let i = 2; i <= n; i++)
    out.push(s.at(310, { type: 'node.status', node: i, status: status({ term: 1, leaderId: 1 }) }))
  return out
}
