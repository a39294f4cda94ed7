// What the checker shows on a violation: the operations of the offending key around the point
// where no order works, small enough to read, and the same as plain text for the CLI.
import type { Operation } from './history'
import { PREFIX_SHOWN, type StuckPoint } from './search'

/** CONCURRENT_SHOWN caps the operations a witness lists as concurrent with the stuck one. */
export const CONCURRENT_SHOWN = 20

/** WitnessStep is one operation of the longest linearizable prefix with the value it left. */
export interface WitnessStep {
  op: Operation
  valueAfter: string | null
}

/**
 * Witness explains a violation on one key. The search's best order linearized `prefixLength`
 * operations (the last few are `prefix`, with the value after each, ending at `valueBefore`) and
 * then reached the return of `op` without being able to place it: no order of the operations
 * around it leaves a state where its recorded outcome is possible. `concurrent` lists the
 * operations whose intervals overlap `op`'s (the ones an order could still move around it; at most
 * CONCURRENT_SHOWN, the nearest). `explanation` says what went wrong in one line.
 */
export interface Witness {
  key: string
  op: Operation
  valueBefore: string | null
  prefixLength: number
  prefix: WitnessStep[]
  concurrent: Operation[]
  explanation: string
}

function count(n: number): string {
  return n === 1 ? '1 operation' : `${n} operations`
}

function show(v: string | null): string {
  return v === null ? 'absent' : JSON.stringify(v)
}

/** buildWitness turns a key's stuck point into a Witness. `ops` are that key's operations as
 * searched (the stuck point's indices refer to them); `allOps`, when the search left some out,
 * are all of them, so the witness still shows every operation concurrent with the stuck one. */
export function buildWitness(
  key: string,
  ops: readonly Operation[],
  stuck: StuckPoint,
  allOps: readonly Operation[] = ops,
): Witness {
  const op = ops[stuck.op] as Operation
  const overlapping = allOps.filter(
    (o) => o !== op && o.callRank < op.returnRank && o.returnRank > op.callRank,
  )
  const nearest = (o: Operation): number => Math.abs(o.callRank - op.callRank)
  const concurrent = [...overlapping]
    .sort((a, b) => nearest(a) - nearest(b))
    .slice(0, CONCURRENT_SHOWN)
    .sort((a, b) => a.callRank - b.callRank)
  const prefix = stuck.prefix.map((s) => ({ op: ops[s.op] as Operation, valueAfter: s.valueAfter }))
  // A cas that did not swap wrote nothing.
  const written = new Set(
    allOps.flatMap((o) =>
      o.op === 'put' || (o.op === 'cas' && o.swapped !== false) ? [o.value] : [],
    ),
  )
  return {
    key,
    op,
    valueBefore: stuck.valueBefore,
    prefixLength: stuck.prefixLength,
    prefix,
    concurrent,
    explanation: explain(op, stuck, overlapping.length, written, allOps),
  }
}

function explain(
  op: Operation,
  stuck: StuckPoint,
  concurrentCount: number,
  written: ReadonlySet<string | null>,
  ops: readonly Operation[],
): string {
  const who = `${op.op} by process ${op.process}`
  const after =
    `after the longest linearizable prefix (${count(stuck.prefixLength)}) the value is ` +
    show(stuck.valueBefore)
  const others =
    concurrentCount === 0
      ? 'no operation is concurrent with it'
      : `no order of it and the ${count(concurrentCount)} concurrent with it works`
  let needed: string | null | undefined
  let outcome = ''
  if (op.op === 'get') {
    needed = op.value
    outcome = `returned ${show(needed)}`
  } else if (op.op === 'cas' && op.swapped === false) {
    needed = op.observed ?? null
    if (needed === op.expected) {
      return `${who} expected ${show(needed)}, saw ${show(needed)} and did not swap: no state allows that`
    }
    outcome = `did not swap and saw ${show(needed)}`
  } else if (op.op === 'cas') {
    needed = op.expected
    if (op.observed !== undefined && op.observed !== op.expected) {
      return `${who} expected ${show(op.expected)} and succeeded, yet saw ${show(op.observed)}: no state allows that`
    }
    outcome = `expected ${show(needed)} and succeeded`
  } else if (op.observed !== undefined) {
    needed = op.observed
    outcome = `replaced ${show(needed)}`
  }
  if (needed === undefined) {
    return `${who} (${describeOperation(op)}) fits no order of the operations around it (${count(concurrentCount)} concurrent); ${after}`
  }
  if (needed !== null && !written.has(needed)) {
    return `${who} ${outcome}, a value no operation on this key ever wrote`
  }
  if (needed === null && !ops.some((o) => o.op === 'delete') && stuck.valueBefore !== null) {
    return `${who} ${outcome}, but ${after} and no operation on this key deletes it`
  }
  return `${who} ${outcome}, but ${after} and ${others}`
}

/** describeOperation renders one operation's kind, input and output: `put "a"`, `get → "a"`,
 * `cas "a"→"b"`, `delete`; with what a write saw when it is known — `put "a" over "z"`,
 * `delete over "z"`, `cas "a"→"b" did not swap, saw "z"` (a cas that swapped saw its expected
 * value, shown only if it says otherwise). */
export function describeOperation(op: Operation): string {
  const over = op.observed !== undefined ? ` over ${show(op.observed)}` : ''
  switch (op.op) {
    case 'put':
      return `put ${show(op.value)}${over}`
    case 'get':
      return `get → ${show(op.value)}`
    case 'cas': {
      const base = `cas ${show(op.expected)}→${show(op.value)}`
      if (op.swapped === false) return `${base} did not swap, saw ${show(op.observed ?? null)}`
      if (op.observed !== undefined && op.observed !== op.expected)
        return `${base}, saw ${show(op.observed)}`
      return base
    }
    case 'delete':
      return `delete${over}`
  }
}

function formatOp(op: Operation): string {
  const ret = op.status === 'info' ? '∞' : String(op.return)
  const events = op.returnIndex === undefined ? `${op.index}` : `${op.index},${op.returnIndex}`
  const status = op.status === 'info' ? ' (info)' : ''
  return `p${op.process} ${describeOperation(op)}${status} [${op.call}, ${ret}] events ${events}`
}

/** formatWitness renders a Witness as a few indented lines for a terminal: the explanation, the
 * tail of the longest linearizable prefix, the operation that could not be placed and the
 * operations pending at that point. */
export function formatWitness(w: Witness): string {
  const lines = [`key ${JSON.stringify(w.key)}: ${w.explanation}`]
  const hidden = w.prefixLength - w.prefix.length
  lines.push(
    `  longest linearizable prefix: ${count(w.prefixLength)}` +
      (hidden > 0 ? ` (last ${w.prefix.length} shown, at most ${PREFIX_SHOWN})` : ''),
  )
  for (const s of w.prefix) lines.push(`    ${formatOp(s.op)}  ⇒ ${show(s.valueAfter)}`)
  lines.push(`  could not be placed (value before: ${show(w.valueBefore)}):`)
  lines.push(`    ${formatOp(w.op)}`)
  if (w.concurrent.length > 0) {
    lines.push(`  concurrent with it:`)
    for (const o of w.concurrent) lines.push(`    ${formatOp(o)}`)
  }
  return lines.join('\n')
}
