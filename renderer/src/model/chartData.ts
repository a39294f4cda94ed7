// Plain arrays for the charts, cut from the timeline for one time window. Chart.js patches the
// arrays it is given, so it must only ever see fresh copies like these, never reactive state
// (TOOLCHAIN.md). x values are seconds since the session started. Pure: no DOM, no Chart.js.
import type { NodeId } from '../../../shared/raft/types'
import { toCsv } from '../../../shared/util/csv'
import { binLabel, logHistogram, type Histogram } from './histogram'
import type { SeriesRing } from './ring'
import type { FaultBand, FaultMark, LeaderSegment, SamplePoint, TimelineModel } from './timeline'

/** Point is what Chart.js reads with `parsing: false`. y null breaks a line (a gap). */
export interface Point {
  x: number
  y: number | null
}

/** TimeWindow is the visible stretch of session time, in ms. */
export interface TimeWindow {
  fromMs: number
  toMs: number
}

/** untilNow cuts a window at now (or a replay's playhead). A young session's window reaches past
 * now (the first minute shows [0, 60 s]): a state held "until the window's end" — a term, a
 * leader, a fault still on, a gap without a leader — is drawn and counted up to now, not into
 * the future. The axis keeps the whole window. */
export function untilNow(w: TimeWindow, nowMs: number): TimeWindow {
  return { fromMs: w.fromMs, toMs: Math.max(w.fromMs, Math.min(w.toMs, nowMs)) }
}

const sec = (ms: number): number => ms / 1000
/** r3 rounds seconds to the millisecond for exports (no 2431.6430060000002 in a CSV). */
const r3 = (x: number): number => Math.round(x * 1000) / 1000

/** termPoints is one node's term as a stepped line over the window: the value in force at the
 * window's start, every change inside it, and the value held until the window's end (or the
 * node's last report, so a line does not run on past a dead node). */
export function termPoints(s: SeriesRing | undefined, w: TimeWindow, offset = 0): Point[] {
  if (!s || s.length === 0) return []
  const out: Point[] = []
  const y = (v: number): number | null => (Number.isNaN(v) ? null : v + offset)
  let i = s.lowerBound(w.fromMs)
  if (i > 0) {
    out.push({ x: sec(w.fromMs), y: y(s.y(i - 1)) })
  }
  for (; i < s.length && s.x(i) <= w.toMs; i++) out.push({ x: sec(s.x(i)), y: y(s.y(i)) })
  const last = out[out.length - 1]
  if (last && last.y !== null) out.push({ x: sec(w.toMs), y: last.y })
  return out
}

/** termOffset spreads nodes that share a term a little apart, so equal lines stay visible. */
export function termOffset(index: number, count: number): number {
  if (count <= 1) return 0
  return (index - (count - 1) / 2) * Math.min(0.06, 0.3 / count)
}

/** drawnIn says whether a line of `points` shows anywhere in the window: a point inside it, or a
 * segment crossing it. (samplesIn hands lines a point beyond each edge; those alone draw
 * nothing.) */
export function drawnIn(points: readonly Point[], w: TimeWindow): boolean {
  const from = sec(w.fromMs)
  const to = sec(w.toMs)
  let before = false
  for (const p of points) {
    if (p.y === null) before = false
    else if (p.x > to) return before
    else if (p.x >= from) return true
    else before = true
  }
  return false
}

/** samplesIn lists the workload samples whose time falls in the window (plus one on each side,
 * so lines reach the edges). */
export function samplesIn(t: TimelineModel, w: TimeWindow): SamplePoint[] {
  const r = t.samples
  const a = Math.max(0, r.lowerBound(w.fromMs, (s) => s.timeMs) - 1)
  const b = Math.min(r.length, r.lowerBound(w.toMs, (s) => s.timeMs) + 1)
  const out: SamplePoint[] = []
  for (let i = a; i < b; i++) out.push(r.at(i) as SamplePoint)
  return out
}

/** RawPoints are raw latencies as two parallel arrays (x in seconds, y in ms): thousands of them,
 * drawn directly by a plugin rather than as Chart.js point elements. */
export interface RawPoints {
  xs: Float64Array
  ys: Float64Array
}

/** LatencySeries is the latency chart's data. */
export interface LatencySeries {
  p50: Point[]
  p99: Point[]
  raw: RawPoints
  writes: Point[]
  reads: Point[]
  /** failed and unknown (timed-out) operations per second. */
  failed: Point[]
  unknown: Point[]
}

/** latencySeries cuts percentiles, raw points (archive plus recent, thinned by striding to at
 * most maxRaw) and throughput out of the window. */
