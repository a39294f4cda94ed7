// The errors durable storage throws for states it refuses to guess about. They are expected
// failures (a damaged disk, a file edited by hand), not bugs, so they carry the file and the byte
// offset a person needs to inspect the damage, and the node reports them instead of starting.

/** WalCorruptionError means a WAL segment holds damage that is not a torn tail: a bad header, a bad
 * record followed by more data, a bad record in a sealed segment, a missing segment, or records
 * that break the log's invariants. `filePath` and `offsetBytes` locate the first bad byte range
 * (a record's or header's first byte); recovery never skips past it, because entries after it may
 * have been acknowledged to a leader. */
export class WalCorruptionError extends Error {
  override name = 'WalCorruptionError'

  constructor(
    readonly filePath: string,
    readonly offsetBytes: number,
    readonly reason: string,
  ) {
    super(`WAL corruption in ${filePath} at byte offset ${offsetBytes}: ${reason}`)
  }
}

/** HardStateCorruptionError means the hard-state file exists but is not a whole, valid record
 * (wrong size, magic, version or CRC). Starting from a guessed term or vote could make the node
 * vote twice in one term (§5.2), so the node must not start. */
export class HardStateCorruptionError extends Error {
  override name = 'HardStateCorruptionError'

  constructor(
    readonly filePath: string,
    readonly reason: string,
  ) {
    super(`hard-state file ${filePath} is corrupt: ${reason}`)
  }
}

/** InconsistentStateError means every file read back intact, but together they describe a state
 * a node that kept its promises cannot be in: a commit index past the last entry under fsync
 * 'always' (entries that were fsynced are gone), a WAL with entries but no hard-state file, a
 * term below the last entry's term, a vote that cannot have been cast. Starting from it could let
 * the node vote twice in a term (§5.2) or win an election without committed entries (§5.4), so
 * the node must not start. `files` are the files whose contents disagree; the message names them
 * and the numbers that disagree. */
export class InconsistentStateError extends Error {
  override name = 'InconsistentStateError'

  constructor(
    readonly dir: string,
    readonly files: readonly string[],
    readonly reason: string,
  ) {
    super(`storage in ${dir} is inconsistent: ${reason}`)
  }
}

/** StorageFailedError is thrown by every call after a write or sync failed. After a failed fsync
 * the kernel may have dropped the dirty pages and cleared the error, so retrying could report
 * success for data that never reached the disk; the only safe recovery is a restart that
 * re-reads the disk. `cause` is the original error. */
export class StorageFailedError extends Error {
  override name = 'StorageFailedError'

  constructor(
    readonly dir: string,
    override readonly cause: unknown,
  ) {
    super(`storage in ${dir} failed earlier and must be reopened: ${String(cause)}`)
  }
}
