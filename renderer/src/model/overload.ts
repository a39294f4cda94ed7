// Elections no fault explains: when a node's timers run late (node.lag: its event loop was busy,
// or the machine has more work than cores), heartbeats go out late and followers time out — a
// leader change that is the machine's doing, not Raft's. This says so on the ring and in the
// narrative. Pure: no DOM, no Vue.
import { nodeName, type ClusterConfig } from '../../../shared/lab/config'
import type { LabEvent } from '../../../shared/lab/events'
import type { NodeId } from '../../../shared/raft/types'
import type { ClusterModel, NodeModel } from './cluster'
import type { NarrativeLine } from './narrative'

/** LAG_RECENT_MS: a lag report counts for this long after it arrived. */
export const LAG_RECENT_MS = 3000
/** OVERLOAD_REPEAT_MS: the narrative explains at most one election this often. */
export const OVERLOAD_REPEAT_MS = 5000

/** lateThresholdMs: timers this late can cost a heartbeat — the heartbeat interval (50 ms by
 * default), never under 20 ms. */
export function lateThresholdMs(c: ClusterConfig | null): number {
  return Math.max(20, c ? c.heartbeatMs * c.timeScale : 50)
}

/** lateBy says how late a node's timers ran recently (ms), or 0 when on time. */
export function lateBy(c: ClusterConfig | null, n: NodeModel, nowMs: number): number {
  const l = n.lag
  if (!l || n.state !== 'running' || nowMs - l.timeMs > LAG_RECENT_MS) return 0
  return l.maxMs >= lateThresholdMs(c) ? l.maxMs : 0
}

/** faultInForce says whether something the person did explains an election: a link rule, or a
 * node that is not running. */
function faultInForce(m: ClusterModel): boolean {
  return m.links.length > 0 || m.nodes.some((n) => n.state !== 'running')
}

/** OverloadState remembers the last explanation given, and the last election nothing explained
 * yet: a node stalled for a moment reports its lag only after the stall — after the election it
 * caused. */
export interface OverloadState {
  saidMs: number
  unexplained: { seq: number; timeMs: number; what: 'election' | 'step-down' } | null
}

/** createOverloadState: nothing said, nothing waiting. */
export function createOverloadState(): OverloadState {
  return { saidMs: -Infinity, unexplained: null }
}

/** overloadLine explains an election or a CheckQuorum step-down that no fault explains, when a
 * node's timers ran late just before it or report so within LAG_RECENT_MS after it; null
 * otherwise, and at most once per OVERLOAD_REPEAT_MS. */
export function overloadLine(
  st: OverloadState,
  m: ClusterModel,
  ev: LabEvent,
): NarrativeLine | null {
  let what: 'election' | 'step-down'
  if (ev.type === 'node.raft') {
    const e = ev.event
    // An election while the cluster had a leader (not the first one, nor one after the leader
    // was lost to a fault), or a leader stepping down for want of a majority.
    if (e.kind === 'electionStarted' && !e.transfer && m.leader !== null) what = 'election'
    else if (e.kind === 'steppedDown' && e.reason === 'check-quorum') what = 'step-down'
    else return null
    if (faultInForce(m)) return null
  } else if (ev.type === 'node.lag') {
    const u = st.unexplained
    if (!u || ev.timeMs - u.timeMs > LAG_RECENT_MS || faultInForce(m)) return null
    what = u.what
  } else return null
  if (ev.timeMs - st.saidMs < OVERLOAD_REPEAT_MS) return null
  let worst: { id: NodeId; ms: number; load: number } | null = null
  for (const n of m.nodes) {
    const ms = lateBy(m.config, n, ev.timeMs)
    if (ms > 0 && (!worst || ms > worst.ms)) worst = { id: n.id, ms, load: n.lag?.loadPerCpu ?? 0 }
  }
  if (!worst) {
    // The first of a run of unexplained events is where the trouble began: keep it.
    const u = st.unexplained
    if (ev.type === 'node.raft' && (!u || ev.timeMs - u.timeMs > LAG_RECENT_MS))
      st.unexplained = { seq: ev.seq, timeMs: ev.timeMs, what }
    return null
  }
  st.saidMs = ev.timeMs
  st.unexplained = null
  const load =
    worst.load > 1
      ? `the machine is overloaded (load ${worst.load.toFixed(1)} per CPU)`
      : 'its process was held up (a busy event loop, or a machine short of CPU)'
  return {
    id: `${ev.seq}O`,
    timeMs:
      ev.type === 'node.raft' && ev.atMs !== undefined ? Math.min(ev.atMs, ev.timeMs) : ev.timeMs,
    kind: 'warning',
    text:
      `${nodeName(worst.id)}'s timers ran ${Math.round(worst.ms)} ms late: ${load}. No fault is ` +
      `in force — late timers, not Raft, likely caused this ${what}`,
    nodes: [worst.id],
  }
}
