import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../../renderer/src/model/backoff'
import { binLabel, logHistogram, quantile } from '../../../renderer/src/model/histogram'
import { toCsv } from '../../../shared/util/csv'
import { formatClock, formatMs, formatRate } from '../../../renderer/src/model/format'
import { directedLink, ringPositions } from '../../../renderer/src/model/geometry'
import { inkOn, nodeLook, termColor } from '../../../renderer/src/model/palette'
import { matchShortcut, SHORTCUTS, type KeyPress } from '../../../renderer/src/model/shortcuts'

describe('backoff', () => {
  it('doubles from the base up to the cap, with bounded jitter', () => {
    const none = () => 0.5
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, undefined, none))).toEqual([
      250, 500, 1000, 2000,
    ])
    expect(backoffDelay(50, undefined, none)).toBe(5000)
    expect(backoffDelay(0, undefined, () => 0)).toBe(200)
    expect(backoffDelay(0, undefined, () => 1)).toBe(300)
  })
})

describe('histogram', () => {
  it('bins on a log scale aligned to powers of ten and reads percentiles', () => {
    const h = logHistogram([1, 1.2, 2, 3, 50, 100], 5)
    expect(h.total).toBe(6)
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(6)
    expect(h.edges[0]).toBeCloseTo(1)
    expect(h.edges[h.edges.length - 1]).toBeGreaterThan(100)
    expect(h.p50).toBe(2)
    expect(h.max).toBe(100)
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4)
    expect(binLabel(1, 1.58)).toBe('1.0–1.6')
  })

  it('is empty for no values', () => {
    expect(logHistogram([]).counts).toEqual([])
  })
})

describe('formats', () => {
  it('reads time on the session clock and latencies with three figures', () => {
    expect(formatClock(67_212)).toBe('1:07.212')
    expect(formatClock(3_723_000, 0)).toBe('1:02:03')
    expect(formatMs(0.1234)).toBe('0.123')
    expect(formatMs(12.34)).toBe('12.3')
    expect(formatRate(2100)).toBe('2.1k/s')
  })

  it('quotes CSV cells that need it', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, NaN],
        ],
      ),
    ).toBe('a,b\n"x,y","say ""hi"""\n1,\n')
  })
})

describe('colour and shape', () => {
  it('never tells a role by colour alone', () => {
    const glyphs = new Set(
      ['leader', 'candidate', 'follower', 'precandidate'].map(
        (r) => nodeLook('running', r as never).glyph,
      ),
    )
    expect(glyphs.size).toBe(4)
    expect(nodeLook('paused', 'leader').key).toBe('paused')
    expect(nodeLook('crashed', null).glyph).toBe('✕')
  })

  it('gives adjacent terms different colours and picks readable ink', () => {
    for (let t = 1; t < 20; t++) expect(termColor(t)).not.toBe(termColor(t + 1))
    expect(inkOn('#F0E442')).toBe('#111111')
    expect(inkOn('#0072B2')).toBe('#FFFFFF')
  })
})

describe('geometry', () => {
  it('puts the first node at the top and draws each direction of a link on its own side', () => {
    const [a, b] = ringPositions(2, { x: 100, y: 100 }, 50)
    expect(a).toEqual({ x: 100, y: 50 })
    const ab = directedLink(a!, b!, 4, 10)
    const ba = directedLink(b!, a!, 4, 10)
    expect(Math.abs(ab.mid.x - ba.mid.x)).toBeCloseTo(8)
  })
})

describe('shortcuts', () => {
  const key = (k: string, p: Partial<KeyPress> = {}): KeyPress => ({
    key: k,
    shiftKey: false,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    inField: false,
    ...p,
  })
  it('maps the documented keys', () => {
    expect(matchShortcut(key('h'))).toEqual({ action: 'heal' })
    expect(matchShortcut(key('3'))).toEqual({ action: 'select-node', node: 3 })
    expect(matchShortcut(key('Q', { shiftKey: true }))).toEqual({ action: 'stop-cluster' })
    expect(matchShortcut(key('?'))).toEqual({ action: 'help' })
    expect(matchShortcut(key('k'))).toEqual({ action: 'replay-play' })
    expect(matchShortcut(key(']'))).toEqual({ action: 'replay-next-marker' })
  })
  it('gives every key one action only', () => {
    const seen = new Map<string, string>()
    for (const s of SHORTCUTS) {
      expect(seen.has(s.keys), `${s.keys}: ${seen.get(s.keys)} and ${s.action}`).toBe(false)
      seen.set(s.keys, s.action)
    }
  })
  it('leaves typing alone (but Escape always works) and ignores modified keys', () => {
    expect(matchShortcut(key('h', { inField: true }))).toBeNull()
    expect(matchShortcut(key('Escape', { inField: true }))).toEqual({ action: 'escape' })
    expect(matchShortcut(key('s', { ctrlKey: true }))).toBeNull()
  })
  it('documents every action it can return', () => {
    const documented = new Set(SHORTCUTS.map((s) => s.action))
    for (const k of [
      '?',
      'Enter',
      'p',
      'c',
      'x',
      't',
      'i',
      's',
      'b',
      'h',
      'w',
      'n',
      ' ',
      '+',
      'l',
      'v',
      '1',
      'r',
      'o',
      'k',
      ',',
      '.',
      '[',
      ']',
    ]) {
      const m = matchShortcut(key(k))
      expect(m && documented.has(m.action), k).toBe(true)
    }
  })
})
