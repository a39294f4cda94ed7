// NodeHost runs one Raft core for real: logical ticks from a timer, peers' messages, the Ready
// loop (readyLoop.ts), the key-value state machine, clients (clientRequests.ts) and latency
// attribution (writeTiming.ts), and what the node reports. It reads the core only through its
// read-only status accessors (basicStatus, status), never through its fields.
import type { NodeStatus } from '../../../shared/lab/events'
import { KvStore, type KvStateEncoder } from '../../../shared/kv'
import type { DiskTiming, Frame } from '../../../shared/protocol'
import { RaftNode } from '../../../shared/raft/raft'
import type {
  Message,
  NodeId,
  RaftConfig,
  Ready,
  Snapshot,
  SnapshotStatus,
  TransferResult,
} from '../../../shared/raft/types'
import type { ClientConn, ReplyFn } from '../transport/inbound'
import { ClientRequests } from './clientRequests'
import { ReadyLoop, type ReadySender, type ReadyStorage } from './readyLoop'
import { WriteTiming, type MonoClock } from './writeTiming'

/** HostTelemetry receives what the host reports (the control channel batches it). */
export interface HostTelemetry {
  /** status: `monoNs` is process.hrtime.bigint() when it was sampled. */
  status(status: NodeStatus, monoNs: bigint): void
  /** ready reports a Ready after it was handled; `monoNs` is process.hrtime.bigint() when it was
   * taken from the core, before any of its messages were sent. */
  ready(rd: Ready, truncatedFrom: number | null, monoNs: bigint): void
  trace(direction: 'send' | 'receive', m: Message): void
  /** leader is told when the leader this node knows of (0: none) or its term changes, with the
   * process.hrtime.bigint() of the Ready that shows it — taken before that Ready's disk write,
   * so the instant is when the node learned it, not when its fsync finished. */
  leader?(leaderId: NodeId, term: number, monoNs: bigint): void
  /** warning reports something the supervisor should show, such as refused messages. */
  warning?(message: string): void
  /** snapshot reports a snapshot taken or installed. */
  snapshot?(report: SnapshotReport): void
}

/** HostStorage is the node's durable state as the host uses it: the Ready loop's log, and the
 * snapshots the host takes of its state machine (DiskStorage implements it). */
export interface HostStorage extends ReadyStorage {
  /** saveSnapshot makes the state machine's `data` at applied entry `index` durable, then
   * compacts the log, keeping `keepEntries` entries before `index` for slow followers. */
  saveSnapshot(
    index: number,
    peers: readonly NodeId[],
    data: Uint8Array,
    keepEntries: number,
  ): { sizeBytes: number; removedSegments: number }
}

/** SnapshotTaken describes a snapshot the host took ('taken') or a leader's it installed. */
export interface SnapshotReport {
  kind: 'taken' | 'installed'
  index: number
  term: number
  sizeBytes: number
  durationMs: number
}

/** SnapshotPolicy says when the host snapshots: once it has applied `everyEntries` entries past
 * its last snapshot, or entries holding `everyBytes` bytes of data (0: no such threshold; both 0:
 * never). */
export interface SnapshotPolicy {
  everyEntries: number
  everyBytes?: number
  /** keepEntries: entries kept before a snapshot's index (default snapshotMarginEntries). */
  keepEntries?: number
}

/** snapshotMarginEntries is how many entries compaction leaves before a snapshot's index, so a
 * follower slightly behind still gets entries rather than a whole snapshot: half the interval,
 * at most 1,000. */
export function snapshotMarginEntries(everyEntries: number): number {
  return Math.min(Math.floor(everyEntries / 2), 1000)
}

/** isSnapshotDue tells whether a host that applied up to `applied`, last snapshotted at
 * `snapshotIndex` and applied `bytesSince` bytes of entry data since, should snapshot now under
 * `policy`. */
export function isSnapshotDue(
  policy: SnapshotPolicy,
  applied: number,
  snapshotIndex: number,
  bytesSince = 0,
): boolean {
  if (applied <= snapshotIndex) return false
  const byEntries = policy.everyEntries > 0 && applied - snapshotIndex >= policy.everyEntries
  const byBytes = (policy.everyBytes ?? 0) > 0 && bytesSince >= (policy.everyBytes ?? 0)
  return byEntries || byBytes
}

/** SnapshotJob is a snapshot of the state machine under way: the state captured at `index`,
 * encoded a slice per turn of the event loop. */
