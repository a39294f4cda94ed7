// WAL recovery under injected damage: torn writes (files cut at every offset, zero-filled tails)
// are cut away; flipped bytes before the tail, bad headers and missing segments are refused with
// a WalCorruptionError naming the file and the byte offset.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DiskStorage, WalCorruptionError } from '../../../../electron/node/storage'
import {
  BatchEncoder,
  scanRecords,
  SEGMENT_HEADER_BYTES,
} from '../../../../electron/node/storage/walFormat'
import type { Storage } from '../../../../shared/raft/storage'
import { crc32c } from '../../../../shared/util/crc32c'
import { entries, entry, flipByte, plain, recordSpans, segmentPaths, useTempDirs } from './helpers'

const tempDir = useTempDirs()

function logOf(s: Storage): ReturnType<typeof plain>[] {
  const last = s.lastIndex()
  if (last < s.firstIndex()) return []
  const got = s.entries(s.firstIndex(), last + 1, Infinity, Infinity)
  if (typeof got === 'string') throw new Error(`the stored log is ${got}`)
  return got.map(plain)
}

/** TERM_1 is the hard state of a node in term 1: a log of term-1 entries needs a term ≥ 1 on
 * disk, or recovery refuses it (recoveredState.test.ts). */
const TERM_1 = { term: 1, vote: 0, commit: 0 }

/** writeLog makes a log of `batches` batches of 3 entries each (term 1) in a fresh dir. */
function writeLog(batches: number, segmentSizeBytes?: number): string {
  const dir = tempDir()
  const ds = DiskStorage.open({ dir, segmentSizeBytes })
  for (let b = 0; b < batches; b++) {
    ds.append(entries(b * 3 + 1, b * 3 + 3, 1), b === 0 ? TERM_1 : null, true)
  }
  ds.close()
  return dir
}

/** openError returns the error DiskStorage.open throws for `dir` (failing if it opens). */
function openError(dir: string): WalCorruptionError {
  try {
    DiskStorage.open({ dir }).close()
  } catch (err) {
    expect(err).toBeInstanceOf(WalCorruptionError)
    return err as WalCorruptionError
  }
  throw new Error(`expected DiskStorage.open(${dir}) to throw`)
}

function expectCorruption(dir: string, filePath: string, offsetBytes: number): void {
  const err = openError(dir)
  expect(err.filePath).toBe(filePath)
  expect(err.offsetBytes).toBe(offsetBytes)
  expect(err.message).toContain(filePath)
  expect(err.message).toContain(`byte offset ${offsetBytes}`)
}

function copyDir(from: string): string {
  const to = tempDir()
  fs.cpSync(from, to, { recursive: true })
  return to
}

