// The benchmark forms' text fields ("1,16,64") and their checks, before a sweep is sent. Pure.
import { configurations, type BenchSweep } from '../../../shared/lab/bench'
import type { FsyncPolicy } from '../../../shared/lab/config'

/** parseList reads "1, 16,64" as numbers, each a whole number within [min, max]; it returns the
 * numbers or a message naming the field. */
export function parseList(
  text: string,
  field: string,
  min: number,
  max: number,
): { values: number[] } | { error: string } {
  const parts = text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
  if (parts.length === 0) return { error: `${field}: give at least one value` }
  const values: number[] = []
  for (const p of parts) {
    const v = Number(p)
    if (!Number.isInteger(v) || v < min || v > max)
      return { error: `${field}: '${p}' is not a whole number from ${min} to ${max}` }
    if (!values.includes(v)) values.push(v)
  }
  return { values }
}

/** SweepForm is the sweep as the form holds it. */
export interface SweepForm {
  nodes: string
  fsync: FsyncPolicy[]
  concurrency: string
  valueSizeBytes: string
  maxEntriesPerMsg: string
  linkLatencyMs: string
}

/** sweepFromForm checks the form and builds the sweep, or says what is wrong. */
export function sweepFromForm(f: SweepForm): { sweep: BenchSweep } | { error: string } {
  const fields = [
    ['nodes', parseList(f.nodes, 'nodes', 1, 9)],
    ['concurrency', parseList(f.concurrency, 'clients', 1, 4096)],
    ['valueSizeBytes', parseList(f.valueSizeBytes, 'value size', 0, 1 << 20)],
    ['maxEntriesPerMsg', parseList(f.maxEntriesPerMsg, 'batch', 1, 65_536)],
    ['linkLatencyMs', parseList(f.linkLatencyMs, 'link latency', 0, 10_000)],
  ] as const
  const out: Partial<BenchSweep> = {}
  for (const [k, r] of fields) {
    if ('error' in r) return { error: r.error }
    ;(out as Record<string, number[]>)[k] = r.values
  }
  if (f.fsync.length === 0) return { error: 'fsync: pick always, never or both' }
  return { sweep: { ...(out as BenchSweep), fsync: [...f.fsync] } }
}

/** sweepSize counts a sweep's configurations. */
export function sweepSize(s: BenchSweep): number {
  return configurations(s).length
}

/** estimateMs guesses a sweep's duration: each configuration warms up, measures, and starts and
 * stops a cluster (about 1.5 s). */
export function estimateMs(s: BenchSweep, warmupMs: number, durationMs: number): number {
  return sweepSize(s) * (warmupMs + durationMs + 1500)
}
