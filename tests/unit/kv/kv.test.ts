import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeKvCommand, encodeKvCommand, KvStore, type KvCommand } from '../../../shared/kv'
import type { Entry } from '../../../shared/raft'

let index = 0
function entry(cmd: KvCommand | Uint8Array, term = 1): Entry {
  const data = cmd instanceof Uint8Array ? cmd : encodeKvCommand(cmd)
  return { term, index: ++index, type: 'normal', data }
}
function fresh(max?: number): KvStore {
  index = 0
  return new KvStore(max)
}

const arbCommand: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    key: fc.string(),
    value: fc.string(),
    clientId: fc.nat(),
    seq: fc.nat(),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    key: fc.string(),
    clientId: fc.nat(),
    seq: fc.nat(),
  }),
  fc.record({
    op: fc.constant('cas' as const),
    key: fc.string(),
    expected: fc.option(fc.string(), { nil: null }),
    value: fc.string(),
    clientId: fc.nat(),
    seq: fc.nat(),
  }),
  fc.record({
    op: fc.constant('get' as const),
    key: fc.string(),
    clientId: fc.nat(),
    seq: fc.nat(),
  }),
)

describe('KV command encoding', () => {
  it('round-trips every command', () => {
    fc.assert(
      fc.property(arbCommand, (cmd) => {
        expect(decodeKvCommand(encodeKvCommand(cmd))).toEqual(cmd)
      }),
    )
  })

  it('turns garbage into an error result, never a crash, on every replica alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const a = fresh().apply(entry(bytes))
        const b = fresh().apply(entry(bytes))
        expect(a).toEqual(b)
      }),
    )
    expect(fresh().apply(entry(new Uint8Array([9, 9])))?.result).toMatchObject({
      op: 'error',
      code: 'malformed',
    })
  })
})

describe('KvStore', () => {
  it('puts, gets, deletes and compares-and-sets, reporting index and term', () => {
    const kv = fresh()
    expect(
      kv.apply(entry({ op: 'put', key: 'x', value: '1', clientId: 0, seq: 0 }, 2)),
    ).toMatchObject({
      index: 1,
      term: 2,
      result: { op: 'put', prev: null },
    })
    expect(
      kv.apply(entry({ op: 'cas', key: 'x', expected: '0', value: '2', clientId: 0, seq: 0 }))
        ?.result,
    ).toEqual({
      op: 'cas',
      swapped: false,
      current: '1',
    })
    expect(
      kv.apply(entry({ op: 'cas', key: 'x', expected: '1', value: '2', clientId: 0, seq: 0 }))
        ?.result,
    ).toEqual({
      op: 'cas',
      swapped: true,
      current: '1',
    })
    expect(kv.get('x')).toBe('2')
    expect(kv.apply(entry({ op: 'delete', key: 'x', clientId: 0, seq: 0 }))?.result).toEqual({
      op: 'delete',
      prev: '2',
    })
    expect(kv.get('x')).toBeNull()
    expect(
      kv.apply(entry({ op: 'cas', key: 'x', expected: null, value: 'n', clientId: 0, seq: 0 }))
        ?.result,
    ).toEqual({
      op: 'cas',
      swapped: true,
      current: null,
    })
  })

  it('applies a retried write once (diss. §6.3) and answers the retry from the session', () => {
    const kv = fresh()
    const put = { op: 'put' as const, key: 'k', value: 'v1', clientId: 7, seq: 1 }
    kv.apply(entry(put))
    kv.apply(entry({ op: 'put', key: 'k', value: 'other', clientId: 8, seq: 1 }))
    const retry = kv.apply(entry(put))
    expect(retry).toMatchObject({ duplicate: true, result: { op: 'put', prev: null } })
    expect(kv.get('k')).toBe('other')
  })

  it('refuses a sequence number older than the session has seen', () => {
    const kv = fresh()
    kv.apply(entry({ op: 'put', key: 'k', value: 'a', clientId: 7, seq: 5 }))
    expect(
      kv.apply(entry({ op: 'put', key: 'k', value: 'b', clientId: 7, seq: 4 }))?.result,
    ).toMatchObject({
      op: 'error',
      code: 'stale-seq',
    })
    expect(kv.get('k')).toBe('a')
  })

  it('evicts the least recently used session beyond its bound', () => {
    const kv = fresh(2)
    kv.apply(entry({ op: 'put', key: 'a', value: '1', clientId: 1, seq: 1 }))
    kv.apply(entry({ op: 'put', key: 'b', value: '1', clientId: 2, seq: 1 }))
    kv.apply(entry({ op: 'put', key: 'a', value: '2', clientId: 1, seq: 2 }))
    kv.apply(entry({ op: 'put', key: 'c', value: '1', clientId: 3, seq: 1 }))
    expect(kv.sessionCount).toBe(2)
    // Client 1 was used recently and is remembered; client 2 was least recently used and was
    // evicted, so its retry is no longer recognised as a duplicate.
    expect(
      kv.apply(entry({ op: 'put', key: 'a', value: '2', clientId: 1, seq: 2 }))?.duplicate,
    ).toBe(true)
    expect(
      kv.apply(entry({ op: 'put', key: 'b', value: '1', clientId: 2, seq: 1 }))?.duplicate,
    ).toBe(false)
  })

  it('skips no-ops and insists on index order', () => {
    const kv = fresh()
    expect(kv.apply({ term: 1, index: 1, type: 'noop', data: new Uint8Array() })).toBeNull()
    expect(() => kv.apply({ term: 1, index: 3, type: 'noop', data: new Uint8Array() })).toThrow(
      /after 1/,
    )
  })
})
