// The node's network, in stages: what the node sends passes the fault plane (faultPlane.ts: the
// lab's cuts, loss and latency on each directed link), is framed and written on the peer's link
// (peerLinks.ts); what arrives on the node's listening socket (inbound.ts) — peers' messages and
// clients' requests — is handed to the node. Every socket speaks the protocol through one stream
// layer (framedConnection.ts).
import {
  DISK_TIMING_MINOR,
  SNAPSHOT_CHUNK_MINOR,
  SNAPSHOT_MINOR,
  encodeDiskTimingFrame,
  encodeMessageFrames,
  makeHello,
  type DiskTiming,
} from '../../../shared/protocol'
import type { LinkRule } from '../../../shared/lab/events'
import type { Message, NodeId, SnapshotStatus } from '../../../shared/raft/types'
import type { Rng } from '../../../shared/util/rng'
import { FaultPlane, type FaultClock } from './faultPlane'
import { Inbound, type InboundHooks } from './inbound'
import { PeerLink } from './peerLinks'
import { SnapshotSender } from './snapshotSender'

export { MAX_BUFFERED_BYTES } from './framedConnection'
export type { ClientConn, ReplyFn } from './inbound'

/** TransportHooks is how the transport hands work to the node. */
export type TransportHooks = InboundHooks

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
  /** dataDir is the node's data directory: an incoming snapshot is assembled in a file there
   * (snapshotReceiver.ts). */
  dataDir: string
  /** snapshotIdleTimeoutMs: an incoming snapshot with no chunk for this long is given up. */
  snapshotIdleTimeoutMs?: number
  peers: ReadonlyMap<NodeId, string>
  /** timeScale stretches injected latency like every other timer. */
  timeScale: number
  /** faultRng seeds the fault plane's loss and jitter (see faultRng). */
  faultRng: Rng
  /** faultClock: the fault plane's clock (tests); default the process's. */
  faultClock?: FaultClock
  hooks: TransportHooks
}

/** Transport runs the node's sockets. */
export class Transport {
  readonly stats: TransportStats = { sent: 0, received: 0, dropped: 0 }
  readonly faults: FaultPlane
  private readonly links = new Map<NodeId, PeerLink>()
  private readonly inbound: Inbound
  /** oldPeerWarned: peers already reported as unable to take a snapshot. */
  private readonly oldPeerWarned = new Set<NodeId>()
  private readonly snapshots: SnapshotSender

  constructor(private readonly opts: TransportOptions) {
    const local = makeHello('peer', opts.id, opts.clusterId)
    const isMember = (id: NodeId): boolean => this.links.has(id)
    for (const [id, path] of opts.peers) {
      this.links.set(
        id,
        new PeerLink(id, path, { local, isMember, onWarning: opts.hooks.onWarning }),
      )
    }
    this.faults = new FaultPlane({
      from: opts.id,
      peers: [...opts.peers.keys()],
      rng: opts.faultRng,
      timeScale: opts.timeScale,
      ...(opts.faultClock ? { clock: opts.faultClock } : {}),
    })
    this.snapshots = new SnapshotSender({
      faults: this.faults,
      onStatus: (to, status) => {
        // Never inside send: the host's Ready loop may be the caller.
        const hook = opts.hooks.onSnapshotSent
        if (hook) queueMicrotask(() => hook(to, status))
      },
      onReport: (r) => opts.hooks.onSnapshotTransfer?.(r),
      onWarning: (m) => opts.hooks.onWarning(m),
      onCounted: (outcome) => {
        this.stats[outcome]++
      },
      nowMs: () => performance.now(),
    })
    this.inbound = new Inbound({
      id: opts.id,
      local,
      listenPath: opts.listenPath,
      dataDir: opts.dataDir,
      ...(opts.snapshotIdleTimeoutMs !== undefined
        ? { snapshotIdleTimeoutMs: opts.snapshotIdleTimeoutMs }
        : {}),
      isMember,
      hooks: opts.hooks,
      onReceived: (count) => {
        this.stats.received += count
      },
    })
  }

  /** listen starts accepting connections; a stale socket file from a crashed run is removed. */
  listen(): Promise<void> {
    return this.inbound.listen()
  }

