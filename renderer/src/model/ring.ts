// Bounded buffers for everything the renderer keeps over time. A lab runs for hours; the views
// must not grow with it. Pure TypeScript: no DOM, no Vue (unit-tested under Node).

/** Ring keeps the last `capacity` items pushed, oldest first. It is deliberately mutable and
 * non-reactive: stores wrap it in a shallowRef snapshot that they replace per batch of events,
 * so Vue never deep-tracks (or proxies) thousands of points. */
export class Ring<T> {
  private buf: (T | undefined)[]
  private head = 0
  private size = 0

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`Ring capacity must be at least 1, got ${capacity}`)
    this.buf = new Array<T | undefined>(capacity)
  }

  /** length is the number of items held (≤ capacity). */
  get length(): number {
    return this.size
  }

  /** push appends an item, dropping the oldest when full; it returns the dropped item. */
  push(item: T): T | undefined {
    let dropped: T | undefined
    if (this.size === this.capacity) {
      dropped = this.buf[this.head]
      this.buf[this.head] = item
      this.head = (this.head + 1) % this.capacity
    } else {
      this.buf[(this.head + this.size) % this.capacity] = item
      this.size++
    }
    return dropped
  }

  /** at returns the i-th item, 0 being the oldest; negative i counts from the newest (-1). */
  at(i: number): T | undefined {
    const k = i < 0 ? this.size + i : i
    if (k < 0 || k >= this.size) return undefined
    return this.buf[(this.head + k) % this.capacity]
  }

  /** last is the newest item. */
  last(): T | undefined {
    return this.at(-1)
  }

  /** toArray copies the items, oldest first (a plain array, safe to hand to Chart.js). */
  toArray(from = 0): T[] {
    const out: T[] = []
    for (let i = Math.max(0, from); i < this.size; i++) out.push(this.at(i) as T)
    return out
  }

  /** lowerBound is the first position whose key is ≥ x, for items pushed in key order. */
  lowerBound(x: number, key: (item: T) => number): number {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (key(this.at(mid) as T) < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** insertSorted places `item` after the newest item whose key is not above its own, looking at
   * most `lookback` items back (older ones are taken as in order): for items that arrive almost,
   * but not quite, in key order. It returns the item dropped when full, as push does. */
  insertSorted(item: T, key: (item: T) => number, lookback: number): T | undefined {
    const k0 = key(item)
    let k = 0
    while (k < Math.min(lookback, this.size) && key(this.at(-1 - k) as T) > k0) k++
    if (k === 0) return this.push(item)
    const later: T[] = []
    for (let i = k; i >= 1; i--) later.push(this.at(-i) as T)
    this.size -= k
    let dropped = this.push(item)
    for (const x of later) dropped = this.push(x) ?? dropped
    return dropped
  }

  /** clear empties the ring. */
  clear(): void {
    this.buf = new Array<T | undefined>(this.capacity)
    this.head = 0
    this.size = 0
  }
}

/** SeriesRing holds (x, y) points in two Float64Arrays: a 2 × 8-byte point instead of an object,
 * which matters for 10-minute runs at thousands of writes per second. Points are pushed in x
 * order. */
export class SeriesRing {
  private xs: Float64Array
  private ys: Float64Array
  private head = 0
  private size = 0

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`)
    this.xs = new Float64Array(capacity)
    this.ys = new Float64Array(capacity)
  }

  /** length is the number of points held. */
  get length(): number {
    return this.size
  }

  /** push appends a point, dropping the oldest when full. */
  push(x: number, y: number): void {
    let k: number
    if (this.size === this.capacity) {
      k = this.head
      this.head = (this.head + 1) % this.capacity
    } else {
      k = (this.head + this.size) % this.capacity
      this.size++
    }
    this.xs[k] = x
    this.ys[k] = y
  }

  /** x and y read the i-th point, 0 being the oldest (i must be in range). */
  x(i: number): number {
    return this.xs[(this.head + i) % this.capacity] as number
  }
  y(i: number): number {
    return this.ys[(this.head + i) % this.capacity] as number
  }

  /** lastY is the newest point's y, or undefined when empty. */
  lastY(): number | undefined {
    return this.size === 0 ? undefined : this.y(this.size - 1)
  }

  /** lowerBound is the first position whose x is ≥ x. */
  lowerBound(x: number): number {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.x(mid) < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** shiftWhile removes the oldest points while `pred` holds, handing each to `onShift` (used
   * to move aged points into a coarser archive). */
  shiftWhile(
    pred: (x: number, y: number) => boolean,
    onShift?: (x: number, y: number) => void,
  ): void {
    while (this.size > 0) {
      const x = this.xs[this.head] as number
      const y = this.ys[this.head] as number
      if (!pred(x, y)) break
      onShift?.(x, y)
      this.head = (this.head + 1) % this.capacity
      this.size--
    }
  }

  /** clear empties the ring. */
  clear(): void {
    this.head = 0
    this.size = 0
  }
}
