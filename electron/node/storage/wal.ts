// The segmented write-ahead log: appends batches of records (format in walFormat.ts and
// docs/formats/wal.md) with group commit, rolls segments over at a size threshold, and on open
// replays every segment, cutting a torn tail and refusing any other damage.
//
// Suffix truncation is a record, not a rewrite: when a batch starts at an index ≤ lastIndex, its
// write begins with a truncate record. The truncation and the entries replacing the dropped ones
// then reach the disk in the same write and the same fdatasync, so a crash keeps both or neither
// (a torn batch is cut away whole or in part, leaving the log as some earlier batch left it).
// Cutting files instead would take an ftruncate plus unlinks of later segments, each needing its
// own sync, with intermediate states to recover from. The cost is dead records on disk until
// compaction deletes their segments; the node keeps the live log in memory anyway.
import fs from 'node:fs'
import path from 'node:path'
import type { Entry } from '../../../shared/raft/types'
import { assert } from '../../../shared/util/assert'
import {
  type FsyncPolicy,
  type SyncStats,
  TEMP_SUFFIX,
  fsyncDir,
  writeFileAtomically,
  writeFully,
} from './durableFs'
import { StorageFailedError, WalCorruptionError } from './errors'
import {
  BatchEncoder,
  SEGMENT_HEADER_BYTES,
  type SegmentHeader,
  decodeSegmentHeader,
  encodeSegmentHeader,
  parseSegmentFileName,
  scanRecords,
  segmentFileName,
} from './walFormat'

/** WalOptions configures a Wal; `stats` is the counter object it adds its I/O to. */
export interface WalOptions {
  dir: string
  fsync: FsyncPolicy
  segmentSizeBytes: number
  stats: SyncStats
  /** requireSegments refuses a directory without segments instead of starting an empty log:
   * set when other state (the hard-state file) shows the log existed, since a node that lost
   * its log but kept its vote could break the quorums that committed entries (§5.4). */
  requireSegments: boolean
}

/** TornTail describes the damage cut from the end of the last segment on open. */
export interface TornTail {
  filePath: string
  offsetBytes: number
  reason: string
}

/** WalRecovery is what replaying the log found: the live entries (truncations applied), the
 * highest commit record, where they are, and what was repaired. */
export interface WalRecovery {
  /** firstIndex is the index the live log starts at (1, or past a snapshot: the entries before
   * it are in no segment, and a snapshot must cover them). */
  firstIndex: number
  /** entries are the live entries from firstIndex on. */
  entries: Entry[]
  commit: number
  /** segmentFiles are the segment paths in seq order. */
  segmentFiles: string[]
  /** lastEntryFile is the segment holding the record of the last live entry (null: no entries). */
  lastEntryFile: string | null
  /** commitFile is the segment holding the highest commit record (null: none). */
  commitFile: string | null
  segmentCount: number
  recordCount: number
  /** truncatedTailBytes counts bytes cut from the last segment (0 when its end was clean). */
  truncatedTailBytes: number
  tornTail: TornTail | null
  removedTempFiles: number
}

interface SegmentFile extends SegmentHeader {
  filePath: string
}

/** listSegments finds the segment files in `dir`, sorted by seq, deleting any a crash left under
 * a temporary name (a segment appears by rename, so those were never part of the log). */
function listSegments(dir: string): { segments: SegmentFile[]; removedTempFiles: number } {
  let removedTempFiles = 0
  const segments: SegmentFile[] = []
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(TEMP_SUFFIX) && parseSegmentFileName(name.slice(0, -TEMP_SUFFIX.length))) {
      fs.unlinkSync(path.join(dir, name))
      removedTempFiles++
      continue
    }
    const h = parseSegmentFileName(name)
    if (h) segments.push({ ...h, filePath: path.join(dir, name) })
  }
  segments.sort((a, b) => a.seq - b.seq)
  return { segments, removedTempFiles }
}

/**
 * Wal is the append side of the log. It does not keep entries: DiskStorage mirrors them in
 * memory. Every method throws StorageFailedError once a write or sync has failed.
 */
export class Wal {
  private readonly encoder = new BatchEncoder()
  private failure: unknown = null
  private closed = false
  /** hasUnsyncedBytes is set by a write not yet covered by an fdatasync. */
  private hasUnsyncedBytes = false

