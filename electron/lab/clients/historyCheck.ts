// A history file checked for linearizability, with the counts a report shows: what `raftlab test`
// does after its run and what `raftlab check` does to any history in the same format.
import { readFileSync } from 'node:fs'
import { checkHistory, formatWitness, parseHistory, type HistoryEvent } from '../../../shared/check'

/** DEFAULT_CHECK_TIME_BUDGET_MS bounds a check when the caller gives no budget: two minutes,
 * after which the verdict is 'unknown'. */
export const DEFAULT_CHECK_TIME_BUDGET_MS = 120_000

/** OpTally counts completions by outcome. */
export interface OpTally {
  ok: number
  fail: number
  info: number
}

/** HistoryVerdict is a checked history: the verdict (`valid`), the operations by outcome (an
 * invocation the history never completes counts as info, as the checker counts it) and by kind,
 * and what the checker looked at, with the reason for 'unknown' and the witness of a violation as
 * text. */
export interface HistoryVerdict {
  valid: true | false | 'unknown'
  ops: OpTally & { total: number; byOp: Record<string, OpTally> }
  check: { keys: number; ops: number; reason?: string; witness?: string }
}

/** HistoryFileError is a history file that cannot be read at all (missing, a directory, no
 * permission); its message says which and names the file. */
export class HistoryFileError extends Error {
  override name = 'HistoryFileError'
}

/** readHistoryFile reads and parses a history file ('-' reads standard input). It throws
 * HistoryFileError when the file cannot be read and MalformedHistoryError (naming the line) when a
 * line is not a record. */
export function readHistoryFile(path: string): HistoryEvent[] {
  let text: string
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (err as Error).message
    throw new HistoryFileError(`cannot read ${path}: ${why}`)
  }
  return parseHistory(text)
}

/** checkHistoryEvents checks parsed events (see checkHistory: it throws MalformedHistoryError on a
 * history that breaks the recording rules) within `timeBudgetMs` of this process's clock, and
 * counts the operations. */
export function checkHistoryEvents(
  history: readonly HistoryEvent[],
  timeBudgetMs: number,
): HistoryVerdict {
  const result = checkHistory(history, { now: () => performance.now(), timeBudgetMs })
  const byOp: Record<string, OpTally> = {}
  const invokesByOp: Record<string, number> = {}
  for (const e of history) {
    if (e.type === 'invoke') invokesByOp[e.op] = (invokesByOp[e.op] ?? 0) + 1
    else (byOp[e.op] ??= { ok: 0, fail: 0, info: 0 })[e.type]++
  }
  const totals: OpTally = { ok: 0, fail: 0, info: 0 }
  let invokes = 0
  for (const [op, n] of Object.entries(invokesByOp)) {
    const c = (byOp[op] ??= { ok: 0, fail: 0, info: 0 })
    c.info += n - (c.ok + c.fail + c.info)
    invokes += n
  }
  for (const c of Object.values(byOp)) {
    totals.ok += c.ok
    totals.fail += c.fail
    totals.info += c.info
  }
  return {
    valid: result.valid,
    ops: { total: invokes, ...totals, byOp },
    check: {
      keys: result.keys,
      ops: result.ops,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.witness ? { witness: formatWitness(result.witness) } : {}),
    },
  }
}
