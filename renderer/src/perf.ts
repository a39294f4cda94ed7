// Opt-in timing of the renderer's own work, for load tests: with ?perf in the address, the event
// pipeline, Vue's re-render after it and every chart refresh are timed, and
// window.raftlabPerf.stats() returns count, mean, max and how many took over 16 / 50 ms.
// Without ?perf, timed() just calls the function.

interface Stat {
  count: number
  totalMs: number
  maxMs: number
  over16: number
  over50: number
}

// Read through globalThis: this module is also loaded by unit tests under Node (no location).
const host = globalThis as { location?: { search: string }; raftlabPerf?: unknown }
const enabled = host.location !== undefined && new URLSearchParams(host.location.search).has('perf')
const stats = new Map<string, Stat>()

/** record adds one duration under a label. */
export function record(label: string, ms: number): void {
  if (!enabled) return
  let s = stats.get(label)
  if (!s) {
    s = { count: 0, totalMs: 0, maxMs: 0, over16: 0, over50: 0 }
    stats.set(label, s)
  }
  s.count++
  s.totalMs += ms
  s.maxMs = Math.max(s.maxMs, ms)
  if (ms > 16) s.over16++
  if (ms > 50) s.over50++
}

/** timed runs fn, recording how long it took when ?perf is on. */
export function timed<T>(label: string, fn: () => T): T {
  if (!enabled) return fn()
  const t0 = performance.now()
  try {
    return fn()
  } finally {
    record(label, performance.now() - t0)
  }
}

/** perfEnabled tells whether timing is on. */
export const perfEnabled = enabled

if (enabled) {
  host.raftlabPerf = {
    stats: () =>
      Object.fromEntries(
        [...stats].map(([k, s]) => [k, { ...s, meanMs: s.count > 0 ? s.totalMs / s.count : 0 }]),
      ),
    reset: () => stats.clear(),
  }
}
