// DiskStorage round trips, segment rollover, suffix truncation, commit persistence and group
// commit (sync counting), on real files in a fresh temporary directory per test.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DiskStorage, StorageFailedError } from '../../../../electron/node/storage'
import { HARD_STATE_FILE } from '../../../../electron/node/storage/hardStateFile'
import type { Storage } from '../../../../shared/raft/storage'
import type { Entry, HardState } from '../../../../shared/raft/types'
import { entries, entry, plain, segmentPaths, useTempDirs } from './helpers'

const tempDir = useTempDirs()

function logOf(s: Storage): ReturnType<typeof plain>[] {
  const last = s.lastIndex()
  if (last < s.firstIndex()) return []
  const got = s.entries(s.firstIndex(), last + 1, Infinity, Infinity)
  if (typeof got === 'string') throw new Error(`the stored log is ${got}`)
  return got.map(plain)
}

/** inTerm is the hard state of a node in `term` that has not voted: a log holding entries of a
 * term needs at least that term on disk, or recovery refuses it (recoveredState.test.ts). */
function inTerm(term: number): HardState {
  return { term, vote: 0, commit: 0 }
}

function reopen(dir: string, segmentSizeBytes?: number): DiskStorage {
  return DiskStorage.open({ dir, segmentSizeBytes })
}

describe('DiskStorage open and round trip', () => {
  it('opens a fresh directory (created if missing) with an empty log and zero hard state', () => {
    const dir = path.join(tempDir(), 'nested', 'node1')
    const ds = DiskStorage.open({ dir })
    expect(ds.storage().initialState()).toEqual({ term: 0, vote: 0, commit: 0 })
    expect(ds.storage().lastIndex()).toBe(0)
    expect(ds.recovery).toMatchObject({
      entryCount: 0,
      lastIndex: 0,
      lastTerm: 0,
      hasHardStateFile: false,
      segmentCount: 1,
      truncatedTailBytes: 0,
      tornTail: null,
      fsync: 'always',
    })
    expect(segmentPaths(dir).map((p) => path.basename(p))).toEqual([
      'wal-0000000000000000-0000000000000001.log',
    ])
    ds.close()
  })

  it('keeps entries (terms, types, data bytes) and hard state across a reopen', () => {
    const dir = tempDir()
    const big = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff)
    const written: Entry[] = [
      entry(1, 1, new Uint8Array(0), 'noop'),
      entry(2, 1, Uint8Array.of(0, 255, 128, 7), 'normal'),
      entry(3, 2, big, 'normal'),
      entry(4, 2 ** 40, new TextEncoder().encode('héllo'), 'normal'),
    ]
    const ds = DiskStorage.open({ dir })
    ds.append(written, { term: 2 ** 40, vote: 3, commit: 2 }, true)
    ds.close()

    const again = reopen(dir)
    expect(logOf(again.storage())).toEqual(written.map(plain))
    expect(again.storage().initialState()).toEqual({ term: 2 ** 40, vote: 3, commit: 2 })
    expect(again.storage().term(4)).toBe(2 ** 40)
    expect(again.recovery).toMatchObject({
      entryCount: 4,
      lastIndex: 4,
      lastTerm: 2 ** 40,
      hasHardStateFile: true,
      truncatedTailBytes: 0,
    })
    again.close()
  })

  it('recovers many batches of varied sizes exactly, and appends after a reopen', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    const expected: Entry[] = []
    let next = 1
    for (let batch = 0; batch < 200; batch++) {
      const n = (batch * 7) % 13
      const term = 1 + Math.floor(batch / 50)
      const es = entries(next, next + n - 1, term)
      next += n
      expected.push(...es)
      ds.append(es, batch % 50 === 0 ? inTerm(term) : null, true)
    }
    ds.close()
    const again = reopen(dir)
    expect(logOf(again.storage())).toEqual(expected.map(plain))
    again.append(entries(next, next + 2, 9), inTerm(9), true)
    again.close()
    const third = reopen(dir)
    expect(third.storage().lastIndex()).toBe(next + 2)
    expect(third.storage().term(next + 2)).toBe(9)
    third.close()
  })
})

