// Every node's Raft log as runs of equal terms, built from node.log append/truncate events. A run
// per term change (not a cell per entry) keeps a million-entry log in a few hundred bytes, and the
// log view only ever draws the last N indices. Pure: no DOM, no Vue.
import type { LabEvent } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'
import {
  emptyLog,
  foldLog,
  runEnd,
  type LogRuns,
  type TermRun,
} from '../../../shared/session/logRuns'

export { UNKNOWN_TERM, MAX_RUNS, type TermRun } from '../../../shared/session/logRuns'

/** NodeLog is one node's log (shared/session/logRuns.ts folds it) plus what the view shows
 * besides: the commit index, the newest dropped suffix, when entries last arrived. */
export interface NodeLog extends LogRuns {
  /** commit is the node's commit index from its last status. */
  commit: number
  /** lastTruncation remembers the newest dropped suffix, so the view can show that it happened. */
  lastTruncation: { fromIndex: number; toIndex: number; timeMs: number } | null
  /** lastAppendMs is when entries last arrived (a stale follower stops getting them). */
  lastAppendMs: number
}

/** LogsModel is every node's log. */
export type LogsModel = Map<NodeId, NodeLog>

/** createLogsModel returns an empty set of logs. */
export function createLogsModel(): LogsModel {
  return new Map()
}

function logOf(m: LogsModel, id: NodeId): NodeLog {
  let l = m.get(id)
  if (!l) {
    l = { ...emptyLog(), commit: 0, lastTruncation: null, lastAppendMs: 0 }
    m.set(id, l)
  }
  return l
}

/** reduceLogs applies one event; it returns whether a log changed. */
export function reduceLogs(m: LogsModel, ev: LabEvent): boolean {
  switch (ev.type) {
    case 'cluster.started':
    case 'cluster.stopped':
      m.clear()
      return true
    case 'node.log':
    case 'node.recovered':
    case 'node.status': {
      const l = logOf(m, ev.node)
      const { changed, dropped } = foldLog(l, ev)
      if (dropped) l.lastTruncation = { ...dropped, timeMs: ev.timeMs }
      if (ev.type === 'node.log' && ev.op === 'append') l.lastAppendMs = ev.timeMs
      if (ev.type !== 'node.status') return true
      // (A status ahead of its node.log event redraws too: its commit may split a new run.)
      const redraw = changed || l.commit !== ev.status.commit || ev.status.lastIndex > l.lastIndex
      l.commit = ev.status.commit
      return redraw
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
      const end = runEnd(l, i)
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
