// What keeps the lab's text whole and apart (issue 12, items 9 and 10): the ring leaves room for
// every node's crown, badge and labels; the two directions of a link write their numbers on their
// own sides; the node menu finds a place that hides no node; fault labels run on past a short
// band instead of being cut; counts read with thousands separators.
import { describe, expect, it } from 'vitest'
import { layoutBandLabels } from '../../../renderer/src/model/chartData'
import { formatIndices } from '../../../renderer/src/model/format'
import {
  linkLabelPlace,
  menuPlacement,
  nodeExtent,
  overlapArea,
  ringLayout,
  type Box,
} from '../../../renderer/src/model/geometry'
import { fitChars, labelRoom, NODE_FONT_PX } from '../../../renderer/src/model/nodeText'
import { estimateTextPx } from '../../../renderer/src/model/geometry'

describe('numbers on the ring', () => {
  it('group thousands in a node’s indices, as everywhere else', () => {
    expect(formatIndices({ commit: 199356, applied: 199356, lastIndex: 199356 })).toBe(
      'c199,356 l199,356',
    )
    expect(formatIndices({ commit: 199356, applied: 199350, lastIndex: 199360 })).toBe(
      'c199,356 a199,350 l199,360',
    )
    expect(formatIndices({ commit: 7, applied: 7, lastIndex: 9 })).toBe('c7 l9')
  })
})

describe('the ring layout', () => {
  // The cluster pane's drawing area at 1280×720 and 1600×1000, and a narrow one.
  const boxes = [
    { width: 676, height: 287 },
    { width: 996, height: 414 },
    { width: 420, height: 260 },
  ]
  const labelPx = labelRoom([
    {
      indices: 'c199,356 a199,350 l199,356',
      state: 'stale leader (t12 < t13)',
      detail: null,
      silentMs: 0,
    },
  ])

  it('keeps every node’s crown, badge, timer and three label lines inside the pane', () => {
    for (const box of boxes)
      for (let n = 1; n <= 9; n++) {
        const l = ringLayout(n, box, labelPx)
        l.positions.forEach((p, i) => {
          const e = nodeExtent(l.sides[i] ?? 'below', l.r, labelPx, 3)
          const where = `${n} nodes in ${box.width}×${box.height}, node ${i + 1}`
          expect(p.x - e.left, where).toBeGreaterThanOrEqual(-0.01)
          expect(p.x + e.right, where).toBeLessThanOrEqual(box.width + 0.01)
          expect(p.y - e.top, where).toBeGreaterThanOrEqual(-0.01)
          expect(p.y + e.bottom, where).toBeLessThanOrEqual(box.height + 0.01)
        })
      }
  })

  it('leaves room above the top node for the leader’s star', () => {
    const l = ringLayout(5, boxes[0] as { width: number; height: number }, labelPx)
    const top = l.positions[0] as { x: number; y: number }
    // The star is drawn 10 px above the node, 18 px tall: it ends ~r + 27 above the centre.
    expect(top.y - l.r - 27).toBeGreaterThanOrEqual(0)
  })

  it('is as large as the pane allows: a 5-node ring spans most of a 1280×720 pane', () => {
    const box = boxes[0] as { width: number; height: number }
    const typical = labelRoom([{ indices: 'c2,761 l2,765', state: '', detail: null, silentMs: 0 }])
    const l = ringLayout(5, box, typical)
    const ys = l.positions.map((p) => p.y)
    const xs = l.positions.map((p) => p.x)
    // Node centres span over half the height and half the width; nodes keep full size.
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(box.height * 0.55)
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(box.width * 0.5)
    expect(l.r).toBe(27)
  })

  it('makes room for the widest label, and shortens a crash’s reason to that room', () => {
    expect(labelPx).toBeGreaterThanOrEqual(estimateTextPx('c199,356 a199,350 l199,356', 10.5))
    const reason =
      'exited with code 1: refused its data directory: the log is newer than the snapshot'
    const short = fitChars(reason, labelPx, NODE_FONT_PX.detail)
    expect(short.endsWith('…')).toBe(true)
    expect(estimateTextPx(short, NODE_FONT_PX.detail)).toBeLessThanOrEqual(labelPx)
  })
})

