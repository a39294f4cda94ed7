// Re-run plans: a recording's experiment as data — its first cluster's configuration and the
// commands run on it (faults, workload, client operations) at their offsets from the cluster's
// start — so it can be played again on a fresh cluster, from the CLI or the app. Pure.
import type { LabCommand, LabCommandType } from '../lab/commands'
import type { ClusterConfig } from '../lab/config'
import type { SessionState } from './state'
import type { LabEvent } from '../lab/events'

/** TimedCommand is a command at its offset from the cluster's start. */
export interface TimedCommand {
  atMs: number
  command: LabCommand
}

/** RerunPlan is what a re-run does: start a cluster with `config`, run `commands` on time, stop
 * after `durationMs`. */
export interface RerunPlan {
  config: ClusterConfig
  commands: TimedCommand[]
  durationMs: number
}

/** SCRIPTED lists the commands a re-run replays. Cluster start and stop frame the run itself;
 * status queries, benchmarks and Figure 16 runs are not part of an experiment. */
export const SCRIPTED: ReadonlySet<LabCommandType> = new Set<LabCommandType>([
  'node.pause',
  'node.resume',
  'node.crash',
  'node.restart',
  'node.stop',
  'node.transfer',
  'link.cut',
  'link.heal',
  'link.set',
  'partition.isolate',
  'partition.split',
  'partition.bridge',
  'heal.all',
  'kv.put',
  'kv.get',
  'kv.delete',
  'kv.cas',
  'workload.start',
  'workload.stop',
])

/** MAX_RERUN_MS bounds a plan's length (a day). */
export const MAX_RERUN_MS = 24 * 3_600_000

/** MAX_RERUN_COMMANDS bounds a plan's commands. */
export const MAX_RERUN_COMMANDS = 100_000

/** planRerun takes the first cluster of a stream of events (a recording's, in order) and the
 * commands that were started on it. A recording started while a cluster ran (the app's record
 * button) does not hold its cluster.started: pass the session as the recording began
 * (`initial`, its first keyframe) and that cluster is re-run, with the recorded commands at
 * their offsets from its start (commands from before the recording are not known). It throws
 * when there is no cluster to re-run. */
export function planRerun(events: Iterable<LabEvent>, initial?: SessionState): RerunPlan {
  let start: { timeMs: number; config: ClusterConfig } | null =
    initial?.running && initial.config && initial.clusterStartedMs !== null
      ? { timeMs: initial.clusterStartedMs, config: initial.config }
      : null
  let endMs = 0
  const commands: TimedCommand[] = []
  for (const e of events) {
    if (initial && e.seq <= initial.seq) continue
    if (!start) {
      if (e.type === 'cluster.started') start = e
      continue
    }
    if (e.type === 'cluster.started') break
    endMs = e.timeMs
    if (e.type === 'cluster.stopped') break
    if (e.type === 'command' && e.phase === 'started' && SCRIPTED.has(e.command.type)) {
      commands.push({ atMs: e.timeMs - start.timeMs, command: e.command })
    }
  }
  if (!start) throw new Error('the recording has no cluster to re-run (no cluster.started event)')
  if (commands.length > MAX_RERUN_COMMANDS) {
    throw new Error(
      `the recording has ${commands.length} commands; a re-run takes at most ${MAX_RERUN_COMMANDS}`,
    )
  }
  const durationMs = Math.min(MAX_RERUN_MS, Math.max(0, endMs - start.timeMs))
  return { config: start.config, commands, durationMs }
}
