// A read-only window onto a RaftNode for hosts: the node process, the simulator, the scenario
// harness. Hosts read the core's state through it — never its mutable fields — so the core can
// change its insides without hosts noticing, and a host cannot change the core by accident.
import type { RaftNode } from './raft'
import type { NodeId, ProgressStatus, Role, Status } from './types'

/** LogIndexes are the log's landmarks: firstIndex - 1 ≤ applied ≤ committed ≤ lastIndex, and
 * firstIndex - 1 ≤ snapshotIndex ≤ committed. The snapshot index is past firstIndex - 1 when the
 * host keeps a margin of entries behind its snapshot, and past `applied` while a snapshot from
 * the leader awaits restoring. */
export interface LogIndexes {
  /** firstIndex is the first entry still in the log (1 when nothing was compacted). */
  firstIndex: number
  /** lastIndex and lastTerm are the last entry's, stored or not. */
  lastIndex: number
  lastTerm: number
  /** committed is commitIndex (§5.3); applied the last index handed out for applying. */
  committed: number
  applied: number
  /** snapshotIndex is the latest snapshot's index (0: none). */
  snapshotIndex: number
}

/**
 * RaftView is the read-only facade over one RaftNode. Every getter reads the node's current
 * state (nothing is cached); every method returns plain data the caller may keep.
 */
export class RaftView {
  constructor(private readonly node: RaftNode) {}

  get id(): NodeId {
    return this.node.id
  }

  get role(): Role {
    return this.node.role
  }

  get term(): number {
    return this.node.term
  }

  get leaderId(): NodeId {
    return this.node.leaderId
  }

  get isLeader(): boolean {
    return this.node.role === 'leader'
  }

  /** committed is the commit index (cheaper than logIndexes() on a hot path). */
  get committed(): number {
    return this.node.log.committed
  }

  /** applied is the last index handed out for applying. */
  get applied(): number {
    return this.node.log.applied
  }

  /** status is the node's Status (see Status). */
  status(): Status {
    return this.node.status()
  }

  /** progress is the leader's view of each follower, in id order; null on a non-leader. */
  progress(): ProgressStatus[] | null {
    return this.node.status().progress
  }

  /** logIndexes returns the log's landmarks (see LogIndexes). */
  logIndexes(): LogIndexes {
    const log = this.node.log
    return {
      firstIndex: log.firstIndex(),
      lastIndex: log.lastIndex(),
      lastTerm: log.lastTerm(),
      committed: log.committed,
      applied: log.applied,
      snapshotIndex: log.snapshotIndex(),
    }
  }
}
