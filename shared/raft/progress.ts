// A leader's view of each follower's replication (§5.3: nextIndex and matchIndex), with the flow
// control etcd's raft uses: a follower is probed one message at a time until its match is known,
// then replicated to with a bounded pipeline of in-flight MsgApps; a follower that needs entries
// the leader has compacted is sent a snapshot (§7) and gets nothing else until it is through.
import type { NodeId, ProgressStatus } from './types'

/** Inflights is a bounded FIFO of the last indexes of unacknowledged MsgApps to one follower. */
export class Inflights {
  private readonly buf: number[]
  private start = 0
  count = 0

  constructor(readonly capacity: number) {
    this.buf = new Array<number>(capacity).fill(0)
  }

  isFull(): boolean {
    return this.count >= this.capacity
  }

  add(lastIndex: number): void {
    this.buf[(this.start + this.count) % this.capacity] = lastIndex
    this.count++
  }

  /** freeLE releases every in-flight message whose last index is ≤ index (acknowledged). */
  freeLE(index: number): void {
    while (this.count > 0 && (this.buf[this.start] as number) <= index) {
      this.start = (this.start + 1) % this.capacity
      this.count--
    }
  }

  /** freeFirst releases the oldest message, making room for one more. */
  freeFirst(): void {
    if (this.count === 0) return
    this.start = (this.start + 1) % this.capacity
    this.count--
  }

  reset(): void {
    this.start = 0
    this.count = 0
  }
}

/** ProgressState: 'probe' sends one MsgApp per heartbeat until a reply shows where the logs
 * match; 'replicate' streams entries optimistically within the in-flight bound; 'snapshot' waits,
 * sending no appends, while a snapshot is on its way — until the follower acknowledges it or the
 * host reports how its delivery went (RaftNode.reportSnapshot). */
export type ProgressState = 'probe' | 'replicate' | 'snapshot'

/** Progress tracks one follower on the leader. */
export class Progress {
  /** match is the highest index known to be replicated on the follower (matchIndex). */
  match = 0
  /** next is the index of the next entry to send (nextIndex). */
  next: number
  state: ProgressState = 'probe'
  /** pendingSnapshot is the index of the snapshot sent in state 'snapshot' (0 once its delivery
   * failed: probing then starts again from the match). */
  pendingSnapshot = 0
  /** probeSent pauses a probing follower until it answers or a heartbeat round passes. */
  probeSent = false
  /** recentActive records contact within the current election timeout (CheckQuorum). */
  recentActive = true
  readonly inflights: Inflights

  constructor(
    readonly id: NodeId,
    next: number,
    maxInflight: number,
  ) {
    this.next = next
    this.inflights = new Inflights(maxInflight)
  }

  /** becomeProbe starts probing from the match — or, leaving state 'snapshot', from after the
   * snapshot that went through (pendingSnapshot), as the follower holds it now. */
  becomeProbe(): void {
    const from = this.state === 'snapshot' ? Math.max(this.match, this.pendingSnapshot) : this.match
    this.reset('probe')
    this.next = from + 1
  }

  becomeReplicate(): void {
    this.reset('replicate')
    this.next = this.match + 1
  }

  /** becomeSnapshot records that snapshot `index` was sent: no appends until it is through. */
  becomeSnapshot(index: number): void {
    this.reset('snapshot')
    this.pendingSnapshot = index
    this.next = index + 1
  }

  private reset(state: ProgressState): void {
    this.state = state
    this.probeSent = false
    this.pendingSnapshot = 0
    this.inflights.reset()
  }

  /** isPaused reports whether the leader must hold back further MsgApps to this follower. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent
      case 'replicate':
        return this.inflights.isFull()
      case 'snapshot':
        return true
    }
  }

  /** sentEntries records a MsgApp whose last entry is `lastIndex` (or a probe without entries). */
  sentEntries(lastIndex: number, count: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1
        this.inflights.add(lastIndex)
      }
    } else {
      this.probeSent = true
    }
  }

  /** maybeUpdate records an acknowledgement up to n; it returns whether match advanced. */
  maybeUpdate(n: number): boolean {
    const advanced = n > this.match
    if (advanced) {
      this.match = n
      this.probeSent = false
    }
    this.next = Math.max(this.next, n + 1)
    return advanced
  }

  /**
   * maybeDecrTo handles a rejected MsgApp whose prevLogIndex was `rejected`; `matchHint` is the
   * highest index that might match. It returns false for a stale rejection.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    // A rejection that arrives while a snapshot is on its way answers an older append: the
    // snapshot, not the log, decides where the follower stands now.
    if (this.state === 'snapshot') return false
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1)
    this.probeSent = false
    return true
  }

  status(): ProgressStatus {
    return {
      id: this.id,
      matchIndex: this.match,
      nextIndex: this.next,
      state: this.state,
      pendingSnapshot: this.pendingSnapshot,
      inflight: this.inflights.count,
      recentActive: this.recentActive,
    }
  }
}

/** quorum returns the number of votes that make a majority of n voters (§5.2). */
export function quorum(n: number): number {
  return Math.floor(n / 2) + 1
}
