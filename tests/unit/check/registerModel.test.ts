import { describe, expect, it } from 'vitest'
import { pairOperations } from '../../../shared/check'
import {
  NO_STATE,
  compileRegisterOps,
  dropUnobservedInfoWrites,
  stepRegister,
} from '../../../shared/check/registerModel'
import { cas, del, get, history, put, saw } from './histories'

describe('the register model', () => {
  it('steps put, delete, get and cas by their recorded outcomes', () => {
    const ops = pairOperations(
      history(
        put(1, 'x', 'a', 0, 1),
        del(1, 'x', 2, 3),
        get(1, 'x', 'a', 4, 5),
        cas(1, 'x', 'a', 'b', 6, 7),
        cas(1, 'x', null, 'c', 8, 9),
      ),
    )
    const m = compileRegisterOps(ops)
    const id = (v: string | null) => m.values.indexOf(v)
    expect(stepRegister(m, 0, id(null))).toBe(id('a'))
    expect(stepRegister(m, 1, id('a'))).toBe(id(null))
    expect(stepRegister(m, 2, id('a'))).toBe(id('a'))
    expect(stepRegister(m, 2, id(null))).toBe(NO_STATE)
    expect(stepRegister(m, 3, id('a'))).toBe(id('b'))
    expect(stepRegister(m, 3, id('b'))).toBe(NO_STATE)
    expect(stepRegister(m, 4, id(null))).toBe(id('c'))
    expect(stepRegister(m, 4, id('a'))).toBe(NO_STATE)
  })

  it('a cas that did not swap and saw a value is a read of it that needs its expected value absent', () => {
    const ops = pairOperations(
      history(
        put(1, 'x', 'a', 0, 1),
        saw(cas(2, 'x', 'b', 'c', 2, 3, 'fail'), 'a'),
        saw(cas(3, 'x', 'a', 'd', 4, 5, 'fail'), 'a'),
      ),
    )
    expect(ops.map((o) => [o.op, o.status, o.swapped, o.observed])).toEqual([
      ['put', 'ok', undefined, undefined],
      ['cas', 'ok', false, 'a'],
      ['cas', 'ok', false, 'a'],
    ])
    const m = compileRegisterOps(ops)
    const id = (v: string | null) => m.values.indexOf(v)
    // Saw "a", expected "b": possible only where the value is "a", and it leaves it there.
    expect(stepRegister(m, 1, id('a'))).toBe(id('a'))
    expect(stepRegister(m, 1, id(null))).toBe(NO_STATE)
    expect(stepRegister(m, 1, id('b'))).toBe(NO_STATE)
    // Saw "a" while expecting "a" and did not swap: impossible in every state.
    for (const v of [null, 'a', 'b', 'c', 'd']) expect(stepRegister(m, 2, id(v))).toBe(NO_STATE)
  })

  it('a write that reports the value it replaced needs that value', () => {
    const ops = pairOperations(
      history(
        saw(put(1, 'x', 'a', 0, 1), null),
        saw(del(1, 'x', 2, 3), 'a'),
        saw(cas(1, 'x', 'q', 'r', 4, 5), 'q'),
      ),
    )
    const m = compileRegisterOps(ops)
    const id = (v: string | null) => m.values.indexOf(v)
    expect(stepRegister(m, 0, id(null))).toBe(id('a'))
    expect(stepRegister(m, 0, id('a'))).toBe(NO_STATE)
    expect(stepRegister(m, 1, id('a'))).toBe(id(null))
    expect(stepRegister(m, 1, id(null))).toBe(NO_STATE)
    expect(stepRegister(m, 2, id('q'))).toBe(id('r'))
  })

  it('drops only info writes whose value nothing observes', () => {
    const ops = pairOperations(
      history(
        put(1, 'x', 'seen', 0, 1, 'info'),
        put(2, 'x', 'unseen', 0, 1, 'info'),
        cas(3, 'x', 'seen', 'expected-later', 0, 1, 'info'),
        cas(4, 'x', 'seen', 'never-expected', 0, 1, 'info'),
        del(5, 'x', 0, 1, 'info'),
        put(6, 'x', 'ok-unseen', 0, 1),
        get(7, 'x', 'seen', 2, 3),
        cas(7, 'x', 'expected-later', 'z', 4, 5, 'fail'),
        cas(8, 'x', 'expected-later', 'y', 4, 5, 'info'),
      ),
    )
    const kept = dropUnobservedInfoWrites(ops).map((o) => `${o.op}:${o.value}`)
    expect(kept).toEqual(['put:seen', 'cas:expected-later', 'put:ok-unseen', 'get:seen'])
    // A read of absent makes an info delete observable.
    const withDelete = pairOperations(history(del(1, 'x', 0, 1, 'info'), get(2, 'x', null, 2, 3)))
    expect(dropUnobservedInfoWrites(withDelete)).toHaveLength(2)
    // So does what a write or a failed cas reports having seen.
    const seenByWrites = pairOperations(
      history(
        put(1, 'x', 'u', 0, 1, 'info'),
        put(2, 'x', 'v', 0, 1, 'info'),
        put(3, 'x', 'w', 0, 1, 'info'),
        saw(put(4, 'x', 'z', 2, 3), 'u'),
        saw(cas(5, 'x', 'e', 'f', 2, 3, 'fail'), 'v'),
      ),
    )
    expect(dropUnobservedInfoWrites(seenByWrites).map((o) => o.value)).toEqual(['u', 'v', 'z', 'f'])
  })
})
