// Every node's Raft log as runs of equal terms, built from node.log append/truncate events. A run
// per term change (not a cell per entry) keeps a million-entry log in a few hundred bytes, and the
// log view only ever draws the last N indices. Pure: no DOM, no Vue.
import type { LabEvent } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'
import {
  emptyLog,
  extendUnknown,
  foldLog,
  runEnd,
  type LogRuns,
  type TermRun,
} from '../../../shared/session/logRuns'
import { formatCount } from './format'

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
  /** snapshotIndex is the node's newest snapshot's last entry (0: none known). */
  snapshotIndex: number
  /** firstIndex is the first entry still in its log, from its status (0: not reported, as from
   * nodes older than events minor 8: the compacted prefix is then taken to end at
   * snapshotIndex). */
  firstIndex: number
  /** installing is a snapshot on its way to this node (node.snapshotTransfer, receive side). */
  installing: SnapshotInstall | null
}

/** SnapshotInstall is a snapshot a node is receiving from `peer`. */
export interface SnapshotInstall {
  peer: NodeId
  index: number
  doneBytes: number
  totalBytes: number
}

/** LogsModel is every node's log. */
export type LogsModel = Map<NodeId, NodeLog>

/** createLogsModel returns an empty set of logs. */
export function createLogsModel(): LogsModel {
  return new Map()
}

/** emptyNodeLog is the log of a node nothing has been heard of yet. */
export function emptyNodeLog(): NodeLog {
  return {
    ...emptyLog(),
    commit: 0,
    lastTruncation: null,
    lastAppendMs: 0,
    snapshotIndex: 0,
    firstIndex: 0,
    installing: null,
  }
}

function logOf(m: LogsModel, id: NodeId): NodeLog {
  let l = m.get(id)
  if (!l) {
    l = emptyNodeLog()
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
      if (ev.type === 'node.recovered') {
        l.snapshotIndex = ev.snapshotIndex ?? 0
        l.firstIndex = 0
        l.installing = null
      }
      if (ev.type !== 'node.status') return true
      const st = ev.status
      // (A status ahead of its node.log event redraws too: its commit may split a new run.)
      const redraw =
        changed ||
        l.commit !== st.commit ||
        st.lastIndex > l.lastIndex ||
        (st.snapshotIndex !== undefined && st.snapshotIndex !== l.snapshotIndex) ||
        (st.firstIndex !== undefined && st.firstIndex !== l.firstIndex)
      l.commit = st.commit
      if (st.snapshotIndex !== undefined) l.snapshotIndex = st.snapshotIndex
      if (st.firstIndex !== undefined) l.firstIndex = st.firstIndex
      // A snapshot from the leader moved the log past entries never described: they exist (in
      // the snapshot), so the row reaches them.
      if (l.firstIndex > l.lastIndex + 1) extendUnknown(l, l.firstIndex - 1)
      return redraw
    }
    case 'node.snapshot': {
      const l = logOf(m, ev.node)
      l.snapshotIndex = Math.max(l.snapshotIndex, ev.index)
      // An installed snapshot replaced the whole log up to its index; a snapshot taken keeps a
      // margin the next status tells.
      if (ev.kind === 'installed') {
        l.firstIndex = Math.max(l.firstIndex, ev.index + 1)
        extendUnknown(l, ev.index)
        if (l.installing?.index === ev.index) l.installing = null
      }
      return true
    }
    case 'node.snapshotTransfer': {
      if (ev.direction !== 'receive') return false
      const l = logOf(m, ev.node)
      const going = ev.state === 'started' || ev.state === 'progress'
      l.installing = going
        ? { peer: ev.peer, index: ev.index, doneBytes: ev.doneBytes, totalBytes: ev.totalBytes }
        : null
      return true
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
  /** compacted is the prefix the node's snapshot holds, cut to the window: drawn as one block
   * from `from` to `to` labelled with the snapshot's index (null: none in the window).
   * `firstIndex` (0: unknown) tells how much of it is gone from the log: a node keeps a margin
   * of entries behind its snapshot for slow followers, and those are drawn under the block too
   * (the snapshot is what a follower that far behind gets). */
  compacted: { from: number; to: number; snapshotIndex: number; firstIndex: number } | null
  /** installing is a snapshot this node is receiving (null: none). */
  installing: SnapshotInstall | null
}

/** LogWindow is what the log view draws: indices from..to for every node. */
export interface LogWindow {
  from: number
  to: number
  /** hidden counts the indices before `from` that the view leaves out. */
  hidden: number
  rows: LogRow[]
}

/** compactedTo is the last index the block covers (0: none): the snapshot's, or the log's first
 * index - 1 if compaction went further (a snapshot installed over an older one). */
export function compactedTo(l: NodeLog): number {
  if (l.snapshotIndex === 0) return 0
  return Math.min(Math.max(l.snapshotIndex, l.firstIndex - 1), l.lastIndex)
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
      compacted: null,
      installing: l?.installing ?? null,
    }
    if (!l) return row
    const cut = compactedTo(l)
    if (cut >= from) {
      const { snapshotIndex, firstIndex } = l
      row.compacted = { from, to: Math.min(cut, to), snapshotIndex, firstIndex }
    }
    const runs = l.runs
    for (let i = runs.length - 1; i >= 0; i--) {
      const r = runs[i] as TermRun
      const end = runEnd(l, i)
      if (end < from) break
      // The block stands for the entries the snapshot holds.
      const a = Math.max(r.start, from, cut + 1)
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

/** snapshotLabel names a compacted prefix by its snapshot: "snapshot ≤ 52,000". */
export function snapshotLabel(snapshotIndex: number): string {
  return `snapshot ≤ ${formatCount(snapshotIndex)}`
}

/** snapshotBlock words a row's snapshot block: its label, and a title saying which of the
 * entries it stands for are gone from the log and which are kept for slow followers. */
export function snapshotBlock(c: NonNullable<LogRow['compacted']>): {
  text: string
  title: string
} {
  const upTo = `entries up to ${formatCount(c.snapshotIndex)} are in the snapshot`
  return {
    text: snapshotLabel(c.snapshotIndex),
    title:
      c.firstIndex > 1 && c.firstIndex <= c.snapshotIndex
        ? `${upTo}; those before ${formatCount(c.firstIndex)} are compacted away, the rest kept for slow followers`
        : `${upTo} and compacted away`,
  }
}

/** installingLabel tells a transfer under way: "installing snapshot ≤ 52,000 — 40%". */
export function installingLabel(i: SnapshotInstall): string {
  const pct = i.totalBytes > 0 ? Math.floor((i.doneBytes / i.totalBytes) * 100) : 0
  return `installing snapshot ≤ ${formatCount(i.index)} — ${pct}%`
}
