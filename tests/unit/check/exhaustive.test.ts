// The checker against a brute-force reference on every small history fast-check generates: random
// operations (most of them impossible), random interleavings of the processes and many equal
// timestamps, so ties, info, fail and open invocations are all exercised, and completions that
// report the value the node saw (including cas that failed with one: reads).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkHistory, type HistoryEvent, type OpKind } from '../../../shared/check'
import { bruteForce } from './histories'

interface RandomOp {
  process: number
  kind: OpKind
  key: string
  value: string
  read: string | null
  expected: string | null
  /** observed: what a write's completion says the key held (undefined: not reported). */
  observed: string | null | undefined
  outcome: 'ok' | 'info' | 'fail' | 'open'
}

const randomOp = (processes: number, keys: string[]): fc.Arbitrary<RandomOp> =>
  fc.record({
    process: fc.integer({ min: 0, max: processes - 1 }),
    kind: fc.constantFrom<OpKind>('put', 'get', 'cas', 'delete'),
    key: fc.constantFrom(...keys),
    value: fc.constantFrom('a', 'b'),
    read: fc.constantFrom(null, 'a', 'b'),
    expected: fc.constantFrom(null, 'a', 'b'),
    observed: fc.constantFrom(undefined, undefined, null, 'a', 'b'),
    outcome: fc.constantFrom<RandomOp['outcome']>('ok', 'ok', 'ok', 'info', 'fail', 'open'),
  })

const randomHistory = (maxOps: number, processes: number, keys: string[]) =>
  fc.record({
    ops: fc.array(randomOp(processes, keys), { minLength: 1, maxLength: maxOps }),
    schedule: fc.array(fc.nat(), { maxLength: 2 * maxOps }),
    ticks: fc.array(fc.boolean(), { maxLength: 2 * maxOps }),
  })

/** interleave lays the processes' operations out as one event list: `schedule` picks which
 * process records its next event, `ticks` whether the clock advances before it (so many events
 * share a timestamp). 'open' is only possible for a process's last operation. */
function interleave(h: { ops: RandomOp[]; schedule: number[]; ticks: boolean[] }): HistoryEvent[] {
  const queues = new Map<number, HistoryEvent[]>()
  h.ops.forEach((o, i) => {
    const q = queues.get(o.process) ?? []
    queues.set(o.process, q)
    const isLast = !h.ops.slice(i + 1).some((later) => later.process === o.process)
    const base = { process: o.process, op: o.kind, key: o.key, time: 0 }
    const inv: HistoryEvent = { ...base, type: 'invoke' }
    if (o.kind === 'put' || o.kind === 'cas') inv.value = o.value
    if (o.kind === 'cas') inv.expected = o.expected
    q.push(inv)
    const outcome = o.outcome === 'open' && !isLast ? 'info' : o.outcome
    if (outcome === 'open') return
    const done: HistoryEvent =
      o.kind === 'get' && outcome === 'ok'
        ? { ...base, type: 'ok', value: o.read }
        : { ...base, type: outcome }
    // Any completion may say what it saw; the checker must use it only where it means something.
    if (o.observed !== undefined) done.observed = o.observed
    q.push(done)
  })
  const events: HistoryEvent[] = []
  let time = 0
  for (let k = 0; ; k++) {
    const ready = [...queues.values()].filter((q) => q.length > 0)
    if (ready.length === 0) break
    const q = ready[(h.schedule[k] ?? 0) % ready.length] as HistoryEvent[]
    if (h.ticks[k] === true) time++
    events.push({ ...(q.shift() as HistoryEvent), time, index: events.length })
  }
  return events
}

describe('the checker agrees with brute force on small histories', () => {
  it('up to 6 operations on 1-2 keys by up to 3 processes', () => {
    const verdicts = { true: 0, false: 0 }
    fc.assert(
      fc.property(randomHistory(6, 3, ['x', 'y']), (h) => {
        const events = interleave(h)
        const expected = bruteForce(events)
        const result = checkHistory(events)
        expect(result.valid).toBe(expected)
        expect(result.witness !== undefined).toBe(!expected)
        // Locality: each key's verdict is the brute-force verdict of that key's events alone.
        for (const k of result.perKey) {
          expect(k.valid).toBe(bruteForce(events.filter((e) => e.key === k.key)))
        }
        verdicts[String(expected) as 'true' | 'false']++
      }),
      { numRuns: 3000, seed: 0x5eed },
    )
    // Both verdicts must be common, or the comparison proves little.
    expect(verdicts.true).toBeGreaterThan(500)
    expect(verdicts.false).toBeGreaterThan(500)
  })

  it('up to 8 operations on one key by up to 4 processes (more concurrency)', () => {
    const verdicts = { true: 0, false: 0 }
    fc.assert(
      fc.property(randomHistory(8, 4, ['x']), (h) => {
        const events = interleave(h)
        const expected = bruteForce(events)
        expect(checkHistory(events).valid).toBe(expected)
        verdicts[String(expected) as 'true' | 'false']++
      }),
      { numRuns: 1500, seed: 0xc0ffee },
    )
    expect(verdicts.true).toBeGreaterThan(150)
    expect(verdicts.false).toBeGreaterThan(150)
  })

  it('a tiny budget may answer unknown but never the wrong verdict', () => {
    let unknown = 0
    let decided = 0
    fc.assert(
      fc.property(randomHistory(8, 4, ['x']), fc.integer({ min: 1, max: 30 }), (h, maxSteps) => {
        const events = interleave(h)
        const result = checkHistory(events, { maxSteps, maxStates: 20 })
        if (result.valid === 'unknown') {
          unknown++
          expect(result.reason).toMatch(/budget exhausted/)
        } else {
          decided++
          expect(result.valid).toBe(bruteForce(events))
        }
      }),
      { numRuns: 1000, seed: 42 },
    )
    expect(unknown).toBeGreaterThan(50)
    expect(decided).toBeGreaterThan(50)
  })
})
