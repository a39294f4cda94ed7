// Every node's Raft log as runs of equal terms, built from node.log append/truncate events. A run
// per term change (not a cell per entry) keeps a million-entry log in a few hundred bytes, and the
// log view only ever draws the last N indices. Pure: no DOM, no Vue.
import type { LabEvent } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'

/** UNKNOWN_TERM marks entries the renderer knows exist but whose term it never saw (the session
 * began before the renderer connected, or a node recovered entries from disk). */
export const UNKNOWN_TERM = 0

/** TermRun is a stretch of consecutive entries with one term, from `start` up to the next run's
 * start (or the log's lastIndex). */
export interface TermRun {
  start: number
  term: number
}

/** NodeLog is one node's log. */
export interface NodeLog {
  runs: TermRun[]
  lastIndex: number
  /** commit is the node's commit index from its last status. */
  commit: number
  /** lastTruncation remembers the newest dropped suffix, so the view can show that it happened. */
  lastTruncation: { fromIndex: number; toIndex: number; timeMs: number } | null
  /** lastAppendMs is when entries last arrived (a stale follower stops getting them). */
  lastAppendMs: number
}

/** LogsModel is every node's log. */
export type LogsModel = Map<NodeId, NodeLog>

/** MAX_RUNS bounds one log's runs; older runs are forgotten (the view shows the tail only). */
export const MAX_RUNS = 4096

/** createLogsModel returns an empty set of logs. */
export function createLogsModel(): LogsModel {
  return new Map()
}

function logOf(m: LogsModel, id: NodeId): NodeLog {
  let l = m.get(id)
  if (!l) {
    l = { runs: [], lastIndex: 0, commit: 0, lastTruncation: null, lastAppendMs: 0 }
    m.set(id, l)
  }
  return l
}

/** truncateLog drops every entry from `fromIndex` on. */
export function truncateLog(l: NodeLog, fromIndex: number, timeMs: number): void {
  if (fromIndex > l.lastIndex) return
  // Dropping entries whose terms were never known is bookkeeping, not a conflict worth showing.
  const known = l.runs.some((r, i) => {
    const end = i + 1 < l.runs.length ? (l.runs[i + 1] as TermRun).start - 1 : l.lastIndex
    return r.term !== UNKNOWN_TERM && end >= fromIndex
  })
  if (known) l.lastTruncation = { fromIndex, toIndex: l.lastIndex, timeMs }
  while (l.runs.length > 0 && (l.runs[l.runs.length - 1] as TermRun).start >= fromIndex)
    l.runs.pop()
  l.lastIndex = Math.max(0, fromIndex - 1)
}

function pushTerm(l: NodeLog, index: number, term: number): void {
  const last = l.runs[l.runs.length - 1]
  if (!last || last.term !== term) l.runs.push({ start: index, term })
  l.lastIndex = index
}

/** extendUnknown records that entries up to `lastIndex` exist without knowing their terms. */
function extendUnknown(l: NodeLog, lastIndex: number): void {
  if (lastIndex <= l.lastIndex) return
  pushTerm(l, l.lastIndex + 1, UNKNOWN_TERM)
  l.lastIndex = lastIndex
}

/** appendLog adds entries fromIndex..fromIndex+terms.length-1. An append that starts inside the
 * log replaces the suffix (the engine reports the truncation first, but a consumer that joined
 * late may not have seen it); one that starts past the end leaves unknown entries between. */
export function appendLog(l: NodeLog, fromIndex: number, terms: readonly number[], timeMs: number) {
  if (fromIndex <= l.lastIndex) truncateLog(l, fromIndex, timeMs)
  if (fromIndex > l.lastIndex + 1) extendUnknown(l, fromIndex - 1)
  for (let i = 0; i < terms.length; i++) pushTerm(l, fromIndex + i, terms[i] as number)
  l.lastAppendMs = timeMs
  if (l.runs.length > MAX_RUNS) l.runs.splice(0, l.runs.length - MAX_RUNS)
}

