// The core's window onto persisted state. The core only reads through Storage; the host writes
// (after persisting a Ready) and keeps it in step with its disk. Snapshots and compaction will
// extend this interface: firstIndex() > 1 already means "entries before it are gone".
import { assert } from '../util/assert'
import type { Entry, HardState, Storage } from './types'

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

/**
 * MemoryStorage keeps the log and hard state in memory. The simulator uses it as the "disk" of a
 * node; a node process uses it as the in-memory mirror of its write-ahead log.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 }
  /** ents[0] is a dummy entry standing for the last compacted one (index `offset`). */
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

  term(i: number): number | undefined {
    const off = this.offset()
    if (i < off || i > this.lastIndex()) return undefined
    return (this.ents[i - off] as Entry).term
  }

  entries(lo: number, hi: number, maxCount: number, maxSizeBytes: number): Entry[] {
    const off = this.offset()
    assert(lo > off && hi <= this.lastIndex() + 1 && lo <= hi, () => {
      return `MemoryStorage.entries(${lo}, ${hi}) outside (${off}, ${this.lastIndex() + 1}]`
    })
    return limitEntries(this.ents.slice(lo - off, hi - off), maxCount, maxSizeBytes)
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

  /** allEntries returns every stored entry (a copy), for inspection in tests and the simulator. */
  allEntries(): Entry[] {
    return this.ents.slice(1)
  }

  private offset(): number {
    return (this.ents[0] as Entry).index
  }
}
