// A follower's disk time, sent to its leader beside the acknowledgements it delays: the leader
// attributes a sampled write's latency to its stages (docs/guide/benchmarks.md), and the
// acknowledgement that completes a quorum names the follower whose disk write it waited for.
// The core never sees it: it travels in a frame of its own (kind diskTiming, protocol 1.1), so
// Raft messages carry nothing but Raft.
import { BinaryReader, BinaryWriter, DecodeError } from '../util/binary'
import { asMalformed, ProtocolError } from './errors'
import { encodeFrame } from './framing'
import { FRAME_KIND } from './kinds'
import { checkUint, isUint, readUvarint } from './wire'

/** DiskTiming says how long a node's write of the entries firstIndex…lastIndex took, from the
 * start of its append to the end of its fdatasync (or of its write, without fsync). */
export interface DiskTiming {
  firstIndex: number
  lastIndex: number
  micros: number
}

/** DISK_TIMING_MINOR is the protocol minor version that defines the diskTiming frame: a node
 * sends one only to a peer whose hello announced at least this minor. */
export const DISK_TIMING_MINOR = 1

/** encodeDiskTiming returns a diskTiming body: firstIndex (≥ 1), lastIndex − firstIndex, micros,
 * each a uvarint. It throws ProtocolError('malformed') for an index below 1, a lastIndex before
 * firstIndex, or a value that is not a safe integer ≥ 0. */
export function encodeDiskTiming(t: DiskTiming): Uint8Array {
  const what = 'disk timing'
  const first = checkUint(t.firstIndex, what, 'firstIndex')
  const last = checkUint(t.lastIndex, what, 'lastIndex')
  const micros = checkUint(t.micros, what, 'micros')
  if (first === 0 || last < first) {
    throw new ProtocolError('malformed', `${what}: entries ${first}…${last} are not a range`)
  }
  return new BinaryWriter(24)
    .uvarint(first)
    .uvarint(last - first)
    .uvarint(micros)
    .finish()
}

/** encodeDiskTimingFrame returns a ready-to-write diskTiming frame. */
export function encodeDiskTimingFrame(t: DiskTiming): Uint8Array {
  return encodeFrame(FRAME_KIND.diskTiming, encodeDiskTiming(t))
}

/** decodeDiskTiming decodes a diskTiming body. It throws ProtocolError('malformed') for a zero
 * firstIndex, a range past 2^53 − 1, a non-minimal varint or trailing bytes. */
export function decodeDiskTiming(body: Uint8Array): DiskTiming {
  return asMalformed('disk timing', () => {
    const r = new BinaryReader(body)
    const firstIndex = readUvarint(r)
    if (firstIndex === 0) throw new DecodeError('firstIndex 0 (log indexes start at 1)')
    const span = readUvarint(r)
    const micros = readUvarint(r)
    r.end()
    const lastIndex = firstIndex + span
    if (!isUint(lastIndex)) throw new DecodeError('lastIndex past 2^53 − 1')
    return { firstIndex, lastIndex, micros }
  })
}
