// Raft messages on the wire. A message is flat (see Message): a type code, a flags varint telling
// which optional fields follow, then only those fields, so an empty field costs nothing. Every
// message has exactly one encoding (shortest varints, no zero field flagged present), and the
// decoder refuses any other: decode → encode gives back the same bytes.
import { BinaryReader, BinaryWriter, DecodeError, utf8Encode } from '../util/binary'
import {
  MESSAGE_TYPES,
  type Entry,
  type EntryType,
  type Message,
  type MessageType,
  type NodeId,
  type Snapshot,
} from '../raft/types'
import { asMalformed, ProtocolError } from './errors'
import {
  checkUint,
  checkWellFormed,
  decodeUtf8,
  isUint,
  readBytes,
  readNonZero,
  readUvarint,
  uvarintSize,
} from './wire'

/** ENTRY_TYPES lists EntryType values; an entry's type code is its position here. */
export const ENTRY_TYPES: readonly EntryType[] = ['normal', 'noop']

/**
 * MESSAGE_FLAGS are the bits of a message's flags varint. `reject` is the boolean itself; each
 * other bit says its field is present (non-zero, non-empty) and follows, in this order. An absent
 * field decodes as 0, '' or [] (a snapshot as absent). `snapshot` (bit 7) arrived in minor 1
 * (with MsgSnap); bits 8 and up are reserved: a later minor version may define them, and a sender
 * sets them only for a remote that announced that minor.
 */
/** SNAPSHOT_MINOR is the protocol minor that defines MsgSnap: a node sends one only to a peer
 * whose hello announced it. */
export const SNAPSHOT_MINOR = 2

export const MESSAGE_FLAGS = {
  reject: 0x01,
  logTerm: 0x02,
  index: 0x04,
  commit: 0x08,
  rejectHint: 0x10,
  context: 0x20,
  entries: 0x40,
  snapshot: 0x80,
} as const

const KNOWN_FLAGS = 0xff
/** An entry header byte is `typeCode << 1 | ENTRY_HAS_TERM` (when its term differs). */
const ENTRY_HAS_TERM = 0x01
/** MIN_ENTRY_BYTES: a header byte and a data length; bounds a declared count before looping. */
const MIN_ENTRY_BYTES = 2

const TYPE_CODES = new Map<MessageType, number>(MESSAGE_TYPES.map((t, i) => [t, i]))
const ENTRY_TYPE_CODES = new Map<EntryType, number>(ENTRY_TYPES.map((t, i) => [t, i]))

/** MessagePlan is a message checked for encoding, with its flags and its exact encoded size, so
 * that the encoders allocate once. */
export interface MessagePlan {
  readonly message: Message
  readonly typeCode: number
  readonly flags: number
  readonly context: Uint8Array | null
  readonly sizeBytes: number
}

/**
 * planMessage checks `m` and measures its encoding. It throws ProtocolError('malformed') for an
 * unknown type or entry type, a number that is not a safe integer ≥ 0, a non-boolean reject, a
 * context with a lone surrogate, entries that are not consecutive from index + 1 (the wire
 * carries no entry indexes: in a MsgApp, `index` is prevLogIndex, §5.3), or a snapshot whose
 * metadata holds such numbers or whose data is not bytes.
 */
export function planMessage(m: Message): MessagePlan {
  const typeCode = TYPE_CODES.get(m.type)
  if (typeCode === undefined) {
    throw new ProtocolError('malformed', `raft message: unknown type ${String(m.type)}`)
  }
  const what = `raft message ${m.type}`
  let flags = 0
  // The type byte; the flags varint is added once the flags are known.
  let size =
    1 +
    uvarintSize(checkUint(m.from, what, 'from')) +
    uvarintSize(checkUint(m.to, what, 'to')) +
    uvarintSize(checkUint(m.term, what, 'term'))
  const optional = (flag: number, field: keyof Message, n: number): void => {
    if (checkUint(n, what, field) === 0) return
    flags |= flag
    size += uvarintSize(n)
  }
  if (m.reject === true) flags |= MESSAGE_FLAGS.reject
  else if (m.reject !== false) throw new ProtocolError('malformed', `${what}: reject not boolean`)
  optional(MESSAGE_FLAGS.logTerm, 'logTerm', m.logTerm)
  optional(MESSAGE_FLAGS.index, 'index', m.index)
  optional(MESSAGE_FLAGS.commit, 'commit', m.commit)
  optional(MESSAGE_FLAGS.rejectHint, 'rejectHint', m.rejectHint)
  let context: Uint8Array | null = null
  if (checkWellFormed(m.context, what, 'context') !== '') {
    context = utf8Encode(m.context)
    flags |= MESSAGE_FLAGS.context
    size += uvarintSize(context.length) + context.length
  }
  if (m.entries.length > 0) {
    flags |= MESSAGE_FLAGS.entries
    size += uvarintSize(m.entries.length) + entriesSize(m, what)
  }
  if (m.snapshot !== undefined) {
    flags |= MESSAGE_FLAGS.snapshot
    size += snapshotSize(m.snapshot, what)
  }
  size += uvarintSize(flags)
  return { message: m, typeCode, flags, context, sizeBytes: size }
}