interface SnapshotJob {
  index: number
  term: number
  encoder: KvStateEncoder
  startedNs: bigint
}

/** SNAPSHOT_KEYS_PER_TURN: the keys a snapshot encodes per turn (about 10 ms here for 64-byte
 * values), so a node with a large state keeps answering heartbeats and clients while it
 * snapshots: 100,000 keys in one go held its event loop for 250 ms. */
const SNAPSHOT_KEYS_PER_TURN = 10_000

/** READIES_PER_TURN bounds the Readies one turn of the event loop handles (each is bounded by the
 * core's maxCommittedSizePerReadyBytes), so a long backlog to apply never keeps the node from its
 * ticks, heartbeats and sockets for long. */
const READIES_PER_TURN = 8

/** WARNING_INTERVAL_NS: refused messages are reported at most once a second (a flood of forged
 * messages must not become a flood of events). */
const WARNING_INTERVAL_NS = 1_000_000_000n

/** NodeHost is the node's engine; main.ts wires it to sockets, storage and the control channel. */
export class NodeHost {
  readonly kv = new KvStore()
  tracing = false
  private readonly raft: RaftNode
  private readonly peers: readonly NodeId[]
  private readonly timing: WriteTiming
  private readonly clients: ClientRequests
  private readonly loop: ReadyLoop
  private transport: ReadySender | null = null
  private scheduled = false
  private wasLeader = false
  private important = false
  private lastStatus = ''
  private reportedTerm = -1
  private knownLeaderId = -1
  private knownLeaderTerm = -1
  /** refused counts messages the core refused since the last warning about them. */
  private refused = { count: 0, last: '', reportedNs: 0n }

  /** snapshotIndex is the index of the latest snapshot the node holds (0: none). */
  private snapshotIndex = 0
  /** job is the snapshot being encoded, a slice per turn (null: none). */
  private job: SnapshotJob | null = null
  /** lastSnapshotBytes sizes the next snapshot's buffer, so it is not grown by doubling. */
  private lastSnapshotBytes = 0
  /** appliedBytes counts the entry data applied since start; snapshotBytesMark is its value when
   * the newest snapshot (or the one under way) captured the state: their difference is what the
   * byte threshold of the policy measures. */
  private appliedBytes = 0
  private snapshotBytesMark = 0

  /** The state machine starts from the storage's snapshot, if any, and the core is told so
   * (RaftConfig.applied): it hands out only the committed entries after it. */
  constructor(
    cfg: RaftConfig,
    private readonly storage: HostStorage,
    private readonly telemetry: HostTelemetry,
    private readonly nowNs: MonoClock = () => process.hrtime.bigint(),
    private readonly policy: SnapshotPolicy = { everyEntries: 0 },
  ) {
    const snap = cfg.storage.snapshot()
    if (snap !== 'temporarily-unavailable' && snap.metadata.index > 0) {
      this.kv.restore(snap.data)
      this.snapshotIndex = snap.metadata.index
      cfg = { ...cfg, applied: Math.max(cfg.applied ?? 0, snap.metadata.index) }
    }
    this.peers = [...cfg.peers]
    this.raft = new RaftNode(cfg)
    this.timing = new WriteTiming(nowNs)
    this.clients = new ClientRequests(this.raft, this.kv, this.timing, nowNs, () => this.schedule())
    this.loop = new ReadyLoop({
      core: this.raft,
      storage,
      sender: {
        send: (to, ms, disk) => {
          if (this.tracing) for (const m of ms) this.telemetry.trace('send', m)
          this.transport?.send(to, ms, disk)
        },
        flushClients: () => this.transport?.flushClients(),
      },
      apply: (e) => {
        this.appliedBytes += e.data.length
        return this.kv.apply(e)
      },
      restore: (snap) => this.restore(snap),
      clients: this.clients,
      nowNs,
      taken: (readyNs) => this.noteLeader(readyNs),
      handled: (rd, truncatedFrom, readyNs) => this.handled(rd, truncatedFrom, readyNs),
    })
  }

  /** attach connects the host to its transport (created after the host, as it needs hooks). */
  attach(transport: ReadySender): void {
    this.transport = transport
  }

  /** tick advances logical time. */
  tick(): void {
    this.raft.tick()
    this.schedule()
  }

