// Framing: a byte stream cut into frames `[u32 big-endian payload length][payload]`, where the
// payload's first byte is the frame kind. FrameDecoder is incremental and never buffers a frame
// it is going to refuse.
import { assert } from '../util/assert'
import { ProtocolError } from './errors'
import { FRAME_KIND, FRAME_KINDS, frameKindName, isFrameKind, type FrameKind } from './kinds'

/** FRAME_HEADER_BYTES is the size of the length prefix in front of every payload. */
export const FRAME_HEADER_BYTES = 4

/** DEFAULT_MAX_FRAME_BYTES (16 MiB) bounds a frame's payload (kind byte + body) unless a
 * connection sets its own limit; a larger frame is refused before its body is buffered. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024

/** MAX_HELLO_BYTES bounds the first frame of a connection (the hello, ~30 bytes today), so an
 * unauthenticated stranger cannot make a node buffer megabytes. Later minors must stay within it. */
export const MAX_HELLO_BYTES = 1024

/** FRAME_LENGTH_LIMIT is the largest payload length the u32 header can express. */
export const FRAME_LENGTH_LIMIT = 0xffff_ffff

/** Frame is one decoded frame: its kind and its body (the payload after the kind byte). */
export interface Frame {
  readonly kind: FrameKind
  /** body may be a view into a chunk given to FrameDecoder.push (no copy). */
  readonly body: Uint8Array
}

/** encodeFrame returns `[u32 length][kind][body]` in one allocation. It throws ProtocolError
 * 'unknown-kind' for an undefined kind and 'oversized' when the payload (1 + body bytes) exceeds
 * `maxFrameBytes`: a sender refuses what its receiver would refuse. */
export function encodeFrame(
  kind: FrameKind,
  body: Uint8Array,
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
): Uint8Array {
  if (!isFrameKind(kind)) {
    throw new ProtocolError('unknown-kind', `cannot encode ${frameKindName(kind)}`)
  }
  const payloadBytes = 1 + body.length
  if (payloadBytes > Math.min(maxFrameBytes, FRAME_LENGTH_LIMIT)) {
    throw new ProtocolError('oversized', oversizedMessage(payloadBytes, maxFrameBytes))
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + payloadBytes)
  new DataView(out.buffer).setUint32(0, payloadBytes)
  out[FRAME_HEADER_BYTES] = kind
  out.set(body, FRAME_HEADER_BYTES + 1)
  return out
}

/** FrameDecoderOptions configures a FrameDecoder; every field has a default. */
export interface FrameDecoderOptions {
  /** maxFrameBytes bounds a payload (kind byte + body); default DEFAULT_MAX_FRAME_BYTES. */
  maxFrameBytes?: number
  /** kinds lists the frame kinds this connection accepts after its hello; default all defined
   * kinds (a peer connection may narrow it to raft and raftBatch). */
  kinds?: readonly FrameKind[]
  /** helloFirst (default true) demands a hello as the first frame, at most maxHelloBytes long,
   * and refuses any later hello ('handshake'). */
  helloFirst?: boolean
  /** maxHelloBytes bounds the first frame's payload when helloFirst; default MAX_HELLO_BYTES. */
  maxHelloBytes?: number
}

