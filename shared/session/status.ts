// The ClusterStatus a session state stands for: what a live engine would have answered at that
// moment. A replay hands it to the same views a live hello feeds.
import type { ClusterStatus } from '../lab/commands'
import { highestTerm, leaderOf, type SessionState } from './state'

/** statusFromState is the cluster's status in `s`. */
export function statusFromState(s: SessionState): ClusterStatus {
  const leader = leaderOf(s)
  return {
    running: s.running,
    clusterId: s.clusterId,
    config: s.config,
    nodes: s.nodes.map((n) => ({ id: n.id, pid: n.pid, state: n.state, status: n.status })),
    leader: leader === 0 ? null : leader,
    term: highestTerm(s),
    links: s.links,
  }
}
