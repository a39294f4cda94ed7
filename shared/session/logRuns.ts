// A node's Raft log as runs of equal terms, folded from node.log (append, truncate),
// node.recovered and node.status events — one fold for the session state recordings keep and the
// app's log view. A run per term change (not a cell per entry) keeps a million-entry log in a
// few hundred bytes. Plain JSON-able data (keyframes store it). Pure.
import type { LabEvent } from '../lab/events'

/** UNKNOWN_TERM marks entries known to exist whose term was never seen (the stream began after
 * them, or a node recovered them from disk). */
export const UNKNOWN_TERM = 0

/** TermRun is a stretch of consecutive entries with one term, from `start` up to the next run's
 * start (or the log's lastIndex). */
export interface TermRun {
  start: number
  term: number
}

/** LogRuns is one node's log. */
export interface LogRuns {
  runs: TermRun[]
  lastIndex: number
}

/** MAX_RUNS bounds one log's runs; older runs are forgotten (views show the tail). */
export const MAX_RUNS = 4096

/** emptyLog: no entries. */
export function emptyLog(): LogRuns {
  return { runs: [], lastIndex: 0 }
}

/** runEnd is the last index of run i. */
export function runEnd(l: LogRuns, i: number): number {
  return i + 1 < l.runs.length ? (l.runs[i + 1] as TermRun).start - 1 : l.lastIndex
}

/** truncateLog drops every entry from `fromIndex` on; it returns the dropped range when it held
 * entries of a known term (a conflict worth showing), else null (bookkeeping). */
export function truncateLog(
  l: LogRuns,
  fromIndex: number,
): { fromIndex: number; toIndex: number } | null {
  if (fromIndex > l.lastIndex) return null
  const known = l.runs.some((r, i) => r.term !== UNKNOWN_TERM && runEnd(l, i) >= fromIndex)
  const dropped = known ? { fromIndex, toIndex: l.lastIndex } : null
  while (l.runs.length > 0 && (l.runs[l.runs.length - 1] as TermRun).start >= fromIndex)
    l.runs.pop()
  l.lastIndex = Math.max(0, fromIndex - 1)
  return dropped
}

function pushTerm(l: LogRuns, index: number, term: number): void {
  const last = l.runs[l.runs.length - 1]
  if (!last || last.term !== term) l.runs.push({ start: index, term })
  l.lastIndex = index
}

/** extendUnknown records that entries up to `lastIndex` exist without knowing their terms. */
export function extendUnknown(l: LogRuns, lastIndex: number): void {
  if (lastIndex <= l.lastIndex) return
  pushTerm(l, l.lastIndex + 1, UNKNOWN_TERM)
  l.lastIndex = lastIndex
}

/** appendLog adds entries fromIndex..fromIndex+terms.length-1. An append that starts inside the
 * log replaces the suffix (the engine reports the truncation first, but a consumer that joined
 * late may not have seen it); one that starts past the end leaves unknown entries between. It
 * returns what a truncation it implied dropped, as truncateLog does. */
export function appendLog(
  l: LogRuns,
  fromIndex: number,
  terms: readonly number[],
): { fromIndex: number; toIndex: number } | null {
  const dropped = fromIndex <= l.lastIndex ? truncateLog(l, fromIndex) : null
  if (fromIndex > l.lastIndex + 1) extendUnknown(l, fromIndex - 1)
  for (let i = 0; i < terms.length; i++) pushTerm(l, fromIndex + i, terms[i] as number)
  if (l.runs.length > MAX_RUNS) l.runs.splice(0, l.runs.length - MAX_RUNS)
  return dropped
}

/** foldLog applies one event about this node's log; it returns whether the log changed and what
 * a truncation dropped. */
export function foldLog(
  l: LogRuns,
  ev: LabEvent,
): { changed: boolean; dropped: { fromIndex: number; toIndex: number } | null } {
  switch (ev.type) {
    case 'node.log':
      return {
        changed: true,
        dropped:
          ev.op === 'truncate'
            ? truncateLog(l, ev.fromIndex)
            : appendLog(l, ev.fromIndex, ev.terms),
      }
    case 'node.recovered':
      // What survived on disk is the truth: a crash may have lost an unsynced tail.
      if (l.lastIndex > ev.lastIndex)
        return { changed: true, dropped: truncateLog(l, ev.lastIndex + 1) }
      extendUnknown(l, ev.lastIndex)
      return { changed: true, dropped: null }
    case 'node.status': {
      // Entries the stream never described (a stream joined mid-session) still exist. Only for a
      // log never described at all: a live status may run ahead of its node.log event.
      const before = l.lastIndex
      if (l.runs.length === 0) extendUnknown(l, ev.status.lastIndex)
      return { changed: l.lastIndex !== before, dropped: null }
    }
    default:
      return { changed: false, dropped: null }
  }
}
