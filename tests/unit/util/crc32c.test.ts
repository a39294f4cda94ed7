import { describe, expect, it } from 'vitest'
import { CRC32C_POLY, crc32c } from '../../../shared/util/crc32c'

/** bitwiseCrc32c is the textbook one-bit-at-a-time CRC, the reference the tables must match. */
function bitwiseCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff
  for (const b of data) {
    crc ^= b
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ CRC32C_POLY : crc >>> 1
  }
  return ~crc >>> 0
}

function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

describe('crc32c', () => {
  it('matches the standard check value and the RFC 3720 B.4 vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c)
  })

  it('returns 0 for empty input and an unsigned 32-bit number otherwise', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0)
    // 0xe3069283 has its top bit set: a signed result would be negative.
    const c = crc32c(new TextEncoder().encode('123456789'))
    expect(c).toBeGreaterThan(0x7fffffff)
    expect(Number.isInteger(c)).toBe(true)
  })

  it('matches the bitwise reference at every length 0..80 (each slicing-by-8 remainder)', () => {
    const data = pseudoRandomBytes(80, 7)
    for (let n = 0; n <= 80; n++) {
      expect(crc32c(data.subarray(0, n))).toBe(bitwiseCrc32c(data.subarray(0, n)))
    }
  })

  it('reads only its view of a larger buffer', () => {
    const data = pseudoRandomBytes(100, 3)
    const view = data.subarray(13, 77)
    expect(crc32c(view)).toBe(bitwiseCrc32c(Uint8Array.from(view)))
  })

  it('continues incrementally: crc32c(b, crc32c(a)) equals crc32c(a ‖ b) at every split', () => {
    const data = pseudoRandomBytes(100, 11)
    const whole = crc32c(data)
    for (let split = 0; split <= data.length; split++) {
      const first = crc32c(data.subarray(0, split))
      expect(crc32c(data.subarray(split), first)).toBe(whole)
    }
    let acc = 0
    for (let i = 0; i < data.length; i += 9) acc = crc32c(data.subarray(i, i + 9), acc)
    expect(acc).toBe(whole)
  })
})
