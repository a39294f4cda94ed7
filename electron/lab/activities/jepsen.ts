// `raftlab test`: Jepsen-style runs. A workload records every operation's history while a seeded
// nemesis breaks and heals the cluster; at the end everything heals, and the history is checked
// for linearizability (shared/check).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LabEvent } from '../../../shared/lab/events'
import { DEFAULT_WORKLOAD, type WorkloadProgress } from '../../../shared/lab/workload'
import type { ReadMode } from '../../../shared/protocol'
import { createRng } from '../../../shared/util/rng'
import {
  checkHistoryEvents,
  DEFAULT_CHECK_TIME_BUDGET_MS,
  readHistoryFile,
  type HistoryVerdict,
} from '../clients/historyCheck'
import type { LabFactory } from './clusterLab'
import { NEMESIS_KINDS, runNemesis, type NemesisKind } from './nemesis'
import { unforcedElections } from '../../../shared/session/elections'
import { monoMicros } from '../clients/workload'

/** TestOptions configures a run. */
export interface TestOptions {
  nodes: number
  nemesis: NemesisKind[]
  durationMs: number
  /** rate: operations per second (open loop), spread over `clients` sessions. */
  rate: number
  clients: number
  keys: number
  seed: number
  /** historyFile: where the history goes (default: a temp file, named in the report). */
  historyFile: string | null
  /** faultEveryMs: the mean time between the start of one fault and the next. */
  faultEveryMs: number
  checkTimeBudgetMs: number
  /** readMode: 'linearizable' (ReadIndex) by default; 'local' reads whatever the node has
   * applied — unsafe, to watch the checker catch stale reads. */
  readMode: ReadMode
  /** recordPath: record the session into this file. */
  recordPath?: string
  /** abandonPercent: the share of requests clients abandon, as 'info', when an attempt goes
   * unanswered instead of retrying (WorkloadSpec.abandonPercent); 0 by default. */
  abandonPercent: number
}

/** DEFAULT_TEST_OPTIONS: 5 nodes, every nemesis, 60 s at 200 ops/s on 10 keys. */
export const DEFAULT_TEST_OPTIONS: TestOptions = {
  nodes: 5,
  nemesis: [...NEMESIS_KINDS],
  durationMs: 60_000,
  rate: 200,
  clients: 20,
  keys: 10,
  seed: 1,
  historyFile: null,
  faultEveryMs: 6000,
  checkTimeBudgetMs: DEFAULT_CHECK_TIME_BUDGET_MS,
  readMode: 'linearizable',
  abandonPercent: 0,
}

/** TestReport is a run's verdict and statistics: its history's verdict and counts (as
 * `raftlab check` gives them), the faults and the leader changes. */
export interface TestReport extends HistoryVerdict {
  faults: number
  /** faultsByKind counts the faults applied by family (kill-all rounds among them). */
  faultsByKind: Partial<Record<NemesisKind, number>>
  faultLog: FaultLogEntry[]
  leaderChanges: number
  /** unforcedLeaderChanges: those of the leader changes that no fault explains — won while no
   * fault held and none had just ended (shared/session/elections.ts). */
  unforcedLeaderChanges: number
  historyFile: string
  durationMs: number
  options: TestOptions
}

/** FaultLogEntry is one fault applied: when (`atMs` after the run began; `timeMicros` on the
 * history's clock, so it can be set beside the operations), its family and what it did. */
export interface FaultLogEntry {
  atMs: number
  timeMicros: number
  kind: NemesisKind
  description: string
}

/** TestProgress tells a front end where a run is. */
export interface TestProgress {
  phase: 'starting' | 'running' | 'healing' | 'checking'
  elapsedMs: number
  totalMs: number
  faults: number
  workload: WorkloadProgress | null
}