describe('DiskStorage segments', () => {
  it('rolls over at the size threshold, names segments by seq and first index, and recovers', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir, segmentSizeBytes: 200 })
    for (let i = 1; i <= 60; i += 3)
      ds.append(entries(i, i + 2, 1), i === 1 ? inTerm(1) : null, true)
    expect(ds.segmentCount()).toBeGreaterThan(3)
    expect(segmentPaths(dir)).toHaveLength(ds.segmentCount())
    ds.close()

    const names = segmentPaths(dir).map((p) => path.basename(p))
    names.forEach((n, seq) => {
      expect(n.startsWith(`wal-${seq.toString(16).padStart(16, '0')}-`)).toBe(true)
    })
    const again = reopen(dir, 200)
    expect(again.recovery.segmentCount).toBe(names.length)
    expect(logOf(again.storage())).toEqual(entries(1, 60, 1).map(plain))
    again.close()
  })

  it('never splits a batch: a batch bigger than the threshold goes whole into one segment', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir, segmentSizeBytes: 64 })
    ds.append(entries(1, 50, 1), inTerm(1), true)
    ds.append(entries(51, 100, 1), null, true)
    expect(ds.segmentCount()).toBe(2)
    ds.close()
    const again = reopen(dir, 64)
    expect(logOf(again.storage())).toEqual(entries(1, 100, 1).map(plain))
    again.close()
  })
})

describe('DiskStorage suffix truncation (§5.3: a follower drops a conflicting suffix)', () => {
  it('an append at an index ≤ lastIndex replaces the suffix, durably', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 10, 1), { term: 1, vote: 1, commit: 0 }, true)
    ds.append(entries(6, 8, 2), { term: 2, vote: 0, commit: 0 }, true)
    expect(logOf(ds.storage())).toEqual([...entries(1, 5, 1), ...entries(6, 8, 2)].map(plain))
    ds.close()
    const again = reopen(dir)
    expect(logOf(again.storage())).toEqual([...entries(1, 5, 1), ...entries(6, 8, 2)].map(plain))
    // A second truncation at the very first index, then growth past the old end.
    again.append(entries(1, 12, 3), inTerm(3), true)
    again.close()
    const third = reopen(dir)
    expect(logOf(third.storage())).toEqual(entries(1, 12, 3).map(plain))
    third.close()
  })

  it('truncates into an earlier segment and keeps later appends across reopens', () => {
    const dir = tempDir()
    const size = 150
    const ds = DiskStorage.open({ dir, segmentSizeBytes: size })
    for (let i = 1; i <= 40; i += 4)
      ds.append(entries(i, i + 3, 1), i === 1 ? inTerm(1) : null, true)
    const segmentsBefore = ds.segmentCount()
    expect(segmentsBefore).toBeGreaterThan(3)
    ds.close()

    const a = reopen(dir, size)
    a.append(entries(3, 4, 2), inTerm(2), true) // index 3 lives in the first segment
    a.append(entries(5, 30, 2), null, true)
    a.close()
    const expected = [...entries(1, 2, 1), ...entries(3, 30, 2)].map(plain)
    const b = reopen(dir, size)
    expect(logOf(b.storage())).toEqual(expected)
    expect(b.recovery.segmentCount).toBeGreaterThan(segmentsBefore)
    b.append(entries(31, 31, 2), null, true)
    b.close()
    const c = reopen(dir, size)
    expect(logOf(c.storage())).toEqual([...expected, plain(entry(31, 2))])
    c.close()
  })
})

describe('DiskStorage hard state and commit', () => {
  it('rewrites the hard-state file only when term or vote change; commit goes to the WAL', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 3, 1), { term: 1, vote: 2, commit: 0 }, true)
    const afterVote = ds.stats()
    expect(afterVote.fileSyncs).toBeGreaterThanOrEqual(1)
    const fileBytes = fs.readFileSync(path.join(dir, HARD_STATE_FILE))
    ds.append([], { term: 1, vote: 2, commit: 2 }, false)
    ds.append([], { term: 1, vote: 2, commit: 3 }, false)
    const afterCommits = ds.stats()
    expect(afterCommits.fileSyncs).toBe(afterVote.fileSyncs)
    expect(afterCommits.dataSyncs).toBe(afterVote.dataSyncs)
    expect(afterCommits.writeCalls).toBe(afterVote.writeCalls + 2)
    expect(fs.readFileSync(path.join(dir, HARD_STATE_FILE))).toEqual(fileBytes)
    expect(ds.storage().initialState()).toEqual({ term: 1, vote: 2, commit: 3 })
    ds.close()
    const again = reopen(dir)
    expect(again.storage().initialState()).toEqual({ term: 1, vote: 2, commit: 3 })
    again.close()
  })

  it('stops working after a failed write: later calls throw StorageFailedError', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 1, 1), { term: 1, vote: 0, commit: 0 }, true)
    // A directory where the temporary hard-state file goes makes its open fail (EISDIR).
    fs.mkdirSync(path.join(dir, `${HARD_STATE_FILE}.tmp`))
    expect(() => ds.append(entries(2, 2, 2), { term: 2, vote: 0, commit: 0 }, true)).toThrow(
      /EISDIR/,
    )
    fs.rmdirSync(path.join(dir, `${HARD_STATE_FILE}.tmp`))
    expect(() => ds.append(entries(2, 2, 2), null, true)).toThrow(StorageFailedError)
    ds.close()
  })
})

