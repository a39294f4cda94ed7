// The data the Raft core consumes and produces: log entries, messages, persistent and volatile
// state, and the Ready batch. Plain data only, so it crosses process and wire boundaries as is.
import type { Rng } from '../util/rng'

/** NodeId identifies a Raft node; ids are positive integers, and NONE (0) means "no node". */
export type NodeId = number

/** NONE is the NodeId meaning "nobody" (no leader known, no vote cast). */
export const NONE: NodeId = 0

/** MAX_TERM bounds every term a node takes from a peer or enters itself: 2^48, a new term every
 * millisecond for 8,900 years. It is far below the wire encoding's limit (2^53 − 1), so a node at
 * MAX_TERM can always encode its next message; a message with a larger term is dropped on receipt
 * and its term is never adopted or persisted. */
export const MAX_TERM = 2 ** 48

/** MAX_INDEX bounds every log index a message may carry: 2^48 entries, a million writes a second
 * for 8.9 years, with the same room below the encoding's limit as MAX_TERM. */
export const MAX_INDEX = 2 ** 48

/** MAX_CONTEXT_CHARS bounds a message's context (a ReadIndex round's name, a transfer mark). */
export const MAX_CONTEXT_CHARS = 1024

/** EntryType tells a client command ('normal') from the no-op a new leader appends (§5.4.2,
 * dissertation §6.4: committing it tells the leader which entries are committed). */
export type EntryType = 'normal' | 'noop'

/** Entry is one log entry. `index` starts at 1; `term` is the leader's term when it was created. */
export interface Entry {
  readonly term: number
  readonly index: number
  readonly type: EntryType
  readonly data: Uint8Array
}

/** Role is a node's place in the protocol (§5.1); 'precandidate' is the PreVote phase (diss. §9.6). */
export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader'

/**
 * MessageType lists every message the core exchanges.
 *
 * | type               | §          | fields used                                                    |
 * |--------------------|------------|----------------------------------------------------------------|
 * | MsgApp             | 5.3        | index = prevLogIndex, logTerm = prevLogTerm, entries, commit   |
 * | MsgAppResp         | 5.3        | index = match (or rejected prevLogIndex), reject, rejectHint,  |
 * |                    |            | logTerm = term at rejectHint (fast backtracking)               |
 * | MsgVote(Resp)      | 5.2, 5.4.1 | index/logTerm = candidate's last log index/term; reject;       |
 * |                    |            | context 'transfer' for a leadership-transfer campaign          |
 * | MsgPreVote(Resp)   | diss. 9.6  | as MsgVote; term = the term the candidate would campaign in    |
 * | MsgHeartbeat(Resp) | 5.2        | commit (≤ the follower's match), context (a ReadIndex round)   |
 * | MsgTimeoutNow      | diss. 3.10 | (none): the receiver campaigns at once                         |
 * | MsgReadIndex(Resp) | diss. 6.4  | context; the response carries index = the read index          |
 * | MsgSnap            | 7          | snapshot: the leader's snapshot, for a follower that needs     |
 * |                    |            | entries the leader has compacted (InstallSnapshot); answered   |
 * |                    |            | by a MsgAppResp                                                |
 */
export type MessageType =
  | 'MsgApp'
  | 'MsgAppResp'
  | 'MsgVote'
  | 'MsgVoteResp'
  | 'MsgPreVote'
  | 'MsgPreVoteResp'
  | 'MsgHeartbeat'
  | 'MsgHeartbeatResp'
  | 'MsgTimeoutNow'
  | 'MsgReadIndex'
  | 'MsgReadIndexResp'
  | 'MsgSnap'

/** MESSAGE_TYPES lists MessageType values in a fixed order (their wire codes are positions here). */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'MsgApp',
  'MsgAppResp',
  'MsgVote',
  'MsgVoteResp',
  'MsgPreVote',
  'MsgPreVoteResp',
  'MsgHeartbeat',
  'MsgHeartbeatResp',
  'MsgTimeoutNow',
  'MsgReadIndex',
  'MsgReadIndexResp',
  'MsgSnap',
]

/** SnapshotMetadata says what a snapshot stands for: every entry up to and including `index`
 * (whose term is `term`), and the cluster configuration at that index — today the list of voting
 * members, which never changes (there are no membership changes yet). */
