// Where things go in the cluster view: nodes on a ring, each directed link as its own line beside
// its opposite, so one direction can be cut, slowed or clicked on its own. Pure.

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
      out.push({
        from: f.id,
        to: t.id,
        ...directedLink(a, b, 4, gap),
        kind,
        label,
        idle: f.state !== 'running',
        title:
          kind === 'cut'
            ? `${name} is cut: click to heal this direction`
            : `${name}${label ? `: ${label}` : ': healthy'} — click to cut this direction`,
      })
    }
  return out
}
