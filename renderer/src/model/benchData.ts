// Data for the benchmark view's charts and exports: latency percentiles per configuration, and
// the Figure 16 election-time CDFs beside the paper's medians and maxima. Pure.
import type { BenchConfig, BenchReport } from '../../../shared/lab/bench'
import { figure16TrialsCsv, PAPER_FIGURE16, type ElectRun } from '../../../shared/lab/figure16'
import { toCsv } from '../../../shared/util/csv'
import { ownValue } from '../../../shared/util/own'
import type { Point } from './chartData'

/** configLabel names a configuration by what varies in the report (all of it if one row). */
export function configLabel(c: BenchConfig, varying?: ReadonlySet<keyof BenchConfig>): string {
  const parts: [keyof BenchConfig, string][] = [
    ['nodes', `${c.nodes} nodes`],
    ['fsync', `fsync ${c.fsync}`],
    ['concurrency', `${c.concurrency} client${c.concurrency === 1 ? '' : 's'}`],
    ['valueSizeBytes', `${c.valueSizeBytes} B`],
    ['maxEntriesPerMsg', `batch ${c.maxEntriesPerMsg}`],
    ['linkLatencyMs', `+${c.linkLatencyMs} ms link`],
  ]
  const shown = varying && varying.size > 0 ? parts.filter(([k]) => varying.has(k)) : parts
  return shown.map(([, s]) => s).join(', ')
}

/** varyingKeys lists the configuration fields that differ between rows. */
export function varyingKeys(report: BenchReport): Set<keyof BenchConfig> {
  const keys = new Set<keyof BenchConfig>()
  const first = report.rows[0]?.config
  if (!first) return keys
  for (const r of report.rows)
    for (const k of Object.keys(first) as (keyof BenchConfig)[])
      if (r.config[k] !== first[k]) keys.add(k)
  return keys
}

/** BenchBars is the percentile chart: one group per configuration. */
export interface BenchBars {
  labels: string[]
  series: { label: string; values: number[] }[]
  throughput: number[]
}

/** benchBars builds the percentile chart's data. */
export function benchBars(report: BenchReport): BenchBars {
  const vary = varyingKeys(report)
  const rows = report.rows
  const pick = (f: (l: BenchReport['rows'][number]['result']['writeLatency']) => number) =>
    rows.map((r) => f(r.result.writeLatency))
  return {
    labels: rows.map((r) => configLabel(r.config, vary)),
    series: [
      { label: 'p50', values: pick((l) => l.p50) },
      { label: 'p90', values: pick((l) => l.p90) },
      { label: 'p99', values: pick((l) => l.p99) },
      { label: 'p99.9', values: pick((l) => l.p999) },
      { label: 'max', values: pick((l) => l.max) },
    ],
    throughput: rows.map((r) => r.result.writesPerSec),
  }
}

/** ElectCurve is one range's cumulative distribution of election times. */
export interface ElectCurve {
  range: string
  /** points: x in ms, y the percentage of trials done by then (failures count as never). */
  points: Point[]
  median: number | null
  max: number | null
  paper: { medianMs: number; maxMs: number } | null
  trials: number
  failures: number
}

/** electCurves builds one CDF per range, in the run's order, with the paper's figures. */
export function electCurves(run: ElectRun): ElectCurve[] {
  return run.ranges.map((r) => {
    const trials = run.trials.filter((t) => t.range === r.range)
    const times = trials
      .filter((t) => t.ok && t.ms !== null)
      .map((t) => t.ms as number)
      .sort((a, b) => a - b)
    const n = trials.length
    const points: Point[] = times.map((ms, i) => ({ x: ms, y: ((i + 1) / Math.max(1, n)) * 100 }))
    // The curve starts on the axis at the first trial's time (a log axis has no 0).
    if (points.length > 0) points.unshift({ x: times[0] as number, y: 0 })
    return {
      range: r.range,
      points,
      median: r.stats?.median ?? null,
      max: r.stats?.max ?? null,
      paper: r.paper ?? ownValue(PAPER_FIGURE16, r.range) ?? null,
      trials: n,
      failures: r.failures,
    }
  })
}

/** electTrialsCsv lists every trial of a run, one per line (as `raftlab elect --csv` does). */
export function electTrialsCsv(run: ElectRun): string {
  return figure16TrialsCsv(run.trials)
}

/** electSummaryCsv lists each range's summary beside the paper's. */
export function electSummaryCsv(run: ElectRun): string {
  return toCsv(
    [
      'range',
      'trials',
      'failures',
      'split_votes',
      'median_ms',
      'p90_ms',
      'p99_ms',
      'max_ms',
      'paper_median_ms',
      'paper_max_ms',
    ],
    run.ranges.map((r) => [
      r.range,
      r.trials,
      r.failures,
      r.splitVotes,
      r.stats?.median,
      r.stats?.p90,
      r.stats?.p99,
      r.stats?.max,
      r.paper?.medianMs,
      r.paper?.maxMs,
    ]),
  )
}
