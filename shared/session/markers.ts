// Markers: the moments of a session worth jumping to on a replay's timeline — elections started,
// leaders elected, faults applied and healed.
import type { LabEvent } from '../lab/events'
import { nodeName } from '../lab/config'

/** Marker is one notable moment. */
export interface Marker {
  timeMs: number
  seq: number
  kind: 'election' | 'leader' | 'fault' | 'heal'
  label: string
}

/** markerOf returns the marker an event makes, or null. */
export function markerOf(e: LabEvent): Marker | null {
  const at = { timeMs: e.timeMs, seq: e.seq }
  if (e.type === 'node.raft') {
    const ev = e.event
    if (ev.kind === 'electionStarted' && !ev.preVote) {
      return {
        ...at,
        kind: 'election',
        label: `${nodeName(e.node)} started an election for term ${ev.term}`,
      }
    }
    if (ev.kind === 'electionWon' && !ev.preVote) {
      return {
        ...at,
        kind: 'leader',
        label: `${nodeName(e.node)} became leader of term ${ev.term}`,
      }
    }
    return null
  }
  if (e.type === 'fault')
    return { ...at, kind: e.action === 'applied' ? 'fault' : 'heal', label: e.description }
  return null
}
