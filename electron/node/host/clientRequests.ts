// The node's clients: requests in, answers out. Writes (and gets through the log) are proposed
// together once per Ready loop (proposeBatch) and answered when their entry applies; linearizable
// gets go through ReadIndex (diss. §6.4) and are answered once the state machine reaches their
// read index; local gets are answered at once. Every pending request ends with one answer —
// applied, refused, or 'unavailable' when leadership is lost or it waited too long.
import { encodeKvCommand, type Applied, type KvCommand, type KvStore } from '../../../shared/kv'
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
} from '../../../shared/protocol'
import type {
  BasicStatus,
  Entry,
  NodeId,
  ProposeResult,
  ReadIndexResult,
  ReadState,
} from '../../../shared/raft/types'
import type { ClientConn, ReplyFn } from '../transport/inbound'
import type { MonoClock, WriteTiming } from './writeTiming'

/** REFUSAL_REASONS: what a client is told when the leader refuses a proposal for a reason other
 * than not being leader. Both are definite (nothing was appended) and passing: retry shortly. */
const REFUSAL_REASONS = {
  transferring: 'leadership transfer in progress',
  'uncommitted-limit':
    'the leader has too many uncommitted writes (its followers are not keeping up); retry shortly',
} as const
/** ClientCore is what client requests need of the Raft core: to read its state, propose and
 * ask for read indexes. */
export interface ClientCore {
  basicStatus(): BasicStatus
  proposeBatch(datas: readonly Uint8Array[]): ProposeResult
  readIndex(context: string): ReadIndexResult
}

interface Pending {
  conn: ClientConn
  reply: ReplyFn
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

/** ClientRequests holds every request the node has not answered yet. */
export class ClientRequests {
  private proposals: { data: Uint8Array; p: Pending }[] = []
  private readonly writes = new Map<number, PendingWrite>()
  private readonly reads = new Map<string, PendingRead>()
  private readonly readsWaitingApply: PendingRead[] = []
  private nextReadId = 1
  /** timedWrites counts pending writes that asked for latency attribution. */
  private timedWrites = 0

  constructor(
    private readonly core: ClientCore,
    private readonly kv: Pick<KvStore, 'get' | 'appliedIndex'>,
    private readonly timing: WriteTiming,
    private readonly nowNs: MonoClock,
    /** schedule asks for a run of the Ready loop (proposals and reads are handled there). */
    private readonly schedule: () => void,
  ) {}

  /** hasTimedWrites tells whether a pending write asked for latency attribution (so the host
   * watches acknowledgements for the one completing its quorum). */
  get hasTimedWrites(): boolean {
    return this.timedWrites > 0
  }

  /** onClientFrame handles one client request frame. */
  onClientFrame(frame: Frame, reply: ReplyFn, conn: ClientConn): void {
    const req = decodeClientRequest(frame.body)
    const p: Pending = { conn, reply, req, startNs: this.nowNs(), marks: [] }
    const write = req.op !== 'get' || req.readMode === 'log'
    if (req.op === 'get' && req.readMode === 'local') {
      this.answer(p, this.readResult(p, this.kv.appliedIndex))
      return
    }
    if (write) {
      const s = this.core.basicStatus()
      if (s.role !== 'leader') {
        this.answer(p, { requestId: req.requestId, status: 'not-leader', leaderHint: s.leaderId })
        return
      }
      this.proposals.push({ data: encodeKvCommand(commandOf(req)), p })
      this.schedule()
      return
    }
    // A linearizable read: ReadIndex on the leader (a follower forwards it to its leader).
    const ctx = `r${this.nextReadId++}`
    const res = this.core.readIndex(ctx)
    if (!res.ok) {
      this.answer(p, {
        requestId: req.requestId,
        status: 'not-leader',
        leaderHint: this.core.basicStatus().leaderId,
      })
      return
    }
    this.reads.set(ctx, { ...p, index: -1 })
    this.schedule()
  }

