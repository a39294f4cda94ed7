// The KV store as a StateMachine: snapshot to bytes and restore from them (§7), client sessions
// included, so exactly-once writes (diss. §6.3) survive a snapshot.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  KV_SNAPSHOT_VERSION,
  KvStore,
  decodeKvState,
  encodeKvCommand,
  type KvCommand,
  type StateMachine,
} from '../../../shared/kv'
import type { Entry } from '../../../shared/raft'
import { DecodeError } from '../../../shared/util/binary'

function entries(cmds: (KvCommand | null)[], term = 1, from = 1): Entry[] {
  return cmds.map((cmd, i) => ({
    term,
    index: from + i,
    type: cmd === null ? ('noop' as const) : ('normal' as const),
    data: cmd === null ? new Uint8Array(0) : encodeKvCommand(cmd),
  }))
}

const arbCommand: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    key: fc.constantFrom('a', 'b', 'c', 'ключ', ''),
    value: fc.string({ maxLength: 6 }),
    clientId: fc.nat(4),
    seq: fc.nat(5),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    key: fc.constantFrom('a', 'b', 'c'),
    clientId: fc.nat(4),
    seq: fc.nat(5),
  }),
  fc.record({
    op: fc.constant('cas' as const),
    key: fc.constantFrom('a', 'b'),
    expected: fc.option(fc.string({ maxLength: 2 }), { nil: null }),
    value: fc.string({ maxLength: 3 }),
    clientId: fc.nat(4),
    seq: fc.nat(5),
  }),
  fc.record({
    op: fc.constant('get' as const),
    key: fc.constantFrom('a', 'z'),
    clientId: fc.nat(4),
    seq: fc.nat(5),
  }),
)