  /** step feeds messages from a peer to the core. Messages the core refuses (no correct peer
   * could have sent them) are reported as warnings, at most one a second with a count. */
  step(ms: Message[]): void {
    for (const m of ms) {
      if (this.tracing) this.telemetry.trace('receive', m)
      const before = this.raft.basicStatus().commit
      const res = this.raft.step(m)
      if (!res.ok) {
        this.noteRefused(m, res.reason)
        continue
      }
      // Latency attribution: the acknowledgement that advances the commit index is the one that
      // completed the quorum.
      if (this.clients.hasTimedWrites && m.type === 'MsgAppResp') {
        const after = this.raft.basicStatus().commit
        if (after > before) this.clients.quorumAcked(before, after, m.from, m.index)
      }
    }
    this.schedule()
  }

  /** noteDiskTiming takes a peer's report of the disk write its next acknowledgements waited
   * for (the transport hands it over just before them). */
  noteDiskTiming(from: NodeId, t: DiskTiming): void {
    this.timing.noteDiskTiming(from, t)
  }

  /** reportSnapshot tells the core how sending a MsgSnap to `to` went. */
  reportSnapshot(to: NodeId, status: SnapshotStatus): void {
    this.raft.reportSnapshot(to, status)
    this.schedule()
  }

  /** transferLeadership asks the core to hand leadership to `to`. */
  transferLeadership(to: NodeId): TransferResult {
    const res = this.raft.transferLeadership(to)
    this.schedule()
    return res
  }

  /** campaign makes the core start an election now. */
  campaign(): void {
    this.raft.campaign()
    this.schedule()
  }

  /** snapshotNow starts a snapshot of the state machine now, whatever the policy (the lab's
   * `node.snapshot`); it completes over the next turns, as the policy's do, and is reported as
   * 'taken'. It refuses when nothing was applied since the last snapshot: a snapshot at the same
   * index would change nothing. One under way already answers for it. */
  snapshotNow(): { ok: true; index: number } | { ok: false; reason: string } {
    const applied = this.kv.appliedIndex
    if (applied <= this.snapshotIndex) {
      const reason =
        applied === 0
          ? 'nothing applied yet'
          : `nothing applied since the last snapshot at ${this.snapshotIndex}`
      return { ok: false, reason }
    }
    if (this.job) return { ok: true, index: this.job.index }
    this.startSnapshot()
    this.schedule()
    return { ok: true, index: applied }
  }

