// The one time axis every chart shares: the visible window (following now, or frozen), its span,
// where it begins (the running cluster's start), and the cursor (where the pointer hovers, or a
// moment picked in the narrative).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { TimeWindow } from '../model/chartData'

/** SPANS are the window presets, in ms. */
export const SPANS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000] as const

/** useTimeAxisStore holds the shared window and cursor. */
export const useTimeAxisStore = defineStore('timeAxis', () => {
  const spanMs = ref<number>(60_000)
  const frozen = ref(false)
  /** frozenToMs: the window's right edge while frozen. */
  const frozenToMs = ref(0)
  /** hoverMs: the session time under the pointer on any time chart. */
  const hoverMs = ref<number | null>(null)
  /** pinnedMs: a moment picked from the narrative (or by clicking a chart). */
  const pinnedMs = ref<number | null>(null)
  /** logScale: the latency chart's y axis is logarithmic (latencies span orders of magnitude). */
  const logScale = ref(true)
  /** originMs: where the charts begin while following now: the newest cluster's start, so a new
   * cluster's charts start empty rather than with the last cluster's end and the time between.
   * (Its history stays a pan or a narrative click away.) */
  const originMs = ref(0)

  /** setOrigin moves where the following window begins. */
  function setOrigin(ms: number): void {
    if (originMs.value !== ms) originMs.value = ms
  }

  /** windowAt is the visible window given the session time now. While following, the first
   * span after the origin shows [origin, origin + span] so early data does not stretch across the
   * axis, and nothing from before the origin. */
  function windowAt(nowMs: number): TimeWindow {
    const span = spanMs.value
    if (frozen.value) return { fromMs: frozenToMs.value - span, toMs: frozenToMs.value }
    if (nowMs - originMs.value < span)
      return { fromMs: originMs.value, toMs: originMs.value + span }
    return { fromMs: nowMs - span, toMs: nowMs }
  }

  /** freeze stops following now, keeping the window where it is. */
  function freeze(nowMs: number): void {
    if (frozen.value) return
    frozenToMs.value = windowAt(nowMs).toMs
    frozen.value = true
  }

  /** follow goes back to following now. */
  function follow(): void {
    frozen.value = false
    pinnedMs.value = null
  }

  /** toggleFreeze freezes or follows. */
  function toggleFreeze(nowMs: number): void {
    if (frozen.value) follow()
    else freeze(nowMs)
  }

  /** zoom multiplies the span by `factor` around `centerMs` (freezing when zooming into the
   * past; while following, the right edge stays now). */
  function zoom(factor: number, nowMs: number, centerMs?: number): void {
    const next = Math.min(3_600_000, Math.max(2_000, spanMs.value * factor))
    if (frozen.value && centerMs !== undefined) {
      const w = windowAt(nowMs)
      const right = centerMs + (w.toMs - centerMs) * (next / spanMs.value)
      frozenToMs.value = Math.min(Math.max(right, next), Math.max(nowMs, next))
    }
    spanMs.value = next
  }

  /** stepSpan moves to the next smaller (-1) or larger (+1) preset. */
  function stepSpan(dir: -1 | 1, nowMs: number): void {
    const i = SPANS.findIndex((s) => s >= spanMs.value)
    const cur = i < 0 ? SPANS.length - 1 : i
    const next = SPANS[Math.min(SPANS.length - 1, Math.max(0, cur + dir))] as number
    zoom(next / spanMs.value, nowMs)
  }

  /** pan shifts a frozen window by deltaMs (freezing it first). */
  function pan(deltaMs: number, nowMs: number): void {
    freeze(nowMs)
    frozenToMs.value = Math.min(
      Math.max(frozenToMs.value + deltaMs, spanMs.value),
      Math.max(nowMs, originMs.value + spanMs.value),
    )
  }

  /** showMoment pins the cursor at a moment and makes sure it is visible: if the window does not
   * hold it, the charts freeze with the moment at their centre. */
  function showMoment(ms: number, nowMs: number): void {
    pinnedMs.value = ms
    const w = windowAt(nowMs)
    if (ms < w.fromMs || ms > w.toMs) {
      frozen.value = true
      frozenToMs.value = Math.max(ms + spanMs.value / 2, spanMs.value)
    }
  }

  return {
    spanMs,
    frozen,
    frozenToMs,
    hoverMs,
    pinnedMs,
    logScale,
    originMs,
    setOrigin,
    windowAt,
    freeze,
    follow,
    toggleFreeze,
    zoom,
    stepSpan,
    pan,
    showMoment,
  }
})
