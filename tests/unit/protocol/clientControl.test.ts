import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeClientRequest,
  decodeClientResponse,
  decodeControl,
  decodeTelemetry,
  encodeClientRequest,
  encodeClientResponse,
  encodeControl,
  encodeTelemetry,
  ProtocolError,
  type ClientRequest,
  type ClientResponse,
  type Telemetry,
} from '../../../shared/protocol'
import { utf8Encode } from '../../../shared/util/binary'

const str = fc.string({ unit: 'grapheme', maxLength: 20 })
const arbRequest: fc.Arbitrary<ClientRequest> = fc
  .record({
    requestId: fc.maxSafeNat(),
    op: fc.constantFrom('put' as const, 'get' as const, 'delete' as const, 'cas' as const),
    clientId: fc.maxSafeNat(),
    seq: fc.maxSafeNat(),
    key: str,
    value: str,
    expected: fc.option(str, { nil: null }),
    readMode: fc.constantFrom('linearizable' as const, 'log' as const, 'local' as const),
    timing: fc.boolean(),
  })
  .map((q) => ({
    ...q,
    value: q.op === 'put' || q.op === 'cas' ? q.value : '',
    expected: q.op === 'cas' ? q.expected : null,
    readMode: q.op === 'get' ? q.readMode : ('linearizable' as const),
  }))

const arbResponse: fc.Arbitrary<ClientResponse> = fc.oneof(
  fc.record({
    requestId: fc.maxSafeNat(),
    status: fc.constant('ok' as const),
    result: fc.record({
      index: fc.maxSafeNat(),
      term: fc.maxSafeNat(),
      value: fc.option(str, { nil: null }),
      swapped: fc.boolean(),
    }),
    timing: fc.array(
      fc.record({
        stage: fc.constantFrom('proposed' as const, 'committed' as const, 'quorumAcked' as const),
        micros: fc.nat(),
      }),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    requestId: fc.maxSafeNat(),
    status: fc.constant('not-leader' as const),
    leaderHint: fc.nat(9),
  }),
  fc.record({
    requestId: fc.maxSafeNat(),
    status: fc.constant('unavailable' as const),
    reason: str,
    maybeApplied: fc.boolean(),
  }),
  fc.record({ requestId: fc.maxSafeNat(), status: fc.constant('error' as const), message: str }),
)

describe('client frames', () => {
  it('round-trip requests and responses', () => {
    fc.assert(
      fc.property(arbRequest, (q) => {
        expect(decodeClientRequest(encodeClientRequest(q))).toEqual(q)
      }),
    )
    fc.assert(
      fc.property(arbResponse, (a) => {
        expect(decodeClientResponse(encodeClientResponse(a))).toEqual(a)
      }),
    )
  })

  it('keeps the attribution details of a quorum acknowledgement', () => {
    const a: ClientResponse = {
      requestId: 1,
      status: 'ok',
      result: { index: 5, term: 2, value: null, swapped: false },
      timing: [{ stage: 'quorumAcked', micros: 250, node: 3, followerPersistMicros: 90 }],
    }
    expect(decodeClientResponse(encodeClientResponse(a))).toEqual(a)
  })

  it('refuses garbage with ProtocolError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), (b) => {
        for (const decode of [decodeClientRequest, decodeClientResponse]) {
          try {
            decode(b)
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError)
          }
        }
      }),
    )
  })
})

describe('control frames', () => {
  it('round-trip commands and telemetry', () => {
    const c = {
      type: 'rules' as const,
      rules: [{ from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 }],
    }
    expect(decodeControl(encodeControl(c))).toEqual(c)
    // node.snapshot's frame carries nothing but its type.
    expect(decodeControl(encodeControl({ type: 'snapshot' }))).toEqual({ type: 'snapshot' })
    expect(decodeControl(utf8Encode('{"type":"snapshot"}'))).toEqual({ type: 'snapshot' })
    const t: Telemetry[] = [
      { type: 'warning' as const, message: 'x' },
      { type: 'messages' as const, sent: 1, received: 2, dropped: 0 },
      {
        type: 'snapshotTransfer' as const,
        peer: 2,
        direction: 'send',
        state: 'failed',
        index: 400,
        term: 3,
        totalBytes: 9_000_000,
        doneBytes: 262_144,
        durationMs: 12,
        reason: 'the connection to n2 broke',
      },
    ]
    expect(decodeTelemetry(encodeTelemetry(t))).toEqual(t)
  })

  it('refuses unknown or malformed commands', () => {
    for (const bad of [
      '{',
      '[]',
      '{"type":"format-disk"}',
      '{"type":"rules","rules":3}',
      '{"type":"transfer"}',
      '{"type":"snapshots"}',
      '"snapshot"',
    ]) {
      expect(() => decodeControl(utf8Encode(bad)), bad).toThrow(ProtocolError)
    }
    expect(() => decodeTelemetry(utf8Encode('[{"type":"nope"}]'))).toThrow(/unknown report/)
  })
})
