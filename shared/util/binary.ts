// Compact binary encoding helpers shared by the wire protocol and the KV command format:
// unsigned LEB128 varints, length-prefixed byte strings and UTF-8 strings. Pure: Uint8Array only.

const encoder = new TextEncoder()
// ignoreBOM keeps a leading U+FEFF: by default TextDecoder drops it, silently changing the string.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** DecodeError reports malformed input: a truncated, overlong or otherwise invalid encoding. */
export class DecodeError extends Error {
  override name = 'DecodeError'
}

/** utf8Encode returns the UTF-8 bytes of `s`. */
export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s)
}

/** utf8Decode decodes UTF-8 bytes, throwing DecodeError on invalid sequences. */
export function utf8Decode(b: Uint8Array): string {
  try {
    return decoder.decode(b)
  } catch {
    throw new DecodeError('invalid UTF-8')
  }
}

/** BinaryWriter appends encoded values to a growable buffer. */
export class BinaryWriter {
  private buf: Uint8Array
  private pos = 0

  constructor(initialSizeBytes = 256) {
    this.buf = new Uint8Array(initialSizeBytes)
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  /** uvarint writes a non-negative safe integer as unsigned LEB128 (1–8 bytes). */
  uvarint(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(`uvarint: ${n} is not a safe non-negative integer`)
    this.reserve(8)
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.buf[this.pos++] = n
    return this
  }

  u8(n: number): this {
    this.reserve(1)
    this.buf[this.pos++] = n & 0xff
    return this
  }

  /** u32 writes a 32-bit unsigned integer, big-endian. */
  u32(n: number): this {
    this.reserve(4)
    this.buf[this.pos++] = (n >>> 24) & 0xff
    this.buf[this.pos++] = (n >>> 16) & 0xff
    this.buf[this.pos++] = (n >>> 8) & 0xff
    this.buf[this.pos++] = n & 0xff
    return this
  }

  /** bytes writes a length-prefixed byte string. */
  bytes(b: Uint8Array): this {
    this.uvarint(b.length)
    this.raw(b)
    return this
  }

  /** raw writes bytes with no length prefix. */
  raw(b: Uint8Array): this {
    this.reserve(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
    return this
  }

  /** string writes a length-prefixed UTF-8 string. */
  string(s: string): this {
    return this.bytes(utf8Encode(s))
  }

  get length(): number {
    return this.pos
  }

  /** finish returns the written bytes (a view: do not write after calling it). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos)
  }
}

/** BinaryReader decodes values written by BinaryWriter; every read checks bounds. */
export class BinaryReader {
  pos = 0

  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos
  }

  uvarint(): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.buf.length) throw new DecodeError('truncated varint')
      const b = this.buf[this.pos++] as number
      result += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new DecodeError('varint out of range')
        return result
      }
      scale *= 0x80
    }
    throw new DecodeError('varint too long')
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new DecodeError('truncated u8')
    return this.buf[this.pos++] as number
  }

  u32(): number {
    if (this.pos + 4 > this.buf.length) throw new DecodeError('truncated u32')
    const b = this.buf
    const p = this.pos
    this.pos += 4
    return (
      (((b[p] as number) << 24) |
        ((b[p + 1] as number) << 16) |
        ((b[p + 2] as number) << 8) |
        (b[p + 3] as number)) >>>
      0
    )
  }

  /** bytes reads a length-prefixed byte string as a view into the input (no copy). */
  bytes(): Uint8Array {
    const n = this.uvarint()
    return this.raw(n)
  }

  raw(n: number): Uint8Array {
    if (n > this.remaining)
      throw new DecodeError(`truncated: need ${n} bytes, have ${this.remaining}`)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  string(): string {
    return utf8Decode(this.bytes())
  }

  /** end throws unless every byte was consumed (trailing garbage is malformed input). */
  end(): void {
    if (this.pos !== this.buf.length)
      throw new DecodeError(`${this.buf.length - this.pos} trailing bytes`)
  }
}
