// Unforced elections: the leader elections that no injected fault explains. A fault holds for a
// period (a node paused, crashed or stopped; link rules in force — the bands of faults.ts), and a
// cluster may need a moment after it ends to settle; an election won outside every such period
// and its settling time happened on its own — late timers under load, a disk holding up
// heartbeats — which is what a person measuring a cluster's stability wants counted. Pure.
import type { LabEvent } from '../lab/events'
import { createFaultBands, reduceFaults } from './faults'

/** FAULT_SETTLE_MS: an election within this long after a fault ended still counts as caused by it
 * (a restarted node's first election timeout, a healed partition's stale term: a few election
 * timeouts at the paper's 150–300 ms). */
export const FAULT_SETTLE_MS = 1000

/** unforcedElections counts the elections won (not pre-votes) at or after `sinceMs` (the event
 * clock) while no fault held and none had ended within `settleMs`. `events` is a session's
 * events in order; those that say what holds (node.process, links.changed, cluster.started and
 * stopped, commands) must be among them. */
export function unforcedElections(
  events: readonly LabEvent[],
  sinceMs: number,
  settleMs = FAULT_SETTLE_MS,
): number {
  const faults = createFaultBands(Number.MAX_SAFE_INTEGER)
  const wins: number[] = []
  let running = false
  for (const ev of events) {
    reduceFaults(faults, ev, running)
    if (ev.type === 'cluster.started') running = true
    else if (ev.type === 'cluster.stopped') running = false
    else if (ev.type === 'node.raft' && ev.event.kind === 'electionWon' && !ev.event.preVote) {
      if (ev.timeMs >= sinceMs) wins.push(ev.timeMs)
    }
  }
  const bands = faults.bands.filter((b) => !b.discarded)
  const explained = (t: number): boolean =>
    bands.some((b) => b.startMs <= t && (b.endMs === null || b.endMs + settleMs >= t))
  return wins.filter((t) => !explained(t)).length
}
