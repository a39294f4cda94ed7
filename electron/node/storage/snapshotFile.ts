// Snapshot files: a node's snapshots of its state machine (§7), one file each, written whole and
// atomically, checked by a CRC-32C on load (format: docs/formats/snapshot.md).
import fs from 'node:fs'
import path from 'node:path'
import type { Snapshot } from '../../../shared/raft/types'
import { BinaryReader, BinaryWriter } from '../../../shared/util/binary'
import { crc32c } from '../../../shared/util/crc32c'
import {
  type FsyncPolicy,
  type SyncStats,
  TEMP_SUFFIX,
  fsyncDir,
  writeFileAtomically,
} from './durableFs'

/** SNAPSHOT_MAGIC opens every snapshot file. */
export const SNAPSHOT_MAGIC = 'RLSNAP'
/** SNAPSHOT_FORMAT_VERSION is the version byte after the magic; others are refused. */
export const SNAPSHOT_FORMAT_VERSION = 1
/** SNAPSHOTS_KEPT: the newest file and one before it, the fallback if the newest is damaged. */
export const SNAPSHOTS_KEPT = 2

const MAGIC_BYTES = new TextEncoder().encode(SNAPSHOT_MAGIC)
const NAME_RE = /^snap-([0-9a-f]{16})\.snap$/

/** snapshotFileName is `snap-<index, 16 lower-case hex digits>.snap`: names sort by index. */
export function snapshotFileName(index: number): string {
  return `snap-${index.toString(16).padStart(16, '0')}.snap`
}

/** encodeSnapshotFileParts encodes a snapshot as the file's three parts — the header (magic,
 * version, metadata, the data's length), the data itself (not copied: a snapshot may be tens of
 * MB) and the CRC-32C of everything before it (big-endian u32). */
export function encodeSnapshotFileParts(snap: Snapshot): Uint8Array[] {
  const md = snap.metadata
  const w = new BinaryWriter(64)
  w.raw(MAGIC_BYTES).u8(SNAPSHOT_FORMAT_VERSION).uvarint(md.index).uvarint(md.term)
  w.uvarint(md.peers.length)
  for (const p of md.peers) w.uvarint(p)
  w.uvarint(snap.data.length)
  const header = w.finish()
  const crc = new Uint8Array(4)
  new DataView(crc.buffer).setUint32(0, crc32c(snap.data, crc32c(header)))
  return [header, snap.data, crc]
}

/** encodeSnapshotFile encodes a snapshot file as one buffer (see encodeSnapshotFileParts). */
export function encodeSnapshotFile(snap: Snapshot): Uint8Array {
  const parts = encodeSnapshotFileParts(snap)
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** decodeSnapshotFile decodes a snapshot file's bytes, or returns why they are not one. */
export function decodeSnapshotFile(b: Uint8Array): Snapshot | string {
  if (b.length < MAGIC_BYTES.length + 5) return 'too short to be a snapshot file'
  for (let i = 0; i < MAGIC_BYTES.length; i++) {
    if (b[i] !== MAGIC_BYTES[i]) return 'not a snapshot file (bad magic)'
  }
  const body = b.subarray(0, b.length - 4)
  const stored = new DataView(b.buffer, b.byteOffset, b.length).getUint32(b.length - 4)
  if (stored !== crc32c(body)) return 'checksum mismatch'
  try {
    const r = new BinaryReader(body)
    r.raw(MAGIC_BYTES.length)
    const version = r.u8()
    if (version !== SNAPSHOT_FORMAT_VERSION) return `unknown snapshot format version ${version}`
    const index = r.uvarint()
    const term = r.uvarint()
    const count = r.uvarint()
    const peers: number[] = []
    for (let i = 0; i < count; i++) peers.push(r.uvarint())
    const data = r.bytes()
    r.end()
    return { metadata: { index, term, peers }, data }
  } catch (err) {
    return `malformed: ${(err as Error).message}`
  }
}

/** writeSnapshotFile makes `snap` durable in `dir` (temp file, fsync, rename, directory fsync,
 * under policy 'always') and returns the file's path and size. */
export function writeSnapshotFile(
  dir: string,
  snap: Snapshot,
  policy: FsyncPolicy,
  stats: SyncStats,
): { filePath: string; sizeBytes: number } {
  const name = snapshotFileName(snap.metadata.index)
  const parts = encodeSnapshotFileParts(snap)
  fs.closeSync(writeFileAtomically(dir, name, parts, policy, stats))
  const sizeBytes = parts.reduce((n, p) => n + p.length, 0)
  return { filePath: path.join(dir, name), sizeBytes }
}

/** SnapshotFileInfo names one snapshot file by the index its name gives. */
export interface SnapshotFileInfo {
  index: number
  filePath: string
}

/** listSnapshotFiles lists `dir`'s snapshot files, newest (highest index) first, deleting any a
 * crash left under a temporary name. */
export function listSnapshotFiles(dir: string): SnapshotFileInfo[] {
  const out: SnapshotFileInfo[] = []
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith('snap-') && name.endsWith(TEMP_SUFFIX)) {
      fs.unlinkSync(path.join(dir, name))
      continue
    }
    const m = NAME_RE.exec(name)
    if (m) out.push({ index: Number.parseInt(m[1] as string, 16), filePath: path.join(dir, name) })
  }
  return out.sort((a, b) => b.index - a.index)
}

/** LoadedSnapshot is the newest intact snapshot file (null when there is none), with the
 * damaged newer files skipped on the way to it. */
export interface LoadedSnapshot {
  snapshot: Snapshot | null
  filePath: string | null
  /** skipped are newer files that could not be read, with why. */
  skipped: { filePath: string; reason: string }[]
}

/** loadNewestSnapshot reads the newest snapshot file that is intact (its CRC matches and its
 * index is the one its name says), skipping damaged ones (the caller decides whether starting
 * from an older one is sound). */
export function loadNewestSnapshot(dir: string): LoadedSnapshot {
  const skipped: LoadedSnapshot['skipped'] = []
  for (const f of listSnapshotFiles(dir)) {
    const file = fs.readFileSync(f.filePath)
    const got = decodeSnapshotFile(new Uint8Array(file.buffer, file.byteOffset, file.length))
    if (typeof got === 'string') {
      skipped.push({ filePath: f.filePath, reason: got })
      continue
    }
    if (got.metadata.index !== f.index) {
      skipped.push({ filePath: f.filePath, reason: `holds index ${got.metadata.index}` })
      continue
    }
    return { snapshot: got, filePath: f.filePath, skipped }
  }
  return { snapshot: null, filePath: null, skipped }
}

/** removeOldSnapshotFiles deletes all but the SNAPSHOTS_KEPT newest snapshot files (oldest
 * first) and returns the index of the oldest one kept (0: none). */
export function removeOldSnapshotFiles(dir: string, policy: FsyncPolicy, stats: SyncStats): number {
  const files = listSnapshotFiles(dir)
  const old = files.slice(SNAPSHOTS_KEPT).reverse()
  for (const f of old) fs.unlinkSync(f.filePath)
  if (old.length > 0 && policy === 'always') fsyncDir(dir, stats)
  return files[Math.min(files.length, SNAPSHOTS_KEPT) - 1]?.index ?? 0
}
