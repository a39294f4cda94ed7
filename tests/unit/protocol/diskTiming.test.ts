// The diskTiming frame (protocol 1.1): a follower's disk time travels beside its acknowledgements
// in a frame of its own, never inside a Raft message.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DISK_TIMING_MINOR,
  FRAME_KIND,
  FrameDecoder,
  PROTOCOL_VERSION,
  decodeDiskTiming,
  encodeDiskTiming,
  encodeDiskTimingFrame,
  type DiskTiming,
} from '../../../shared/protocol'
import { expectMalformed } from './arbitraries'

const arbTiming: fc.Arbitrary<DiskTiming> = fc
  .tuple(fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(10_000), fc.maxSafeNat())
  .map(([firstIndex, span, micros]) => ({ firstIndex, lastIndex: firstIndex + span, micros }))

describe('diskTiming frames', () => {
  it('is defined from the current minor on', () => {
    expect(FRAME_KIND.diskTiming).toBe(4)
    expect(PROTOCOL_VERSION.minor).toBeGreaterThanOrEqual(DISK_TIMING_MINOR)
  })

  it('lays out firstIndex, the span and the micros as uvarints', () => {
    expect([...encodeDiskTiming({ firstIndex: 6, lastIndex: 7, micros: 300 })]).toEqual([
      0x06, 0x01, 0xac, 0x02,
    ])
  })

  it('round-trips any timing, canonically, inside a frame a peer connection accepts', () => {
    fc.assert(
      fc.property(arbTiming, (t) => {
        const body = encodeDiskTiming(t)
        expect(decodeDiskTiming(body)).toEqual(t)
        expect(encodeDiskTiming(decodeDiskTiming(body))).toEqual(body)
        const d = new FrameDecoder({ helloFirst: false, kinds: [FRAME_KIND.diskTiming] })
        const [frame] = d.push(encodeDiskTimingFrame(t))
        expect(frame?.kind).toBe(FRAME_KIND.diskTiming)
        expect(decodeDiskTiming(frame!.body)).toEqual(t)
      }),
    )
  })

  it('refuses what no sender may send', () => {
    expectMalformed(() => decodeDiskTiming(Uint8Array.of(0, 0, 0)), /firstIndex 0/)
    expectMalformed(() => decodeDiskTiming(Uint8Array.of(1, 0)), /^disk timing: /)
    expectMalformed(() => decodeDiskTiming(Uint8Array.of(1, 0, 5, 9)), /^disk timing: /)
    expectMalformed(() => decodeDiskTiming(Uint8Array.of(1, 0x80, 0x00, 5)), /non-minimal/)
    expectMalformed(
      () => encodeDiskTiming({ firstIndex: 5, lastIndex: 4, micros: 1 }),
      /not a range/,
    )
    expectMalformed(() => encodeDiskTiming({ firstIndex: 0, lastIndex: 0, micros: 1 }), /range/)
    expectMalformed(() => encodeDiskTiming({ firstIndex: 1, lastIndex: 1, micros: -1 }), /micros/)
  })
})
