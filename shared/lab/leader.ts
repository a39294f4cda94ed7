// The lab's rule for "the leader", in one place for the supervisor, the session state recordings
// keep and the app: the leader of the highest term any running or paused node reports. A stale
// leader in a minority partition may still believe it leads, in an older term: it is not the
// leader. A paused node's term counts (it is still a member with that term); a paused leader
// does not lead (it cannot act). Pure.
import type { NodeStatus } from '../protocol/node'
import type { NodeId } from '../raft/types'
import type { NodeState } from './commands'

/** NodeLike is what the rule reads of a node. */
export interface NodeLike {
  id: NodeId
  state: NodeState
  status: NodeStatus | null
}

/** clusterLeader returns the cluster's term (0: none known) and its leader (null: none). */
export function clusterLeader(nodes: readonly NodeLike[]): { term: number; leader: NodeId | null } {
  let term = 0
  for (const n of nodes)
    if (n.status && (n.state === 'running' || n.state === 'paused'))
      term = Math.max(term, n.status.term)
  let leader: NodeId | null = null
  for (const n of nodes) {
    const s = n.status
    if (s && n.state === 'running' && s.role === 'leader' && s.term === term) {
      leader = n.id
      break
    }
  }
  return { term, leader }
}
