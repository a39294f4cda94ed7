// Re-runs from the app: the Re-run dialog's choices for the recording in replay (its recorded
// part or the whole session; what in the live lab would be stopped first), the re-run itself, and
// the compare panel's two runs. A live cluster would collide with the re-run's own, so, once the
// person has agreed in the dialog, it is stopped first (and a live recording finished); closing
// the compare panel stops a re-run that is still going, with its cluster and its recording.
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { RecordingInfo } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import { applyEvent, emptyState, type SessionState } from '../../../shared/session/state'
import { useLinkStore } from '../stores/link'
import { useToastStore } from '../stores/toasts'
import { runSeries, type RunSeries } from './compare'
import { planFor, rerunOffer, type RerunOffer, type RerunPart } from './rerunPlan'
import { useReplayStore } from './store'

/** RerunChoices is what the Re-run dialog offers: the recording's re-runs, and what running one
 * would stop first in the live lab. */
export interface RerunChoices extends RerunOffer {
  /** liveClusterNodes: a live cluster runs (of this many nodes): a re-run starts its own, so it
   * is stopped first. */
  liveClusterNodes: number | null
  /** liveRecording: the live recording in progress (a re-run records itself), finished first. */
  liveRecording: string | null
}

/** Comparison is an original run and its re-run. */
export interface Comparison {
  name: string
  /** part: what was re-run; originLabel says where both runs' time zero is. */
  part: RerunPart
  originLabel: string
  original: RunSeries
  rerun: RunSeries
  /** running: the re-run has not finished. */
  running: boolean
  failedCommands: { atMs: number; type: string; error: string }[]
  recording: RecordingInfo | null
}

/** useRerunStore runs re-runs and holds their comparison. */
export const useRerunStore = defineStore('rerun', () => {
  const comparison = shallowRef<Comparison | null>(null)
  /** rerunState folds the live events of a re-run, for the compare panel. */
  let rerunState: SessionState | null = null
  /** leadInMs: when the re-run's recorded part began after its cluster started (0: whole). */
  let leadInMs = 0
  /** offer: the re-runs of the recording in replay, worked out once (it reads every event). */
  let offer: { reader: unknown; offer: RerunOffer } | null = null

  const toast = (kind: 'error' | 'info', message: string): void =>
    void useToastStore().push(kind, message)

  /** choices says what the Re-run dialog offers for the recording in replay (null: none). */
  function choices(): RerunChoices | null {
    const replay = useReplayStore()
    const reader = replay.currentReader()
    if (!reader) return null
    if (offer?.reader !== reader) offer = { reader, offer: rerunOffer(reader) }
    const live = useLinkStore().liveCluster()
    return {
      ...offer.offer,
      liveClusterNodes: live.running ? live.nodes : null,
      liveRecording: replay.recording?.name ?? null,
    }
  }

  /** rerun plays the replayed recording's experiment — `part` (default: the recorded part of a
   * recording made mid-session, else the whole) — on a fresh live cluster, recorded, and shows
   * the two runs side by side. Unless `stopLive` is false, a live cluster is stopped first and a
   * live recording finished (the Re-run dialog has said so). If anything is refused, the replay
   * stays open. */
  async function rerun(opts: { part?: RerunPart; stopLive?: boolean } = {}): Promise<void> {
    const replay = useReplayStore()
    const reader = replay.currentReader()
    const o = replay.opened
    const c = choices()
    if (!reader || !o || !c) return
    let planned
    try {
      planned = planFor(reader, opts.part ?? c.defaultPart)
    } catch (e) {
      toast('error', `${o.name}: ${(e as Error).message}`)
      return
    }
    const original = runSeries(reader.stateAt(Infinity), planned.originalOriginMs)
    const session = useLinkStore()
    if (opts.stopLive !== false) {
      if (replay.recording && !(await replay.finishRecording())) return
      if (session.liveCluster().running) {
        const stopped = await session.run({ type: 'cluster.stop' }, { live: true })
        if (!stopped.ok) return
      }
    }
    rerunState = emptyState()
    leadInMs = planned.leadInMs
    const stem = o.name
      .replace(/\.raftrec$/, '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 80)
    const res = await session.run({
      type: 'rerun.start',
      plan: planned.plan,
      record: true,
      name: `${stem || 'recording'}.rerun`,
    })
    if (!res.ok) {
      rerunState = null
      return
    }
    replay.close()
    comparison.value = {
      name: o.name,
      part: planned.part,
      originLabel:
        planned.part === 'recorded'
          ? 's since the recorded part began'
          : 's since the cluster started',
      original,
      rerun: rerunSeries(),
      running: true,
      failedCommands: [],
      recording: res.recording ?? null,
    }
  }

  /** rerunSeries is the re-run's series so far, on the comparison's clock. */
  function rerunSeries(): RunSeries {
    const s = rerunState ?? emptyState()
    return runSeries(s, s.clusterStartedMs === null ? s.timeMs : s.clusterStartedMs + leadInMs)
  }

  /** onLiveEvents follows a re-run's progress for the compare panel (the replay store passes
   * every live batch on). */
  function onLiveEvents(events: readonly LabEvent[]): void {
    if (!rerunState) return
    for (const e of events) {
      if (!rerunState) break
      applyEvent(rerunState, e)
      if (e.type !== 'rerun.done') continue
      const c = comparison.value
      if (c) {
        comparison.value = {
          ...c,
          rerun: rerunSeries(),
          running: false,
          failedCommands: e.failedCommands,
          recording: e.recording,
        }
      }
      if (e.error) toast('error', `The re-run failed: ${e.error}`)
      rerunState = null
    }
    const c = comparison.value
    if (c && rerunState) comparison.value = { ...c, rerun: rerunSeries() }
  }

  /** closeComparison closes the compare panel; a re-run still going is stopped with it (its
   * cluster stops, its recording keeps what ran), not left running unseen. */
  async function closeComparison(): Promise<void> {
    const c = comparison.value
    comparison.value = null
    if (!c?.running || !rerunState) return
    const r = await useLinkStore().run({ type: 'rerun.cancel' }, { quiet: true, live: true })
    if (!r.ok) return
    const where = c.recording ? `; ${c.recording.path} keeps what ran` : ''
    toast('info', `The re-run of ${c.name} was stopped, with its cluster and its recording${where}`)
  }

  return { comparison, choices, rerun, onLiveEvents, closeComparison }
})
