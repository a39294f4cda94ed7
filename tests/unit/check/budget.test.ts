// Budgets turn a search that would take too long into an honest 'unknown', deterministically (steps,
// states) or by an injected clock; and a realistic large history checks in reasonable time.
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_CACHE_BYTES,
  DEFAULT_MAX_STATES,
  checkHistory,
  defaultMaxStates,
  pairOperations,
  searchKey,
  type OpKind,
} from '../../../shared/check'
import { createRng } from '../../../shared/util/rng'
import { get, history, put, sequentialHistory, toEvents, type Spec } from './histories'

/** pathological: `n` puts of distinct values, all concurrent, then a read of a value none wrote.
 * Every order of every subset of the puts is a distinct configuration (n·2^(n-1) of them). */
function pathological(n: number, key = 'x'): Spec[] {
  const specs: Spec[] = []
  for (let i = 0; i < n; i++) specs.push(put(i + 1, key, `v${i}`, i, 1000 + i))
  specs.push(get(0, key, 'nobody-wrote-this', 2000, 2001))
  return specs
}

describe('budgets', () => {
  it('a step budget gives unknown with a reason instead of searching on', () => {
    const r = checkHistory(history(...pathological(24)), { maxSteps: 1000 })
    expect(r.valid).toBe('unknown')
    expect(r.reason).toMatch(/^key "x": step budget exhausted \(maxSteps=1000\)/)
    expect(r.perKey[0]).toMatchObject({ key: 'x', valid: 'unknown', budget: 'steps', steps: 1000 })
    expect(r.witness).toBeUndefined()
  })

  it('a state budget gives unknown with a reason', () => {
    const r = checkHistory(history(...pathological(24)), { maxStates: 500 })
    expect(r.valid).toBe('unknown')
    expect(r.reason).toMatch(/state budget exhausted \(maxStates=500\)/)
    expect(r.perKey[0]?.states).toBe(500)
  })

  it('a time budget reads the injected clock and gives unknown', () => {
    let clockMs = 0
    const now = (): number => ++clockMs
    const specs = [...pathological(24, 'x'), put(1, 'y', 'a', 3000, 3001)]
    const r = checkHistory(history(...specs), { now, timeBudgetMs: 2 })
    expect(r.valid).toBe('unknown')
    expect(r.perKey.map((k) => [k.key, k.valid, k.budget])).toEqual([
      ['x', 'unknown', 'time'],
      ['y', 'unknown', 'time'],
    ])
    expect(r.perKey[1]?.reason).toBe('time budget exhausted before this key was searched')
    // The clock is read a handful of times, not on every step.
    expect(clockMs).toBeLessThan(10)
  })

  it('needs a clock for a time budget', () => {
    expect(() => checkHistory([], { timeBudgetMs: 10 })).toThrow(/needs a clock/)
  })

  it('a violation on one key outweighs unknown on another', () => {
    const specs = [
      ...pathological(24, 'x'),
      put(1, 'y', 'a', 3000, 3001),
      get(2, 'y', 'b', 3002, 3003),
    ]
    const r = checkHistory(history(...specs), { maxSteps: 5000 })
    expect(r.valid).toBe(false)
    expect(r.perKey.map((k) => k.valid)).toEqual(['unknown', false])
    expect(r.witness?.key).toBe('y')
    expect(r.reason).toBeUndefined()
  })

  it('with the default budgets a hard but small case is decided', () => {
    const r = checkHistory(history(...pathological(12)))
    expect(r.valid).toBe(false)
    // 12 puts: the memo holds each (subset, last value) once, about 12·2^11 configurations.
    expect(r.perKey[0]?.states).toBeLessThanOrEqual(12 * 2 ** 11 + 12)
  })

  it('the default state budget keeps the memo within DEFAULT_CACHE_BYTES', () => {
    expect(defaultMaxStates(10)).toBe(DEFAULT_MAX_STATES)
    const opCount = 100_000
    const bytesPerState = (opCount / 32) * 4
    expect(defaultMaxStates(opCount)).toBeLessThan(DEFAULT_MAX_STATES)
    expect(defaultMaxStates(opCount) * bytesPerState).toBeLessThanOrEqual(DEFAULT_CACHE_BYTES)
    expect(defaultMaxStates(opCount) * bytesPerState).toBeGreaterThan(DEFAULT_CACHE_BYTES / 2)
  })

  it('searchKey takes the same limits directly', () => {
    const ops = pairOperations(history(...pathological(10)))
    expect(searchKey(ops, { maxSteps: 10 })).toMatchObject({ verdict: 'unknown', budget: 'steps' })
    expect(searchKey(ops)).toMatchObject({ verdict: 'violation', stuck: { prefixLength: 10 } })
  })
})

describe('a large realistic history', () => {
  it('10,000 operations over 100 keys by 10 processes check as valid', () => {
    const rng = createRng(2024)
    const kinds: OpKind[] = ['put', 'get', 'get', 'cas', 'delete']
    const steps = Array.from({ length: 10_000 }, () => ({
      process: rng.int(0, 10),
      kind: rng.pick(kinds),
      key: `k${rng.int(0, 100)}`,
      pick: rng.int(0, 4),
    }))
    const widen = steps.map(() => ({ a: rng.int(0, 200), b: rng.int(1, 200) }))
    const ops = sequentialHistory(steps, widen)
    for (const o of ops) if (o.outcome === 'ok' && rng.chance(0.03)) o.outcome = 'info'
    const events = toEvents(ops)
    const started = performance.now()
    const r = checkHistory(events)
    const elapsedMs = performance.now() - started
    console.log(
      `checked ${events.length} events, ${r.ops} operations, ${r.keys} keys in ${elapsedMs.toFixed(0)} ms`,
    )
    expect(r.valid).toBe(true)
    expect(r.keys).toBe(100)

    // The same history with one stale read near the end is caught.
    const lastRead = ops.findLast(
      (o) => o.op === 'get' && o.outcome === 'ok',
    ) as (typeof ops)[number]
    lastRead.value = 'stale?'
    const bad = checkHistory(toEvents(ops))
    expect(bad.valid).toBe(false)
    expect(bad.witness?.key).toBe(lastRead.key)
  })
})
