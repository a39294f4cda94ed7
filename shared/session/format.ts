// The recording file format (docs/formats/recording.md): a header with the session's metadata,
// then self-checking chunks — event batches, keyframes, gap markers and, when the recording was
// closed cleanly, an index. Pure byte layout: compression is done by the caller (zlib's raw
// deflate in Node), so this module stays free of I/O.
import { utf8Decode, utf8Encode } from '../util/binary'
import { crc32c } from '../util/crc32c'

/** RECORDING_MAGIC opens every recording. */
export const RECORDING_MAGIC = 'RAFTREC\n'
/** RECORDING_VERSION is the format this build writes. Readers refuse a newer major; minor
 * versions only add chunk kinds or optional metadata, which older readers skip. */
export const RECORDING_VERSION = { major: 1, minor: 0 } as const
/** CHUNK_MAGIC opens every chunk, so a reader can find the next chunk after damage. */
export const CHUNK_MAGIC = 'RCHK'
/** CHUNK_HEADER_BYTES is the size of a chunk header. */
export const CHUNK_HEADER_BYTES = 36
/** MAX_CHUNK_BYTES bounds a chunk's payload; anything larger is damage, not data. */
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024

/** ChunkKind says what a chunk holds. */
export type ChunkKind = 'events' | 'keyframe' | 'gap' | 'index'
const KIND_CODES: Record<ChunkKind, number> = { events: 1, keyframe: 2, gap: 3, index: 4 }
const KINDS_BY_CODE = new Map<number, ChunkKind>(
  Object.entries(KIND_CODES).map(([k, v]) => [v, k as ChunkKind]),
)

/** SessionMeta describes a recording. */
export interface SessionMeta {
  formatVersion: { major: number; minor: number }
  eventVersion: { major: number; minor: number }
  appVersion: string
  createdAt: string
  machine: { os: string; cpus: number; cpuModel: string; node: string; electron: string | null }
  /** source says what recorded it: a CLI command, the app, a re-run of another recording. */
  source: 'cluster' | 'test' | 'bench' | 'app' | 'rerun'
  /** rerunOf names the recording a re-run reproduced. */
  rerunOf?: string
}

/** ChunkHeader is a chunk's fixed part. `startMs`/`endMs` span its events on the session clock;
 * `count` is its number of events (keyframes: 1). */
export interface ChunkHeader {
  kind: ChunkKind
  compressed: boolean
  startMs: number
  endMs: number
  count: number
  length: number
}

/** RecordingFormatError is a file that is not a readable recording, with a message for people. */
export class RecordingFormatError extends Error {
  override name = 'RecordingFormatError'

  constructor(
    readonly code: 'empty' | 'not-a-recording' | 'future-version' | 'damaged-header',
    message: string,
  ) {
    super(message)
  }
}

const MAGIC_BYTES = utf8Encode(RECORDING_MAGIC)
const CHUNK_MAGIC_BYTES = utf8Encode(CHUNK_MAGIC)

/** encodeHeader returns the file header for `meta`. */
export function encodeHeader(meta: SessionMeta): Uint8Array {
  const json = utf8Encode(JSON.stringify(meta))
  const out = new Uint8Array(8 + 4 + 4 + json.length + 4)
  const v = new DataView(out.buffer)
  out.set(MAGIC_BYTES, 0)
  out[8] = RECORDING_VERSION.major
  out[9] = RECORDING_VERSION.minor
  v.setUint32(12, json.length)
  out.set(json, 16)
  v.setUint32(16 + json.length, crc32c(out.subarray(8, 16 + json.length)))
  return out
}

/** decodeHeader reads the header at the start of `b`; it returns the metadata and where the first
 * chunk starts, or throws RecordingFormatError saying exactly what is wrong. */
