/**
 * The on-disk format of raftlab's write-ahead log (also described in docs/formats/wal.md).
 * All integers are big-endian; "u64" fields hold integers below 2^53 (JavaScript's safe range).
 *
 * Directory: `<dir>/wal-<seq>-<firstIndex>.log`, both fields 16 lower-case hex digits. `seq`
 * counts segments from 0 and orders them; `firstIndex` is the index the first entry appended to
 * the segment gets (the log's lastIndex + 1 when the segment was created). Names sort by seq.
 *
 * Segment header, SEGMENT_HEADER_BYTES = 28:
 *
 * | offset | size | field                                        |
 * |--------|------|----------------------------------------------|
 * | 0      | 5    | magic, ASCII "RLWAL"                         |
 * | 5      | 1    | format version, 1                            |
 * | 6      | 2    | reserved, zero                               |
 * | 8      | 8    | seq (u64)                                    |
 * | 16     | 8    | firstIndex (u64)                             |
 * | 24     | 4    | CRC-32C of bytes 0–23 (u32)                  |
 *
 * Then records back to back, each RECORD_HEADER_BYTES = 12 of header and a payload:
 *
 * | offset | size   | field                                                  |
 * |--------|--------|--------------------------------------------------------|
 * | 0      | 4      | length: payload size in bytes (u32)                    |
 * | 4      | 4      | lengthCrc: CRC-32C of bytes 0–3 (u32)                  |
 * | 8      | 4      | payloadCrc: CRC-32C of the payload (u32)               |
 * | 12     | length | payload                                                |
 *
 * lengthCrc exists so recovery can trust a length it reads: a record whose header checks but
 * whose payload runs past the end of the file was cut short by a crash, whereas without it a
 * flipped bit in an early record's length would look like that and silently drop the rest.
 *
 * Payload: a kind byte, then (varints are unsigned LEB128, as shared/util/binary writes them):
 * - 1 entry:    varint term, varint index, u8 type (0 normal, 1 noop), data (the rest)
 * - 2 truncate: varint lastKeptIndex — entries after it are discarded (a follower dropping a
 *               conflicting suffix, §5.3); the next entry record has index lastKeptIndex + 1
 * - 3 commit:   varint commit — the commit index advanced (Figure 2 calls it volatile; it is
 *               kept so a restarted node can re-apply without a leader)
 *
 * A batch (one append call) is one write of consecutive records: an optional truncate, the
 * entries, an optional commit. Recovery rules are in wal.ts and classifyDamage below.
 */
import type { Entry, EntryType } from '../../../shared/raft/types'
import { BinaryReader, DecodeError } from '../../../shared/util/binary'
import { crc32c } from '../../../shared/util/crc32c'
import { getU64, setU64 } from './u64'

/** SEGMENT_MAGIC opens every segment file, so a stray file is never read as a log. */
export const SEGMENT_MAGIC = 'RLWAL'
/** WAL_FORMAT_VERSION is the segment format this code writes and reads; others are refused. */
export const WAL_FORMAT_VERSION = 1
/** SEGMENT_HEADER_BYTES is the size of a segment header. */
export const SEGMENT_HEADER_BYTES = 28
/** RECORD_HEADER_BYTES is the size of a record header (length, lengthCrc, payloadCrc). */
export const RECORD_HEADER_BYTES = 12
/** MAX_RECORD_PAYLOAD_BYTES is the largest payload a u32 length can describe. */
export const MAX_RECORD_PAYLOAD_BYTES = 0xffff_ffff

const KIND_ENTRY = 1
const KIND_TRUNCATE = 2
const KIND_COMMIT = 3
const TYPE_CODES: Record<EntryType, number> = { normal: 0, noop: 1 }
const TYPES_BY_CODE: readonly EntryType[] = ['normal', 'noop']
const MAGIC_BYTES = new TextEncoder().encode(SEGMENT_MAGIC)
const SEGMENT_NAME = /^wal-([0-9a-f]{16})-([0-9a-f]{16})\.log$/

/** SegmentHeader identifies a segment: its place in the sequence and its first entry's index. */
export interface SegmentHeader {
  seq: number
  firstIndex: number
}

/** WalRecord is one decoded record (see the payload kinds above). */
export type WalRecord =
  | { kind: 'entry'; entry: Entry }
  | { kind: 'truncate'; lastKeptIndex: number }
  | { kind: 'commit'; commit: number }

/** segmentFileName returns the file name of a segment: `wal-<seq>-<firstIndex>.log`. */
export function segmentFileName(h: SegmentHeader): string {
  return `wal-${hex16(h.seq)}-${hex16(h.firstIndex)}.log`
}

