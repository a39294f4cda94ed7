// Benchmark sweeps and reports as plain data, with their text forms (table, CSV, Markdown): the
// CLI prints them, the app shows and exports them.
import type { FsyncPolicy } from './config'
import {
  resultNotes,
  type AttributionStage,
  type WorkloadResult,
  type WorkloadSpec,
} from './workload'

/** BenchSweep lists the values to sweep; the benchmark runs every combination. */
export interface BenchSweep {
  nodes: number[]
  fsync: FsyncPolicy[]
  concurrency: number[]
  valueSizeBytes: number[]
  maxEntriesPerMsg: number[]
  linkLatencyMs: number[]
}

/** DEFAULT_SWEEP is a single configuration: 3 nodes, fsync always, 16 clients, 64-byte values. */
export const DEFAULT_SWEEP: BenchSweep = {
  nodes: [3],
  fsync: ['always'],
  concurrency: [16],
  valueSizeBytes: [64],
  maxEntriesPerMsg: [512],
  linkLatencyMs: [0],
}

/** BenchConfig is one combination of a sweep. */
export interface BenchConfig {
  nodes: number
  fsync: FsyncPolicy
  concurrency: number
  valueSizeBytes: number
  maxEntriesPerMsg: number
  linkLatencyMs: number
}

/** BenchStability is what a configuration's cluster did besides serving the workload. */
export interface BenchStability {
  /** unforcedLeaderChanges counts the terms in which a new leader was elected after the first
   * leader, until the measurement ended. A benchmark injects no fault, so no fault explains any
   * of them: on a quiet machine it is 0; more means the nodes could not keep their leader
   * (late timers under load, a slow disk holding up heartbeats). */
  unforcedLeaderChanges: number
  /** rssMiB is each node's resident memory when the measurement ended (MiB; null where it could
   * not be read: not Linux, or the node was not running). */
  rssMiB: (number | null)[]
}

/** BenchRow is one configuration's result. */
export interface BenchRow {
  config: BenchConfig
  result: WorkloadResult
  /** stability (absent from reports older than it). */
  stability?: BenchStability
}

/** Machine describes where a benchmark ran, so results can be compared honestly. */
export interface Machine {
  cpus: number
  cpuModel: string
  os: string
  node: string
}

/** BenchReport is a whole sweep's outcome. */
export interface BenchReport {
  machine: Machine
  startedAt: string
  workload: Omit<WorkloadSpec, 'concurrency' | 'valueSizeBytes' | 'historyFile'>
  rows: BenchRow[]
}

/** configurations expands a sweep into its combinations, in a stable order. */
export function configurations(s: BenchSweep): BenchConfig[] {
  const out: BenchConfig[] = []
  for (const nodes of s.nodes)
    for (const fsync of s.fsync)
      for (const maxEntriesPerMsg of s.maxEntriesPerMsg)
        for (const linkLatencyMs of s.linkLatencyMs)
          for (const valueSizeBytes of s.valueSizeBytes)
            for (const concurrency of s.concurrency)
              out.push({
                nodes,
                fsync,
                concurrency,
                valueSizeBytes,
                maxEntriesPerMsg,
                linkLatencyMs,
              })
  return out
}

/** ROW_COLUMNS are the columns of a result row, in the order of every text form. */
export const ROW_COLUMNS = [
  'nodes',
  'fsync',
  'clients',
  'valueBytes',
  'batch',
  'linkMs',
  'writes/s',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'p99.9 ms',
  'max ms',
  'ok',
  'fail',
  'info',
  'elections',
  'max RSS MiB',
] as const

function rowCells(r: BenchRow): string[] {
  const c = r.config
  const l = r.result.writeLatency
  const n = r.result.counts
  const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
  return [
    String(c.nodes),
    c.fsync,
    String(c.concurrency),
    String(c.valueSizeBytes),
    String(c.maxEntriesPerMsg),
    String(c.linkLatencyMs),
    Math.round(r.result.writesPerSec).toString(),
    ms(l.p50),
    ms(l.p90),
    ms(l.p99),
    ms(l.p999),
    ms(l.max),
    String(n.put.ok + n.cas.ok + n.get.ok),
    String(n.put.fail + n.cas.fail + n.get.fail),
    String(n.put.info + n.cas.info + n.get.info),
    ...stabilityCells(r),
  ]
}