/**
 * FrameDecoder cuts one connection's byte stream into frames. Feed it each chunk read from the
 * socket with `push`, which returns the frames completed by that chunk (in order; frames may span
 * chunks, and one chunk may hold many). Work is linear in the bytes pushed: chunks are kept in a
 * list, and a frame is copied only when it spans chunks; a frame inside one chunk is a view of it.
 *
 * Bad input makes `push` throw a ProtocolError, checked as early as possible: the length as soon
 * as the 4 header bytes arrive ('oversized', zero length → 'malformed'), the kind as soon as its
 * byte arrives ('unknown-kind', 'handshake'), so a refused frame's body is never buffered. Frames
 * earlier in the failing chunk are dropped with it (Raft tolerates lost messages). After an error
 * the decoder is dead: every later push or finish throws a ProtocolError with the same code, and
 * the caller must close the connection and report the error.
 *
 * The caller must not mutate a chunk after pushing it: the decoder keeps it until its frames are
 * returned, and returned bodies may be views into it.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number
  private readonly maxHelloBytes: number
  private readonly kinds: ReadonlySet<number>
  private readonly helloFirst: boolean
  /** chunks[head] (from byte headOffset on) up to the last chunk hold the unconsumed bytes. */
  private chunks: Uint8Array[] = []
  private head = 0
  private headOffset = 0
  private buffered = 0
  /** payloadBytes is the length of the frame being read, or -1 while reading its header. */
  private payloadBytes = -1
  private isKindChecked = false
  private frames = 0
  private error: ProtocolError | null = null
  private isEnded = false

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    this.maxHelloBytes = options.maxHelloBytes ?? MAX_HELLO_BYTES
    this.helloFirst = options.helloFirst ?? true
    this.kinds = new Set(options.kinds ?? FRAME_KINDS)
    for (const limit of [this.maxFrameBytes, this.maxHelloBytes]) {
      assert(
        Number.isInteger(limit) && limit >= 1 && limit <= FRAME_LENGTH_LIMIT,
        () => `frame limit ${limit} must be an integer in [1, ${FRAME_LENGTH_LIMIT}]`,
      )
    }
  }

  /** bufferedBytes is how many bytes wait for their frame to complete. */
  get bufferedBytes(): number {
    return this.buffered
  }

  /** framesDecoded counts the frames returned so far. */
  get framesDecoded(): number {
    return this.frames
  }

  /** failure is the error that killed this decoder, or null while it is healthy. */
  get failure(): ProtocolError | null {
    return this.error
  }

  /** push appends `chunk` to the stream and returns the frames it completes; it throws a
   * ProtocolError on bad input (see the class comment). Pushing after finish is a bug. */
  push(chunk: Uint8Array): Frame[] {
    assert(!this.isEnded, 'FrameDecoder.push after finish')
    this.throwIfFailed()
    if (chunk.length === 0) return []
    this.chunks.push(chunk)
    this.buffered += chunk.length
    const out: Frame[] = []
    try {
      for (;;) {
        if (this.payloadBytes < 0) {
          if (this.buffered < FRAME_HEADER_BYTES) break
          this.payloadBytes = this.checkLength(this.readU32())
          this.isKindChecked = false
        }
        if (!this.isKindChecked) {
          if (this.buffered < 1) break
          this.checkKind(this.peekByte())
          this.isKindChecked = true
        }
        if (this.buffered < this.payloadBytes) break
        const payload = this.take(this.payloadBytes)
        this.payloadBytes = -1
        this.frames++
        out.push({ kind: payload[0] as FrameKind, body: payload.subarray(1) })
      }
    } catch (e) {
      if (e instanceof ProtocolError) this.fail(e)
      throw e
    }
    this.compact()
    return out
  }

  /** finish marks the end of the stream. It throws ProtocolError('truncated') when bytes of an
   * incomplete frame remain, or the earlier error if the decoder already failed. */
  finish(): void {
    this.throwIfFailed()
    this.isEnded = true
    if (this.buffered === 0 && this.payloadBytes < 0) return
    const message =
      this.payloadBytes < 0
        ? `stream ended inside a frame header (${this.buffered} of ${FRAME_HEADER_BYTES} bytes)`
        : `stream ended inside a ${this.payloadBytes}-byte frame (${this.buffered} bytes arrived)`
    const e = new ProtocolError('truncated', message)
    this.fail(e)
    throw e
  }

  private throwIfFailed(): void {
    const e = this.error
    if (e) throw new ProtocolError(e.code, `connection already failed: ${e.message}`)
  }

  private fail(e: ProtocolError): void {
    this.error = e
    this.chunks = []
    this.head = 0
    this.headOffset = 0
    this.buffered = 0
  }

  private checkLength(length: number): number {
    if (length === 0) {
      throw new ProtocolError('malformed', 'zero-length frame (a payload holds at least its kind)')
    }
    if (this.helloFirst && this.frames === 0 && length > this.maxHelloBytes) {
      throw new ProtocolError(
        'oversized',
        `first frame declares ${length} bytes, but a hello is at most ${this.maxHelloBytes}`,
      )
    }
    if (length > this.maxFrameBytes) {
      throw new ProtocolError('oversized', oversizedMessage(length, this.maxFrameBytes))
    }
    return length
  }

  private checkKind(kind: number): void {
    if (this.helloFirst) {
      if (this.frames === 0 && kind !== FRAME_KIND.hello) {
        throw new ProtocolError(
          'handshake',
          `the first frame must be a hello, got ${frameKindName(kind)} (kind ${kind})`,
        )
      }
      if (kind === FRAME_KIND.hello) {
        if (this.frames > 0) throw new ProtocolError('handshake', 'a second hello on a connection')
        return
      }
    }
    if (!this.kinds.has(kind)) {
      throw new ProtocolError(
        'unknown-kind',
        `frame kind ${kind} (${frameKindName(kind)}) is not accepted on this connection`,
      )
    }
  }

  private peekByte(): number {
    return (this.chunks[this.head] as Uint8Array)[this.headOffset] as number
  }

  private readU32(): number {
    let n = 0
    for (let i = 0; i < FRAME_HEADER_BYTES; i++) {
      n = n * 256 + this.peekByte()
      this.advance(1)
    }
    return n
  }

  /** take consumes `n` buffered bytes (n ≤ buffered): a view when they lie in one chunk. */
  private take(n: number): Uint8Array {
    const first = this.chunks[this.head] as Uint8Array
    if (first.length - this.headOffset >= n) {
      const view = first.subarray(this.headOffset, this.headOffset + n)
      this.advance(n)
      return view
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const c = this.chunks[this.head] as Uint8Array
      const k = Math.min(n - filled, c.length - this.headOffset)
      out.set(c.subarray(this.headOffset, this.headOffset + k), filled)
      filled += k
      this.advance(k)
    }
    return out
  }

  private advance(n: number): void {
    this.headOffset += n
    this.buffered -= n
    if (this.headOffset === (this.chunks[this.head] as Uint8Array).length) {
      this.head++
      this.headOffset = 0
    }
  }

  /** compact drops consumed chunks; it copies the list only when at least half of it is
   * consumed, so its cost is amortized O(1) per chunk. */
  private compact(): void {
    if (this.head === this.chunks.length) {
      this.chunks = []
      this.head = 0
    } else if (this.head > 0 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head)
      this.head = 0
    }
  }
}

function oversizedMessage(payloadBytes: number, maxFrameBytes: number): string {
  return `frame payload of ${payloadBytes} bytes exceeds the limit of ${maxFrameBytes} bytes`
}
