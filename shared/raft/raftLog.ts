// The replicated log as the core sees it: persisted entries (Storage) followed by entries not yet
// persisted ("unstable"), plus the commit and apply indexes (§5.3, Figure 2). A snapshot received
// from the leader (§7) is unstable too until the host has persisted it: it stands in for every
// entry up to its index, and the unstable entries, if any, follow it.
import { AssertionError, assert } from '../util/assert'
import { limitEntries, type Storage } from './storage'
import type { Entry, LogUnavailable, Snapshot, SnapshotUnavailable } from './types'

/** RaftLog joins stored and not-yet-stored entries into one log and tracks commit and apply. */
export class RaftLog {
  /** committed is the highest index known to be committed (§5.3: commitIndex). */
  committed: number
  /** applied is the highest index handed to the host for applying (§5.3: lastApplied). */
  applied: number
  /** unstable holds entries after `unstableOffset - 1` that the host has not persisted yet. */
  private unstable: Entry[] = []
  private unstableOffset: number
  /** unstableSnapshot is a snapshot to restore that the host has not persisted yet; when set,
   * unstableOffset is its index + 1 and the stored log is ignored: it is about to be replaced. */
  private unstableSnapshot: Snapshot | null = null

  constructor(
    private readonly storage: Storage,
    applied: number,
  ) {
    this.unstableOffset = storage.lastIndex() + 1
    const compacted = storage.firstIndex() - 1
    assert(applied <= storage.lastIndex(), () => {
      return `applied ${applied} is past the last stored index ${storage.lastIndex()}`
    })
    // What the state machine holds was committed (the host applies only committed entries), and
    // so is everything a snapshot covers.
    this.committed = Math.max(compacted, applied)
    this.applied = Math.max(applied, compacted)
  }

  firstIndex(): number {
    return this.unstableSnapshot
      ? this.unstableSnapshot.metadata.index + 1
      : this.storage.firstIndex()
  }

  lastIndex(): number {
    if (this.unstable.length > 0) return this.unstableOffset + this.unstable.length - 1
    if (this.unstableSnapshot) return this.unstableSnapshot.metadata.index
    return this.storage.lastIndex()
  }

  /** term returns the term of entry i for firstIndex()-1 ≤ i ≤ lastIndex() — the entry before the
   * first is the last one compacted, whose term is kept — else 'compacted' or 'unavailable'. */
  term(i: number): number | LogUnavailable {
    if (i >= this.unstableOffset) {
      const e = this.unstable[i - this.unstableOffset]
      return e ? e.term : 'unavailable'
    }
    // Below the unstable entries: the pending snapshot stands for everything up to its index;
    // else the storage holds them (the host persisted everything before unstableOffset).
    const snap = this.unstableSnapshot
    if (snap) return i === snap.metadata.index ? snap.metadata.term : 'compacted'
    return this.storage.term(i)
  }

  lastTerm(): number {
    const t = this.term(this.lastIndex())
    if (typeof t !== 'number') throw new AssertionError(`no term for the last index: ${t}`)
    return t
  }

  /** matchTerm reports whether entry i exists with the given term (§5.3 consistency check). */
  matchTerm(i: number, term: number): boolean {
    return this.term(i) === term
  }

