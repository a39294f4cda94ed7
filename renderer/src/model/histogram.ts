// Latency histograms with log-spaced bins: write latencies span orders of magnitude (a 2 ms
// commit, a 900 ms election stall), so equal-width bins would hide either end. Pure.

/** Histogram is bin edges (ms), counts per bin, and summary figures. */
export interface Histogram {
  /** edges has counts.length + 1 entries; bin i is [edges[i], edges[i + 1]). */
  edges: number[]
  counts: number[]
  total: number
  p50: number
  p99: number
  max: number
}

/** quantile reads the q-quantile (0–1) of sorted values by nearest rank. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length
  if (n === 0) return NaN
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number
}

/** logHistogram bins positive values on a log scale with `perDecade` bins per power of ten,
 * aligned on powers of ten so bins read as 1–1.6, 1.6–2.5 … ms. Non-positive values fall in the
 * first bin. */
export function logHistogram(values: ArrayLike<number>, perDecade = 5): Histogram {
  const n = values.length
  const sorted = Float64Array.from(values as ArrayLike<number>).sort()
  if (n === 0) return { edges: [], counts: [], total: 0, p50: NaN, p99: NaN, max: NaN }
  const positive = sorted.find((v) => v > 0) ?? 1
  const max = sorted[n - 1] as number
  const lo = Math.floor(Math.log10(positive) * perDecade)
  const hi = Math.floor(Math.log10(Math.max(max, positive)) * perDecade + 1e-9) + 1
  const bins = Math.min(200, Math.max(1, hi - lo))
  const edges = Array.from({ length: bins + 1 }, (_, i) => 10 ** ((lo + i) / perDecade))
  const counts = new Array<number>(bins).fill(0)
  for (let i = 0; i < n; i++) {
    const v = sorted[i] as number
    let b = v > 0 ? Math.floor(Math.log10(v) * perDecade + 1e-9) - lo : 0
    b = Math.max(0, Math.min(bins - 1, b))
    counts[b] = (counts[b] as number) + 1
  }
  return { edges, counts, total: n, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max }
}

/** binLabel names a bin: "1.6–2.5". */
export function binLabel(lo: number, hi: number): string {
  const f = (x: number) =>
    x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2)
  return `${f(lo)}–${f(hi)}`
}
