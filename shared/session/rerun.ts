// Re-run plans: a recording's experiment as data — its first cluster's configuration and the
// commands run on it (faults, workload, client operations) at their offsets from the cluster's
// start — so it can be played again on a fresh cluster, from the CLI or the app. A recording made
// mid-session can instead have only its recorded part re-run: the cluster brought to the state of
// the recording's first moment, then the recorded commands. Pure.
import {
  MAX_RERUN_COMMANDS,
  MAX_RERUN_MS,
  SCRIPTED,
  type LabCommand,
  type RerunPlan,
  type TimedCommand,
} from '../lab/commands'
import type { ClusterConfig } from '../lab/config'
import type { SessionState } from './state'
import type { LabEvent } from '../lab/events'

// The plan's shape and limits are part of the lab's contract (the rerun.start command carries a
// plan), so they live in shared/lab/commands.ts; re-exported here for the planners' users.
export {
  MAX_RERUN_COMMANDS,
  MAX_RERUN_MS,
  SCRIPTED,
  type RerunPlan,
  type TimedCommand,
} from '../lab/commands'

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

/** leadInMs is how long a re-run of a recording's recorded part lets its fresh cluster settle
 * (elect a leader with the faults of the moment in force) before the recorded commands begin:
 * five of the longest election timeouts, between 2 s and a minute. */
export function leadInMs(config: ClusterConfig): number {
  const longest = config.electionTimeoutMaxMs * config.timeScale
  return Math.min(60_000, Math.max(2000, 5 * longest))
}

/** setupCommands brings a fresh cluster to the state `s` describes, as far as commands can: its
 * link faults, its paused, crashed and stopped nodes, and a workload that was running. (Terms,
 * logs and who leads are not commands: they happen anew.) */
export function setupCommands(s: SessionState): LabCommand[] {
  const out: LabCommand[] = []
  for (const r of s.links) {
    if (r.cut) out.push({ type: 'link.cut', from: r.from, to: r.to, both: false })
    if (r.latencyMs > 0 || r.jitterMs > 0 || r.lossPercent > 0) {
      out.push({
        type: 'link.set',
        from: r.from,
        to: r.to,
        both: false,
        latencyMs: r.latencyMs,
        jitterMs: r.jitterMs,
        lossPercent: r.lossPercent,
      })
    }
  }
  for (const n of s.nodes) {
    if (n.state === 'paused') out.push({ type: 'node.pause', node: n.id })
    else if (n.state === 'crashed') out.push({ type: 'node.crash', node: n.id })
    else if (n.state === 'stopped') out.push({ type: 'node.stop', node: n.id })
  }
  if (s.workload) {
    // A front end may not choose a file to write (the engine's own runs do).
    const { historyFile: _file, ...spec } = s.workload
    out.push({ type: 'workload.start', spec })
  }
  return out
}

/** RecordedPartPlan is a plan for only the recorded part of a recording made mid-session. */
export interface RecordedPartPlan {
  plan: RerunPlan
  /** leadInMs: when, on the re-run's clock, the recorded part begins. */
  leadInMs: number
  /** setup: how many of the plan's first commands (all at 0) rebuild the state of the moment
   * recording began. */
  setup: number
}

/** planRecordedPart plans a re-run of only what a recording made mid-session holds: a fresh
 * cluster with the configuration of the one that was running (`initial`: the session as the
 * recording began, its first keyframe), brought at once to that moment's faults, nodes and
 * workload (setupCommands), then, after leadInMs, the recorded commands at their offsets from
 * `fromMs` (the recording's first moment). It throws when no cluster was running then. */
export function planRecordedPart(
  events: Iterable<LabEvent>,
  initial: SessionState,
  fromMs: number = initial.timeMs,
): RecordedPartPlan {
  if (!initial.running || !initial.config) {
    throw new Error('no cluster was running when the recording began: re-run it whole')
  }
  const lead = leadInMs(initial.config)
  const setup = setupCommands(initial).map((command) => ({ atMs: 0, command }))
  const commands: TimedCommand[] = [...setup]
  let endMs = fromMs
  for (const e of events) {
    if (e.seq <= initial.seq) continue
    if (e.type === 'cluster.started') break
    endMs = e.timeMs
    if (e.type === 'cluster.stopped') break
    if (e.type === 'command' && e.phase === 'started' && SCRIPTED.has(e.command.type)) {
      commands.push({ atMs: lead + Math.max(0, e.timeMs - fromMs), command: e.command })
    }
  }
  if (commands.length > MAX_RERUN_COMMANDS) {
    throw new Error(
      `the recording has ${commands.length} commands; a re-run takes at most ${MAX_RERUN_COMMANDS}`,
    )
  }
  const durationMs = Math.min(MAX_RERUN_MS, lead + Math.max(0, endMs - fromMs))
  return {
    plan: { config: initial.config, commands, durationMs },
    leadInMs: lead,
    setup: setup.length,
  }
}
