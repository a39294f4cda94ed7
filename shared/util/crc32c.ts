// CRC-32C (Castagnoli), the checksum of iSCSI, ext4 metadata and etcd's WAL: it detects every
// burst error up to 32 bits and has better Hamming distance than the zlib CRC-32 at record sizes.
// Pure: Uint8Array in, number out. Slicing-by-8 (eight 256-entry tables) folds eight bytes per
// step, several times faster in V8 than the byte-at-a-time loop on the write path.

/** CRC32C_POLY is the Castagnoli polynomial 0x1EDC6F41 in reflected (LSB-first) form. */
export const CRC32C_POLY = 0x82f63b78

/** TABLES holds eight 256-entry tables back to back: TABLES[t*256 + b] is the CRC of byte b
 * followed by t zero bytes, which lets one step consume eight input bytes. */
const TABLES = buildTables()

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY : c >>> 1
    t[i] = c
  }
  for (let i = 0; i < 256; i++) {
    let c = t[i] as number
    for (let k = 1; k < 8; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8)
      t[k * 256 + i] = c
    }
  }
  return t
}

/**
 * crc32c returns the CRC-32C of `data` as an unsigned 32-bit number. It is incremental: passing
 * the CRC of a prefix as `seed` continues it, so crc32c(b, crc32c(a)) === crc32c(a ‖ b). The
 * default seed 0 starts a fresh checksum (crc32c('123456789') === 0xe3069283).
 */
export function crc32c(data: Uint8Array, seed = 0): number {
  const t = TABLES
  let crc = ~seed
  let i = 0
  const n = data.length
  const end8 = n - (n % 8)
  while (i < end8) {
    const lo =
      crc ^
      ((data[i] as number) |
        ((data[i + 1] as number) << 8) |
        ((data[i + 2] as number) << 16) |
        ((data[i + 3] as number) << 24))
    const hi =
      (data[i + 4] as number) |
      ((data[i + 5] as number) << 8) |
      ((data[i + 6] as number) << 16) |
      ((data[i + 7] as number) << 24)
    crc =
      (t[0x700 + (lo & 0xff)] as number) ^
      (t[0x600 + ((lo >>> 8) & 0xff)] as number) ^
      (t[0x500 + ((lo >>> 16) & 0xff)] as number) ^
      (t[0x400 + (lo >>> 24)] as number) ^
      (t[0x300 + (hi & 0xff)] as number) ^
      (t[0x200 + ((hi >>> 8) & 0xff)] as number) ^
      (t[0x100 + ((hi >>> 16) & 0xff)] as number) ^
      (t[hi >>> 24] as number)
    i += 8
  }
  while (i < n) {
    crc = (t[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8)
    i++
  }
  return ~crc >>> 0
}
