// Benchmarks: how slow are Raft writes, and why. A sweep runs one fresh cluster per combination
// of settings (node count, fsync policy, client concurrency, value size, batching limit, injected
// link latency), drives it with a workload in its own process, and collects latency histograms,
// throughput and the per-stage attribution of sampled writes.
import { readFileSync } from 'node:fs'
import { cpus, platform, release } from 'node:os'
import {
  configurations,
  type BenchConfig,
  type BenchReport,
  type BenchRow,
  type BenchStability,
  type BenchSweep,
  type Machine,
} from '../../../shared/lab/bench'
import type { WorkloadProgress, WorkloadResult, WorkloadSpec } from '../../../shared/lab/workload'
import { DEFAULT_WORKLOAD } from '../../../shared/lab/workload'
import type { NodeId } from '../../../shared/raft/types'
import type { ClusterLab, LabFactory } from './clusterLab'
import { Recorder } from '../recording/recorder'

/** machine describes this machine. */
export function machine(): Machine {
  const c = cpus()
  return {
    cpus: c.length,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    os: `${platform()} ${release()}`,
    node: process.version,
  }
}

/** BenchProgress tells a front end where a sweep is. */
export interface BenchProgress {
  index: number
  total: number
  config: BenchConfig
  workload: WorkloadProgress | null
}

/** BenchOptions: extras of a sweep. */
export interface BenchOptions {
  /** recordPath: record every configuration's cluster, one after another, into this file. */
  recordPath?: string
}

/** runBench runs every configuration of the sweep in turn, each on a fresh lab from `newLab`.
 * Aborting `signal` stops after the current configuration's measurement is cut short; the report
 * holds what was measured. */
export async function runBench(
  newLab: LabFactory,
  sweep: BenchSweep,
  base: Partial<WorkloadSpec>,
  onProgress: (p: BenchProgress) => void = () => {},
  signal?: AbortSignal,
  options: BenchOptions = {},
): Promise<BenchReport> {
  const workload = { ...DEFAULT_WORKLOAD, ...base }
  const configs = configurations(sweep)
  const rows: BenchRow[] = []
  const startedAt = new Date().toISOString()
  const recorder = options.recordPath
    ? Recorder.create(options.recordPath, { source: 'bench' })
    : null
  try {
    for (const [index, config] of configs.entries()) {
      if (signal?.aborted) break
      onProgress({ index, total: configs.length, config, workload: null })
      const { result, stability } = await runOne(
        newLab(),
        config,
        workload,
        (w) => onProgress({ index, total: configs.length, config, workload: w }),
        signal,
        recorder,
      )
      rows.push({ config, result, stability })
    }
  } finally {
    await recorder?.close()
  }
  const { historyFile: _h, concurrency: _c, valueSizeBytes: _v, ...shared } = workload
  return { machine: machine(), startedAt, workload: shared, rows }
}

async function runOne(
  lab: ClusterLab,
  config: BenchConfig,
  workload: WorkloadSpec,
  onProgress: (p: WorkloadProgress) => void,
  signal: AbortSignal | undefined,
  recorder: Recorder | null,
): Promise<{ result: WorkloadResult; stability: BenchStability }> {
  const unfollow = recorder?.follow(lab.bus)
  // Terms in which some node learned of a new leader after the first one (see BenchStability).
  let firstTerm = Infinity
  const electedTerms = new Set<number>()
  const unsubscribe = lab.subscribe((events) => {
    for (const e of events) {
      if (e.type === 'node.leader' && e.leaderId !== 0 && e.term > firstTerm)
        electedTerms.add(e.term)
    }
  })
  try {
    const started = await lab.command({
      type: 'cluster.start',
      config: {
        nodes: config.nodes,
        fsync: config.fsync,
        maxEntriesPerMsg: config.maxEntriesPerMsg,
      },
    })
    if (!started.ok) throw new Error(`cannot start the cluster: ${started.error}`)
    if (!(await lab.waitFor((s) => s.leader !== null, 15_000)))
      throw new Error('no leader within 15 s')
    const status = lab.status()
    firstTerm = status.term
    const ids: NodeId[] = status.nodes.map((n) => n.id)
    if (config.linkLatencyMs > 0) {
      for (const a of ids) {
        for (const b of ids) {
          if (a < b)
            await lab.command({
              type: 'link.set',
              from: a,
              to: b,
              both: true,
              latencyMs: config.linkLatencyMs,
            })
        }
      }
    }
    // Through the lab, so a recording holds the workload's samples and result.
    const result = await lab.runWorkload(
      {
        ...workload,
        concurrency: config.concurrency,
        valueSizeBytes: config.valueSizeBytes,
        historyFile: null,
      },
      onProgress,
      signal,
    )
    lab.bus.flush()
    const rssMiB = lab
      .status()
      .nodes.map((n) => (n.state === 'running' ? residentMiB(n.pid) : null))
    return { result, stability: { unforcedLeaderChanges: electedTerms.size, rssMiB } }
  } finally {
    unsubscribe()
    await lab.close()
    unfollow?.()
  }
}

/** residentMiB reads a process's resident memory from /proc (Linux); null elsewhere or when it
 * cannot be read. */
export function residentMiB(pid: number | null): number | null {
  if (pid === null || platform() !== 'linux') return null
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}
