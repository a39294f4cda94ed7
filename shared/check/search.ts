// The Wing & Gong search with Lowe's memoization (Lowe, "Testing for linearizability", 2017,
// §3-4; the loop Porcupine runs) over one key's operations. It walks a linked list of call and
// return entries in real-time order: linearizing an operation unlinks its call and return; reaching
// a return whose operation is not yet linearized means this order fails, so it undoes the last
// choice. Configurations (linearized set, register state) already explored are skipped.
import { assert } from '../util/assert'
import type { Operation } from './history'
import { StateCache, STATE_CACHE_OVERHEAD_BYTES, mix32 } from './stateCache'
import { ABSENT, NO_STATE, compileRegisterOps, stepRegister } from './registerModel'

/** DEFAULT_MAX_STEPS bounds one key's search when the caller gives no step budget. */
export const DEFAULT_MAX_STEPS = 20_000_000

/** DEFAULT_CACHE_BYTES bounds one key's memo when the caller gives no state budget; the state
 * budget is then as many configurations as fit, at most DEFAULT_MAX_STATES. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024

/** DEFAULT_MAX_STATES caps the default state budget for keys with few operations. */
export const DEFAULT_MAX_STATES = 2_000_000

/** PREFIX_SHOWN is how many operations of the longest linearizable prefix a witness keeps. */
export const PREFIX_SHOWN = 10

/** How often (in steps) the search reads the injected clock; reading it is not free. */
const CLOCK_EVERY_STEPS = 1024

/** SearchLimits bounds one key's search. `deadlineMs` is in the clock of `now`. */
export interface SearchLimits {
  maxSteps?: number
  maxStates?: number
  now?: () => number
  deadlineMs?: number
}

/**
 * StuckPoint describes the furthest point the search reached in real time: the operation whose
 * return came before any order could place it (`op`, an index into the key's operations), the
 * register value then, and the linearization that got there (`prefixLength` operations, of which
 * `prefix` keeps the last PREFIX_SHOWN with the value after each).
 */
export interface StuckPoint {
  op: number
  valueBefore: string | null
  prefixLength: number
  prefix: { op: number; valueAfter: string | null }[]
}

/** BudgetKind names the budget that ran out. */
export type BudgetKind = 'steps' | 'states' | 'time'

/** SearchResult is one key's verdict with the work it took (`steps` loop iterations, `states`
 * cached configurations). A violation carries the stuck point; unknown says which budget ran out. */
export type SearchResult =
  | { verdict: 'linearizable'; steps: number; states: number }
  | { verdict: 'violation'; steps: number; states: number; stuck: StuckPoint }
  | { verdict: 'unknown'; steps: number; states: number; budget: BudgetKind; reason: string }

/** defaultMaxStates is the state budget used when none is given for a key of `opCount`
 * operations: what fits in DEFAULT_CACHE_BYTES, capped at DEFAULT_MAX_STATES. */
export function defaultMaxStates(opCount: number): number {
  const bytes = Math.ceil(opCount / 32) * 4 + STATE_CACHE_OVERHEAD_BYTES
  return Math.min(DEFAULT_MAX_STATES, Math.floor(DEFAULT_CACHE_BYTES / bytes))
}

/**
 * searchKey decides whether one key's operations (all on the same key, as partitionByKey gives
 * them) are linearizable: every 'ok' operation placed in one order that respects real time (an
 * operation whose return ranks before another's call comes first) and the register's sequential
 * specification, with each 'info' operation placed anywhere after its call or left out. It
 * returns 'unknown' instead of running past a budget.
 */