/** snapshotSize checks a snapshot for encoding and returns its exact encoded size. */
function snapshotSize(snap: Snapshot, what: string): number {
  if (typeof snap !== 'object' || snap === null || typeof snap.metadata !== 'object') {
    throw new ProtocolError('malformed', `${what}: snapshot is not a snapshot`)
  }
  const md = snap.metadata
  if (!Array.isArray(md.peers)) throw new ProtocolError('malformed', `${what}: snapshot peers`)
  if (!(snap.data instanceof Uint8Array)) {
    throw new ProtocolError('malformed', `${what}: snapshot data is not a Uint8Array`)
  }
  let size =
    uvarintSize(checkUint(md.index, what, 'snapshot index')) +
    uvarintSize(checkUint(md.term, what, 'snapshot term')) +
    uvarintSize(md.peers.length)
  for (const p of md.peers) size += uvarintSize(checkUint(p, what, 'snapshot peer'))
  return size + uvarintSize(snap.data.length) + snap.data.length
}

function entriesSize(m: Message, what: string): number {
  if (!isUint(m.index + m.entries.length)) {
    throw new ProtocolError('malformed', `${what}: entry indexes past 2^53`)
  }
  let size = 0
  let prevTerm = m.logTerm
  for (let i = 0; i < m.entries.length; i++) {
    const e = m.entries[i] as Entry
    const want = m.index + 1 + i
    if (e.index !== want) {
      throw new ProtocolError(
        'malformed',
        `${what}: entry ${i} has index ${e.index}, expected ${want} ` +
          `(entries must be consecutive, starting at index + 1)`,
      )
    }
    if (!ENTRY_TYPE_CODES.has(e.type)) {
      throw new ProtocolError('malformed', `${what}: entry ${e.index} has type ${String(e.type)}`)
    }
    if (!(e.data instanceof Uint8Array)) {
      throw new ProtocolError('malformed', `${what}: entry ${e.index} data is not a Uint8Array`)
    }
    if (!isUint(e.term)) checkUint(e.term, what, `entry ${e.index} term`)
    size += 1 + (e.term !== prevTerm ? uvarintSize(e.term) : 0)
    size += uvarintSize(e.data.length) + e.data.length
    prevTerm = e.term
  }
  return size
}

/** writeMessage writes a planned message; `w` must have room for plan.sizeBytes (+8 slack, as
 * BinaryWriter reserves 8 bytes per varint). */
export function writeMessage(w: BinaryWriter, plan: MessagePlan): void {
  const m = plan.message
  const f = plan.flags
  w.u8(plan.typeCode).uvarint(f).uvarint(m.from).uvarint(m.to).uvarint(m.term)
  if (f & MESSAGE_FLAGS.logTerm) w.uvarint(m.logTerm)
  if (f & MESSAGE_FLAGS.index) w.uvarint(m.index)
  if (f & MESSAGE_FLAGS.commit) w.uvarint(m.commit)
  if (f & MESSAGE_FLAGS.rejectHint) w.uvarint(m.rejectHint)
  if (plan.context !== null) w.bytes(plan.context)
  if (f & MESSAGE_FLAGS.entries) {
    w.uvarint(m.entries.length)
    let prevTerm = m.logTerm
    for (const e of m.entries) {
      const hasTerm = e.term !== prevTerm
      w.u8(((ENTRY_TYPE_CODES.get(e.type) as number) << 1) | (hasTerm ? ENTRY_HAS_TERM : 0))
      if (hasTerm) w.uvarint(e.term)
      w.bytes(e.data)
      prevTerm = e.term
    }
  }
  if (m.snapshot !== undefined) {
    const md = m.snapshot.metadata
    w.uvarint(md.index).uvarint(md.term).uvarint(md.peers.length)
    for (const p of md.peers) w.uvarint(p)
    w.bytes(m.snapshot.data)
  }
}

/** encodedMessageBytes returns the exact size of encodeMessage(m), checking m as it does. */
export function encodedMessageBytes(m: Message): number {
  return planMessage(m).sizeBytes
}

