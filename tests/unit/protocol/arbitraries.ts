// fast-check arbitraries for the protocol tests: valid Raft messages (as the codec defines valid:
// safe non-negative numbers, entries consecutive from index + 1) and a few fixed examples.
import fc from 'fast-check'
import { expect } from 'vitest'
import { ProtocolError } from '../../../shared/protocol'
import {
  MESSAGE_TYPES,
  type Entry,
  type Message,
  type MessageType,
  type Snapshot,
} from '../../../shared/raft'

/** arbUint draws the numbers that matter for varints: 0, small, around byte borders, huge. */
export const arbUint = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 200 }),
  fc.constantFrom(127, 128, 16_383, 16_384, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.maxSafeNat(),
)

const arbTerm = fc.oneof(fc.integer({ min: 0, max: 4 }), arbUint)

const arbEntryShape = fc.record({
  term: arbTerm,
  type: fc.constantFrom<Entry['type']>('normal', 'noop'),
  data: fc.uint8Array({ maxLength: 48 }),
})

/** arbEntryShapes draws no entries half the time (most messages carry none), else 1–6. */
const arbEntryShapes: fc.Arbitrary<readonly Omit<Entry, 'index'>[]> = fc.oneof(
  fc.constant([]),
  fc.array(arbEntryShape, { minLength: 1, maxLength: 6 }),
)

/** arbSnapshot draws any encodable snapshot (the codec checks shape, not meaning). */
const arbSnapshot: fc.Arbitrary<Snapshot> = fc.record({
  metadata: fc.record({
    index: arbUint,
    term: arbTerm,
    peers: fc.array(arbUint, { maxLength: 7 }),
  }),
  data: fc.uint8Array({ maxLength: 64 }),
})

/** arbMessage draws any valid Message, of every type, with or without entries, and now and then
 * with a snapshot. */
export const arbMessage: fc.Arbitrary<Message> = fc
  .record({
    type: fc.constantFrom<MessageType>(...MESSAGE_TYPES),
    from: arbUint,
    to: arbUint,
    term: arbUint,
    logTerm: arbTerm,
    index: arbUint,
    commit: arbUint,
    reject: fc.boolean(),
    rejectHint: arbUint,
    context: fc.oneof(
      fc.constant(''),
      fc.string({ unit: 'binary', maxLength: 12 }),
      // A leading byte-order mark, which a default TextDecoder would silently drop.
      fc.string({ maxLength: 4 }).map((s) => '\ufeff' + s),
    ),
    entries: arbEntryShapes,
    snapshot: fc.oneof(
      { arbitrary: fc.constant(null), weight: 7 },
      { arbitrary: arbSnapshot, weight: 1 },
    ),
  })
  .map(({ snapshot, ...r }) => {
    const index = Math.min(r.index, Number.MAX_SAFE_INTEGER - r.entries.length)
    const entries = r.entries.map((e, i) => ({ ...e, index: index + 1 + i }))
    return snapshot === null ? { ...r, index, entries } : { ...r, index, entries, snapshot }
  })

/** message fills in a Message from the fields given, like the core's send() does. */
export function message(m: Partial<Message> & { type: MessageType }): Message {
  return {
    from: 1,
    to: 2,
    term: 1,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: '',
    ...m,
  }
}

/** entriesFrom returns `n` consecutive entries starting at `firstIndex`, with `dataBytes` bytes
 * of patterned data each. */
export function entriesFrom(firstIndex: number, n: number, term: number, dataBytes: number) {
  return Array.from({ length: n }, (_, i): Entry => {
    const data = new Uint8Array(dataBytes).map((_, j) => (i * 31 + j) & 0xff)
    return { term, index: firstIndex + i, type: 'normal', data }
  })
}

/** thrownBy runs `f` and returns what it threw (failing the test when it returns normally). */
export function thrownBy(f: () => unknown): unknown {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('expected an exception')
}

/** expectMalformed checks that `f` throws ProtocolError('malformed') with a message matching
 * `pattern`. */
export function expectMalformed(f: () => unknown, pattern: RegExp): void {
  const e = thrownBy(f)
  expect(e).toBeInstanceOf(ProtocolError)
  expect((e as ProtocolError).code).toBe('malformed')
  expect((e as ProtocolError).message).toMatch(pattern)
}