export interface SnapshotMetadata {
  readonly index: number
  readonly term: number
  readonly peers: readonly NodeId[]
}

/**
 * Snapshot is the state machine's state after applying every entry up to `metadata.index`, as
 * opaque bytes the core never looks into (§7: log compaction). A node that holds a snapshot may
 * delete the entries it covers; a leader sends it (MsgSnap) to a follower that needs entries the
 * leader no longer has.
 */
export interface Snapshot {
  readonly metadata: SnapshotMetadata
  readonly data: Uint8Array
}

/** EMPTY_SNAPSHOT is "no snapshot": index 0, nothing compacted. */
export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({
  metadata: Object.freeze({ index: 0, term: 0, peers: Object.freeze([]) }),
  data: new Uint8Array(0),
})

/**
 * Message is one Raft message. It is flat, as in etcd's raft: every type uses a subset of the
 * fields (see MessageType); unused numeric fields are 0, `entries` is empty and `context` is ''.
 * `snapshot` is set on a MsgSnap only (undefined or absent on every other message).
 */
export interface Message {
  type: MessageType
  from: NodeId
  to: NodeId
  term: number
  logTerm: number
  index: number
  entries: Entry[]
  commit: number
  reject: boolean
  rejectHint: number
  context: string
  snapshot?: Snapshot
}

/** HardState is what must be on stable storage before messages are sent (§5, Figure 2):
 * currentTerm and votedFor, plus the commit index so a restart can re-apply without a leader. */
export interface HardState {
  term: number
  vote: NodeId
  commit: number
}

/** SoftState is volatile state worth reporting when it changes; it is never persisted. */
export interface SoftState {
  leaderId: NodeId
  role: Role
}

/** ReadState answers a readIndex(context) call: once `index` is applied, a read sees every write
 * that committed before the request (dissertation §6.4). */
export interface ReadState {
  index: number
  context: string
}

/** RaftEvent is a notable protocol step, reported so people (and the simulator) can see why the
 * state changed. Events carry no meaning for the protocol itself. */
export type RaftEvent =
  | { kind: 'electionStarted'; term: number; preVote: boolean; transfer: boolean }
  | { kind: 'voteCast'; term: number; candidate: NodeId; granted: boolean; preVote: boolean }
  | { kind: 'electionWon'; term: number; preVote: boolean; votes: NodeId[] }
  | { kind: 'electionLost'; term: number; preVote: boolean; rejections: NodeId[] }
  | { kind: 'steppedDown'; term: number; reason: 'higher-term' | 'check-quorum' | 'leader-seen' }
  | { kind: 'logTruncated'; fromIndex: number; term: number }
  | { kind: 'transferStarted'; term: number; to: NodeId }
  | { kind: 'transferAborted'; term: number; to: NodeId; reason: 'timeout' | 'superseded' }

/**
 * Ready is a batch of work the core hands to its host. The host must:
 * 1. persist `snapshot` if present — it replaces the whole stored log: every stored entry is
 *    dropped and the log goes on from `snapshot.metadata.index` (MemoryStorage.applySnapshot) —
 *    then `entries` (appending, and first truncating any stored entries at or after
 *    `entries[0].index`) and `hardState` if present — with fsync when `mustSync` is true;
 * 2. send `messages` only after that — a vote or an acknowledgement must never precede its
 *    record — except those `mayPrecedePersistence` allows: a leader's MsgApp and MsgHeartbeat may
 *    go out first, so the followers write while the leader does (diss. §10.2.1; the leader counts
 *    its own copy toward a majority only once `advance` says it is written);
 * 3. restore the state machine from `snapshot` if present, then apply `committedEntries` to it, in
 *    order, and serve `readStates` once the state machine has applied their index. A snapshot
 *    holds only committed state, and committed entries are already durable on a majority and
 *    never change, so this may happen before or after step 1. A Ready with a snapshot carries no
 *    committed entries: those after it come in the next Ready;
 * 4. call `advance(ready)` once all of that is done, and only then ask for the next Ready.
 *    (Inputs — step, tick, propose — may arrive between `ready()` and `advance()`.)
 * `softState` and `events` are informational.
 */
export interface Ready {
  softState: SoftState | null
  hardState: HardState | null
  /** snapshot is a snapshot from the leader to persist and restore, before `entries`. */
  snapshot: Snapshot | null
  entries: Entry[]
  committedEntries: Entry[]
  messages: Message[]
  readStates: ReadState[]
  events: RaftEvent[]
  mustSync: boolean
}

