// The sequential specification of one key of the store: a register holding a string or nothing.
// Values are interned to small integers so the search compares and caches plain numbers.
import type { Operation } from './history'

/** ABSENT is the state of a key with no value; get returns null there. */
export const ABSENT = 0

/** NO_STATE is what stepRegister returns when an operation cannot happen in a state. */
export const NO_STATE = -1

const WRITE = 0
const READ = 1
const CAS = 2
const CAS_NO_SWAP = 3

/** UNKNOWN marks an operation whose observed value is not known. */
const UNKNOWN = -1

/**
 * RegisterOps is one key's operations compiled for the search: per operation a kind, up to two
 * interned values and the interned value it observed (or -1), and `values` mapping each id back
 * to its value (id 0 is ABSENT, i.e. null).
 */
export interface RegisterOps {
  readonly kind: Uint8Array
  readonly arg: Int32Array
  readonly arg2: Int32Array
  readonly observed: Int32Array
  readonly values: readonly (string | null)[]
}

/**
 * compileRegisterOps interns the values of one key's operations. put writes its value, delete
 * writes ABSENT, an ok get reads its value, and cas requires its expected value and writes its new
 * one. A cas is compiled as a success unless it failed with an observed value (`swapped: false`):
 * an ok cas succeeded, and an info cas that took effect succeeded too (one that failed changed
 * nothing, which is the same as leaving it out of the linearization). A cas that failed with an
 * observed value is a read of it that needs the key not to hold its expected value — the register's
 * own rule for a cas that does not swap, which also makes one that saw its expected value
 * impossible. Any operation with an observed value needs the key to hold it when it is placed.
 */
export function compileRegisterOps(ops: readonly Operation[]): RegisterOps {
  const ids = new Map<string, number>()
  const values: (string | null)[] = [null]
  const intern = (v: string | null): number => {
    if (v === null) return ABSENT
    let id = ids.get(v)
    if (id === undefined) {
      id = values.length
      ids.set(v, id)
      values.push(v)
    }
    return id
  }
  const n = ops.length
  const kind = new Uint8Array(n)
  const arg = new Int32Array(n)
  const arg2 = new Int32Array(n)
  const observed = new Int32Array(n).fill(UNKNOWN)
  ops.forEach((op, i) => {
    if (op.observed !== undefined) observed[i] = intern(op.observed)
    switch (op.op) {
      case 'put':
        kind[i] = WRITE
        arg[i] = intern(op.value)
        break
      case 'delete':
        kind[i] = WRITE
        arg[i] = ABSENT
        break
      case 'get':
        kind[i] = READ
        arg[i] = intern(op.value)
        break
      case 'cas':
        kind[i] = op.swapped === false ? CAS_NO_SWAP : CAS
        arg[i] = intern(op.expected)
        arg2[i] = intern(op.value)
        break
    }
  })
  return { kind, arg, arg2, observed, values }
}

/** stepRegister applies operation `i` to `state` and returns the next state, or NO_STATE when the
 * operation's recorded outcome is impossible in that state. */
export function stepRegister(m: RegisterOps, i: number, state: number): number {
  const seen = m.observed[i] as number
  if (seen !== UNKNOWN && state !== seen) return NO_STATE
  const k = m.kind[i]
  const a = m.arg[i] as number
  if (k === WRITE) return a
  if (k === CAS_NO_SWAP) return state === a ? NO_STATE : state
  if (state !== a) return NO_STATE
  return k === READ ? state : (m.arg2[i] as number)
}

/**
 * dropUnobservedInfoWrites removes the 'info' writes whose written value (put's value, cas's new
 * value, absent for delete) no get on the key returns, no cas expects and no operation reports
 * having observed. It never changes the verdict: after such a write the register holds a value
 * nothing can observe, so until the next write only writes that observed nothing can succeed, and
 * they succeed from any state; removing it from a linearization therefore leaves a
 * linearization. It matters because an info operation never returns: left in, the search may try
 * it at every later point of the history.
 */
export function dropUnobservedInfoWrites(ops: readonly Operation[]): readonly Operation[] {
  if (!ops.some((o) => o.status === 'info')) return ops
  const observed = new Set<string | null>()
  for (const o of ops) {
    if (o.op === 'get') observed.add(o.value)
    if (o.op === 'cas') observed.add(o.expected)
    if (o.observed !== undefined) observed.add(o.observed)
  }
  return ops.filter((o) => o.status === 'ok' || observed.has(o.op === 'delete' ? null : o.value))
}
