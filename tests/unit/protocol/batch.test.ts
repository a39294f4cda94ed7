import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Message } from '../../../shared/raft'
import {
  FRAME_KIND,
  FrameDecoder,
  ProtocolError,
  decodeFrameMessages,
  decodeMessageBatch,
  encodeFrame,
  encodeMessage,
  encodeMessageBatch,
  encodeMessageFrames,
  encodedMessageBytes,
} from '../../../shared/protocol'
import { arbMessage, entriesFrom, message, thrownBy } from './arbitraries'

function expectProtocolError(f: () => unknown, code: ProtocolError['code'], pattern: RegExp) {
  const e = thrownBy(f)
  expect(e).toBeInstanceOf(ProtocolError)
  expect((e as ProtocolError).code).toBe(code)
  expect((e as ProtocolError).message).toMatch(pattern)
}

/** framesToMessages runs frames through a FrameDecoder, as a receiving transport would. */
function framesToMessages(frames: readonly Uint8Array[]): Message[] {
  const d = new FrameDecoder({ helloFirst: false })
  return frames.flatMap((f) => d.push(f)).flatMap(decodeFrameMessages)
}

describe('raft batches', () => {
  it('round-trips arbitrary lists of messages in order', () => {
    fc.assert(
      fc.property(fc.array(arbMessage, { minLength: 1, maxLength: 8 }), (ms) => {
        const body = encodeMessageBatch(ms)
        expect(decodeMessageBatch(body)).toEqual(ms)
      }),
      { numRuns: 500 },
    )
  })

  it('lays out a count, then each message prefixed by its length', () => {
    const a = message({ type: 'MsgHeartbeatResp', term: 3 })
    const b = message({ type: 'MsgTimeoutNow', term: 3 })
    const body = encodeMessageBatch([a, b])
    expect([...body]).toEqual([2, 5, ...encodeMessage(a), 5, ...encodeMessage(b)])
  })

  it('refuses an empty batch, a zero count, overruns and names a bad inner message', () => {
    expectProtocolError(() => encodeMessageBatch([]), 'malformed', /raft batch: no messages/)
    expectProtocolError(() => decodeMessageBatch(Uint8Array.of(0)), 'malformed', /count.*0/)
    expectProtocolError(
      () => decodeMessageBatch(Uint8Array.of(3, 5, 7, 0, 1, 2, 3)),
      'malformed',
      /3 messages cannot fit in 6 bytes/,
    )
    const good = encodeMessage(message({ type: 'MsgHeartbeatResp', term: 3 }))
    expectProtocolError(
      () => decodeMessageBatch(Uint8Array.of(2, 5, ...good, 6, ...good, 0)),
      'malformed',
      /raft batch: message 1: 1 trailing bytes/,
    )
    expectProtocolError(
      () => decodeMessageBatch(Uint8Array.of(1, 9, ...good)),
      'malformed',
      /truncated/,
    )
  })
})

describe('encodeMessageFrames', () => {
  const app = (i: number) =>
    message({
      type: 'MsgApp',
      term: 2,
      index: 100 * i,
      logTerm: 2,
      entries: entriesFrom(100 * i + 1, 10, 2, 50),
    })

  it('sends one message in a raft frame and several in one raftBatch frame', () => {
    const hb = message({ type: 'MsgHeartbeat', term: 2, commit: 5 })
    const [single, ...none] = encodeMessageFrames([hb])
    expect(none).toEqual([])
    expect(single![4]).toBe(FRAME_KIND.raft)
    expect([...single!.subarray(5)]).toEqual([...encodeMessage(hb)])
    const batch = encodeMessageFrames([hb, app(1), hb])
    expect(batch).toHaveLength(1)
    expect(batch[0]![4]).toBe(FRAME_KIND.raftBatch)
    expect(framesToMessages(batch)).toEqual([hb, app(1), hb])
    expect(encodeMessageFrames([])).toEqual([])
  })

  it('splits at the frame limit, keeps order, and every frame fits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(arbMessage, fc.nat(5).map(app)), { maxLength: 12 }),
        fc.integer({ min: 600, max: 5000 }),
        (ms, maxFrameBytes) => {
          const fit = ms.filter((m) => 1 + encodedMessageBytes(m) <= maxFrameBytes)
          const frames = encodeMessageFrames(fit, maxFrameBytes)
          for (const f of frames) expect(f.length - 4).toBeLessThanOrEqual(maxFrameBytes)
          expect(frames.length).toBeLessThanOrEqual(fit.length)
          const d = new FrameDecoder({ helloFirst: false, maxFrameBytes })
          expect(frames.flatMap((f) => d.push(f)).flatMap(decodeFrameMessages)).toEqual(fit)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('packs greedily: a frame closes only when the next message would not fit', () => {
    const ms = [2, 3, 4, 5, 6].map(app) // indexes 200–600: every message has the same size
    const size = encodedMessageBytes(ms[0]!)
    const twoPerFrame = 1 + 1 + 2 * (2 + size)
    const frames = encodeMessageFrames(ms, twoPerFrame)
    expect(frames.map((f) => f[4])).toEqual([3, 3, 2])
    expect(frames.map((f) => f.length - 4)).toEqual([twoPerFrame, twoPerFrame, 1 + size])
  })

  it('refuses a message larger than the frame limit, sending nothing', () => {
    expectProtocolError(
      () => encodeMessageFrames([message({ type: 'MsgHeartbeat' }), app(1)], 300),
      'oversized',
      /raft message MsgApp of \d+ bytes exceeds the frame limit of 300 bytes/,
    )
  })

  it('decodeFrameMessages refuses frames that carry no raft messages', () => {
    const [hello] = new FrameDecoder().push(encodeFrame(FRAME_KIND.hello, new Uint8Array(1)))
    expectProtocolError(
      () => decodeFrameMessages(hello!),
      'unknown-kind',
      /a hello frame carries no raft messages/,
    )
  })
})
