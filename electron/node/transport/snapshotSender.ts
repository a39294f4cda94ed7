// Sending a snapshot in chunks (protocol 1.3) with flow control: one chunk at a time, each
// through the link's fault rule like any message, written only while the peer link's socket
// buffer is below SNAPSHOT_BUFFER_BYTES. The event loop turns between chunks, so the heartbeats
// and appends the node sends meanwhile — separate writes on the same socket — go out between
// them instead of waiting behind megabytes of snapshot.
import {
  MAX_SNAPSHOT_TRANSFER_BYTES,
  encodeSnapshotChunkFrame,
  snapshotChunkAt,
  type SnapshotTransferReport,
} from '../../../shared/protocol'
import type { Message, NodeId, SnapshotStatus } from '../../../shared/raft/types'
import { crc32c } from '../../../shared/util/crc32c'
import type { FaultPlane } from './faultPlane'
import type { FramedConnection } from './framedConnection'
import type { PeerLink } from './peerLinks'

/** SNAPSHOT_BUFFER_BYTES: the next chunk waits for 'drain' while the link's socket buffer holds
 * this much, so a slow reader holds at most about this much of a snapshot in our memory, and a
 * heartbeat written meanwhile waits behind at most this much. */
export const SNAPSHOT_BUFFER_BYTES = 1024 * 1024

/** PROGRESS_INTERVAL_MS: at most one 'progress' report per transfer this often (4 a second). */
export const PROGRESS_INTERVAL_MS = 250

/** SnapshotSenderOptions wires a SnapshotSender to its transport. */
export interface SnapshotSenderOptions {
  faults: FaultPlane
  /** onStatus tells the core how a MsgSnap went (reportSnapshot). */
  onStatus(to: NodeId, status: SnapshotStatus): void
  onReport(r: SnapshotTransferReport): void
  onWarning(message: string): void
  /** onCounted counts a MsgSnap sent whole ('sent') or lost ('dropped'). */
  onCounted(outcome: 'sent' | 'dropped'): void
  nowMs(): number
}

interface Outgoing {
  readonly m: Message
  readonly link: PeerLink
  readonly conn: FramedConnection
  /** offset: bytes handed to the fault plane so far; crc: crc32c of those bytes. */
  offset: number
  crc: number
  /** written: bytes written to the socket so far. */
  written: number
  readonly startedMs: number
  progressMs: number
  isDone: boolean
}

/**
 * SnapshotSender runs at most one outgoing transfer per peer. A MsgSnap for a peer whose transfer
 * of the same snapshot (index and term) in the same leader term is under way is ignored: the core
 * waits for that one's report. Any other replaces it; the replaced one ends 'failed' in telemetry
 * but is not reported to the core, which already waits for the newer one. A chunk dropped by the
 * fault plane, a broken connection and close end a transfer 'failed' (the core retries later).
 */
export class SnapshotSender {
  private readonly transfers = new Map<NodeId, Outgoing>()

  constructor(private readonly opts: SnapshotSenderOptions) {}

  /** send starts sending MsgSnap `m` on `link` (whose peer announced minor 3). */
  send(link: PeerLink, m: Message): void {
    const snap = m.snapshot
    const old = this.transfers.get(m.to)
    if (old && snap && old.m.term === m.term && sameSnapshot(old.m, m)) return
    if (old) this.end(old, 'failed', 'replaced by a newer snapshot', false)
    const conn = link.connection
    if (!snap || !conn) {
      this.opts.onCounted('dropped')
      this.opts.onStatus(m.to, 'failed')
      return
    }
    if (snap.data.length > MAX_SNAPSHOT_TRANSFER_BYTES) {
      this.opts.onWarning(
        `a snapshot of ${snap.data.length} bytes for n${m.to} exceeds the ` +
          `${MAX_SNAPSHOT_TRANSFER_BYTES}-byte transfer limit`,
      )
      this.opts.onCounted('dropped')
      this.opts.onStatus(m.to, 'failed')
      return
    }
    const now = this.opts.nowMs()
    const t: Outgoing = {
      m,
      link,
      conn,
      offset: 0,
      crc: 0,
      written: 0,
      startedMs: now,
      progressMs: now,
      isDone: false,
    }
    this.transfers.set(m.to, t)
    this.report(t, 'started')
    this.pump(t)
  }

  /** close ends every transfer ('failed'). */
  close(): void {
    for (const t of [...this.transfers.values()]) this.end(t, 'failed', 'the node is closing')
  }

  /** pump hands the next chunk to the fault plane once the socket buffer has room for it. */
  private pump(t: Outgoing): void {
    if (t.isDone) return
    if (!this.isLinkUp(t)) return
    const socket = t.conn.socket
    if (socket.writableLength >= SNAPSHOT_BUFFER_BYTES) {
      // 'drain' comes once the buffer is empty; 'close' if it never will be.
      const go = (): void => {
        socket.off('drain', go)
        socket.off('close', go)
        this.pump(t)
      }
      socket.on('drain', go)
      socket.on('close', go)
      return
    }
    const chunk = snapshotChunkAt(t.m, t.offset, t.crc)
    if (this.opts.faults.admit(t.m.to, [chunk]).length === 0) {
      this.end(t, 'failed', `a chunk at byte ${t.offset} was dropped by the link's fault rule`)
      return
    }
    const frame = encodeSnapshotChunkFrame(chunk)
    t.offset += chunk.data.length
    t.crc = chunk.isLast ? chunk.snapshotCrc : crc32c(chunk.data, t.crc)
    this.opts.faults.forward(t.m.to, () => {
      if (t.isDone || !this.isLinkUp(t)) return
      t.conn.write([frame])
      t.written += chunk.data.length
      if (chunk.isLast) {
        this.end(t, 'finished')
        return
      }
      const now = this.opts.nowMs()
      if (now - t.progressMs >= PROGRESS_INTERVAL_MS) {
        t.progressMs = now
        this.report(t, 'progress')
      }
      // Let the event loop turn: what the node sends meanwhile goes out between two chunks.
      setImmediate(() => this.pump(t))
    })
  }

  /** isLinkUp tells whether the transfer's connection is still the link's; if not, it fails. */
  private isLinkUp(t: Outgoing): boolean {
    if (t.link.connection === t.conn && !t.conn.socket.destroyed) return true
    this.end(t, 'failed', `the connection to n${t.m.to} broke`)
    return false
  }

  private end(t: Outgoing, state: 'finished' | 'failed', reason?: string, tellCore = true): void {
    if (t.isDone) return
    t.isDone = true
    if (this.transfers.get(t.m.to) === t) this.transfers.delete(t.m.to)
    this.opts.onCounted(state === 'finished' ? 'sent' : 'dropped')
    this.report(t, state, reason)
    if (tellCore) this.opts.onStatus(t.m.to, state)
  }

  private report(t: Outgoing, state: SnapshotTransferReport['state'], reason?: string): void {
    const md = t.m.snapshot?.metadata
    const ends = state !== 'started' && state !== 'progress'
    this.opts.onReport({
      peer: t.m.to,
      direction: 'send',
      state,
      index: md?.index ?? 0,
      term: md?.term ?? 0,
      totalBytes: t.m.snapshot?.data.length ?? 0,
      doneBytes: t.written,
      ...(ends ? { durationMs: Math.round(this.opts.nowMs() - t.startedMs) } : {}),
      ...(reason !== undefined ? { reason } : {}),
    })
  }
}

function sameSnapshot(a: Message, b: Message): boolean {
  const x = a.snapshot?.metadata
  const y = b.snapshot?.metadata
  return !!x && !!y && x.index === y.index && x.term === y.term
}
