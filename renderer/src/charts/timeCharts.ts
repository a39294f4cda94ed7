// The live time charts: how each is built and how it is refilled from the timeline for a time
// window. Every refill hands Chart.js fresh plain arrays (never reactive ones) and ends in
// update('none') — no animation, no re-parsing of unchanged options.
import type { Chart, ChartConfiguration, Scale } from 'chart.js'
import { nodeName } from '../../../shared/lab/config'
import {
  drawnIn,
  gapsIn,
  latencyCsv,
  latencySeries,
  leaderCsv,
  leaderSpans,
  termCsv,
  termOffset,
  termPoints,
  untilNow,
} from '../model/chartData'
import { formatCount, formatDuration, formatMs } from '../model/format'
import { nodeColor, nodeDash, OKABE_ITO } from '../model/palette'
import {
  applyTheme,
  setDatasets,
  axisMs,
  logTickLabel,
  bands,
  baseOptions,
  fixWidth,
  setWindow,
  silence,
  timeScale,
  type ChartKey,
  type ChartSpec,
} from './common'
import { histogramChart } from './histogramChart'
import {
  faultBandsPlugin,
  leaderPlugin,
  rawPointsPlugin,
  setLeaderSpans,
  setRawPoints,
} from './plugins'
import { Chart as ChartJs } from './setup'

export type { ChartContext, ChartKey, ChartSpec, ChartStatus } from './common'

// ---------------------------------------------------------------------------------------------

const termChart: ChartSpec = {
  key: 'term',
  title: 'term per node',
  timeAxis: true,
  create(canvas, theme) {
    const cfg: ChartConfiguration<'line'> = {
      type: 'line',
      data: { datasets: [] },
      options: {
        ...baseOptions(theme, false),
        scales: {
          x: timeScale(theme, false),
          y: {
            ticks: { color: theme.muted, precision: 0, maxTicksLimit: 5 },
            grid: { color: theme.grid },
            afterFit: fixWidth,
          },
        },
        plugins: {
          ...baseOptions(theme).plugins,
          tooltip: {
            ...baseOptions(theme).plugins.tooltip,
            callbacks: {
              ...baseOptions(theme).plugins.tooltip.callbacks,
              label: (i) => `${i.dataset.label}: term ${Math.round(i.parsed.y ?? 0)}`,
            },
          },
        },
      },
      plugins: [faultBandsPlugin],
    }
    return new ChartJs(canvas, cfg) as unknown as Chart
  },
  update(chart, c) {
    const ids =
      c.cluster.nodes.length > 0
        ? c.cluster.nodes.map((n) => n.id)
        : [...c.tl.terms.keys()].sort((a, b) => a - b)
    setDatasets(
      chart,
      ids.map((id, i) => ({
        label: nodeName(id),
        data: termPoints(
          c.tl.terms.get(id),
          untilNow(c.window, c.nowMs),
          termOffset(i, ids.length),
        ),
        stepped: true,
        borderColor: nodeColor(id),
        backgroundColor: nodeColor(id),
        borderDash: nodeDash(id),
        borderWidth: 1.5,
        pointRadius: 0,
        spanGaps: false,
      })),
    )
    // Fit the terms shown (Chart.js would pad below zero and waste the chart's little height).
    let lo = Infinity
    let hi = -Infinity
    for (const d of chart.data.datasets)
      for (const p of d.data as { y: number | null }[])
        if (p.y !== null) {
          lo = Math.min(lo, p.y)
          hi = Math.max(hi, p.y)
        }
    const y = chart.options.scales?.y
    if (y) {
      y.min = Number.isFinite(lo) ? Math.max(0, Math.floor(lo - 0.5)) : 0
      y.max = Number.isFinite(hi) ? Math.ceil(hi + 0.5) : 2
    }
    setWindow(chart, c.window)
    applyTheme(chart, c.theme)
    bands(chart, c, true)
    chart.update('none')
    const any = chart.data.datasets.some((d) => d.data.length > 0)
    const quiet = silence(c.tl.lastStatusMs, c)
    return {
      empty: !any
        ? c.cluster.running
          ? 'waiting for the first status report…'
          : 'no cluster running — start one to see terms'
        : c.cluster.running && quiet > 3000
          ? `no status reports for ${formatDuration(quiet)}`
          : null,
      summary: c.cluster.running ? `term ${c.cluster.term}` : '',
    }
  },
  csv: (c) =>
    termCsv(
      c.tl,
      c.cluster.nodes.map((n) => n.id),
      untilNow(c.window, c.nowMs),
    ),
}