export function searchKey(ops: readonly Operation[], limits: SearchLimits = {}): SearchResult {
  const n = ops.length
  const maxSteps = limits.maxSteps ?? DEFAULT_MAX_STEPS
  const maxStates = limits.maxStates ?? defaultMaxStates(n)
  const { now, deadlineMs } = limits
  const model = compileRegisterOps(ops)

  // Entries 1..m in real-time order; 0 is the list head. Info operations get no return entry:
  // their return is at +infinity, so nothing ever has to wait for them and they may stay out.
  const order: { rank: number; op: number; isCall: boolean }[] = []
  ops.forEach((op, i) => {
    order.push({ rank: op.callRank, op: i, isCall: true })
    if (op.status === 'ok') order.push({ rank: op.returnRank, op: i, isCall: false })
  })
  order.sort((a, b) => a.rank - b.rank)
  const m = order.length
  const entryOp = new Int32Array(m + 1)
  const isCall = new Uint8Array(m + 1)
  const match = new Int32Array(m + 1).fill(-1)
  const next = new Int32Array(m + 1)
  const prev = new Int32Array(m + 1)
  const callEntry = new Int32Array(n)
  order.forEach((e, k) => {
    const entry = k + 1
    entryOp[entry] = e.op
    if (e.isCall) {
      isCall[entry] = 1
      callEntry[e.op] = entry
    } else {
      match[callEntry[e.op] as number] = entry
    }
  })
  for (let e = 0; e <= m; e++) {
    next[e] = e === m ? -1 : e + 1
    prev[e] = e - 1
  }
  const unlink = (e: number): void => {
    const p = prev[e] as number
    const q = next[e] as number
    next[p] = q
    if (q !== -1) prev[q] = p
  }
  const relink = (e: number): void => {
    const q = next[e] as number
    next[prev[e] as number] = e
    if (q !== -1) prev[q] = e
  }
  // Lifting unlinks the call, then its return; undoing relinks in the reverse order (dancing
  // links), which restores the list exactly because choices are undone last-in, first-out.
  const lift = (call: number): void => {
    unlink(call)
    const ret = match[call] as number
    if (ret !== -1) unlink(ret)
  }
  const unlift = (call: number): void => {
    const ret = match[call] as number
    if (ret !== -1) relink(ret)
    relink(call)
  }

  const words = Math.max(1, Math.ceil(n / 32))
  const bits = new Uint32Array(words)
  const bitHash = new Int32Array(n)
  for (let i = 0; i < n; i++) bitHash[i] = mix32(i + 1)
  let hash = 0
  const flip = (i: number): void => {
    bits[i >>> 5] = (bits[i >>> 5] as number) ^ (1 << (i & 31))
    hash ^= bitHash[i] as number
  }
  const cache = new StateCache(words, maxStates)

  // The stack of choices: the call entry linearized and the state before it.
  const stackEntry = new Int32Array(n)
  const stackState = new Int32Array(n)
  let depth = 0
  let state = ABSENT
  let steps = 0
  let stuck: StuckPoint | null = null
  let stuckEntry = -1

  const unknown = (budget: BudgetKind, detail: string): SearchResult => ({
    verdict: 'unknown',
    steps,
    states: cache.size,
    budget,
    reason: `${detail} after ${steps} steps, ${cache.size} states (${n} operations on this key)`,
  })

  const value = (s: number): string | null => model.values[s] ?? null
  // The stuck point kept is the one that reached furthest in real time: the failure there is the
  // one a person should look at, since the best order got at least that far before going wrong.
  const stuckPointAt = (ret: number): StuckPoint => {
    const prefix: StuckPoint['prefix'] = []
    for (let k = Math.max(0, depth - PREFIX_SHOWN); k < depth; k++) {
      const after = k + 1 < depth ? (stackState[k + 1] as number) : state
      prefix.push({ op: entryOp[stackEntry[k] as number] as number, valueAfter: value(after) })
    }
    return {
      op: entryOp[ret] as number,
      valueBefore: value(state),
      prefixLength: depth,
      prefix,
    }
  }

  let entry = next[0] as number
  while (entry !== -1) {
    if (steps >= maxSteps) return unknown('steps', `step budget exhausted (maxSteps=${maxSteps})`)
    steps++
    if (now !== undefined && deadlineMs !== undefined && steps % CLOCK_EVERY_STEPS === 0) {
      if (now() >= deadlineMs) return unknown('time', 'time budget exhausted')
    }
    if (isCall[entry] === 1) {
      const i = entryOp[entry] as number
      const after = stepRegister(model, i, state)
      if (after !== NO_STATE) {
        flip(i)
        const added = cache.add(bits, hash, after)
        if (added === 'full') {
          return unknown('states', `state budget exhausted (maxStates=${maxStates})`)
        }
        if (added === 'added') {
          stackEntry[depth] = entry
          stackState[depth] = state
          depth++
          state = after
          lift(entry)
          entry = next[0] as number
          continue
        }
        flip(i)
      }
      entry = next[entry] as number
      continue
    }
    // A return entry whose operation is not linearized: no extension of this prefix works.
    if (entry > stuckEntry) {
      stuckEntry = entry
      stuck = stuckPointAt(entry)
    }
    if (depth === 0) {
      assert(stuck !== null, 'searchKey: no stuck point recorded before giving up')
      return { verdict: 'violation', steps, states: cache.size, stuck }
    }
    depth--
    const call = stackEntry[depth] as number
    state = stackState[depth] as number
    flip(entryOp[call] as number)
    unlift(call)
    entry = next[call] as number
  }
  return { verdict: 'linearizable', steps, states: cache.size }
}
