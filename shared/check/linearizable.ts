// The checker's entry point: pair a history into operations, split them by key (linearizability
// is local), search each key, and combine the verdicts. Budgets make it answer 'unknown' rather
// than hang; time enters only through an injected clock, so shared/ stays pure.
import { pairOperations, partitionByKey, type HistoryEvent, type Operation } from './history'
import { dropUnobservedInfoWrites } from './registerModel'
import { searchKey, type BudgetKind } from './search'
import { buildWitness, type Witness } from './witness'

/**
 * CheckOptions bounds the work. `maxSteps` and `maxStates` apply to each key's search (search loop
 * iterations; memoized configurations, i.e. memory) and default to DEFAULT_MAX_STEPS and to what
 * fits in DEFAULT_CACHE_BYTES. `timeBudgetMs` bounds the whole check and needs `now`, a monotonic
 * clock in milliseconds (the CLI passes `performance.now`); the clock is read between keys and
 * every 1024 search steps.
 */
export interface CheckOptions {
  maxSteps?: number
  maxStates?: number
  now?: () => number
  timeBudgetMs?: number
}

/** Verdict is a checked history's answer: linearizable, not, or not decided within the budget. */
export type Verdict = true | false | 'unknown'

/** KeyResult is one key's verdict and the work it took; `budget` and `reason` say why a key is
 * 'unknown'. */
export interface KeyResult {
  key: string
  valid: Verdict
  ops: number
  steps: number
  states: number
  budget?: BudgetKind
  reason?: string
}

/**
 * CheckResult is the verdict on a history: false if any key is not linearizable (`witness`
 * explains the first such key), else 'unknown' if any key ran out of budget (`reason` names the
 * first), else true. `keys` and `ops` count the keys and operations checked (after dropping failed
 * operations — but not a cas that failed with the value it saw: a read — and reads with unknown
 * results); `perKey` lists each key in first-invocation order.
 */
export interface CheckResult {
  valid: Verdict
  keys: number
  ops: number
  perKey: KeyResult[]
  witness?: Witness
  reason?: string
}

/**
 * checkHistory decides whether a recorded history of register/KV operations (put, get, cas,
 * delete) is linearizable. See pairOperations for the history rules and the real-time order (it
 * throws MalformedHistoryError on a malformed history) and searchKey for the search.
 */
export function checkHistory(
  events: readonly HistoryEvent[],
  options: CheckOptions = {},
): CheckResult {
  return checkOperations(pairOperations(events), options)
}

/** checkOperations is checkHistory for operations already paired by pairOperations. Each key's
 * info writes that nothing observes are left out of its search (dropUnobservedInfoWrites: it
 * cannot change the verdict) but still count in `ops`. */
export function checkOperations(
  ops: readonly Operation[],
  options: CheckOptions = {},
): CheckResult {
  const { now, timeBudgetMs } = options
  if (timeBudgetMs !== undefined && now === undefined) {
    throw new RangeError('checkHistory: timeBudgetMs needs a clock (options.now)')
  }
  const deadlineMs =
    now !== undefined && timeBudgetMs !== undefined ? now() + timeBudgetMs : undefined
  const perKey: KeyResult[] = []
  let witness: Witness | undefined
  let reason: string | undefined
  for (const [key, keyOps] of partitionByKey(ops)) {
    const base = { key, ops: keyOps.length }
    if (deadlineMs !== undefined && (now as () => number)() >= deadlineMs) {
      const r: KeyResult = { ...base, valid: 'unknown', steps: 0, states: 0, budget: 'time' }
      r.reason = 'time budget exhausted before this key was searched'
      perKey.push(r)
      reason ??= `key ${JSON.stringify(key)}: ${r.reason}`
      continue
    }
    const searched = dropUnobservedInfoWrites(keyOps)
    const result = searchKey(searched, {
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
      ...(deadlineMs !== undefined ? { now, deadlineMs } : {}),
    })
    const work = { steps: result.steps, states: result.states }
    if (result.verdict === 'linearizable') {
      perKey.push({ ...base, ...work, valid: true })
    } else if (result.verdict === 'violation') {
      perKey.push({ ...base, ...work, valid: false })
      witness ??= buildWitness(key, searched, result.stuck, keyOps)
    } else {
      perKey.push({
        ...base,
        ...work,
        valid: 'unknown',
        budget: result.budget,
        reason: result.reason,
      })
      reason ??= `key ${JSON.stringify(key)}: ${result.reason}`
    }
  }
  const valid: Verdict =
    witness !== undefined ? false : perKey.some((k) => k.valid === 'unknown') ? 'unknown' : true
  return {
    valid,
    keys: perKey.length,
    ops: ops.length,
    perKey,
    ...(witness !== undefined ? { witness } : {}),
    ...(valid === 'unknown' && reason !== undefined ? { reason } : {}),
  }
}
