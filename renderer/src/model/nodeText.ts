// The words under a node on the ring: its indices, its state when that is news, and why it died.
// One function, so the node that writes them and the ring that makes room for them agree. Pure.
import type { NodeModel } from './cluster'
import { formatIndices } from './format'
import { estimateTextPx } from './geometry'
import { nodeLook } from './palette'

/** SILENT_MS: a running node that has not reported for this long is drawn as silent. */
export const SILENT_MS = 1500

/** NODE_FONT_PX: the label lines' font sizes (the ring's CSS uses the same). */
export const NODE_FONT_PX = { indices: 10.5, state: 11, detail: 10 } as const

/** NodeText is what a node's label says. */
export interface NodeText {
  /** indices: "c1,204 l1,206" ('' before the first report). */
  indices: string
  /** state: said in words only when it is news (role is already shape, glyph and colour). */
  state: string
  /** detail: why a crashed node died (whole; the view shortens it to its room). */
  detail: string | null
  silentMs: number
}

/** nodeText words a node's label. */
export function nodeText(
  n: NodeModel,
  clusterTimeMs: number,
  clusterTerm?: number,
  lateMs = 0,
): NodeText {
  const s = n.status ?? n.lastStatus
  const role = n.state === 'running' ? n.status?.role : null
  const silentMs =
    n.state === 'running' && n.statusAtMs > 0 ? Math.max(0, clusterTimeMs - n.statusAtMs) : 0
  let state = ''
  if (silentMs > SILENT_MS) state = `silent ${(silentMs / 1000).toFixed(1)} s`
  else if (n.state !== 'running') state = n.state
  else if (lateMs > 0) state = `late ${Math.round(lateMs)} ms`
  else {
    // A leader cut off in a minority still believes it leads, in an old term.
    const t = n.status?.term ?? 0
    if (role === 'leader' && clusterTerm !== undefined && t < clusterTerm)
      state = `stale leader (t${t} < t${clusterTerm})`
    else if (role !== 'leader' && role !== 'follower')
      state = nodeLook(n.state, n.status?.role ?? null).label
  }
  return {
    indices: s ? formatIndices(s) : '',
    state,
    detail: n.state === 'crashed' ? n.detail : null,
    silentMs,
  }
}

/** MIN_LABEL_PX: room kept for labels however short they are now ("c9,999 l9,999"), so the ring
 * does not change size with every new digit of a young log. */
const MIN_LABEL_PX = estimateTextPx('c9,999 l9,999', NODE_FONT_PX.indices)

/** labelRoom is the width the ring keeps beside its nodes for their labels: the widest index or
 * state line, rounded up to 16 px so the ring does not move with every digit. (A crash's reason is
 * shortened to this width: the node menu and the tooltip hold it whole.) */
export function labelRoom(texts: readonly NodeText[]): number {
  let px = MIN_LABEL_PX
  for (const t of texts) {
    px = Math.max(px, estimateTextPx(t.indices, NODE_FONT_PX.indices))
    px = Math.max(px, estimateTextPx(t.state, NODE_FONT_PX.state))
  }
  return Math.ceil(px / 16) * 16
}

/** fitChars shortens a line with an ellipsis to fit `px` at `fontPx` (by the same estimate). */
export function fitChars(text: string, px: number, fontPx: number): string {
  if (estimateTextPx(text, fontPx) <= px) return text
  let out = text
  while (out.length > 1 && estimateTextPx(`${out}…`, fontPx) > px) out = out.slice(0, -1)
  return `${out.trimEnd()}…`
}
