// Small synchronous file-system steps with the durability rules the WAL and the hard-state file
// share: full writes, counted syncs, directory syncs, and replace-by-rename. Synchronous on
// purpose: the node handles a Ready in one go, and an async round trip per step would only add
// latency to every write.
import fs from 'node:fs'
import path from 'node:path'

/**
 * FsyncPolicy says when storage forces data to the disk.
 * - 'always' (the default): a batch with mustSync is fdatasync'ed before append returns, and
 *   new files and renames are fsync'ed with their directory. Writes survive power loss.
 * - 'never': UNSAFE, a benchmark knob only. Nothing is synced; a process crash loses nothing
 *   (the page cache survives it), but power loss or a kernel crash may lose acknowledged writes
 *   and so break Raft's safety. It exists to measure what the syncs cost.
 */
export type FsyncPolicy = 'always' | 'never'

/** SyncStats counts the I/O storage has done since it was opened; the node reports it as
 * telemetry and tests use it to check group commit (one data sync per batch). */
export interface SyncStats {
  /** dataSyncs counts fdatasync calls on WAL segments. */
  dataSyncs: number
  /** fileSyncs counts fsync calls on newly written files (hard state, new segments). */
  fileSyncs: number
  /** dirSyncs counts fsync calls on the storage directory (after a create or a rename). */
  dirSyncs: number
  /** writeCalls counts whole-buffer writes (a batch is one, however many records it holds). */
  writeCalls: number
  /** bytesWritten counts bytes written to the WAL and hard-state files. */
  bytesWritten: number
}

/** newSyncStats returns zeroed counters. */
export function newSyncStats(): SyncStats {
  return { dataSyncs: 0, fileSyncs: 0, dirSyncs: 0, writeCalls: 0, bytesWritten: 0 }
}

/** TEMP_SUFFIX ends the name of a file being prepared for a rename; one left behind by a crash
 * never replaced anything and is deleted on open. */
export const TEMP_SUFFIX = '.tmp'

/** writeFully writes all of `data` at `position`, looping over short writes, which POSIX allows
 * even for regular files (a signal, a full disk partway). */
export function writeFully(fd: number, data: Uint8Array, position: number, stats: SyncStats): void {
  let done = 0
  while (done < data.length) {
    done += fs.writeSync(fd, data, done, data.length - done, position + done)
  }
  stats.writeCalls++
  stats.bytesWritten += data.length
}

/** fsyncDir makes a directory's entries (a created, renamed or removed name) durable: on Linux a
 * file's own fsync does not cover the name that points to it. Windows cannot open a directory for
 * syncing, and its rename is already journaled, so it is skipped there. */
export function fsyncDir(dir: string, stats: SyncStats): void {
  if (process.platform === 'win32') return
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
    stats.dirSyncs++
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * writeFileAtomically makes `dir/name` hold exactly `data` (or its parts, in order), all or
 * nothing, even across a crash:
 * it writes `name.tmp`, fsyncs it, renames it over `name` and fsyncs the directory (the syncs only
 * under policy 'always'). A reader sees the old file or the new one, never a mix. It returns a
 * descriptor open for writing on the new file, which the caller must close.
 */
export function writeFileAtomically(
  dir: string,
  name: string,
  data: Uint8Array | readonly Uint8Array[],
  policy: FsyncPolicy,
  stats: SyncStats,
): number {
  const tmp = path.join(dir, name + TEMP_SUFFIX)
  const fd = fs.openSync(tmp, 'w')
  try {
    // Parts are written one after another: a large file need not be copied into one buffer.
    let position = 0
    for (const part of data instanceof Uint8Array ? [data] : data) {
      writeFully(fd, part, position, stats)
      position += part.length
    }
    if (policy === 'always') {
      fs.fsyncSync(fd)
      stats.fileSyncs++
    }
    fs.renameSync(tmp, path.join(dir, name))
    if (policy === 'always') fsyncDir(dir, stats)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  return fd
}

/** removeStrayTemp deletes `dir/name.tmp` if a crash left it; it returns whether it did. */
export function removeStrayTemp(dir: string, name: string): boolean {
  const tmp = path.join(dir, name + TEMP_SUFFIX)
  try {
    fs.unlinkSync(tmp)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