describe('KvStore as a StateMachine: snapshot and restore (§7)', () => {
  it('is a StateMachine', () => {
    const sm: StateMachine<unknown> = new KvStore()
    expect(sm.appliedIndex).toBe(0)
  })

  it('round-trips any state: a restored replica answers every later command as the original', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(arbCommand, { nil: null, freq: 8 }), { maxLength: 30 }),
        fc.array(arbCommand, { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        (before, after, maxSessions) => {
          const a = new KvStore(maxSessions)
          for (const e of entries(before)) a.apply(e)
          const bytes = a.snapshot()
          const b = new KvStore(maxSessions)
          b.restore(bytes)
          expect(b.snapshot()).toEqual(bytes)
          expect(b.digest()).toBe(a.digest())
          expect(b.appliedIndex).toBe(a.appliedIndex)
          expect(b.appliedTerm).toBe(a.appliedTerm)
          for (const e of entries(after, 2, a.appliedIndex + 1)) {
            expect(b.apply(e)).toEqual(a.apply(e))
          }
          expect(b.snapshot()).toEqual(a.snapshot())
          // The digest kept up to date entry by entry is the one computed afresh from the state.
          const c = new KvStore(maxSessions)
          c.restore(a.snapshot())
          expect(c.digest()).toBe(a.digest())
          expect(b.digest()).toBe(a.digest())
        },
      ),
      { numRuns: 300 },
    )
  })

  it('answers a duplicate request after a restore from the session table, without applying it again', () => {
    const a = new KvStore()
    const put = { op: 'put' as const, key: 'k', value: 'v1', clientId: 7, seq: 1 }
    const cas = {
      op: 'cas' as const,
      key: 'k',
      expected: 'v1',
      value: 'v2',
      clientId: 8,
      seq: 4,
    }
    for (const e of entries([null, put, cas])) a.apply(e)
    expect(a.get('k')).toBe('v2')
    const b = new KvStore()
    b.restore(a.snapshot())
    expect(b.sessionCount).toBe(2)
    // Client 7 retries its put: a duplicate, answered as the first time, and 'k' stays 'v2'.
    const [retry, casRetry, stale] = entries(
      [put, cas, { ...put, value: 'old', seq: 0 }],
      2,
      b.appliedIndex + 1,
    )
    expect(b.apply(retry as Entry)).toMatchObject({
      duplicate: true,
      result: { op: 'put', prev: null },
    })
    expect(b.apply(casRetry as Entry)).toMatchObject({
      duplicate: true,
      result: { op: 'cas', swapped: true, current: 'v1' },
    })
    expect(b.apply(stale as Entry)?.result).toMatchObject({ op: 'error', code: 'stale-seq' })
    expect(b.get('k')).toBe('v2')
  })

  it('keeps the sessions’ recency order, so eviction after a restore is the same', () => {
    const a = new KvStore(2)
    const w = (clientId: number, seq: number): KvCommand => ({
      op: 'put',
      key: `c${clientId}`,
      value: String(seq),
      clientId,
      seq,
    })
    for (const e of entries([w(1, 1), w(2, 1), w(1, 2)])) a.apply(e)
    const b = new KvStore(2)
    b.restore(a.snapshot())
    // Client 2 is now the least recently used: a third client evicts it, on both.
    for (const kv of [a, b]) kv.apply(entries([w(3, 1)], 1, 4)[0] as Entry)
    for (const kv of [a, b]) {
      expect(kv.apply(entries([w(1, 2)], 1, 5)[0] as Entry)?.duplicate).toBe(true)
      expect(kv.apply(entries([w(2, 1)], 1, 6)[0] as Entry)?.duplicate).toBe(false)
    }
  })

  it('evicts down to its own bound when restoring more sessions than it keeps', () => {
    const a = new KvStore(10)
    for (const e of entries(
      [1, 2, 3, 4].map((c) => ({ op: 'get', key: 'x', clientId: c, seq: 1 })),
    ))
      a.apply(e)
    const b = new KvStore(2)
    b.restore(a.snapshot())
    expect(b.sessionCount).toBe(2)
    expect(
      b.apply(entries([{ op: 'get', key: 'x', clientId: 4, seq: 1 }], 1, 5)[0] as Entry),
    ).toMatchObject({ duplicate: true })
  })

  it('gives equal bytes on replicas with equal histories, and equal digests whatever the order', () => {
    const a = new KvStore()
    const b = new KvStore()
    const c = new KvStore()
    const p = (key: string): KvCommand => ({ op: 'put', key, value: '1', clientId: 0, seq: 0 })
    for (const e of entries([p('x'), p('y')])) a.apply(e)
    for (const e of entries([p('x'), p('y')])) b.apply(e)
    for (const e of entries([p('y'), p('x')])) c.apply(e)
    expect(a.snapshot()).toEqual(b.snapshot())
    expect(a.digest()).toBe(c.digest())
    // A replica restored from a's snapshot holds its keys in a's order: it writes a's bytes.
    const r = new KvStore()
    r.restore(a.snapshot())
    const next = entries([p('z'), { op: 'delete', key: 'x', clientId: 0, seq: 0 }, p('x')], 1, 3)
    for (const e of next) {
      a.apply(e)
      r.apply(e)
    }
    expect(r.snapshot()).toEqual(a.snapshot())
    c.apply(entries([p('z')], 1, 3)[0] as Entry)
    expect(a.digest()).not.toBe(c.digest())
  })

  it('encodes a slice at a time the state as it was when the encoder was made', () => {
    fc.assert(
      fc.property(
        fc.array(arbCommand, { maxLength: 30 }),
        fc.array(arbCommand, { maxLength: 10 }),
        fc.integer({ min: 1, max: 4 }),
        (before, after, slice) => {
          const a = new KvStore()
          for (const e of entries(before)) a.apply(e)
          const whole = a.snapshot()
          const enc = a.snapshotEncoder()
          // The store goes on applying while the encoder works.
          for (const e of entries(after, 2, before.length + 1)) {
            a.apply(e)
            enc.step(slice)
          }
          while (!enc.step(slice));
          expect(enc.keysLeft).toBe(0)
          expect(enc.finish()).toEqual(whole)
        },
      ),
    )
  })

  it('still reads version 1 snapshots (keys sorted), and refuses a key written twice', () => {
    const v1 = Uint8Array.from([1, 7, 2, 2, 1, 0x61, 1, 0x31, 1, 0x62, 1, 0x32, 0])
    const s = decodeKvState(v1)
    expect([...s.data]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
    expect(s.appliedIndex).toBe(7)
    const unsortedV1 = Uint8Array.from([1, 7, 2, 2, 1, 0x62, 1, 0x32, 1, 0x61, 1, 0x31, 0])
    expect(() => decodeKvState(unsortedV1)).toThrow(/out of order/)
    const twice = Uint8Array.from([
      KV_SNAPSHOT_VERSION,
      7,
      2,
      2,
      1,
      0x61,
      1,
      0x31,
      1,
      0x61,
      1,
      0x32,
      0,
    ])
    expect(() => decodeKvState(twice)).toThrow(/repeated/)
  })

  it('refuses damaged snapshot bytes and keeps its state', () => {
    const a = new KvStore()
    for (const e of entries([{ op: 'put', key: 'k', value: 'v', clientId: 3, seq: 1 }])) a.apply(e)
    const good = a.snapshot()
    const b = new KvStore()
    b.apply(entries([{ op: 'put', key: 'mine', value: '1', clientId: 0, seq: 0 }])[0] as Entry)
    const before = b.snapshot()
    const bad = [
      good.slice(0, good.length - 1),
      Uint8Array.from([KV_SNAPSHOT_VERSION + 1, ...good.subarray(1)]),
      Uint8Array.from([...good, 0]),
    ]
    for (const bytes of bad) {
      expect(() => b.restore(bytes)).toThrow(DecodeError)
      expect(b.snapshot()).toEqual(before)
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          decodeKvState(bytes)
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError)
        }
      }),
    )
  })
})
