// What every live chart shares: the spec interface, the one time axis (fixed y-axis widths so all
// plot areas line up), theming, and the fault bands.
import type { Chart, Scale } from 'chart.js'
import { bandSpans, marksIn, untilNow, type TimeWindow } from '../model/chartData'
import { formatAxisSeconds, formatClock } from '../model/format'
import type { TimelineModel } from '../model/timeline'
import type { ClusterSnapshot } from '../stores/cluster'
import { setBands } from './plugins'
import type { ChartTheme } from './theme'

/** ChartKey names the charts (and their data-testids: chart-<key>). */
export type ChartKey = 'term' | 'leader' | 'latency' | 'throughput' | 'histogram'

/** ChartContext is everything a refill reads. */
export interface ChartContext {
  tl: TimelineModel
  window: TimeWindow
  nowMs: number
  cluster: ClusterSnapshot
  theme: ChartTheme
  logScale: boolean
}

/** ChartStatus is what the card around a chart shows: a note when there is nothing to draw (a
 * chart that receives no data says so), and a one-line summary. */
export interface ChartStatus {
  empty: string | null
  summary: string
}

/** ChartSpec builds and refills one chart. */
export interface ChartSpec {
  key: ChartKey
  title: string
  timeAxis: boolean
  create(canvas: HTMLCanvasElement, theme: ChartTheme): Chart
  update(chart: Chart, c: ChartContext): ChartStatus
  csv(c: ChartContext): string
}

/** Y_AXIS_WIDTH is every time chart's y-axis width, so their plot areas line up on one time axis. */
export const Y_AXIS_WIDTH = 52

/** fixWidth gives a y axis the common width. */
export const fixWidth = (s: Scale): void => {
  s.width = Y_AXIS_WIDTH
}

/** timeScale is the shared time axis: seconds since the session started, labelled m:ss. */
export function timeScale(theme: ChartTheme, showTicks: boolean) {
  return {
    type: 'linear' as const,
    ticks: {
      display: showTicks,
      color: theme.muted,
      maxTicksLimit: 9,
      maxRotation: 0,
      callback: (v: string | number) => formatAxisSeconds(Number(v)),
    },
    grid: { color: theme.grid },
    border: { display: false },
  }
}

/** baseOptions are every time chart's options: raw {x, y} data, no legend, x tooltips. */
export function baseOptions(theme: ChartTheme, showTicks = true) {
  return {
    parsing: false as const,
    normalized: true,
    layout: { padding: { right: 10, top: 2 } },
    interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
    plugins: {
      legend: { display: false },
      tooltip: {
        callbacks: {
          title: (items: { parsed: { x: number | null } }[]) =>
            formatClock((items[0]?.parsed.x ?? 0) * 1000, 1),
        },
      },
    },
    scales: { x: timeScale(theme, showTicks) },
  }
}

/** setWindow shows the time window on a chart's x axis. */
export function setWindow(chart: Chart, w: TimeWindow): void {
  const x = chart.options.scales?.x
  if (x) {
    x.min = w.fromMs / 1000
    x.max = w.toMs / 1000
  }
}

/** applyTheme recolours a chart's axes for the current theme. */
export function applyTheme(chart: Chart, theme: ChartTheme): void {
  for (const s of Object.values(chart.options.scales ?? {})) {
    if (!s) continue
    if (s.ticks) s.ticks.color = theme.muted
    if (s.grid) s.grid.color = theme.grid
    const t = (s as { title?: { color?: string } }).title
    if (t) t.color = theme.muted
  }
}

/** bands hands the fault plugin the bands and marks in the window. */
export function bands(chart: Chart, c: ChartContext, labels: boolean): void {
  setBands(chart, {
    bands: bandSpans(c.tl, untilNow(c.window, c.nowMs)),
    marks: marksIn(c.tl, c.window),
    theme: c.theme,
    labels,
  })
}

/** axisMs labels a latency tick compactly: 0.5, 2, 30, 1k. */
export function axisMs(v: number): string {
  if (v >= 1000) return `${v / 1000}k`
  return String(Number(v.toPrecision(2)))
}

/** logTickLabel labels only the decades of a log axis when it spans several (a short chart has
 * no room for 1, 2, 5, 10, 20, 50 …), else 1-2-5 steps. */
export function logTickLabel(v: number, ticks: readonly { value: number }[]): string {
  const mantissa = Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(3))
  const decades = ticks.filter((t) => {
    const m = t.value / 10 ** Math.floor(Math.log10(t.value) + 1e-9)
    return Math.abs(m - 1) < 1e-6
  }).length
  if (decades >= 2) return Math.abs(mantissa - 1) < 1e-6 ? axisMs(v) : ''
  return [1, 2, 5].includes(mantissa) ? axisMs(v) : ''
}

/** silence is how long ago `lastMs` was, in session time. */
export const silence = (lastMs: number, c: ChartContext): number => c.nowMs - lastMs

/** setDatasets gives a chart its datasets. When the same datasets (by label) are already there
 * only their data is swapped, which keeps Chart.js's resolved options cached instead of resolving
 * every dataset's options again four times a second. */
export function setDatasets(
  chart: Chart,
  next: readonly ({ label: string; data: unknown[] } & Record<string, unknown>)[],
): void {
  const cur = chart.data.datasets
  const same = cur.length === next.length && cur.every((d, i) => d.label === next[i]?.label)
  if (!same) {
    chart.data.datasets = next.map((d) => ({ ...d })) as never
    return
  }
  for (let i = 0; i < next.length; i++)
    (cur[i] as { data: unknown[] }).data = (next[i] as { data: unknown[] }).data
}
