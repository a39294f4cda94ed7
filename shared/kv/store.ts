// The replicated key-value state machine: applies committed log entries in order, with client
// sessions so a retried write takes effect exactly once (diss. §6.3).
import type { Entry } from '../raft/types'
import { DecodeError } from '../util/binary'
import { decodeKvCommand, type KvCommand } from './command'

/** KvResult is what an applied command returned. Errors are results too: every replica reaches
 * the same verdict for the same entry. */
export type KvResult =
  | { op: 'put'; prev: string | null }
  | { op: 'delete'; prev: string | null }
  | { op: 'cas'; swapped: boolean; current: string | null }
  | { op: 'get'; value: string | null }
  | { op: 'error'; code: 'stale-seq' | 'malformed'; message: string }

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

interface Session {
  lastSeq: number
  lastResult: KvResult
}

/** DEFAULT_MAX_SESSIONS bounds remembered client sessions; the least recently used is evicted. */
export const DEFAULT_MAX_SESSIONS = 65_536

/** KvStore is the deterministic state machine every replica runs. */
export class KvStore {
  private readonly data = new Map<string, string>()
  /** Map order is recency order: a session is re-inserted on every use, so the first is the LRU. */
  private readonly sessions = new Map<number, Session>()
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
