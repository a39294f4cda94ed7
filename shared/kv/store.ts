// The replicated key-value state machine: applies committed log entries in order, with client
// sessions so a retried write takes effect exactly once (diss. §6.3), and saves its whole state —
// sessions included — to snapshot bytes and back (§7).
import type { Entry } from '../raft/types'
import { DecodeError } from '../util/binary'
import { decodeKvCommand, type KvCommand, type KvResult } from './command'
import { decodeKvState, KvStateEncoder, type KvSession } from './snapshot'
import type { StateMachine } from './stateMachine'

/** Applied reports one applied command: where it committed (index, term), for which session,
 * its result, and whether it was a duplicate answered from the session cache. */
export interface Applied {
  index: number
  term: number
  clientId: number
  seq: number
  command: KvCommand | null
  result: KvResult
  duplicate: boolean
}

/** DEFAULT_MAX_SESSIONS bounds remembered client sessions; the least recently used is evicted. */
export const DEFAULT_MAX_SESSIONS = 65_536

/** KvStore is the deterministic state machine every replica runs. */
export class KvStore implements StateMachine<Applied | null> {
  private data = new Map<string, string>()
  /** Map order is recency order: a session is re-inserted on every use, so the first is the LRU. */
  private sessions = new Map<number, KvSession>()
  /** dataSum and sessionSum are order-free sums of per-key and per-session hashes, kept up to
   * date on every change, so digest() costs nothing however large the state. */
  private dataSum = 0
  private sessionSum = 0
  /** appliedIndex and appliedTerm identify the last entry applied. */
  appliedIndex = 0
  appliedTerm = 0

  constructor(private readonly maxSessions = DEFAULT_MAX_SESSIONS) {}

  /** apply applies a committed entry. It returns null for entries without a client command (the
   * leader's no-op). Entries must come in index order, each exactly once. */
  apply(entry: Entry): Applied | null {
    if (entry.index !== this.appliedIndex + 1) {
      throw new RangeError(`KvStore.apply: entry ${entry.index} after ${this.appliedIndex}`)
    }
    this.appliedIndex = entry.index
    this.appliedTerm = entry.term
    if (entry.type !== 'normal') return null
    let cmd: KvCommand
    try {
      cmd = decodeKvCommand(entry.data)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      const result: KvResult = { op: 'error', code: 'malformed', message: err.message }
      return {
        index: entry.index,
        term: entry.term,
        clientId: 0,
        seq: 0,
        command: null,
        result,
        duplicate: false,
      }
    }
    const base = {
      index: entry.index,
      term: entry.term,
      clientId: cmd.clientId,
      seq: cmd.seq,
      command: cmd,
    }
    if (cmd.clientId === 0) return { ...base, result: this.execute(cmd), duplicate: false }
    const session = this.sessions.get(cmd.clientId)
    if (session) {
      this.sessions.delete(cmd.clientId)
      this.sessions.set(cmd.clientId, session)
      if (cmd.seq === session.lastSeq)
        return { ...base, result: session.lastResult, duplicate: true }
      if (cmd.seq < session.lastSeq) {
        const message = `seq ${cmd.seq} is older than the session's last seq ${session.lastSeq}`
        return { ...base, result: { op: 'error', code: 'stale-seq', message }, duplicate: false }
      }
    }
    const result = this.execute(cmd)
    if (session) {
      this.sessionSum = (this.sessionSum - sessionHash(cmd.clientId, session)) | 0
      session.lastSeq = cmd.seq
      session.lastResult = result
      this.sessionSum = (this.sessionSum + sessionHash(cmd.clientId, session)) | 0
    } else {
      const fresh = { lastSeq: cmd.seq, lastResult: result }
      this.sessions.set(cmd.clientId, fresh)
      this.sessionSum = (this.sessionSum + sessionHash(cmd.clientId, fresh)) | 0
      if (this.sessions.size > this.maxSessions) this.evictOldestSession()
    }
    return { ...base, result, duplicate: false }
  }

  /** snapshot encodes the whole state — applied index and term, keys, client sessions in recency
   * order — as the data of a Raft snapshot (see shared/kv/snapshot.ts). */
  snapshot(): Uint8Array {
    return this.snapshotEncoder().finish()
  }

  /** snapshotEncoder captures the state as it is now, to encode a slice at a time while this
   * store goes on applying entries (KvStateEncoder); `sizeHintBytes` sizes its buffer (the last
   * snapshot's size, say). */
  snapshotEncoder(sizeHintBytes?: number): KvStateEncoder {
    const state = {
      appliedIndex: this.appliedIndex,
      appliedTerm: this.appliedTerm,
      data: this.data,
      sessions: this.sessions,
    }
    return new KvStateEncoder(state, sizeHintBytes)
  }