/** parseSegmentFileName returns the header a segment's name promises, or null for other names. */
export function parseSegmentFileName(name: string): SegmentHeader | null {
  const m = SEGMENT_NAME.exec(name)
  if (!m) return null
  const seq = Number.parseInt(m[1] as string, 16)
  const firstIndex = Number.parseInt(m[2] as string, 16)
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(firstIndex)) return null
  return { seq, firstIndex }
}

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0')
}

/** encodeSegmentHeader returns the SEGMENT_HEADER_BYTES bytes that open a segment. */
export function encodeSegmentHeader(h: SegmentHeader): Uint8Array {
  const b = new Uint8Array(SEGMENT_HEADER_BYTES)
  const v = new DataView(b.buffer)
  b.set(MAGIC_BYTES, 0)
  b[5] = WAL_FORMAT_VERSION
  setU64(v, 8, h.seq)
  setU64(v, 16, h.firstIndex)
  v.setUint32(24, crc32c(b.subarray(0, 24)))
  return b
}

/** decodeSegmentHeader reads a segment header from the start of `b`; a string is the reason it
 * is invalid. */
export function decodeSegmentHeader(b: Uint8Array): SegmentHeader | string {
  if (b.length < SEGMENT_HEADER_BYTES) {
    return `segment header needs ${SEGMENT_HEADER_BYTES} bytes, file has ${b.length}`
  }
  const v = new DataView(b.buffer, b.byteOffset, SEGMENT_HEADER_BYTES)
  if (v.getUint32(24) !== crc32c(b.subarray(0, 24))) return 'segment header checksum mismatch'
  for (let i = 0; i < MAGIC_BYTES.length; i++) {
    if (b[i] !== MAGIC_BYTES[i]) return `bad magic (want "${SEGMENT_MAGIC}")`
  }
  if (b[5] !== WAL_FORMAT_VERSION) {
    return `unsupported format version ${b[5]} (this build reads ${WAL_FORMAT_VERSION})`
  }
  if (v.getUint16(6) !== 0) return 'reserved header bytes are not zero'
  const seq = getU64(v, 8)
  const firstIndex = getU64(v, 16)
  if (seq === null || firstIndex === null) return 'header field out of range'
  return { seq, firstIndex }
}

function uvarintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size++
  }
  return size
}

