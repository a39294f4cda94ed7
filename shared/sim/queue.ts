// A deterministic priority queue of simulator events: ordered by time, then by insertion order,
// so equal times never depend on heap internals.

/** Timed is anything scheduled at an integer time; `seq` is assigned by the queue. */
export interface Timed {
  time: number
  seq: number
}

/** EventQueue is a binary min-heap of Timed items keyed by (time, seq). */
export class EventQueue<T extends Timed> {
  private heap: T[] = []
  private nextSeq = 0

  get size(): number {
    return this.heap.length
  }

  /** push schedules an item; its `seq` is overwritten so ties pop in insertion order. */
  push(item: T): void {
    item.seq = this.nextSeq++
    const h = this.heap
    h.push(item)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(h[i] as T, h[parent] as T)) break
      ;[h[i], h[parent]] = [h[parent] as T, h[i] as T]
      i = parent
    }
  }

  /** pop removes and returns the earliest item, or undefined when empty. */
  pop(): T | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l] as T, h[m] as T)) m = l
        if (r < h.length && before(h[r] as T, h[m] as T)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m] as T, h[i] as T]
        i = m
      }
    }
    return top
  }

  peek(): T | undefined {
    return this.heap[0]
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq)
}
