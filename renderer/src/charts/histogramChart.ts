// The latency histogram: the raw write latencies in the visible window, on log-spaced bins.
import type { Chart, ChartConfiguration } from 'chart.js'
import { histogramCsv, histogramIn } from '../model/chartData'
import { formatCount, formatMs } from '../model/format'
import { binLabel } from '../model/histogram'
import { OKABE_ITO } from '../model/palette'
import { applyTheme, type ChartSpec } from './common'
import { Chart as ChartJs } from './setup'

/** histogramChart is the latency histogram's spec. */
export const histogramChart: ChartSpec = {
  key: 'histogram',
  title: 'latency histogram (ms)',
  timeAxis: false,
  create(canvas, theme) {
    const cfg: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: {
        labels: [],
        datasets: [
          {
            label: 'writes',
            data: [],
            backgroundColor: OKABE_ITO.sky,
            barPercentage: 1,
            categoryPercentage: 0.95,
          },
        ],
      },
      options: {
        layout: { padding: { right: 6 } },
        plugins: { legend: { display: false } },
        scales: {
          x: {
            ticks: { color: theme.muted, maxRotation: 60, autoSkip: true, maxTicksLimit: 8 },
            grid: { display: false },
            title: { display: true, text: 'ms', color: theme.muted },
          },
          y: {
            ticks: { color: theme.muted, maxTicksLimit: 4, precision: 0 },
            grid: { color: theme.grid },
          },
        },
      },
    }
    return new ChartJs(canvas, cfg) as unknown as Chart
  },
  update(chart, c) {
    const h = histogramIn(c.tl, c.window)
    chart.data.labels = h.counts.map((_, i) =>
      binLabel(h.edges[i] as number, h.edges[i + 1] as number),
    )
    const ds = chart.data.datasets[0]
    if (ds) ds.data = h.counts.slice()
    applyTheme(chart, c.theme)
    chart.update('none')
    return {
      empty: h.total === 0 ? 'no write latencies in this window' : null,
      summary:
        h.total > 0
          ? `n ${formatCount(h.total)} · p50 ${formatMs(h.p50)} · p99 ${formatMs(h.p99)}`
          : '',
    }
  },
  csv: (c) => histogramCsv(histogramIn(c.tl, c.window)),
}
