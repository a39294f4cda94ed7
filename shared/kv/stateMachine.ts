// What Raft replicates, seen from the host: a deterministic state machine fed committed entries in
// order, that can be saved to bytes and rebuilt from them — a snapshot (§7: log compaction).
import type { Entry } from '../raft/types'

/**
 * StateMachine is a replicated state machine a host drives from its Ready loop. `apply` takes
 * committed entries in index order, each once; `snapshot` returns the whole state as bytes (the
 * data of a Raft Snapshot), and `restore` replaces the whole state with one — after a restart, or
 * when a leader sent a snapshot. Replicas that applied the same entries, or restored the same
 * bytes, hold the same state. `snapshot` captures the state when called; a host may encode it in
 * slices (KvStore.snapshotEncoder) while it goes on applying.
 */
export interface StateMachine<Result> {
  /** appliedIndex is the index of the last entry applied, or of the snapshot restored (0: empty). */
  readonly appliedIndex: number
  /** apply applies the committed entry at appliedIndex + 1 and returns its result. */
  apply(entry: Entry): Result
  /** snapshot encodes the state as of appliedIndex. */
  snapshot(): Uint8Array
  /** restore replaces the state with one `snapshot` encoded; it throws DecodeError for bytes it
   * cannot read, and then leaves the state as it was. */
  restore(bytes: Uint8Array): void
}
