// One clock for every live chart: at most CHART_REFRESH_MS between redraws (≤ 4 a second), each
// chart in its own task so a refresh of all of them never makes one long task. A chart whose
// redraw was slow (a machine busy running the cluster) sits out a tick or more, so the page stays
// responsive rather than the charts staying smooth.

/** CHART_REFRESH_MS is the live charts' refresh period. */
export const CHART_REFRESH_MS = 250

/** SLOW_MS: a redraw slower than this skips the next tick (one more per SLOW_MS, up to 3). */
const SLOW_MS = 20

interface Subscriber {
  fn: () => void
  skip: number
}

const subscribers = new Set<Subscriber>()
let timer: ReturnType<typeof setInterval> | null = null

function run(s: Subscriber): void {
  const t0 = performance.now()
  s.fn()
  const ms = performance.now() - t0
  s.skip = ms > SLOW_MS ? Math.min(3, Math.floor(ms / SLOW_MS)) : 0
}

function tick(): void {
  // A hidden page draws nothing; the charts catch up when it is shown again.
  if (document.hidden) return
  let i = 0
  for (const s of subscribers) {
    if (s.skip > 0) {
      s.skip--
      continue
    }
    setTimeout(() => run(s), 4 * i++)
  }
}

/** onChartTick calls `fn` every CHART_REFRESH_MS until the returned function is called. */
export function onChartTick(fn: () => void): () => void {
  const s: Subscriber = { fn, skip: 0 }
  subscribers.add(s)
  timer ??= setInterval(tick, CHART_REFRESH_MS)
  return () => {
    subscribers.delete(s)
    if (subscribers.size === 0 && timer) {
      clearInterval(timer)
      timer = null
    }
  }
}
