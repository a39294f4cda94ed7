// Test helpers for the linearizability checker: a small DSL for hand-made histories, a brute-force
// reference checker, and a generator of concurrent histories from a sequential execution.
import type { EventType, HistoryEvent, OpKind } from '../../../shared/check'

/** Spec is one operation of a hand-made history. `ret` undefined leaves the invoke open;
 * `observed` (see saw) goes on the completion. */
export interface Spec {
  p: number
  op: OpKind
  key: string
  value?: string | null
  expected?: string | null
  observed?: string | null
  call: number
  ret?: number
  type?: Exclude<EventType, 'invoke'>
}

/** saw records on a spec's completion the value the node reported the key held when the
 * operation took effect (a put's or delete's previous value, a cas's current value). */
export const saw = (spec: Spec, observed: string | null): Spec => ({ ...spec, observed })

type Ending = Spec['type']

/** put, get, cas and del build specs; a get's `value` is the value it read. */
export const put = (
  p: number,
  key: string,
  value: string,
  call: number,
  ret?: number,
  type?: Ending,
): Spec => ({ p, op: 'put', key, value, call, ret, type })
export const get = (
  p: number,
  key: string,
  value: string | null,
  call: number,
  ret?: number,
  type?: Ending,
): Spec => ({ p, op: 'get', key, value, call, ret, type })
export const cas = (
  p: number,
  key: string,
  expected: string | null,
  value: string,
  call: number,
  ret?: number,
  type?: Ending,
): Spec => ({ p, op: 'cas', key, expected, value, call, ret, type })
export const del = (p: number, key: string, call: number, ret?: number, type?: Ending): Spec => ({
  p,
  op: 'delete',
  key,
  call,
  ret,
  type,
})

/**
 * history turns specs into events: an invoke at `call` (carrying put/cas values) and, unless `ret`
 * is undefined, a completion at `ret` (carrying a get's value). Events are listed by time; at equal
 * times completions come first (the earlier operation finished before the next was invoked), and
 * otherwise specs keep their order.
 */
export function history(...specs: Spec[]): HistoryEvent[] {
  const out: { e: HistoryEvent; rank: number; seq: number }[] = []
  specs.forEach((s, seq) => {
    const inv: HistoryEvent = { type: 'invoke', process: s.p, op: s.op, key: s.key, time: s.call }
    if (s.op === 'put' || s.op === 'cas') inv.value = s.value ?? null
    if (s.op === 'cas') inv.expected = s.expected ?? null
    out.push({ e: inv, rank: 1, seq })
    if (s.ret === undefined) return
    const type = s.type ?? 'ok'
    const done: HistoryEvent = { type, process: s.p, op: s.op, key: s.key, time: s.ret }
    if (s.op === 'get' && type === 'ok') done.value = s.value ?? null
    if (s.observed !== undefined) done.observed = s.observed
    out.push({ e: done, rank: s.ret === s.call ? 2 : 0, seq })
  })
  out.sort((a, b) => a.e.time - b.e.time || a.rank - b.rank || a.seq - b.seq)
  return out.map((x, index) => ({ ...x.e, index }))
}

interface RefOp {
  op: OpKind
  key: string
  value: string | null
  expected: string | null
  /** observed: what the key held when the operation took effect, when the node said. */
  observed: string | null | undefined
  /** noSwap: a cas that completed 'fail' with an observed value: a read that wrote nothing. */
  noSwap: boolean
  ok: boolean
  callRank: number
  returnRank: number
}

/**
 * bruteForce is the reference checker: it tries every order of the whole history's operations
 * (all keys at once, on a map) that respects real time, placing every ok operation and each info
 * operation or not. Independent of the checker's pairing, per-key split, cache and list.
 */
export function bruteForce(events: readonly HistoryEvent[]): boolean {
  const ranked = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.time - b.e.time || a.i - b.i)
  const rank = new Map(ranked.map((x, r) => [x.i, r]))
  const open = new Map<number, { e: HistoryEvent; i: number }>()
  const ops: RefOp[] = []
  const push = (
    inv: { e: HistoryEvent; i: number },
    done: { e: HistoryEvent; i: number } | null,
  ) => {
    const noSwap = done?.e.type === 'fail' && inv.e.op === 'cas' && done.e.observed !== undefined
    const ok = done?.e.type === 'ok' || noSwap
    if (done?.e.type === 'fail' && !noSwap) return
    if (inv.e.op === 'get' && !ok) return
    ops.push({
      op: inv.e.op,
      key: inv.e.key,
      value: (inv.e.op === 'get' ? done?.e.value : inv.e.value) ?? null,
      expected: inv.e.expected ?? null,
      observed: ok && inv.e.op !== 'get' ? done?.e.observed : undefined,
      noSwap,
      ok,
      callRank: rank.get(inv.i) as number,
      returnRank: ok && done ? (rank.get(done.i) as number) : Infinity,
    })
  }
  events.forEach((e, i) => {
    if (e.type === 'invoke') open.set(e.process, { e, i })
    else {
      push(open.get(e.process) as { e: HistoryEvent; i: number }, { e, i })
      open.delete(e.process)
    }
  })
  for (const inv of open.values()) push(inv, null)

  const done = new Array<boolean>(ops.length).fill(false)
  const state = new Map<string, string | null>()
  const search = (placedOk: number, totalOk: number): boolean => {
    if (placedOk === totalOk) return true
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i] as RefOp
      if (done[i]) continue
      // o may go next only if no unplaced ok operation returned before o was called.
      if (ops.some((q, j) => !done[j] && q.ok && q.returnRank < o.callRank)) continue
      const cur = state.get(o.key) ?? null
      let next: string | null = cur
      if (o.observed !== undefined && cur !== o.observed) continue
      if (o.op === 'get' && cur !== o.value) continue
      if (o.noSwap && cur === o.expected) continue
      if (o.op === 'cas' && !o.noSwap && cur !== o.expected) continue
      if (o.op === 'put' || (o.op === 'cas' && !o.noSwap)) next = o.value
      if (o.op === 'delete') next = null
      done[i] = true
      state.set(o.key, next)
      const found = search(placedOk + (o.ok ? 1 : 0), totalOk)
      state.set(o.key, cur)
      done[i] = false
      if (found) return true
    }
    return false
  }
  return search(0, ops.filter((o) => o.ok).length)
}