describe('DiskStorage group commit and fsync policy', () => {
  it("policy 'always': one fdatasync and one write per mustSync batch, however many entries", () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    const before = ds.stats()
    for (let b = 0; b < 10; b++) ds.append(entries(b * 100 + 1, b * 100 + 100, 1), null, true)
    const after = ds.stats()
    expect(after.dataSyncs - before.dataSyncs).toBe(10)
    expect(after.writeCalls - before.writeCalls).toBe(10)
    ds.append(entries(1001, 1010, 1), null, false)
    expect(ds.stats().dataSyncs).toBe(after.dataSyncs)
    ds.close()
    expect(ds.stats().dataSyncs).toBe(after.dataSyncs + 1) // close syncs the unsynced batch
  })

  it("policy 'always' with a term change: the hard-state file costs one fsync and a dir fsync", () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    const before = ds.stats()
    ds.append(entries(1, 5, 1), { term: 1, vote: 1, commit: 0 }, true)
    const after = ds.stats()
    expect(after.dataSyncs - before.dataSyncs).toBe(1)
    expect(after.fileSyncs - before.fileSyncs).toBe(1)
    expect(after.dirSyncs - before.dirSyncs).toBe(process.platform === 'win32' ? 0 : 1)
    ds.close()
  })

  it("policy 'never' (unsafe benchmark knob): no syncs at all, and data still reads back", () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir, fsync: 'never', segmentSizeBytes: 300 })
    for (let b = 0; b < 20; b++) {
      ds.append(entries(b * 5 + 1, b * 5 + 5, b + 1), { term: b + 1, vote: 1, commit: 0 }, true)
    }
    ds.close()
    const s = ds.stats()
    expect(s).toMatchObject({ dataSyncs: 0, fileSyncs: 0, dirSyncs: 0 })
    expect(s.writeCalls).toBeGreaterThanOrEqual(40)
    const again = DiskStorage.open({ dir, fsync: 'never' })
    expect(again.storage().lastIndex()).toBe(100)
    expect(again.storage().initialState().term).toBe(20)
    again.close()
  })

  it('prints the cost of 1,000 one-entry batches vs one 1,000-entry batch (group commit)', () => {
    const data = new Uint8Array(64).fill(42)
    const dirA = tempDir()
    const a = DiskStorage.open({ dir: dirA })
    a.append([], inTerm(1), true)
    const t0 = performance.now()
    for (let i = 1; i <= 1000; i++) a.append([entry(i, 1, data)], null, true)
    const perEntryMs = performance.now() - t0
    const statsA = a.stats()
    a.close()

    const dirB = tempDir()
    const b = DiskStorage.open({ dir: dirB })
    b.append([], inTerm(1), true)
    const batch = Array.from({ length: 1000 }, (_, k) => entry(k + 1, 1, data))
    const t1 = performance.now()
    b.append(batch, null, true)
    const batchMs = performance.now() - t1
    const statsB = b.stats()
    b.close()

    console.log(
      `storage timing (fsync always, ${dirA.split(path.sep).slice(0, -1).join(path.sep)}): ` +
        `1000 appends x 1 entry x 64 B = ${perEntryMs.toFixed(1)} ms ` +
        `(${((perEntryMs / 1000) * 1000).toFixed(1)} µs/append, ${statsA.dataSyncs} fdatasyncs); ` +
        `1 append x 1000 entries = ${batchMs.toFixed(2)} ms (${statsB.dataSyncs} fdatasync)`,
    )
    expect(statsA.dataSyncs).toBe(1000)
    expect(statsB.dataSyncs).toBe(1)
    for (const dir of [dirA, dirB]) {
      const again = reopen(dir)
      expect(logOf(again.storage())).toEqual(batch.map(plain))
      again.close()
    }
  })
})