const leaderChart: ChartSpec = {
  key: 'leader',
  title: 'leader',
  timeAxis: true,
  create(canvas, theme) {
    const cfg: ChartConfiguration<'line'> = {
      type: 'line',
      data: { datasets: [{ data: [] }] },
      options: {
        ...baseOptions(theme, false),
        events: [],
        scales: {
          x: { ...timeScale(theme, false), grid: { display: false } },
          y: {
            display: true,
            min: 0,
            max: 1,
            ticks: { display: false },
            grid: { display: false },
            border: { display: false },
            afterFit: fixWidth,
          },
        },
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
      },
      plugins: [faultBandsPlugin, leaderPlugin],
    }
    return new ChartJs(canvas, cfg) as unknown as Chart
  },
  update(chart, c) {
    const held = untilNow(c.window, c.nowMs)
    const spans = leaderSpans(c.tl, held)
    setLeaderSpans(chart, spans, c.theme)
    setWindow(chart, c.window)
    bands(chart, c, false)
    chart.update('none')
    const gaps = gapsIn(c.tl, held)
    return {
      empty:
        spans.length === 0
          ? c.cluster.running
            ? 'no leader data yet'
            : 'no cluster running'
          : null,
      summary:
        gaps.gaps === 0
          ? 'no gaps'
          : `${gaps.gaps} no-leader gap${gaps.gaps === 1 ? '' : 's'} in view, ${formatDuration(gaps.totalMs)} without a leader`,
    }
  },
  csv: (c) => leaderCsv(c.tl, untilNow(c.window, c.nowMs)),
}

