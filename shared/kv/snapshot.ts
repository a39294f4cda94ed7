// The KV store's state as snapshot bytes: applied index and term, every key, and the client
// sessions with their last answers — a duplicate request after a restore must still be answered
// from the session table (exactly-once writes, diss. §6.3), so sessions are state like any key.
import { BinaryReader, BinaryWriter, DecodeError } from '../util/binary'
import type { KvResult } from './command'

/** KV_SNAPSHOT_VERSION is the first byte of a KV snapshot. Version 1 wrote keys sorted; version 2
 * writes them in the store's own order (see KvStateEncoder), so a large state can be encoded a
 * slice at a time without a sort that blocks the node. Readers take both and refuse others. */
export const KV_SNAPSHOT_VERSION = 2
const KV_SNAPSHOT_VERSIONS_READ = new Set([1, KV_SNAPSHOT_VERSION])

/** KvSession is a client session: its last sequence number and the answer it got. */
export interface KvSession {
  lastSeq: number
  lastResult: KvResult
}

/** KvState is everything a KV replica holds. Session order is recency order (least recent
 * first): it decides eviction, so it is part of the state. */
export interface KvState {
  appliedIndex: number
  appliedTerm: number
  data: Map<string, string>
  sessions: Map<number, KvSession>
}

const RESULT_CODES = { put: 1, delete: 2, cas: 3, get: 4, error: 5 } as const
const ERROR_CODES = { 'stale-seq': 1, malformed: 2 } as const

/**
 * KvStateEncoder encodes a KvState as it was when the encoder was made, a slice of keys at a time
 * (step), so a host can spread a large snapshot over several turns of its event loop while the
 * store goes on applying entries. Making one copies the keys, values and sessions (references to
 * immutable strings and answers: a few milliseconds for 100,000 keys); encoding them all at once
 * took 250 ms for 100,000 keys, long enough to delay heartbeats.
 *
 * Keys are written in the Map's order (insertion order). Replicas that applied the same entries
 * — or restored the same snapshot and then applied the same entries — hold their keys in the
 * same order, so they still write the same bytes; the digest (KvStore.digest) compares states
 * whatever their order.
 */
export class KvStateEncoder {
  private readonly keys: string[]
  private readonly values: string[]
  private readonly sessions: [number, number, KvResult][]
  private readonly w: BinaryWriter
  private next = 0

  constructor(s: KvState, sizeHintBytes = 64) {
    this.keys = Array.from(s.data.keys())
    this.values = Array.from(s.data.values())
    this.sessions = Array.from(s.sessions, ([id, x]) => [id, x.lastSeq, x.lastResult])
    this.w = new BinaryWriter(Math.max(64, sizeHintBytes))
    this.w.u8(KV_SNAPSHOT_VERSION).uvarint(s.appliedIndex).uvarint(s.appliedTerm)
    this.w.uvarint(this.keys.length)
  }

  /** keysLeft is the number of keys not yet encoded. */
  get keysLeft(): number {
    return this.keys.length - this.next
  }

  /** step encodes up to `maxKeys` more keys; it returns true once every key is encoded. */
  step(maxKeys: number): boolean {
    const end = Math.min(this.keys.length, this.next + maxKeys)
    const { w, keys, values } = this
    for (let i = this.next; i < end; i++) w.string(keys[i] as string).string(values[i] as string)
    this.next = end
    return end === keys.length
  }

  /** finish encodes what is left (the sessions, and any keys step has not) and returns the bytes. */
  finish(): Uint8Array {
    this.step(Infinity)
    const w = this.w
    w.uvarint(this.sessions.length)
    for (const [clientId, lastSeq, lastResult] of this.sessions) {
      w.uvarint(clientId).uvarint(lastSeq)
      writeResult(w, lastResult)
    }
    return w.finish()
  }
}

/** encodeKvState writes a KvState in one go (see KvStateEncoder). */
export function encodeKvState(s: KvState): Uint8Array {
  return new KvStateEncoder(s).finish()
}

/** decodeKvState reads bytes made by encodeKvState (either version); it throws DecodeError on bad
 * input. */
export function decodeKvState(bytes: Uint8Array): KvState {
  const r = new BinaryReader(bytes)
  const version = r.u8()
  if (!KV_SNAPSHOT_VERSIONS_READ.has(version)) {
    throw new DecodeError(`unknown KV snapshot version ${version}`)
  }
  const appliedIndex = r.uvarint()
  const appliedTerm = r.uvarint()
  const data = new Map<string, string>()
  const keyCount = r.uvarint()
  if (keyCount * 2 > r.remaining) throw new DecodeError(`${keyCount} keys cannot fit`)
  let prev: string | null = null
  for (let i = 0; i < keyCount; i++) {
    const key = r.string()
    if (version === 1 && prev !== null && key <= prev)
      throw new DecodeError(`key ${JSON.stringify(key)} out of order`)
    if (data.has(key)) throw new DecodeError(`key ${JSON.stringify(key)} repeated`)
    data.set(key, r.string())
    prev = key
  }
  const sessions = new Map<number, KvSession>()
  const sessionCount = r.uvarint()
  if (sessionCount * 3 > r.remaining) throw new DecodeError(`${sessionCount} sessions cannot fit`)
  for (let i = 0; i < sessionCount; i++) {
    const clientId = r.uvarint()
    if (clientId === 0 || sessions.has(clientId)) {
      throw new DecodeError(`session ${clientId} is invalid or repeated`)
    }
    const lastSeq = r.uvarint()
    sessions.set(clientId, { lastSeq, lastResult: readResult(r) })
  }
  r.end()
  return { appliedIndex, appliedTerm, data, sessions }
}

function writeOptional(w: BinaryWriter, s: string | null): void {
  if (s === null) w.u8(0)
  else w.u8(1).string(s)
}

function readOptional(r: BinaryReader): string | null {
  const flag = r.u8()
  if (flag > 1) throw new DecodeError(`bad optional-string flag ${flag}`)
  return flag === 1 ? r.string() : null
}

function writeResult(w: BinaryWriter, res: KvResult): void {
  w.u8(RESULT_CODES[res.op])
  switch (res.op) {
    case 'put':
    case 'delete':
      writeOptional(w, res.prev)
      break
    case 'cas':
      w.u8(res.swapped ? 1 : 0)
      writeOptional(w, res.current)
      break
    case 'get':
      writeOptional(w, res.value)
      break
    case 'error':
      w.u8(ERROR_CODES[res.code]).string(res.message)
      break
  }
}

function readResult(r: BinaryReader): KvResult {
  const code = r.u8()
  switch (code) {
    case RESULT_CODES.put:
      return { op: 'put', prev: readOptional(r) }
    case RESULT_CODES.delete:
      return { op: 'delete', prev: readOptional(r) }
    case RESULT_CODES.cas: {
      const swapped = r.u8()
      if (swapped > 1) throw new DecodeError(`bad cas flag ${swapped}`)
      return { op: 'cas', swapped: swapped === 1, current: readOptional(r) }
    }
    case RESULT_CODES.get:
      return { op: 'get', value: readOptional(r) }
    case RESULT_CODES.error: {
      const e = r.u8()
      const errorCode =
        e === ERROR_CODES['stale-seq']
          ? 'stale-seq'
          : e === ERROR_CODES.malformed
            ? 'malformed'
            : null
      if (errorCode === null) throw new DecodeError(`unknown KV error code ${e}`)
      return { op: 'error', code: errorCode, message: r.string() }
    }
    default:
      throw new DecodeError(`unknown KV result code ${code}`)
  }
}
