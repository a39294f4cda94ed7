import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EventThrottle } from '../../../electron/lab/events/throttle'
import type { LabEvent } from '../../../shared/lab/events'

const ev = (...seqs: number[]) => seqs.map((seq) => ({ seq })) as unknown as LabEvent[]
const seqsOf = (sent: LabEvent[][]) => sent.map((b) => b.map((e) => e.seq))

describe('EventThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function make(ms = 50) {
    const sent: LabEvent[][] = []
    const t = new EventThrottle(
      (b) => sent.push(b),
      ms,
      () => Date.now(),
    )
    return { t, sent }
  }

  it('sends the first batch at once and gathers the next ones into one message per slot, in order', () => {
    const { t, sent } = make()
    t.push(ev(1, 2))
    expect(seqsOf(sent)).toEqual([[1, 2]])
    vi.advanceTimersByTime(10)
    t.push(ev(3))
    vi.advanceTimersByTime(10)
    t.push(ev(4, 5))
    expect(sent).toHaveLength(1)
    vi.advanceTimersByTime(29)
    expect(sent).toHaveLength(1)
    vi.advanceTimersByTime(1) // 50 ms after the first message
    expect(seqsOf(sent)).toEqual([
      [1, 2],
      [3, 4, 5],
    ])
  })

  it('after a quiet spell a batch goes at once again; empty batches send nothing', () => {
    const { t, sent } = make()
    t.push(ev(1))
    vi.advanceTimersByTime(500)
    t.push(ev())
    expect(sent).toHaveLength(1)
    t.push(ev(2))
    expect(seqsOf(sent)).toEqual([[1], [2]])
  })

  it('under a steady stream sends at most one message per interval and loses nothing', () => {
    const { t, sent } = make(50)
    let seq = 0
    for (let ms = 0; ms < 1000; ms++) {
      t.push(ev(++seq))
      vi.advanceTimersByTime(1)
    }
    t.flush()
    expect(sent.length).toBeLessThanOrEqual(1000 / 50 + 2)
    expect(sent.flat().map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
  })

  it('flush sends what is pending now and cancels the slot; close drops it and stops', () => {
    const { t, sent } = make()
    t.push(ev(1))
    t.push(ev(2))
    t.flush()
    expect(seqsOf(sent)).toEqual([[1], [2]])
    vi.advanceTimersByTime(100)
    expect(sent).toHaveLength(2)
    t.push(ev(3))
    t.push(ev(4))
    t.close()
    vi.advanceTimersByTime(100)
    t.push(ev(5))
    t.flush()
    expect(seqsOf(sent)).toEqual([[1], [2], [3]])
  })
})