export function decodeHeader(b: Uint8Array): { meta: SessionMeta; offset: number } {
  if (b.length === 0)
    throw new RecordingFormatError('empty', 'the file is empty: it is not a raftlab recording')
  const head = b.subarray(0, MAGIC_BYTES.length)
  if (head.length < MAGIC_BYTES.length || !head.every((x, i) => x === MAGIC_BYTES[i])) {
    const shown = [...b.subarray(0, 8)]
      .map((x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.'))
      .join('')
    throw new RecordingFormatError(
      'not-a-recording',
      `not a raftlab recording (it starts with "${shown}")`,
    )
  }
  if (b.length < 16)
    throw new RecordingFormatError('damaged-header', 'the recording is cut short inside its header')
  const major = b[8] as number
  const minor = b[9] as number
  if (major > RECORDING_VERSION.major) {
    throw new RecordingFormatError(
      'future-version',
      `recorded by a newer raftlab (recording format ${major}.${minor}); this raftlab reads format ` +
        `${RECORDING_VERSION.major}.x — upgrade raftlab to open it`,
    )
  }
  const v = new DataView(b.buffer, b.byteOffset, b.length)
  const len = v.getUint32(12)
  if (16 + len + 4 > b.length)
    throw new RecordingFormatError('damaged-header', 'the recording is cut short inside its header')
  if (v.getUint32(16 + len) !== crc32c(b.subarray(8, 16 + len))) {
    throw new RecordingFormatError(
      'damaged-header',
      "the recording's header is damaged (checksum mismatch)",
    )
  }
  let meta: SessionMeta
  try {
    meta = JSON.parse(utf8Decode(b.subarray(16, 16 + len))) as SessionMeta
  } catch {
    throw new RecordingFormatError('damaged-header', "the recording's header does not decode")
  }
  return { meta, offset: 16 + len + 4 }
}

/** encodeChunk frames a payload (already compressed when `h.compressed`). */
export function encodeChunk(h: Omit<ChunkHeader, 'length'>, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(CHUNK_HEADER_BYTES + payload.length)
  const v = new DataView(out.buffer)
  out.set(CHUNK_MAGIC_BYTES, 0)
  out[4] = KIND_CODES[h.kind]
  out[5] = h.compressed ? 1 : 0
  v.setFloat64(8, h.startMs)
  v.setFloat64(16, h.endMs)
  v.setUint32(24, h.count)
  v.setUint32(28, payload.length)
  out.set(payload, CHUNK_HEADER_BYTES)
  v.setUint32(32, chunkCrc(out.subarray(0, 32), payload))
  return out
}

function chunkCrc(header: Uint8Array, payload: Uint8Array): number {
  return crc32c(payload, crc32c(header))
}

/** ChunkRead is a chunk found at `offset`: its header, payload and where the next one starts. */
export interface ChunkRead {
  offset: number
  header: ChunkHeader
  payload: Uint8Array
  next: number
}

/** readChunk reads the chunk at `offset`: 'end' at the end of the file, 'truncated' when the file
 * ends inside it, 'damaged' when it does not check (or is of an unknown kind from a newer minor:
 * readers skip those as 'unknown'). */
export function readChunk(
  b: Uint8Array,
  offset: number,
): ChunkRead | 'end' | 'truncated' | 'damaged' | { unknown: number } {
  if (offset >= b.length) return 'end'
  if (offset + CHUNK_HEADER_BYTES > b.length) return 'truncated'
  for (let i = 0; i < 4; i++) if (b[offset + i] !== CHUNK_MAGIC_BYTES[i]) return 'damaged'
  const v = new DataView(b.buffer, b.byteOffset + offset, CHUNK_HEADER_BYTES)
  const length = v.getUint32(28)
  if (length > MAX_CHUNK_BYTES) return 'damaged'
  if (offset + CHUNK_HEADER_BYTES + length > b.length) return 'truncated'
  const payload = b.subarray(offset + CHUNK_HEADER_BYTES, offset + CHUNK_HEADER_BYTES + length)
  if (v.getUint32(32) !== chunkCrc(b.subarray(offset, offset + 32), payload)) return 'damaged'
  const next = offset + CHUNK_HEADER_BYTES + length
  const kind = KINDS_BY_CODE.get(b[offset + 4] as number)
  if (!kind) return { unknown: next }
  return {
    offset,
    header: {
      kind,
      compressed: ((b[offset + 5] as number) & 1) === 1,
      startMs: v.getFloat64(8),
      endMs: v.getFloat64(16),
      count: v.getUint32(24),
      length,
    },
    payload,
    next,
  }
}

/** findNextChunk returns the offset of the next intact chunk at or after `from`, or -1: after
 * damage a reader resumes there, losing only the damaged chunk. */
export function findNextChunk(b: Uint8Array, from: number): number {
  for (let i = from; i + CHUNK_HEADER_BYTES <= b.length; i++) {
    if (b[i] !== 0x52 || b[i + 1] !== 0x43 || b[i + 2] !== 0x48 || b[i + 3] !== 0x4b) continue
    const c = readChunk(b, i)
    if (typeof c === 'object') return i
  }
  return -1
}