  private constructor(
    private readonly opts: WalOptions,
    private fd: number,
    private seq: number,
    /** segmentList lists the segment files in seq order, with the index each begins at. */
    private readonly segmentList: SegmentFile[],
    /** writeOffsetBytes is where the next batch goes in the current segment (its valid end). */
    private writeOffsetBytes: number,
    private lastIndexValue: number,
  ) {}

  /** open replays the segments in `opts.dir` (creating the first when there is none) and returns
   * a Wal ready to append after the last valid record. It throws WalCorruptionError for damage
   * other than a torn tail of the last segment, which it cuts off (and syncs, under 'always'). */
  static open(opts: WalOptions): { wal: Wal; recovery: WalRecovery } {
    const { dir, fsync, stats } = opts
    const { segments, removedTempFiles } = listSegments(dir)
    if (segments.length === 0 && opts.requireSegments) {
      throw new WalCorruptionError(dir, 0, 'no WAL segment files, yet the node has state')
    }
    if (segments.length === 0) {
      const h = { seq: 0, firstIndex: 1 }
      const fd = writeFileAtomically(dir, segmentFileName(h), encodeSegmentHeader(h), fsync, stats)
      const first = [{ ...h, filePath: path.join(dir, segmentFileName(h)) }]
      const wal = new Wal(opts, fd, 0, first, SEGMENT_HEADER_BYTES, 0)
      const recovery: WalRecovery = {
        firstIndex: 1,
        entries: [],
        commit: 0,
        segmentFiles: [path.join(dir, segmentFileName(h))],
        lastEntryFile: null,
        commitFile: null,
        segmentCount: 1,
        recordCount: 0,
        truncatedTailBytes: 0,
        tornTail: null,
        removedTempFiles,
      }
      return { wal, recovery }
    }

    const entries: Entry[] = []
    // base is the index before the first live entry: 0, or — once snapshots compacted the log —
    // the index a segment starting past its predecessor's end restarts the log after.
    let base = 0
    let commit = 0
    let commitFile: string | null = null
    // runs[k] says which segment holds the records of entries from runs[k].from on (up to the
    // next run): enough to name the file of the last live entry after truncations.
    const runs: { from: number; filePath: string }[] = []
    let recordCount = 0
    let truncatedTailBytes = 0
    let tornTail: TornTail | null = null
    let validEndBytes = 0
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i] as SegmentFile
      const isLast = i === segments.length - 1
      const fail = (offsetBytes: number, reason: string): never => {
        throw new WalCorruptionError(seg.filePath, offsetBytes, reason)
      }
      const prev = segments[i - 1]
      if (prev && seg.seq !== prev.seq + 1) {
        fail(0, `segment seq ${prev.seq + 1} is missing (seq ${seg.seq} follows seq ${prev.seq})`)
      }
      const file = fs.readFileSync(seg.filePath)
      const bytes = new Uint8Array(file.buffer, file.byteOffset, file.length)
      const header = decodeSegmentHeader(bytes)
      if (typeof header === 'string') return fail(0, header)
      if (header.seq !== seg.seq || header.firstIndex !== seg.firstIndex) {
        fail(0, `header (seq ${header.seq}, first index ${header.firstIndex}) contradicts the name`)
      }
      // A segment normally starts one past the log so far. The first may start later (compaction
      // deleted the segments before it), and a later one may start anywhere when the node
      // installed a leader's snapshot (resetTo): the log restarts there, and the caller checks
      // that a snapshot covers everything before it (WalRecovery.firstIndex).
      if (i === 0 || header.firstIndex !== base + entries.length + 1) {
        base = header.firstIndex - 1
        entries.length = 0
        runs.length = 0
      }