/** reduceLogs applies one event; it returns whether a log changed. */
export function reduceLogs(m: LogsModel, ev: LabEvent): boolean {
  switch (ev.type) {
    case 'cluster.started':
    case 'cluster.stopped':
      m.clear()
      return true
    case 'node.log': {
      const l = logOf(m, ev.node)
      if (ev.op === 'truncate') truncateLog(l, ev.fromIndex, ev.timeMs)
      else appendLog(l, ev.fromIndex, ev.terms, ev.timeMs)
      return true
    }
    case 'node.recovered': {
      // What survived on disk is the truth: a crash may have lost an unsynced tail.
      const l = logOf(m, ev.node)
      if (l.lastIndex > ev.lastIndex) truncateLog(l, ev.lastIndex + 1, ev.timeMs)
      else extendUnknown(l, ev.lastIndex)
      return true
    }
    case 'node.status': {
      const l = logOf(m, ev.node)
      const changed = l.commit !== ev.status.commit || ev.status.lastIndex > l.lastIndex
      l.commit = ev.status.commit
      // Entries the stream never described (a hello that began mid-session) still exist. Only
      // for a log never described at all: a live status may run ahead of its node.log event.
      if (l.runs.length === 0) extendUnknown(l, ev.status.lastIndex)
      return changed
    }
    default:
      return false
  }
}

/** LogSegment is a stretch of cells the log view draws: one term, committed or not. */
export interface LogSegment {
  from: number
  to: number
  term: number
  committed: boolean
}

/** LogRow is one node's row of the log view. */
export interface LogRow {
  node: NodeId
  segments: LogSegment[]
  lastIndex: number
  commit: number
  /** behind: entries this node lacks compared with the longest log. */
  behind: number
  /** truncatedRecently: the newest truncation, if it happened within the view's memory. */
  truncation: { fromIndex: number; toIndex: number; timeMs: number } | null
}

/** LogWindow is what the log view draws: indices from..to for every node. */
export interface LogWindow {
  from: number
  to: number
  /** hidden counts the indices before `from` that the view leaves out. */
  hidden: number
  rows: LogRow[]
}

/** logWindow cuts the last `cells` indices out of every log, aligned on the longest one so a
 * column is one index on every node (a stale follower's row simply ends early). */
export function logWindow(m: LogsModel, nodes: readonly NodeId[], cells: number): LogWindow {
  let to = 0
  for (const id of nodes) to = Math.max(to, m.get(id)?.lastIndex ?? 0)
  const from = Math.max(1, to - cells + 1)
  const rows: LogRow[] = nodes.map((node) => {
    const l = m.get(node)
    const row: LogRow = {
      node,
      segments: [],
      lastIndex: l?.lastIndex ?? 0,
      commit: l?.commit ?? 0,
      behind: to - (l?.lastIndex ?? 0),
      truncation: l?.lastTruncation ?? null,
    }
    if (!l) return row
    const runs = l.runs
    for (let i = runs.length - 1; i >= 0; i--) {
      const r = runs[i] as TermRun
      const end = i + 1 < runs.length ? (runs[i + 1] as TermRun).start - 1 : l.lastIndex
      if (end < from) break
      const a = Math.max(r.start, from)
      const b = Math.min(end, to)
      if (a > b) continue
      // Split at the commit index: committed entries are drawn solid, the rest hollow.
      if (l.commit >= b) row.segments.push({ from: a, to: b, term: r.term, committed: true })
      else if (l.commit < a) row.segments.push({ from: a, to: b, term: r.term, committed: false })
      else {
        row.segments.push({ from: l.commit + 1, to: b, term: r.term, committed: false })
        row.segments.push({ from: a, to: l.commit, term: r.term, committed: true })
      }
    }
    row.segments.reverse()
    return row
  })
  return { from, to, hidden: from - 1, rows }
}
