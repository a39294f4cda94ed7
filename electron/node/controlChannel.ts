// The node's connection to its supervisor: telemetry out (batched, at most every FLUSH_MS, in
// order), commands in. If the connection closes — the supervisor exited, even by SIGKILL — the
// node has no one to answer to and exits.
import net from 'node:net'
import {
  checkHello,
  decodeControl,
  decodeHello,
  encodeFrame,
  encodeHelloFrame,
  encodeTelemetry,
  FRAME_KIND,
  FrameDecoder,
  makeHello,
  ProtocolError,
  type ControlToNode,
  type Hello,
  type Telemetry,
} from '../../shared/protocol'
import type { NodeId } from '../../shared/raft/types'

/** FLUSH_MS is how long telemetry may wait to be batched: short enough for a live view. */
export const FLUSH_MS = 20

/** ControlChannel is the node's side of the control protocol. */
export class ControlChannel {
  private readonly socket: net.Socket
  private readonly decoder = new FrameDecoder({ kinds: [FRAME_KIND.hello, FRAME_KIND.control] })
  private readonly hello: Hello
  private queue: Telemetry[] = []
  private timer: NodeJS.Timeout | null = null
  private remoteHello = false

  constructor(
    path: string,
    id: NodeId,
    clusterId: string,
    private readonly onCommand: (c: ControlToNode) => void,
    private readonly onLost: (why: string) => void,
  ) {
    this.hello = makeHello('control', id, clusterId)
    this.socket = net.createConnection(path)
    // Written at once, so the hello is first in the socket's buffer whatever is reported before
    // the connection completes.
    this.socket.write(encodeHelloFrame(this.hello))
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', (e) => this.onLost(`control connection failed: ${e.message}`))
    this.socket.on('close', () => this.onLost('the supervisor closed the control connection'))
  }

  /** report queues one telemetry item; consecutive log appends are merged. */
  report(t: Telemetry): void {
    const last = this.queue[this.queue.length - 1]
    if (
      t.type === 'log' &&
      t.op === 'append' &&
      last?.type === 'log' &&
      last.op === 'append' &&
      last.toIndex + 1 === t.fromIndex
    ) {
      last.toIndex = t.toIndex
      last.terms.push(...t.terms)
      return
    }
    if (t.type === 'status' && last?.type === 'status') {
      this.queue[this.queue.length - 1] = t
      return
    }
    this.queue.push(t)
    if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS)
  }

  /** flush sends everything queued now (also used before exiting). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.queue.length === 0 || this.socket.destroyed) return
    const batch = this.queue
    this.queue = []
    this.socket.write(encodeFrame(FRAME_KIND.telemetry, encodeTelemetry(batch)))
  }

  /** close flushes and ends the connection, then calls `done` once the bytes are out (or after
   * a short grace period, if the supervisor is not reading). */
  close(done?: () => void): void {
    this.flush()
    if (!done) {
      this.socket.end()
      return
    }
    const timer = setTimeout(done, 300)
    this.socket.end(() => {
      clearTimeout(timer)
      done()
    })
  }

  private onData(chunk: Buffer): void {
    try {
      for (const f of this.decoder.push(chunk)) {
        if (!this.remoteHello) {
          const verdict = checkHello(this.hello, decodeHello(f.body), { roles: ['control'] })
          if (!verdict.ok) throw verdict.error
          this.remoteHello = true
          continue
        }
        this.onCommand(decodeControl(f.body))
      }
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e
      this.onLost(`bad frame from the supervisor: ${e.code}: ${e.message}`)
    }
  }
}
