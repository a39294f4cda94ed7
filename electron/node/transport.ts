// The node's network: one listening socket for peers and clients, one outgoing connection per
// peer (reconnected with backoff), and the fault rules the supervisor pushes, applied here in
// the sender — a directed cut, latency with jitter (order kept), random loss. Bad input from
// any connection closes that connection and is reported; it never reaches the core.
import net from 'node:net'
import { unlinkSync } from 'node:fs'
import type { LinkRule } from '../../shared/lab/events'
import {
  checkHello,
  decodeFrameMessages,
  decodeHello,
  encodeHelloFrame,
  encodeMessageFrames,
  FRAME_KIND,
  FrameDecoder,
  makeHello,
  ProtocolError,
  type Frame,
  type Hello,
  type HelloRole,
} from '../../shared/protocol'
import type { Message, NodeId } from '../../shared/raft/types'

/** MAX_BUFFERED_BYTES bounds what may wait in one outgoing socket's buffer; beyond it messages
 * are dropped (Raft retransmits), so a slow or paused peer cannot grow our memory. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

const BACKOFF_MIN_MS = 10
const BACKOFF_MAX_MS = 1000

/** TransportHooks is how the transport hands work to the node. */
export interface TransportHooks {
  /** onMessages receives Raft messages from a peer (already checked to be addressed to us). */
  onMessages(from: NodeId, ms: Message[]): void
  /** onClientFrame receives a client frame; `reply` writes a frame back on that connection. */
  onClientFrame(frame: Frame, reply: (frame: Uint8Array) => boolean, conn: ClientConn): void
  /** onClientClosed tells the node a client connection is gone (drop its pending requests). */
  onClientClosed(conn: ClientConn): void
  /** onWarning reports a refused connection or a dropped frame, for telemetry. */
  onWarning(message: string): void
}

/** ClientConn identifies one client connection. */
export interface ClientConn {
  readonly id: number
  closed: boolean
}

/** TransportStats counts Raft messages; `dropped` covers cuts, loss and backpressure. */
export interface TransportStats {
  sent: number
  received: number
  dropped: number
}

/** TransportOptions configures a Transport. */
export interface TransportOptions {
  id: NodeId
  clusterId: string
  listenPath: string
  peers: ReadonlyMap<NodeId, string>
  /** timeScale stretches injected latency like every other timer. */
  timeScale: number
  hooks: TransportHooks
}

interface Delayed {
  atMs: number
  frames: Uint8Array[]
}

/** PeerLink is our outgoing connection to one peer, with its fault rule. */
class PeerLink {
  socket: net.Socket | null = null
  connected = false
  backoffMs = BACKOFF_MIN_MS
  timer: NodeJS.Timeout | null = null
  rule: LinkRule | null = null
  delayed: Delayed[] = []
  delayTimer: NodeJS.Timeout | null = null
  lastDeliveryMs = 0

  constructor(
    readonly id: NodeId,
    readonly path: string,
  ) {}
}

/** Transport runs the node's sockets. */
export class Transport {
  readonly stats: TransportStats = { sent: 0, received: 0, dropped: 0 }
  private readonly server: net.Server
  private readonly links = new Map<NodeId, PeerLink>()
  private readonly hello: Hello
  private readonly inbound = new Set<net.Socket>()
  private readonly corked = new Set<net.Socket>()
  private nextConnId = 1
  private closed = false

