// shared/protocol — wire messages and framing: bytes in, frames out; pure, no node:*
// Imports only shared/util and shared/raft's types. Hosts: electron/node (the socket transport),
// electron/lab (supervisor and clients). Byte layout: docs/formats/protocol.md.
export { PROTOCOL_ERROR_CODES, ProtocolError, type ProtocolErrorCode } from './errors'
export {
  FRAME_KIND,
  FRAME_KINDS,
  FRAME_KIND_RANGES,
  PROTOCOL_VERSION,
  frameKindName,
  isFrameKind,
  type FrameKind,
  type FrameKindName,
  type ProtocolVersion,
} from './kinds'
export {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_LENGTH_LIMIT,
  FrameDecoder,
  MAX_HELLO_BYTES,
  encodeFrame,
  type Frame,
  type FrameDecoderOptions,
} from './framing'
export {
  HELLO_MAGIC,
  HELLO_ROLES,
  MAX_CLUSTER_ID_BYTES,
  checkHello,
  decodeHello,
  encodeHello,
  encodeHelloFrame,
  makeHello,
  type Hello,
  type HelloCheck,
  type HelloExpectations,
  type HelloRole,
} from './hello'
export {
  ENTRY_TYPES,
  MESSAGE_FLAGS,
  SNAPSHOT_MINOR,
  decodeMessage,
  encodeMessage,
  encodedMessageBytes,
} from './message'
export {
  decodeFrameMessages,
  decodeMessageBatch,
  encodeMessageBatch,
  encodeMessageFrames,
} from './batch'
export {
  DISK_TIMING_MINOR,
  decodeDiskTiming,
  encodeDiskTiming,
  encodeDiskTimingFrame,
  type DiskTiming,
} from './diskTiming'
export {
  MAX_SNAPSHOT_CHUNK_BYTES,
  MAX_SNAPSHOT_TRANSFER_BYTES,
  SNAPSHOT_CHUNK_BYTES,
  SNAPSHOT_CHUNK_MINOR,
  decodeSnapshotChunk,
  encodeSnapshotChunk,
  encodeSnapshotChunkFrame,
  snapshotChunkAt,
  snapshotMessage,
  type SnapshotChunk,
} from './snapshotChunk'
export * from './client'
export * from './control'
export * from './node'