export function latencySeries(t: TimelineModel, w: TimeWindow, maxRaw = 4000): LatencySeries {
  const samples = samplesIn(t, w)
  const rx: number[] = []
  const ry: number[] = []
  const take = (s: SeriesRing, stride: number) => {
    const a = s.lowerBound(w.fromMs)
    const b = s.lowerBound(w.toMs + 1)
    for (let i = a; i < b; i += stride) {
      rx.push(sec(s.x(i)))
      ry.push(s.y(i))
    }
  }
  const archived = (() => {
    const a = t.rawArchive.lowerBound(w.fromMs)
    const firstRecent = t.raw.length > 0 ? t.raw.x(0) : Infinity
    const b = t.rawArchive.lowerBound(Math.min(w.toMs + 1, firstRecent))
    return Math.max(0, b - a)
  })()
  const recent = Math.max(0, t.raw.lowerBound(w.toMs + 1) - t.raw.lowerBound(w.fromMs))
  const stride = Math.max(1, Math.ceil((archived + recent) / maxRaw))
  // The archive holds only points older than the recent ring's first: concatenating keeps x order.
  // maxRaw 0 asks for no raw points at all (the throughput chart).
  if (maxRaw > 0) {
    if (archived > 0) take(t.rawArchive, stride)
    take(t.raw, stride)
  }
  const raw: RawPoints = { xs: Float64Array.from(rx), ys: Float64Array.from(ry) }
  const y = (v: number): number | null => (Number.isNaN(v) ? null : v)
  // A pause between samples (the workload stopped, or the cluster did) breaks the lines rather
  // than drawing a straight line across time nobody measured.
  const line = (f: (s: SamplePoint) => number): Point[] => {
    const out: Point[] = []
    let prev: SamplePoint | null = null
    for (const s of samples) {
      if (prev && s.timeMs - prev.timeMs > Math.max(2000, 3 * s.windowMs))
        out.push({ x: sec(prev.timeMs + 1), y: null })
      out.push({ x: sec(s.timeMs), y: y(f(s)) })
      prev = s
    }
    return out
  }
  return {
    p50: line((s) => s.p50),
    p99: line((s) => s.p99),
    raw,
    writes: line((s) => s.writesPerSec),
    reads: line((s) => s.readsPerSec),
    failed: line((s) => (s.windowMs > 0 ? (s.fail * 1000) / s.windowMs : 0)),
    unknown: line((s) => (s.windowMs > 0 ? (s.info * 1000) / s.windowMs : 0)),
  }
}

/** gapsIn counts the no-leader stretches visible in the window and their visible length (ms). */
export function gapsIn(t: TimelineModel, w: TimeWindow): { gaps: number; totalMs: number } {
  let gaps = 0
  let totalMs = 0
  for (const s of leaderSpans(t, w)) {
    if (s.leader !== 0) continue
    gaps++
    totalMs += (s.x1 - s.x0) * 1000
  }
  return { gaps, totalMs }
}

/** rawValuesIn collects the raw latencies (ms) inside the window, for the histogram. */
export function rawValuesIn(t: TimelineModel, w: TimeWindow): number[] {
  const out: number[] = []
  for (const s of [t.rawArchive, t.raw]) {
    const b = s.lowerBound(w.toMs + 1)
    for (let i = s.lowerBound(w.fromMs); i < b; i++) out.push(s.y(i))
  }
  return out
}

/** histogramIn is the latency histogram of the window. */
export function histogramIn(t: TimelineModel, w: TimeWindow): Histogram {
  return logHistogram(rawValuesIn(t, w))
}

/** Span is a clipped stretch of time in seconds, with an end that may be open (now). */
export interface Span {
  x0: number
  x1: number
  open: boolean
}

/** leaderSpans clips the leader segments to the window. */
export function leaderSpans(t: TimelineModel, w: TimeWindow): (LeaderSegment & Span)[] {
  const out: (LeaderSegment & Span)[] = []
  for (let i = 0; i < t.leaders.length; i++) {
    const s = t.leaders.at(i) as LeaderSegment
    const end = s.endMs ?? w.toMs
    if (end < w.fromMs || s.startMs > w.toMs) continue
    out.push({
      ...s,
      x0: sec(Math.max(s.startMs, w.fromMs)),
      x1: sec(Math.min(end, w.toMs)),
      open: s.endMs === null,
    })
  }
  return out
}

/** bandSpans clips the fault bands to the window. */
export function bandSpans(t: TimelineModel, w: TimeWindow): (FaultBand & Span)[] {
  const out: (FaultBand & Span)[] = []
  for (const b of t.faults.bands) {
    const end = b.endMs ?? w.toMs
    if (b.discarded || end < w.fromMs || b.startMs > w.toMs) continue
    out.push({
      ...b,
      x0: sec(Math.max(b.startMs, w.fromMs)),
      x1: sec(Math.min(end, w.toMs)),
      open: b.endMs === null,
    })
  }
  return out
}