/** runTest runs one Jepsen-style test on a fresh lab from `newLab` and returns its report. */
export async function runTest(
  newLab: LabFactory,
  opts: TestOptions,
  onProgress: (p: TestProgress) => void = () => {},
): Promise<TestReport> {
  const started = performance.now()
  const historyFile =
    opts.historyFile ?? join(mkdtempSync(join(tmpdir(), 'raftlab-test-')), 'history.jsonl')
  const lab = newLab({ seed: opts.seed })
  const events: LabEvent[] = []
  lab.subscribe((batch) => events.push(...batch.filter((e) => KEPT_EVENTS.has(e.type))))
  const faultLog: FaultLogEntry[] = []
  const faultsByKind: TestReport['faultsByKind'] = {}
  let faults = 0
  let workloadProgress: WorkloadProgress | null = null
  const mark = { winsBefore: 0, sinceMs: 0 }
  const report = (phase: TestProgress['phase']): void =>
    onProgress({
      phase,
      elapsedMs: performance.now() - started,
      totalMs: opts.durationMs,
      faults,
      workload: workloadProgress,
    })
  if (opts.recordPath) lab.startRecording(opts.recordPath, 'test')
  try {
    report('starting')
    const res = await lab.command({ type: 'cluster.start', config: { nodes: opts.nodes } })
    if (!res.ok) throw new Error(`cannot start the cluster: ${res.error}`)
    if (!(await lab.waitFor((s) => s.leader !== null, 15_000)))
      throw new Error('no leader within 15 s')
    lab.bus.flush()
    mark.winsBefore = wins(events)
    mark.sinceMs = events[events.length - 1]?.timeMs ?? 0
    const loadStartedMs = performance.now()
    const load = lab.runWorkload(
      {
        ...DEFAULT_WORKLOAD,
        mode: 'open',
        rate: opts.rate,
        concurrency: opts.clients,
        durationMs: opts.durationMs,
        warmupMs: 0,
        keys: opts.keys,
        mix: { put: 1, get: 1, cas: 1 },
        historyFile,
        timeoutMs: 2000,
        // Short values keep histories and witnesses readable.
        valueSizeBytes: 0,
        seed: opts.seed,
        readMode: opts.readMode,
        abandonPercent: opts.abandonPercent,
      },
      (p) => {
        workloadProgress = p
        report('running')
      },
    )
    // The nemesis: fault, hold, heal, rest — until the workload's time is up, never later.
    const stop = new AbortController()
    const nemesis = runNemesis(
      lab,
      {
        kinds: opts.nemesis,
        faultEveryMs: opts.faultEveryMs,
        rng: createRng(opts.seed).fork(7),
        endMs: loadStartedMs + opts.durationMs,
        onFault: (fault) => {
          faults++
          faultsByKind[fault.kind] = (faultsByKind[fault.kind] ?? 0) + 1
          faultLog.push({
            atMs: Math.round(performance.now() - started),
            timeMicros: monoMicros(),
            kind: fault.kind,
            description: fault.description,
          })
        },
      },
      stop.signal,
    )
    try {
      await load
    } finally {
      // Stop the nemesis even if the workload failed: it must not act on a lab being closed.
      stop.abort()
      await nemesis
    }
    report('healing')
    // Heal everything — links, pauses, crashes — and wait for the cluster to settle.
    await lab.command({ type: 'heal.all' })
    for (const n of lab.status().nodes) {
      if (n.state === 'paused') await lab.command({ type: 'node.resume', node: n.id })
      else if (n.state === 'crashed' || n.state === 'stopped')
        await lab.command({ type: 'node.restart', node: n.id })
    }
    await lab.waitFor(
      (s) => s.leader !== null && s.nodes.every((n) => n.state === 'running'),
      15_000,
    )
  } finally {
    await lab.close()
  }
  report('checking')
  const verdict = checkHistoryEvents(readHistoryFile(historyFile), opts.checkTimeBudgetMs)
  const leaderChanges = wins(events) - mark.winsBefore
  // After the first leader: an election in the same batch as it is the first one itself.
  const unforcedLeaderChanges = unforcedElections(events, mark.sinceMs + 1)
  return {
    ...verdict,
    faults,
    faultsByKind,
    faultLog,
    leaderChanges,
    unforcedLeaderChanges,
    historyFile,
    durationMs: performance.now() - started,
    options: opts,
  }
}

/** KEPT_EVENTS: the events a test keeps — elections, and what says which faults held. */
const KEPT_EVENTS = new Set<LabEvent['type']>([
  'node.raft',
  'fault',
  'node.process',
  'links.changed',
  'cluster.started',
  'cluster.stopped',
  'command',
])

/** wins counts elections won (not pre-votes) among the events. */
function wins(events: readonly LabEvent[]): number {
  return events.filter(
    (e) => e.type === 'node.raft' && e.event.kind === 'electionWon' && !e.event.preVote,
  ).length
}
