// A snapshot in pieces (protocol 1.3): a leader sends a MsgSnap to a peer that announced minor 3
// as a sequence of snapshotChunk frames rather than one frame, so a snapshot may exceed the frame
// limit and the peer link carries heartbeats and appends between its pieces. Each chunk carries
// everything needed to rebuild the MsgSnap and to check it: who sent it in which term, which
// snapshot (index, term, peers — in every chunk, so any chunk names its transfer by itself), where
// its bytes go, a CRC-32C of its bytes and, on the last, of the whole data.
import { BinaryReader, BinaryWriter, DecodeError } from '../util/binary'
import { crc32c } from '../util/crc32c'
import type { Message, NodeId, Snapshot, SnapshotMetadata } from '../raft/types'
import { asMalformed, ProtocolError } from './errors'
import { encodeFrame } from './framing'
import { FRAME_KIND } from './kinds'
import { checkUint, readNonZero, readUvarint, uvarintSize } from './wire'

/** SNAPSHOT_CHUNK_MINOR is the protocol minor that defines the snapshotChunk frame: a node sends
 * a snapshot in chunks only to a peer whose hello announced it (to a 1.2 peer, whole). */
export const SNAPSHOT_CHUNK_MINOR = 3

/** SNAPSHOT_CHUNK_BYTES is how many snapshot bytes a sender puts in one chunk: small enough that
 * a heartbeat waits behind at most one chunk, large enough that headers cost nothing (< 0.01 %). */
export const SNAPSHOT_CHUNK_BYTES = 256 * 1024

/** MAX_SNAPSHOT_CHUNK_BYTES bounds one chunk's data on receipt (senders may pick smaller chunks). */
export const MAX_SNAPSHOT_CHUNK_BYTES = 1024 * 1024

/** MAX_SNAPSHOT_TRANSFER_BYTES (1 GiB) bounds a snapshot's data sent in chunks; a sender refuses
 * a larger one and a receiver a chunk that announces one, before writing any of it. */
export const MAX_SNAPSHOT_TRANSFER_BYTES = 1024 * 1024 * 1024

/** CHUNK_LAST flags the last chunk of a transfer; a whole-data CRC follows its chunk CRC. */
const CHUNK_LAST = 0x01

/** SnapshotChunk is one decoded snapshotChunk frame. `data` holds bytes offset … offset +
 * data.length − 1 of the snapshot's data (totalBytes long); `crc` is crc32c(data); `isLast` is set
 * exactly on the chunk that ends the data, and only then is `snapshotCrc` (crc32c of the whole
 * data) meaningful (0 otherwise). */
export interface SnapshotChunk {
  from: NodeId
  to: NodeId
  /** term is the leader's term: the MsgSnap's. */
  term: number
  metadata: SnapshotMetadata
  totalBytes: number
  offset: number
  data: Uint8Array
  crc: number
  isLast: boolean
  snapshotCrc: number
}

/**
 * snapshotChunkAt cuts the chunk of MsgSnap `m` starting at `offset` (a view: the data is not
 * copied). `crcBefore` is crc32c of the data before `offset` (0 at the start): the last chunk's
 * snapshotCrc continues it, so a sender never reads the data twice. It throws
 * ProtocolError('malformed') for a message without a snapshot or one over
 * MAX_SNAPSHOT_TRANSFER_BYTES, or an offset not inside its data.
 */
export function snapshotChunkAt(
  m: Message,
  offset: number,
  crcBefore: number,
  chunkBytes: number = SNAPSHOT_CHUNK_BYTES,
): SnapshotChunk {
  const snap = m.snapshot
  if (m.type !== 'MsgSnap' || !snap) {
    throw new ProtocolError('malformed', `snapshot chunk: a ${m.type} carries no snapshot`)
  }
  const total = snap.data.length
  if (total > MAX_SNAPSHOT_TRANSFER_BYTES) {
    throw new ProtocolError(
      'malformed',
      `snapshot chunk: ${total} bytes exceed the ${MAX_SNAPSHOT_TRANSFER_BYTES}-byte limit`,
    )
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || (offset >= total && total > 0)) {
    throw new ProtocolError('malformed', `snapshot chunk: offset ${offset} of ${total} bytes`)
  }
  const data = snap.data.subarray(offset, Math.min(total, offset + chunkBytes))
  const crc = crc32c(data)
  const isLast = offset + data.length === total
  return {
    from: m.from,
    to: m.to,
    term: m.term,
    metadata: snap.metadata,
    totalBytes: total,
    offset,
    data,
    crc,
    isLast,
    snapshotCrc: isLast ? crc32c(data, crcBefore) : 0,
  }
}

/** encodeSnapshotChunk returns a snapshotChunk body (layout: docs/formats/protocol.md). It
 * throws ProtocolError('malformed') for a chunk decodeSnapshotChunk would refuse. */