describe('torn writes at the tail are cut away', () => {
  it('cut at every offset inside the last record: reopen drops it, keeps the rest, appends', () => {
    const pristine = writeLog(3) // entries 1..9; the last record is entry 9
    const seg = path.basename(segmentPaths(pristine)[0] as string)
    const last = recordSpans(path.join(pristine, seg)).at(-1)
    if (!last) throw new Error('no records')
    for (let cut = last.start; cut < last.end; cut++) {
      const dir = copyDir(pristine)
      const file = path.join(dir, seg)
      fs.truncateSync(file, cut)
      const ds = DiskStorage.open({ dir })
      expect(logOf(ds.storage())).toEqual(entries(1, 8, 1).map(plain))
      expect(ds.recovery.truncatedTailBytes).toBe(cut - last.start)
      // Cut exactly at the record's start, the file simply ends after entry 8: nothing is torn.
      expect(ds.recovery.tornTail?.offsetBytes ?? null).toBe(cut > last.start ? last.start : null)
      expect(fs.statSync(file).size).toBe(last.start)
      ds.append([entry(9, 2)], { term: 2, vote: 0, commit: 0 }, true)
      ds.close()
      const again = DiskStorage.open({ dir })
      expect(logOf(again.storage())).toEqual([...entries(1, 8, 1), entry(9, 2)].map(plain))
      expect(again.recovery.truncatedTailBytes).toBe(0)
      again.close()
    }
  })

  it('a batch torn midway keeps its whole records before the cut', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 2, 1), TERM_1, true)
    ds.append(entries(3, 8, 1), null, true) // one write of six records
    ds.close()
    const file = segmentPaths(dir)[0] as string
    const spans = recordSpans(file)
    const fifth = spans[4] as { start: number; end: number } // entry 5
    fs.truncateSync(file, fifth.start + 3)
    const again = DiskStorage.open({ dir })
    expect(logOf(again.storage())).toEqual(entries(1, 4, 1).map(plain))
    again.close()
  })

  it('a zero-filled tail (file grown, blocks never written) is cut away and reported', () => {
    const dir = writeLog(2)
    const file = segmentPaths(dir)[0] as string
    const size = fs.statSync(file).size
    fs.appendFileSync(file, new Uint8Array(4096))
    const ds = DiskStorage.open({ dir })
    expect(ds.storage().lastIndex()).toBe(6)
    expect(ds.recovery.truncatedTailBytes).toBe(4096)
    expect(ds.recovery.tornTail).toMatchObject({ filePath: file, offsetBytes: size })
    expect(ds.recovery.tornTail?.reason).toMatch(/zero/)
    ds.close()
    expect(fs.statSync(file).size).toBe(size)
  })

  it('a flipped byte in the last record payload or its checksum counts as torn', () => {
    // A bad payload checksum on the very last record is indistinguishable from a torn write.
    const pristine = writeLog(2)
    const seg = path.basename(segmentPaths(pristine)[0] as string)
    const last = recordSpans(path.join(pristine, seg)).at(-1)
    if (!last) throw new Error('no records')
    for (let at = last.start + 8; at < last.end; at++) {
      const dir = copyDir(pristine)
      flipByte(path.join(dir, seg), at)
      const ds = DiskStorage.open({ dir })
      expect(logOf(ds.storage())).toEqual(entries(1, 5, 1).map(plain))
      expect(ds.recovery.truncatedTailBytes).toBe(last.end - last.start)
      ds.close()
    }
  })
})

describe('damage before the tail is refused with file and offset', () => {
  it('a flipped byte anywhere in an earlier record of the last segment', () => {
    const pristine = writeLog(3)
    const seg = path.basename(segmentPaths(pristine)[0] as string)
    const spans = recordSpans(path.join(pristine, seg))
    const victim = spans[4] as { start: number; end: number } // a middle record
    for (let at = victim.start; at < victim.end; at++) {
      const dir = copyDir(pristine)
      flipByte(path.join(dir, seg), at)
      expectCorruption(dir, path.join(dir, seg), victim.start)
    }
  })

  it('a flipped byte in the last record length: a damaged header is never a torn write', () => {
    const pristine = writeLog(2)
    const seg = path.basename(segmentPaths(pristine)[0] as string)
    const last = recordSpans(path.join(pristine, seg)).at(-1)
    if (!last) throw new Error('no records')
    for (let at = last.start; at < last.start + 8; at++) {
      const dir = copyDir(pristine)
      flipByte(path.join(dir, seg), at)
      expect(openError(dir).reason).toMatch(/header checksum/)
    }
  })

  it('a bad record in a sealed (non-last) segment, even its last record', () => {
    const dir = writeLog(20, 120)
    const paths = segmentPaths(dir)
    expect(paths.length).toBeGreaterThan(2)
    const sealed = paths[1] as string
    const last = recordSpans(sealed).at(-1)
    if (!last) throw new Error('no records')
    flipByte(sealed, last.end - 1)
    expectCorruption(dir, sealed, last.start)
  })

  it('a sealed segment cut short', () => {
    const dir = writeLog(20, 120)
    const sealed = segmentPaths(dir)[0] as string
    const last = recordSpans(sealed).at(-1)
    if (!last) throw new Error('no records')
    fs.truncateSync(sealed, last.end - 2)
    const err = openError(dir)
    expect(err.filePath).toBe(sealed)
    expect(err.reason).toMatch(/sealed segment/)
  })

  it('garbage after a valid record at the end that is not a cut-short record', () => {
    const dir = writeLog(2)
    const file = segmentPaths(dir)[0] as string
    const size = fs.statSync(file).size
    fs.appendFileSync(file, new Uint8Array(40).fill(0x5a))
    expectCorruption(dir, file, size)
  })
})

