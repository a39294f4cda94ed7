// Two runs of one experiment side by side: the series the compare charts overlay, taken from
// each run's session state and put on one clock that starts when each run's experiment did (its
// cluster's start, or the recorded part's first moment).
// Pure: session states in, points out.
import type { SessionState } from '../../../shared/session/state'

/** Point is one chart point: x in seconds since the cluster started. */
export interface Point {
  x: number
  y: number
}

/** RunSeries is one run's overlaid series. */
export interface RunSeries {
  /** term: the highest term any node reports, as a step line. */
  term: Point[]
  /** leaderless: stretches with no leader, [from, to] in seconds. */
  leaderless: [number, number][]
  /** p50 / p99: write latency (ms) from the workload's samples. */
  p50: Point[]
  p99: Point[]
  /** endS: the run's length in seconds. */
  endS: number
  /** leaderlessS: total time without a leader, in seconds. */
  leaderlessS: number
}

/** runSeries extracts a run's series from its session state (at the end of the run, or now for
 * a run in progress). Time zero is `originMs`: by default its cluster's start; for the recorded
 * part of a recording made mid-session, the recording's first moment (and, in its re-run, the end
 * of the lead-in). What was true at the origin (each node's term, whether there was a leader)
 * starts the series there. */
export function runSeries(s: SessionState, originMs?: number): RunSeries {
  const origin = originMs ?? s.clusterStartedMs ?? 0
  const sec = (ms: number): number => (ms - origin) / 1000
  // Merge every node's term changes into the highest term known at each moment.
  const changes: [number, number, string][] = []
  const latest = new Map<string, number>()
  for (const [id, series] of Object.entries(s.termSeries))
    for (const [t, term] of series) {
      if (t >= origin) changes.push([t, term, id])
      else latest.set(id, term)
    }
  changes.sort((a, b) => a[0] - b[0])
  const term: Point[] = []
  if (latest.size > 0) term.push({ x: 0, y: Math.max(...latest.values()) })
  for (const [t, v, id] of changes) {
    latest.set(id, v)
    const max = Math.max(...latest.values())
    if (term.length === 0 || (term[term.length - 1] as Point).y !== max)
      term.push({ x: sec(t), y: max })
  }
  const endS = Math.max(0, sec(s.timeMs))
  if (term.length > 0) term.push({ x: endS, y: (term[term.length - 1] as Point).y })
  const leaderless: [number, number][] = []
  let openAt: number | null = null
  for (const [t, leader] of s.leaderSeries) {
    if (t < origin) {
      openAt = leader === 0 ? origin : null
      continue
    }
    if (leader === 0 && openAt === null) openAt = t
    if (leader !== 0 && openAt !== null) {
      leaderless.push([sec(openAt), sec(t)])
      openAt = null
    }
  }
  if (openAt !== null && s.running && s.timeMs > openAt) leaderless.push([sec(openAt), endS])
  const samples = s.latency.filter((p) => p.timeMs >= origin)
  return {
    term,
    leaderless,
    p50: samples.map((p) => ({ x: sec(p.timeMs), y: p.p50Ms })),
    p99: samples.map((p) => ({ x: sec(p.timeMs), y: p.p99Ms })),
    endS,
    leaderlessS: leaderless.reduce((a, [f, t]) => a + (t - f), 0),
  }
}

/** leaderSteps turns leaderless stretches into a 0/1 step line (1: no leader) for a chart. */
export function leaderSteps(r: RunSeries): Point[] {
  const out: Point[] = [{ x: 0, y: 0 }]
  for (const [f, t] of r.leaderless)
    out.push({ x: f, y: 0 }, { x: f, y: 1 }, { x: t, y: 1 }, { x: t, y: 0 })
  out.push({ x: r.endS, y: 0 })
  return out
}