  /** schedule runs the Ready loop once the current I/O has been read, so every message and
   * request that arrived together lands in one Ready: one fsync for all of them (group commit). */
  schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.processReady()
    })
  }

  /** status is the node's state for telemetry. */
  status(): NodeStatus {
    const s = this.raft.status()
    return {
      role: s.role,
      term: s.term,
      vote: s.vote,
      leaderId: s.leaderId,
      commit: s.commit,
      applied: s.applied,
      lastIndex: s.lastIndex,
      lastTerm: s.lastTerm,
      electionElapsedTicks: s.electionElapsedTicks,
      electionTimeoutTicks: s.electionTimeoutTicks,
      firstIndex: s.firstIndex,
      snapshotIndex: this.snapshotIndex,
    }
  }

  /** reportStatus sends the status if it changed since the last report (timer progress
   * included, so the UI can draw election timers), or when `always` (a node that reports nothing
   * for long looks stuck). */
  reportStatus(always = false): void {
    const st = this.status()
    const key = JSON.stringify(st)
    if (key === this.lastStatus && !always) return
    this.lastStatus = key
    this.reportedTerm = st.term
    this.telemetry.status(st, this.nowNs())
  }

  /** onClientFrame handles one client request frame. */
  onClientFrame(frame: Frame, reply: ReplyFn, conn: ClientConn): void {
    this.clients.onClientFrame(frame, reply, conn)
  }

  /** onClientClosed forgets requests from a closed connection. */
  onClientClosed(conn: ClientConn): void {
    this.clients.onClientClosed(conn)
  }

  /** sweep gives up on requests older than `maxAgeMs` and reports refused messages not yet
   * reported (see ClientRequests.sweep). */
  sweep(maxAgeMs: number): void {
    this.clients.sweep(maxAgeMs)
    this.reportRefused()
  }

  // ---------------------------------------------------------------------------------------------

  private processReady(): void {
    this.important = false
    // More Readies than a turn takes: the rest in the next turn, after timers and sockets.
    if (this.loop.run(READIES_PER_TURN)) this.schedule()
    this.maybeSnapshot()
    // Role and term changes are reported at once; commit progress by the periodic report.
    if (this.important) this.reportStatus()
  }

  /** maybeSnapshot starts a snapshot of the state machine when the policy says so, and moves the
   * one under way a slice further (see SnapshotJob). Every Ready is handled by now, so the
   * applied entries are in storage. */
  private maybeSnapshot(): void {
    const bytesSince = this.appliedBytes - this.snapshotBytesMark
    const applied = this.kv.appliedIndex
    if (!this.job && isSnapshotDue(this.policy, applied, this.snapshotIndex, bytesSince)) {
      this.startSnapshot()
    }
    if (this.job) this.stepSnapshot(this.job)
  }

  /** startSnapshot captures the state machine as it is now (cheap), to encode over the next
   * turns; no-op while one is under way. */
  private startSnapshot(): void {
    if (this.job) return
    this.snapshotBytesMark = this.appliedBytes
    this.job = {
      index: this.kv.appliedIndex,
      term: this.kv.appliedTerm,
      encoder: this.kv.snapshotEncoder(this.lastSnapshotBytes),
      startedNs: this.nowNs(),
    }
  }

  /** stepSnapshot encodes one slice of the snapshot under way; once every key is encoded it makes
   * the snapshot durable and compacts (one synchronous write and fsync). A leader's snapshot
   * installed meanwhile makes it pointless: it is dropped. */
  private stepSnapshot(job: SnapshotJob): void {
    if (job.index <= this.snapshotIndex) {
      this.job = null
      return
    }
    if (!job.encoder.step(SNAPSHOT_KEYS_PER_TURN)) {
      this.schedule()
      return
    }
    this.job = null
    const data = job.encoder.finish()
    const keep = this.policy.keepEntries ?? snapshotMarginEntries(this.policy.everyEntries)
    const saved = this.storage.saveSnapshot(job.index, this.peers, data, keep)
    this.snapshotIndex = job.index
    this.lastSnapshotBytes = data.length
    this.telemetry.snapshot?.({
      kind: 'taken',
      index: job.index,
      term: job.term,
      sizeBytes: saved.sizeBytes,
      durationMs: Number(this.nowNs() - job.startedNs) / 1e6,
    })
    // No status report here: statuses are sampled on the shared grid, so that a follower's never
    // shows more committed than its leader's of the same moment; the next grid point carries the
    // new firstIndex/snapshotIndex (within 100 ms), and the event above says it at once.
  }

  /** restore takes a leader's snapshot, which the Ready loop has just made durable. */
  private restore(snap: Snapshot): void {
    const t0 = this.nowNs()
    this.kv.restore(snap.data)
    this.snapshotIndex = snap.metadata.index
    this.snapshotBytesMark = this.appliedBytes
    this.telemetry.snapshot?.({
      kind: 'installed',
      index: snap.metadata.index,
      term: snap.metadata.term,
      sizeBytes: snap.data.length,
      durationMs: Number(this.nowNs() - t0) / 1e6,
    })
  }

  private handled(rd: Ready, truncatedFrom: number | null, readyNs: bigint): void {
    this.telemetry.ready(rd, truncatedFrom, readyNs)
    if (rd.softState) {
      this.clients.roleChanged(this.wasLeader)
      this.wasLeader = this.raft.basicStatus().role === 'leader'
      this.important = true
    }
    if (rd.hardState && rd.hardState.term !== this.reportedTerm) this.important = true
  }

  /** noteLeader reports (leaderId, term) when either changed since the last report. Checked on
   * every Ready rather than only on a softState change, so that a leader re-elected in a new
   * term within one Ready is reported too. */
  private noteLeader(now: bigint): void {
    const { leaderId, term } = this.raft.basicStatus()
    if (leaderId === this.knownLeaderId && term === this.knownLeaderTerm) return
    this.knownLeaderId = leaderId
    this.knownLeaderTerm = term
    this.telemetry.leader?.(leaderId, term, now)
  }

  private noteRefused(m: Message, reason: string): void {
    this.refused.count++
    this.refused.last = `${m.type} from n${m.from}: ${reason}`
    const now = this.nowNs()
    if (now - this.refused.reportedNs >= WARNING_INTERVAL_NS) this.reportRefused(now)
  }

  /** reportRefused reports the messages refused since the last report, if any. */
  private reportRefused(now = this.nowNs()): void {
    const { count, last } = this.refused
    if (count === 0) return
    const what = count === 1 ? 'a message' : `${count} messages`
    this.telemetry.warning?.(`dropped ${what} no correct peer could send; last: ${last}`)
    this.refused = { count: 0, last: '', reportedNs: now }
  }
}
