// Where things go in the cluster view: nodes on a ring sized so that every node's crown, badge and
// labels stay inside the pane, each directed link as its own line beside its opposite (its label on
// its own side), so one direction can be cut, slowed or clicked on its own. Pure.

/** Vec is a point in the view's coordinates. */
export interface Vec {
  x: number
  y: number
}

/** ringPositions places `count` nodes on an ellipse (a circle when rx = ry), the first at the
 * top, clockwise. A wide, short box gets a wide ring rather than a tiny circle. */
export function ringPositions(count: number, center: Vec, rx: number, ry: number = rx): Vec[] {
  if (count === 1) return [{ ...center }]
  return Array.from({ length: count }, (_, i) => {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / count
    return { x: center.x + rx * Math.cos(a), y: center.y + ry * Math.sin(a) }
  })
}

/** nodeRadius shrinks nodes as the ring fills up. */
export function nodeRadius(count: number): number {
  return count <= 3 ? 30 : count <= 5 ? 27 : count <= 7 ? 24 : 21
}

/** estimateTextPx is a generous estimate of a line's width in the UI's sans-serif at `fontPx`
 * (digits are tabular): the ring is laid out before anything is drawn, so it cannot measure. */
export function estimateTextPx(text: string, fontPx: number): number {
  let em = 0
  for (const ch of text) em += /[0-9]/.test(ch) ? 0.58 : /[,.:;' ()|]/.test(ch) ? 0.34 : 0.62
  return Math.ceil(em * fontPx)
}

/** LabelSide is where a node's text goes: outside the ring on its flanks (below, it would run
 * into the neighbour underneath on a flat ring), and below it at the top and bottom. */
export type LabelSide = 'below' | 'left' | 'right'

/** NODE_TEXT is the geometry of a node's text, shared by the drawing (ClusterNode) and the layout
 * that keeps it inside the pane: the crown above a leader, the term badge, and the label lines
 * (indices, then state, then detail). */
export const NODE_TEXT = {
  /** crownTop: the leader's ★ reaches this far above the centre, beyond r. */
  crownAbove: 27,
  /** ring: the halo and the election timer arc reach r + ring. */
  ring: 11,
  /** badgeRight: the term badge (up to 3 digits) reaches 0.78 r + badgeRight to the right. */
  badgeRight: 30,
  lineHeight: 13,
  /** belowFirst: the first label line's baseline under the node, beyond r. */
  belowFirst: 15,
  /** sideGap: the gap between the node and a side label. */
  sideGap: 10,
  /** ascent and descent of the label font, for the box around the lines. */
  ascent: 9,
  descent: 4,
} as const

/** labelAnchor is where a node's label lines start, relative to its centre. */
export function labelAnchor(
  side: LabelSide,
  r: number,
): { x: number; y: number; anchor: 'middle' | 'start' | 'end' } {
  if (side === 'below') return { x: 0, y: r + NODE_TEXT.belowFirst, anchor: 'middle' }
  const x = r + NODE_TEXT.sideGap
  return side === 'right'
    ? { x, y: r * 0.55, anchor: 'start' }
    : { x: -x, y: r * 0.55, anchor: 'end' }
}

/** Extent is how far a drawing reaches from a point, each way. */
export interface Extent {
  left: number
  right: number
  top: number
  bottom: number
}

/** nodeExtent is how far a node's drawing reaches from its centre: body, halo and timer, the
 * crown it has when it leads, its badge, and `lines` label lines up to `labelPx` wide. */
export function nodeExtent(side: LabelSide, r: number, labelPx: number, lines: number): Extent {
  const T = NODE_TEXT
  const e: Extent = {
    left: r + T.ring,
    right: Math.max(r + T.ring, 0.78 * r + T.badgeRight),
    top: r + T.crownAbove,
    bottom: r + T.ring,
  }
  if (lines <= 0) return e
  const a = labelAnchor(side, r)
  const top = a.y - T.ascent
  const bottom = a.y + (lines - 1) * T.lineHeight + T.descent
  const [l, rt] =
    a.anchor === 'middle'
      ? [-labelPx / 2, labelPx / 2]
      : a.anchor === 'start'
        ? [a.x, a.x + labelPx]
        : [a.x - labelPx, a.x]
  return {
    left: Math.max(e.left, -l),
    right: Math.max(e.right, rt),
    top: Math.max(e.top, -top),
    bottom: Math.max(e.bottom, bottom),
  }
}

/** RingLayout is where the nodes go in a box. */
export interface RingLayout {
  center: Vec
  rx: number
  ry: number
  /** r: the nodes' radius. */
  r: number
  positions: Vec[]
  sides: LabelSide[]
}

/** RING_PAD: room left between the drawing and the pane's edge. */
const RING_PAD = 4

/** fitRadius is the largest radius along one axis that keeps every node inside [0, size]: node i
 * sits at c + radius·u[i] and reaches lo[i] before it and hi[i] after it. */
function fitRadius(
  u: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  size: number,
): number {
  const room = size - 2 * RING_PAD
  let radius = Infinity
  for (let i = 0; i < u.length; i++)
    for (let j = 0; j < u.length; j++) {
      const d = (u[j] as number) - (u[i] as number)
      if (d > 1e-9) radius = Math.min(radius, (room - (lo[i] as number) - (hi[j] as number)) / d)
    }
  return Number.isFinite(radius) ? Math.max(0, radius) : 0
}

/** centerFor is the centre along one axis that leaves equal room before the first node and after
 * the last, for a given radius. */
function centerFor(
  u: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  radius: number,
  size: number,
): number {
  let min = -Infinity
  let max = Infinity
  for (let i = 0; i < u.length; i++) {
    min = Math.max(min, RING_PAD + (lo[i] as number) - radius * (u[i] as number))
    max = Math.min(max, size - RING_PAD - (hi[i] as number) - radius * (u[i] as number))
  }
  return min <= max ? (min + max) / 2 : min
}

/** ringLayout places `count` nodes on the largest ring that keeps every node's drawing (crown,
 * badge, timer and `lines` label lines up to `labelPx` wide) inside the box. The first node is at
 * the top, clockwise; a few nodes stay on a roundish ring, many spread across a wide box (up to
 * 2.4 or 4 times as wide as tall), and nodes shrink when they would touch their neighbours. */
export function ringLayout(
  count: number,
  box: { width: number; height: number },
  labelPx: number,
  lines = 3,
): RingLayout {
  const angles = Array.from({ length: count }, (_, i) => -Math.PI / 2 + (i * 2 * Math.PI) / count)
  const cos = angles.map((a) => (count === 1 ? 0 : Math.cos(a)))
  const sin = angles.map((a) => (count === 1 ? 0 : Math.sin(a)))
  const sides = cos.map((c): LabelSide => (Math.abs(c) < 0.45 ? 'below' : c > 0 ? 'right' : 'left'))
  let r = nodeRadius(count)
  let fit = { rx: 0, ry: 0, cx: box.width / 2, cy: box.height / 2 }
  // Twice: nodes that had to shrink need less room, which leaves a little more for the ring.
  for (let pass = 0; pass < 2; pass++) {
    const ext = sides.map((s) => nodeExtent(s, r, labelPx, lines))
    const left = ext.map((e) => e.left)
    const right = ext.map((e) => e.right)
    const top = ext.map((e) => e.top)
    const bottom = ext.map((e) => e.bottom)
    const wide = fitRadius(cos, left, right, box.width)
    const ry = Math.min(fitRadius(sin, top, bottom, box.height), wide)
    const rx = Math.min(wide, ry * (count <= 5 ? 2.4 : 4))
    fit = {
      rx,
      ry,
      cx: centerFor(cos, left, right, rx, box.width),
      cy: centerFor(sin, top, bottom, ry, box.height),
    }
    const spacing = count > 1 ? Math.min(rx, ry) * Math.sin(Math.PI / count) - 4 : 40
    const next = Math.max(15, Math.min(nodeRadius(count), spacing))
    if (next === r) break
    r = next
  }
  const center = { x: fit.cx, y: fit.cy }
  return {
    center,
    rx: fit.rx,
    ry: fit.ry,
    r,
    positions: cos.map((c, i) => ({
      x: center.x + fit.rx * c,
      y: center.y + fit.ry * (sin[i] as number),
    })),
    sides,
  }
}

/** directedLink is the segment drawn for from → to: shifted `offset` to the right of the travel
 * direction (so a → b and b → a sit side by side) and cut short by `gap` at each end (the nodes'
 * radius plus room for the arrowhead). */
export function directedLink(
  a: Vec,
  b: Vec,
  offset: number,
  gap: number,
): { a: Vec; b: Vec; mid: Vec } {
  const dx = b.x - a.x
  const dy = b.y - a.y
  const len = Math.hypot(dx, dy) || 1
  const ux = dx / len
  const uy = dy / len
  // Right-hand normal in screen coordinates (y grows downwards).
  const nx = -uy * offset
  const ny = ux * offset
  const s = { x: a.x + ux * gap + nx, y: a.y + uy * gap + ny }
  const e = { x: b.x - ux * gap + nx, y: b.y - uy * gap + ny }
  return { a: s, b: e, mid: { x: (s.x + e.x) / 2, y: (s.y + e.y) / 2 } }
}

/** voteArc is a quadratic curve from voter to candidate, bowed outward from the ring's centre,
 * as an SVG path. */
export function voteArc(a: Vec, b: Vec, center: Vec, gap: number): string {
  const l = directedLink(a, b, 0, gap)
  const mx = l.mid.x - center.x
  const my = l.mid.y - center.y
  const ml = Math.hypot(mx, my) || 1
  const bow = 28
  const c = { x: l.mid.x + (mx / ml) * bow, y: l.mid.y + (my / ml) * bow }
  const f = (v: number) => v.toFixed(1)
  return `M${f(l.a.x)},${f(l.a.y)} Q${f(c.x)},${f(c.y)} ${f(l.b.x)},${f(l.b.y)}`
}

/** arcDash draws a fraction (0–1) of a circle of radius r with stroke-dasharray. */
export function arcDash(fraction: number, r: number): string {
  const c = 2 * Math.PI * r
  const f = Math.max(0, Math.min(1, fraction))
  return `${(f * c).toFixed(2)} ${c.toFixed(2)}`
}

/** Box is an axis-aligned rectangle. */
export interface Box {
  left: number
  top: number
  width: number
  height: number
}

/** overlapArea is the area two boxes share. */
export function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left)
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top)
  return w > 0 && h > 0 ? w * h : 0
}

