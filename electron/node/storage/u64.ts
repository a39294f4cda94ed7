// 64-bit big-endian integer fields for the storage formats. JavaScript numbers are exact below
// 2^53, which bounds every index, term and node id raftlab uses, so a u64 field is read as a
// number and a value at or above 2^53 is reported as out of range rather than rounded.

const TWO_POW_32 = 0x1_0000_0000

/** setU64 writes a safe non-negative integer `n` as 8 big-endian bytes at `at`. */
export function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, Math.floor(n / TWO_POW_32))
  v.setUint32(at + 4, n >>> 0)
}

/** getU64 reads 8 big-endian bytes at `at`; null when the value is not a safe integer. */
export function getU64(v: DataView, at: number): number | null {
  const n = v.getUint32(at) * TWO_POW_32 + v.getUint32(at + 4)
  return Number.isSafeInteger(n) ? n : null
}
