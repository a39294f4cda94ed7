// Benchmark sweeps and Figure 16 runs: their progress and results (from events), and the commands
// that start and cancel them.
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { BenchSweep } from '../../../shared/lab/bench'
import type { CommandResult, LabCommand } from '../../../shared/lab/commands'
import type { WorkloadSpec } from '../../../shared/lab/workload'
import { createActivityModel, type ActivityModel } from '../model/activity'
import { useLinkStore } from './link'

/** ElectRequest is what the Figure 16 form asks for. */
export interface ElectRequest {
  ranges: string[]
  trials: number
  nodes: number
  preVote: boolean
  checkQuorum: boolean
}

/** useBenchStore exposes the activities and their commands. */
export const useBenchStore = defineStore('bench', () => {
  const view = shallowRef<ActivityModel>(createActivityModel())
  /** refusal: why the engine refused the last start (e.g. a live cluster is running). */
  const refusal = shallowRef<{ kind: 'bench' | 'elect'; message: string; code: string } | null>(
    null,
  )

  /** publish copies the activity model. */
  function publish(a: ActivityModel): void {
    view.value = { bench: { ...a.bench }, elect: { ...a.elect } }
  }

  async function start(kind: 'bench' | 'elect', cmd: LabCommand): Promise<CommandResult> {
    refusal.value = null
    // A refusal is shown in the view itself (with a way out), not only as a toast.
    const r = await useLinkStore().run(cmd, { quiet: true })
    if (!r.ok) refusal.value = { kind, message: r.error, code: r.code }
    else {
      // Show "running" at once; the first progress event may take a few seconds.
      const a = view.value
      view.value =
        kind === 'bench'
          ? { ...a, bench: { ...a.bench, running: true, error: null, cancelled: false } }
          : { ...a, elect: { ...a.elect, running: true, error: null, cancelled: false } }
    }
    return r
  }

  return {
    view,
    refusal,
    publish,
    startBench: (sweep: BenchSweep, workload: Partial<WorkloadSpec>) =>
      start('bench', { type: 'bench.start', sweep, workload }),
    cancelBench: () => useLinkStore().run({ type: 'bench.cancel' }),
    startElect: (r: ElectRequest) => start('elect', { type: 'elect.start', ...r }),
    cancelElect: () => useLinkStore().run({ type: 'elect.cancel' }),
    clearRefusal: () => (refusal.value = null),
  }
})
