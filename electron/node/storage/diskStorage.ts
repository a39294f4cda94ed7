// DiskStorage: a Raft node's durable state — the segmented WAL (wal.ts), the hard-state file
// (hardStateFile.ts) and the snapshot files (snapshotFile.ts) — behind the one call the node
// makes per Ready, plus taking and installing snapshots, with an in-memory mirror that the core
// reads through the Storage interface.
import fs from 'node:fs'
import path from 'node:path'
import { MemoryStorage, type Storage } from '../../../shared/raft/storage'
import type { Entry, HardState, NodeId, Snapshot } from '../../../shared/raft/types'
import { AssertionError, assert } from '../../../shared/util/assert'
import { type FsyncPolicy, type SyncStats, fsyncDir, newSyncStats } from './durableFs'
import { InconsistentStateError, StorageFailedError } from './errors'
import { HARD_STATE_FILE, recoverHardState, writeHardState } from './hardStateFile'
import { checkRecoveredState } from './recoveryCheck'
import { loadNewestSnapshot, removeOldSnapshotFiles, writeSnapshotFile } from './snapshotFile'
import { type TornTail, Wal } from './wal'

/** DEFAULT_SEGMENT_SIZE_BYTES is the size at which a WAL segment is sealed and a new one begun
 * (etcd uses the same 64 MiB): large enough that rollovers are rare. Each snapshot also seals the
 * current segment, so compaction has whole segments to delete whatever their size. */
export const DEFAULT_SEGMENT_SIZE_BYTES = 64 * 1024 * 1024

/** DiskStorageOptions configures DiskStorage.open. */
export interface DiskStorageOptions {
  /** dir is the storage directory, owned by this node alone; it is created if missing. */
  dir: string
  /** fsync is the sync policy, 'always' by default; 'never' is an UNSAFE benchmark knob (see
   * FsyncPolicy). */
  fsync?: FsyncPolicy
  /** segmentSizeBytes is the rollover threshold; a batch never splits, so a segment may exceed
   * it by one batch. Tests set it small. */
  segmentSizeBytes?: number
  /** members are the cluster's node ids; when given, a stored vote for any other id is refused
   * (the directory holds another cluster's state). */
  members?: readonly NodeId[]
}

/** SavedSnapshot is where a snapshot was written and what compaction then deleted. */
export interface SavedSnapshot {
  filePath: string
  sizeBytes: number
  /** removedSegments counts the WAL segment files deleted. */
  removedSegments: number
}

/** RecoveryReport is what DiskStorage.open found and repaired; the node sends it as telemetry. */
export interface RecoveryReport {
  dir: string
  fsync: FsyncPolicy
  /** entryCount is the number of live entries recovered (after replaying truncations). */
  entryCount: number
  firstIndex: number
  lastIndex: number
  /** lastTerm is the term of the last entry (0 for an empty log). */
  lastTerm: number
  /** snapshotIndex is the index of the snapshot the log goes on from (0: none). */
  snapshotIndex: number
  /** snapshotFile is the snapshot file loaded (null: none). */
  snapshotFile: string | null
  hardState: HardState
  /** hasHardStateFile is false on a fresh directory (the hard state is then all zeros). */
  hasHardStateFile: boolean
  segmentCount: number
  recordCount: number
  /** truncatedTailBytes counts bytes of a torn tail cut from the last segment. */
  truncatedTailBytes: number
  tornTail: TornTail | null
  /** removedTempFiles counts files a crash left half-made (never part of the durable state). */
  removedTempFiles: number
  /** clampedCommit is the stored commit index when it exceeded lastIndex and was lowered to it
   * (only under policy 'never', where an OS crash loses unsynced writes; under 'always' open
   * refuses instead); else null. */
  clampedCommit: number | null
  /** warnings describe, for a person, what recovery repaired that lost data (the node reports
   * each as a warning); empty when nothing was lost. */
  warnings: string[]
  durationMs: number
}

/**
 * DiskStorage is a node's durable log and hard state. Open it with DiskStorage.open, give the
 * core storage(), and call append once per Ready before sending that Ready's messages.
 * After any I/O error every call throws StorageFailedError: the node must exit and restart.
 */
