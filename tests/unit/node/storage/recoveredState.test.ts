// States that every file reads back cleanly yet together cannot be true of a node that kept its
// promises: committed entries missing under fsync 'always', a lost or stale term, a vote that
// cannot have been cast. Recovery refuses them with an InconsistentStateError naming the files
// and the numbers, rather than starting a node that could vote twice or lose committed writes.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DiskStorage,
  type DiskStorageOptions,
  InconsistentStateError,
  WalCorruptionError,
} from '../../../../electron/node/storage'
import { newSyncStats } from '../../../../electron/node/storage/durableFs'
import {
  HARD_STATE_FILE,
  recoverHardState,
  writeHardState,
} from '../../../../electron/node/storage/hardStateFile'
import { scanRecords } from '../../../../electron/node/storage/walFormat'
import { entries, entry, segmentPaths, useTempDirs } from './helpers'

const tempDir = useTempDirs()

/** refusal returns what DiskStorage.open throws for `opts` (failing the test if it opens). */
function refusal(opts: DiskStorageOptions): Error {
  try {
    DiskStorage.open(opts).close()
  } catch (err) {
    return err as Error
  }
  throw new Error(`expected DiskStorage.open(${opts.dir}) to refuse`)
}

/** inconsistency is refusal(), checked to be an InconsistentStateError. */
function inconsistency(opts: DiskStorageOptions): InconsistentStateError {
  const err = refusal(opts)
  expect(err, String(err)).toBeInstanceOf(InconsistentStateError)
  return err as InconsistentStateError
}

/** cutAfterEntry truncates the only segment of `dir` right after the record of entry `index`,
 * as if every write after it had never reached the disk. */
function cutAfterEntry(dir: string, index: number): void {
  const seg = segmentPaths(dir)[0] as string
  const scan = scanRecords(new Uint8Array(fs.readFileSync(seg)))
  const at = scan.records.findIndex(
    (r) => r.record.kind === 'entry' && r.record.entry.index === index,
  )
  const next = scan.records[at + 1]
  if (at < 0 || !next) throw new Error(`cutAfterEntry: no record after entry ${index}`)
  fs.truncateSync(seg, next.offsetBytes)
}

/** lostTail writes entries 1–5 (term 1), commits them, records commit 5 in the hard-state file
 * with a term change, then loses entries 4 and 5 from the WAL. */
function lostTail(): string {
  const dir = tempDir()
  const ds = DiskStorage.open({ dir })
  ds.append(entries(1, 3, 1), { term: 1, vote: 1, commit: 0 }, true)
  ds.append(entries(4, 5, 1), { term: 1, vote: 1, commit: 5 }, true)
  ds.append([], { term: 2, vote: 0, commit: 5 }, true)
  ds.close()
  expect(recoverHardState(dir).hardState.commit).toBe(5)
  cutAfterEntry(dir, 3)
  return dir
}

describe('a WAL that ends below the stored commit index (committed entries lost)', () => {
  it("fsync 'always': refused, naming the files, the commit index and the last index", () => {
    const dir = lostTail()
    const err = inconsistency({ dir, fsync: 'always' })
    expect(err.dir).toBe(dir)
    expect(err.files).toContain(path.join(dir, HARD_STATE_FILE))
    expect(err.files).toContain(segmentPaths(dir)[0])
    expect(err.message).toContain(path.join(dir, HARD_STATE_FILE))
    expect(err.message).toContain(segmentPaths(dir)[0] as string)
    expect(err.message).toMatch(/commit index 5\b/)
    expect(err.message).toMatch(/last entry\b.*index 3\b/)
    expect(err.message).toMatch(/fsync always/)
  })

  it("fsync 'never': lowered to the last index, and said in a warning, not silently", () => {
    const dir = lostTail()
    const ds = DiskStorage.open({ dir, fsync: 'never' })
    expect(ds.storage().lastIndex()).toBe(3)
    expect(ds.storage().initialState()).toEqual({ term: 2, vote: 0, commit: 3 })
    expect(ds.recovery.clampedCommit).toBe(5)
    expect(ds.recovery.warnings).toHaveLength(1)
    expect(ds.recovery.warnings[0]).toMatch(/commit index 5\b.*index 3\b/)
    expect(ds.recovery.warnings[0]).toContain(path.join(dir, HARD_STATE_FILE))
    ds.close()
  })

  it('a clean log has no warnings', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 3, 1), { term: 1, vote: 1, commit: 3 }, true)
    ds.close()
    const again = DiskStorage.open({ dir })
    expect(again.recovery.warnings).toEqual([])
    expect(again.recovery.clampedCommit).toBeNull()
    again.close()
  })
})