const latencyChart: ChartSpec = {
  key: 'latency',
  title: 'write latency (ms)',
  timeAxis: true,
  create(canvas, theme) {
    const cfg: ChartConfiguration<'line'> = {
      type: 'line',
      data: { datasets: [] },
      options: {
        ...baseOptions(theme, false),
        scales: {
          x: timeScale(theme, false),
          y: {
            type: 'logarithmic',
            ticks: {
              color: theme.muted,
              callback(this: Scale, v, _i, ticks) {
                return this.type === 'logarithmic'
                  ? logTickLabel(Number(v), ticks)
                  : axisMs(Number(v))
              },
            },
            grid: { color: theme.grid },
            afterFit: fixWidth,
          },
        },
        plugins: {
          ...baseOptions(theme).plugins,
          tooltip: {
            ...baseOptions(theme).plugins.tooltip,
            callbacks: {
              ...baseOptions(theme).plugins.tooltip.callbacks,
              label: (i) => `${i.dataset.label}: ${formatMs(i.parsed.y ?? NaN)} ms`,
            },
          },
        },
      },
      plugins: [faultBandsPlugin, rawPointsPlugin],
    }
    return new ChartJs(canvas, cfg) as unknown as Chart
  },
  update(chart, c) {
    const s = latencySeries(c.tl, c.window)
    setDatasets(chart, [
      { label: 'p50', data: s.p50, borderColor: c.theme.p50, borderWidth: 2, pointRadius: 0 },
      {
        label: 'p99',
        data: s.p99,
        borderColor: c.theme.p99,
        borderWidth: 1.5,
        borderDash: [5, 3],
        pointRadius: 0,
      },
    ])
    setRawPoints(chart, s.raw, c.theme.raw)
    // The y range must hold the raw points too (Chart.js only sees the percentile lines).
    let lo = Infinity
    let hi = 0
    const see = (v: number | null) => {
      if (v === null || !(v > 0)) return
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    for (const p of s.p50) see(p.y)
    for (const p of s.p99) see(p.y)
    for (let i = 0; i < s.raw.ys.length; i++) see(s.raw.ys[i] as number)
    const y = chart.options.scales?.y
    if (y) {
      y.type = c.logScale ? 'logarithmic' : 'linear'
      const any = hi > 0
      y.min = !any ? (c.logScale ? 1 : 0) : c.logScale ? lo / 1.3 : 0
      y.max = !any ? 10 : c.logScale ? hi * 1.3 : hi * 1.08
    }
    setWindow(chart, c.window)
    applyTheme(chart, c.theme)
    bands(chart, c, false)
    chart.update('none')
    const last = s.p50.length > 0 ? s.p50.length - 1 : -1
    const quiet = silence(c.tl.lastSampleMs, c)
    const running = c.cluster.workload.running
    const drawn = drawnIn(s.p50, c.window)
    return {
      empty:
        !drawn && s.raw.xs.length === 0
          ? running
            ? 'workload running — waiting for its first sample…'
            : 'no workload running — start one (w) to see write latency'
          : running && quiet > 3000
            ? `no workload samples for ${formatDuration(quiet)}`
            : null,
      // (Not a sample from before the window, which the chart does not show.)
      summary:
        last >= 0 && drawn
          ? `latest p50 ${formatMs(s.p50[last]?.y ?? NaN)} · p99 ${formatMs(s.p99[last]?.y ?? NaN)} ms`
          : '',
    }
  },
  csv: (c) => latencyCsv(c.tl, c.window),
}

const throughputChart: ChartSpec = {
  key: 'throughput',
  title: 'throughput (ops/s)',
  timeAxis: true,
  create(canvas, theme) {
    const cfg: ChartConfiguration<'line'> = {
      type: 'line',
      data: { datasets: [] },
      options: {
        ...baseOptions(theme, true),
        scales: {
          x: timeScale(theme, true),
          y: {
            min: 0,
            ticks: { color: theme.muted, maxTicksLimit: 4 },
            grid: { color: theme.grid },
            afterFit: fixWidth,
          },
        },
      },
      plugins: [faultBandsPlugin],
    }
    return new ChartJs(canvas, cfg) as unknown as Chart
  },
  update(chart, c) {
    const s = latencySeries(c.tl, c.window, 0)
    const reads = s.reads.some((p) => (p.y ?? 0) > 0)
    const failed = s.failed.some((p) => (p.y ?? 0) > 0)
    const unknown = s.unknown.some((p) => (p.y ?? 0) > 0)
    setDatasets(chart, [
      {
        label: 'writes/s',
        data: s.writes,
        stepped: true,
        borderColor: OKABE_ITO.green,
        backgroundColor: 'rgba(0,158,115,0.18)',
        fill: 'origin',
        borderWidth: 1.5,
        pointRadius: 0,
      },
      ...(reads
        ? [
            {
              label: 'reads/s',
              data: s.reads,
              stepped: true,
              borderColor: OKABE_ITO.purple,
              borderWidth: 1.5,
              pointRadius: 0,
            },
          ]
        : []),
      // Failures are drawn only when there are some: a lab must not hide them behind a 0 rate.
      ...(failed
        ? [
            {
              label: 'failed/s',
              data: s.failed,
              stepped: true,
              borderColor: OKABE_ITO.vermillion,
              borderWidth: 1.5,
              pointRadius: 0,
            },
          ]
        : []),
      ...(unknown
        ? [
            {
              label: 'unknown/s',
              data: s.unknown,
              stepped: true,
              borderColor: OKABE_ITO.orange,
              borderWidth: 1.5,
              borderDash: [4, 3],
              pointRadius: 0,
            },
          ]
        : []),
    ])
    setWindow(chart, c.window)
    applyTheme(chart, c.theme)
    bands(chart, c, false)
    chart.update('none')
    const last = s.writes[s.writes.length - 1]?.y
    const lastBad =
      (s.failed[s.failed.length - 1]?.y ?? 0) + (s.unknown[s.unknown.length - 1]?.y ?? 0)
    return {
      empty: !drawnIn(s.writes, c.window) ? 'no workload samples in this window' : null,
      summary:
        last !== undefined && last !== null
          ? `${formatCount(last)} writes/s` +
            (lastBad > 0 ? ` · ${formatCount(lastBad)} failed or unknown/s` : '')
          : '',
    }
  },
  csv: (c) => latencyCsv(c.tl, c.window),
}

/** CHART_SPECS lists the live charts, top to bottom. */
export const CHART_SPECS: Record<ChartKey, ChartSpec> = {
  term: termChart,
  leader: leaderChart,
  latency: latencyChart,
  throughput: throughputChart,
  histogram: histogramChart,
}
