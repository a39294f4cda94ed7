// How numbers and times read in the UI: one place, so every view agrees. Pure.

/** formatClock formats session time (ms since the session started) as m:ss.mmm, or h:mm:ss.mmm
 * past an hour: the same clock the charts' time axis uses. */
export function formatClock(timeMs: number, decimals = 3): string {
  const neg = timeMs < 0
  let t = Math.abs(timeMs) / 1000
  const h = Math.floor(t / 3600)
  t -= h * 3600
  const m = Math.floor(t / 60)
  t -= m * 60
  const s = t.toFixed(decimals).padStart(decimals > 0 ? decimals + 3 : 2, '0')
  const body = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
  return neg ? `-${body}` : body
}

/** formatAxisSeconds labels a time-axis tick given in seconds. */
export function formatAxisSeconds(sec: number): string {
  return formatClock(sec * 1000, 0)
}

/** formatMs formats a latency: three significant figures, always in ms. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–'
  if (ms >= 100) return ms.toFixed(0)
  if (ms >= 10) return ms.toFixed(1)
  if (ms >= 1) return ms.toFixed(2)
  return ms.toFixed(3)
}

/** formatCount groups thousands: 12,345. (By hand: toLocaleString is slow, and this runs for
 * every log row at every update.) */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–'
  const s = String(Math.abs(Math.round(n)))
  let out = ''
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ','
    out += s[i]
  }
  return n < 0 ? `-${out}` : out
}

/** formatRate formats a per-second rate compactly: 950/s, 2.1k/s. */
export function formatRate(perSec: number): string {
  if (perSec >= 10_000) return `${(perSec / 1000).toFixed(0)}k/s`
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(1)}k/s`
  return `${Math.round(perSec)}/s`
}

export { formatDuration } from '../../../shared/util/duration'

/** formatIndices writes a node's commit and last index (and its applied index when it lags the
 * commit) as "c199,356 l199,356": grouped like every other count, so a long log reads alike on
 * the ring, in the logs and in the node menu. */
export function formatIndices(s: { commit: number; applied: number; lastIndex: number }): string {
  const a = s.applied !== s.commit ? ` a${formatCount(s.applied)}` : ''
  return `c${formatCount(s.commit)}${a} l${formatCount(s.lastIndex)}`
}

/** formatWorkloadReadout is the workload's one-line state: its rate and p99 from the latest
 * sample — but with no leader, that writes wait (a zero rate and a zero p99 would read like a
 * measurement), and a window in which no write completed has no p99 ("—", not 0.000 ms). */
export function formatWorkloadReadout(
  s: { writesPerSec: number; readsPerSec: number; writes: number; p99Ms: number },
  hasLeader: boolean,
): string {
  if (!hasLeader) return 'no leader — writes wait'
  const rate = formatRate(s.writesPerSec + s.readsPerSec)
  return s.writes > 0 ? `${rate} · p99 ${formatMs(s.p99Ms)} ms` : `${rate} · p99 —`
}
