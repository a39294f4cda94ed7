// Fuzzing: whatever bytes arrive, the decoders either decode them or throw a ProtocolError —
// never another exception, never a hang — and whatever decodes is canonical (re-encoding gives
// back the same bytes), so no two byte strings mean the same message.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  FRAME_KIND,
  FrameDecoder,
  PROTOCOL_VERSION,
  ProtocolError,
  decodeFrameMessages,
  decodeHello,
  decodeMessage,
  decodeMessageBatch,
  encodeHello,
  encodeMessage,
  encodeMessageBatch,
  makeHello,
  type Frame,
} from '../../../shared/protocol'
import { arbMessage } from './arbitraries'

/** outcome runs `f` and classifies its result; anything but a ProtocolError is rethrown. */
function outcome<T>(f: () => T): { ok: true; value: T } | { ok: false; error: ProtocolError } {
  try {
    return { ok: true, value: f() }
  } catch (e) {
    if (e instanceof ProtocolError) return { ok: false, error: e }
    throw e
  }
}

const arbBytes = fc.uint8Array({ maxLength: 64 })

/** arbMutated takes a valid encoding and damages it: sets, inserts, drops or truncates bytes,
 * or pads a byte below 0x80 into a two-byte, non-minimal varint (x → x|0x80, 0x00). */
function arbMutated(arbValid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.record({
    op: fc.constantFrom('set', 'insert', 'drop', 'truncate', 'pad'),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  })
  return fc.tuple(arbValid, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([b, edits]) => {
    const bytes = [...b]
    for (const { op, at, value } of edits) {
      const i = bytes.length === 0 ? 0 : at % bytes.length
      if (op === 'set') bytes[i] = value
      else if (op === 'insert') bytes.splice(i, 0, value)
      else if (op === 'drop') bytes.splice(i, 1)
      else if (op === 'pad') bytes.splice(i, 1, ((bytes[i] ?? 0) & 0x7f) | 0x80, 0)
      else bytes.length = i
    }
    return Uint8Array.from(bytes)
  })
}

describe('decodeMessage under fuzzing', () => {
  it('random bytes decode canonically or throw ProtocolError', () => {
    let decoded = 0
    fc.assert(
      fc.property(arbBytes, (b) => {
        const r = outcome(() => decodeMessage(b))
        if (r.ok) {
          decoded++
          expect(encodeMessage(r.value)).toEqual(b)
        } else expect(r.error.code).toBe('malformed')
      }),
      { numRuns: 20_000 },
    )
    // Short random strings often are valid messages (5 bytes suffice), so the canonical check ran.
    expect(decoded).toBeGreaterThan(0)
  })

  it('damaged valid messages decode canonically or throw ProtocolError', () => {
    fc.assert(
      fc.property(arbMutated(arbMessage.map(encodeMessage)), (b) => {
        const r = outcome(() => decodeMessage(b))
        if (r.ok) expect(encodeMessage(r.value)).toEqual(b)
        else expect(r.error.code).toBe('malformed')
      }),
      { numRuns: 5_000 },
    )
  })

  it('damaged batches decode canonically or throw ProtocolError', () => {
    const arbBatch = fc.array(arbMessage, { minLength: 1, maxLength: 4 }).map(encodeMessageBatch)
    fc.assert(
      fc.property(fc.oneof(arbBytes, arbMutated(arbBatch)), (b) => {
        const r = outcome(() => decodeMessageBatch(b))
        if (r.ok) expect(encodeMessageBatch(r.value)).toEqual(b)
        else expect(r.error.code).toBe('malformed')
      }),
      { numRuns: 5_000 },
    )
  })
})

describe('decodeHello under fuzzing', () => {
  it('random and damaged hellos decode or throw ProtocolError', () => {
    const arbHello = fc
      .record({
        role: fc.constantFrom('peer', 'client', 'control' as const),
        nodeId: fc.nat(),
        clusterId: fc.string({ minLength: 1, maxLength: 20 }),
      })
      .map((h) => encodeHello(makeHello(h.role, h.nodeId, h.clusterId)))
    fc.assert(
      fc.property(fc.oneof(arbBytes, arbMutated(arbHello)), (b) => {
        const r = outcome(() => decodeHello(b))
        if (r.ok && r.value.version.minor > PROTOCOL_VERSION.minor) {
          // A newer minor may append fields this build skips: the known prefix is canonical.
          const known = encodeHello(r.value)
          expect(b.subarray(0, known.length)).toEqual(known)
        } else if (r.ok) expect(encodeHello(r.value)).toEqual(b)
        else expect(['malformed', 'handshake', 'version']).toContain(r.error.code)
      }),
      { numRuns: 5_000 },
    )
  })
})

describe('FrameDecoder under fuzzing', () => {
  /** arbFrameish draws byte strings that look like frames: a plausible header, a defined or
   * random kind, a random body; concatenated with random noise. */
  const arbFrameish = fc
    .record({
      kind: fc.oneof(fc.constantFrom(1, 2, 3), fc.integer({ min: 0, max: 255 })),
      body: fc.uint8Array({ maxLength: 40 }),
      lengthSkew: fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 3 })),
    })
    .map(({ kind, body, lengthSkew }) => {
      const out = new Uint8Array(5 + body.length)
      new DataView(out.buffer).setUint32(0, Math.max(0, 1 + body.length + lengthSkew))
      out[4] = kind
      out.set(body, 5)
      return out
    })
  const arbStream = fc
    .array(fc.oneof(arbFrameish, arbBytes), { minLength: 1, maxLength: 6 })
    .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])))

  it('random streams in random chunks yield frames or one ProtocolError, never a hang', () => {
    fc.assert(
      fc.property(
        arbStream,
        fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        (stream, chunkSizes, helloFirst, maxFrameBytes) => {
          const d = new FrameDecoder({ helloFirst, maxFrameBytes })
          const frames: Frame[] = []
          const r = outcome(() => {
            let at = 0
            for (let i = 0; at < stream.length; i++) {
              const n = chunkSizes[i % chunkSizes.length]!
              frames.push(...d.push(stream.subarray(at, at + n)))
              at += n
            }
            d.finish()
          })
          if (!r.ok) expect(d.failure).toBe(r.error)
          for (const f of frames) {
            expect(f.body.length + 1).toBeLessThanOrEqual(maxFrameBytes)
            outcome(() =>
              f.kind === FRAME_KIND.hello ? decodeHello(f.body) : decodeFrameMessages(f),
            )
          }
        },
      ),
      { numRuns: 5_000 },
    )
  })
})
