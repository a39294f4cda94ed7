// How long something took or will take, in words a person reads: "850 ms", "4.2 s",
// "3 min 20 s", "1 h 3 min". One function for the app and the CLI. Pure.

/** formatDuration formats a span of milliseconds. */
export function formatDuration(ms: number): string {
  if (!(ms >= 0)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`
  const s = Math.round(ms / 1000)
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}
