// Which re-runs a recording offers, and their plans: the whole session from its cluster's start,
// or — for a recording made mid-session (the record button pressed while a cluster ran) — only
// its recorded part, which is what the person recorded and usually what they mean. Pure: a
// reader in, plans out.
import type { RecordingReader } from '../../../shared/session/reader'
import { planRecordedPart, planRerun, type RerunPlan } from '../../../shared/session/rerun'
import type { SessionState } from '../../../shared/session/state'

/** RerunPart is what a re-run plays: the recorded part, or the whole session from its start. */
export type RerunPart = 'recorded' | 'whole'

/** RerunOffer says what re-running a recording can do, for the Re-run dialog. */
export interface RerunOffer {
  /** recordedMs: the recorded part's length, when it can be re-run on its own (the recording
   * began while its cluster was running); null otherwise. */
  recordedMs: number | null
  /** clusterRanMs: how long the cluster had run when recording began (with recordedMs). */
  clusterRanMs: number | null
  /** wholeMs: the session's length from its cluster's start; null when it cannot be re-run. */
  wholeMs: number | null
  /** defaultPart: the recorded part when there is one. */
  defaultPart: RerunPart
  /** error: why nothing can be re-run (no cluster in the recording), else null. */
  error: string | null
}

/** PlannedRerun is a plan with what the comparison needs to line the two runs up. */
export interface PlannedRerun {
  part: RerunPart
  plan: RerunPlan
  /** leadInMs: when, after the re-run's cluster started, its recorded part begins (0: whole). */
  leadInMs: number
  /** originalOriginMs: time zero of the original run in the comparison (undefined: its
   * cluster's start). */
  originalOriginMs: number | undefined
}

/** beganMidSession tells whether a recording began while its cluster ran, returning the session
 * as it began (its first keyframe) if so. */
function beganMidSession(reader: RecordingReader): SessionState | null {
  if (reader.chunks[0]?.header.kind !== 'keyframe') return null
  const initial = reader.stateAt(reader.startMs)
  if (!initial.running || !initial.config || initial.clusterStartedMs === null) return null
  return initial.clusterStartedMs < reader.startMs ? initial : null
}

/** rerunOffer works out the re-runs a recording offers (it reads the recording's events once). */
export function rerunOffer(reader: RecordingReader): RerunOffer {
  const initial = beganMidSession(reader)
  let wholeMs: number | null = null
  let error: string | null = null
  try {
    wholeMs = planRerun(reader.iterate(), reader.stateAt(reader.startMs)).durationMs
  } catch (e) {
    error = (e as Error).message
  }
  if (!initial)
    return { recordedMs: null, clusterRanMs: null, wholeMs, defaultPart: 'whole', error }
  return {
    recordedMs: reader.endMs - reader.startMs,
    clusterRanMs: reader.startMs - (initial.clusterStartedMs ?? reader.startMs),
    wholeMs,
    defaultPart: 'recorded',
    error: null,
  }
}

/** planFor plans a re-run of `part` of the recording; it throws (with a message for people) when
 * the recording has no cluster to re-run. The recorded part of a recording that holds its
 * cluster's start is the whole. */
export function planFor(reader: RecordingReader, part: RerunPart): PlannedRerun {
  const initial = part === 'recorded' ? beganMidSession(reader) : null
  if (initial) {
    const p = planRecordedPart(reader.iterate(), initial, reader.startMs)
    return {
      part: 'recorded',
      plan: p.plan,
      leadInMs: p.leadInMs,
      originalOriginMs: reader.startMs,
    }
  }
  const plan = planRerun(reader.iterate(), reader.stateAt(reader.startMs))
  return { part: 'whole', plan, leadInMs: 0, originalOriginMs: undefined }
}
