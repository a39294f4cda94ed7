// Seeded randomness for shared/: every random choice in the core and the simulator goes through an
// injected Rng, so a seed reproduces a run exactly. Pure: no global randomness, no clock.
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
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
    // A fresh seed drawn from this stream with the label mixed in; seeded() scrambles it.
    return seeded((this.gen.next() ^ Math.imul(label + 1, 0x9e3779b1)) | 0)
  }
}

/** splitmix32 is a 32-bit integer hash (the SplitMix construction), used to spread a seed over
 * the generator's 128-bit state: xoroshiro's own seeding leaves small seeds' first outputs
 * nearly equal (the first float of seeds 1…1000 was ~1.0). */
function splitmix32(state: number): () => number {
  let a = state | 0
  return () => {
    a = (a + 0x9e3779b9) | 0
    let t = a ^ (a >>> 16)
    t = Math.imul(t, 0x21f0aaad)
    t ^= t >>> 15
    t = Math.imul(t, 0x735a2d97)
    return (t ^ (t >>> 15)) | 0
  }
}

function seeded(seed: number): Rng {
  const next = splitmix32(seed)
  const state = [next(), next(), next(), next()]
  if (!state.some((x) => x !== 0)) state[0] = 1
  return new XoroshiroRng(xoroshiro128plusFromState(state))
}

/** createRng returns a deterministic Rng for a 32-bit seed (other numbers are truncated). */
export function createRng(seed: number): Rng {
  return seeded(seed | 0)
}