describe('link labels', () => {
  it('put each direction’s numbers on its own side of the link, at every angle', () => {
    const label = '20±5 ms 10% loss'
    for (let deg = 0; deg < 360; deg += 5) {
      const a = { x: 300, y: 200 }
      const b = {
        x: 300 + 180 * Math.cos((deg * Math.PI) / 180),
        y: 200 + 180 * Math.sin((deg * Math.PI) / 180),
      }
      const ab = linkLabelPlace(a, b, 4, label)
      const ba = linkLabelPlace(b, a, 4, label)
      expect(overlapArea(ab.box, ba.box), `${deg}°`).toBe(0)
      // Both are near the link's middle (within a label's length of it).
      for (const p of [ab, ba]) {
        const c = { x: p.box.left + p.box.width / 2, y: p.box.top + p.box.height / 2 }
        expect(Math.hypot(c.x - 300 - (b.x - 300) / 2, c.y - 200 - (b.y - 200) / 2)).toBeLessThan(
          p.box.width,
        )
      }
    }
  })
})

describe('the node menu', () => {
  it('covers no node and little of the ring, for every node of a 5-node ring at 1280×720', () => {
    const window: Box = { left: 0, top: 0, width: 1280, height: 720 }
    // The ring as it is laid out in the cluster pane (x 253, y 43) at 1280×720.
    const l = ringLayout(5, { width: 676, height: 287 }, 96)
    const at = l.positions.map((p) => ({ x: p.x + 253, y: p.y + 43 }))
    const bodies = at.map((p) => ({
      left: p.x - l.r,
      top: p.y - l.r,
      width: 2 * l.r,
      height: 2 * l.r,
    }))
    const left = Math.min(...bodies.map((b) => b.left))
    const top = Math.min(...bodies.map((b) => b.top))
    const ring = {
      left,
      top,
      width: Math.max(...bodies.map((b) => b.left + b.width)) - left,
      height: Math.max(...bodies.map((b) => b.top + b.height)) - top,
    }
    const menu = { width: 272, height: 300 }
    at.forEach((p, i) => {
      const m = menuPlacement({ ...p, r: l.r }, bodies, ring, menu, window)
      const box = { ...m, ...menu }
      expect(box.left).toBeGreaterThanOrEqual(0)
      expect(box.top).toBeGreaterThanOrEqual(0)
      expect(box.left + box.width).toBeLessThanOrEqual(1280)
      expect(box.top + box.height).toBeLessThanOrEqual(720)
      for (const b of bodies) expect(overlapArea(b, box), `menu of n${i + 1}`).toBe(0)
      expect(overlapArea(ring, box) / (ring.width * ring.height)).toBeLessThan(0.25)
    })
  })
})

describe('fault labels on the term chart', () => {
  const area = { left: 52, right: 900 }

  it('run on past a band too short for them rather than being cut', () => {
    // A 2-second pause on a one-minute axis is about 25 px; its label is about 60.
    const [p] = layoutBandLabels([{ x0: 300, x1: 325, textPx: 60 }], area)
    expect(p).toEqual({ x: 303, row: 0, maxPx: area.right - 2 - 303 })
    expect(p?.maxPx).toBeGreaterThanOrEqual(60)
  })

  it('put labels of nearby bands on different rows, each whole', () => {
    const places = layoutBandLabels(
      [
        { x0: 300, x1: 310, textPx: 60 },
        { x0: 330, x1: 340, textPx: 60 },
        { x0: 420, x1: 440, textPx: 60 },
      ],
      area,
    )
    expect(places.map((p) => p?.row)).toEqual([0, 1, 0])
    for (const p of places) expect(p?.maxPx).toBeGreaterThanOrEqual(60)
  })

  it('move a label left from the right edge, and shorten one only when every row is taken', () => {
    const [edge] = layoutBandLabels([{ x0: 880, x1: 900, textPx: 120 }], area)
    expect(edge?.x).toBe(area.right - 2 - 120)
    const crowded = layoutBandLabels(
      Array.from({ length: 4 }, () => ({ x0: 300, x1: 302, textPx: 200 })),
      area,
    )
    expect(crowded.slice(0, 3).map((p) => p?.row)).toEqual([0, 1, 2])
    expect(crowded[3]).toBeNull()
  })
})
