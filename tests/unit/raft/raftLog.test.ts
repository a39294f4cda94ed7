import { describe, expect, it } from 'vitest'
import { MemoryStorage, RaftLog, type Entry } from '../../../shared/raft'

const e = (term: number, index: number, data = ''): Entry => ({
  term,
  index,
  type: 'normal',
  data: new TextEncoder().encode(data),
})

function indexes(ents: Entry[] | string): number[] | string {
  return typeof ents === 'string' ? ents : ents.map((x) => x.index)
}

function logWith(terms: number[], stored = terms.length): RaftLog {
  const storage = new MemoryStorage()
  storage.append(terms.slice(0, stored).map((t, i) => e(t, i + 1)))
  const log = new RaftLog(storage, 0)
  log.append(terms.slice(stored).map((t, i) => e(t, stored + i + 1)))
  return log
}

describe('RaftLog (§5.3)', () => {
  it('reads terms across stored and unstable entries', () => {
    const log = logWith([1, 1, 2, 3], 2)
    expect([0, 1, 2, 3, 4, 5].map((i) => log.term(i))).toEqual([0, 1, 1, 2, 3, 'unavailable'])
    expect(log.lastIndex()).toBe(4)
    expect(log.unstableEntries().map((x) => x.index)).toEqual([3, 4])
  })

  it('maybeAppend rejects when prevLogIndex/prevLogTerm do not match', () => {
    const log = logWith([1, 1, 2])
    expect(log.maybeAppend(3, 1, 0, [e(3, 4)])).toBeNull()
    expect(log.maybeAppend(4, 2, 0, [e(3, 5)])).toBeNull()
    expect(log.lastIndex()).toBe(3)
  })

  it('maybeAppend truncates a conflicting suffix and appends', () => {
    const log = logWith([1, 1, 2, 2, 2])
    expect(log.maybeAppend(2, 1, 0, [e(3, 3), e(3, 4)])).toBe(4)
    expect(log.allEntries().map((x) => `${x.term}/${x.index}`)).toEqual([
      '1/1',
      '1/2',
      '3/3',
      '3/4',
    ])
  })

  it('maybeAppend keeps entries that already match, even past the new ones', () => {
    const log = logWith([1, 1, 2, 2])
    expect(log.maybeAppend(1, 1, 0, [e(1, 2)])).toBe(2)
    expect(log.lastIndex()).toBe(4)
  })

  it('commits min(leaderCommit, last new index) — never past what was verified', () => {
    const log = logWith([1, 1, 1, 1, 1])
    log.maybeAppend(1, 1, 5, [e(1, 2)])
    expect(log.committed).toBe(2)
  })

  it('never lowers the commit index and refuses to commit past the end', () => {
    const log = logWith([1, 1, 1])
    log.commitTo(2)
    log.commitTo(1)
    expect(log.committed).toBe(2)
    expect(() => log.commitTo(4)).toThrow(/past the last index/)
  })

  it('refuses to overwrite committed entries', () => {
    const log = logWith([1, 1, 1])
    log.commitTo(2)
    expect(() => log.maybeAppend(1, 1, 2, [e(2, 2)])).toThrow(/committed/)
  })

  it('findConflictByTerm skips a whole term', () => {
    const log = logWith([1, 1, 4, 4, 4, 5, 5])
    expect(log.findConflictByTerm(7, 4)).toBe(5)
    expect(log.findConflictByTerm(7, 3)).toBe(2)
    expect(log.findConflictByTerm(7, 9)).toBe(7)
    expect(log.findConflictByTerm(3, 0)).toBe(0)
  })

  it('isUpToDate follows §5.4.1', () => {
    const log = logWith([1, 2, 2])
    expect(log.isUpToDate(3, 2)).toBe(true)
    expect(log.isUpToDate(2, 2)).toBe(false)
    expect(log.isUpToDate(1, 3)).toBe(true)
    expect(log.isUpToDate(9, 1)).toBe(false)
  })

  it('stableTo ignores an entry replaced after it was handed out', () => {
    const log = logWith([1, 1], 0)
    log.append([e(2, 2)])
    log.stableTo(2, 1)
    expect(log.unstableEntries().map((x) => `${x.term}/${x.index}`)).toEqual(['1/1', '2/2'])
    log.stableTo(2, 2)
    expect(log.hasUnstable()).toBe(false)
  })

  it('slice honours the batching limits but always returns one entry', () => {
    const log = logWith([1, 1, 1, 1, 1], 2)
    expect(indexes(log.slice(1, 6, 3, Infinity))).toEqual([1, 2, 3])
    expect(indexes(log.slice(1, 6, 10, 1))).toEqual([1])
  })

  it('hands out committed entries once, after appliedTo', () => {
    const log = logWith([1, 1, 1])
    log.commitTo(2)
    expect(log.nextCommittedEntries(Infinity).map((x) => x.index)).toEqual([1, 2])
    log.appliedTo(2)
    expect(log.hasNextCommittedEntries()).toBe(false)
    expect(() => log.appliedTo(3)).toThrow(/applied/)
  })
})