export class DiskStorage {
  /** recovery reports what open found. */
  readonly recovery: RecoveryReport
  private readonly memory = new MemoryStorage()
  private readonly ioStats: SyncStats
  /** persisted is the term and vote in the hard-state file (its commit matters less: below). */
  private persisted: HardState
  /** commitWritten is the last commit index written to the WAL or the hard-state file. */
  private commitWritten: number
  private failure: unknown = null
  private closed = false

  private constructor(
    private readonly opts: Required<Omit<DiskStorageOptions, 'members'>>,
    private readonly wal: Wal,
    stats: SyncStats,
    recovery: RecoveryReport,
  ) {
    this.ioStats = stats
    this.recovery = recovery
    this.persisted = { ...recovery.hardState }
    this.commitWritten = recovery.hardState.commit
  }

  /**
   * open recovers the storage in `options.dir`: it reads the hard-state file, replays the WAL
   * (cutting a torn tail from the last segment) and loads the live log into the in-memory mirror.
   * It throws WalCorruptionError or HardStateCorruptionError for damage it will not guess about,
   * InconsistentStateError for intact files that contradict each other (checkRecoveredState:
   * committed entries lost under 'always', a lost or stale term, an impossible vote), and lets
   * I/O errors through. Whatever it returns, the Raft core can start from.
   */
  static open(options: DiskStorageOptions): DiskStorage {
    const startMs = performance.now()
    const opts: Required<Omit<DiskStorageOptions, 'members'>> = {
      dir: options.dir,
      fsync: options.fsync ?? 'always',
      segmentSizeBytes: options.segmentSizeBytes ?? DEFAULT_SEGMENT_SIZE_BYTES,
    }
    assert(opts.segmentSizeBytes > 0, 'segmentSizeBytes must be positive')
    const stats = newSyncStats()
    const created = fs.mkdirSync(opts.dir, { recursive: true })
    if (created !== undefined && opts.fsync === 'always') fsyncDir(path.dirname(created), stats)

    const hs = recoverHardState(opts.dir)
    const loaded = loadNewestSnapshot(opts.dir)
    const snap = loaded.snapshot
    const snapIndex = snap?.metadata.index ?? 0
    const { wal, recovery: walRecovery } = Wal.open({ ...opts, stats, requireSegments: hs.exists })
    // Only the WAL's entries after the snapshot are live; the snapshot must reach the WAL's start.
    const entries = walRecovery.entries.filter((e) => e.index > snapIndex)
    const lastEntry = entries[entries.length - 1]
    const lastIndex = lastEntry?.index ?? snapIndex
    const warnings: string[] = []
    let checked
    try {
      if (walRecovery.firstIndex - 1 > snapIndex) {
        const damaged = loaded.skipped.map((f) => `${f.filePath} (${f.reason})`)
        const files = loaded.skipped.map((f) => f.filePath)
        const why =
          damaged.length > 0
            ? `the snapshot that covers them is damaged: ${damaged.join(', ')}`
            : snap
              ? `the newest snapshot, ${String(loaded.filePath)}, ends at index ${snapIndex}`
              : 'no snapshot file covers them'
        throw new InconsistentStateError(
          opts.dir,
          files.length > 0 ? files : walRecovery.segmentFiles.slice(0, 1),
          `the log starts at index ${walRecovery.firstIndex} and ${why}`,
        )
      }
      for (const f of loaded.skipped) {
        warnings.push(
          `snapshot file ${f.filePath} is damaged (${f.reason}); started from ` +
            (loaded.filePath !== null ? `the older ${loaded.filePath}` : 'the log alone'),
        )
      }
      // A snapshot written just before a crash may be past the WAL's end (a leader's, installed
      // before the WAL was reset; or one of entries not yet in this node's WAL): the log goes on
      // after the snapshot.
      if (wal.lastIndex() < snapIndex) wal.resetTo(snapIndex)
      // The commit index is the larger of the file's and the WAL's (it only grows).
      checked = checkRecoveredState({
        dir: opts.dir,
        fsync: opts.fsync,
        members: options.members ?? null,
        hardState: hs.hardState,
        hardStateFile: path.join(opts.dir, HARD_STATE_FILE),
        hasHardStateFile: hs.exists,
        wal: { ...walRecovery, entries },
        snapshot: snap ? { index: snapIndex, term: snap.metadata.term } : null,
      })
    } catch (err) {
      wal.close()
      throw err
    }
    const hardState = checked.hardState
    const report: RecoveryReport = {
      dir: opts.dir,
      fsync: opts.fsync,
      entryCount: entries.length,
      firstIndex: snapIndex + 1,
      lastIndex,
      lastTerm: lastEntry?.term ?? snap?.metadata.term ?? 0,
      snapshotIndex: snapIndex,
      snapshotFile: loaded.filePath,
      hardState,
      hasHardStateFile: hs.exists,
      segmentCount: walRecovery.segmentCount,
      recordCount: walRecovery.recordCount,
      truncatedTailBytes: walRecovery.truncatedTailBytes,
      tornTail: walRecovery.tornTail,
      removedTempFiles: walRecovery.removedTempFiles + (hs.removedTemp ? 1 : 0),
      clampedCommit: checked.clampedCommit,
      warnings: [...warnings, ...checked.warnings],
      durationMs: 0,
    }
    const storage = new DiskStorage(opts, wal, stats, report)
    if (snap) storage.memory.applySnapshot(snap)
    storage.memory.append(entries)
    storage.memory.setHardState(hardState)
    report.durationMs = performance.now() - startMs
    return storage
  }

