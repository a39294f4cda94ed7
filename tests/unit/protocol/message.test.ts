import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MESSAGE_TYPES, type Message } from '../../../shared/raft'
import {
  FrameDecoder,
  MESSAGE_FLAGS,
  decodeMessage,
  encodeMessage,
  encodeMessageFrames,
  encodedMessageBytes,
} from '../../../shared/protocol'
import { arbMessage, entriesFrom, expectMalformed, message } from './arbitraries'

const te = new TextEncoder()

/** REPRESENTATIVE holds one realistic message of every type, with the fields the core sets. */
const REPRESENTATIVE: Record<Message['type'], Message> = {
  MsgApp: message({
    type: 'MsgApp',
    term: 7,
    index: 41,
    logTerm: 6,
    commit: 40,
    entries: [
      { term: 6, index: 42, type: 'normal', data: te.encode('put a 1') },
      { term: 7, index: 43, type: 'noop', data: new Uint8Array(0) },
      { term: 7, index: 44, type: 'normal', data: te.encode('put b 2') },
    ],
  }),
  MsgAppResp: message({
    type: 'MsgAppResp',
    from: 3,
    to: 1,
    term: 7,
    index: 40,
    reject: true,
    rejectHint: 38,
    logTerm: 5,
  }),
  MsgVote: message({ type: 'MsgVote', from: 2, to: 3, term: 9, index: 120, logTerm: 8 }),
  MsgVoteResp: message({ type: 'MsgVoteResp', from: 3, to: 2, term: 9, reject: true }),
  MsgPreVote: message({ type: 'MsgPreVote', term: 10, index: 5, logTerm: 4, context: 'transfer' }),
  MsgPreVoteResp: message({ type: 'MsgPreVoteResp', from: 2, to: 1, term: 10 }),
  MsgHeartbeat: message({ type: 'MsgHeartbeat', term: 3, commit: 17, context: 'read-42' }),
  MsgHeartbeatResp: message({ type: 'MsgHeartbeatResp', from: 2, to: 1, term: 3 }),
  MsgTimeoutNow: message({ type: 'MsgTimeoutNow', from: 1, to: 4, term: 3 }),
  MsgReadIndex: message({ type: 'MsgReadIndex', from: 5, to: 1, term: 3, context: 'ключ ✓ 🐘' }),
  MsgReadIndexResp: message({ type: 'MsgReadIndexResp', term: 3, index: 99, context: 'r1' }),
  MsgSnap: message({
    type: 'MsgSnap',
    from: 1,
    to: 3,
    term: 4,
    snapshot: {
      metadata: { index: 1_000, term: 3, peers: [1, 2, 3] },
      data: te.encode('{"a":"1","b":"2"}'),
    },
  }),
}

describe('encodeMessage / decodeMessage', () => {
  it.each(MESSAGE_TYPES.map((t) => [t]))('round-trips a representative %s', (type) => {
    const m = REPRESENTATIVE[type]
    const bytes = encodeMessage(m)
    expect(bytes[0]).toBe(MESSAGE_TYPES.indexOf(type))
    expect(bytes.length).toBe(encodedMessageBytes(m))
    expect(decodeMessage(bytes)).toEqual(m)
  })

  it('round-trips arbitrary valid messages exactly, entry data byte-equal', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const bytes = encodeMessage(m)
        expect(bytes.length).toBe(encodedMessageBytes(m))
        const back = decodeMessage(bytes)
        expect(back).toEqual(m)
        expect(back.entries.map((e) => [...e.data])).toEqual(m.entries.map((e) => [...e.data]))
        // One message, one encoding: re-encoding the decoded message gives the same bytes.
        expect(encodeMessage(back)).toEqual(bytes)
      }),
      { numRuns: 2000 },
    )
  })

  it('keeps a leading byte-order mark in the context', () => {
    for (const context of ['\ufeff', '\ufeffread-1', '\ufeff\ufeffx']) {
      const m = message({ type: 'MsgReadIndex', context })
      expect(decodeMessage(encodeMessage(m)).context).toBe(context)
    }
  })

  it('copies entry data out of the input, so a kept entry does not pin a socket chunk', () => {
    const bytes = encodeMessage(REPRESENTATIVE.MsgApp)
    const back = decodeMessage(bytes)
    const data = back.entries[0]!.data
    expect(data.buffer).not.toBe(bytes.buffer)
    expect(data.buffer.byteLength).toBe(data.length)
    expect(new TextDecoder().decode(data)).toBe('put a 1')
  })

  it('decodes snapshot data as a view into the input (no copy)', () => {
    const bytes = encodeMessage(REPRESENTATIVE.MsgSnap)
    const back = decodeMessage(bytes)
    expect(back.snapshot?.data.buffer).toBe(bytes.buffer)
    expect(back.snapshot?.metadata).toEqual({ index: 1_000, term: 3, peers: [1, 2, 3] })
  })

  it('sets the snapshot flag (a second varint byte) only on a message with a snapshot', () => {
    const bytes = encodeMessage(REPRESENTATIVE.MsgSnap)
    expect([...bytes.subarray(0, 3)]).toEqual([11, 0x80, 0x01])
    expect(decodeMessage(encodeMessage(REPRESENTATIVE.MsgApp)).snapshot).toBeUndefined()
  })

  it('spends nothing on empty fields: flags say which fields follow', () => {
    const bytes = encodeMessage(REPRESENTATIVE.MsgHeartbeatResp)
    expect([...bytes]).toEqual([7, 0, 2, 1, 3])
    const hb = encodeMessage(message({ type: 'MsgHeartbeat', term: 3, commit: 300 }))
    expect([...hb]).toEqual([6, MESSAGE_FLAGS.commit, 1, 2, 3, 0xac, 0x02])
  })
})