/** LINK_OFFSET: each direction's line runs this far to the right of the line between centres. */
const LINK_OFFSET = 4
/** LINK_LABEL: the link label's font size and line box. */
const LINK_LABEL = { fontPx: 10, height: 12, descent: 3 }

/** linkLabelPlace puts the label of a → b beside its own line, on the far side from b → a: the
 * box's corner nearest the link is `offset` + 2 px out along the direction's right-hand normal,
 * then the box slides along the link until it is centred on it. Sliding along the link keeps the
 * whole box on its side, so the labels of the two directions never overlap, at any angle. */
export function linkLabelPlace(
  a: Vec,
  b: Vec,
  offset: number,
  label: string,
): { at: Vec; box: Box } {
  const w = estimateTextPx(label, LINK_LABEL.fontPx)
  const h = LINK_LABEL.height
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1
  const t = { x: (b.x - a.x) / len, y: (b.y - a.y) / len }
  const n = { x: -t.y, y: t.x }
  const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }
  const p = { x: mid.x + n.x * (offset + 2), y: mid.y + n.y * (offset + 2) }
  // The corner that points back at the link goes to p.
  const left = n.x >= 0 ? p.x : p.x - w
  const top = n.y >= 0 ? p.y : p.y - h
  const c0 = { x: left + w / 2, y: top + h / 2 }
  const slide = (mid.x - c0.x) * t.x + (mid.y - c0.y) * t.y
  const c = { x: c0.x + t.x * slide, y: c0.y + t.y * slide }
  return {
    at: { x: c.x, y: c.y + h / 2 - LINK_LABEL.descent },
    box: { left: c.x - w / 2, top: c.y - h / 2, width: w, height: h },
  }
}