/** mayPrecedePersistence tells whether a message of a Ready may be sent before the Ready's entries
 * and hard state are persisted: a leader's appends, snapshots and heartbeats (see Ready). */
export function mayPrecedePersistence(m: Message): boolean {
  return m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap'
}

/** RaftConfig configures one node. Times are in ticks; the host decides how long a tick is. */
export interface RaftConfig {
  /** id is this node's id; it must be one of `peers`. */
  id: NodeId
  /** peers lists every voting member, this node included. */
  peers: readonly NodeId[]
  /** electionTimeoutMinTicks and electionTimeoutMaxTicks bound the randomized election timeout,
   * drawn afresh in [min, max) at every term change and election (§5.2). */
  electionTimeoutMinTicks: number
  electionTimeoutMaxTicks: number
  /** heartbeatTicks is how often a leader sends heartbeats; keep it well under the minimum election
   * timeout (§5.6: broadcastTime ≪ electionTimeout). */
  heartbeatTicks: number
  /** preVote enables the PreVote phase (dissertation §9.6). */
  preVote: boolean
  /** checkQuorum makes a leader step down when it has not heard from a quorum within an election
   * timeout, and makes followers ignore votes while they hear from a leader (diss. §6.2, §4.2.3). */
  checkQuorum: boolean
  /** maxInflightMsgs bounds the pipelined, unacknowledged MsgApps per follower. */
  maxInflightMsgs: number
  /** maxEntriesPerMsg and maxSizePerMsgBytes bound one MsgApp's batch of entries (at least one
   * entry is always sent, however large). */
  maxEntriesPerMsg: number
  maxSizePerMsgBytes: number
  /** maxCommittedSizePerReadyBytes bounds the committed entries one Ready hands out to apply (etcd's
   * MaxCommittedSizePerReady; at least one entry is always handed out, however large), so one
   * turn of a host's loop never applies an unbounded backlog — after a restart, say. The rest
   * comes in the next Readys. Default DEFAULT_RAFT_OPTIONS.maxCommittedSizePerReadyBytes. */
  maxCommittedSizePerReadyBytes?: number
  /** maxUncommittedEntriesSizeBytes bounds the data of a leader's entries that are not yet applied
   * (etcd's MaxUncommittedEntriesSize): a proposal past it is refused ('uncommitted-limit') rather
   * than letting a leader that cannot commit grow its log without bound. A proposal is always
   * taken when nothing is pending. Default DEFAULT_RAFT_OPTIONS.maxUncommittedEntriesSizeBytes. */
  maxUncommittedEntriesSizeBytes?: number
  /** storage gives the core its persisted log and hard state. */
  storage: Storage
  /** rng is the seeded randomness behind election timeouts. */
  rng: Rng
  /** applied is the last index the host's state machine already holds (0 for an empty one; after
   * a restart, at least the index of the snapshot it was restored from). */
  applied?: number
}

/** DEFAULT_RAFT_OPTIONS holds defaults for the tunable parts of RaftConfig: with a 10 ms tick,
 * elections time out after 150–300 ms and heartbeats go every 50 ms, as the paper advises. */
export const DEFAULT_RAFT_OPTIONS = {
  electionTimeoutMinTicks: 15,
  electionTimeoutMaxTicks: 30,
  heartbeatTicks: 5,
  preVote: true,
  checkQuorum: true,
  maxInflightMsgs: 64,
  maxEntriesPerMsg: 512,
  maxSizePerMsgBytes: 1 << 20,
  maxCommittedSizePerReadyBytes: 16 << 20,
  maxUncommittedEntriesSizeBytes: 64 << 20,
} as const satisfies Partial<RaftConfig>

/** StepResult says whether step() took a message. A message that no correct peer could have sent
 * in this node's state (an index past the end of the log it answers, a term beyond MAX_TERM,
 * entries that do not follow their previous index, …) is dropped before it touches any state, and
 * the reason is returned for the host to report; nothing a peer sends reaches an assertion. */
export type StepResult = { ok: true } | { ok: false; reason: string }