/** BandLabelPlace is where a fault band's label is written: from x (pixels), on row `row` of the
 * chart's label rows, in at most maxPx. */
export interface BandLabelPlace {
  x: number
  row: number
  maxPx: number
}

/** layoutBandLabels places fault band labels (bands in start order, pixels) on `rows` rows at the
 * top of a chart. A label starts at its band and may run on past the band's end — a two-second
 * pause is a sliver on a one-minute axis, and its label still has to be read — as long as it
 * meets no other label on its row; one that would pass the right edge moves left. Only when every
 * row is taken at its start is a label shortened (or left out: null). */
export function layoutBandLabels(
  bands: readonly { x0: number; x1: number; textPx: number }[],
  area: { left: number; right: number },
  rows = 3,
  gapPx = 8,
): (BandLabelPlace | null)[] {
  const rowEnd: number[] = Array.from({ length: rows }, () => -Infinity)
  return bands.map((b) => {
    const x = Math.max(area.left + 2, Math.min(b.x0 + 3, area.right - 2 - b.textPx))
    let row = rowEnd.findIndex((end) => end + gapPx <= x)
    let at = x
    if (row < 0) {
      // Every row is taken here: the row that frees up first, if that is still inside the band.
      row = rowEnd.indexOf(Math.min(...rowEnd))
      at = Math.max(x, (rowEnd[row] as number) + gapPx)
      if (at > Math.max(b.x1, x + 20) || at > area.right - 20) return null
    }
    const maxPx = area.right - 2 - at
    rowEnd[row] = at + Math.min(b.textPx, maxPx)
    return { x: at, row, maxPx }
  })
}

/** marksIn lists the fault events inside the window. */
export function marksIn(t: TimelineModel, w: TimeWindow): (FaultMark & { x: number })[] {
  const out: (FaultMark & { x: number })[] = []
  const a = t.marks.lowerBound(w.fromMs, (m) => m.timeMs)
  for (let i = a; i < t.marks.length; i++) {
    const m = t.marks.at(i) as FaultMark
    if (m.timeMs > w.toMs) break
    out.push({ ...m, x: sec(m.timeMs) })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// CSV exports: the data behind each chart, over the window shown.

/** termCsv: one row per term change per node. */
export function termCsv(t: TimelineModel, nodes: readonly NodeId[], w: TimeWindow): string {
  const rows: (string | number)[][] = []
  for (const id of nodes) {
    for (const p of termPoints(t.terms.get(id), w)) rows.push([r3(p.x), `n${id}`, p.y ?? 'down'])
  }
  rows.sort((a, b) => (a[0] as number) - (b[0] as number))
  return toCsv(['time_s', 'node', 'term'], rows)
}

/** leaderCsv: one row per leader segment (leader empty: no leader). */
export function leaderCsv(t: TimelineModel, w: TimeWindow): string {
  return toCsv(
    ['start_s', 'end_s', 'leader', 'term'],
    leaderSpans(t, w).map((s) => [
      r3(s.x0),
      r3(s.x1),
      s.leader === 0 ? '' : `n${s.leader}`,
      s.term,
    ]),
  )
}

/** latencyCsv: one row per workload sample. */
export function latencyCsv(t: TimelineModel, w: TimeWindow): string {
  return toCsv(
    ['time_s', 'p50_ms', 'p99_ms', 'max_ms', 'writes_per_s', 'reads_per_s', 'fail', 'info'],
    samplesIn(t, w)
      .filter((s) => s.timeMs >= w.fromMs && s.timeMs <= w.toMs)
      .map((s) => [
        r3(sec(s.timeMs)),
        s.p50,
        s.p99,
        s.max,
        s.writesPerSec,
        s.readsPerSec,
        s.fail,
        s.info,
      ]),
  )
}

/** histogramCsv: one row per bin. */
export function histogramCsv(h: Histogram): string {
  return toCsv(
    ['from_ms', 'to_ms', 'label', 'count'],
    h.counts.map((c, i) => [
      h.edges[i],
      h.edges[i + 1],
      binLabel(h.edges[i] as number, h.edges[i + 1] as number),
      c,
    ]),
  )
}

/** faultCsv: the fault bands in the window. */
export function faultCsv(t: TimelineModel, w: TimeWindow): string {
  return toCsv(
    ['start_s', 'end_s', 'kind', 'label'],
    bandSpans(t, w).map((b) => [r3(b.x0), b.open ? '' : r3(b.x1), b.kind, b.label]),
  )
}
