// The hard-state file: currentTerm and votedFor (§5, Figure 2), plus the commit index at the time
// of writing. It is replaced atomically (temp file, fsync, rename, directory fsync), so after any
// crash it holds either the old or the new state. It is rewritten only when term or vote change,
// which happens once per election; commit advances go to the WAL as records instead, because
// rewriting this file costs two extra syncs and a rename on every batch.
//
// Format, HARD_STATE_BYTES = 36, big-endian:
// | offset | size | field                                  |
// |--------|------|----------------------------------------|
// | 0      | 4    | magic, ASCII "RLHS"                    |
// | 4      | 1    | format version, 1                      |
// | 5      | 3    | reserved, zero                         |
// | 8      | 8    | term (u64, < 2^53)                     |
// | 16     | 8    | vote (u64, a node id; 0 = none)        |
// | 24     | 8    | commit (u64)                           |
// | 32     | 4    | CRC-32C of bytes 0–31 (u32)            |
import fs from 'node:fs'
import path from 'node:path'
import type { HardState } from '../../../shared/raft/types'
import { crc32c } from '../../../shared/util/crc32c'
import { getU64, setU64 } from './u64'
import { type FsyncPolicy, type SyncStats, removeStrayTemp, writeFileAtomically } from './durableFs'
import { HardStateCorruptionError } from './errors'

/** HARD_STATE_FILE is the hard-state file's name inside the storage directory. */
export const HARD_STATE_FILE = 'hardstate'
/** HARD_STATE_BYTES is the exact size of a valid hard-state file. */
export const HARD_STATE_BYTES = 36
/** HARD_STATE_VERSION is the format version this code writes and reads. */
export const HARD_STATE_VERSION = 1

const MAGIC = new TextEncoder().encode('RLHS')

/** encodeHardState returns the HARD_STATE_BYTES bytes of the file holding `hs`. */
export function encodeHardState(hs: HardState): Uint8Array {
  const b = new Uint8Array(HARD_STATE_BYTES)
  const v = new DataView(b.buffer)
  b.set(MAGIC, 0)
  b[4] = HARD_STATE_VERSION
  setU64(v, 8, hs.term)
  setU64(v, 16, hs.vote)
  setU64(v, 24, hs.commit)
  v.setUint32(32, crc32c(b.subarray(0, 32)))
  return b
}

/** decodeHardState reads a hard-state file's bytes; a string is the reason they are invalid. */
export function decodeHardState(b: Uint8Array): HardState | string {
  if (b.length !== HARD_STATE_BYTES)
    return `size is ${b.length} bytes, expected ${HARD_STATE_BYTES}`
  const v = new DataView(b.buffer, b.byteOffset, b.length)
  if (v.getUint32(32) !== crc32c(b.subarray(0, 32))) return 'checksum mismatch'
  for (let i = 0; i < MAGIC.length; i++) {
    if (b[i] !== MAGIC[i]) return 'bad magic (want "RLHS")'
  }
  if (b[4] !== HARD_STATE_VERSION) {
    return `unsupported format version ${b[4]} (this build reads ${HARD_STATE_VERSION})`
  }
  if (b[5] !== 0 || b[6] !== 0 || b[7] !== 0) return 'reserved bytes are not zero'
  const term = getU64(v, 8)
  const vote = getU64(v, 16)
  const commit = getU64(v, 24)
  if (term === null || vote === null || commit === null) return 'field out of range'
  return { term, vote, commit }
}

/** RecoveredHardState is the hard state found on open; `exists` is false for a fresh directory,
 * `removedTemp` is true when a crash had left a half-made replacement, which was deleted. */
export interface RecoveredHardState {
  hardState: HardState
  exists: boolean
  removedTemp: boolean
}

/**
 * recoverHardState reads the hard-state file in `dir`. A missing file means a node that never
 * voted or saw a term: { term: 0, vote: 0, commit: 0 }. A leftover temporary file is deleted
 * unread: the rename that would have made it current never happened, so the old file stands.
 * A file that is present but invalid throws HardStateCorruptionError naming it.
 */
export function recoverHardState(dir: string): RecoveredHardState {
  const removedTemp = removeStrayTemp(dir, HARD_STATE_FILE)
  const filePath = path.join(dir, HARD_STATE_FILE)
  let file: Buffer
  try {
    file = fs.readFileSync(filePath)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return { hardState: { term: 0, vote: 0, commit: 0 }, exists: false, removedTemp }
  }
  const hs = decodeHardState(new Uint8Array(file.buffer, file.byteOffset, file.length))
  if (typeof hs === 'string') throw new HardStateCorruptionError(filePath, hs)
  return { hardState: hs, exists: true, removedTemp }
}

/** writeHardState atomically replaces the hard-state file in `dir` with `hs`; under policy
 * 'always' it is durable (file and directory synced) when this returns. */
export function writeHardState(
  dir: string,
  hs: HardState,
  policy: FsyncPolicy,
  stats: SyncStats,
): void {
  fs.closeSync(writeFileAtomically(dir, HARD_STATE_FILE, encodeHardState(hs), policy, stats))
}