/** encodeMessage returns the body of a raft frame holding `m` (see docs/formats/protocol.md),
 * or throws ProtocolError('malformed') for a message planMessage refuses. */
export function encodeMessage(m: Message): Uint8Array {
  const plan = planMessage(m)
  const w = new BinaryWriter(plan.sizeBytes + 8)
  writeMessage(w, plan)
  return w.finish()
}

/**
 * decodeMessage decodes a raft frame body. Any bad byte — truncation, an unknown type, entry type
 * or flag bit, a non-minimal varint, a field flagged present but zero, a number beyond 2^53, an
 * entry index past 2^53, invalid UTF-8 in the context, trailing bytes — throws
 * ProtocolError('malformed'). Entry and snapshot `data` are views into `bytes` (no copy): the caller must not
 * modify `bytes` while the message is in use.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  return asMalformed('raft message', () => {
    const r = new BinaryReader(bytes)
    const m = readMessage(r)
    r.end()
    return m
  })
}

/** readMessage reads one message from `r`, throwing DecodeError on bad input (see
 * decodeMessage); it leaves `r` after the message's last byte. */
export function readMessage(r: BinaryReader): Message {
  const typeCode = r.u8()
  const type = MESSAGE_TYPES[typeCode]
  if (type === undefined) throw new DecodeError(`unknown message type code ${typeCode}`)
  const flags = readUvarint(r)
  if (flags > KNOWN_FLAGS) throw new DecodeError(`unknown flag bits in 0x${flags.toString(16)}`)
  const from = readUvarint(r)
  const to = readUvarint(r)
  const term = readUvarint(r)
  const logTerm = flags & MESSAGE_FLAGS.logTerm ? readNonZero(r, 'logTerm') : 0
  const index = flags & MESSAGE_FLAGS.index ? readNonZero(r, 'index') : 0
  const commit = flags & MESSAGE_FLAGS.commit ? readNonZero(r, 'commit') : 0
  const rejectHint = flags & MESSAGE_FLAGS.rejectHint ? readNonZero(r, 'rejectHint') : 0
  let context = ''
  if (flags & MESSAGE_FLAGS.context) {
    const b = readBytes(r)
    if (b.length === 0) throw new DecodeError('context flagged present but empty')
    context = decodeUtf8(b)
  }
  const entries = flags & MESSAGE_FLAGS.entries ? readEntries(r, index, logTerm) : []
  const snapshot = flags & MESSAGE_FLAGS.snapshot ? readSnapshot(r) : undefined
  const reject = (flags & MESSAGE_FLAGS.reject) !== 0
  // The same fields, in the same order, as the core's own messages: one object shape for all.
  return {
    type,
    from,
    to,
    term,
    logTerm,
    index,
    entries,
    commit,
    reject,
    rejectHint,
    context,
    snapshot,
  }
}

function readSnapshot(r: BinaryReader): Snapshot {
  const index = readUvarint(r)
  const term = readUvarint(r)
  const count = readUvarint(r)
  if (count > r.remaining)
    throw new DecodeError(`${count} peers cannot fit in ${r.remaining} bytes`)
  const peers: NodeId[] = []
  for (let i = 0; i < count; i++) peers.push(readUvarint(r))
  return { metadata: { index, term, peers }, data: readBytes(r) }
}

function readEntries(r: BinaryReader, prevIndex: number, prevLogTerm: number): Entry[] {
  const count = readNonZero(r, 'entry count')
  if (count * MIN_ENTRY_BYTES > r.remaining) {
    throw new DecodeError(`${count} entries cannot fit in ${r.remaining} bytes`)
  }
  if (!Number.isSafeInteger(prevIndex + count)) {
    throw new DecodeError(`entry indexes ${prevIndex + 1}+${count} exceed 2^53`)
  }
  const entries: Entry[] = []
  let prevTerm = prevLogTerm
  for (let i = 1; i <= count; i++) {
    const header = r.u8()
    const type = ENTRY_TYPES[header >> 1]
    if (type === undefined) throw new DecodeError(`entry header 0x${header.toString(16)}`)
    let term = prevTerm
    if (header & ENTRY_HAS_TERM) {
      term = readUvarint(r)
      if (term === prevTerm) throw new DecodeError(`entry ${prevIndex + i} repeats term ${term}`)
    }
    // A copy: a kept entry must not pin the whole socket chunk it arrived in.
    entries.push({ term, index: prevIndex + i, type, data: readBytes(r).slice() })
    prevTerm = term
  }
  return entries
}
