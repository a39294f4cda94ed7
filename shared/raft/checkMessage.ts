// The core's first line of defence: a message from a peer is checked for what no correct peer can
// send, whatever this node's state, before step() lets it touch anything. Raft trusts its peers to
// follow the protocol (it is not Byzantine fault tolerant); these checks make sure that garbage,
// a bug elsewhere or a forged message out of any possible range is refused with a reason instead
// of reaching an assertion or being persisted. Checks that depend on the node's state (an index
// past the end of the log it answers) are in raft.ts, at the handler that would use the value.
import {
  MAX_CONTEXT_CHARS,
  MAX_INDEX,
  MAX_TERM,
  MESSAGE_TYPES,
  type Message,
  type NodeId,
  type Snapshot,
} from './types'

const ENTRY_TYPES: readonly string[] = ['normal', 'noop']

function inRange(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max
}

/**
 * checkMessage returns why `m` cannot be a message a correct peer sent to node `self`, or null
 * when it may be: a known type; sender and receiver ids; every term at most MAX_TERM and every
 * index at most MAX_INDEX; a log term no later than the message's term; entries only in MsgApp,
 * numbered from index + 1 on, with terms that never fall, from logTerm up to the message's term;
 * a reject hint no later than the rejected index; a bounded context; a snapshot in every MsgSnap
 * and in no other message, covering index 1 at least, with a term from 1 up to the message's term
 * and a configuration of distinct valid node ids.
 */
export function checkMessage(m: Message, self: NodeId): string | null {
  if (!MESSAGE_TYPES.includes(m.type)) return `unknown message type ${String(m.type)}`
  if (!inRange(m.from, Number.MAX_SAFE_INTEGER) || m.from === 0) return 'no valid sender'
  if (m.to !== self) return `addressed to n${String(m.to)}, not to n${self}`
  if (!inRange(m.term, MAX_TERM)) return `term ${String(m.term)} is out of range (0…${MAX_TERM})`
  if (!inRange(m.logTerm, MAX_TERM) || m.logTerm > m.term) {
    return `log term ${String(m.logTerm)} is out of range (0…term ${m.term})`
  }
  for (const [name, v] of [
    ['index', m.index],
    ['commit', m.commit],
    ['reject hint', m.rejectHint],
  ] as const) {
    if (!inRange(v, MAX_INDEX)) return `${name} ${String(v)} is out of range (0…${MAX_INDEX})`
  }
  if (typeof m.reject !== 'boolean') return 'reject is not a boolean'
  if (m.reject && m.rejectHint > m.index) {
    return `reject hint ${m.rejectHint} is past the rejected index ${m.index}`
  }
  if (typeof m.context !== 'string' || m.context.length > MAX_CONTEXT_CHARS) {
    return `context is not a string of at most ${MAX_CONTEXT_CHARS} characters`
  }
  if (m.type === 'MsgSnap') {
    const bad = checkSnapshot(m.snapshot, m.term)
    if (bad !== null) return bad
  } else if (m.snapshot !== undefined) {
    return `${m.type} carries a snapshot`
  }
  if (!Array.isArray(m.entries)) return 'entries is not a list'
  if (m.entries.length === 0) return null
  if (m.type !== 'MsgApp') return `${m.type} carries entries`
  if (m.index + m.entries.length > MAX_INDEX) {
    return `entries reach index ${m.index + m.entries.length}, past ${MAX_INDEX}`
  }
  let prevTerm = m.logTerm
  for (const [i, e] of m.entries.entries()) {
    const where = `entry ${i} of ${m.entries.length}`
    if (typeof e !== 'object' || e === null) return `${where} is not an entry`
    if (e.index !== m.index + 1 + i) {
      return `${where} has index ${String(e.index)}, expected ${m.index + 1 + i}`
    }
    if (!inRange(e.term, m.term) || e.term < Math.max(1, prevTerm)) {
      return `${where} has term ${String(e.term)}, outside ${Math.max(1, prevTerm)}…${m.term}`
    }
    if (!ENTRY_TYPES.includes(e.type)) return `${where} has unknown type ${String(e.type)}`
    if (!(e.data instanceof Uint8Array)) return `${where} has no data bytes`
    prevTerm = e.term
  }
  return null
}

function checkSnapshot(s: Snapshot | undefined, term: number): string | null {
  if (typeof s !== 'object' || s === null) return 'MsgSnap carries no snapshot'
  const md = s.metadata as Snapshot['metadata'] | undefined
  if (typeof md !== 'object' || md === null) return 'snapshot has no metadata'
  if (!inRange(md.index, MAX_INDEX) || md.index === 0) {
    return `snapshot index ${String(md.index)} is out of range (1…${MAX_INDEX})`
  }
  if (!inRange(md.term, term) || md.term === 0) {
    return `snapshot term ${String(md.term)} is out of range (1…term ${term})`
  }
  if (!Array.isArray(md.peers) || md.peers.length === 0) return 'snapshot has no configuration'
  const seen = new Set<number>()
  for (const p of md.peers) {
    if (!inRange(p, Number.MAX_SAFE_INTEGER) || p === 0 || seen.has(p)) {
      return `snapshot configuration holds an invalid or repeated node id ${String(p)}`
    }
    seen.add(p)
  }
  if (!(s.data instanceof Uint8Array)) return 'snapshot has no data bytes'
  return null
}