export function encodeSnapshotChunk(c: SnapshotChunk): Uint8Array {
  const what = 'snapshot chunk'
  const md = c.metadata
  let size =
    uvarintSize(checkUint(c.from, what, 'from')) +
    uvarintSize(checkUint(c.to, what, 'to')) +
    uvarintSize(checkUint(c.term, what, 'term')) +
    uvarintSize(checkUint(md.index, what, 'snapshot index')) +
    uvarintSize(checkUint(md.term, what, 'snapshot term')) +
    uvarintSize(md.peers.length) +
    1 +
    uvarintSize(checkUint(c.totalBytes, what, 'totalBytes')) +
    uvarintSize(checkUint(c.offset, what, 'offset')) +
    uvarintSize(c.data.length) +
    c.data.length +
    (c.isLast ? 8 : 4)
  for (const p of md.peers) size += uvarintSize(checkUint(p, what, 'snapshot peer'))
  const problem = chunkProblem(c)
  if (problem) throw new ProtocolError('malformed', `${what}: ${problem}`)
  const w = new BinaryWriter(size + 8)
  w.uvarint(c.from).uvarint(c.to).uvarint(c.term)
  w.uvarint(md.index).uvarint(md.term).uvarint(md.peers.length)
  for (const p of md.peers) w.uvarint(p)
  w.u8(c.isLast ? CHUNK_LAST : 0)
  w.uvarint(c.totalBytes)
    .uvarint(c.offset)
    .bytes(c.data)
    .u32(c.crc >>> 0)
  if (c.isLast) w.u32(c.snapshotCrc >>> 0)
  return w.finish()
}

/** encodeSnapshotChunkFrame returns a ready-to-write snapshotChunk frame. */
export function encodeSnapshotChunkFrame(c: SnapshotChunk): Uint8Array {
  return encodeFrame(FRAME_KIND.snapshotChunk, encodeSnapshotChunk(c))
}

/**
 * decodeSnapshotChunk decodes a snapshotChunk body. It throws ProtocolError('malformed') for a
 * snapshot index of 0, a total over MAX_SNAPSHOT_TRANSFER_BYTES, data over
 * MAX_SNAPSHOT_CHUNK_BYTES, data that overruns the total, a last flag not set exactly on the chunk
 * that ends the data, an empty chunk of a non-empty snapshot, an unknown flag bit, a non-minimal
 * varint or trailing bytes. It does not check the CRCs: a receiver does, to reject the transfer
 * (not the connection). `data` is a view into `body`.
 */
export function decodeSnapshotChunk(body: Uint8Array): SnapshotChunk {
  return asMalformed('snapshot chunk', () => {
    const r = new BinaryReader(body)
    const from = readUvarint(r)
    const to = readUvarint(r)
    const term = readUvarint(r)
    const index = readNonZero(r, 'snapshot index')
    const snapTerm = readUvarint(r)
    const count = readUvarint(r)
    if (count > r.remaining) {
      throw new DecodeError(`${count} peers cannot fit in ${r.remaining} bytes`)
    }
    const peers: NodeId[] = []
    for (let i = 0; i < count; i++) peers.push(readUvarint(r))
    const flags = r.u8()
    if ((flags & ~CHUNK_LAST) !== 0) throw new DecodeError(`unknown flags 0x${flags.toString(16)}`)
    const totalBytes = readUvarint(r)
    const offset = readUvarint(r)
    const length = readUvarint(r)
    if (length > MAX_SNAPSHOT_CHUNK_BYTES) {
      throw new DecodeError(`${length} bytes of data exceed ${MAX_SNAPSHOT_CHUNK_BYTES} a chunk`)
    }
    const data = r.raw(length)
    const crc = r.u32()
    const isLast = (flags & CHUNK_LAST) !== 0
    const snapshotCrc = isLast ? r.u32() : 0
    r.end()
    const c: SnapshotChunk = {
      from,
      to,
      term,
      metadata: { index, term: snapTerm, peers },
      totalBytes,
      offset,
      data,
      crc,
      isLast,
      snapshotCrc,
    }
    const problem = chunkProblem(c)
    if (problem) throw new DecodeError(problem)
    return c
  })
}

/** chunkProblem says what makes a chunk's placement invalid, or null. */
function chunkProblem(c: SnapshotChunk): string | null {
  if (c.metadata.index === 0) return 'snapshot index 0'
  if (c.totalBytes > MAX_SNAPSHOT_TRANSFER_BYTES) {
    return `a ${c.totalBytes}-byte snapshot exceeds the ${MAX_SNAPSHOT_TRANSFER_BYTES}-byte limit`
  }
  if (c.data.length > MAX_SNAPSHOT_CHUNK_BYTES) {
    return `${c.data.length} bytes of data exceed ${MAX_SNAPSHOT_CHUNK_BYTES} a chunk`
  }
  const end = c.offset + c.data.length
  if (end > c.totalBytes) return `bytes ${c.offset}…${end} overrun the ${c.totalBytes}-byte data`
  if (c.isLast !== (end === c.totalBytes)) {
    return `the last flag is ${c.isLast ? 'set' : 'clear'} on a chunk ending at ${end} of ${c.totalBytes}`
  }
  if (c.data.length === 0 && c.totalBytes > 0) return 'an empty chunk of a non-empty snapshot'
  return null
}

/** snapshotMessage rebuilds the MsgSnap a transfer carried from its last chunk and the whole
 * data: exactly what decoding the single-frame MsgSnap gives. */
export function snapshotMessage(last: SnapshotChunk, data: Uint8Array): Message {
  const snapshot: Snapshot = { metadata: last.metadata, data }
  return {
    type: 'MsgSnap',
    from: last.from,
    to: last.to,
    term: last.term,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: '',
    snapshot,
  }
}
