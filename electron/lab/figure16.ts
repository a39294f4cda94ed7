// The Raft paper's Figure 16 as data, and the arithmetic `raftlab elect` compares with it: timeout
// ranges, the paper's medians and maxima, the heartbeat rule, summary statistics and the seeded
// crash delays. Pure: no processes, no clock.
import { createRng, type Rng } from '../../shared/util/rng'

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
