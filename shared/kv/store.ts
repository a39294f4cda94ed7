// The replicated key-value state machine: applies committed log entries in order, with client
// sessions so a retried write takes effect exactly once (diss. §6.3), and saves its whole state —
// sessions included — to snapshot bytes and back (§7).
import type { Entry } from '../raft/types'
import { DecodeError } from '../util/binary'
import { decodeKvCommand, type KvCommand, type KvResult } from './command'
import { decodeKvState, encodeKvState, type KvSession } from './snapshot'
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
      session.lastSeq = cmd.seq
      session.lastResult = result
    } else {
      this.sessions.set(cmd.clientId, { lastSeq: cmd.seq, lastResult: result })
      if (this.sessions.size > this.maxSessions) {
        const oldest = this.sessions.keys().next().value as number
        this.sessions.delete(oldest)
      }
    }
    return { ...base, result, duplicate: false }
  }

  /** snapshot encodes the whole state — applied index and term, keys, client sessions in recency
   * order — as the data of a Raft snapshot (see shared/kv/snapshot.ts). */
  snapshot(): Uint8Array {
    return encodeKvState({
      appliedIndex: this.appliedIndex,
      appliedTerm: this.appliedTerm,
      data: this.data,
      sessions: this.sessions,
    })
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
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= this.maxSessions) break
      this.sessions.delete(id)
    }
  }

  /**
   * digest is a 32-bit hash of the state — applied index, keys and values, sessions — equal on
   * replicas that hold equal states, so replicas can be compared cheaply (the simulator does
   * after every applied entry). Keys are combined order-free; sessions in recency order.
   */
  digest(): number {
    let keys = 0
    for (const [k, v] of this.data) keys = (keys + hashString(`${k.length}:${k}${v}`)) | 0
    let h = hashString(String(this.appliedIndex), keys >>> 0)
    for (const [id, s] of this.sessions) {
      h = hashString(`${id}:${s.lastSeq}:${JSON.stringify(s.lastResult)}`, h)
    }
    return h
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
        this.data.set(cmd.key, cmd.value)
        return { op: 'put', prev }
      case 'delete':
        this.data.delete(cmd.key)
        return { op: 'delete', prev }
      case 'cas':
        if (prev !== cmd.expected) return { op: 'cas', swapped: false, current: prev }
        this.data.set(cmd.key, cmd.value)
        return { op: 'cas', swapped: true, current: prev }
      case 'get':
        return { op: 'get', value: prev }
    }
  }
}

/** hashString is 32-bit FNV-1a over a string's UTF-16 code units, continuing from `seed`. */
function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
