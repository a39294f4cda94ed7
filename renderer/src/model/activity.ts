// The engine's long-running work besides the live cluster: a benchmark sweep or a Figure 16 run.
// Pure reducer over their events (progress, done), no DOM, no Vue.
import type { BenchConfig, BenchReport } from '../../../shared/lab/bench'
import type { LabEvent } from '../../../shared/lab/events'
import type { ElectRun } from '../../../shared/lab/figure16'

/** BenchProgress is the last bench.progress event's content. */
export interface BenchProgress {
  index: number
  total: number
  config: BenchConfig
  elapsedMs: number
  totalMs: number
  opsPerSec: number
}

/** ElectProgress is the last elect.progress event's content. */
export interface ElectProgress {
  range: string
  rangeIndex: number
  ranges: number
  trial: number
  trials: number
  failures: number
}

/** ActivityModel is the state of both kinds of run. `running` turns on with the first progress
 * event (or when the start command succeeds) and off with the done event. */
export interface ActivityModel {
  bench: {
    running: boolean
    progress: BenchProgress | null
    report: BenchReport | null
    cancelled: boolean
    error: string | null
  }
  elect: {
    running: boolean
    progress: ElectProgress | null
    run: ElectRun | null
    cancelled: boolean
    error: string | null
  }
}

/** createActivityModel returns idle activities. */
export function createActivityModel(): ActivityModel {
  return {
    bench: { running: false, progress: null, report: null, cancelled: false, error: null },
    elect: { running: false, progress: null, run: null, cancelled: false, error: null },
  }
}

/** reduceActivity applies one event; it returns whether anything changed. */
export function reduceActivity(a: ActivityModel, ev: LabEvent): boolean {
  switch (ev.type) {
    case 'bench.progress': {
      const { index, total, config, elapsedMs, totalMs, opsPerSec } = ev
      if (!a.bench.running) a.bench = { ...a.bench, running: true, cancelled: false, error: null }
      a.bench.progress = { index, total, config, elapsedMs, totalMs, opsPerSec }
      return true
    }
    case 'bench.done':
      a.bench = {
        running: false,
        progress: a.bench.progress,
        report: ev.report ?? a.bench.report,
        cancelled: ev.cancelled,
        error: ev.error ?? null,
      }
      return true
    case 'elect.progress': {
      const { range, rangeIndex, ranges, trial, trials, failures } = ev
      if (!a.elect.running) a.elect = { ...a.elect, running: true, cancelled: false, error: null }
      a.elect.progress = { range, rangeIndex, ranges, trial, trials, failures }
      return true
    }
    case 'elect.done':
      a.elect = {
        running: false,
        progress: a.elect.progress,
        run: ev.run ?? a.elect.run,
        cancelled: ev.cancelled,
        error: ev.error ?? null,
      }
      return true
    default:
      return false
  }
}

/** benchFraction is how far a sweep is, 0–1: finished configurations plus the current one's
 * share of its own duration. */
export function benchFraction(p: BenchProgress | null): number {
  if (!p || p.total <= 0) return 0
  const within = p.totalMs > 0 ? Math.min(1, p.elapsedMs / p.totalMs) : 0
  return Math.min(1, (p.index + within) / p.total)
}

/** electFraction is how far a Figure 16 run is, 0–1. */
export function electFraction(p: ElectProgress | null): number {
  if (!p || p.ranges <= 0 || p.trials <= 0) return 0
  return Math.min(1, (p.rangeIndex + p.trial / p.trials) / p.ranges)
}