  /** isUpToDate compares a candidate's last entry with ours (§5.4.1): the later term wins; with
   * equal terms, the longer log wins. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm()
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex())
  }

  /**
   * findConflict returns the index of the first entry in `ents` whose term differs from ours, or
   * that we do not have; 0 when we hold all of them already.
   */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index
    }
    return 0
  }

  /**
   * findConflictByTerm returns the largest index ≤ `index` whose term is ≤ `term` (or the first
   * index whose term is unknown, compacted: it might match). A follower uses it to hint the leader
   * past a whole conflicting term at once, and the leader to skip its own entries from a term the
   * follower lacks (fast backtracking, §5.3 "the leader can decrement nextIndex to bypass…").
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex())
    for (; i > 0; i--) {
      const t = this.term(i)
      if (typeof t !== 'number' || t <= term) break
    }
    return i
  }

  /**
   * maybeAppend handles AppendEntries after its consistency check (§5.3): when our entry at
   * prevIndex has prevTerm, it deletes any conflicting suffix, appends the new entries, advances
   * the commit index to min(leaderCommit, index of the last new entry) and returns that last new
   * index. It returns null when the check fails.
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    leaderCommit: number,
    ents: Entry[],
  ): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null
    const lastNew = prevIndex + ents.length
    const conflict = this.findConflict(ents)
    if (conflict !== 0) {
      assert(conflict > this.committed, () => {
        return `entry ${conflict} conflicts with committed entry (committed ${this.committed})`
      })
      this.append(ents.slice(conflict - prevIndex - 1))
    }
    this.commitTo(Math.min(leaderCommit, lastNew))
    return lastNew
  }

  /** append adds entries after truncating any entries at or after ents[0].index. */
  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex()
    const first = (ents[0] as Entry).index
    assert(first > this.committed, `append at ${first} would overwrite committed ${this.committed}`)
    assert(
      first <= this.lastIndex() + 1,
      `append at ${first} leaves a gap after ${this.lastIndex()}`,
    )
    if (first === this.unstableOffset + this.unstable.length) {
      for (const e of ents) this.unstable.push(e)
    } else if (first <= this.unstableOffset) {
      // The new entries replace everything from `first`, including stored ones: the host will
      // truncate its storage when it persists them.
      this.unstableOffset = first
      this.unstable = ents.slice()
    } else {
      this.unstable = this.unstable.slice(0, first - this.unstableOffset).concat(ents)
    }
    return this.lastIndex()
  }

  /** slice returns entries [lo, hi) within the batching limits (always at least one), or
   * 'compacted' when lo is below the first index. */
  slice(lo: number, hi: number, maxCount: number, maxSizeBytes: number): Entry[] | LogUnavailable {
    assert(lo <= hi && hi <= this.lastIndex() + 1, () => {
      return `slice [${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`
    })
    if (lo < this.firstIndex()) return 'compacted'
    if (lo >= hi) return []
    let out: Entry[] = []
    if (lo < this.unstableOffset) {
      const stored = this.storage.entries(
        lo,
        Math.min(hi, this.unstableOffset),
        maxCount,
        maxSizeBytes,
      )
      if (typeof stored === 'string') return stored
      out = stored
      if (out.length < Math.min(hi, this.unstableOffset) - lo) return out
    }
    if (hi > this.unstableOffset) {
      const from = Math.max(lo, this.unstableOffset) - this.unstableOffset
      const more = this.unstable.slice(from, hi - this.unstableOffset)
      out = out.length === 0 ? more : out.concat(more)
    }
    return limitEntries(out, maxCount, maxSizeBytes)
  }

  /** stableIndex is the last index known to be persisted (entries after it await the host). While
   * a snapshot awaits persistence nothing of the log it starts is known persisted: 0. */
  stableIndex(): number {
    if (this.unstableSnapshot) return 0
    return this.unstable.length > 0 ? this.unstableOffset - 1 : this.lastIndex()
  }

  /** unstableEntries returns the entries the host has yet to persist. */
  unstableEntries(): Entry[] {
    return this.unstable.slice()
  }

  /** hasUnstable reports whether some entries await persistence. */
  hasUnstable(): boolean {
    return this.unstable.length > 0
  }

  /** pendingSnapshot returns the snapshot the host has yet to persist and restore, or null. */
  pendingSnapshot(): Snapshot | null {
    return this.unstableSnapshot
  }

  /** stableTo records that entries up to `index` (with `term`) are persisted. */
  stableTo(index: number, term: number): void {
    if (this.unstable.length === 0 || index < this.unstableOffset) return
    // A later append may have replaced the persisted entry meanwhile: then keep it unstable.
    if (this.term(index) !== term) return
    this.unstable = this.unstable.slice(index + 1 - this.unstableOffset)
    this.unstableOffset = index + 1
  }

  /** stableSnapTo records that the snapshot at `index` is persisted (a newer one that arrived
   * meanwhile stays pending). */
  stableSnapTo(index: number): void {
    if (this.unstableSnapshot?.metadata.index === index) this.unstableSnapshot = null
  }

  /**
   * restore replaces the log with snapshot `snap` (§7: "discard the entire log"): the log now
   * starts after it, and everything it covers is committed. The caller checks that it moves the
   * commit index forward (RaftNode.restore).
   */
  restore(snap: Snapshot): void {
    this.committed = snap.metadata.index
    this.unstableSnapshot = snap
    this.unstableOffset = snap.metadata.index + 1
    this.unstable = []
  }

  /** snapshot returns the latest snapshot: the pending one, else the stored one. */
  snapshot(): Snapshot | SnapshotUnavailable {
    return this.unstableSnapshot ?? this.storage.snapshot()
  }

  /** snapshotIndex is the index of the latest snapshot (the compaction point when the storage
   * cannot say at the moment). */
  snapshotIndex(): number {
    const s = this.snapshot()
    return typeof s === 'string' ? this.firstIndex() - 1 : s.metadata.index
  }

  /** nextCommittedEntries returns committed entries not yet handed out for applying, at most
   * maxSizeBytes of them (at least one); none while a snapshot awaits restoring, as they follow
   * it. */
  nextCommittedEntries(maxSizeBytes: number): Entry[] {
    if (!this.hasNextCommittedEntries()) return []
    const ents = this.slice(this.applied + 1, this.committed + 1, Infinity, maxSizeBytes)
    if (typeof ents === 'string') {
      throw new AssertionError(
        `committed entries from ${this.applied + 1} are ${ents}: the host compacted entries it had not applied`,
      )
    }
    return ents
  }

  hasNextCommittedEntries(): boolean {
    return this.unstableSnapshot === null && this.committed > this.applied
  }

  /** commitTo raises the commit index; it never lowers it (§5.3, Figure 2). */
  commitTo(index: number): void {
    if (index <= this.committed) return
    assert(index <= this.lastIndex(), () => {
      return `commit ${index} is past the last index ${this.lastIndex()}`
    })
    this.committed = index
  }

  appliedTo(index: number): void {
    if (index === 0) return
    assert(index <= this.committed && index >= this.applied, () => {
      return `applied ${index} outside [${this.applied}, ${this.committed}]`
    })
    this.applied = index
  }

  /** allEntries returns the whole log (stored and unstable) from the first index, for
   * inspection. */
  allEntries(): Entry[] {
    const last = this.lastIndex()
    const first = this.firstIndex()
    if (last < first) return []
    const ents = this.slice(first, last + 1, Infinity, Infinity)
    assert(typeof ents !== 'string', () => `the log's own entries are ${String(ents)}`)
    return ents
  }
}
