// Receiving a snapshot in chunks (protocol 1.3): the chunks of one transfer are checked (order,
// CRC of each, CRC of the whole) and written to a temporary file in the node's data directory,
// so a snapshot of hundreds of MB never sits in memory as pieces; once the last checks out, the
// file is read back and the node gets ONE MsgSnap, exactly as if it had come in one frame.
// Everything is synchronous, so messages that arrive after the last chunk reach the node after
// the MsgSnap.
import fs from 'node:fs'
import path from 'node:path'
import {
  ProtocolError,
  snapshotMessage,
  type SnapshotChunk,
  type SnapshotTransferReport,
} from '../../../shared/protocol'
import type { Message, NodeId } from '../../../shared/raft/types'
import { crc32c } from '../../../shared/util/crc32c'
import { PROGRESS_INTERVAL_MS } from './snapshotSender'

/** INCOMING_SNAPSHOT_FILE names the temporary file of the transfer being received. */
export const INCOMING_SNAPSHOT_FILE = 'snapshot-incoming.tmp'

/** SNAPSHOT_IDLE_TIMEOUT_MS: a transfer that gets no chunk for this long is given up (its file
 * deleted); the leader will send the snapshot again. */
export const SNAPSHOT_IDLE_TIMEOUT_MS = 30_000

/** SnapshotReceiverOptions wires a SnapshotReceiver to its transport. */
export interface SnapshotReceiverOptions {
  id: NodeId
  /** dir is the node's data directory, where the temporary file goes. */
  dir: string
  /** deliver hands the node the rebuilt MsgSnap. */
  deliver(from: NodeId, m: Message): void
  onReport(r: SnapshotTransferReport): void
  onWarning(message: string): void
  nowMs(): number
  idleTimeoutMs?: number
}

interface Incoming {
  readonly from: NodeId
  /** conn is the connection its chunks come on: if it closes, the transfer is over. */
  readonly conn: object
  readonly key: string
  readonly first: SnapshotChunk
  readonly fd: number
  isFdOpen: boolean
  received: number
  crc: number
  readonly startedMs: number
  progressMs: number
  timer: NodeJS.Timeout | null
}

/**
 * SnapshotReceiver assembles one incoming transfer at a time. A chunk at offset 0 of another
 * transfer (another sender, leader term or snapshot) replaces the current one, which is
 * 'rejected'; a chunk out of order or with a bad CRC rejects the current transfer, with a
 * warning; chunks of a transfer it is not receiving (the rest of a rejected one) are ignored.
 */
export class SnapshotReceiver {
  private current: Incoming | null = null
  private readonly filePath: string

  /** The constructor removes the temporary file a crash may have left. */
  constructor(private readonly opts: SnapshotReceiverOptions) {
    this.filePath = path.join(opts.dir, INCOMING_SNAPSHOT_FILE)
    fs.rmSync(this.filePath, { force: true })
  }

  /** receive takes one chunk from peer `from` on connection `conn`. It throws ProtocolError for
   * a chunk its sender could not have sent on that connection (it closes the connection). */
  receive(from: NodeId, conn: object, c: SnapshotChunk): void {
    if (c.from !== from || c.to !== this.opts.id) {
      throw new ProtocolError('malformed', `snapshot chunk ${c.from}->${c.to} on n${from}'s link`)
    }
    const key = `${c.from}/${c.term}/${c.metadata.index}/${c.metadata.term}/${c.totalBytes}`
    let t = this.current
    if (!t || t.key !== key || c.offset === 0) {
      if (c.offset !== 0) return
      if (t)
        this.reject(t, t.key === key ? 'restarted by its sender' : 'replaced by a newer transfer')
      t = this.start(from, conn, key, c)
      // Gone already if whoever heard 'started' closed the transport.
      if (!t || this.current !== t) return
    }
    if (c.offset !== t.received) {
      this.reject(t, `a chunk at byte ${c.offset}, expected byte ${t.received}`, true)
      return
    }
    if (crc32c(c.data) !== c.crc) {
      this.reject(t, `a bad checksum in the chunk at byte ${c.offset}`, true)
      return
    }
    try {
      fs.writeSync(t.fd, c.data)
    } catch (e) {
      this.reject(t, `cannot write ${this.filePath}: ${(e as Error).message}`, true)
      return
    }
    t.received += c.data.length
    t.crc = crc32c(c.data, t.crc)
    if (c.isLast) {
      this.complete(t, c)
      return
    }
    this.arm(t)
    const now = this.opts.nowMs()
    if (now - t.progressMs >= PROGRESS_INTERVAL_MS) {
      t.progressMs = now
      this.report(t, 'progress')
    }
  }