  /** flushProposals proposes the writes gathered since the last Ready loop, as one batch. */
  flushProposals(): void {
    if (this.proposals.length === 0) return
    const batch = this.proposals
    this.proposals = []
    const res = this.core.proposeBatch(batch.map((b) => b.data))
    if (!res.ok) {
      for (const { p } of batch) {
        const a: ClientResponse =
          res.reason === 'not-leader'
            ? { requestId: p.req.requestId, status: 'not-leader', leaderHint: res.leaderId }
            : {
                requestId: p.req.requestId,
                status: 'unavailable',
                reason: REFUSAL_REASONS[res.reason],
                maybeApplied: false,
              }
        this.answer(p, a)
      }
      return
    }
    batch.forEach(({ p }, i) => {
      const w: PendingWrite = { ...p, index: res.index + i, term: res.term }
      this.timing.mark(w, 'proposed')
      if (w.req.timing) {
        w.timed = true
        this.timedWrites++
      }
      this.writes.set(w.index, w)
    })
  }

  /** markWrites marks the pending writes among `entries` as having reached `stage`. */
  markWrites(entries: readonly Entry[], stage: TimingStage): void {
    if (this.writes.size === 0) return
    for (const e of entries) {
      const w = this.writes.get(e.index)
      if (w && w.req.timing) this.timing.mark(w, stage)
    }
  }

  /** quorumAcked marks the writes in (fromCommit, toCommit] as acknowledged by a quorum: `from`'s
   * acknowledgement of `ackIndex` moved the commit index there. */
  quorumAcked(fromCommit: number, toCommit: number, from: NodeId, ackIndex: number): void {
    for (let i = fromCommit + 1; i <= toCommit; i++) {
      const w = this.writes.get(i)
      if (w) this.timing.markQuorum(w, from, ackIndex)
    }
  }

  /** applied answers the write whose entry `e` just applied (with the state machine's result),
   * or fails it when another leader's entry took its index. */
  applied(e: Entry, applied: Applied | null): void {
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

  /** readIndexReady takes the core's answer to a ReadIndex request: the read waits for the state
   * machine to reach `rs.index`. */
  readIndexReady(rs: ReadState): void {
    const r = this.reads.get(rs.context)
    if (!r) return
    this.reads.delete(rs.context)
    r.index = rs.index
    this.timing.mark(r, 'readConfirmed')
    this.readsWaitingApply.push(r)
  }

  /** serveReads answers confirmed reads once the state machine has caught up to their index. */
  serveReads(): void {
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

  /** roleChanged answers what a change of role leaves hanging: a former leader's writes (their
   * outcome is unknown) and, without a leader, the ReadIndex rounds the core dropped. */
  roleChanged(wasLeader: boolean): void {
    const s = this.core.basicStatus()
    const isLeader = s.role === 'leader'
    if (wasLeader && !isLeader) {
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
    if (!isLeader || s.leaderId === 0) {
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
  }

  /** sweep gives up on requests older than `maxAgeMs` (a read forwarded to an unreachable
   * leader, a write on a leader that lost its quorum without CheckQuorum): the client hears
   * 'unavailable' instead of waiting forever, and memory stays bounded. */
  sweep(maxAgeMs: number): void {
    const oldest = this.nowNs() - BigInt(Math.round(maxAgeMs * 1e6))
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
    this.timing.mark(w, 'applied')
    const base = { index: applied.index, term: applied.term }
    const result =
      r.op === 'cas'
        ? { ...base, value: r.current, swapped: r.swapped }
        : r.op === 'get'
          ? { ...base, value: r.value, swapped: false }
          : { ...base, value: r.prev, swapped: false }
    this.answer(w, { requestId: id, status: 'ok', result, timing: w.marks })
  }

  private readResult(p: Pending, index: number): ClientResponse {
    return {
      requestId: p.req.requestId,
      status: 'ok',
      result: {
        index,
        term: this.core.basicStatus().term,
        value: this.kv.get(p.req.key),
        swapped: false,
      },
      timing: p.marks,
    }
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

/** commandOf is the state-machine command a write (or a get through the log) proposes. */
function commandOf(req: ClientRequest): KvCommand {
  const session = { clientId: req.clientId, seq: req.seq }
  switch (req.op) {
    case 'put':
      return { op: 'put', key: req.key, value: req.value, ...session }
    case 'delete':
      return { op: 'delete', key: req.key, ...session }
    case 'cas':
      return { op: 'cas', key: req.key, expected: req.expected, value: req.value, ...session }
    case 'get':
      return { op: 'get', key: req.key, ...session }
  }
}