function putUvarint(b: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    b[pos++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  b[pos++] = n
  return pos
}

/**
 * BatchEncoder turns one append batch into the bytes of its records, in one reused buffer, so a
 * batch costs one copy of its entry data and one write call. The returned view is valid until the
 * next encode.
 */
export class BatchEncoder {
  private buf = new Uint8Array(64 * 1024)
  private view = new DataView(this.buf.buffer)

  /** encode returns the records for: truncate to `lastKeptIndex` (when not null), `entries`, and
   * commit `commit` (when not null), in that order. */
  encode(
    lastKeptIndex: number | null,
    entries: readonly Entry[],
    commit: number | null,
  ): Uint8Array {
    let size = 0
    if (lastKeptIndex !== null) size += RECORD_HEADER_BYTES + 1 + uvarintSize(lastKeptIndex)
    for (const e of entries) size += RECORD_HEADER_BYTES + entryPayloadBytes(e)
    if (commit !== null) size += RECORD_HEADER_BYTES + 1 + uvarintSize(commit)
    this.reserve(size)
    const b = this.buf
    let pos = 0
    if (lastKeptIndex !== null) {
      const start = pos
      pos = putUvarint(b, start + RECORD_HEADER_BYTES + 1, lastKeptIndex)
      b[start + RECORD_HEADER_BYTES] = KIND_TRUNCATE
      this.sealRecord(start, pos)
    }
    for (const e of entries) {
      const start = pos
      const payloadBytes = entryPayloadBytes(e)
      if (payloadBytes > MAX_RECORD_PAYLOAD_BYTES) {
        throw new RangeError(`entry ${e.index} is ${e.data.length} bytes, over the record limit`)
      }
      b[start + RECORD_HEADER_BYTES] = KIND_ENTRY
      pos = putUvarint(b, start + RECORD_HEADER_BYTES + 1, e.term)
      pos = putUvarint(b, pos, e.index)
      b[pos++] = TYPE_CODES[e.type]
      b.set(e.data, pos)
      pos += e.data.length
      this.sealRecord(start, pos)
    }
    if (commit !== null) {
      const start = pos
      pos = putUvarint(b, start + RECORD_HEADER_BYTES + 1, commit)
      b[start + RECORD_HEADER_BYTES] = KIND_COMMIT
      this.sealRecord(start, pos)
    }
    return b.subarray(0, pos)
  }

  /** sealRecord fills in the header of the record spanning [start, end) once its payload is in. */
  private sealRecord(start: number, end: number): void {
    const length = end - start - RECORD_HEADER_BYTES
    this.view.setUint32(start, length)
    this.view.setUint32(start + 4, crc32c(this.buf.subarray(start, start + 4)))
    this.view.setUint32(start + 8, crc32c(this.buf.subarray(start + RECORD_HEADER_BYTES, end)))
  }

  private reserve(size: number): void {
    // Grow to fit; shrink back after an outsized batch so one huge append does not pin its buffer.
    if (size <= this.buf.length && (this.buf.length <= 4 << 20 || size > 1 << 20)) return
    let cap = 64 * 1024
    while (cap < size) cap *= 2
    this.buf = new Uint8Array(cap)
    this.view = new DataView(this.buf.buffer)
  }
}

function entryPayloadBytes(e: Entry): number {
  return 1 + uvarintSize(e.term) + uvarintSize(e.index) + 1 + e.data.length
}

/** ScannedRecord is a valid record and the offset of its first byte in the segment file. */
export interface ScannedRecord {
  offsetBytes: number
  record: WalRecord
}

/**
 * SegmentScan is what scanRecords found: the valid records, then how the scan stopped at
 * `stopOffsetBytes`: 'end' (exactly at end of file), 'torn' (damage a crash mid-write can leave:
 * from there to the end of the file there is only a cut-short record or zeros) or 'corrupt'
 * (anything else). `reason` says what was wrong.
 */
export interface SegmentScan {
  records: ScannedRecord[]
  stop: 'end' | 'torn' | 'corrupt'
  stopOffsetBytes: number
  reason: string
}

/**
 * scanRecords decodes the records of a segment file held in `b`, starting after its header.
 * Entry data are views into `b` (no copy). It never throws on bad bytes: it classifies them.
 *
 * A crash while writing leaves a tail that is a prefix of what was being written, or zeros where
 * the file grew but its blocks never reached the disk. So damage counts as torn only when nothing
 * but zeros follows it: a partial record header; a valid header whose payload runs past the end
 * of the file; or a payload checksum mismatch in the last record of the file. A bad payload
 * checksum there is indistinguishable from a torn write, while a bad record with data after it
 * means bytes in the middle of the log changed, which no crash does.
 */
export function scanRecords(b: Uint8Array): SegmentScan {
  const records: ScannedRecord[] = []
  const v = new DataView(b.buffer, b.byteOffset, b.length)
  let off = SEGMENT_HEADER_BYTES
  const stop = (kind: 'torn' | 'corrupt', reason: string): SegmentScan => {
    return { records, stop: kind, stopOffsetBytes: off, reason }
  }
  while (off < b.length) {
    const rest = b.length - off
    if (rest < RECORD_HEADER_BYTES) {
      return stop('torn', `partial record header (${rest} of ${RECORD_HEADER_BYTES} bytes)`)
    }
    const length = v.getUint32(off)
    if (v.getUint32(off + 4) !== crc32c(b.subarray(off, off + 4))) {
      if (isAllZero(b, off)) return stop('torn', `zero-filled tail of ${rest} bytes`)
      return stop('corrupt', 'record header checksum mismatch (damaged length)')
    }
    const end = off + RECORD_HEADER_BYTES + length
    if (end > b.length) {
      return stop('torn', `record of ${length} payload bytes cut short at end of file`)
    }
    const payload = b.subarray(off + RECORD_HEADER_BYTES, end)
    if (v.getUint32(off + 8) !== crc32c(payload)) {
      if (isAllZero(b, end)) return stop('torn', 'payload checksum mismatch in the last record')
      return stop('corrupt', 'payload checksum mismatch')
    }
    const record = decodePayload(payload)
    if (typeof record === 'string') return stop('corrupt', record)
    records.push({ offsetBytes: off, record })
    off = end
  }
  return { records, stop: 'end', stopOffsetBytes: off, reason: '' }
}

function isAllZero(b: Uint8Array, from: number): boolean {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

/** decodePayload decodes one record's payload, or returns why it is malformed. A checksummed
 * payload that does not decode was written by a bug or another format, never by a crash. */
function decodePayload(payload: Uint8Array): WalRecord | string {
  const r = new BinaryReader(payload)
  try {
    const kind = r.u8()
    if (kind === KIND_ENTRY) {
      const term = r.uvarint()
      const index = r.uvarint()
      const type = TYPES_BY_CODE[r.u8()]
      if (type === undefined) return 'unknown entry type'
      // A copy: a kept entry must not pin the whole segment file's buffer.
      return { kind: 'entry', entry: { term, index, type, data: r.raw(r.remaining).slice() } }
    }
    if (kind === KIND_TRUNCATE) {
      const lastKeptIndex = r.uvarint()
      r.end()
      return { kind: 'truncate', lastKeptIndex }
    }
    if (kind === KIND_COMMIT) {
      const commit = r.uvarint()
      r.end()
      return { kind: 'commit', commit }
    }
    return `unknown record kind ${kind}`
  } catch (err) {
    if (err instanceof DecodeError) return `malformed record payload: ${err.message}`
    throw err
  }
}
