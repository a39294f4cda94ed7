// electron/node/storage — a Raft node's durable state: a segmented write-ahead log with CRC-32C
// records and group commit, an atomically replaced hard-state file (docs/formats/wal.md), and
// snapshot files with the compaction they allow (docs/formats/snapshot.md).
// Runs in the node process: imports shared/** and node:* only, never 'electron' or electron/*.
export {
  DEFAULT_SEGMENT_SIZE_BYTES,
  DiskStorage,
  type DiskStorageOptions,
  type RecoveryReport,
  type SavedSnapshot,
} from './diskStorage'
export { type FsyncPolicy, type SyncStats } from './durableFs'
export {
  HardStateCorruptionError,
  InconsistentStateError,
  StorageFailedError,
  WalCorruptionError,
} from './errors'
export { HARD_STATE_FILE } from './hardStateFile'
export { type TornTail } from './wal'
export {
  decodeSnapshotFile,
  encodeSnapshotFile,
  listSnapshotFiles,
  snapshotFileName,
} from './snapshotFile'
export { segmentFileName, parseSegmentFileName } from './walFormat'
