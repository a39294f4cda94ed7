import { describe, expect, it } from 'vitest'
import { Inflights, Progress, quorum } from '../../../shared/raft'

describe('Inflights', () => {
  it('is a bounded FIFO freed by acknowledgement', () => {
    const f = new Inflights(3)
    f.add(5)
    f.add(7)
    f.add(9)
    expect(f.isFull()).toBe(true)
    f.freeLE(7)
    expect(f.count).toBe(1)
    f.add(11)
    f.add(13)
    expect(f.isFull()).toBe(true)
    f.freeFirst()
    expect(f.count).toBe(2)
    f.freeLE(100)
    expect(f.count).toBe(0)
  })
})

describe('Progress (flow control)', () => {
  it('probes one message at a time', () => {
    const p = new Progress(2, 10, 4)
    expect(p.isPaused()).toBe(false)
    p.sentEntries(9, 0)
    expect(p.isPaused()).toBe(true)
    expect(p.maybeUpdate(9)).toBe(true)
    expect(p.isPaused()).toBe(false)
  })

  it('pipelines up to the in-flight bound when replicating', () => {
    const p = new Progress(2, 1, 2)
    p.maybeUpdate(0)
    p.becomeReplicate()
    p.sentEntries(3, 3)
    p.sentEntries(5, 2)
    expect(p.next).toBe(6)
    expect(p.isPaused()).toBe(true)
    p.maybeUpdate(3)
    p.inflights.freeLE(3)
    expect(p.isPaused()).toBe(false)
  })

  it('ignores stale rejections and backs up on fresh ones', () => {
    const p = new Progress(2, 10, 4)
    expect(p.maybeDecrTo(5, 3)).toBe(false) // not the index we probed with
    expect(p.maybeDecrTo(9, 3)).toBe(true)
    expect(p.next).toBe(4)
    p.match = 6
    p.becomeReplicate()
    expect(p.maybeDecrTo(6, 0)).toBe(false) // at or below match: stale
    expect(p.maybeDecrTo(8, 0)).toBe(true)
    expect(p.next).toBe(7)
  })

  it('quorum is a strict majority', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(quorum)).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5])
  })
})