  /** restore replaces the whole state with a snapshot's; it throws DecodeError for bytes it cannot
   * read and leaves the state as it was. Sessions beyond this store's bound are evicted, least
   * recent first, as apply would have. */
  restore(bytes: Uint8Array): void {
    const s = decodeKvState(bytes)
    this.data = s.data
    this.sessions = s.sessions
    this.appliedIndex = s.appliedIndex
    this.appliedTerm = s.appliedTerm
    this.dataSum = 0
    for (const [k, v] of this.data) this.dataSum = (this.dataSum + pairHash(k, v)) | 0
    this.sessionSum = 0
    for (const [id, session] of this.sessions) {
      this.sessionSum = (this.sessionSum + sessionHash(id, session)) | 0
    }
    while (this.sessions.size > this.maxSessions) this.evictOldestSession()
  }

  /**
   * digest is a 32-bit hash of the state — applied index, keys and values, sessions and their
   * answers — equal on replicas that hold equal states, so replicas can be compared cheaply (the
   * simulator does after every applied entry). It is kept up to date as the state changes (keys
   * and sessions are summed, order-free; the sessions' recency order is not covered).
   */
  digest(): number {
    return hashNumber(this.appliedIndex, hashNumber(this.sessionSum >>> 0, this.dataSum >>> 0))
  }

  /** get reads a key from the applied state (callers make it linearizable with ReadIndex). */
  get(key: string): string | null {
    return this.data.get(key) ?? null
  }

  /** size is the number of keys stored. */
  get size(): number {
    return this.data.size
  }

  /** sessionCount is the number of remembered client sessions. */
  get sessionCount(): number {
    return this.sessions.size
  }

  private execute(cmd: KvCommand): KvResult {
    const prev = this.data.get(cmd.key) ?? null
    switch (cmd.op) {
      case 'put':
        this.setKey(cmd.key, cmd.value, prev)
        return { op: 'put', prev }
      case 'delete':
        if (prev !== null) {
          this.data.delete(cmd.key)
          this.dataSum = (this.dataSum - pairHash(cmd.key, prev)) | 0
        }
        return { op: 'delete', prev }
      case 'cas':
        if (prev !== cmd.expected) return { op: 'cas', swapped: false, current: prev }
        this.setKey(cmd.key, cmd.value, prev)
        return { op: 'cas', swapped: true, current: prev }
      case 'get':
        return { op: 'get', value: prev }
    }
  }

  private setKey(key: string, value: string, prev: string | null): void {
    this.data.set(key, value)
    if (prev !== null) this.dataSum = (this.dataSum - pairHash(key, prev)) | 0
    this.dataSum = (this.dataSum + pairHash(key, value)) | 0
  }

  private evictOldestSession(): void {
    const [id, session] = this.sessions.entries().next().value as [number, KvSession]
    this.sessions.delete(id)
    this.sessionSum = (this.sessionSum - sessionHash(id, session)) | 0
  }
}

/** pairHash hashes one key and its value (the key's length first, so "ab"+"c" ≠ "a"+"bc"). */
function pairHash(key: string, value: string): number {
  return hashString(value, hashString(key, hashNumber(key.length, 0x811c9dc5)))
}

/** sessionHash hashes one session: its client id, last sequence number and last answer. */
function sessionHash(clientId: number, s: KvSession): number {
  let h = hashNumber(s.lastSeq, hashNumber(clientId, 0x811c9dc5))
  const r = s.lastResult
  h = hashString(r.op, h)
  switch (r.op) {
    case 'put':
    case 'delete':
      return hashOptional(r.prev, h)
    case 'cas':
      return hashOptional(r.current, hashNumber(r.swapped ? 1 : 0, h))
    case 'get':
      return hashOptional(r.value, h)
    case 'error':
      return hashString(r.message, hashString(r.code, h))
  }
}

function hashOptional(s: string | null, seed: number): number {
  return s === null ? hashNumber(0, seed) : hashString(s, hashNumber(s.length + 1, seed))
}

/** hashNumber mixes a non-negative integer below 2^53 into a 32-bit hash. */
function hashNumber(n: number, seed: number): number {
  const h = Math.imul(seed ^ (n % 0x100000000), 0x01000193)
  return Math.imul(h ^ Math.floor(n / 0x100000000), 0x01000193) >>> 0
}

/** hashString is 32-bit FNV-1a over a string's UTF-16 code units, continuing from `seed`. */
function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
