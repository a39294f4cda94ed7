import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FRAME_KIND,
  FrameDecoder,
  ProtocolError,
  encodeFrame,
  encodeHelloFrame,
  encodeMessageFrames,
  makeHello,
  type Frame,
  type FrameKind,
} from '../../../shared/protocol'
import { entriesFrom, message, thrownBy } from './arbitraries'

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** header returns a bare frame header declaring `payloadBytes`, then `rest`. */
function header(payloadBytes: number, ...rest: number[]): Uint8Array {
  const b = new Uint8Array(4 + rest.length)
  new DataView(b.buffer).setUint32(0, payloadBytes)
  b.set(rest, 4)
  return b
}

/** STREAM is a connection's worth of frames: a hello, then raft traffic of varied sizes,
 * including a frame whose body is empty. */
const FRAMES: readonly Uint8Array[] = [
  encodeHelloFrame(makeHello('peer', 1, 'lab-7')),
  ...encodeMessageFrames([message({ type: 'MsgHeartbeat', term: 2, commit: 9 })]),
  encodeFrame(FRAME_KIND.raft, new Uint8Array(0)),
  ...encodeMessageFrames([
    message({
      type: 'MsgApp',
      term: 2,
      index: 10,
      logTerm: 2,
      entries: entriesFrom(11, 20, 2, 100),
    }),
    message({ type: 'MsgTimeoutNow', to: 3, term: 2 }),
  ]),
  encodeFrame(
    FRAME_KIND.raftBatch,
    Uint8Array.from({ length: 300 }, (_, i) => i & 0xff),
  ),
]
const STREAM = concat(FRAMES)
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')
const EXPECTED = FRAMES.map((f) => ({ kind: f[4], body: hex(f.subarray(5)) }))

/** plain makes frames cheap to compare: a kind and a hex body each. */
function plain(frames: readonly Frame[]) {
  return frames.map((f) => ({ kind: f.kind, body: hex(f.body) }))
}

function decodeChunks(chunks: readonly Uint8Array[]): Frame[] {
  const d = new FrameDecoder()
  const out = chunks.flatMap((c) => d.push(c))
  d.finish()
  return out
}

function expectProtocolError(f: () => unknown, code: ProtocolError['code'], pattern: RegExp) {
  const e = thrownBy(f)
  expect(e).toBeInstanceOf(ProtocolError)
  expect((e as ProtocolError).code).toBe(code)
  expect((e as ProtocolError).message).toMatch(pattern)
}

describe('encodeFrame', () => {
  it('writes a big-endian payload length, the kind byte, then the body', () => {
    const f = encodeFrame(FRAME_KIND.raftBatch, Uint8Array.from([0xaa, 0xbb]))
    expect([...f]).toEqual([0, 0, 0, 3, 3, 0xaa, 0xbb])
    expect(f.buffer.byteLength).toBe(7)
  })

  it('refuses an undefined kind and a payload over the limit', () => {
    expectProtocolError(
      () => encodeFrame(18 as FrameKind, new Uint8Array(0)),
      'unknown-kind',
      /unassigned client kind 18/,
    )
    expectProtocolError(
      () => encodeFrame(FRAME_KIND.raft, new Uint8Array(100), 100),
      'oversized',
      /payload of 101 bytes exceeds the limit of 100/,
    )
  })
})

