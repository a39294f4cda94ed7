// Chart colours from the page's CSS variables, so charts follow the light or dark theme (which
// follows the OS through prefers-color-scheme).

/** ChartTheme is what a chart needs to match the page. */
export interface ChartTheme {
  fg: string
  muted: string
  grid: string
  bg: string
  faultNode: string
  faultLink: string
  applied: string
  healed: string
  noLeader: string
  p50: string
  p99: string
  raw: string
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return v || fallback
}

let cached: ChartTheme | null = null

/** chartTheme reads the current theme. It is cached: reading CSS variables forces the browser to
 * recompute styles, which a few charts refreshing four times a second must not do each time. */
export function chartTheme(): ChartTheme {
  cached ??= readTheme()
  return cached
}

function readTheme(): ChartTheme {
  return {
    fg: cssVar('--fg', '#1b1b1b'),
    muted: cssVar('--fg-muted', '#666'),
    grid: cssVar('--grid', 'rgba(128,128,128,0.2)'),
    bg: cssVar('--bg-panel', '#fff'),
    faultNode: cssVar('--fault-node', 'rgba(213,94,0,0.13)'),
    faultLink: cssVar('--fault-link', 'rgba(230,159,0,0.16)'),
    applied: cssVar('--fault-applied', '#D55E00'),
    healed: cssVar('--fault-healed', '#009E73'),
    noLeader: cssVar('--no-leader', 'rgba(128,128,128,0.35)'),
    p50: cssVar('--p50', '#0072B2'),
    p99: cssVar('--p99', '#D55E00'),
    raw: cssVar('--raw', 'rgba(86,180,233,0.45)'),
  }
}

/** onThemeChange calls `fn` when the OS switches between light and dark; returns an unsubscriber. */
export function onThemeChange(fn: () => void): () => void {
  const mq = window.matchMedia('(prefers-color-scheme: dark)')
  const listener = (): void => {
    cached = null
    fn()
  }
  mq.addEventListener('change', listener)
  return () => mq.removeEventListener('change', listener)
}
