// Workloads against the live cluster, and benchmark runs, driven through Lab commands as the app
// drives them.
import { afterEach, describe, expect, it } from 'vitest'
import { Lab } from '../../electron/lab/engine/lab'
import type { LabEvent } from '../../shared/lab/events'
import { closeAndCheck, startLab, waitUntil, type TestLab } from './helpers'

let t: TestLab | null = null
afterEach(async () => {
  if (t) await closeAndCheck(t)
  t = null
})

describe('lab activities', () => {
  it('workload.start streams samples until workload.stop, then reports its result', async () => {
    t = await startLab({ nodes: 3 })
    await t.leader()
    const started = await t.lab.command({
      type: 'workload.start',
      spec: { concurrency: 4, mix: { put: 3, get: 1, cas: 0 } },
    })
    expect(started.ok).toBe(true)
    const again = await t.lab.command({ type: 'workload.start', spec: {} })
    expect(again).toMatchObject({ ok: false, code: 'state' })
    expect(
      await waitUntil(
        () => (t?.events.filter((e) => e.type === 'workload.sample').length ?? 0) >= 3,
        10_000,
      ),
    ).toBe(true)
    const sample = t.events.find(
      (e): e is Extract<LabEvent, { type: 'workload.sample' }> =>
        e.type === 'workload.sample' && e.sample.writes > 0,
    )
    expect(sample?.sample.p50Ms).toBeGreaterThan(0)
    expect(sample?.sample.points.length).toBeGreaterThan(0)
    expect((await t.lab.command({ type: 'workload.stop' })).ok).toBe(true)
    expect(
      await waitUntil(() => t?.events.some((e) => e.type === 'workload.stopped') ?? false, 10_000),
    ).toBe(true)
    const stopped = t.events.find((e) => e.type === 'workload.stopped')
    expect(stopped?.type === 'workload.stopped' && stopped.result?.counts.put.ok).toBeGreaterThan(0)
  })

  it('refuses bad workload settings and a benchmark while a live cluster runs', async () => {
    t = await startLab({ nodes: 1 })
    expect(await t.lab.command({ type: 'workload.start', spec: { concurrency: 0 } })).toMatchObject(
      { ok: false, code: 'invalid' },
    )
    expect(
      await t.lab.command({
        type: 'bench.start',
        sweep: {
          nodes: [1],
          fsync: ['never'],
          concurrency: [1],
          valueSizeBytes: [8],
          maxEntriesPerMsg: [64],
          linkLatencyMs: [0],
        },
        workload: {},
      }),
    ).toMatchObject({ ok: false, code: 'state' })
  })

  it('bench.start runs a sweep in the engine and reports progress and a report', async () => {
    const lab = new Lab()
    const events: LabEvent[] = []
    lab.subscribe((b) => events.push(...b))
    try {
      const res = await lab.command({
        type: 'bench.start',
        sweep: {
          nodes: [1],
          fsync: ['never'],
          concurrency: [2],
          valueSizeBytes: [8],
          maxEntriesPerMsg: [64],
          linkLatencyMs: [0],
        },
        workload: { durationMs: 800, warmupMs: 200 },
      })
      expect(res.ok).toBe(true)
      expect(await waitUntil(() => events.some((e) => e.type === 'bench.done'), 30_000)).toBe(true)
      const done = events.find((e) => e.type === 'bench.done')
      expect(done?.type === 'bench.done' && done.report?.rows.length).toBe(1)
      expect(events.some((e) => e.type === 'bench.progress')).toBe(true)
    } finally {
      await lab.close()
    }
  })
})
