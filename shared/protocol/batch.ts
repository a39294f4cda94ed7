// Raft messages in frames: the raftBatch body (several messages for one peer in one frame, so a
// node can send a whole Ready's messages with one write) and the frame-level helpers a
// transport calls: messages in, ready-to-write frames out, and back.
import { BinaryReader, BinaryWriter, DecodeError } from '../util/binary'
import { assert } from '../util/assert'
import type { Message } from '../raft/types'
import { asMalformed, ProtocolError } from './errors'
import {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_LENGTH_LIMIT,
  type Frame,
} from './framing'
import { FRAME_KIND, frameKindName } from './kinds'
import { decodeMessage, planMessage, readMessage, writeMessage, type MessagePlan } from './message'
import { readNonZero, readUvarint, uvarintSize } from './wire'

/** MIN_BATCHED_MESSAGE_BYTES: a length byte plus the 5 bytes every message has (type, flags,
 * from, to, term); bounds a declared count before looping. */
const MIN_BATCHED_MESSAGE_BYTES = 6

function batchBodyBytes(plans: readonly MessagePlan[]): number {
  let size = uvarintSize(plans.length)
  for (const p of plans) size += uvarintSize(p.sizeBytes) + p.sizeBytes
  return size
}

function writeBatch(w: BinaryWriter, plans: readonly MessagePlan[]): void {
  w.uvarint(plans.length)
  for (const p of plans) {
    w.uvarint(p.sizeBytes)
    writeMessage(w, p)
  }
}

/** encodeMessageBatch returns a raftBatch body: a count, then each message prefixed by its
 * length. It throws ProtocolError('malformed') for an empty list or a message encodeMessage
 * refuses. */
export function encodeMessageBatch(ms: readonly Message[]): Uint8Array {
  if (ms.length === 0) throw new ProtocolError('malformed', 'raft batch: no messages')
  const plans = ms.map(planMessage)
  const w = new BinaryWriter(batchBodyBytes(plans) + 8)
  writeBatch(w, plans)
  return w.finish()
}

/** decodeMessageBatch decodes a raftBatch body into its messages, in order. It throws
 * ProtocolError('malformed') for a zero count, a length that overruns the body, trailing bytes,
 * or any message decodeMessage would refuse (naming its position). Entry data are views into
 * `body`, as in decodeMessage. */
export function decodeMessageBatch(body: Uint8Array): Message[] {
  return asMalformed('raft batch', () => {
    const r = new BinaryReader(body)
    const count = readNonZero(r, 'message count')
    if (count * MIN_BATCHED_MESSAGE_BYTES > r.remaining) {
      throw new DecodeError(`${count} messages cannot fit in ${r.remaining} bytes`)
    }
    const out: Message[] = []
    for (let i = 0; i < count; i++) {
      const inner = new BinaryReader(r.raw(readUvarint(r)))
      try {
        out.push(readMessage(inner))
        inner.end()
      } catch (e) {
        if (e instanceof DecodeError) throw new DecodeError(`message ${i}: ${e.message}`)
        throw e
      }
    }
    r.end()
    return out
  })
}

function frameOf(kind: number, payloadBytes: number, write: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter(FRAME_HEADER_BYTES + payloadBytes + 8)
  w.u32(payloadBytes).u8(kind)
  write(w)
  assert(w.length === FRAME_HEADER_BYTES + payloadBytes, 'raft frame size differs from its plan')
  return w.finish()
}

/**
 * encodeMessageFrames packs `ms` (usually one Ready's messages for one peer) into as few
 * ready-to-write frames as fit `maxFrameBytes` each, keeping their order: a lone message goes in
 * a raft frame, consecutive messages share a raftBatch frame. An empty list gives no frames. It
 * throws ProtocolError 'oversized' when one message alone exceeds the limit (the core bounds a
 * MsgApp by maxSizePerMsgBytes, far below it) and 'malformed' for a message encodeMessage
 * refuses; nothing is returned then, so the caller sends all or none.
 */
export function encodeMessageFrames(
  ms: readonly Message[],
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
): Uint8Array[] {
  const limit = Math.min(maxFrameBytes, FRAME_LENGTH_LIMIT)
  const plans = ms.map(planMessage)
  const frames: Uint8Array[] = []
  let start = 0
  while (start < plans.length) {
    const first = plans[start] as MessagePlan
    if (1 + first.sizeBytes > limit) {
      throw new ProtocolError(
        'oversized',
        `raft message ${first.message.type} of ${first.sizeBytes} bytes exceeds the frame ` +
          `limit of ${maxFrameBytes} bytes`,
      )
    }
    let end = start + 1
    let bodyBytes = uvarintSize(first.sizeBytes) + first.sizeBytes
    while (end < plans.length) {
      const p = plans[end] as MessagePlan
      const next = bodyBytes + uvarintSize(p.sizeBytes) + p.sizeBytes
      if (1 + uvarintSize(end + 1 - start) + next > limit) break
      bodyBytes = next
      end++
    }
    if (end - start === 1) {
      frames.push(frameOf(FRAME_KIND.raft, 1 + first.sizeBytes, (w) => writeMessage(w, first)))
    } else {
      const group = plans.slice(start, end)
      const payloadBytes = 1 + uvarintSize(group.length) + bodyBytes
      frames.push(frameOf(FRAME_KIND.raftBatch, payloadBytes, (w) => writeBatch(w, group)))
    }
    start = end
  }
  return frames
}

/** decodeFrameMessages returns the Raft messages of a raft or raftBatch frame (see
 * decodeMessage and decodeMessageBatch); any other kind throws ProtocolError('unknown-kind'). */
export function decodeFrameMessages(frame: Frame): Message[] {
  switch (frame.kind) {
    case FRAME_KIND.raft:
      return [decodeMessage(frame.body)]
    case FRAME_KIND.raftBatch:
      return decodeMessageBatch(frame.body)
    default:
      throw new ProtocolError(
        'unknown-kind',
        `a ${frameKindName(frame.kind)} frame carries no raft messages`,
      )
  }
}
