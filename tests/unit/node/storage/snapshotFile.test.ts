import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DiskStorage,
  decodeSnapshotFile,
  encodeSnapshotFile,
  listSnapshotFiles,
  snapshotFileName,
} from '../../../../electron/node/storage'
import type { Entry, Snapshot } from '../../../../shared/raft/types'
import { entries, plain, segmentPaths, useTempDirs } from './helpers'

const tempDir = useTempDirs()
const PEERS = [1, 2, 3]
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

function snap(index: number, term: number, data = bytes(`state@${index}`)): Snapshot {
  return { metadata: { index, term, peers: PEERS }, data }
}

/** logOf writes entries 1..n of term 1 in batches of 5, with small segments so compaction has
 * whole segments to delete, and leaves the storage open. */
function logOf(dir: string, n: number): DiskStorage {
  const ds = DiskStorage.open({ dir, segmentSizeBytes: 256, members: PEERS })
  for (let lo = 1; lo <= n; lo += 5) {
    const hi = Math.min(n, lo + 4)
    ds.append(entries(lo, hi, 1), { term: 1, vote: 1, commit: hi }, true)
  }
  return ds
}

function damage(filePath: string): void {
  const b = fs.readFileSync(filePath)
  b[b.length - 6] = (b[b.length - 6] as number) ^ 0xff
  fs.writeFileSync(filePath, b)
}

describe('the snapshot file format', () => {
  it('round-trips metadata and data', () => {
    const s = snap(1234, 7, new Uint8Array([0, 1, 2, 255]))
    const got = decodeSnapshotFile(encodeSnapshotFile(s))
    expect(got).toEqual({ metadata: { index: 1234, term: 7, peers: PEERS }, data: s.data })
  })

  it('detects any flipped byte with its CRC, and a foreign file by its magic', () => {
    const b = encodeSnapshotFile(snap(9, 2))
    for (let i = 6; i < b.length; i++) {
      const c = b.slice()
      c[i] = (c[i] as number) ^ 0x01
      expect(decodeSnapshotFile(c)).toBeTypeOf('string')
    }
    const foreign = b.slice()
    foreign[0] = 0
    expect(decodeSnapshotFile(foreign)).toMatch(/bad magic/)
    expect(decodeSnapshotFile(b.subarray(0, b.length - 1))).toMatch(/checksum/)
  })
})

