// The node's listening socket: peers connect to it to send their Raft messages (and the disk
// timings that precede acknowledgements), clients to send requests and read answers. Client
// answers produced together leave in one write: each client socket is corked from its first
// answer until the node flushes, which it does as soon as it has answered what it can.
import net from 'node:net'
import { unlinkSync } from 'node:fs'
import {
  decodeDiskTiming,
  decodeFrameMessages,
  decodeSnapshotChunk,
  FRAME_KIND,
  ProtocolError,
  type DiskTiming,
  type Frame,
  type Hello,
  type SnapshotTransferReport,
} from '../../../shared/protocol'
import type { Message, NodeId, SnapshotStatus } from '../../../shared/raft/types'
import { FramedConnection, MAX_BUFFERED_BYTES } from './framedConnection'
import { SnapshotReceiver } from './snapshotReceiver'

/** ClientConn identifies one client connection. */
export interface ClientConn {
  readonly id: number
  closed: boolean
}

/** ReplyFn writes one frame back to a client; false when it could not (closed, not reading). */
export type ReplyFn = (frame: Uint8Array) => boolean

/** InboundHooks is how incoming traffic reaches the node. */
export interface InboundHooks {
  /** onMessages receives Raft messages from a peer (already checked to be addressed to us). */
  onMessages(from: NodeId, ms: Message[]): void
  /** onDiskTiming receives a peer's disk timing, just before the acknowledgements it concerns. */
  onDiskTiming(from: NodeId, t: DiskTiming): void
  /** onClientFrame receives a client frame; `reply` writes a frame back on that connection. */
  onClientFrame(frame: Frame, reply: ReplyFn, conn: ClientConn): void
  /** onClientClosed tells the node a client connection is gone (drop its pending requests). */
  onClientClosed(conn: ClientConn): void
  /** onWarning reports a refused connection or a dropped frame, for telemetry. */
  onWarning(message: string): void
  /** onSnapshotSent says how sending a MsgSnap to `to` went: 'finished' once written (its last
   * chunk, to a 1.3 peer) to the peer's connection, 'failed' when it was dropped (a chunk lost to
   * a cut or lossy link, a broken connection, an unreachable peer, or one whose protocol predates
   * MsgSnap). Called after the send returns, never inside it. */
  onSnapshotSent?(to: NodeId, status: SnapshotStatus): void
  /** onSnapshotTransfer reports a snapshot sent or received in chunks (protocol 1.3). */
  onSnapshotTransfer?(report: SnapshotTransferReport): void
}

/** InboundOptions configures an Inbound. */
export interface InboundOptions {
  id: NodeId
  local: Hello
  listenPath: string
  /** dataDir is the node's data directory: an incoming snapshot is assembled in a file there. */
  dataDir: string
  /** snapshotIdleTimeoutMs: an incoming snapshot with no chunk for this long is given up
   * (default SNAPSHOT_IDLE_TIMEOUT_MS). */
  snapshotIdleTimeoutMs?: number
  isMember(id: NodeId): boolean
  hooks: InboundHooks
  /** onReceived counts Raft messages received from peers. */
  onReceived(count: number): void
}

/** Inbound accepts and serves connections on the node's socket. */
export class Inbound {
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()
  private readonly corked = new Set<net.Socket>()
  private nextConnId = 1
  private readonly snapshots: SnapshotReceiver

  constructor(private readonly opts: InboundOptions) {
    this.server = net.createServer((socket) => this.accept(socket))
    const { hooks } = opts
    this.snapshots = new SnapshotReceiver({
      id: opts.id,
      dir: opts.dataDir,
      deliver: (from, m) => {
        opts.onReceived(1)
        hooks.onMessages(from, [m])
      },
      onReport: (r) => hooks.onSnapshotTransfer?.(r),
      onWarning: (m) => hooks.onWarning(m),
      nowMs: () => performance.now(),
      ...(opts.snapshotIdleTimeoutMs !== undefined
        ? { idleTimeoutMs: opts.snapshotIdleTimeoutMs }
        : {}),
    })
  }

  /** listen starts accepting connections; a stale socket file from a crashed run is removed. */
  listen(): Promise<void> {
    if (process.platform !== 'win32') {
      try {
        unlinkSync(this.opts.listenPath)
      } catch {
        // no stale socket
      }
    }
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.opts.listenPath, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
  }

  /** flushClients sends every held client answer now. */
  flushClients(): void {
    if (this.corked.size === 0) return
    for (const socket of this.corked) socket.uncork()
    this.corked.clear()
  }

  /** close stops listening and closes every connection. */
  close(): void {
    this.server.close()
    for (const s of this.sockets) s.destroy()
    this.snapshots.close()
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket)
    const { hooks } = this.opts
    let client: ClientConn | null = null
    const reply: ReplyFn = (frame) => {
      if (socket.destroyed || socket.writableLength > MAX_BUFFERED_BYTES) return false
      // Answers produced together leave in one write: held (corked) until flushClients, which
      // the node calls as soon as it has answered what it can — before its disk write.
      if (!this.corked.has(socket)) {
        this.corked.add(socket)
        socket.cork()
        process.nextTick(() => this.flushClients())
      }
      socket.write(frame)
      return true
    }
    const conn: FramedConnection = new FramedConnection(socket, {
      local: this.opts.local,
      roles: ['peer', 'client'],
      kinds: [
        FRAME_KIND.raft,
        FRAME_KIND.raftBatch,
        FRAME_KIND.diskTiming,
        FRAME_KIND.snapshotChunk,
        FRAME_KIND.clientRequest,
      ],
      admit: (remote) => {
        if (remote.role === 'peer' && !this.opts.isMember(remote.nodeId)) {
          throw new ProtocolError('handshake', `n${remote.nodeId} is not a member of this cluster`)
        }
      },
      describe: describeRemote,
      onHello: (remote) => {
        if (remote.role === 'client') client = { id: this.nextConnId++, closed: false }
      },
      onFrame: (f, remote) => {
        if (remote.role === 'peer') this.onPeerFrame(remote.nodeId, f, conn)
        else if (client && f.kind === FRAME_KIND.clientRequest)
          hooks.onClientFrame(f, reply, client)
        else {
          throw new ProtocolError(
            'unknown-kind',
            `a ${remote.role} may not send frame kind ${f.kind}`,
          )
        }
      },
      onWarning: (m) => hooks.onWarning(m),
      onClose: () => {
        this.sockets.delete(socket)
        this.snapshots.connectionClosed(conn)
        if (client) {
          client.closed = true
          hooks.onClientClosed(client)
        }
      },
    })
  }

  private onPeerFrame(from: NodeId, f: Frame, conn: FramedConnection): void {
    if (f.kind === FRAME_KIND.diskTiming) {
      this.opts.hooks.onDiskTiming(from, decodeDiskTiming(f.body))
      return
    }
    if (f.kind === FRAME_KIND.snapshotChunk) {
      this.snapshots.receive(from, conn, decodeSnapshotChunk(f.body))
      return
    }
    const ms = decodeFrameMessages(f)
    for (const m of ms) {
      if (m.to !== this.opts.id || m.from !== from) {
        throw new ProtocolError('malformed', `message ${m.from}->${m.to} on n${from}'s connection`)
      }
    }
    this.opts.onReceived(ms.length)
    this.opts.hooks.onMessages(from, ms)
  }
}

function describeRemote(remote: Hello | null): string {
  if (!remote) return 'a connection before its hello'
  return remote.role === 'peer'
    ? `the connection from n${remote.nodeId}`
    : `a ${remote.role} connection`
}
