// The pure parts of `raftlab elect`: statistics, the paper's table, the heartbeat rule, the crash
// delays, and the node's `leader` telemetry surviving the control protocol.
import { describe, expect, it } from 'vitest'
import {
  crashDelayRng,
  heartbeatFor,
  PAPER_FIGURE16,
  PAPER_RANGES,
  rangeLabel,
  summarize,
} from '../../../shared/lab/figure16'
import { decodeTelemetry, encodeTelemetry, type Telemetry } from '../../../shared/protocol'

describe('summarize', () => {
  it('returns null for no trials', () => {
    expect(summarize([])).toBeNull()
  })

  it('takes the middle value of an odd count, whatever the input order', () => {
    expect(summarize([30, 10, 20])).toEqual({
      count: 3,
      min: 10,
      median: 20,
      mean: 20,
      p90: 30,
      p99: 30,
      max: 30,
    })
  })

  it('averages the two middle values of an even count', () => {
    expect(summarize([4, 1, 3, 2])?.median).toBe(2.5)
  })

  it('gives nearest-rank percentiles: with 1..100, p90 is 90 and p99 is 99', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => 100 - i))
    expect(s).toMatchObject({ min: 1, median: 50.5, mean: 50.5, p90: 90, p99: 99, max: 100 })
  })

  it('with 10 trials, p99 is the maximum and p90 the ninth', () => {
    const s = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(s?.p90).toBe(9)
    expect(s?.p99).toBe(10)
  })

  it('does not reorder its input', () => {
    const values = [3, 1, 2]
    summarize(values)
    expect(values).toEqual([3, 1, 2])
  })
})

describe('the paper and the heartbeat', () => {
  it('lists the paper’s eight ranges in its order, each with a median below its max', () => {
    expect(PAPER_RANGES.map(rangeLabel)).toEqual([
      '150-155',
      '150-175',
      '150-200',
      '150-300',
      '12-24',
      '25-50',
      '50-100',
      '100-200',
    ])
    for (const v of Object.values(PAPER_FIGURE16)) expect(v.medianMs).toBeLessThan(v.maxMs)
    expect(PAPER_FIGURE16['150-155']).toEqual({ medianMs: 287, maxMs: 2143 })
  })

  it('sets the heartbeat to half the minimum timeout, in whole ms, at least 1', () => {
    expect(heartbeatFor({ minMs: 150, maxMs: 300 })).toBe(75)
    expect(heartbeatFor({ minMs: 25, maxMs: 50 })).toBe(12)
    expect(heartbeatFor({ minMs: 12, maxMs: 24 })).toBe(6)
    expect(heartbeatFor({ minMs: 2, maxMs: 3 })).toBe(1)
  })
})

describe('crashDelayRng', () => {
  it('spreads even the first draw of consecutive small seeds over [0, 1)', () => {
    const firsts = Array.from({ length: 500 }, (_, i) => crashDelayRng(i + 1).float())
    const deciles = Array.from({ length: 10 }, () => 0)
    for (const x of firsts) deciles[Math.floor(x * 10)]!++
    // Uniform: about 50 per decile. A raw xoroshiro128+ puts all 500 in the last one.
    for (const n of deciles) expect(n).toBeGreaterThan(25)
    for (const n of deciles) expect(n).toBeLessThan(80)
  })

  it('repeats its sequence for a seed', () => {
    const a = crashDelayRng(9)
    const b = crashDelayRng(9)
    expect([a.float(), a.float()]).toEqual([b.float(), b.float()])
  })
})

describe('the leader telemetry item', () => {
  it('round-trips through a telemetry frame with its nanosecond string intact', () => {
    const big = (2n ** 62n + 12345n).toString()
    const t: Telemetry[] = [{ type: 'leader', leaderId: 3, term: 7, monoNs: big }]
    const back = decodeTelemetry(encodeTelemetry(t))
    expect(back).toEqual(t)
    const first = back[0]
    expect(first?.type === 'leader' && BigInt(first.monoNs)).toBe(2n ** 62n + 12345n)
  })
})
