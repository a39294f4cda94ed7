// The nemesis loop of `raftlab test` under fake timers: every wait ends at the run's end or when
// the run stops it, whatever the fault interval, and what it applied it heals.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_TIMER_MS, sleep } from '../../../electron/lab/sleep'
import { planFault, runNemesis, type NemesisTarget } from '../../../electron/lab/activities/nemesis'
import type { LabCommand } from '../../../shared/lab'
import { createRng } from '../../../shared/util/rng'
import { clusterStatus } from '../cli/fakeLab'

/** target is a 3-node cluster led by n1 that records the commands it gets. */
function target(): NemesisTarget & { commands: LabCommand[] } {
  const commands: LabCommand[] = []
  return {
    commands,
    status: () => clusterStatus(),
    command: (cmd) => {
      commands.push(cmd)
      return Promise.resolve({ ok: true })
    },
  }
}

/** settled tells whether a promise has settled, after letting pending callbacks run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false
  void p.then(() => (done = true))
  await vi.advanceTimersByTimeAsync(0)
  return done
}

describe('sleep', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('returns at once when its signal was aborted before it began', async () => {
    const stop = new AbortController()
    stop.abort()
    expect(await settled(sleep(60_000, stop.signal))).toBe(true)
  })

  it('ends early when its signal aborts', async () => {
    const stop = new AbortController()
    const p = sleep(60_000, stop.signal)
    await vi.advanceTimersByTimeAsync(1000)
    expect(await settled(p)).toBe(false)
    stop.abort()
    expect(await settled(p)).toBe(true)
  })

  it('waits out delays longer than one Node timer holds instead of firing after 1 ms', async () => {
    const p = sleep(MAX_TIMER_MS + 5000)
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS)
    expect(await settled(p)).toBe(false)
    await vi.advanceTimersByTimeAsync(5000)
    expect(await settled(p)).toBe(true)
  })
})

describe('runNemesis', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('ends at the run’s end even when a fault is meant to hold for hours, and heals it', async () => {
    const t = target()
    const now = () => performance.now()
    const p = runNemesis(
      t,
      {
        kinds: ['pause'],
        faultEveryMs: 100_000_000,
        rng: createRng(1),
        endMs: now() + 10_000,
        now,
      },
      new AbortController().signal,
    )
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await settled(p)).toBe(true)
    expect(await p).toBe(1)
    expect(t.commands.map((c) => c.type)).toEqual(['node.pause', 'node.resume'])
  })

  it('stops when the run stops it, mid-fault or mid-rest, and never starts another wait', async () => {
    for (const stopAtMs of [1500, 2500, 4000, 7000]) {
      const t = target()
      const stop = new AbortController()
      const now = () => performance.now()
      const p = runNemesis(
        t,
        { kinds: ['kill'], faultEveryMs: 3000, rng: createRng(2), endMs: now() + 3_600_000, now },
        stop.signal,
      )
      await vi.advanceTimersByTimeAsync(stopAtMs)
      stop.abort()
      expect(await settled(p), `stopped at ${stopAtMs} ms`).toBe(true)
      const crashes = t.commands.filter((c) => c.type === 'node.crash').length
      const restarts = t.commands.filter((c) => c.type === 'node.restart').length
      expect(restarts, `stopped at ${stopAtMs} ms`).toBe(crashes)
    }
  })

  it('applies nothing with no kinds (the fault-free baseline)', async () => {
    const t = target()
    const now = () => performance.now()
    const p = runNemesis(
      t,
      { kinds: [], faultEveryMs: 1000, rng: createRng(3), endMs: now() + 10_000, now },
      new AbortController().signal,
    )
    expect(await settled(p)).toBe(true)
    expect(await p).toBe(0)
    expect(t.commands).toEqual([])
  })

  it('kill-all kills every node at the same moment, then restarts every one', async () => {
    // Each crash answers only once released: a nemesis that waited for one kill before sending
    // the next would have sent one.
    const commands: LabCommand[] = []
    const release: (() => void)[] = []
    const t: NemesisTarget = {
      status: () => clusterStatus(),
      command: (cmd) => {
        commands.push(cmd)
        if (cmd.type !== 'node.crash') return Promise.resolve({ ok: true })
        return new Promise((resolve) => release.push(() => resolve({ ok: true })))
      },
    }
    const stop = new AbortController()
    const now = () => performance.now()
    const p = runNemesis(
      t,
      { kinds: ['kill-all'], faultEveryMs: 3000, rng: createRng(4), endMs: now() + 60_000, now },
      stop.signal,
    )
    await vi.advanceTimersByTimeAsync(2000)
    expect(commands).toEqual([1, 2, 3].map((node) => ({ type: 'node.crash', node })))
    for (const r of release) r()
    stop.abort()
    expect(await settled(p)).toBe(true)
    expect(commands.slice(3)).toEqual([1, 2, 3].map((node) => ({ type: 'node.restart', node })))
  })
})

describe('planFault kill-all', () => {
  it('kills every node that has a process, paused ones too, and restarts those', () => {
    const status = clusterStatus()
    status.nodes = status.nodes.map((n) =>
      n.id === 2
        ? { ...n, state: 'paused' as const }
        : n.id === 3
          ? { ...n, state: 'crashed' as const, pid: null }
          : n,
    )
    const f = planFault(createRng(1), ['kill-all'], status)
    expect(f.kind).toBe('kill-all')
    expect(f.description).toBe('kill every node (n1,n2) at once and restart them')
    expect(f.apply).toEqual([1, 2].map((node) => ({ type: 'node.crash', node })))
    expect(f.heal).toEqual([1, 2].map((node) => ({ type: 'node.restart', node })))
  })
})