  /** storage returns the core's read view: the in-memory mirror of what is on disk. It changes
   * only through append. */
  storage(): Storage {
    return this.memory
  }

  /**
   * append persists one Ready: `entries` (first dropping stored entries at or after
   * entries[0].index) and `hardState` if not null. With policy 'always' and `mustSync`, all of it
   * is durable when append returns, at the cost of one fdatasync for the entries, however many,
   * plus, when term or vote changed, the hard-state file's atomic replace (fsync, rename,
   * directory fsync). Without `mustSync` nothing is synced (a commit-only change: Figure 2 keeps
   * commitIndex volatile). The entries' data must not be mutated afterwards (they are mirrored
   * in memory, not copied).
   *
   * Term and vote are written before the entries, so a crash between the two never leaves a log
   * holding entries of a term newer than the node's persisted currentTerm.
   */
  append(entries: readonly Entry[], hardState: HardState | null, mustSync: boolean): void {
    assert(!this.closed, 'DiskStorage used after close()')
    if (this.failure !== null) throw new StorageFailedError(this.opts.dir, this.failure)
    if (hardState) {
      assert(hardState.term >= this.persisted.term, () => {
        return `hard state term ${hardState.term} is below the stored ${this.persisted.term}`
      })
    }
    try {
      if (hardState) {
        const first = entries[0]
        this.persistTermAndVote(hardState, first ? first.index - 1 : Infinity)
      }
      const commit = hardState && hardState.commit !== this.commitWritten ? hardState.commit : null
      this.wal.append(entries, commit, mustSync)
      if (commit !== null) this.commitWritten = commit
    } catch (err) {
      // An assertion is a bug in the caller, not a failed disk: the storage stays usable.
      if (!(err instanceof StorageFailedError || err instanceof AssertionError)) this.failure = err
      throw err
    }
    this.memory.append(entries)
    if (hardState) {
      assert(hardState.commit <= this.memory.lastIndex(), () => {
        return `hard state commit ${hardState.commit} is past last index ${this.memory.lastIndex()}`
      })
      this.memory.setHardState(hardState)
    }
  }

  /**
   * persistTermAndVote writes the hard-state file when `hs` changes the term or vote. The file is
   * written before the entries (or the snapshot) of the same Ready, so its commit index may cover
   * only entries already in the WAL (and at most `coveredIndex`): a crash between the two writes
   * must not leave a commit index past the log, which recovery under 'always' takes for lost
   * data. A higher commit goes to the WAL after the entries it covers.
   */
  private persistTermAndVote(hs: HardState, coveredIndex: number): void {
    if (hs.term === this.persisted.term && hs.vote === this.persisted.vote) return
    const onFile = { ...hs, commit: Math.min(hs.commit, this.wal.lastIndex(), coveredIndex) }
    writeHardState(this.opts.dir, onFile, this.opts.fsync, this.ioStats)
    this.persisted = onFile
    this.commitWritten = onFile.commit
  }