/** stabilityCells are a row's last two cells: its unforced leader changes and its largest node's
 * resident memory in MiB, each '-' when the report does not say (older reports, not Linux). */
export function stabilityCells(r: BenchRow): [string, string] {
  const s = r.stability
  const known = (s?.rssMiB ?? []).filter((x): x is number => x !== null)
  return [
    s ? String(s.unforcedLeaderChanges) : '-',
    known.length > 0 ? Math.max(...known).toFixed(0) : '-',
  ]
}

/** benchTable renders the rows as an aligned text table. */
export function benchTable(rows: readonly BenchRow[]): string {
  const cells = [ROW_COLUMNS.map(String), ...rows.map(rowCells)]
  const widths = ROW_COLUMNS.map((_, i) => Math.max(...cells.map((r) => (r[i] as string).length)))
  return cells
    .map((r) =>
      r
        .map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
        .join('  '),
    )
    .join('\n')
}

/** benchCsv renders the rows as CSV, one line per configuration, with a header. */
export function benchCsv(report: BenchReport): string {
  const lines = [ROW_COLUMNS.join(',')]
  for (const r of report.rows) lines.push(rowCells(r).join(','))
  return lines.join('\n') + '\n'
}

/** benchNotes lists what the rows' numbers do not say by themselves (resultNotes), one line per
 * note, each naming its configuration ("3n always 1c: …"); empty when there is nothing to say. */
export function benchNotes(rows: readonly BenchRow[]): string[] {
  return rows.flatMap((r) => {
    const c = r.config
    return resultNotes(r.result).map((n) => `${c.nodes}n ${c.fsync} ${c.concurrency}c: ${n}`)
  })
}

/** benchMarkdown renders the report as a Markdown table with the machine and workload. */
export function benchMarkdown(report: BenchReport): string {
  const m = report.machine
  const w = report.workload
  const head = `| ${ROW_COLUMNS.join(' | ')} |\n|${ROW_COLUMNS.map(() => '---').join('|')}|\n`
  const body = report.rows.map((r) => `| ${rowCells(r).join(' | ')} |`).join('\n')
  return (
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.os}, Node ${m.node}. ` +
    `Workload: ${w.mode} loop, ${w.durationMs / 1000} s after ${w.warmupMs / 1000} s warm-up, ` +
    `${w.keys} keys (${w.distribution}).\n\n${head}${body}\n` +
    benchNotes(report.rows)
      .map((n, i) => `${i === 0 ? '\n' : ''}- ${n}\n`)
      .join('')
  )
}

const STAGE_LABELS: Record<AttributionStage, string> = {
  leaderQueue: 'queue at leader',
  leaderDisk: 'leader disk',
  replication: 'replication RTT',
  followerDisk: 'follower disk',
  commitApply: 'commit→apply',
  clientNetwork: 'client network + reply',
}

/** attributionTable renders where sampled writes' time went, one row per configuration (median
 * milliseconds per stage; stages overlap where the leader writes while replicating). */
export function attributionTable(rows: readonly BenchRow[]): string {
  const withA = rows.filter((r) => r.result.attribution)
  if (withA.length === 0) return ''
  const stages = (withA[0]?.result.attribution?.stages ?? []).map((s) => s.stage)
  const header = ['config', 'samples', ...stages.map((s) => STAGE_LABELS[s]), 'client p50']
  const cells = [
    header,
    ...withA.map((r) => {
      const a = r.result.attribution as NonNullable<WorkloadResult['attribution']>
      const c = r.config
      return [
        `${c.nodes}n ${c.fsync} ${c.concurrency}c`,
        String(a.samples),
        ...a.stages.map((s) => s.medianMs.toFixed(3)),
        r.result.writeLatency.p50.toFixed(3),
      ]
    }),
  ]
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] as string).length)))
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
        .join('  '),
    )
    .join('\n')
}