describe('the hard-state file never claims more than the WAL holds', () => {
  it('a Ready that changes term and commits its own new entries: a crash between the hard-state write and the WAL write is recoverable', () => {
    // A follower hears a new leader's first AppendEntries: new term, new entries and a commit
    // index covering them, all in one Ready. The hard-state file is written first (so no entry
    // is ever newer than the persisted term); its commit must not cover the entries after it.
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 2, 1), { term: 1, vote: 1, commit: 2 }, true)
    ds.append(entries(3, 5, 2), { term: 2, vote: 0, commit: 5 }, true)
    ds.close()
    expect(recoverHardState(dir).hardState.commit).toBeLessThanOrEqual(2)
    cutAfterEntry(dir, 2) // the crash: the hard state made it, the WAL write did not
    const again = DiskStorage.open({ dir })
    expect(again.storage().lastIndex()).toBe(2)
    expect(again.storage().initialState()).toEqual({ term: 2, vote: 0, commit: 2 })
    again.close()
    // Without the crash the commit index survives through the WAL's commit record.
    const whole = tempDir()
    const w = DiskStorage.open({ dir: whole })
    w.append(entries(1, 2, 1), { term: 1, vote: 1, commit: 2 }, true)
    w.append(entries(3, 5, 2), { term: 2, vote: 0, commit: 5 }, true)
    w.close()
    const back = DiskStorage.open({ dir: whole })
    expect(back.storage().initialState()).toEqual({ term: 2, vote: 0, commit: 5 })
    back.close()
  })
})

describe('term and vote that contradict the log', () => {
  it('a missing hard-state file beside a WAL with entries is refused (the vote is lost)', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 3, 2), { term: 2, vote: 3, commit: 1 }, true)
    ds.close()
    fs.unlinkSync(path.join(dir, HARD_STATE_FILE))
    for (const fsync of ['always', 'never'] as const) {
      const err = inconsistency({ dir, fsync })
      expect(err.files).toContain(path.join(dir, HARD_STATE_FILE))
      expect(err.message).toContain(path.join(dir, HARD_STATE_FILE))
      expect(err.message).toMatch(/missing/)
      expect(err.message).toMatch(/term 2\b/)
      expect(err.message).toMatch(/index 3\b/)
    }
  })

  it("a hard-state term below the last entry's term is refused", () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 2, 1), { term: 1, vote: 1, commit: 0 }, true)
    ds.append(entries(3, 4, 3), { term: 3, vote: 2, commit: 0 }, true)
    ds.close()
    writeHardState(dir, { term: 2, vote: 2, commit: 0 }, 'always', newSyncStats())
    const err = inconsistency({ dir })
    expect(err.message).toMatch(/term 2\b.*term 3\b/)
    expect(err.message).toMatch(/index 4\b/)
    expect(err.files).toEqual([path.join(dir, HARD_STATE_FILE), segmentPaths(dir)[0]])
  })

  it('a term past MAX_TERM (persisted before the core refused such terms) is refused', () => {
    const dir = tempDir()
    DiskStorage.open({ dir }).close()
    writeHardState(dir, { term: 2 ** 53 - 1, vote: 0, commit: 0 }, 'always', newSyncStats())
    const err = inconsistency({ dir })
    expect(err.message).toMatch(/term on disk \(9007199254740991\) is past the largest/)
  })

  it('a vote in term 0 is refused: no election happens in term 0', () => {
    const dir = tempDir()
    DiskStorage.open({ dir }).close()
    writeHardState(dir, { term: 0, vote: 2, commit: 0 }, 'always', newSyncStats())
    const err = inconsistency({ dir })
    expect(err.message).toMatch(/vote.*n2.*term 0/)
  })

  it('a vote for a node that is not a member is refused when the members are known', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 1, 4), { term: 4, vote: 5, commit: 0 }, true)
    ds.close()
    const err = inconsistency({ dir, members: [1, 2, 3] })
    expect(err.message).toMatch(/n5/)
    expect(err.message).toMatch(/n1…n3|1, 2, 3/)
    DiskStorage.open({ dir, members: [1, 2, 3, 4, 5] }).close()
    DiskStorage.open({ dir }).close()
  })
})

describe('log records that contradict each other', () => {
  it('an entry of term 0 is WAL corruption (terms start at 1)', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append([entry(1, 0)], { term: 1, vote: 0, commit: 0 }, true)
    ds.close()
    const err = refusal({ dir })
    expect(err).toBeInstanceOf(WalCorruptionError)
    expect(err.message).toMatch(/term 0/)
  })

  it('a truncation below a recorded commit index is WAL corruption (§5.4: committed entries stay)', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 3, 1), { term: 1, vote: 1, commit: 3 }, true)
    ds.append([entry(2, 2)], { term: 2, vote: 0, commit: 1 }, true)
    ds.close()
    const err = refusal({ dir })
    expect(err).toBeInstanceOf(WalCorruptionError)
    expect(err.message).toMatch(/truncat.*1.*commit.*3/)
  })
})