      const scan = scanRecords(bytes)
      for (const { offsetBytes, record } of scan.records) {
        recordCount++
        if (record.kind === 'entry') {
          const e = record.entry
          if (e.index !== base + entries.length + 1) {
            fail(offsetBytes, `entry index ${e.index} does not follow ${base + entries.length}`)
          }
          // Terms start at 1 (§5.1); index 0 with term 0 is the empty log's sentinel.
          if (e.term < 1) fail(offsetBytes, `entry ${e.index} has term 0`)
          const prevTerm = entries[entries.length - 1]?.term ?? 0
          if (e.term < prevTerm) fail(offsetBytes, `entry term ${e.term} after term ${prevTerm}`)
          entries.push(e)
          if (runs[runs.length - 1]?.filePath !== seg.filePath) {
            runs.push({ from: e.index, filePath: seg.filePath })
          }
        } else if (record.kind === 'truncate') {
          const kept = record.lastKeptIndex
          if (kept >= base + entries.length) {
            fail(offsetBytes, `truncation to ${kept} past last ${base + entries.length}`)
          }
          if (kept < base) {
            // The truncated entries were in a segment compaction deleted: the log goes on after
            // `kept`, and the snapshot must cover everything up to it.
            base = kept
            entries.length = 0
            runs.length = 0
            continue
          }
          // Only an uncommitted suffix is ever dropped (§5.3, §5.4): committed entries may
          // already have been applied and acknowledged to clients.
          if (kept < commit) {
            fail(
              offsetBytes,
              `truncation to index ${kept} drops committed entries (commit index ${commit})`,
            )
          }
          entries.length = kept - base
          while ((runs[runs.length - 1]?.from ?? 0) > kept) runs.pop()
        } else if (record.commit > commit) {
          commit = record.commit
          commitFile = seg.filePath
        }
      }
      if (scan.stop === 'corrupt') fail(scan.stopOffsetBytes, scan.reason)
      if (scan.stop === 'torn' && !isLast) {
        fail(scan.stopOffsetBytes, `${scan.reason}, in a sealed segment (a later one exists)`)
      }
      if (scan.stop === 'torn') {
        tornTail = {
          filePath: seg.filePath,
          offsetBytes: scan.stopOffsetBytes,
          reason: scan.reason,
        }
        truncatedTailBytes = bytes.length - scan.stopOffsetBytes
      }
      validEndBytes = scan.stopOffsetBytes
    }

    const last = segments[segments.length - 1] as SegmentFile
    const fd = fs.openSync(last.filePath, 'r+')
    try {
      if (truncatedTailBytes > 0) {
        fs.ftruncateSync(fd, validEndBytes)
        if (fsync === 'always') {
          fs.fdatasyncSync(fd)
          stats.dataSyncs++
        }
      }
    } catch (err) {
      fs.closeSync(fd)
      throw err
    }
    const segmentFirsts = segments.map((sg) => ({
      seq: sg.seq,
      firstIndex: sg.firstIndex,
      filePath: sg.filePath,
    }))
    const wal = new Wal(opts, fd, last.seq, segmentFirsts, validEndBytes, base + entries.length)
    const recovery: WalRecovery = {
      firstIndex: base + 1,
      entries,
      commit,
      segmentFiles: segments.map((sg) => sg.filePath),
      lastEntryFile: entries.length > 0 ? (runs[runs.length - 1]?.filePath ?? null) : null,
      commitFile,
      segmentCount: segments.length,
      recordCount,
      truncatedTailBytes,
      tornTail,
      removedTempFiles,
    }
    return { wal, recovery }
  }

  /** lastIndex is the index of the last entry in the log (0 when empty). */
  lastIndex(): number {
    return this.lastIndexValue
  }

  /** segments is the number of segment files. */
  segments(): number {
    return this.segmentList.length
  }

  /**
   * resetTo restarts the log after `index`, the index of a snapshot the node made durable (a
   * leader's, installed): it seals the current segment and begins a new one whose first index is
   * index + 1, which replay reads as "the log starts over here" (every earlier entry is covered
   * by the snapshot and obsolete, conflicting ones included).
   */
  resetTo(index: number): void {
    this.checkUsable()
    try {
      this.rollOver(index + 1)
    } catch (err) {
      this.failure = err
      throw err
    }
    this.lastIndexValue = index
  }

  /** seal begins a new segment if the current one holds any record, so that a later
   * removeSegmentsThrough can delete what is now in it. */
  seal(): void {
    this.checkUsable()
    if (this.writeOffsetBytes <= SEGMENT_HEADER_BYTES) return
    try {
      this.rollOver(this.lastIndexValue + 1)
    } catch (err) {
      this.failure = err
      throw err
    }
  }

  /**
   * removeSegmentsThrough deletes every segment before the last one that begins at or below
   * index + 1 (a durable snapshot covers `index`): replay can start at that segment, since what
   * came before it is at or below `index`. A truncation record in it that reaches further back
   * restarts the log there (see open). Oldest first, so a crash part-way leaves a contiguous run
   * of segments; then the directory is synced. It returns how many it deleted.
   */
  removeSegmentsThrough(index: number): number {
    this.checkUsable()
    let keepFrom = 0
    for (let k = 1; k < this.segmentList.length; k++) {
      if ((this.segmentList[k] as SegmentFile).firstIndex <= index + 1) keepFrom = k
    }
    for (let n = 0; n < keepFrom; n++) {
      try {
        fs.unlinkSync((this.segmentList[0] as SegmentFile).filePath)
      } catch (err) {
        this.failure = err
        throw err
      }
      this.segmentList.shift()
    }
    if (keepFrom > 0 && this.opts.fsync === 'always') fsyncDir(this.opts.dir, this.opts.stats)
    return keepFrom
  }

  /**
   * append writes one batch in one write call: a truncate record when entries[0].index ≤
   * lastIndex (dropping the conflicting suffix, §5.3), the entries, and a commit record when
   * `commit` is not null. With `sync` and policy 'always' it then calls fdatasync once, so the
   * whole batch is durable when append returns. Entries must be contiguous and start at most one
   * past the last index (anything else is a bug in the caller).
   */
  append(entries: readonly Entry[], commit: number | null, sync: boolean): void {
    this.checkUsable()
    let lastKeptIndex: number | null = null
    const first = entries[0]
    if (first) {
      assert(first.index >= 1 && first.index <= this.lastIndexValue + 1, () => {
        return `Wal.append at index ${first.index} with last index ${this.lastIndexValue}`
      })
      for (let k = 1; k < entries.length; k++) {
        assert(
          (entries[k] as Entry).index === first.index + k,
          'Wal.append: indexes not contiguous',
        )
      }
      if (first.index <= this.lastIndexValue) lastKeptIndex = first.index - 1
    }
    if (!first && commit === null) return
    try {
      if (this.writeOffsetBytes >= this.opts.segmentSizeBytes) this.rollOver()
      const bytes = this.encoder.encode(lastKeptIndex, entries, commit)
      writeFully(this.fd, bytes, this.writeOffsetBytes, this.opts.stats)
      this.writeOffsetBytes += bytes.length
      this.hasUnsyncedBytes = true
      if (sync) this.sync()
    } catch (err) {
      this.failure = err
      throw err
    }
    const lastEntry = entries[entries.length - 1]
    if (lastEntry) this.lastIndexValue = lastEntry.index
  }

  /** sync makes every write so far durable with one fdatasync (a no-op under 'never' or when
   * nothing is unsynced). fdatasync suffices: it also flushes the file size a write grew. */
  sync(): void {
    this.checkUsable()
    if (this.opts.fsync !== 'always' || !this.hasUnsyncedBytes) return
    try {
      fs.fdatasyncSync(this.fd)
    } catch (err) {
      this.failure = err
      throw err
    }
    this.opts.stats.dataSyncs++
    this.hasUnsyncedBytes = false
  }

  /** close syncs unsynced writes (under 'always') and closes the segment; later calls are bugs. */
  close(): void {
    if (this.closed) return
    try {
      if (this.failure === null) this.sync()
    } finally {
      this.closed = true
      fs.closeSync(this.fd)
    }
  }

  /**
   * rollOver seals the current segment and starts the next. The sealed segment is synced first:
   * recovery treats damage in any but the last segment as corruption, which is only sound if a
   * segment is complete on disk before its successor exists. The new segment appears atomically
   * (written under a temporary name, synced, renamed, directory synced), so a crash never leaves
   * a segment without a whole header.
   */
  private rollOver(firstIndex = this.lastIndexValue + 1): void {
    this.sync()
    // firstIndex is lastIndex + 1 even when the batch about to go in starts with a truncate
    // record: replay reaches the new header with the log as the sealed segment left it.
    const h = { seq: this.seq + 1, firstIndex }
    const { dir, fsync, stats } = this.opts
    const fd = writeFileAtomically(dir, segmentFileName(h), encodeSegmentHeader(h), fsync, stats)
    fs.closeSync(this.fd)
    this.fd = fd
    this.seq = h.seq
    this.segmentList.push({ ...h, filePath: path.join(dir, segmentFileName(h)) })
    this.writeOffsetBytes = SEGMENT_HEADER_BYTES
  }

  private checkUsable(): void {
    assert(!this.closed, 'Wal used after close()')
    if (this.failure !== null) throw new StorageFailedError(this.opts.dir, this.failure)
  }
}