/** menuPlacement finds where a node's menu goes (window pixels): beside the node, away from the
 * ring's centre if there is room, else on its other side, below or above it, or beside the whole
 * ring — the first of those that covers no node and little of the ring, kept inside `bounds`. */
export function menuPlacement(
  node: Vec & { r: number },
  nodes: readonly Box[],
  ring: Box,
  menu: { width: number; height: number },
  bounds: Box,
): { left: number; top: number } {
  const { width: w, height: h } = menu
  const gap = node.r + 14
  const outwardRight = node.x >= ring.left + ring.width / 2
  const beside = (right: boolean) => (right ? node.x + gap : node.x - gap - w)
  const beyond = (right: boolean) => (right ? ring.left + ring.width + 12 : ring.left - 12 - w)
  const tops = [node.y - 40, node.y - h + 40, node.y - h / 2]
  const raw: { left: number; top: number }[] = [
    ...tops.map((top) => ({ left: beside(outwardRight), top })),
    ...tops.map((top) => ({ left: beside(!outwardRight), top })),
    { left: node.x - w / 2, top: node.y + gap },
    { left: node.x - w / 2, top: node.y - gap - h },
    ...tops.map((top) => ({ left: beyond(outwardRight), top })),
    ...tops.map((top) => ({ left: beyond(!outwardRight), top })),
  ]
  const ringArea = ring.width * ring.height
  let best = { left: 0, top: 0 }
  let bestScore = Infinity
  for (const c of raw) {
    const left = Math.max(bounds.left + 4, Math.min(bounds.left + bounds.width - w - 4, c.left))
    const top = Math.max(bounds.top + 4, Math.min(bounds.top + bounds.height - h - 4, c.top))
    const box = { left, top, width: w, height: h }
    const covered = nodes.filter((nb) => overlapArea(nb, box) > 0).length
    // A sliver of the ring is fine; a menu over much of it is not.
    const score = covered * 1e9 + Math.max(0, overlapArea(ring, box) - 0.1 * ringArea)
    if (score < bestScore) {
      best = { left, top }
      bestScore = score
    }
  }
  return best
}

