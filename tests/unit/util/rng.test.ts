import { describe, expect, it } from 'vitest'
import { createRng } from '../../../shared/util/rng'

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 20 },
        (() => {
          const r = createRng(seed)
          return () => r.int(0, 1_000_000)
        })(),
      )
    expect(draw(5)).toEqual(draw(5))
    expect(draw(5)).not.toEqual(draw(6))
  })

  it('int stays in [lo, hi) and covers it', () => {
    const r = createRng(1)
    const seen = new Set<number>()
    for (let i = 0; i < 2000; i++) {
      const x = r.int(10, 15)
      expect(x).toBeGreaterThanOrEqual(10)
      expect(x).toBeLessThan(15)
      seen.add(x)
    }
    expect([...seen].sort()).toEqual([10, 11, 12, 13, 14])
    expect(() => r.int(3, 3)).toThrow(/empty range/)
  })

  it('forks are independent of later draws on the parent', () => {
    const a = createRng(9)
    const fa = a.fork(1)
    const b = createRng(9)
    const fb = b.fork(1)
    b.int(0, 10)
    expect(Array.from({ length: 5 }, () => fa.float())).toEqual(
      Array.from({ length: 5 }, () => fb.float()),
    )
    expect(createRng(9).fork(1).float()).not.toBe(createRng(9).fork(2).float())
  })
})

describe('Rng seeding', () => {
  it('spreads small consecutive seeds: first draws look uniform, not all alike', () => {
    const firsts = Array.from({ length: 1000 }, (_, s) => createRng(s + 1).float())
    const mean = firsts.reduce((a, b) => a + b, 0) / firsts.length
    expect(mean).toBeGreaterThan(0.45)
    expect(mean).toBeLessThan(0.55)
    const timeouts = new Set(Array.from({ length: 40 }, (_, s) => createRng(s + 1).int(150, 300)))
    expect(timeouts.size).toBeGreaterThan(30)
    // …and neighbouring seeds do not give neighbouring values.
    const diffs = Array.from({ length: 100 }, (_, s) =>
      Math.abs(createRng(s + 2).int(0, 1000) - createRng(s + 1).int(0, 1000)),
    )
    expect(diffs.filter((d) => d <= 2).length).toBeLessThan(5)
  })
})