describe('FrameDecoder', () => {
  it('decodes a whole stream pushed in one chunk', () => {
    expect(plain(decodeChunks([STREAM]))).toEqual(EXPECTED)
  })

  it('decodes the same frames when the stream arrives one byte at a time', () => {
    const d = new FrameDecoder()
    const out: Frame[] = []
    for (let i = 0; i < STREAM.length; i++) {
      out.push(...d.push(STREAM.subarray(i, i + 1)))
      expect(d.bufferedBytes).toBeLessThan(FRAMES.reduce((n, f) => Math.max(n, f.length), 0))
    }
    d.finish()
    expect(plain(out)).toEqual(EXPECTED)
    expect(d.framesDecoded).toBe(FRAMES.length)
  })

  it('decodes the same frames when the stream is split at every byte boundary', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const out = decodeChunks([STREAM.subarray(0, cut), STREAM.subarray(cut)])
      expect(plain(out)).toEqual(EXPECTED)
    }
  })

  it('decodes the same frames under random chunkings', () => {
    const arbCuts = fc.uniqueArray(fc.integer({ min: 1, max: STREAM.length - 1 }), {
      maxLength: 40,
    })
    fc.assert(
      fc.property(arbCuts, (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), STREAM.length]
        const chunks = points.slice(1).map((end, i) => STREAM.subarray(points[i], end))
        expect(plain(decodeChunks(chunks))).toEqual(EXPECTED)
      }),
      { numRuns: 500 },
    )
  })

  it('returns a frame inside one chunk as a view of it, and copies one spanning chunks', () => {
    const d = new FrameDecoder()
    const [hello] = d.push(FRAMES[0]!)
    expect(hello!.body.buffer).toBe(FRAMES[0]!.buffer)
    const big = FRAMES[3]!
    d.push(big.subarray(0, 10))
    const [spanning] = d.push(big.subarray(10))
    expect(spanning!.body.buffer).not.toBe(big.buffer)
    expect(hex(spanning!.body)).toBe(hex(big.subarray(5)))
  })

  it('reassembles a 256 KiB frame pushed one byte at a time', () => {
    const body = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 7) & 0xff)
    const frame = encodeFrame(FRAME_KIND.raft, body)
    const d = new FrameDecoder({ helloFirst: false })
    const out: Frame[] = []
    for (let i = 0; i < frame.length; i++) out.push(...d.push(frame.subarray(i, i + 1)))
    expect(out).toHaveLength(1)
    expect(hex(out[0]!.body)).toBe(hex(body))
    expect(d.bufferedBytes).toBe(0)
  })

  it('refuses an oversized length as soon as the header arrives, before any body byte', () => {
    const d = new FrameDecoder({ maxFrameBytes: 1000 })
    d.push(FRAMES[0]!)
    expectProtocolError(
      () => d.push(header(1001)),
      'oversized',
      /payload of 1001 bytes exceeds the limit of 1000/,
    )
    expect(d.bufferedBytes).toBe(0)
    const atLimit = new FrameDecoder({ maxFrameBytes: 1000, helloFirst: false })
    expect(atLimit.push(header(1000, FRAME_KIND.raft))).toEqual([])
    expect(atLimit.bufferedBytes).toBe(1)
  })

  it('refuses the largest declarable length under the default 16 MiB limit', () => {
    const d = new FrameDecoder({ helloFirst: false })
    expectProtocolError(() => d.push(header(0xffffffff)), 'oversized', /4294967295 bytes/)
  })

  it('bounds the first frame (the hello) more tightly than later frames', () => {
    const d = new FrameDecoder()
    expectProtocolError(
      () => d.push(header(1025)),
      'oversized',
      /first frame declares 1025 bytes, but a hello is at most 1024/,
    )
  })

  it('refuses a zero-length frame', () => {
    const d = new FrameDecoder({ helloFirst: false })
    expectProtocolError(() => d.push(header(0)), 'malformed', /zero-length frame/)
  })

  it('refuses unassigned kinds as soon as the kind byte arrives', () => {
    for (const kind of [0, 6, 18, 40, 200, 255]) {
      const d = new FrameDecoder({ helloFirst: false })
      expectProtocolError(
        () => d.push(header(500, kind)),
        'unknown-kind',
        new RegExp(`frame kind ${kind} \\(unassigned .*kind ${kind}\\) is not accepted`),
      )
    }
  })

  it('refuses defined kinds the connection does not accept', () => {
    const d = new FrameDecoder({ kinds: [FRAME_KIND.raft] })
    d.push(FRAMES[0]!)
    expect(d.push(FRAMES[1]!)).toHaveLength(1)
    expectProtocolError(
      () => d.push(encodeFrame(FRAME_KIND.raftBatch, new Uint8Array(1))),
      'unknown-kind',
      /frame kind 3 \(raftBatch\) is not accepted/,
    )
  })

  it('demands a hello first and refuses a second one', () => {
    expectProtocolError(
      () => new FrameDecoder().push(FRAMES[1]!),
      'handshake',
      /first frame must be a hello, got raft \(kind 2\)/,
    )
    const d = new FrameDecoder()
    d.push(FRAMES[0]!)
    expectProtocolError(() => d.push(FRAMES[0]!), 'handshake', /a second hello/)
  })

  it('reports a stream that ends inside a header or a body as truncated', () => {
    const inHeader = new FrameDecoder()
    inHeader.push(STREAM.subarray(0, 2))
    expectProtocolError(() => inHeader.finish(), 'truncated', /inside a frame header \(2 of 4/)
    const inBody = new FrameDecoder()
    inBody.push(STREAM.subarray(0, FRAMES[0]!.length - 1))
    expectProtocolError(() => inBody.finish(), 'truncated', /inside a \d+-byte frame/)
    const clean = new FrameDecoder()
    clean.push(FRAMES[0]!)
    expect(() => clean.finish()).not.toThrow()
  })

  it('refuses all input after an error, with the original code', () => {
    const d = new FrameDecoder({ helloFirst: false })
    expect(() => d.push(header(0))).toThrow(ProtocolError)
    expect(d.failure?.code).toBe('malformed')
    expectProtocolError(() => d.push(FRAMES[1]!), 'malformed', /already failed: zero-length/)
    expectProtocolError(() => d.finish(), 'malformed', /already failed/)
    const t = new FrameDecoder()
    t.push(STREAM.subarray(0, 3))
    expect(() => t.finish()).toThrow(ProtocolError)
    expect(() => t.finish()).toThrow(/already failed: stream ended/)
  })

  it('drops frames that precede an error in the same chunk', () => {
    const d = new FrameDecoder()
    expect(() => d.push(concat([FRAMES[0]!, FRAMES[1]!, header(0)]))).toThrow(ProtocolError)
    expect(d.framesDecoded).toBe(2)
    expect(d.bufferedBytes).toBe(0)
  })
})
