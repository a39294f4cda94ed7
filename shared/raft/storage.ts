// The core's window onto persisted state. The core only reads through Storage; the host writes
// (after persisting a Ready) and keeps it in step with its disk: appends entries, applies the
// snapshots the core hands it, and — on its own schedule — makes snapshots of its state machine
// and compacts the log they cover (§7).
import { AssertionError, assert } from '../util/assert'
import {
  EMPTY_SNAPSHOT,
  type Entry,
  type HardState,
  type LogUnavailable,
  type NodeId,
  type Snapshot,
  type Storage,
} from './types'

// The Storage interface lives in types.ts with the other types of the core's contract (Config
// holds one), so that types.ts imports nothing from the modules that implement it.
export type { Storage } from './types'

/** entrySizeBytes estimates an entry's encoded size, for batching limits. */
export function entrySizeBytes(e: Entry): number {
  return e.data.length + 16
}

/** limitEntries returns the longest prefix of `ents` within the limits, never fewer than one. */
export function limitEntries(ents: Entry[], maxCount: number, maxSizeBytes: number): Entry[] {
  if (ents.length === 0) return ents
  let size = entrySizeBytes(ents[0] as Entry)
  let n = 1
  while (n < ents.length && n < maxCount) {
    size += entrySizeBytes(ents[n] as Entry)
    if (size > maxSizeBytes) break
    n++
  }
  return n === ents.length ? ents : ents.slice(0, n)
}

/** SnapshotRefusal says why MemoryStorage did not take a snapshot or compact (etcd's
 * ErrSnapOutOfDate and ErrCompacted): 'out-of-date' — it already holds a snapshot at or past
 * that index; 'compacted' — the log is already compacted at or past that index. */
export type SnapshotRefusal = 'out-of-date' | 'compacted'

/** StorageResult is MemoryStorage's answer to a write the host may make at the wrong time. */
export type StorageResult = { ok: true } | { ok: false; reason: SnapshotRefusal }

const OK: StorageResult = { ok: true }

/**
 * MemoryStorage keeps the log, hard state and latest snapshot in memory, like etcd's
 * MemoryStorage. The simulator uses it as the "disk" of a node; a node process uses it as the
 * in-memory mirror of its write-ahead log and snapshot file.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 }
  private snap: Snapshot = EMPTY_SNAPSHOT
  /** ents[0] is a dummy entry standing for the last compacted one (index `offset`, its term). */
  private ents: Entry[] = [{ term: 0, index: 0, type: 'noop', data: new Uint8Array(0) }]

  initialState(): HardState {
    return { ...this.hardState }
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs }
  }

  firstIndex(): number {
    return this.offset() + 1
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1
  }

  term(i: number): number | LogUnavailable {
    const off = this.offset()
    if (i < off) return 'compacted'
    if (i > this.lastIndex()) return 'unavailable'
    return (this.ents[i - off] as Entry).term
  }

  entries(
    lo: number,
    hi: number,
    maxCount: number,
    maxSizeBytes: number,
  ): Entry[] | LogUnavailable {
    const off = this.offset()
    if (lo > hi) throw new AssertionError(`MemoryStorage.entries(${lo}, ${hi}): lo > hi`)
    if (lo <= off) return 'compacted'
    if (hi > this.lastIndex() + 1) return 'unavailable'
    return limitEntries(this.ents.slice(lo - off, hi - off), maxCount, maxSizeBytes)
  }

  snapshot(): Snapshot {
    return this.snap
  }

  /** append stores entries, first dropping any stored entries at or after entries[0].index. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return
    const first = (entries[0] as Entry).index
    const off = this.offset()
    assert(first > off, `MemoryStorage.append at ${first} overwrites compacted entries`)
    assert(first <= this.lastIndex() + 1, `MemoryStorage.append at ${first} leaves a gap`)
    this.ents.length = first - off
    for (const e of entries) this.ents.push(e)
  }

  /**
   * applySnapshot replaces the whole log with `snap` (a Ready's snapshot, from the leader): every
   * stored entry is dropped, and the log goes on from the snapshot's index and term. A snapshot no
   * newer than the one held is refused ('out-of-date').
   */
  applySnapshot(snap: Snapshot): StorageResult {
    if (snap.metadata.index <= this.snap.metadata.index) return { ok: false, reason: 'out-of-date' }
    this.snap = snap
    const { index, term } = snap.metadata
    this.ents = [{ term, index, type: 'noop', data: new Uint8Array(0) }]
    return OK
  }

  /**
   * createSnapshot records the host's own snapshot of its state machine after applying entry
   * `index` (which must be stored, and applied), with the configuration `peers` and the state
   * `data`; it does not compact. A snapshot no newer than the one held is refused ('out-of-date').
   * A host whose storage is a disk writes the snapshot durably before it compacts (see compact).
   */
  createSnapshot(index: number, peers: readonly NodeId[], data: Uint8Array): StorageResult {
    if (index <= this.snap.metadata.index) return { ok: false, reason: 'out-of-date' }
    const term = this.term(index)
    if (term === 'compacted') return { ok: false, reason: 'compacted' }
    assert(term !== 'unavailable', () => {
      return `MemoryStorage.createSnapshot(${index}) past the last index ${this.lastIndex()}`
    })
    this.snap = { metadata: { index, term, peers: [...peers] }, data }
    return OK
  }

  /**
   * compact deletes every entry before `compactIndex`, keeping entry `compactIndex`'s term. The
   * host must compact only entries a durable snapshot covers (compactIndex ≤ the snapshot's index)
   * — deleting others loses committed state for good if it crashes before the snapshot is written —
   * and only entries its state machine has applied. Compacting at or below the first index again
   * is refused ('compacted').
   */
  compact(compactIndex: number): StorageResult {
    const off = this.offset()
    if (compactIndex <= off) return { ok: false, reason: 'compacted' }
    assert(compactIndex <= this.lastIndex(), () => {
      return `MemoryStorage.compact(${compactIndex}) past the last index ${this.lastIndex()}`
    })
    const kept = this.ents[compactIndex - off] as Entry
    const dummy: Entry = {
      term: kept.term,
      index: kept.index,
      type: 'noop',
      data: new Uint8Array(0),
    }
    this.ents = [dummy, ...this.ents.slice(compactIndex - off + 1)]
    return OK
  }

  /** allEntries returns every stored entry (a copy), for inspection in tests and the simulator. */
  allEntries(): Entry[] {
    return this.ents.slice(1)
  }

  private offset(): number {
    return (this.ents[0] as Entry).index
  }
}
