// NodeHost runs one Raft core for real: ticks on a timer, the Ready loop (persist → send → apply
// → answer clients → advance), the key-value state machine, and client requests — writes
// proposed in batches, linearizable reads through ReadIndex.
import type { NodeStatus } from '../../shared/lab/events'
import { encodeKvCommand, KvStore, type Applied, type KvCommand } from '../../shared/kv'
import {
  decodeClientRequest,
  encodeClientResponse,
  encodeFrame,
  FRAME_KIND,
  ProtocolError,
  type ClientRequest,
  type ClientResponse,
  type Frame,
  type TimingMark,
  type TimingStage,
} from '../../shared/protocol'
import { RaftNode } from '../../shared/raft/raft'
import {
  mayPrecedePersistence,
  type Entry,
  type Message,
  type NodeId,
  type RaftConfig,
  type Ready,
} from '../../shared/raft/types'
import type { DiskStorage } from './storage'
import type { ClientConn, Transport } from './transport/transport'

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
}

/** WARNING_INTERVAL_NS: refused messages are reported at most once a second (a flood of forged
 * messages must not become a flood of events). */
const WARNING_INTERVAL_NS = 1_000_000_000n

interface Pending {
  conn: ClientConn
  reply: (frame: Uint8Array) => boolean
  req: ClientRequest
  startNs: bigint
  marks: TimingMark[]
  /** timed is set while a proposed write that asked for attribution is counted in timedWrites. */
  timed?: boolean
}

interface PendingWrite extends Pending {
  index: number
  term: number
}

interface PendingRead extends Pending {
  index: number
}

/** NodeHost is the node's engine; main.ts wires it to sockets, storage and the control channel. */
export class NodeHost {
  readonly raft: RaftNode
  readonly kv = new KvStore()
  tracing = false
  private transport: Transport | null = null
  private scheduled = false
  private proposals: { data: Uint8Array; p: Pending }[] = []
  private readonly writes = new Map<number, PendingWrite>()
  private readonly reads = new Map<string, PendingRead>()
  private readonly readsWaitingApply: PendingRead[] = []
  private nextReadId = 1
  private wasLeader = false
  private lastStatus = ''
  private reportedTerm = -1
  private knownLeaderId = -1
  private knownLeaderTerm = -1
  /** timedWrites counts pending writes that asked for latency attribution. */
  private timedWrites = 0
  /** refused counts messages the core refused since the last warning about them. */
  private refused = { count: 0, last: '', reportedNs: 0n }

  constructor(
    cfg: RaftConfig,
    private readonly storage: DiskStorage,
    private readonly telemetry: HostTelemetry,
  ) {
    this.raft = new RaftNode(cfg)
  }