/** ProposeResult says whether a proposal was appended to the leader's log, and where. */
export type ProposeResult =
  | { ok: true; index: number; term: number }
  | { ok: false; reason: 'not-leader'; leaderId: NodeId }
  | { ok: false; reason: 'transferring'; leaderId: NodeId }
  | { ok: false; reason: 'uncommitted-limit'; leaderId: NodeId }

/** SnapshotStatus is what a host reports about a MsgSnap it tried to deliver (reportSnapshot):
 * 'finished' when the follower received it, 'failed' when it could not be delivered. */
export type SnapshotStatus = 'finished' | 'failed'

/** ReadIndexResult says whether a read request was accepted; its answer comes as a ReadState. */
export type ReadIndexResult = { ok: true } | { ok: false; reason: 'no-leader' }

/** TransferResult says whether a leadership transfer was started. */
export type TransferResult =
  | { ok: true }
  | { ok: false; reason: 'not-leader'; leaderId: NodeId }
  | { ok: false; reason: 'unknown-node' | 'already-leader' }

/** BasicStatus is the part of a node's state a host reads on its hot path (etcd raft's
 * BasicStatus): who it is and follows, its term and vote, its commit and applied indexes. A copy:
 * changing it changes nothing in the node. */
export interface BasicStatus {
  id: NodeId
  role: Role
  term: number
  vote: NodeId
  leaderId: NodeId
  /** commit is commitIndex (Figure 2): the highest entry known to be committed. */
  commit: number
  /** applied is the highest entry handed to the host to apply (advance() moves it). */
  applied: number
}

/** Status is a snapshot of a node's state for telemetry and tests. */
export interface Status extends BasicStatus {
  lastIndex: number
  lastTerm: number
  /** firstIndex is the first entry still in the log (1 when nothing was compacted). */
  firstIndex: number
  /** snapshotIndex is the index of the latest snapshot the node holds (0: none). */
  snapshotIndex: number
  electionElapsedTicks: number
  electionTimeoutTicks: number
  leadTransferee: NodeId
  /** progress is set on a leader only: each follower's replication state. */
  progress: ProgressStatus[] | null
}

/** ProgressStatus is a leader's view of one follower's replication (§5.3: nextIndex, matchIndex). */
export interface ProgressStatus {
  id: NodeId
  matchIndex: number
  nextIndex: number
  state: 'probe' | 'replicate' | 'snapshot'
  /** pendingSnapshot is the index of the snapshot in flight to the follower (state 'snapshot'). */
  pendingSnapshot: number
  inflight: number
  recentActive: boolean
}

/** LogUnavailable says why a log read has no answer (etcd's ErrCompacted and ErrUnavailable):
 * 'compacted' — the index is below the log's first index, folded into a snapshot and deleted;
 * 'unavailable' — the index is past the log's last index. */
export type LogUnavailable = 'compacted' | 'unavailable'

/** SnapshotUnavailable says a snapshot cannot be had right now (etcd's
 * ErrSnapshotTemporarilyUnavailable: the host is still making one); the leader tries again later. */
export type SnapshotUnavailable = 'temporarily-unavailable'

/** Storage is read access to the persisted log, hard state and snapshot. Indexes start at 1.
 * Entries before firstIndex() have been compacted: a snapshot covers them (etcd's Storage). */
export interface Storage {
  /** initialState returns the persisted hard state (term, vote, commit). */
  initialState(): HardState
  /** firstIndex is the index of the first stored entry (1 when nothing was compacted). */
  firstIndex(): number
  /** lastIndex is the index of the last stored entry (firstIndex() - 1 when empty). */
  lastIndex(): number
  /** term returns the term of entry i for firstIndex()-1 ≤ i ≤ lastIndex() (the term of the last
   * compacted entry is kept), 'compacted' below that range, 'unavailable' above it. */
  term(i: number): number | LogUnavailable
  /** entries returns entries [lo, hi), at most maxCount and — past the first — maxSizeBytes;
   * 'compacted' when lo < firstIndex(), 'unavailable' when hi > lastIndex() + 1. */
  entries(lo: number, hi: number, maxCount: number, maxSizeBytes: number): Entry[] | LogUnavailable
  /** snapshot returns the latest durable snapshot (EMPTY_SNAPSHOT when there is none), or
   * 'temporarily-unavailable'. Its index is at least firstIndex() - 1: compaction never deletes
   * entries no snapshot covers. */
  snapshot(): Snapshot | SnapshotUnavailable
}
