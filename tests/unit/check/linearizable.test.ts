import { describe, expect, it } from 'vitest'
import { checkHistory, formatWitness, type CheckResult } from '../../../shared/check'
import { cas, del, get, history, put, saw, type Spec } from './histories'

const check = (...specs: Spec[]): CheckResult => checkHistory(history(...specs))

describe('violations are caught', () => {
  it('a stale read: a get after a completed put returns the older value', () => {
    const r = check(put(1, 'x', 'a', 0, 1), put(1, 'x', 'b', 2, 3), get(2, 'x', 'a', 4, 5))
    expect(r.valid).toBe(false)
    expect(r.witness?.key).toBe('x')
    expect(r.witness?.op).toMatchObject({ op: 'get', process: 2, value: 'a', call: 4, return: 5 })
    expect(r.witness?.valueBefore).toBe('b')
    expect(r.witness?.prefix.map((s) => [s.op.value, s.valueAfter])).toEqual([
      ['a', 'a'],
      ['b', 'b'],
    ])
    expect(r.witness?.explanation).toMatch(/get by process 2 returned "a", but .* value is "b"/)
  })

  it('a stale read of absent after a completed put', () => {
    const r = check(put(1, 'x', 'a', 0, 1), get(2, 'x', null, 2, 3))
    expect(r.valid).toBe(false)
    expect(r.witness?.explanation).toMatch(/returned absent/)
  })

  it('a lost write: reads after a completed put never see it, though nothing overwrote it', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      put(2, 'x', 'b', 2, 3),
      get(3, 'x', 'a', 4, 5),
      get(1, 'x', 'a', 6, 7),
    )
    expect(r.valid).toBe(false)
    expect(r.witness?.op.process).toBe(3)
  })

  it('a cas that succeeds twice on the same expected value with no write in between', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      cas(2, 'x', 'a', 'b', 2, 5),
      cas(3, 'x', 'a', 'c', 3, 6),
    )
    expect(r.valid).toBe(false)
    expect(r.witness?.op.op).toBe('cas')
    expect(r.witness?.explanation).toMatch(/cas by process \d expected "a" and succeeded/)
  })

  it('a read of a value never written', () => {
    const r = check(put(1, 'x', 'a', 0, 1), get(2, 'x', 'z', 0, 3))
    expect(r.valid).toBe(false)
    expect(r.witness?.explanation).toBe(
      'get by process 2 returned "z", a value no operation on this key ever wrote',
    )
  })

  it('a read of the value of a failed put (fail means it did not happen)', () => {
    expect(check(put(1, 'x', 'a', 0, 1, 'fail'), get(2, 'x', 'a', 2, 3)).valid).toBe(false)
  })

  it('an info put observed before it was invoked', () => {
    expect(check(get(1, 'x', 'b', 0, 1), put(2, 'x', 'b', 2, 3, 'info')).valid).toBe(false)
  })

  it('an info put seen, then the value it overwrote seen again', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      put(2, 'x', 'b', 2, 3, 'info'),
      get(3, 'x', 'b', 4, 5),
      get(3, 'x', 'a', 6, 7),
    )
    expect(r.valid).toBe(false)
  })

  it('a read after a completed delete that still sees the value', () => {
    expect(check(put(1, 'x', 'a', 0, 1), del(1, 'x', 2, 3), get(2, 'x', 'a', 4, 5)).valid).toBe(
      false,
    )
  })

  it('a cas that did not swap and saw a value overwritten before it began (a stale read)', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      put(1, 'x', 'b', 2, 3),
      saw(cas(2, 'x', 'z', 'c', 4, 5, 'fail'), 'a'),
    )
    expect(r.valid).toBe(false)
    expect(r.witness?.op).toMatchObject({ op: 'cas', swapped: false, observed: 'a' })
    expect(r.witness?.explanation).toMatch(
      /cas by process 2 did not swap and saw "a", but .* the value is "b"/,
    )
    expect(formatWitness(r.witness!)).toMatch(/p2 cas "z"→"c" did not swap, saw "a" \[4, 5\]/)
  })

  it('a cas that did not swap though it saw the value it expected', () => {
    const r = check(put(1, 'x', 'a', 0, 1), saw(cas(2, 'x', 'a', 'c', 2, 3, 'fail'), 'a'))
    expect(r.valid).toBe(false)
    expect(r.witness?.explanation).toMatch(
      /cas by process 2 expected "a", saw "a" and did not swap/,
    )
  })

  it('a cas that did not swap and saw a value never written', () => {
    const r = check(put(1, 'x', 'a', 0, 1), saw(cas(2, 'x', 'a', 'c', 2, 3, 'fail'), 'q'))
    expect(r.valid).toBe(false)
    expect(r.witness?.explanation).toBe(
      'cas by process 2 did not swap and saw "q", a value no operation on this key ever wrote',
    )
  })

  it('two writes in a row that both report replacing the same value (a lost update)', () => {
    const r = check(saw(put(1, 'x', 'a', 0, 1), null), saw(put(2, 'x', 'b', 2, 3), null))
    expect(r.valid).toBe(false)
    expect(r.witness?.explanation).toMatch(/put by process 2 replaced absent, but/)
    expect(formatWitness(r.witness!)).toMatch(/p2 put "b" over absent \[2, 3\]/)
  })

  it('the value a failed cas tried to write is not a value ever written', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      saw(cas(2, 'x', 'z', 'c', 2, 3, 'fail'), 'a'),
      get(3, 'x', 'c', 4, 5),
    )
    expect(r.valid).toBe(false)
    expect(r.witness?.explanation).toMatch(
      /returned "c", a value no operation on this key ever wrote/,
    )
  })

  it('only the broken key fails, and the witness names it', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      get(2, 'x', 'a', 2, 3),
      put(1, 'y', 'p', 4, 5),
      put(3, 'z', 'q', 4, 9),
      get(2, 'y', 'nope', 6, 7),
      get(2, 'z', 'q', 10, 11),
    )
    expect(r.valid).toBe(false)
    expect(r.keys).toBe(3)
    expect(r.ops).toBe(6)
    expect(r.perKey.map((k) => [k.key, k.valid])).toEqual([
      ['x', true],
      ['y', false],
      ['z', true],
    ])
    expect(r.witness?.key).toBe('y')
    expect(formatWitness(r.witness!)).toMatch(/^key "y": get by process 2 returned "nope"/)
  })
})

