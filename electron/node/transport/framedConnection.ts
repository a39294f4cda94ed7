// The stream layer: one socket speaking the raftlab protocol (docs/formats/protocol.md). Our hello
// goes first, at once; the remote's must come first and pass checkHello; then frames of the kinds
// the connection accepts. Bad input — a malformed, truncated, oversized or unexpected frame —
// closes the connection and is reported as a warning; it never reaches the node.
import type net from 'node:net'
import {
  checkHello,
  decodeHello,
  encodeHelloFrame,
  FRAME_KIND,
  FrameDecoder,
  ProtocolError,
  type Frame,
  type FrameKind,
  type Hello,
  type HelloRole,
} from '../../../shared/protocol'

/** MAX_BUFFERED_BYTES bounds what may wait in one outgoing socket's buffer; beyond it messages
 * are dropped (Raft retransmits), so a slow or paused peer cannot grow our memory. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

/** FramedConnectionOptions configures a FramedConnection. */
export interface FramedConnectionOptions {
  /** local is our hello. */
  local: Hello
  /** roles the remote may announce. */
  roles: readonly HelloRole[]
  /** kinds the remote may send after its hello. */
  kinds: readonly FrameKind[]
  /** admit checks the remote's hello further (cluster membership); it throws ProtocolError to
   * refuse it. */
  admit?(remote: Hello): void
  /** describe names the connection in warnings, given the remote's hello once known. */
  describe(remote: Hello | null): string
  /** onHello is told the remote's accepted hello and the minor both ends speak. */
  onHello?(remote: Hello, minor: number): void
  /** onFrame receives every frame after the hello; it may throw ProtocolError to refuse it. */
  onFrame?(f: Frame, remote: Hello): void
  onWarning(message: string): void
  onClose?(): void
}

/** FramedConnection runs the protocol on one socket (either end). */
export class FramedConnection {
  /** remote is the remote's hello once accepted. */
  remote: Hello | null = null
  /** minor is the protocol minor both ends speak (0 until the hello). */
  minor = 0
  private readonly decoder: FrameDecoder

  constructor(
    readonly socket: net.Socket,
    private readonly opts: FramedConnectionOptions,
  ) {
    socket.setNoDelay?.(true)
    this.decoder = new FrameDecoder({ kinds: [FRAME_KIND.hello, ...opts.kinds] })
    // Written at once (buffered until connected), so the hello is first whatever follows.
    socket.write(encodeHelloFrame(opts.local))
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('end', () => {
      // A stream that ends inside a frame was cut short: report it like any bad input.
      if (this.decoder.failure === null) {
        try {
          this.decoder.finish()
        } catch (e) {
          this.refuse(e)
        }
      }
      socket.end()
    })
    socket.on('error', () => {
      // 'close' follows.
    })
    socket.on('close', () => opts.onClose?.())
  }

  /** isWritable tells whether a write would be taken: the socket is open and its buffer below
   * MAX_BUFFERED_BYTES (a peer that does not read — paused, overloaded — gets nothing more). */
  get isWritable(): boolean {
    return !this.socket.destroyed && this.socket.writableLength <= MAX_BUFFERED_BYTES
  }

  /** write writes `frames` in one write. */
  write(frames: readonly Uint8Array[]): void {
    if (frames.length === 1) this.socket.write(frames[0] as Uint8Array)
    else this.socket.write(Buffer.concat(frames))
  }

  /** destroy closes the connection at once. */
  destroy(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    try {
      for (const f of this.decoder.push(chunk)) {
        if (this.remote === null) this.acceptHello(f)
        else this.opts.onFrame?.(f, this.remote)
      }
    } catch (e) {
      this.refuse(e)
    }
  }

  private acceptHello(f: Frame): void {
    if (f.kind !== FRAME_KIND.hello) throw new ProtocolError('handshake', 'expected a hello first')
    const remote = decodeHello(f.body)
    const verdict = checkHello(this.opts.local, remote, { roles: this.opts.roles })
    if (!verdict.ok) throw verdict.error
    this.opts.admit?.(remote)
    this.remote = remote
    this.minor = verdict.minor
    this.opts.onHello?.(remote, verdict.minor)
  }

  private refuse(e: unknown): void {
    if (!(e instanceof ProtocolError)) throw e
    this.opts.onWarning(`closed ${this.opts.describe(this.remote)}: ${e.code}: ${e.message}`)
    this.socket.destroy()
  }
}
