// The memo of the linearizability search: the set of (linearized operations, model state) pairs
// already explored (Lowe, "Testing for linearizability", 2017, §4). Bitsets live side by side in
// one growable Uint32Array arena with a chained hash table over it, so a cached configuration
// costs its bitset words plus four small integers and no per-entry object.

/** mix32 is MurmurHash3's 32-bit finalizer: it spreads every input bit over the whole word. */
export function mix32(x: number): number {
  let h = x | 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

/** STATE_CACHE_OVERHEAD_BYTES is what a cached configuration costs besides its bitset words: its
 * hash, state and chain link, plus a share of the hash table. Used to turn bytes into states. */
export const STATE_CACHE_OVERHEAD_BYTES = 20

/** AddResult is what StateCache.add did: stored the pair, found it already there, or refused it
 * because the cache holds its maximum number of pairs. */
export type AddResult = 'added' | 'present' | 'full'

/**
 * StateCache is a set of at most `maxSize` (bitset of `words` 32-bit words, state) pairs. The
 * caller keeps the bitset's hash (an XOR of per-bit hashes, updated as bits flip, as Porcupine
 * does) and passes it in, so adding costs O(words) only when hashes collide or the pair is present.
 */
export class StateCache {
  private arena: Uint32Array
  private states: Int32Array
  private hashes: Int32Array
  private chain: Int32Array
  private table: Int32Array
  private count = 0

  constructor(
    private readonly words: number,
    private readonly maxSize: number,
  ) {
    const capacity = 1024
    this.arena = new Uint32Array(capacity * words)
    this.states = new Int32Array(capacity)
    this.hashes = new Int32Array(capacity)
    this.chain = new Int32Array(capacity)
    this.table = new Int32Array(2048).fill(-1)
  }

  /** size is the number of pairs stored. */
  get size(): number {
    return this.count
  }

  /** add stores (bits, state) unless it is present or the cache is full. `bitsHash` must be the
   * hash of `bits` maintained by the caller. */
  add(bits: Uint32Array, bitsHash: number, state: number): AddResult {
    const h = mix32(bitsHash ^ Math.imul(state + 1, 0x9e3779b1))
    const w = this.words
    for (let i = this.table[h & (this.table.length - 1)] as number; i !== -1;) {
      if (this.hashes[i] === h && this.states[i] === state && this.sameBits(i * w, bits)) {
        return 'present'
      }
      i = this.chain[i] as number
    }
    if (this.count >= this.maxSize) return 'full'
    if (this.count === this.states.length) this.grow()
    const i = this.count++
    this.arena.set(bits, i * w)
    this.states[i] = state
    this.hashes[i] = h
    if (this.count > this.table.length * 0.75) this.rehash()
    else this.link(i)
    return 'added'
  }

  private sameBits(offset: number, bits: Uint32Array): boolean {
    for (let k = 0; k < this.words; k++) {
      if (this.arena[offset + k] !== bits[k]) return false
    }
    return true
  }

  private link(i: number): void {
    const slot = (this.hashes[i] as number) & (this.table.length - 1)
    this.chain[i] = this.table[slot] as number
    this.table[slot] = i
  }

  private grow(): void {
    const capacity = this.states.length * 2
    const arena = new Uint32Array(capacity * this.words)
    arena.set(this.arena)
    this.arena = arena
    this.states = resized(this.states, capacity)
    this.hashes = resized(this.hashes, capacity)
    this.chain = resized(this.chain, capacity)
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1)
    for (let i = 0; i < this.count; i++) this.link(i)
  }
}

function resized(a: Int32Array, capacity: number): Int32Array {
  const b = new Int32Array(capacity)
  b.set(a)
  return b
}
