// What the lab and a node process share about the node: the settings it runs with, the status it
// reports, the fault rules on its outgoing links and the summary of a traced message. The lab's
// contract (shared/lab) builds on these; nothing here reaches up into it.
import type { MessageType, NodeId, Role } from '../raft/types'

/** FsyncPolicy: 'always' makes every acknowledged write durable (one fdatasync per Ready batch);
 * 'never' skips fsync — an UNSAFE benchmark knob that shows what durability costs. */
export type FsyncPolicy = 'always' | 'never'

/** NodeSettings: what each node of a cluster runs with. Times are in milliseconds of real time
 * before timeScale. */
export interface NodeSettings {
  /** electionTimeoutMinMs/MaxMs: the randomized election timeout range (§5.2; the paper advises
   * 150–300 ms). */
  electionTimeoutMinMs: number
  electionTimeoutMaxMs: number
  /** heartbeatMs: how often a leader sends heartbeats; well under the election timeout. */
  heartbeatMs: number
  /** tickIntervalMs: the length of one Raft tick; timeouts are whole numbers of ticks. */
  tickIntervalMs: number
  /** timeScale stretches every timer: 10 runs the cluster ten times slower, for watching an
   * election unfold. */
  timeScale: number
  fsync: FsyncPolicy
  preVote: boolean
  checkQuorum: boolean
  /** maxInflightMsgs and maxEntriesPerMsg: replication pipelining and batching limits. */
  maxInflightMsgs: number
  maxEntriesPerMsg: number
  /** snapshotEveryEntries: a node snapshots its state machine and compacts its log once it has
   * applied this many entries past its last snapshot (§7), so memory and disk stay flat; 0 never
   * snapshots (the log grows without bound). */
  snapshotEveryEntries: number
  /** snapshotEveryMiB: a node also snapshots once the entries it applied past its last snapshot
   * hold this many MiB of data, so large values cannot grow the log between snapshots; 0: no
   * byte threshold. Absent (older recordings): 0. */
  snapshotEveryMiB?: number
  /** snapshotKeepEntries: how many entries before a snapshot's index compaction keeps (in memory
   * and in the WAL), so a follower slightly behind gets entries rather than the whole snapshot.
   * Absent: half of snapshotEveryEntries, at most 1,000. */
  snapshotKeepEntries?: number
  /** tracing makes nodes report every message they send and receive (costly; for small demos). */
  tracing: boolean
}

/** NodeStatus is a node's Raft state as it last reported it. */
export interface NodeStatus {
  role: Role
  term: number
  vote: NodeId
  leaderId: NodeId
  commit: number
  applied: number
  lastIndex: number
  lastTerm: number
  /** electionElapsedTicks/electionTimeoutTicks: the election timer's progress (a leader's is its
   * CheckQuorum round). */
  electionElapsedTicks: number
  electionTimeoutTicks: number
  /** firstIndex (since events minor 8): the first entry the node still holds in its log; the
   * entries before it were compacted into its snapshot. Absent from older recordings. */
  firstIndex?: number
  /** snapshotIndex (since events minor 8): the last entry its newest snapshot includes (0: no
   * snapshot). Absent from older recordings. */
  snapshotIndex?: number
}

/** LinkRule is a fault on one directed link, applied by the sending node's transport. */
export interface LinkRule {
  from: NodeId
  to: NodeId
  /** cut drops every message on the link. */
  cut: boolean
  /** latencyMs ± jitterMs delays each message (order on the link is kept). */
  latencyMs: number
  jitterMs: number
  /** lossPercent drops that share of messages at random, 0–100. */
  lossPercent: number
}

/** MessageSummary describes one traced message without its payload. */
export interface MessageSummary {
  type: MessageType
  from: NodeId
  to: NodeId
  term: number
  index: number
  logTerm: number
  commit: number
  entries: number
  reject: boolean
}
