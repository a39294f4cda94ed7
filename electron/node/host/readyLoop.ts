// The Ready loop: the one place a node does the core's I/O, in the order the Ready contract
// (shared/raft/types.ts `Ready`) requires — send what may precede the disk write, apply what is
// committed and answer clients, persist (one write, at most one fdatasync for the whole Ready:
// group commit), send the rest, advance.
import type { Applied } from '../../../shared/kv'
import type { DiskTiming } from '../../../shared/protocol'
import {
  mayPrecedePersistence,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type Ready,
  type Snapshot,
} from '../../../shared/raft/types'
import type { ClientRequests } from './clientRequests'
import type { MonoClock } from './writeTiming'

/** ReadyCore is the part of the Raft core the loop drives. */
export interface ReadyCore {
  hasReady(): boolean
  ready(): Ready
  advance(rd: Ready): void
}

/** ReadyStorage is the node's durable log: an append (with its fsync) per Ready. */
export interface ReadyStorage {
  /** lastIndex is the index of the last stored entry (0 when none). */
  lastIndex(): number
  /** append truncates stored entries at or after entries[0].index, appends `entries` and stores
   * `hardState`, with an fsync when `mustSync`. */
  append(entries: readonly Entry[], hardState: HardState | null, mustSync: boolean): void
  /** installSnapshot makes a leader's snapshot durable and replaces the stored log with it (every
   * stored entry is obsolete; the log goes on after its index); the Ready's `hardState` (if any)
   * has its term and vote made durable first. */
  installSnapshot(snap: Snapshot, hardState: HardState | null): void
}

/** ReadySender hands messages to the transport. */
export interface ReadySender {
  /** send sends one peer's messages of a Ready, in order. `disk` is set when they include
   * acknowledgements that waited for a disk write: that write's timing. */
  send(to: NodeId, ms: Message[], disk: DiskTiming | null): void
  /** flushClients sends the client answers held so far (they leave before the disk write). */
  flushClients(): void
}

/** ReadyLoopDeps are the loop's collaborators, injected so tests can run it in process. */
export interface ReadyLoopDeps {
  core: ReadyCore
  storage: ReadyStorage
  sender: ReadySender
  /** apply applies a committed entry to the state machine and returns its result. */
  apply(e: Entry): Applied | null
  /** restore replaces the state machine's state with a snapshot's (from the leader). */
  restore(snap: Snapshot): void
  clients: Pick<
    ClientRequests,
    'flushProposals' | 'markWrites' | 'applied' | 'readIndexReady' | 'serveReads'
  >
  nowNs: MonoClock
  /** taken is told the moment a Ready was taken from the core, before any of its messages left
   * (a node stamps what the Ready shows with it). */
  taken(readyNs: bigint): void
  /** handled is told once a Ready is done and advanced: `truncatedFrom` is the first stored
   * index it overwrote (a follower dropping a conflicting suffix), or null. */
  handled(rd: Ready, truncatedFrom: number | null, readyNs: bigint): void
}

/** ReadyLoop drains the core's Readies. */
export class ReadyLoop {
  constructor(private readonly d: ReadyLoopDeps) {}

  /** run proposes the writes gathered since the last run, then handles the core's Readies until
   * it has none or `maxReadies` were handled; it returns whether Readies remain. Each Ready is
   * bounded (the core's maxCommittedSizePerReadyBytes), and so is a turn: a node that restarts
   * with a long committed tail to apply, or a follower handed a large backlog, goes back to its
   * timers and sockets between turns instead of applying everything in one. */
  run(maxReadies = Infinity): boolean {
    const { core, storage, sender, clients, nowNs } = this.d
    clients.flushProposals()
    for (let handled = 0; core.hasReady(); handled++) {
      if (handled >= maxReadies) return true
      const rd = core.ready()
      const readyNs = nowNs()
      this.d.taken(readyNs)
      // A leader's snapshot: durable before anything acknowledges it (the acknowledgement is a
      // late message of this Ready), and the state machine restored before the entries after it.
      if (rd.snapshot) {
        storage.installSnapshot(rd.snapshot, rd.hardState)
        this.d.restore(rd.snapshot)
      }
      const first = rd.entries[0]
      const last = rd.entries[rd.entries.length - 1]
      const truncatedFrom = first && first.index <= storage.lastIndex() ? first.index : null
      // A leader's appends and heartbeats go out before its own disk write, so the followers'
      // writes overlap the leader's (diss. §10.2.1; the core counts the leader's copy only after
      // advance). Everything else waits for the write.
      const early: Message[] = []
      const late: Message[] = []
      for (const m of rd.messages) (mayPrecedePersistence(m) ? early : late).push(m)
      this.send(early, null)
      // Committed entries are durable on a majority already: apply them and answer clients now,
      // rather than after this Ready's own disk write.
      clients.markWrites(rd.committedEntries, 'committed')
      for (const e of rd.committedEntries) clients.applied(e, this.d.apply(e))
      for (const rs of rd.readStates) clients.readIndexReady(rs)
      clients.serveReads()
      sender.flushClients()
      // Persist: one write and at most one fdatasync for the whole batch (group commit).
      const t0 = nowNs()
      storage.append(rd.entries, rd.hardState, rd.mustSync)
      let disk: DiskTiming | null = null
      if (first && last) {
        const micros = Number((nowNs() - t0) / 1000n)
        disk = { firstIndex: first.index, lastIndex: last.index, micros }
        clients.markWrites(rd.entries, 'leaderPersisted')
      }
      // Votes and acknowledgements only now that their record is on disk; acknowledgements of
      // new entries travel with this write's timing, for the leader's latency attribution.
      this.send(late, disk)
      core.advance(rd)
      this.d.handled(rd, truncatedFrom, readyNs)
    }
    return false
  }

  private send(ms: readonly Message[], disk: DiskTiming | null): void {
    if (ms.length === 0) return
    const byPeer = new Map<NodeId, Message[]>()
    for (const m of ms) {
      const list = byPeer.get(m.to)
      if (list) list.push(m)
      else byPeer.set(m.to, [m])
    }
    for (const [to, list] of byPeer) {
      this.d.sender.send(to, list, disk && list.some(isAcknowledgement) ? disk : null)
    }
  }
}

/** isAcknowledgement: a follower's acceptance of appended entries. */
function isAcknowledgement(m: Message): boolean {
  return m.type === 'MsgAppResp' && !m.reject
}