describe('linearizable histories pass', () => {
  it('the empty history', () => {
    expect(checkHistory([])).toEqual({ valid: true, keys: 0, ops: 0, perKey: [] })
  })

  it('overlapping puts and gets that can be ordered', () => {
    const r = check(
      put(1, 'x', 'a', 0, 10),
      put(2, 'x', 'b', 2, 8),
      get(3, 'x', 'b', 3, 4),
      get(3, 'x', 'a', 5, 6),
      get(4, 'x', 'a', 11, 12),
    )
    expect(r).toMatchObject({ valid: true, keys: 1, ops: 5 })
    expect(r.witness).toBeUndefined()
  })

  it('a read of absent concurrent with the first put', () => {
    expect(
      check(put(1, 'x', 'a', 0, 10), get(2, 'x', null, 1, 2), get(2, 'x', 'a', 3, 4)).valid,
    ).toBe(true)
  })

  it('a concurrent cas that is seen before and after it takes effect', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      cas(1, 'x', 'a', 'b', 2, 10),
      get(2, 'x', 'a', 3, 4),
      get(2, 'x', 'b', 5, 6),
    )
    expect(r.valid).toBe(true)
  })

  it('two concurrent cas on the same value where only one succeeds (the other fails)', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      cas(2, 'x', 'a', 'b', 2, 5),
      cas(3, 'x', 'a', 'c', 3, 6, 'fail'),
      get(1, 'x', 'b', 7, 8),
    )
    expect(r.valid).toBe(true)
  })

  it('a delete concurrent with reads', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      del(1, 'x', 2, 9),
      get(2, 'x', 'a', 3, 4),
      get(2, 'x', null, 5, 6),
      get(3, 'x', null, 10, 11),
    )
    expect(r.valid).toBe(true)
  })

  it('an info put that may not have happened', () => {
    const r = check(put(1, 'x', 'a', 0, 1), put(2, 'x', 'b', 2, 3, 'info'), get(3, 'x', 'a', 4, 5))
    expect(r.valid).toBe(true)
  })

  it('an info put that did happen', () => {
    const r = check(put(1, 'x', 'a', 0, 1), put(2, 'x', 'b', 2, 3, 'info'), get(3, 'x', 'b', 4, 5))
    expect(r.valid).toBe(true)
  })

  it('an info put whose effect is observed long after it timed out', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      put(2, 'x', 'b', 2, 3, 'info'),
      get(3, 'x', 'a', 4, 5),
      get(3, 'x', 'a', 50, 51),
      get(3, 'x', 'b', 100, 101),
    )
    expect(r.valid).toBe(true)
  })

  it('an invoke left open at the end counts as info, either way', () => {
    expect(check(put(1, 'x', 'a', 0, 1), put(2, 'x', 'b', 2), get(3, 'x', 'b', 4, 5)).valid).toBe(
      true,
    )
    expect(check(put(1, 'x', 'a', 0, 1), put(2, 'x', 'b', 2), get(3, 'x', 'a', 4, 5)).valid).toBe(
      true,
    )
  })

  it('an info cas, taken effect or not', () => {
    const base = [put(1, 'x', 'a', 0, 1), cas(2, 'x', 'a', 'b', 2, 3, 'info')]
    expect(check(...base, get(3, 'x', 'b', 4, 5)).valid).toBe(true)
    expect(check(...base, get(3, 'x', 'a', 4, 5)).valid).toBe(true)
    // An info cas can only have taken effect where its expected value held.
    expect(
      check(put(1, 'x', 'z', 0, 1), cas(2, 'x', 'a', 'b', 2, 3, 'info'), get(3, 'x', 'b', 4, 5))
        .valid,
    ).toBe(false)
  })

  it('a cas that did not swap and saw the value of a concurrent put, or the one before it', () => {
    for (const seen of ['a', 'b']) {
      const r = check(
        put(1, 'x', 'a', 0, 1),
        put(1, 'x', 'b', 2, 6),
        saw(cas(2, 'x', 'z', 'c', 3, 5, 'fail'), seen),
      )
      expect(r.valid, seen).toBe(true)
      expect(r.ops).toBe(3)
    }
  })

  it('a failed cas with no reported value constrains nothing (it did not happen)', () => {
    expect(check(put(1, 'x', 'a', 0, 1), cas(2, 'x', 'z', 'c', 2, 3, 'fail')).ops).toBe(1)
  })

  it('what an info operation reports is ignored: its outcome is unknown', () => {
    const r = check(put(1, 'x', 'a', 0, 1), saw(put(2, 'x', 'b', 2, 3, 'info'), 'nonsense'))
    expect(r.valid).toBe(true)
  })

  it('a get that timed out constrains nothing', () => {
    expect(check(put(1, 'x', 'a', 0, 1), get(2, 'x', 'zzz', 2, 3, 'info')).valid).toBe(true)
  })
})

