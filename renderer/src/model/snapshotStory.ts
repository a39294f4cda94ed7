// Snapshots told in plain words: a node that took one and compacted its log, a follower so far
// behind that its leader sent it the whole state, a transfer that failed. A sentence about an
// installed snapshot needs what the receiver held *before* it (its log only then jumps ahead), so
// this remembers that from the statuses seen — the one thing a single event cannot say. Pure: no
// DOM, no Vue.
import { nodeName } from '../../../shared/lab/config'
import type { LabEvent } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'
import { formatCount } from './format'
import type { NarrativeLine } from './narrative'

/** SnapshotStoryState is what the sentences need beyond the event at hand. */
export interface SnapshotStoryState {
  /** lastIndex is each node's last log index from its latest status. */
  lastIndex: Map<NodeId, number>
  /** before remembers a receiver's last index when a transfer to it began, by
   * `${node}:${index}`: statuses sent while the snapshot is installed already show the jump. */
  before: Map<string, number>
  /** told marks installs a transfer line already told (`${node}:${index}`), so the
   * node.snapshot 'installed' that follows adds no second line. */
  told: Set<string>
}

/** createSnapshotStory: nothing seen yet. */
export function createSnapshotStory(): SnapshotStoryState {
  return { lastIndex: new Map(), before: new Map(), told: new Set() }
}

/** formatBytes writes a size the way people say it: 830 B, 48 kB, 1.2 MB (powers of 1000). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let v = bytes
  let u = -1
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000
    u++
  }
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`
}

/** MAX_REMEMBERED bounds `before` and `told` (transfers that never end must not pile up). */
const MAX_REMEMBERED = 256

function remember<T>(m: Map<string, T> | Set<string>, key: string, value?: T): void {
  if (m instanceof Map) m.set(key, value as T)
  else m.add(key)
  if (m.size > MAX_REMEMBERED) m.delete(m.keys().next().value as string)
}

const n = nodeName

/** took writes a duration as a sentence wants it: 35 ms, 1.5 ms (not the charts' 35.0). */
const took = (ms: number): string => `${ms >= 10 ? Math.round(ms) : ms.toFixed(1)} ms`

/** behindClause is "n4 was 180,000 entries behind" when the receiver's log before is known and
 * shorter than the snapshot; null otherwise (nothing true to say). */
function behindClause(node: NodeId, index: number, lastBefore: number | undefined): string | null {
  if (lastBefore === undefined || lastBefore >= index) return null
  const gap = index - lastBefore
  return `${n(node)} was ${formatCount(gap)} ${gap === 1 ? 'entry' : 'entries'} behind`
}

/** snapshotLine folds one event into the state and returns the sentence it calls for, if any:
 * node.snapshot ('taken', 'installed') and node.snapshotTransfer ('finished' on the receiving
 * side, 'failed', 'rejected'). Progress and the sender's 'finished' say nothing: the receiver's
 * line tells the transfer once, and the log view shows it under way. */
export function snapshotLine(st: SnapshotStoryState, ev: LabEvent): NarrativeLine | null {
  const at = 'atMs' in ev && ev.atMs !== undefined ? Math.min(ev.atMs, ev.timeMs) : ev.timeMs
  const line = (text: string, nodes: NodeId[], kind: 'log' | 'warning' = 'log') => ({
    id: `${ev.seq}S`,
    timeMs: at,
    kind,
    text,
    nodes,
  })
  switch (ev.type) {
    case 'cluster.started':
      st.lastIndex.clear()
      st.before.clear()
      st.told.clear()
      return null
    case 'node.status':
      st.lastIndex.set(ev.node, ev.status.lastIndex)
      return null
    case 'node.snapshot': {
      const key = `${ev.node}:${ev.index}`
      if (ev.kind === 'taken') {
        return line(
          `${n(ev.node)} took a snapshot at ${formatCount(ev.index)} ` +
            `(${formatBytes(ev.bytes)}, ${took(ev.durationMs)}) and compacted its log`,
          [ev.node],
        )
      }
      if (st.told.has(key)) return null
      const behind = behindClause(
        ev.node,
        ev.index,
        st.before.get(key) ?? st.lastIndex.get(ev.node),
      )
      remember(st.told, key)
      const what = `installed a snapshot at ${formatCount(ev.index)} (${formatBytes(ev.bytes)})`
      return line(behind ? `${behind}; it ${what}` : `${n(ev.node)} ${what}`, [ev.node])
    }
    case 'node.snapshotTransfer': {
      const key = `${ev.node}:${ev.index}`
      const tookMs = ev.durationMs !== undefined ? ` in ${took(ev.durationMs)}` : ''
      const why = ev.reason ? `: ${ev.reason}` : ''
      if (ev.direction === 'receive') {
        if (ev.state === 'started') {
          remember(st.before, key, st.lastIndex.get(ev.node) ?? 0)
          return null
        }
        if (ev.state === 'finished') {
          const behind = behindClause(ev.node, ev.index, st.before.get(key))
          st.before.delete(key)
          // The node.snapshot 'installed' of this transfer would only repeat this line.
          remember(st.told, key)
          const sent = `${n(ev.peer)} sent it a snapshot of ${formatBytes(ev.totalBytes)}${tookMs}`
          return line(
            behind
              ? `${behind}; ${sent}`
              : `${n(ev.peer)} sent ${n(ev.node)} a snapshot of ${formatBytes(ev.totalBytes)}${tookMs}`,
            [ev.node, ev.peer],
          )
        }
        if (ev.state === 'rejected' || ev.state === 'failed') {
          st.before.delete(key)
          return line(
            `${n(ev.node)} ${ev.state === 'rejected' ? 'rejected' : 'lost'} the snapshot ` +
              `${n(ev.peer)} was sending it (at ${formatCount(ev.index)}, ` +
              `${formatBytes(ev.doneBytes)} of ${formatBytes(ev.totalBytes)})${why}`,
            [ev.node, ev.peer],
            'warning',
          )
        }
        return null
      }
      if (ev.state === 'failed' || ev.state === 'rejected') {
        return line(
          `${n(ev.node)} could not send ${n(ev.peer)} its snapshot at ${formatCount(ev.index)} ` +
            `(${formatBytes(ev.doneBytes)} of ${formatBytes(ev.totalBytes)} sent)${why}`,
          [ev.node, ev.peer],
          'warning',
        )
      }
      return null
    }
    default:
      return null
  }
}
