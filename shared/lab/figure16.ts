// The Raft paper's Figure 16 as data, and the arithmetic `raftlab elect` compares with it: timeout
// ranges, the paper's medians and maxima, the heartbeat rule, summary statistics and the seeded
// crash delays. Pure: no processes, no clock.
import type { NodeId } from '../raft/types'
import { createRng, type Rng } from '../util/rng'
import { toCsv } from '../util/csv'

/** TimeoutRange is one election-timeout range in ms, both ends included. */
export interface TimeoutRange {
  minMs: number
  maxMs: number
}

/** rangeLabel names a range as the CLI writes it: `150-300`. */
export function rangeLabel(r: TimeoutRange): string {
  return `${r.minMs}-${r.maxMs}`
}

/** PAPER_FIGURE16 holds the medians and maxima (ms) read from the graphs of the paper's Figure 16,
 * 1000 trials per range, keyed by rangeLabel. */
export const PAPER_FIGURE16: Readonly<Record<string, { medianMs: number; maxMs: number }>> = {
  '150-155': { medianMs: 287, maxMs: 2143 },
  '150-175': { medianMs: 141, maxMs: 610 },
  '150-200': { medianMs: 146, maxMs: 512 },
  '150-300': { medianMs: 171, maxMs: 603 },
  '12-24': { medianMs: 30, maxMs: 152 },
  '25-50': { medianMs: 43, maxMs: 276 },
  '50-100': { medianMs: 67, maxMs: 253 },
  '100-200': { medianMs: 120, maxMs: 335 },
}

/** PAPER_RANGES are the paper's eight ranges, in its order: the default of --timeouts. */
export const PAPER_RANGES: readonly TimeoutRange[] = Object.keys(PAPER_FIGURE16).map((k) => {
  const [minMs, maxMs] = k.split('-').map(Number) as [number, number]
  return { minMs, maxMs }
})

/** heartbeatFor is the heartbeat interval for a range: half the minimum timeout, as in every test
 * of the paper, rounded down to whole ms (ticks are 1 ms). */
export function heartbeatFor(r: TimeoutRange): number {
  return Math.max(1, Math.floor(r.minMs / 2))
}

/** Stats summarizes durations in ms. The median of an even count is the mean of the middle two;
 * p90 and p99 are nearest-rank (always an observed trial). */
export interface Stats {
  count: number
  min: number
  median: number
  mean: number
  p90: number
  p99: number
  max: number
}

/** summarize computes Stats, or null for no values. */
export function summarize(values: readonly number[]): Stats | null {
  const n = values.length
  if (n === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const rank = (p: number): number => s[Math.max(0, Math.ceil((p / 100) * n) - 1)] as number
  const mid = Math.floor(n / 2)
  const median =
    n % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
  return {
    count: n,
    min: s[0] as number,
    median,
    mean: s.reduce((a, b) => a + b, 0) / n,
    p90: rank(90),
    p99: rank(99),
    max: s[n - 1] as number,
  }
}

/** crashDelayRng returns the generator of crash delays for a seed. The seed is hashed first: a
 * fresh xoroshiro128+ seeded with a small integer starts with draws near 1.0 (poorly mixed state),
 * which would put the first crashes of every run at the end of the heartbeat interval. */
export function crashDelayRng(seed: number): Rng {
  let z = (seed + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return createRng(z ^ (z >>> 16))
}

/** ElectTrial is one crash of a leader. Times are ms after the crash (the supervisor's
 * process.hrtime.bigint() just before it sent SIGKILL). */
export interface ElectTrial {
  range: string
  /** trial counts from 1 within its range. */
  trial: number
  /** ok: a new leader was known to every surviving node within the trial timeout. */
  ok: boolean
  /** ms: until the last surviving node learned of the new leader (the paper's measure). */
  ms: number | null
  /** electedMs: until the new leader itself knew it had won. */
  electedMs: number | null
  /** detectedMs: until the first node timed out and started an election in a new term (with
   * PreVote, once its pre-vote round succeeded). */
  detectedMs: number | null
  crashedLeader: NodeId
  crashedTerm: number
  newLeader: NodeId | null
  newTerm: number | null
  /** crashDelayMs: the uniform random delay, in [0, heartbeat), waited before the crash. */
  crashDelayMs: number
  /** killUs bounds the crash instant: the SIGKILL left within this many µs after it. */
  killUs: number
  error?: string
}

/** RangeResult is one range's configuration and summary. */
export interface RangeResult {
  range: string
  minMs: number
  maxMs: number
  heartbeatMs: number
  trials: number
  failures: number
  /** discarded: trials redone because leadership changed just before the crash. */
  discarded: number
  /** splitVotes: successful trials that needed more than one term (a split or failed vote). */
  splitVotes: number
  stats: Stats | null
  paper: { medianMs: number; maxMs: number } | null
  /** error says why the range stopped before all its trials ran. */
  error?: string
}

/** ElectRun is a finished (or interrupted) run: per-range results and every trial. */
export interface ElectRun {
  ranges: RangeResult[]
  trials: ElectTrial[]
  durationMs: number
  aborted: boolean
}

/** parseTimeoutRanges parses `150-155,150-175,…` (an en dash also works) into ranges; both ends
 * are whole ms, the minimum at least 2 (so the heartbeat, half of it, is a whole tick) and the
 * range not empty. It throws a RangeError naming the bad part. */
export function parseTimeoutRanges(list: string): TimeoutRange[] {
  const parts = list.split(',').map((p) => p.trim())
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new RangeError(`timeouts need MIN-MAX ranges separated by commas, got '${list}'`)
  }
  return parts.map((p) => {
    const m = /^(\d+)\s*[-–]\s*(\d+)$/.exec(p)
    if (!m) throw new RangeError(`'${p}' is not a MIN-MAX range in ms, e.g. 150-300`)
    const minMs = Number(m[1])
    const maxMs = Number(m[2])
    if (minMs < 2 || maxMs > 600_000) throw new RangeError(`'${p}' must lie within 2-600000 ms`)
    if (maxMs < minMs) throw new RangeError(`'${p}' is empty (MAX is below MIN)`)
    return { minMs, maxMs }
  })
}

/** FIGURE16_TRIAL_COLUMNS: one CSV row per trial, in this order — `ms`, the paper's measure,
 * first after the trial's name. The CLI and the app write the same file. */
export const FIGURE16_TRIAL_COLUMNS = [
  'range',
  'trial',
  'ms',
  'ok',
  'elected_ms',
  'detected_ms',
  'crashed_leader',
  'crashed_term',
  'new_leader',
  'new_term',
  'crash_delay_ms',
  'error',
] as const

/** figure16TrialsCsv writes every trial of a run as CSV (a failed trial's times are empty). */
export function figure16TrialsCsv(trials: readonly ElectTrial[]): string {
  return toCsv(
    FIGURE16_TRIAL_COLUMNS,
    trials.map((t) => [
      t.range,
      t.trial,
      t.ms,
      t.ok,
      t.electedMs,
      t.detectedMs,
      t.crashedLeader,
      t.crashedTerm,
      t.newLeader,
      t.newTerm,
      t.crashDelayMs,
      t.error ?? '',
    ]),
  )
}
