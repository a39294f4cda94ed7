// Peer links: this node's one outgoing connection to each peer, reconnected with exponential
// backoff whenever it breaks. The peer only sends its hello on it; Raft messages flow the other
// way. A message for a peer that is not connected, or not reading, is dropped: Raft retransmits.
import net from 'node:net'
import { ProtocolError, type Hello } from '../../../shared/protocol'
import type { NodeId } from '../../../shared/raft/types'
import { FramedConnection } from './framedConnection'

const BACKOFF_MIN_MS = 10
const BACKOFF_MAX_MS = 1000

/** PeerLinkOptions configures a PeerLink. */
export interface PeerLinkOptions {
  /** local is our hello. */
  local: Hello
  /** isMember tells whether a node id belongs to the cluster (a peer's hello must name one). */
  isMember(id: NodeId): boolean
  onWarning(message: string): void
}

/** PeerLink is our outgoing connection to one peer. */
export class PeerLink {
  private conn: FramedConnection | null = null
  private connected = false
  private backoffMs = BACKOFF_MIN_MS
  private timer: NodeJS.Timeout | null = null
  private closed = false

  constructor(
    readonly id: NodeId,
    readonly path: string,
    private readonly opts: PeerLinkOptions,
  ) {}

  /** remoteMinor is the protocol minor the peer and we both speak; 0 until its hello arrived. */
  get remoteMinor(): number {
    return this.connected && this.conn ? this.conn.minor : 0
  }

  /** connection is the live connection while connected, else null; a new object after every
   * reconnection, so a caller that kept one can tell the link broke in between. */
  get connection(): FramedConnection | null {
    return this.connected ? this.conn : null
  }

  /** connect opens the connection (and keeps reopening it until close). */
  connect(): void {
    if (this.closed) return
    this.timer = null
    const socket = net.createConnection(this.path)
    const conn = new FramedConnection(socket, {
      local: this.opts.local,
      roles: ['peer'],
      kinds: [],
      admit: (remote) => {
        if (!this.opts.isMember(remote.nodeId)) {
          throw new ProtocolError('handshake', `n${remote.nodeId} is not a member of this cluster`)
        }
      },
      describe: () => `outgoing connection to n${this.id}`,
      onWarning: (m) => this.opts.onWarning(m),
      onClose: () => {
        this.connected = false
        if (this.conn === conn) this.conn = null
        if (this.closed) return
        this.timer = setTimeout(() => this.connect(), this.backoffMs)
        this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2)
      },
    })
    this.conn = conn
    socket.on('connect', () => {
      this.connected = true
      this.backoffMs = BACKOFF_MIN_MS
    })
  }

  /** write writes `frames` if the link is connected and the peer is reading; false when they
   * were dropped. */
  write(frames: readonly Uint8Array[]): boolean {
    const conn = this.conn
    if (!conn || !this.connected || !conn.isWritable) return false
    conn.write(frames)
    return true
  }

  /** close closes the connection for good. */
  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.conn?.destroy()
  }
}