  /** connectionClosed ends the transfer that came on `conn`: its sender gave it up. */
  connectionClosed(conn: object): void {
    if (this.current?.conn === conn) this.reject(this.current, 'the connection closed')
  }

  /** close gives up the transfer under way and deletes its file. */
  close(): void {
    if (this.current) this.reject(this.current, 'the node is closing')
  }

  private start(from: NodeId, conn: object, key: string, c: SnapshotChunk): Incoming | null {
    let fd: number
    try {
      fd = fs.openSync(this.filePath, 'w')
    } catch (e) {
      this.opts.onWarning(`cannot receive a snapshot from n${from}: ${(e as Error).message}`)
      return null
    }
    const now = this.opts.nowMs()
    const t: Incoming = {
      from,
      conn,
      key,
      first: c,
      fd,
      isFdOpen: true,
      received: 0,
      crc: 0,
      startedMs: now,
      progressMs: now,
      timer: null,
    }
    this.current = t
    this.report(t, 'started')
    return t
  }

  private complete(t: Incoming, last: SnapshotChunk): void {
    if (t.crc !== last.snapshotCrc) {
      this.reject(t, 'a bad checksum of the whole snapshot', true)
      return
    }
    let data: Uint8Array
    try {
      closeFd(t)
      const b = fs.readFileSync(this.filePath)
      data = new Uint8Array(b.buffer, b.byteOffset, b.length)
    } catch (e) {
      this.reject(t, `cannot read ${this.filePath} back: ${(e as Error).message}`, true)
      return
    }
    this.forget(t)
    if (data.length !== t.received) {
      this.report(t, 'rejected', `read ${data.length} bytes back, wrote ${t.received}`)
      return
    }
    this.report(t, 'finished')
    this.opts.deliver(t.from, snapshotMessage(last, data))
  }

  private arm(t: Incoming): void {
    if (t.timer) clearTimeout(t.timer)
    const ms = this.opts.idleTimeoutMs ?? SNAPSHOT_IDLE_TIMEOUT_MS
    t.timer = setTimeout(() => this.reject(t, `no chunk for ${ms} ms`), ms)
    t.timer.unref()
  }

  private reject(t: Incoming, reason: string, warn = false): void {
    if (this.current !== t) return
    try {
      closeFd(t)
    } catch {
      // the file is deleted below all the same
    }
    this.forget(t)
    if (warn) this.opts.onWarning(`snapshot from n${t.from} rejected: ${reason}`)
    this.report(t, 'rejected', reason)
  }

  /** forget clears the current transfer and deletes its file (its fd is closed). */
  private forget(t: Incoming): void {
    if (t.timer) clearTimeout(t.timer)
    this.current = null
    fs.rmSync(this.filePath, { force: true })
  }

  private report(t: Incoming, state: SnapshotTransferReport['state'], reason?: string): void {
    const ends = state !== 'started' && state !== 'progress'
    this.opts.onReport({
      peer: t.from,
      direction: 'receive',
      state,
      index: t.first.metadata.index,
      term: t.first.metadata.term,
      totalBytes: t.first.totalBytes,
      doneBytes: t.received,
      ...(ends ? { durationMs: Math.round(this.opts.nowMs() - t.startedMs) } : {}),
      ...(reason !== undefined ? { reason } : {}),
    })
  }
}

/** closeFd closes a transfer's file once (a closed fd number may be reused by another file). */
function closeFd(t: Incoming): void {
  if (!t.isFdOpen) return
  t.isFdOpen = false
  fs.closeSync(t.fd)
}