  /** connectAll opens the outgoing connection to every peer (each retries on its own). */
  connectAll(): void {
    for (const link of this.links.values()) link.connect()
  }

  /** setRules replaces the fault rules for our outgoing links. */
  setRules(rules: readonly LinkRule[]): void {
    this.faults.setRules(rules)
  }

  /** send delivers one peer's messages of a Ready through that link's fault rule. `disk`, the
   * timing of the disk write their acknowledgements waited for, goes just before them to a peer
   * that understands it (protocol 1.1), and only if an acknowledgement survives the rule. */
  send(to: NodeId, ms: Message[], disk: DiskTiming | null = null): void {
    const link = this.links.get(to)
    if (!link || ms.length === 0) return
    if (ms.some((m) => m.type === 'MsgSnap')) {
      for (const m of ms) if (m.type === 'MsgSnap') this.sendSnapshot(link, m)
      ms = ms.filter((m) => m.type !== 'MsgSnap')
      if (ms.length === 0) return
    }
    const out = this.faults.admit(to, ms)
    this.stats.dropped += ms.length - out.length
    if (out.length === 0) return
    let frames: Uint8Array[]
    try {
      frames = encodeMessageFrames(out)
    } catch (e) {
      this.opts.hooks.onWarning(`could not encode messages for n${to}: ${(e as Error).message}`)
      this.stats.dropped += out.length
      return
    }
    if (disk && link.remoteMinor >= DISK_TIMING_MINOR && out.some(isAcknowledgement)) {
      frames = [encodeDiskTimingFrame(disk), ...frames]
    }
    this.stats.sent += out.length
    this.faults.forward(to, () => {
      // Not connected, or the peer is not reading (paused, overloaded): drop, Raft resends.
      if (!link.write(frames)) this.stats.dropped += out.length
    })
  }

  /**
   * sendSnapshot sends a MsgSnap and tells the node how it went (onSnapshotSent), so the leader's
   * core stops waiting for it (reportSnapshot). To a peer that announced SNAPSHOT_CHUNK_MINOR it
   * goes in chunks, with flow control (snapshotSender.ts); to a 1.2 peer whole, in one frame
   * (so within the frame limit), through the link's fault rule. A peer whose hello announced a
   * minor below SNAPSHOT_MINOR cannot read it: that is a failure too.
   */
  private sendSnapshot(link: PeerLink, m: Message): void {
    if (link.remoteMinor >= SNAPSHOT_CHUNK_MINOR) {
      this.snapshots.send(link, m)
      return
    }
    const report = (status: SnapshotStatus): void => {
      const hook = this.opts.hooks.onSnapshotSent
      if (hook) queueMicrotask(() => hook(m.to, status))
    }
    const failed = (): void => {
      this.stats.dropped++
      report('failed')
    }
    if (link.remoteMinor < SNAPSHOT_MINOR) {
      if (link.remoteMinor > 0 && !this.oldPeerWarned.has(m.to)) {
        this.oldPeerWarned.add(m.to)
        this.opts.hooks.onWarning(
          `n${m.to} speaks protocol minor ${link.remoteMinor}, before MsgSnap: it cannot catch up`,
        )
      }
      failed()
      return
    }
    const out = this.faults.admit(m.to, [m])
    this.stats.dropped += 1 - Math.min(1, out.length)
    if (out.length === 0) {
      report('failed')
      return
    }
    let frames: Uint8Array[]
    try {
      frames = encodeMessageFrames(out)
    } catch (e) {
      this.opts.hooks.onWarning(`could not send a snapshot to n${m.to}: ${(e as Error).message}`)
      failed()
      return
    }
    this.stats.sent += out.length
    this.faults.forward(m.to, () => {
      if (link.write(frames)) report('finished')
      else failed()
    })
  }

  /** flushClients sends every held client answer now. */
  flushClients(): void {
    this.inbound.flushClients()
  }

  /** close stops listening and closes every connection. */
  close(): void {
    this.inbound.close()
    this.snapshots.close()
    this.faults.close()
    for (const link of this.links.values()) link.close()
  }
}

function isAcknowledgement(m: Message): boolean {
  return m.type === 'MsgAppResp' && !m.reject
}
