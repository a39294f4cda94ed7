import { describe, expect, it } from 'vitest'
import { Ring, SeriesRing } from '../../../renderer/src/model/ring'

describe('Ring', () => {
  it('keeps the last `capacity` items, oldest first, and reports what it dropped', () => {
    const r = new Ring<number>(3)
    expect(r.push(1)).toBeUndefined()
    r.push(2)
    r.push(3)
    expect(r.push(4)).toBe(1)
    expect(r.toArray()).toEqual([2, 3, 4])
    expect(r.at(0)).toBe(2)
    expect(r.at(-1)).toBe(4)
    expect(r.last()).toBe(4)
    expect(r.at(3)).toBeUndefined()
  })

  it('finds the first item at or after a key by binary search', () => {
    const r = new Ring<{ t: number }>(4)
    for (const t of [10, 20, 30, 40, 50]) r.push({ t })
    expect(r.lowerBound(25, (x) => x.t)).toBe(1)
    expect(r.lowerBound(5, (x) => x.t)).toBe(0)
    expect(r.lowerBound(99, (x) => x.t)).toBe(4)
  })

  it('inserts an item that is a little out of order where its key belongs', () => {
    const r = new Ring<number>(4)
    for (const x of [10, 20, 40]) r.insertSorted(x, (v) => v, 8)
    r.insertSorted(30, (v) => v, 8)
    expect(r.toArray()).toEqual([10, 20, 30, 40])
    // Full: the oldest goes, as with push; equal keys keep arrival order.
    expect(r.insertSorted(15, (v) => v, 8)).toBe(10)
    expect(r.toArray()).toEqual([15, 20, 30, 40])
    r.insertSorted(30.5, (v) => v, 8)
    expect(r.toArray()).toEqual([20, 30, 30.5, 40])
    // No further back than the lookback.
    r.insertSorted(1, (v) => v, 2)
    expect(r.toArray()).toEqual([30, 1, 30.5, 40])
  })

  it('refuses a capacity below one', () => {
    expect(() => new Ring(0)).toThrow(RangeError)
  })
})

describe('SeriesRing', () => {
  it('holds points in x order, wraps, and searches by x', () => {
    const s = new SeriesRing(3)
    for (let i = 0; i < 5; i++) s.push(i * 10, i)
    expect(s.length).toBe(3)
    expect([s.x(0), s.x(1), s.x(2)]).toEqual([20, 30, 40])
    expect(s.lastY()).toBe(4)
    expect(s.lowerBound(25)).toBe(1)
  })

  it('shifts old points out, handing each to a callback', () => {
    const s = new SeriesRing(8)
    for (let i = 0; i < 6; i++) s.push(i, i * 2)
    const moved: number[] = []
    s.shiftWhile(
      (x) => x < 3,
      (_x, y) => moved.push(y),
    )
    expect(moved).toEqual([0, 2, 4])
    expect(s.length).toBe(3)
    expect(s.x(0)).toBe(3)
  })
})
