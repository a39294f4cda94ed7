// Latency attribution: the moments a sampled request reaches on this node, as TimingMarks its
// answer carries back (electron/lab/clients/workload.ts `attribute()` turns a write's marks into
// the benchmark's table: leader queue, leader disk, replication, follower disk, commit/apply).
// A leader learns its followers' disk times from the diskTiming frames that precede their
// acknowledgements (shared/protocol/diskTiming.ts); the acknowledgement that completes a
// write's quorum names its follower and that follower's disk time.
import type { ClientRequest, DiskTiming, TimingMark, TimingStage } from '../../../shared/protocol'
import type { NodeId } from '../../../shared/raft/types'

/** MonoClock reads a monotonic clock in nanoseconds (process.hrtime.bigint in a node). */
export type MonoClock = () => bigint

/** Timed is a request whose stages are timed when it asked for it (`req.timing`). */
export interface Timed {
  readonly req: ClientRequest
  /** startNs: when the node received the request. */
  readonly startNs: bigint
  readonly marks: TimingMark[]
}

/** WriteTiming stamps TimingMarks and remembers the peers' disk times. */
export class WriteTiming {
  /** peerDisk holds each peer's latest disk timing. */
  private readonly peerDisk = new Map<NodeId, DiskTiming>()

  constructor(private readonly nowNs: MonoClock) {}

  /** mark records that `p` reached `stage` now, if it asked for timing. */
  mark(p: Timed, stage: TimingStage): void {
    if (!p.req.timing) return
    p.marks.push({ stage, micros: this.microsSince(p) })
  }

  /** noteDiskTiming remembers `from`'s report of its latest disk write. */
  noteDiskTiming(from: NodeId, t: DiskTiming): void {
    this.peerDisk.set(from, t)
  }

  /** followerPersistMicros is how long `from`'s disk write that made `index` durable took, as
   * it reported; 0 when it reported none for that index. */
  followerPersistMicros(from: NodeId, index: number): number {
    const t = this.peerDisk.get(from)
    return t && t.firstIndex <= index && index <= t.lastIndex ? t.micros : 0
  }

  /** markQuorum records that `p` is acknowledged by a quorum now: `from`'s acknowledgement of
   * `index` completed it. */
  markQuorum(p: Timed, from: NodeId, index: number): void {
    if (!p.req.timing) return
    p.marks.push({
      stage: 'quorumAcked',
      micros: this.microsSince(p),
      node: from,
      followerPersistMicros: this.followerPersistMicros(from, index),
    })
  }

  private microsSince(p: Timed): number {
    return Number(this.nowNs() - p.startNs) / 1000
  }
}
