// Small Chart.js plugins: fault periods shaded behind the data (on every time chart), fault
// events as thin marks, and the leader timeline drawn as coloured segments with hatched gaps.
// Their data is kept in WeakMaps beside the chart (never in Chart.js options, never reactive).
import type { Chart, Plugin } from 'chart.js'
import { layoutBandLabels, type RawPoints, type Span } from '../model/chartData'
import type { FaultBand, FaultMark, LeaderSegment } from '../model/timeline'
import { inkOn, nodeColor } from '../model/palette'
import type { ChartTheme } from './theme'

/** BandLayer is what the fault plugin draws on one chart. */
export interface BandLayer {
  bands: (FaultBand & Span)[]
  marks: (FaultMark & { x: number })[]
  theme: ChartTheme
  /** labels: write the band labels (on one chart only, to keep the others clean). */
  labels: boolean
}

const bandLayers = new WeakMap<Chart, BandLayer>()
const leaderLayers = new WeakMap<Chart, { spans: (LeaderSegment & Span)[]; theme: ChartTheme }>()

const rawLayers = new WeakMap<Chart, { raw: RawPoints; color: string }>()

/** setRawPoints gives a chart raw points to draw behind its lines. */
export function setRawPoints(chart: Chart, raw: RawPoints, color: string): void {
  rawLayers.set(chart, { raw, color })
}

/** rawPointsPlugin draws thousands of raw latencies as 2-px squares straight onto the canvas:
 * as Chart.js point elements each would be an object with resolved options, four times a second. */
export const rawPointsPlugin: Plugin = {
  id: 'raftlabRawPoints',
  beforeDatasetsDraw(chart) {
    const layer = rawLayers.get(chart)
    const x = chart.scales.x
    const y = chart.scales.y
    if (!layer || !x || !y) return
    const { xs, ys } = layer.raw
    const ctx = chart.ctx
    ctx.save()
    clip(chart)
    ctx.fillStyle = layer.color
    for (let i = 0; i < xs.length; i++) {
      const v = ys[i] as number
      if (!(v > 0) && y.type === 'logarithmic') continue
      ctx.fillRect(x.getPixelForValue(xs[i] as number) - 1, y.getPixelForValue(v) - 1, 2, 2)
    }
    ctx.restore()
  },
}

/** setBands gives a chart the fault bands and marks to draw at its next update. */
export function setBands(chart: Chart, layer: BandLayer): void {
  bandLayers.set(chart, layer)
}

/** setLeaderSpans gives the leader chart its segments. */
export function setLeaderSpans(
  chart: Chart,
  spans: (LeaderSegment & Span)[],
  theme: ChartTheme,
): void {
  leaderLayers.set(chart, { spans, theme })
}

/** fitText shortens a label with an ellipsis to fit maxPx (never squeezes the letters). */
function fitText(ctx: CanvasRenderingContext2D, text: string, maxPx: number): string {
  if (ctx.measureText(text).width <= maxPx) return text
  for (let n = text.length - 1; n > 2; n--) {
    const t = `${text.slice(0, n)}…`
    if (ctx.measureText(t).width <= maxPx) return t
  }
  return ''
}

function clip(chart: Chart): void {
  const a = chart.chartArea
  chart.ctx.beginPath()
  chart.ctx.rect(a.left, a.top, a.right - a.left, a.bottom - a.top)
  chart.ctx.clip()
}

