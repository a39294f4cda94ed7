// The fault plane (electron/node/transport/faultPlane.ts) on its own, with a fake clock: losses
// and jitter drawn from a seeded generator are reproducible, each link's from its own stream, and
// delays keep a link's order.
import { describe, expect, it } from 'vitest'
import type { LinkRule } from '../../../shared/lab/events'
import { createRng } from '../../../shared/util/rng'
import { FaultPlane, faultRng, type FaultClock } from '../../../electron/node/transport/faultPlane'

/** FakeClock runs timers when told to advance. */
class FakeClock implements FaultClock {
  now = 1000
  private timers: { at: number; fn: () => void; id: number }[] = []
  private nextId = 1

  nowMs(): number {
    return this.now
  }

  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++
    this.timers.push({ at: this.now + ms, fn, id })
    return id
  }

  clearTimer(timer: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== timer)
  }

  get pending(): number {
    return this.timers.length
  }

  /** advance moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.now + ms
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at)
      const t = this.timers[0]
      if (!t || t.at > end) break
      this.timers.shift()
      this.now = Math.max(this.now, t.at)
      t.fn()
    }
    this.now = end
  }
}

function rule(to: number, patch: Partial<LinkRule>, from = 1): LinkRule {
  return { from, to, cut: false, latencyMs: 0, jitterMs: 0, lossPercent: 0, ...patch }
}

function plane(seed: number, clock = new FakeClock(), timeScale = 1): FaultPlane {
  return new FaultPlane({ from: 1, peers: [3, 2], rng: createRng(seed), timeScale, clock })
}

/** survivors sends `sends` batches of 10 numbered items to `to` and returns those admitted. */
function survivors(p: FaultPlane, to: number, sends: number): number[] {
  const kept: number[] = []
  for (let s = 0; s < sends; s++) {
    const items = Array.from({ length: 10 }, (_, i) => s * 10 + i)
    kept.push(...p.admit(to, items))
  }
  return kept
}

describe('the fault plane', () => {
  it('passes everything, at once, on a link without a rule', () => {
    const p = plane(1)
    expect(p.admit(2, [1, 2, 3])).toEqual([1, 2, 3])
    const delivered: number[] = []
    p.forward(2, () => delivered.push(1))
    expect(delivered).toEqual([1])
  })

  it('drops the same messages for the same seed, other ones for another seed', () => {
    const lossy = [rule(2, { lossPercent: 30 })]
    const a = plane(7)
    const b = plane(7)
    const c = plane(8)
    for (const p of [a, b, c]) p.setRules(lossy)
    const kept = survivors(a, 2, 100)
    expect(survivors(b, 2, 100)).toEqual(kept)
    expect(survivors(c, 2, 100)).not.toEqual(kept)
    // About 30 % of 1000 lost (a binomial's 5 standard deviations either side).
    expect(1000 - kept.length).toBeGreaterThan(230)
    expect(1000 - kept.length).toBeLessThan(370)
  })

  it("draws each link's losses from its own stream: other links' traffic changes nothing", () => {
    const lossy = [rule(2, { lossPercent: 50 }), rule(3, { lossPercent: 50 })]
    const alone = plane(3)
    const busy = plane(3)
    alone.setRules(lossy)
    busy.setRules(lossy)
    const kept: number[] = []
    for (let s = 0; s < 50; s++) {
      busy.admit(3, [1, 2, 3, 4, 5])
      kept.push(
        ...busy.admit(
          2,
          Array.from({ length: 10 }, (_, i) => s * 10 + i),
        ),
      )
    }
    expect(kept).toEqual(survivors(alone, 2, 50))
  })

  it("cuts a link whole, and ignores rules for other senders' links", () => {
    const p = plane(1)
    p.setRules([rule(2, { cut: true }), rule(3, { cut: true }, 2)])
    expect(p.admit(2, [1, 2, 3])).toEqual([])
    expect(p.admit(3, [1, 2, 3])).toEqual([1, 2, 3])
    expect(p.ruleFor(3)).toBeNull()
    p.setRules([])
    expect(p.admit(2, [1, 2, 3])).toEqual([1, 2, 3])
  })

  it('delays by latency ± jitter, reproducibly, keeping the link in order', () => {
    const run = (seed: number): number[] => {
      const clock = new FakeClock()
      const p = plane(seed, clock, 2)
      p.setRules([rule(2, { latencyMs: 10, jitterMs: 8 })])
      const at: number[] = []
      for (let i = 0; i < 20; i++) {
        p.forward(2, () => at.push(clock.now))
        clock.advance(1)
      }
      clock.advance(100)
      return at
    }
    const at = run(5)
    expect(at).toHaveLength(20)
    expect(run(5)).toEqual(at)
    expect(run(6)).not.toEqual(at)
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThanOrEqual(at[i - 1] as number)
    // Sent at 1000 + i; held (10 ± 8) × timeScale 2 = 4…36 ms, or until the previous delivery.
    at.forEach((t, i) => {
      expect(t).toBeGreaterThanOrEqual(1000 + i + 4 - 0.5)
      expect(t).toBeLessThanOrEqual(Math.max(1000 + i + 36, at[i - 1] ?? 0) + 0.5)
    })
  })

  it('holds sends until they are due, and close drops what it holds', () => {
    const clock = new FakeClock()
    const p = plane(1, clock)
    p.setRules([rule(2, { latencyMs: 50 })])
    const delivered: string[] = []
    p.forward(2, () => delivered.push('a'))
    p.forward(2, () => delivered.push('b'))
    clock.advance(49)
    expect(delivered).toEqual([])
    expect(p.heldCount(2)).toBe(2)
    clock.advance(1)
    expect(delivered).toEqual(['a', 'b'])
    p.forward(2, () => delivered.push('c'))
    p.close()
    clock.advance(100)
    expect(delivered).toEqual(['a', 'b'])
    expect(clock.pending).toBe(0)
  })
})

describe('faultRng', () => {
  const draws = (seed: number, cluster: string, id: number): number[] => {
    const r = faultRng(seed, cluster, id)
    return [r.float(), r.float(), r.float()]
  }

  it('forks the launch seed when there is one', () => {
    expect(draws(701, 'lab-a', 1)).toEqual(draws(701, 'lab-b', 1))
    expect(draws(701, 'lab-a', 1)).not.toEqual(draws(702, 'lab-a', 1))
    // …apart from the core's own stream of the same seed.
    const core = createRng(701)
    expect(draws(701, 'lab-a', 1)).not.toEqual([core.float(), core.float(), core.float()])
  })

  it('without a seed, derives one from the cluster id and the node id', () => {
    expect(draws(0, 'lab-1234abcd', 2)).toEqual(draws(0, 'lab-1234abcd', 2))
    expect(draws(0, 'lab-1234abcd', 2)).not.toEqual(draws(0, 'lab-1234abcd', 3))
    expect(draws(0, 'lab-1234abcd', 2)).not.toEqual(draws(0, 'lab-1234abce', 2))
  })
})
