// The snapshotChunk frame (protocol 1.3): a MsgSnap cut into chunks, each checkable by itself,
// and the refusal of chunks no correct sender could write.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FRAME_KIND,
  FrameDecoder,
  MAX_SNAPSHOT_CHUNK_BYTES,
  MAX_SNAPSHOT_TRANSFER_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  SNAPSHOT_CHUNK_MINOR,
  decodeMessage,
  decodeSnapshotChunk,
  encodeMessage,
  encodeSnapshotChunk,
  encodeSnapshotChunkFrame,
  snapshotChunkAt,
  snapshotMessage,
  type SnapshotChunk,
} from '../../../shared/protocol'
import type { Message } from '../../../shared/raft/types'
import { BinaryWriter } from '../../../shared/util/binary'
import { crc32c } from '../../../shared/util/crc32c'
import { arbUint, expectMalformed, message } from './arbitraries'

function snap(data: Uint8Array, index = 40, term = 2, peers = [1, 2, 3]): Message {
  return message({
    type: 'MsgSnap',
    from: 1,
    to: 3,
    term: 5,
    snapshot: { metadata: { index, term, peers }, data },
  })
}

/** chunksOf cuts `m` as a sender does, chunk after chunk. */
function chunksOf(m: Message, chunkBytes: number): SnapshotChunk[] {
  const out: SnapshotChunk[] = []
  let offset = 0
  let crc = 0
  for (;;) {
    const c = snapshotChunkAt(m, offset, crc, chunkBytes)
    out.push(c)
    if (c.isLast) return out
    offset += c.data.length
    crc = crc32c(c.data, crc)
  }
}

/** body writes a chunk body field by field, so tests can write what an encoder refuses. */
function body(f: {
  index?: number
  flags?: number
  total?: number
  offset?: number
  length?: number
  data?: Uint8Array
  trailing?: number[]
}): Uint8Array {
  const data = f.data ?? Uint8Array.of(7, 8)
  const w = new BinaryWriter(64)
  w.uvarint(1).uvarint(3).uvarint(5) // from, to, term
  w.uvarint(f.index ?? 40)
    .uvarint(2)
    .uvarint(1)
    .uvarint(1) // index, term, 1 peer: 1
  w.u8(f.flags ?? 1)
  w.uvarint(f.total ?? data.length).uvarint(f.offset ?? 0)
  w.uvarint(f.length ?? data.length).raw(data)
  w.u32(crc32c(data))
  if ((f.flags ?? 1) & 1) w.u32(crc32c(data))
  for (const b of f.trailing ?? []) w.u8(b)
  return w.finish()
}

describe('snapshotChunk frames', () => {
  it('arrive in the current minor, with a kind of their own', () => {
    expect(SNAPSHOT_CHUNK_MINOR).toBe(3)
    expect(PROTOCOL_VERSION.minor).toBeGreaterThanOrEqual(SNAPSHOT_CHUNK_MINOR)
    const frame = encodeSnapshotChunkFrame(snapshotChunkAt(snap(Uint8Array.of(1, 2, 3)), 0, 0))
    const [f] = new FrameDecoder({ helloFirst: false }).push(frame)
    expect(f?.kind).toBe(FRAME_KIND.snapshotChunk)
  })

  it('cut any snapshot into chunks that decode to the same chunks and rebuild the MsgSnap', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        arbUint,
        fc.array(arbUint, { maxLength: 5 }),
        (data, chunkBytes, index, term, peers) => {
          const m = snap(data, index, term, peers)
          const chunks = chunksOf(m, chunkBytes)
          expect(chunks).toHaveLength(Math.max(1, Math.ceil(data.length / chunkBytes)))
          const parts: Uint8Array[] = []
          for (const c of chunks) {
            const back = decodeSnapshotChunk(encodeSnapshotChunk(c))
            expect(back).toEqual({ ...c, data: back.data })
            expect([...back.data]).toEqual([...c.data])
            expect(crc32c(back.data)).toBe(back.crc)
            parts.push(back.data)
          }
          const last = chunks[chunks.length - 1] as SnapshotChunk
          const whole = Uint8Array.from(parts.flatMap((p) => [...p]))
          expect(last.snapshotCrc).toBe(crc32c(data))
          // The rebuilt message is what decoding the single-frame MsgSnap gives.
          expect(snapshotMessage(last, whole)).toEqual(decodeMessage(encodeMessage(m)))
        },
      ),
    )
  })

  it('carry their data as views, without copying the snapshot', () => {
    const data = new Uint8Array(10_000)
    const c = snapshotChunkAt(snap(data), 4096, 0, 4096)
    expect(c.data.buffer).toBe(data.buffer)
    expect(c.data.byteOffset).toBe(4096)
  })

  it('refuse to cut a snapshot over the transfer limit or at an offset outside it', () => {
    const huge = { length: MAX_SNAPSHOT_TRANSFER_BYTES + 1 } as Uint8Array
    expectMalformed(() => snapshotChunkAt(snap(huge), 0, 0), /exceed the 1073741824-byte limit/)
    expectMalformed(() => snapshotChunkAt(snap(Uint8Array.of(1)), 1, 0), /offset 1 of 1 bytes/)
    expectMalformed(() => snapshotChunkAt(message({ type: 'MsgApp' }), 0, 0), /carries no/)
  })

  it('refuse to encode a chunk that a receiver would refuse', () => {
    const c = snapshotChunkAt(snap(Uint8Array.of(1, 2, 3)), 0, 0)
    expectMalformed(() => encodeSnapshotChunk({ ...c, isLast: false }), /last flag is clear/)
    expectMalformed(
      () => encodeSnapshotChunk({ ...c, metadata: { ...c.metadata, index: 0 } }),
      /snapshot index 0/,
    )
    expectMalformed(() => encodeSnapshotChunk({ ...c, offset: 2 }), /overrun/)
    expectMalformed(() => encodeSnapshotChunk({ ...c, from: -1 }), /from must be/)
  })

  it('refuse malformed and oversized chunks on receipt', () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['snapshot index 0', body({ index: 0 }), /snapshot index flagged present but 0/],
      ['an unknown flag', body({ flags: 3 }), /unknown flags 0x3/],
      ['a last flag on a chunk that ends early', body({ total: 5 }), /last flag is set/],
      ['no last flag on the chunk that ends the data', body({ flags: 0 }), /last flag is clear/],
      ['data past the total', body({ total: 1, flags: 0 }), /overrun the 1-byte data/],
      ['an empty chunk', body({ data: new Uint8Array(0), total: 4, flags: 0 }), /empty chunk/],
      [
        'a total over the limit',
        body({ total: MAX_SNAPSHOT_TRANSFER_BYTES + 1, flags: 0 }),
        /exceeds the 1073741824-byte limit/,
      ],
      [
        'chunk data over the limit',
        body({ length: MAX_SNAPSHOT_CHUNK_BYTES + 1 }),
        /exceed 1048576 a chunk/,
      ],
      ['trailing bytes', body({ trailing: [0] }), /trailing/],
    ]
    for (const [what, bytes, pattern] of cases) {
      expect(() => decodeSnapshotChunk(bytes), what).toThrow(ProtocolError)
      expectMalformed(() => decodeSnapshotChunk(bytes), pattern)
    }
    const good = body({})
    expect(decodeSnapshotChunk(good).isLast).toBe(true)
    for (let n = 0; n < good.length; n++) {
      expectMalformed(() => decodeSnapshotChunk(good.subarray(0, n)), /./)
    }
  })

  it('never throw anything but a ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeSnapshotChunk(bytes)
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError)
        }
      }),
    )
  })
})