/** faultBandsPlugin shades fault periods behind the datasets and marks fault events. */
export const faultBandsPlugin: Plugin = {
  id: 'raftlabFaultBands',
  beforeDatasetsDraw(chart) {
    const layer = bandLayers.get(chart)
    const x = chart.scales.x
    if (!layer || !x) return
    const { ctx, chartArea: a } = chart
    ctx.save()
    clip(chart)
    ctx.font = '10px system-ui, sans-serif'
    ctx.textBaseline = 'top'
    const px = layer.bands.map((b) => ({
      x0: x.getPixelForValue(b.x0),
      x1: x.getPixelForValue(b.x1),
      textPx: layer.labels ? ctx.measureText(b.label).width : 0,
    }))
    layer.bands.forEach((b, i) => {
      const p = px[i] as { x0: number; x1: number }
      ctx.fillStyle = b.kind === 'node' ? layer.theme.faultNode : layer.theme.faultLink
      ctx.fillRect(p.x0, a.top, Math.max(2, p.x1 - p.x0), a.bottom - a.top)
    })
    if (layer.labels) {
      const places = layoutBandLabels(px, { left: a.left, right: a.right })
      ctx.fillStyle = layer.theme.muted
      layer.bands.forEach((b, i) => {
        const p = places[i]
        const text = p ? fitText(ctx, b.label, p.maxPx) : ''
        if (p && text) ctx.fillText(text, p.x, a.top + 2 + p.row * 11)
      })
    }
    for (const m of layer.marks) {
      const px = Math.round(x.getPixelForValue(m.x)) + 0.5
      ctx.strokeStyle = m.action === 'applied' ? layer.theme.applied : layer.theme.healed
      ctx.setLineDash([3, 3])
      ctx.lineWidth = 1
      ctx.beginPath()
      ctx.moveTo(px, a.top)
      ctx.lineTo(px, a.bottom)
      ctx.stroke()
    }
    ctx.restore()
  },
}

let hatchCache: { color: string; pattern: CanvasPattern | null } | null = null

function hatch(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  if (hatchCache?.color === color && hatchCache.pattern) return hatchCache.pattern
  const c = document.createElement('canvas')
  c.width = 8
  c.height = 8
  const g = c.getContext('2d')
  if (!g) return color
  g.strokeStyle = color
  g.lineWidth = 2
  g.beginPath()
  g.moveTo(0, 8)
  g.lineTo(8, 0)
  g.moveTo(-2, 2)
  g.lineTo(2, -2)
  g.moveTo(6, 10)
  g.lineTo(10, 6)
  g.stroke()
  const pattern = ctx.createPattern(c, 'repeat')
  hatchCache = { color, pattern }
  return pattern ?? color
}

/** leaderPlugin draws the leader timeline: a segment per leader and term, coloured by node and
 * labelled "n3 · t7"; no-leader gaps hatched and labelled. */
export const leaderPlugin: Plugin = {
  id: 'raftlabLeader',
  beforeDatasetsDraw(chart) {
    const layer = leaderLayers.get(chart)
    const x = chart.scales.x
    if (!layer || !x) return
    const { ctx, chartArea: a } = chart
    const top = a.top + 3
    const h = a.bottom - a.top - 6
    ctx.save()
    clip(chart)
    ctx.font = '11px system-ui, sans-serif'
    ctx.textBaseline = 'middle'
    for (const s of layer.spans) {
      const x0 = x.getPixelForValue(s.x0)
      const x1 = x.getPixelForValue(s.x1)
      const w = Math.max(1, x1 - x0)
      let ink: string
      let text: string
      if (s.leader === 0) {
        ctx.fillStyle = hatch(ctx, layer.theme.noLeader)
        ctx.fillRect(x0, top, w, h)
        ink = layer.theme.fg
        text = 'no leader'
      } else {
        const color = nodeColor(s.leader)
        ctx.fillStyle = color
        ctx.fillRect(x0, top, w, h)
        // A thin gap between consecutive segments shows a change even between equal colours.
        ctx.clearRect(x0, top, 1, h)
        ink = inkOn(color)
        text = `★ n${s.leader} · t${s.term}`
      }
      const fitted = fitText(ctx, text, w - 8)
      if (fitted) {
        ctx.fillStyle = ink
        ctx.fillText(fitted, x0 + 4, top + h / 2)
      }
    }
    ctx.restore()
  },
}
