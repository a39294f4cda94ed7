import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BinaryReader, BinaryWriter, DecodeError } from '../../../shared/util/binary'

describe('binary encoding', () => {
  it('round-trips varints, strings and bytes', () => {
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.string(),
        fc.uint8Array(),
        fc.integer({ min: 0, max: 0xffffffff }),
        (n, s, b, u) => {
          const w = new BinaryWriter(1).uvarint(n).string(s).bytes(b).u32(u)
          const r = new BinaryReader(w.finish())
          expect([r.uvarint(), r.string(), r.bytes(), r.u32()]).toEqual([n, s, b, u])
          r.end()
        },
      ),
    )
  })

  it('reports truncation and garbage as DecodeError', () => {
    const bytes = new BinaryWriter().string('hello').finish()
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => new BinaryReader(bytes.subarray(0, cut)).string()).toThrow(DecodeError)
    }
    expect(() => new BinaryReader(new Uint8Array(9).fill(0xff)).uvarint()).toThrow(DecodeError)
    expect(() => new BinaryReader(new Uint8Array([1, 0xff])).string()).toThrow(DecodeError)
    const r = new BinaryReader(new Uint8Array([1, 2]))
    r.u8()
    expect(() => r.end()).toThrow(/trailing/)
  })

  it('refuses to encode numbers that are not safe non-negative integers', () => {
    expect(() => new BinaryWriter().uvarint(-1)).toThrow(RangeError)
    expect(() => new BinaryWriter().uvarint(1.5)).toThrow(RangeError)
  })
})

describe('UTF-8', () => {
  it('keeps a leading byte-order mark (TextDecoder would drop it by default)', () => {
    for (const s of ['\ufeff', '\ufeffkey', '\ufeff\ufeffx']) {
      const r = new BinaryReader(new BinaryWriter().string(s).finish())
      expect(r.string()).toBe(s)
    }
  })
})