  /**
   * saveSnapshot makes the host's snapshot of its state machine at applied index `index` durable
   * (its own file: written, fsynced, renamed, directory fsynced), and only then compacts: the
   * in-memory log keeps `keepEntries` entries before `index` for slow followers, WAL segments
   * wholly covered by the older of the two snapshot files kept are deleted (so a damaged newest
   * snapshot can fall back to the previous one), and older snapshot files are removed.
   */
  saveSnapshot(
    index: number,
    peers: readonly NodeId[],
    data: Uint8Array,
    keepEntries: number,
  ): SavedSnapshot {
    this.checkUsable()
    const term = this.memory.term(index)
    assert(typeof term === 'number', () => `saveSnapshot(${index}): that entry is ${String(term)}`)
    const snap: Snapshot = { metadata: { index, term, peers: [...peers] }, data }
    const saved = this.guard(() => {
      const file = writeSnapshotFile(this.opts.dir, snap, this.opts.fsync, this.ioStats)
      this.memory.createSnapshot(index, peers, data)
      const compactIndex = index - keepEntries
      if (compactIndex > this.memory.firstIndex()) this.memory.compact(compactIndex)
      this.wal.seal()
      const oldestKept = removeOldSnapshotFiles(this.opts.dir, this.opts.fsync, this.ioStats)
      const removedSegments = this.wal.removeSegmentsThrough(oldestKept)
      return { ...file, removedSegments }
    })
    return saved
  }

  /**
   * installSnapshot makes a leader's snapshot (a Ready's) durable in its own file before anything
   * acknowledges it, replaces the in-memory log with it (MemoryStorage.applySnapshot) and restarts
   * the WAL after its index: every entry before, conflicting ones included, is obsolete.
   *
   * `hardState` is the same Ready's: its term and vote are made durable first. The snapshot comes
   * from a leader of that term, and a node must never hold log state of a term newer than its
   * stored one — a crash between the snapshot and the Ready's later append left exactly that, and
   * the node then refused to start (found by killing a node at each step of an install).
   */
  installSnapshot(snap: Snapshot, hardState: HardState | null = null): SavedSnapshot {
    this.checkUsable()
    if (hardState) {
      assert(hardState.term >= snap.metadata.term, () => {
        return `hard state term ${hardState.term} is below the snapshot's ${snap.metadata.term}`
      })
    }
    return this.guard(() => {
      if (hardState) this.persistTermAndVote(hardState, Infinity)
      const file = writeSnapshotFile(this.opts.dir, snap, this.opts.fsync, this.ioStats)
      this.memory.applySnapshot(snap)
      this.wal.resetTo(snap.metadata.index)
      removeOldSnapshotFiles(this.opts.dir, this.opts.fsync, this.ioStats)
      const removedSegments = this.wal.removeSegmentsThrough(snap.metadata.index)
      return { ...file, removedSegments }
    })
  }

  /** stats returns a copy of the I/O counters since open. */
  stats(): SyncStats {
    return { ...this.ioStats }
  }

  /** segmentCount is the number of WAL segment files now. */
  segmentCount(): number {
    return this.wal.segments()
  }

  private checkUsable(): void {
    assert(!this.closed, 'DiskStorage used after close()')
    if (this.failure !== null) throw new StorageFailedError(this.opts.dir, this.failure)
  }

  /** guard runs an I/O step; a failure other than a bug makes the storage unusable. */
  private guard<T>(step: () => T): T {
    try {
      return step()
    } catch (err) {
      if (!(err instanceof StorageFailedError || err instanceof AssertionError)) this.failure = err
      throw err
    }
  }

  /** close syncs any unsynced writes (under 'always') and closes the files. Idempotent. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.wal.close()
  }
}
