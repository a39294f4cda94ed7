// Re-running a recording: its plan (shared/session/rerun) played on a fresh live cluster, with
// the same commands at the same offsets from the cluster's start. Real timing differs between
// runs — elections, disks and scheduling are not replayed, only the commands — so the two runs
// are compared, not expected to match.
import type { ClusterLab } from './clusterLab'
import { planRerun, type RerunPlan } from '../../../shared/session/rerun'
import { openRecording, summarizeRecording, type RecordingSummary } from '../recording/recording'
import { sleep } from '../sleep'

/** RerunProgress is where a re-run is. */
export interface RerunProgress {
  atMs: number
  totalMs: number
  commandsDone: number
  commands: number
}

/** FailedCommand is a command that failed in the re-run. */
export interface FailedCommand {
  atMs: number
  type: string
  error: string
}

/** playPlan starts the plan's cluster on `lab`, runs its commands on time and stops the cluster
 * at the plan's end (or when `signal` aborts). */
export async function playPlan(
  lab: Pick<ClusterLab, 'command'>,
  plan: RerunPlan,
  opts: { signal?: AbortSignal | undefined; onProgress?: (p: RerunProgress) => void } = {},
): Promise<FailedCommand[]> {
  const { signal } = opts
  const failed: FailedCommand[] = []
  const started = await lab.command({ type: 'cluster.start', config: plan.config })
  if (!started.ok) throw new Error(`cannot start the cluster: ${started.error}`)
  const t0 = performance.now()
  let done = 0
  const report = (): void =>
    opts.onProgress?.({
      atMs: Math.min(plan.durationMs, performance.now() - t0),
      totalMs: plan.durationMs,
      commandsDone: done,
      commands: plan.commands.length,
    })
  const progress = setInterval(report, 500)
  const pending: Promise<void>[] = []
  try {
    for (const c of plan.commands) {
      await sleep(c.atMs - (performance.now() - t0), signal)
      if (signal?.aborted) break
      // Commands that wait (a kv operation, a crash) run in the background, so the schedule keeps
      // time as the original did.
      pending.push(
        lab.command(c.command).then((res) => {
          done++
          if (!res.ok) failed.push({ atMs: c.atMs, type: c.command.type, error: res.error })
        }),
      )
    }
    await sleep(plan.durationMs - (performance.now() - t0), signal)
    await Promise.all(pending)
  } finally {
    clearInterval(progress)
    report()
    await lab.command({ type: 'cluster.stop' })
  }
  return failed
}

/** RerunResult pairs the two recordings' summaries. */
export interface RerunResult {
  original: RecordingSummary
  rerun: RecordingSummary
  commands: number
  failedCommands: FailedCommand[]
}

/** rerunFile plays `path`'s experiment on a fresh lab, recording it to `outPath`. */
export async function rerunFile(
  lab: ClusterLab,
  path: string,
  outPath: string,
  onProgress: (p: RerunProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<RerunResult> {
  const original = openRecording(path)
  const plan = planRerun(original.iterate(), original.stateAt(original.startMs))
  lab.startRecording(outPath, 'rerun', path)
  let failedCommands: FailedCommand[]
  try {
    failedCommands = await playPlan(lab, plan, { signal, onProgress })
  } finally {
    await lab.stopRecording()
  }
  return {
    original: summarizeRecording(original, path),
    rerun: summarizeRecording(openRecording(outPath), outPath),
    commands: plan.commands.length,
    failedCommands,
  }
}