/** StepSpec is one step of a generated sequential execution; `pick` chooses a cas's expected
 * value (0: the current value, so it succeeds; 1: absent; otherwise an earlier written value). */
export interface StepSpec {
  process: number
  kind: OpKind
  key: string
  pick: number
}

/** GenOp is an operation of a generated history with its linearization point `lp`. */
export interface GenOp {
  process: number
  op: OpKind
  key: string
  value: string | null
  expected: string | null
  /** observed: the key's value at lp, reported on the completion of puts, deletes and cas. */
  observed: string | null | undefined
  outcome: Exclude<EventType, 'invoke'> | 'open'
  lp: number
  call: number
  ret: number
}

/**
 * sequentialHistory runs `steps` against a map in order (step i takes effect at lp = 10(i+1);
 * every write writes a fresh value `v<i>`), then widens each operation to [lp - a, lp + b] from
 * `widen` (b at least 1), clipped so each process still has one operation at a time. Every
 * linearization point stays inside its interval, so the history is linearizable. A cas whose
 * expected value does not match completes with 'fail'. Puts, deletes and cas carry the value they
 * saw (`observed`), as the workload records it.
 */
export function sequentialHistory(
  steps: readonly StepSpec[],
  widen: readonly { a: number; b: number }[],
): GenOp[] {
  const state = new Map<string, string | null>()
  const writtenOn = new Map<string, string[]>()
  const ops: GenOp[] = steps.map((s, i) => {
    const cur = state.get(s.key) ?? null
    const written = writtenOn.get(s.key) ?? []
    const fresh = `v${i}`
    const lp = 10 * (i + 1)
    const base = { process: s.process, op: s.kind, key: s.key, lp, call: lp, ret: lp }
    let value: string | null = null
    let expected: string | null = null
    let outcome: GenOp['outcome'] = 'ok'
    if (s.kind === 'get') value = cur
    if (s.kind === 'put') value = fresh
    if (s.kind === 'cas') {
      value = fresh
      expected =
        s.pick === 0 ? cur : s.pick === 1 ? null : (written[s.pick % written.length] ?? null)
      if (expected !== cur) outcome = 'fail'
    }
    const writes = s.kind === 'put' || s.kind === 'delete' || (s.kind === 'cas' && outcome === 'ok')
    if (writes) state.set(s.key, s.kind === 'delete' ? null : fresh)
    if (writes && s.kind !== 'delete') writtenOn.set(s.key, [...written, fresh])
    const observed = s.kind === 'get' ? undefined : cur
    return { ...base, value, expected, observed, outcome }
  })
  // nextLp[i]: the linearization point of the same process's next operation.
  const nextLp = new Array<number>(ops.length)
  const seen = new Map<number, number>()
  for (let i = ops.length - 1; i >= 0; i--) {
    const o = ops[i] as GenOp
    nextLp[i] = seen.get(o.process) ?? Infinity
    seen.set(o.process, o.lp)
  }
  const lastRet = new Map<number, number>()
  ops.forEach((o, i) => {
    const w = widen[i % Math.max(1, widen.length)] ?? { a: 0, b: 1 }
    o.call = Math.max(lastRet.get(o.process) ?? -Infinity, o.lp - w.a)
    o.ret = Math.min(o.lp + Math.max(1, w.b), (nextLp[i] as number) - 1)
    lastRet.set(o.process, o.ret)
  })
  return ops
}

/** toEvents lists a generated history's events by time, completions before invocations at equal
 * times; an 'open' operation has no completion. */
export function toEvents(ops: readonly GenOp[]): HistoryEvent[] {
  return history(
    ...ops.map((o) => ({
      p: o.process,
      op: o.op,
      key: o.key,
      value: o.value,
      expected: o.expected,
      call: o.call,
      // Only an answer carries what the node saw: never an info or open operation.
      ...(o.observed !== undefined && (o.outcome === 'ok' || o.outcome === 'fail')
        ? { observed: o.observed }
        : {}),
      ...(o.outcome === 'open' ? {} : { ret: o.ret, type: o.outcome }),
    })),
  )
}
