// The hard-state file: atomic replacement, crash leftovers, and refusal of a damaged file.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DiskStorage } from '../../../../electron/node/storage'
import { newSyncStats } from '../../../../electron/node/storage/durableFs'
import { HardStateCorruptionError } from '../../../../electron/node/storage/errors'
import {
  HARD_STATE_BYTES,
  HARD_STATE_FILE,
  decodeHardState,
  encodeHardState,
  recoverHardState,
  writeHardState,
} from '../../../../electron/node/storage/hardStateFile'
import { flipByte, useTempDirs } from './helpers'

const tempDir = useTempDirs()

function corruptionOf(dir: string): HardStateCorruptionError {
  try {
    recoverHardState(dir)
  } catch (err) {
    expect(err).toBeInstanceOf(HardStateCorruptionError)
    return err as HardStateCorruptionError
  }
  throw new Error('expected recoverHardState to throw')
}

describe('hard-state file', () => {
  it('is absent on a fresh directory, which means term 0, no vote, commit 0', () => {
    const r = recoverHardState(tempDir())
    expect(r).toEqual({
      hardState: { term: 0, vote: 0, commit: 0 },
      exists: false,
      removedTemp: false,
    })
  })

  it('round-trips, up to the largest safe integers, and leaves no temporary file', () => {
    const dir = tempDir()
    const stats = newSyncStats()
    const hs = { term: Number.MAX_SAFE_INTEGER, vote: 9, commit: 2 ** 33 + 5 }
    writeHardState(dir, hs, 'always', stats)
    expect(recoverHardState(dir)).toEqual({ hardState: hs, exists: true, removedTemp: false })
    expect(fs.readdirSync(dir)).toEqual([HARD_STATE_FILE])
    expect(fs.statSync(path.join(dir, HARD_STATE_FILE)).size).toBe(HARD_STATE_BYTES)
    expect(stats.fileSyncs).toBe(1)
    writeHardState(dir, { term: 1, vote: 0, commit: 0 }, 'always', stats)
    expect(recoverHardState(dir).hardState).toEqual({ term: 1, vote: 0, commit: 0 })
    expect(fs.readdirSync(dir)).toEqual([HARD_STATE_FILE])
  })

  it('keeps the old state when a crash left a temporary file, and deletes that file', () => {
    const dir = tempDir()
    writeHardState(dir, { term: 4, vote: 2, commit: 1 }, 'always', newSyncStats())
    const tmp = path.join(dir, `${HARD_STATE_FILE}.tmp`)
    // A half-written replacement: a valid prefix of a newer state.
    fs.writeFileSync(tmp, encodeHardState({ term: 5, vote: 3, commit: 1 }).subarray(0, 20))
    const r = recoverHardState(dir)
    expect(r.hardState).toEqual({ term: 4, vote: 2, commit: 1 })
    expect(r.removedTemp).toBe(true)
    expect(fs.existsSync(tmp)).toBe(false)
  })

  it('a complete temporary file never renamed is still not the current state', () => {
    const dir = tempDir()
    const ds0 = DiskStorage.open({ dir })
    ds0.append([], { term: 4, vote: 2, commit: 0 }, true)
    ds0.close()
    fs.writeFileSync(
      path.join(dir, `${HARD_STATE_FILE}.tmp`),
      encodeHardState({ term: 9, vote: 9, commit: 9 }),
    )
    const ds = DiskStorage.open({ dir })
    expect(ds.storage().initialState()).toEqual({ term: 4, vote: 2, commit: 0 })
    expect(ds.recovery.removedTempFiles).toBe(1)
    ds.close()
  })

  it('a flipped byte anywhere is refused with an error naming the file', () => {
    const dir = tempDir()
    const file = path.join(dir, HARD_STATE_FILE)
    for (let at = 0; at < HARD_STATE_BYTES; at++) {
      writeHardState(dir, { term: 7, vote: 1, commit: 3 }, 'never', newSyncStats())
      flipByte(file, at)
      const err = corruptionOf(dir)
      expect(err.filePath).toBe(file)
      expect(err.message).toContain(file)
      expect(err.reason).toBe('checksum mismatch')
    }
  })

  it('a cut-short or overlong file, or another version, is refused with its reason', () => {
    const dir = tempDir()
    const file = path.join(dir, HARD_STATE_FILE)
    const good = encodeHardState({ term: 7, vote: 1, commit: 3 })
    fs.writeFileSync(file, good.subarray(0, 30))
    expect(corruptionOf(dir).reason).toMatch(/size is 30 bytes, expected 36/)
    fs.writeFileSync(file, new Uint8Array([...good, 0]))
    expect(corruptionOf(dir).reason).toMatch(/size is 37 bytes/)
    fs.writeFileSync(file, new Uint8Array(0))
    expect(corruptionOf(dir).reason).toMatch(/size is 0 bytes/)
    expect(decodeHardState(good)).toEqual({ term: 7, vote: 1, commit: 3 })
  })

  it('DiskStorage.open refuses a corrupt hard-state file', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append([], { term: 3, vote: 1, commit: 0 }, true)
    ds.close()
    flipByte(path.join(dir, HARD_STATE_FILE), 10)
    expect(() => DiskStorage.open({ dir })).toThrow(HardStateCorruptionError)
    expect(() => DiskStorage.open({ dir })).toThrow(/hard-state file .*hardstate is corrupt/)
  })
})
