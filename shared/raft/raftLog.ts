// The replicated log as the core sees it: persisted entries (Storage) followed by entries not yet
// persisted ("unstable"), plus the commit and apply indexes (§5.3, Figure 2).
import { assert } from '../util/assert'
import { limitEntries, type Storage } from './storage'
import type { Entry } from './types'

/** RaftLog joins stored and not-yet-stored entries into one log and tracks commit and apply. */
export class RaftLog {
  /** committed is the highest index known to be committed (§5.3: commitIndex). */
  committed: number
  /** applied is the highest index handed to the host for applying (§5.3: lastApplied). */
  applied: number
  /** unstable holds entries after `unstableOffset - 1` that the host has not persisted yet. */
  private unstable: Entry[] = []
  private unstableOffset: number

  constructor(
    private readonly storage: Storage,
    applied: number,
  ) {
    this.unstableOffset = storage.lastIndex() + 1
    this.committed = storage.firstIndex() - 1
    this.applied = Math.max(applied, storage.firstIndex() - 1)
  }

  firstIndex(): number {
    return this.storage.firstIndex()
  }

  lastIndex(): number {
    return this.unstable.length > 0
      ? this.unstableOffset + this.unstable.length - 1
      : this.storage.lastIndex()
  }

  /** term returns the term of entry i, or undefined when i is compacted away or past the end. */
  term(i: number): number | undefined {
    if (i >= this.unstableOffset && this.unstable.length > 0) {
      const e = this.unstable[i - this.unstableOffset]
      return e?.term
    }
    if (i === 0) return 0
    return this.storage.term(i)
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0
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
   * unavailable index's predecessor). A follower uses it to hint the leader past a whole
   * conflicting term at once, and the leader to skip its own entries from a term the follower
   * lacks (fast backtracking, §5.3 "the leader can decrement nextIndex to bypass…").
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex())
    for (; i > 0; i--) {
      const t = this.term(i)
      if (t === undefined || t <= term) break
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

  /** slice returns entries [lo, hi) within the batching limits (always at least one). */
  slice(lo: number, hi: number, maxCount: number, maxSizeBytes: number): Entry[] {
    assert(lo >= this.firstIndex() && hi <= this.lastIndex() + 1, () => {
      return `slice [${lo}, ${hi}) outside [${this.firstIndex()}, ${this.lastIndex() + 1})`
    })
    if (lo >= hi) return []
    let out: Entry[] = []
    if (lo < this.unstableOffset) {
      out = this.storage.entries(lo, Math.min(hi, this.unstableOffset), maxCount, maxSizeBytes)
      if (out.length < Math.min(hi, this.unstableOffset) - lo) return out
    }
    if (hi > this.unstableOffset) {
      const from = Math.max(lo, this.unstableOffset) - this.unstableOffset
      const more = this.unstable.slice(from, hi - this.unstableOffset)
      out = out.length === 0 ? more : out.concat(more)
    }
    return limitEntries(out, maxCount, maxSizeBytes)
  }

  /** stableIndex is the last index known to be persisted (entries after it await the host). */
  stableIndex(): number {
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

  /** stableTo records that entries up to `index` (with `term`) are persisted. */
  stableTo(index: number, term: number): void {
    if (this.unstable.length === 0 || index < this.unstableOffset) return
    // A later append may have replaced the persisted entry meanwhile: then keep it unstable.
    if (this.term(index) !== term) return
    this.unstable = this.unstable.slice(index + 1 - this.unstableOffset)
    this.unstableOffset = index + 1
  }

  /** nextCommittedEntries returns committed entries not yet handed out for applying. */
  nextCommittedEntries(maxCount: number): Entry[] {
    if (this.committed <= this.applied) return []
    return this.slice(this.applied + 1, this.committed + 1, maxCount, Number.POSITIVE_INFINITY)
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > this.applied
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

  /** allEntries returns the whole log (stored and unstable), for inspection. */
  allEntries(): Entry[] {
    const last = this.lastIndex()
    const first = this.firstIndex()
    return last >= first ? this.slice(first, last + 1, Infinity, Infinity) : []
  }
}