describe('DiskStorage snapshots and compaction', () => {
  it('takes a snapshot, compacts keeping a margin, deletes covered segments, and restarts from it', () => {
    const dir = tempDir()
    const ds = logOf(dir, 100)
    const before = segmentPaths(dir).length
    ds.saveSnapshot(60, PEERS, bytes('kv@60'), 10)
    expect(ds.storage().firstIndex()).toBe(51)
    expect(segmentPaths(dir).length).toBeLessThan(before)
    ds.append(entries(101, 105, 1), { term: 1, vote: 1, commit: 105 }, true)
    ds.close()

    const re = DiskStorage.open({ dir, segmentSizeBytes: 256, members: PEERS })
    expect(re.recovery.snapshotIndex).toBe(60)
    expect(re.recovery.firstIndex).toBe(61)
    expect(re.recovery.lastIndex).toBe(105)
    const st = re.storage()
    const s = st.snapshot()
    expect(s).not.toBe('temporarily-unavailable')
    expect((s as Snapshot).data).toEqual(bytes('kv@60'))
    expect(st.firstIndex()).toBe(61)
    const got = st.entries(61, 106, Infinity, Infinity) as Entry[]
    expect(got.map(plain)).toEqual(entries(61, 105, 1).map(plain))
    re.close()
  })

  it('keeps two snapshot files; a damaged newest falls back to the previous one with a warning', () => {
    const dir = tempDir()
    const ds = logOf(dir, 100)
    ds.saveSnapshot(30, PEERS, bytes('kv@30'), 0)
    ds.saveSnapshot(60, PEERS, bytes('kv@60'), 0)
    ds.saveSnapshot(90, PEERS, bytes('kv@90'), 0)
    ds.close()
    expect(listSnapshotFiles(dir).map((f) => f.index)).toEqual([90, 60])
    damage(path.join(dir, snapshotFileName(90)))

    const re = DiskStorage.open({ dir, members: PEERS })
    expect(re.recovery.snapshotIndex).toBe(60)
    expect(re.recovery.lastIndex).toBe(100)
    expect(re.recovery.warnings.join('\n')).toMatch(/snap-000000000000005a\.snap is damaged/)
    const got = re.storage().entries(61, 101, Infinity, Infinity) as Entry[]
    expect(got.map(plain)).toEqual(entries(61, 100, 1).map(plain))
    re.close()
  })

  it('refuses to start, naming the file, when the damaged snapshot has no fallback', () => {
    const dir = tempDir()
    const ds = logOf(dir, 100)
    ds.saveSnapshot(60, PEERS, bytes('kv@60'), 0)
    ds.close()
    expect(segmentPaths(dir).length).toBeGreaterThan(0)
    const file = path.join(dir, snapshotFileName(60))
    damage(file)
    expect(() => DiskStorage.open({ dir, members: PEERS })).toThrow(
      new RegExp(`snapshot that covers them is damaged: ${file.replace(/[/.]/g, '\\$&')}`),
    )
  })

  it('replays a truncation that reaches into a segment compaction deleted', () => {
    const dir = tempDir()
    // segmentSizeBytes 1: every batch starts a segment, so the truncating batch (15..25 over
    // 1..20) opens the segment that starts at 21, and its truncate record reaches back to 14.
    const ds = DiskStorage.open({ dir, segmentSizeBytes: 1, members: PEERS })
    ds.append(entries(1, 20, 1), { term: 1, vote: 1, commit: 10 }, true)
    ds.append(entries(15, 25, 2), { term: 2, vote: 0, commit: 25 }, true)
    ds.saveSnapshot(22, PEERS, bytes('kv@22'), 0)
    expect(segmentPaths(dir).map((p) => path.basename(p))).toEqual([
      'wal-0000000000000002-0000000000000015.log',
      'wal-0000000000000003-000000000000001a.log',
    ])
    ds.close()
    const re = DiskStorage.open({ dir, members: PEERS })
    expect(re.recovery.snapshotIndex).toBe(22)
    const got = re.storage().entries(23, 26, Infinity, Infinity) as Entry[]
    expect(got.map(plain)).toEqual(entries(23, 25, 2).map(plain))
    re.close()
  })

  it("installs a leader's snapshot past its log, and one inside a conflicting log", () => {
    const dir = tempDir()
    const ds = logOf(dir, 20)
    ds.installSnapshot(snap(50, 2))
    ds.append([], { term: 2, vote: 0, commit: 50 }, true)
    ds.append(entries(51, 53, 2), { term: 2, vote: 0, commit: 52 }, true)
    ds.close()
    let re = DiskStorage.open({ dir, members: PEERS })
    expect(re.recovery.snapshotIndex).toBe(50)
    expect(re.recovery.lastIndex).toBe(53)
    expect(re.recovery.hardState.commit).toBe(52)
    // Now one at 52 of term 3: entry 53 is obsolete, and the log goes on after 52.
    re.installSnapshot(snap(52, 3))
    re.append([], { term: 3, vote: 0, commit: 52 }, true)
    re.close()
    re = DiskStorage.open({ dir, members: PEERS })
    expect(re.recovery.snapshotIndex).toBe(52)
    expect(re.recovery.lastIndex).toBe(52)
    expect(re.recovery.lastTerm).toBe(3)
    re.append(entries(53, 54, 3), { term: 3, vote: 0, commit: 54 }, true)
    re.close()
    re = DiskStorage.open({ dir, members: PEERS })
    expect(re.recovery.lastIndex).toBe(54)
    expect(listSnapshotFiles(dir).map((f) => f.index)).toEqual([52, 50])
    re.close()
  })
})