  constructor(private readonly opts: TransportOptions) {
    this.hello = makeHello('peer', opts.id, opts.clusterId)
    for (const [id, path] of opts.peers) this.links.set(id, new PeerLink(id, path))
    this.server = net.createServer((socket) => this.accept(socket))
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

  /** connectAll opens the outgoing connection to every peer (each retries on its own). */
  connectAll(): void {
    for (const link of this.links.values()) this.connect(link)
  }

  /** setRules replaces the fault rules for our outgoing links. */
  setRules(rules: readonly LinkRule[]): void {
    for (const link of this.links.values()) link.rule = null
    for (const r of rules) {
      const link = this.links.get(r.to)
      if (r.from === this.opts.id && link) link.rule = r
    }
  }

  /** send delivers one peer's messages of a Ready, through that link's fault rule. */
  send(to: NodeId, ms: Message[]): void {
    const link = this.links.get(to)
    if (!link || ms.length === 0) return
    const rule = link.rule
    let out = ms
    if (rule) {
      if (rule.cut) {
        this.stats.dropped += ms.length
        return
      }
      if (rule.lossPercent > 0) {
        out = ms.filter(() => Math.random() * 100 >= rule.lossPercent)
        this.stats.dropped += ms.length - out.length
        if (out.length === 0) return
      }
    }
    let frames: Uint8Array[]
    try {
      frames = encodeMessageFrames(out)
    } catch (e) {
      this.opts.hooks.onWarning(`could not encode messages for n${to}: ${(e as Error).message}`)
      this.stats.dropped += out.length
      return
    }
    this.stats.sent += out.length
    if (rule && (rule.latencyMs > 0 || rule.jitterMs > 0)) this.delay(link, rule, frames)
    else this.write(link, frames, out.length)
  }

  /** flushClients sends every held client answer now. */
  flushClients(): void {
    if (this.corked.size === 0) return
    for (const socket of this.corked) socket.uncork()
    this.corked.clear()
  }

  /** close stops listening and closes every connection. */
  close(): void {
    this.closed = true
    this.server.close()
    for (const s of this.inbound) s.destroy()
    for (const link of this.links.values()) {
      if (link.timer) clearTimeout(link.timer)
      if (link.delayTimer) clearTimeout(link.delayTimer)
      link.socket?.destroy()
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Outgoing

  private connect(link: PeerLink): void {
    if (this.closed) return
    link.timer = null
    const socket = net.createConnection(link.path)
    link.socket = socket
    socket.setNoDelay?.(true)
    const decoder = new FrameDecoder({ kinds: [FRAME_KIND.hello] })
    socket.on('connect', () => {
      link.connected = true
      link.backoffMs = BACKOFF_MIN_MS
      socket.write(encodeHelloFrame(this.hello))
    })
    socket.on('data', (chunk: Buffer) => {
      // The peer only ever sends its hello on this connection; anything else is refused.
      try {
        for (const f of decoder.push(chunk)) this.checkRemoteHello(f, 'peer')
      } catch (e) {
        this.refuse(socket, `outgoing connection to n${link.id}`, e)
      }
    })
    socket.on('error', () => {
      // 'close' follows; the retry is scheduled there.
    })
    socket.on('close', () => {
      link.connected = false
      if (link.socket === socket) link.socket = null
      if (this.closed) return
      link.timer = setTimeout(() => this.connect(link), link.backoffMs)
      link.backoffMs = Math.min(BACKOFF_MAX_MS, link.backoffMs * 2)
    })
  }

  private write(link: PeerLink, frames: Uint8Array[], count: number): void {
    const s = link.socket
    if (!s || !link.connected || s.writableLength > MAX_BUFFERED_BYTES) {
      // Not connected (or the peer is not reading: paused, overloaded): drop, Raft resends.
      this.stats.dropped += count
      return
    }
    if (frames.length === 1) s.write(frames[0] as Uint8Array)
    else s.write(Buffer.concat(frames))
  }

  /** delay holds frames for the rule's latency ± jitter, never letting a later message overtake
   * an earlier one on the same link (a stream keeps order, as TCP would). */
  private delay(link: PeerLink, rule: LinkRule, frames: Uint8Array[]): void {
    const jitter = rule.jitterMs > 0 ? (Math.random() * 2 - 1) * rule.jitterMs : 0
    const delayMs = Math.max(0, (rule.latencyMs + jitter) * this.opts.timeScale)
    const atMs = Math.max(performance.now() + delayMs, link.lastDeliveryMs)
    link.lastDeliveryMs = atMs
    link.delayed.push({ atMs, frames })
    if (!link.delayTimer) this.armDelay(link)
  }

  private armDelay(link: PeerLink): void {
    const first = link.delayed[0]
    if (!first) return
    link.delayTimer = setTimeout(
      () => {
        link.delayTimer = null
        const now = performance.now()
        while (link.delayed.length > 0 && (link.delayed[0] as Delayed).atMs <= now + 0.5) {
          const d = link.delayed.shift() as Delayed
          this.write(link, d.frames, d.frames.length)
        }
        this.armDelay(link)
      },
      Math.max(0, first.atMs - performance.now()),
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Incoming

  private accept(socket: net.Socket): void {
    this.inbound.add(socket)
    socket.setNoDelay?.(true)
    const decoder = new FrameDecoder({
      kinds: [FRAME_KIND.hello, FRAME_KIND.raft, FRAME_KIND.raftBatch, FRAME_KIND.clientRequest],
    })
    let remote: Hello | null = null
    let client: ClientConn | null = null
    const reply = (frame: Uint8Array): boolean => {
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
    socket.write(encodeHelloFrame(this.hello))
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[]
      try {
        frames = decoder.push(chunk)
      } catch (e) {
        this.refuse(socket, describeRemote(remote), e)
        return
      }
      try {
        for (const f of frames) {
          if (remote === null) {
            remote = this.checkRemoteHello(f, null)
            if (remote.role === 'client') client = { id: this.nextConnId++, closed: false }
            continue
          }
          if (remote.role === 'peer') this.onPeerFrame(remote.nodeId, f)
          else if (client && f.kind === FRAME_KIND.clientRequest) {
            this.opts.hooks.onClientFrame(f, reply, client)
          } else {
            throw new ProtocolError(
              'unknown-kind',
              `a ${remote.role} may not send frame kind ${f.kind}`,
            )
          }
        }
      } catch (e) {
        this.refuse(socket, describeRemote(remote), e)
      }
    })
    socket.on('end', () => {
      // A stream that ends inside a frame was cut short: report it like any bad input.
      if (decoder.failure === null) {
        try {
          decoder.finish()
        } catch (e) {
          this.refuse(socket, describeRemote(remote), e)
        }
      }
      socket.end()
    })
    socket.on('error', () => {
      // 'close' follows.
    })
    socket.on('close', () => {
      this.inbound.delete(socket)
      if (client) {
        client.closed = true
        this.opts.hooks.onClientClosed(client)
      }
    })
  }

  private onPeerFrame(from: NodeId, f: Frame): void {
    const ms = decodeFrameMessages(f)
    for (const m of ms) {
      if (m.to !== this.opts.id || m.from !== from) {
        throw new ProtocolError('malformed', `message ${m.from}->${m.to} on n${from}'s connection`)
      }
    }
    this.stats.received += ms.length
    this.opts.hooks.onMessages(from, ms)
  }

  private checkRemoteHello(f: Frame, role: HelloRole | null): Hello {
    if (f.kind !== FRAME_KIND.hello) throw new ProtocolError('handshake', 'expected a hello first')
    const remote = decodeHello(f.body)
    const roles: HelloRole[] = role ? [role] : ['peer', 'client']
    const verdict = checkHello(this.hello, remote, { roles })
    if (!verdict.ok) throw verdict.error
    if (remote.role === 'peer' && !this.links.has(remote.nodeId)) {
      throw new ProtocolError('handshake', `n${remote.nodeId} is not a member of this cluster`)
    }
    return remote
  }

  private refuse(socket: net.Socket, who: string, e: unknown): void {
    if (!(e instanceof ProtocolError)) throw e
    this.opts.hooks.onWarning(`closed ${who}: ${e.code}: ${e.message}`)
    socket.destroy()
  }
}

function describeRemote(remote: Hello | null): string {
  if (!remote) return 'a connection before its hello'
  return remote.role === 'peer'
    ? `the connection from n${remote.nodeId}`
    : `a ${remote.role} connection`
}