describe('witness', () => {
  it('stays small in a long history and points at the broken read', () => {
    const specs: Spec[] = []
    for (let i = 0; i < 200; i++) {
      specs.push(
        put(1, 'k', `v${i}`, 10 * i, 10 * i + 5),
        get(2, 'k', `v${i}`, 10 * i + 6, 10 * i + 7),
      )
    }
    specs.push(get(2, 'k', 'v3', 5000, 5001))
    const r = check(...specs)
    expect(r.valid).toBe(false)
    const w = r.witness!
    expect(w.prefixLength).toBe(400)
    expect(w.prefix.length).toBe(10)
    expect(w.prefix.at(-1)?.valueAfter).toBe('v199')
    expect(w.op).toMatchObject({ op: 'get', value: 'v3', call: 5000, index: 800 })
    expect(w.concurrent).toEqual([])
    const text = formatWitness(w)
    expect(text).toContain('longest linearizable prefix: 400 operations (last 10 shown')
    expect(text).toContain('p2 get → "v3" [5000, 5001] events 800,801')
    expect(text.split('\n').length).toBeLessThan(20)
  })

  it('lists the operations concurrent with the stuck one, including info ones', () => {
    const r = check(
      put(1, 'x', 'a', 0, 1),
      put(2, 'x', 'b', 2, 20),
      put(3, 'x', 'c', 3, 4, 'info'),
      get(4, 'x', 'd', 5, 6),
    )
    expect(r.valid).toBe(false)
    const w = r.witness!
    expect(w.op.value).toBe('d')
    expect(w.concurrent.map((o) => [o.value, o.status])).toEqual([
      ['b', 'ok'],
      ['c', 'info'],
    ])
    expect(formatWitness(w)).toContain('p3 put "c" (info) [3, ∞]')
  })
})