  /** attach connects the host to its transport (created after the host, as it needs hooks). */
  attach(transport: Transport): void {
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
      const before = this.raft.log.committed
      const res = this.raft.step(m)
      if (!res.ok) {
        this.noteRefused(m, res.reason)
        continue
      }
      // Latency attribution: the acknowledgement that advances the commit index is the one that
      // completed the quorum.
      if (this.timedWrites > 0 && m.type === 'MsgAppResp' && this.raft.log.committed > before) {
        this.markQuorum(before, m)
      }
    }
    this.schedule()
  }

  private noteRefused(m: Message, reason: string): void {
    this.refused.count++
    this.refused.last = `${m.type} from n${m.from}: ${reason}`
    const now = process.hrtime.bigint()
    if (now - this.refused.reportedNs >= WARNING_INTERVAL_NS) this.reportRefused(now)
  }

  /** reportRefused reports the messages refused since the last report, if any. */
  private reportRefused(now = process.hrtime.bigint()): void {
    const { count, last } = this.refused
    if (count === 0) return
    const what = count === 1 ? 'a message' : `${count} messages`
    this.telemetry.warning?.(`dropped ${what} no correct peer could send; last: ${last}`)
    this.refused = { count: 0, last: '', reportedNs: now }
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
    this.telemetry.status(st, process.hrtime.bigint())
  }

  // ---------------------------------------------------------------------------------------------
  // The Ready loop

  private processReady(): void {
    this.flushProposals()
    let important = false
    while (this.raft.hasReady()) {
      const rd = this.raft.ready()
      const readyNs = process.hrtime.bigint()
      this.noteLeader(readyNs)
      const before = this.storage.storage().lastIndex()
      const first = rd.entries[0]
      const truncatedFrom = first && first.index <= before ? first.index : null
      // A leader's appends and heartbeats go out before its own disk write, so the followers'
      // writes overlap the leader's (diss. §10.2.1; the core counts the leader's copy only after
      // advance). Everything else waits for the write.
      const early: Message[] = []
      const late: Message[] = []
      for (const m of rd.messages) (mayPrecedePersistence(m) ? early : late).push(m)
      this.send(early)
      // Committed entries are durable on a majority already: apply them and answer clients now,
      // rather than after this Ready's own disk write.
      this.markWrites(rd.committedEntries, 'committed')
      for (const e of rd.committedEntries) this.apply(e)
      for (const rs of rd.readStates) this.readIndexReady(rs.context, rs.index)
      this.serveReads()
      this.transport?.flushClients()
      // Persist: one write and at most one fdatasync for the whole batch (group commit).
      const t0 = process.hrtime.bigint()
      this.storage.append(rd.entries, rd.hardState, rd.mustSync)
      if (rd.entries.length > 0) {
        this.markWrites(rd.entries, 'leaderPersisted')
        // Tell the leader how long this disk write took (latency attribution); the core
        // ignores the context of an acknowledgement.
        const micros = String(Number((process.hrtime.bigint() - t0) / 1000n))
        for (const m of late) if (m.type === 'MsgAppResp' && !m.reject) m.context = micros
      }
      // Votes and acknowledgements only now that their record is on disk.
      this.send(late)
      this.telemetry.ready(rd, truncatedFrom, readyNs)
      // 4. advance
      this.raft.advance(rd)
      if (rd.softState) {
        this.roleChanged()
        important = true
      }
      if (rd.hardState && rd.hardState.term !== this.reportedTerm) important = true
    }
    // Role and term changes are reported at once; commit progress by the periodic report.
    if (important) this.reportStatus()
  }

  /** noteLeader reports (leaderId, term) when either changed since the last report. Checked on
   * every Ready rather than only on a softState change, so that a leader re-elected in a new
   * term within one Ready is reported too. */
  private noteLeader(now: bigint): void {
    const { leaderId, term } = this.raft
    if (leaderId === this.knownLeaderId && term === this.knownLeaderTerm) return
    this.knownLeaderId = leaderId
    this.knownLeaderTerm = term
    this.telemetry.leader?.(leaderId, term, now)
  }

  /** markQuorum marks sampled writes in (from, commit] as acknowledged by a quorum: `m` is the
   * acknowledgement that completed it, carrying its sender's disk time in its context. */
  private markQuorum(from: number, m: Message): void {
    const persist = Number(m.context) || 0
    for (let i = from + 1; i <= this.raft.log.committed; i++) {
      const w = this.writes.get(i)
      if (!w || !w.req.timing) continue
      const micros = Number(process.hrtime.bigint() - w.startNs) / 1000
      w.marks.push({ stage: 'quorumAcked', micros, node: m.from, followerPersistMicros: persist })
    }
  }

  private send(ms: Message[]): void {
    if (ms.length === 0 || !this.transport) return
    const byPeer = new Map<NodeId, Message[]>()
    for (const m of ms) {
      if (this.tracing) this.telemetry.trace('send', m)
      const list = byPeer.get(m.to)
      if (list) list.push(m)
      else byPeer.set(m.to, [m])
    }
    for (const [to, list] of byPeer) this.transport.send(to, list)
  }

  private apply(e: Entry): void {
    const applied = this.kv.apply(e)
    const w = this.writes.get(e.index)
    if (!w) return
    this.writes.delete(e.index)
    if (w.term !== e.term) {
      // Our entry was overwritten by another leader's: it never took effect.
      this.answer(w, {
        requestId: w.req.requestId,
        status: 'unavailable',
        reason: 'leader changed; the write was dropped',
        maybeApplied: false,
      })
      return
    }
    this.answerApplied(w, applied)
  }

  private answerApplied(w: PendingWrite, applied: Applied | null): void {
    const id = w.req.requestId
    if (!applied) {
      this.answer(w, { requestId: id, status: 'error', message: 'no result for this entry' })
      return
    }
    const r = applied.result
    if (r.op === 'error') {
      this.answer(w, { requestId: id, status: 'error', message: r.message })
      return
    }
    this.mark(w, 'applied')
    const base = { index: applied.index, term: applied.term }
    const result =
      r.op === 'cas'
        ? { ...base, value: r.current, swapped: r.swapped }
        : r.op === 'get'
          ? { ...base, value: r.value, swapped: false }
          : { ...base, value: r.prev, swapped: false }
    this.answer(w, { requestId: id, status: 'ok', result, timing: w.marks })
  }

  private roleChanged(): void {
    const isLeader = this.raft.role === 'leader'
    if (this.wasLeader && !isLeader) {
      // Writes we proposed may still commit (or not): tell clients the outcome is unknown, so
      // they retry — the retry carries the same session and seq, so it cannot apply twice.
      for (const w of this.writes.values()) {
        this.answer(w, {
          requestId: w.req.requestId,
          status: 'unavailable',
          reason: 'leadership lost',
          maybeApplied: true,
        })
      }
      this.writes.clear()
    }
    if (!isLeader || this.raft.leaderId === 0) {
      // Pending ReadIndex rounds are dropped by the core on a role change: fail them.
      for (const r of this.reads.values()) {
        this.answer(r, {
          requestId: r.req.requestId,
          status: 'unavailable',
          reason: 'leadership changed during the read',
          maybeApplied: false,
        })
      }
      this.reads.clear()
    }
    this.wasLeader = isLeader
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  /** onClientFrame handles one client request frame. */
  onClientFrame(frame: Frame, reply: (frame: Uint8Array) => boolean, conn: ClientConn): void {
    const req = decodeClientRequest(frame.body)
    const p: Pending = { conn, reply, req, startNs: process.hrtime.bigint(), marks: [] }
    const write = req.op !== 'get' || req.readMode === 'log'
    if (req.op === 'get' && req.readMode === 'local') {
      this.answer(p, this.readResult(p, this.kv.appliedIndex))
      return
    }
    if (write) {
      if (this.raft.role !== 'leader') {
        this.answer(p, {
          requestId: req.requestId,
          status: 'not-leader',
          leaderHint: this.raft.leaderId,
        })
        return
      }
      const cmd: KvCommand =
        req.op === 'put'
          ? { op: 'put', key: req.key, value: req.value, clientId: req.clientId, seq: req.seq }
          : req.op === 'delete'
            ? { op: 'delete', key: req.key, clientId: req.clientId, seq: req.seq }
            : req.op === 'cas'
              ? {
                  op: 'cas',
                  key: req.key,
                  expected: req.expected,
                  value: req.value,
                  clientId: req.clientId,
                  seq: req.seq,
                }
              : { op: 'get', key: req.key, clientId: req.clientId, seq: req.seq }
      this.proposals.push({ data: encodeKvCommand(cmd), p })
      this.schedule()
      return
    }
    // A linearizable read: ReadIndex on the leader (a follower forwards it to its leader).
    const ctx = `r${this.nextReadId++}`
    const res = this.raft.readIndex(ctx)
    if (!res.ok) {
      this.answer(p, {
        requestId: req.requestId,
        status: 'not-leader',
        leaderHint: this.raft.leaderId,
      })
      return
    }
    this.reads.set(ctx, { ...p, index: -1 })
    this.schedule()
  }

  /** sweep gives up on requests older than `maxAgeMs` (a read forwarded to an unreachable
   * leader, a write on a leader that lost its quorum without CheckQuorum): the client hears
   * 'unavailable' instead of waiting forever, and memory stays bounded. */
  sweep(maxAgeMs: number): void {
    const oldest = process.hrtime.bigint() - BigInt(Math.round(maxAgeMs * 1e6))
    for (const [ctx, r] of this.reads) {
      if (r.startNs < oldest) {
        this.reads.delete(ctx)
        this.answer(r, {
          requestId: r.req.requestId,
          status: 'unavailable',
          reason: 'no read confirmation from a leader',
          maybeApplied: false,
        })
      }
    }
    // A confirmed read waits for the state machine to reach its index; one that never will (its
    // index came from a leader whose entries this node never gets) must not wait forever either.
    const waiting = this.readsWaitingApply.filter((r) => r.startNs >= oldest)
    for (const r of this.readsWaitingApply) {
      if (r.startNs >= oldest) continue
      this.answer(r, {
        requestId: r.req.requestId,
        status: 'unavailable',
        reason: 'the read index was not applied in time',
        maybeApplied: false,
      })
    }
    this.readsWaitingApply.length = 0
    this.readsWaitingApply.push(...waiting)
    this.reportRefused()
    for (const [index, w] of this.writes) {
      if (w.startNs < oldest) {
        this.writes.delete(index)
        this.answer(w, {
          requestId: w.req.requestId,
          status: 'unavailable',
          reason: 'the write did not commit in time',
          maybeApplied: true,
        })
      }
    }
  }

  /** onClientClosed forgets requests from a closed connection (their answers have nowhere to go;
   * writes still commit and apply). */
  onClientClosed(conn: ClientConn): void {
    for (const [ctx, r] of this.reads) if (r.conn === conn) this.reads.delete(ctx)
  }

  private flushProposals(): void {
    if (this.proposals.length === 0) return
    const batch = this.proposals
    this.proposals = []
    const res = this.raft.proposeBatch(batch.map((b) => b.data))
    if (!res.ok) {
      for (const { p } of batch) {
        const a: ClientResponse =
          res.reason === 'not-leader'
            ? { requestId: p.req.requestId, status: 'not-leader', leaderHint: res.leaderId }
            : {
                requestId: p.req.requestId,
                status: 'unavailable',
                reason: 'leadership transfer in progress',
                maybeApplied: false,
              }
        this.answer(p, a)
      }
      return
    }
    batch.forEach(({ p }, i) => {
      const w: PendingWrite = { ...p, index: res.index + i, term: res.term }
      this.mark(w, 'proposed')
      if (w.req.timing) {
        w.timed = true
        this.timedWrites++
      }
      this.writes.set(w.index, w)
    })
  }

  private markWrites(entries: Entry[], stage: TimingStage): void {
    if (this.writes.size === 0) return
    for (const e of entries) {
      const w = this.writes.get(e.index)
      if (w && w.req.timing) this.mark(w, stage)
    }
  }

  private readIndexReady(ctx: string, index: number): void {
    const r = this.reads.get(ctx)
    if (!r) return
    this.reads.delete(ctx)
    r.index = index
    this.mark(r, 'readConfirmed')
    this.readsWaitingApply.push(r)
  }

  /** serveReads answers confirmed reads once the state machine has caught up to their index. */
  private serveReads(): void {
    if (this.readsWaitingApply.length === 0) return
    const applied = this.kv.appliedIndex
    const still: PendingRead[] = []
    for (const r of this.readsWaitingApply) {
      if (r.index <= applied) this.answer(r, this.readResult(r, r.index))
      else still.push(r)
    }
    this.readsWaitingApply.length = 0
    this.readsWaitingApply.push(...still)
  }

  private readResult(p: Pending, index: number): ClientResponse {
    return {
      requestId: p.req.requestId,
      status: 'ok',
      result: { index, term: this.raft.term, value: this.kv.get(p.req.key), swapped: false },
      timing: p.marks,
    }
  }

  private mark(p: Pending, stage: TimingStage): void {
    if (!p.req.timing) return
    const micros = Number(process.hrtime.bigint() - p.startNs) / 1000
    p.marks.push({ stage, micros })
  }

  private answer(p: Pending, a: ClientResponse): void {
    if (p.timed) {
      p.timed = false
      this.timedWrites--
    }
    if (p.conn.closed) return
    try {
      p.reply(encodeFrame(FRAME_KIND.clientResponse, encodeClientResponse(a)))
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e
    }
  }
}
