// Property tests: histories spread out from a sequential execution of the model are linearizable
// (each operation's interval contains its linearization point), stay so when outcomes become
// unknown, and stop being so when a perturbation asks for something no order can give.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkHistory, type OpKind } from '../../../shared/check'
import { sequentialHistory, toEvents, type GenOp } from './histories'

const execution = fc.record({
  steps: fc.array(
    fc.record({
      process: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom<OpKind>('put', 'get', 'get', 'cas', 'delete'),
      key: fc.constantFrom('k0', 'k1', 'k2'),
      pick: fc.nat(5),
    }),
    { minLength: 1, maxLength: 40 },
  ),
  // Linearization points are 10 apart, so up to 60 either side overlaps up to a dozen operations.
  widen: fc.array(fc.record({ a: fc.nat(60), b: fc.nat(60) }), { minLength: 1, maxLength: 40 }),
})

const generate = (e: {
  steps: Parameters<typeof sequentialHistory>[0]
  widen: { a: number; b: number }[]
}) => sequentialHistory(e.steps, e.widen)

const isWrite = (o: GenOp): boolean =>
  o.outcome === 'ok' && (o.op === 'put' || o.op === 'delete' || o.op === 'cas')

const RUNS = { numRuns: 400 }

describe('histories spread from a sequential execution', () => {
  it('are linearizable', () => {
    fc.assert(
      fc.property(execution, (e) => {
        const ops = generate(e)
        const r = checkHistory(toEvents(ops))
        expect(r.valid).toBe(true)
        // A cas that failed still counts: it reports what it saw, so it is a read.
        expect(r.ops).toBe(ops.length)
      }),
      { ...RUNS, seed: 1 },
    )
  })

  it('stay linearizable when some outcomes become unknown (info, or never completed)', () => {
    fc.assert(
      fc.property(execution, fc.array(fc.nat(3), { minLength: 40, maxLength: 40 }), (e, marks) => {
        const ops = generate(e)
        const lastOf = new Map(ops.map((o, i) => [o.process, i]))
        ops.forEach((o, i) => {
          const mark = marks[i] ?? 0
          if (o.outcome !== 'ok' || mark === 0) return
          o.outcome = mark === 3 && lastOf.get(o.process) === i ? 'open' : 'info'
        })
        expect(checkHistory(toEvents(ops)).valid).toBe(true)
      }),
      { ...RUNS, seed: 2 },
    )
  })

  it('are not linearizable once a read returns a value never written', () => {
    fc.assert(
      fc.property(execution, fc.nat(), (e, choice) => {
        const ops = generate(e)
        const reads = ops.filter((o) => o.op === 'get')
        fc.pre(reads.length > 0)
        const read = reads[choice % reads.length] as GenOp
        read.value = 'never-written'
        const r = checkHistory(toEvents(ops))
        expect(r.valid).toBe(false)
        expect(r.witness?.key).toBe(read.key)
        expect(r.witness?.op).toMatchObject({ op: 'get', value: 'never-written', call: read.call })
        expect(r.witness?.explanation).toMatch(/no operation on this key ever wrote/)
      }),
      { ...RUNS, seed: 3 },
    )
  })

  it('are not linearizable once a read returns a value overwritten before it began', () => {
    fc.assert(
      fc.property(execution, fc.nat(), (e, choice) => {
        const ops = generate(e)
        // Every write writes a fresh value, so if w finished before w2 (another write) began and
        // w2 finished before the read began, the read cannot see w's value.
        const stale: { read: GenOp; value: string }[] = []
        for (const read of ops) {
          if (read.op !== 'get') continue
          for (const w2 of ops) {
            if (!isWrite(w2) || w2.key !== read.key || w2.ret > read.call) continue
            for (const w of ops) {
              if (!isWrite(w) || w.op === 'delete' || w.key !== read.key || w.ret > w2.call)
                continue
              if (w !== w2) stale.push({ read, value: w.value as string })
            }
          }
        }
        fc.pre(stale.length > 0)
        const pick = stale[choice % stale.length] as (typeof stale)[number]
        pick.read.value = pick.value
        const r = checkHistory(toEvents(ops))
        expect(r.valid).toBe(false)
        expect(r.witness?.key).toBe(pick.read.key)
      }),
      { ...RUNS, seed: 4 },
    )
  })

  it('are not linearizable once a failed cas or a write reports a value overwritten before it began', () => {
    fc.assert(
      fc.property(execution, fc.nat(), (e, choice) => {
        const ops = generate(e)
        // As for reads: w finished before w2 began, w2 before o began, so o cannot see w's value.
        const stale: { o: GenOp; value: string }[] = []
        for (const o of ops) {
          if (o.observed === undefined) continue
          for (const w2 of ops) {
            if (!isWrite(w2) || w2 === o || w2.key !== o.key || w2.ret > o.call) continue
            for (const w of ops) {
              if (!isWrite(w) || w.op === 'delete' || w.key !== o.key || w.ret > w2.call) continue
              // A failed cas expecting the stale value would be impossible for another reason.
              if (w !== w2 && !(o.outcome === 'fail' && o.expected === w.value))
                stale.push({ o, value: w.value as string })
            }
          }
        }
        fc.pre(stale.length > 0)
        const pick = stale[choice % stale.length] as (typeof stale)[number]
        pick.o.observed = pick.value
        const r = checkHistory(toEvents(ops))
        expect(r.valid).toBe(false)
        expect(r.witness?.key).toBe(pick.o.key)
      }),
      { ...RUNS, seed: 7 },
    )
  })

  it('are not linearizable once a second process also succeeds a cas on the same expected value', () => {
    fc.assert(
      fc.property(execution, fc.nat(), fc.integer({ min: -80, max: 80 }), (e, choice, shift) => {
        const ops = generate(e)
        const wins = ops.filter((o) => o.op === 'cas' && o.outcome === 'ok' && o.expected !== null)
        fc.pre(wins.length > 0)
        const won = wins[choice % wins.length] as GenOp
        // The expected value was written once (values are fresh) and each successful cas moves
        // the key away from it for good, so two cannot both succeed, wherever the copy sits.
        const call = won.lp + shift
        ops.push({ ...won, process: 99, value: 'dup', call, ret: call + 15, lp: call })
        const r = checkHistory(toEvents(ops))
        expect(r.valid).toBe(false)
        // The stuck operation may be either cas or a read that one of them invalidates.
        expect(r.witness?.key).toBe(won.key)
      }),
      { ...RUNS, seed: 5 },
    )
  })

  it('give small witnesses', () => {
    fc.assert(
      fc.property(execution, fc.nat(), (e, choice) => {
        const ops = generate(e)
        const reads = ops.filter((o) => o.op === 'get')
        fc.pre(reads.length > 0)
        ;(reads[choice % reads.length] as GenOp).value = 'bogus'
        const w = checkHistory(toEvents(ops)).witness
        expect(w).toBeDefined()
        expect(w!.prefix.length).toBeLessThanOrEqual(10)
        expect(w!.prefix.length).toBe(Math.min(10, w!.prefixLength))
        expect(w!.concurrent.length).toBeLessThanOrEqual(20)
        expect(w!.concurrent.every((o) => o.key === w!.key && o !== w!.op)).toBe(true)
      }),
      { ...RUNS, seed: 6 },
    )
  })
})