/** LinkDraw is one direction of a link as the cluster view draws it. */
export interface LinkDraw {
  from: number
  to: number
  a: Vec
  b: Vec
  mid: Vec
  /** kind: 'cut' (dropped), 'slow' (latency or loss), 'ok'. */
  kind: 'ok' | 'cut' | 'slow'
  /** label: the latency and loss on a slow link ("20±5 ms 10% loss"). */
  label: string
  /** labelAt: where the label is written (its middle, on its baseline), and labelBox the box it
   * fills: on this direction's own side of the link, so the two directions' labels never meet. */
  labelAt: Vec
  labelBox: Box
  /** idle: the sending node is not running, so nothing travels this way. */
  idle: boolean
  title: string
}

/** LinkRuleLike is the part of a LinkRule the drawing needs. */
interface LinkRuleLike {
  from: number
  to: number
  cut: boolean
  latencyMs: number
  jitterMs: number
  lossPercent: number
}

/** linkDraws lays out every directed link between the nodes, with its rule's look. */
export function linkDraws(
  nodes: readonly { id: number; state: string }[],
  positions: ReadonlyMap<number, Vec>,
  rules: readonly LinkRuleLike[],
  gap: number,
): LinkDraw[] {
  const out: LinkDraw[] = []
  for (const f of nodes)
    for (const t of nodes) {
      const a = positions.get(f.id)
      const b = positions.get(t.id)
      if (f.id === t.id || !a || !b) continue
      const rule = rules.find((r) => r.from === f.id && r.to === t.id)
      const kind = rule?.cut ? 'cut' : rule ? 'slow' : 'ok'
      const parts: string[] = []
      if (rule && !rule.cut) {
        if (rule.latencyMs > 0)
          parts.push(`${rule.latencyMs}${rule.jitterMs > 0 ? `±${rule.jitterMs}` : ''} ms`)
        if (rule.lossPercent > 0) parts.push(`${rule.lossPercent}% loss`)
      }
      const label = parts.join(' ')
      const name = `n${f.id}→n${t.id}`
      const place = linkLabelPlace(a, b, LINK_OFFSET, label)
      out.push({
        from: f.id,
        to: t.id,
        ...directedLink(a, b, LINK_OFFSET, gap),
        kind,
        label,
        labelAt: place.at,
        labelBox: place.box,
        idle: f.state !== 'running',
        title:
          kind === 'cut'
            ? `${name} is cut: click to heal this direction`
            : `${name}${label ? `: ${label}` : ': healthy'} — click to cut this direction`,
      })
    }
  return out
}