describe('segment headers and the segment sequence', () => {
  it('a flipped byte anywhere in a segment header names the file at offset 0', () => {
    const pristine = writeLog(6, 120)
    const names = segmentPaths(pristine).map((p) => path.basename(p))
    for (const name of [names[0], names.at(-1)] as string[]) {
      for (let at = 0; at < SEGMENT_HEADER_BYTES; at++) {
        const dir = copyDir(pristine)
        flipByte(path.join(dir, name), at)
        expectCorruption(dir, path.join(dir, name), 0)
      }
    }
  })

  it('a header cut short, or an unknown format version, is refused with a clear reason', () => {
    const dir = writeLog(1)
    const file = segmentPaths(dir)[0] as string
    fs.truncateSync(file, 10)
    expect(openError(dir).reason).toMatch(/segment header needs 28 bytes/)

    const dir2 = tempDir()
    DiskStorage.open({ dir: dir2 }).close()
    const file2 = segmentPaths(dir2)[0] as string
    const b = fs.readFileSync(file2)
    b[5] = 9 // version; fix the header CRC so only the version is wrong
    b.writeUInt32BE(crc32c(new Uint8Array(b.subarray(0, 24))), 24)
    fs.writeFileSync(file2, b)
    expect(openError(dir2).reason).toMatch(/unsupported format version 9/)
  })

  it('a segment whose name contradicts its header', () => {
    const dir = writeLog(6, 120)
    const paths = segmentPaths(dir)
    const lastPath = paths.at(-1) as string
    const renamed = lastPath.replace(/-([0-9a-f]{16})\.log$/, '-00000000000000ff.log')
    fs.renameSync(lastPath, renamed)
    expect(openError(dir).reason).toMatch(/contradicts the name/)
  })

  it('a missing middle segment, or a missing first segment', () => {
    const dir = writeLog(10, 120)
    const paths = segmentPaths(dir)
    expect(paths.length).toBeGreaterThan(3)
    const dir2 = copyDir(dir)
    fs.unlinkSync(paths[1] as string)
    const err = openError(dir)
    expect(err.filePath).toBe(paths[2])
    expect(err.reason).toMatch(/seq 1 is missing \(seq 2 follows seq 0\)/)

    // Without its first segment the log starts past index 1, which only a snapshot may cover.
    fs.unlinkSync(path.join(dir2, path.basename(paths[0] as string)))
    expect(() => DiskStorage.open({ dir: dir2 })).toThrow(
      /log starts at index \d+ and no snapshot file covers them/,
    )
  })

  it('no segments at all while a hard-state file exists: the log was lost, not never written', () => {
    const dir = tempDir()
    const ds = DiskStorage.open({ dir })
    ds.append(entries(1, 3, 1), { term: 1, vote: 1, commit: 0 }, true)
    ds.close()
    for (const p of segmentPaths(dir)) fs.unlinkSync(p)
    const err = openError(dir)
    expect(err.filePath).toBe(dir)
    expect(err.reason).toMatch(/no WAL segment files/)
  })

  it('a segment file left under its temporary name by a crash is deleted, not read', () => {
    const dir = writeLog(2)
    const stray = path.join(dir, 'wal-0000000000000001-0000000000000007.log.tmp')
    fs.writeFileSync(stray, new Uint8Array(5).fill(1))
    const ds = DiskStorage.open({ dir })
    expect(ds.recovery.removedTempFiles).toBe(1)
    expect(ds.storage().lastIndex()).toBe(6)
    expect(fs.existsSync(stray)).toBe(false)
    ds.close()
  })
})

describe('entries read from a segment', () => {
  it('are copied out of the file buffer, so a kept entry does not pin the whole segment', () => {
    const data = new TextEncoder().encode('put k v')
    const records = new BatchEncoder().encode(
      null,
      [{ term: 1, index: 1, type: 'normal', data }],
      1,
    )
    // (A segment's records follow its header; the scan starts after it.)
    const b = new Uint8Array(SEGMENT_HEADER_BYTES + records.length)
    b.set(records, SEGMENT_HEADER_BYTES)
    const scan = scanRecords(b)
    const rec = scan.records[0]?.record
    expect(rec?.kind).toBe('entry')
    const got = rec?.kind === 'entry' ? rec.entry.data : new Uint8Array()
    expect(got.buffer).not.toBe(b.buffer)
    expect(got.buffer.byteLength).toBe(got.length)
    expect(new TextDecoder().decode(got)).toBe('put k v')
  })
})
