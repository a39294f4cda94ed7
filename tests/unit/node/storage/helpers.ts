// Helpers for the storage tests: a fresh temporary directory per test, entry builders, and a
// view of a segment file's record boundaries so tests can damage chosen bytes.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import type { Entry, EntryType } from '../../../../shared/raft/types'
import { scanRecords } from '../../../../electron/node/storage/walFormat'

/** useTempDirs returns a function making a fresh directory under the OS temp dir; every
 * directory it made is removed after each test. */
export function useTempDirs(): () => string {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  })
  return () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-storage-'))
    dirs.push(d)
    return d
  }
}

/** entry builds an entry whose data (by default) encodes its index and term, so a misplaced or
 * stale entry never compares equal to the expected one. */
export function entry(index: number, term: number, data?: Uint8Array, type?: EntryType): Entry {
  return {
    index,
    term,
    type: type ?? (index % 7 === 0 ? 'noop' : 'normal'),
    data: data ?? new TextEncoder().encode(`e${index}t${term}`),
  }
}

/** entries builds entries lo..hi (inclusive) of one term. */
export function entries(lo: number, hi: number, term: number): Entry[] {
  const out: Entry[] = []
  for (let i = lo; i <= hi; i++) out.push(entry(i, term))
  return out
}

/** plain strips an entry to comparable plain data (data as a plain array). */
export function plain(e: Entry): { index: number; term: number; type: EntryType; data: number[] } {
  return { index: e.index, term: e.term, type: e.type, data: [...e.data] }
}

/** segmentPaths lists the WAL segment files in `dir`, in seq order. */
export function segmentPaths(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('wal-') && n.endsWith('.log'))
    .sort()
    .map((n) => path.join(dir, n))
}

/** RecordSpan is a record's byte range [start, end) in its segment file. */
export interface RecordSpan {
  start: number
  end: number
}

/** recordSpans returns the byte ranges of the records in a (clean) segment file. */
export function recordSpans(filePath: string): RecordSpan[] {
  const b = new Uint8Array(fs.readFileSync(filePath))
  const scan = scanRecords(b)
  if (scan.stop !== 'end') throw new Error(`recordSpans: ${filePath} is not clean: ${scan.reason}`)
  return scan.records.map((r, i) => ({
    start: r.offsetBytes,
    end: scan.records[i + 1]?.offsetBytes ?? scan.stopOffsetBytes,
  }))
}

/** flipByte inverts the bits of one byte of a file in place. */
export function flipByte(filePath: string, offset: number): void {
  const b = fs.readFileSync(filePath)
  b[offset] = (b[offset] as number) ^ 0xff
  fs.writeFileSync(filePath, b)
}
