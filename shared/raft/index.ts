// shared/raft — the Raft consensus core: a pure, deterministic state machine (no I/O, no clock,
// no global randomness). Imports only shared/util. Hosts: shared/sim and electron/node.
export * from './types'
export { RaftNode, TRANSFER_CONTEXT } from './raft'
export { checkMessage } from './checkMessage'
export { RaftLog } from './raftLog'
export { RaftView, type LogIndexes } from './view'
export {
  MemoryStorage,
  entrySizeBytes,
  limitEntries,
  type SnapshotRefusal,
  type Storage,
  type StorageResult,
} from './storage'
export { Progress, Inflights, quorum, type ProgressState } from './progress'
export {
  describeData,
  describeEntry,
  describeMessage,
  describeEvent,
  describeSnapshot,
} from './describe'
