import { describe, expect, it } from 'vitest'
import { StateCache, mix32 } from '../../../shared/check/stateCache'

describe('StateCache', () => {
  it('tells pairs apart by bits and state even when the caller-supplied hashes collide', () => {
    const cache = new StateCache(2, 10)
    const a = Uint32Array.of(1, 0)
    const b = Uint32Array.of(0, 1)
    expect(cache.add(a, 7, 0)).toBe('added')
    expect(cache.add(b, 7, 0)).toBe('added')
    expect(cache.add(a, 7, 1)).toBe('added')
    expect(cache.add(a, 7, 0)).toBe('present')
    expect(cache.add(Uint32Array.of(1, 0), 7, 1)).toBe('present')
    expect(cache.size).toBe(3)
  })

  it('keeps every pair across growth and rehashing, and refuses new ones when full', () => {
    const cache = new StateCache(1, 5000)
    for (let i = 0; i < 5000; i++)
      expect(cache.add(Uint32Array.of(i), mix32(i), i % 3)).toBe('added')
    for (let i = 0; i < 5000; i++)
      expect(cache.add(Uint32Array.of(i), mix32(i), i % 3)).toBe('present')
    expect(cache.add(Uint32Array.of(0), mix32(0), 2)).toBe('full')
    expect(cache.size).toBe(5000)
  })
})
