// Seeded randomness for shared/: every random choice in the core and the simulator goes through an
// injected Rng, so a seed reproduces a run exactly. Pure: no global randomness, no clock.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

/** Rng is the source of randomness injected into the core and the simulator. */
export interface Rng {
  /** int returns an integer in [lo, hi); hi must be greater than lo. */
  int(lo: number, hi: number): number
  /** float returns a number in [0, 1). */
  float(): number
  /** chance returns true with probability p (p ≤ 0 never, p ≥ 1 always). */
  chance(p: number): boolean
  /** pick returns a uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T
  /** fork returns an independent generator derived from this one and a label, so that adding
   * draws to one subsystem does not shift the stream of another. */
  fork(label: number): Rng
}

class XoroshiroRng implements Rng {
  constructor(private readonly gen: JumpableRandomGenerator) {}

  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new RangeError(`Rng.int: empty range [${lo}, ${hi})`)
    return uniformInt(this.gen, lo, hi - 1)
  }

  float(): number {
    return uniformFloat64(this.gen)
  }

  chance(p: number): boolean {
    if (p <= 0) return false
    if (p >= 1) return true
    return this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: no items')
    return items[this.int(0, items.length)] as T
  }

  fork(label: number): Rng {
    // Mix the label into a fresh seed drawn from this stream (a 32-bit multiplicative hash).
    const seed = (this.gen.next() ^ Math.imul(label + 1, 0x9e3779b1)) | 0
    return new XoroshiroRng(xoroshiro128plus(seed))
  }
}

/** createRng returns a deterministic Rng for a 32-bit seed (other numbers are truncated). */
export function createRng(seed: number): Rng {
  return new XoroshiroRng(xoroshiro128plus(seed | 0))
}
