// Small helpers the encoders and decoders share: exact varint sizes (so every encoder allocates
// once, at the right size), canonical varint reads and encode-side value checks.
import { DecodeError, utf8Decode, type BinaryReader } from '../util/binary'
import { ProtocolError } from './errors'

/** uvarintSize returns how many bytes BinaryWriter.uvarint uses for `n` (a safe integer ≥ 0). */
export function uvarintSize(n: number): number {
  let size = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    size++
  }
  return size
}

/** readUvarint reads an unsigned varint and insists on its shortest form, so that every value
 * has exactly one encoding; it throws DecodeError (truncated, too long, out of range, padded). */
export function readUvarint(r: BinaryReader): number {
  const start = r.pos
  const n = r.uvarint()
  if (r.pos - start !== uvarintSize(n)) throw new DecodeError(`non-minimal varint for ${n}`)
  return n
}

/** readBytes reads a length-prefixed byte string (a view into the input, no copy) whose length
 * varint is in its shortest form (see readUvarint). */
export function readBytes(r: BinaryReader): Uint8Array {
  return r.raw(readUvarint(r))
}

/** decodeUtf8 decodes UTF-8 exactly (a leading U+FEFF is kept), throwing DecodeError on invalid
 * bytes. */
export function decodeUtf8(b: Uint8Array): string {
  return utf8Decode(b)
}

/** readNonZero reads a varint that a set flag promises is non-zero (the encoder omits zeros, so
 * an explicit 0 is a second encoding of the same message and is refused). */
export function readNonZero(r: BinaryReader, field: string): number {
  const n = readUvarint(r)
  if (n === 0) throw new DecodeError(`${field} flagged present but 0`)
  return n
}

/** isUint tells whether `n` is a safe integer ≥ 0: a value a varint field can carry. */
export function isUint(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0
}

/** checkUint returns `n` when isUint(n), else throws ProtocolError('malformed') naming `field`
 * of `what` (both static strings, so the check allocates nothing when it passes): the encoders
 * refuse what the decoders would refuse. */
export function checkUint(n: number, what: string, field: string): number {
  if (isUint(n)) return n
  throw new ProtocolError('malformed', `${what}: ${field} must be a safe integer ≥ 0, got ${n}`)
}

const LONE_SURROGATE = /\p{Cs}/u

/** checkWellFormed returns `s` unless it is not a string or holds a lone UTF-16 surrogate
 * (TextEncoder would silently replace it, and the decoded string would differ); then it throws
 * ProtocolError('malformed') naming `field` of `what`. */
export function checkWellFormed(s: string, what: string, field: string): string {
  if (typeof s !== 'string') throw new ProtocolError('malformed', `${what}: ${field} not a string`)
  if (LONE_SURROGATE.test(s)) {
    throw new ProtocolError('malformed', `${what}: ${field} holds a lone UTF-16 surrogate`)
  }
  return s
}