describe('encodeMessage refuses messages the decoder could not reproduce', () => {
  const app = REPRESENTATIVE.MsgApp
  it.each<[string, Message, RegExp]>([
    ['an unknown type', { ...app, type: 'MsgBogus' as Message['type'] }, /unknown type MsgBogus/],
    ['a negative term', { ...app, term: -1 }, /term must be a safe integer ≥ 0, got -1/],
    ['a fractional index', { ...app, index: 1.5 }, /index must be a safe integer/],
    ['an unsafe commit', { ...app, commit: 2 ** 53 }, /commit must be a safe integer/],
    ['NaN in from', { ...app, from: NaN }, /from must be a safe integer ≥ 0, got NaN/],
    ['a lone surrogate', { ...app, context: 'a\ud800' }, /context holds a lone UTF-16 surrogate/],
    [
      'entries with a gap',
      { ...app, entries: [app.entries[0]!, { ...app.entries[1]!, index: 44 }] },
      /entry 1 has index 44, expected 43 \(entries must be consecutive/,
    ],
    [
      'entries not after index',
      { ...app, index: 40 },
      /entry 0 has index 42, expected 41 .*starting at index \+ 1/,
    ],
    [
      'an unknown entry type',
      { ...app, entries: [{ ...app.entries[0]!, type: 'conf' as 'normal' }] },
      /entry 42 has type conf/,
    ],
    [
      'a snapshot with a negative index',
      {
        ...REPRESENTATIVE.MsgSnap,
        snapshot: { metadata: { index: -1, term: 1, peers: [1] }, data: new Uint8Array(0) },
      },
      /snapshot index must be a safe integer/,
    ],
    [
      'a snapshot whose data is not bytes',
      {
        ...REPRESENTATIVE.MsgSnap,
        snapshot: { metadata: { index: 1, term: 1, peers: [1] }, data: [1] as never },
      },
      /snapshot data is not a Uint8Array/,
    ],
  ])('%s', (_, m, pattern) => expectMalformed(() => encodeMessage(m), pattern))
})

describe('decodeMessage refuses every malformed encoding', () => {
  const good = encodeMessage(REPRESENTATIVE.MsgApp)
  const bytes = (...b: number[]) => Uint8Array.from(b)

  it('refuses every proper prefix of a valid message (truncation)', () => {
    for (let n = 0; n < good.length; n++) {
      expectMalformed(() => decodeMessage(good.subarray(0, n)), /^raft message: /)
    }
  })

  it.each<[string, Uint8Array, RegExp]>([
    ['an unknown type code', bytes(12, 0, 1, 2, 3), /unknown message type code 12/],
    ['trailing bytes', bytes(7, 0, 2, 1, 3, 0), /1 trailing bytes/],
    ['an unknown flag bit', bytes(7, 0x80, 0x02, 2, 1, 3), /unknown flag bits in 0x100/],
    [
      'more snapshot peers than bytes',
      bytes(11, 0x80, 0x01, 1, 2, 3, 5, 2, 9, 1, 2),
      /9 peers cannot fit/,
    ],
    ['a truncated snapshot', bytes(11, 0x80, 0x01, 1, 2, 3, 5, 2, 1, 1), /truncated/],
    ['a non-minimal varint', bytes(7, 0, 0x82, 0x00, 1, 3), /non-minimal varint for 2/],
    [
      'a non-minimal context length',
      bytes(9, MESSAGE_FLAGS.context, 1, 2, 3, 0x81, 0x00, 0x61),
      /non-minimal varint for 1/,
    ],
    [
      'a non-minimal entry data length',
      bytes(0, MESSAGE_FLAGS.entries, 1, 2, 3, 1, 0, 0x80, 0x00),
      /non-minimal varint for 0/,
    ],
    ['a field flagged present but 0', bytes(6, MESSAGE_FLAGS.commit, 1, 2, 3, 0), /commit.*0/],
    ['an empty flagged context', bytes(9, MESSAGE_FLAGS.context, 1, 2, 3, 0), /context.*empty/],
    ['bad UTF-8 in context', bytes(9, MESSAGE_FLAGS.context, 1, 2, 3, 2, 0xc3, 0x28), /UTF-8/],
    ['a varint beyond 2^53', bytes(7, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /range/],
    ['an entry count of 0', bytes(0, MESSAGE_FLAGS.entries, 1, 2, 3, 0), /entry count.*0/],
    ['more entries than bytes', bytes(0, MESSAGE_FLAGS.entries, 1, 2, 3, 3, 0, 0), /cannot fit/],
    ['an unknown entry type', bytes(0, MESSAGE_FLAGS.entries, 1, 2, 3, 1, 4, 0), /entry header/],
    [
      'an entry term equal to the previous one',
      bytes(0, MESSAGE_FLAGS.entries, 1, 2, 3, 1, 1, 0, 0),
      /entry 1 repeats term 0/,
    ],
    [
      'entry indexes past 2^53',
      Uint8Array.from([
        ...[0, MESSAGE_FLAGS.entries | MESSAGE_FLAGS.index, 1, 2, 3],
        ...encodeUvarint(Number.MAX_SAFE_INTEGER),
        ...[1, 0, 0],
      ]),
      /exceed 2\^53/,
    ],
  ])('refuses %s', (_, b, pattern) => expectMalformed(() => decodeMessage(b), pattern))
})

function encodeUvarint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return out
}

describe('encoded size', () => {
  it('a heartbeat takes a handful of bytes, frame header included', () => {
    const hb = message({ type: 'MsgHeartbeat', from: 3, to: 5, term: 12, commit: 1_000_000 })
    const [frame] = encodeMessageFrames([hb])
    expect(encodeMessage(hb).length).toBeLessThanOrEqual(9)
    expect(frame!.length).toBeLessThanOrEqual(16)
  })

  it('a MsgApp of 100 × 64-byte entries costs within 10% of its raw data', () => {
    const m = message({
      type: 'MsgApp',
      term: 5,
      index: 1_000_000,
      logTerm: 5,
      commit: 999_990,
      entries: entriesFrom(1_000_001, 100, 5, 64),
    })
    const rawBytes = 100 * 64
    const [frame] = encodeMessageFrames([m])
    expect(frame!.length).toBeGreaterThan(rawBytes)
    expect(frame!.length).toBeLessThanOrEqual(rawBytes * 1.1)
  })
})

describe('throughput (printed, not asserted)', () => {
  it('encodes and decodes MsgApp frames of 64 entries × 64 B', () => {
    const m = message({
      type: 'MsgApp',
      term: 5,
      index: 5000,
      logTerm: 5,
      commit: 4990,
      entries: entriesFrom(5001, 64, 5, 64),
    })
    const n = 5000
    const rate = (seconds: number) => `${Math.round(n / seconds)} messages/s`
    const seconds = (f: () => void) => {
      const start = performance.now()
      f()
      return (performance.now() - start) / 1000
    }
    // Warm up the JIT first, so the figure describes a running node rather than a cold start.
    for (let i = 0; i < 1000; i++) decodeMessage(encodeMessageFrames([m])[0]!.subarray(5))
    const frames: Uint8Array[] = []
    const encodeSeconds = seconds(() => {
      for (let i = 0; i < n; i++) frames.push(encodeMessageFrames([m])[0]!)
    })
    let decoded = 0
    const decodeSeconds = seconds(() => {
      const decoder = new FrameDecoder({ helloFirst: false })
      for (const frame of frames) {
        for (const f of decoder.push(frame)) decoded += decodeMessage(f.body).entries.length
      }
    })
    expect(decoded).toBe(n * 64)
    const total = encodeSeconds + decodeSeconds
    const mibPerSecond = ((n * 64 * 64) / total / 2 ** 20).toFixed(1)
    console.log(
      `protocol: MsgApp 64 × 64 B (${frames[0]!.length} B/frame): encode+decode ${rate(total)} ` +
        `(${mibPerSecond} MiB/s of entry data); encode ${rate(encodeSeconds)}, ` +
        `frame+decode ${rate(decodeSeconds)}`,
    )
  })
})
