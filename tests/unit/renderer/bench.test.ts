import { describe, expect, it } from 'vitest'
import type { BenchReport } from '../../../shared/lab/bench'
import type { ElectRun } from '../../../shared/lab/figure16'
import type { WorkloadResult } from '../../../shared/lab/workload'
import {
  benchFraction,
  createActivityModel,
  electFraction,
  reduceActivity,
} from '../../../renderer/src/model/activity'
import {
  benchBars,
  electCurves,
  electTrialsCsv,
  varyingKeys,
} from '../../../renderer/src/model/benchData'
import { estimateMs, parseList, sweepFromForm } from '../../../renderer/src/model/benchForm'
import { Stream } from './events'

const latency = { count: 10, mean: 2, p50: 2, p90: 3, p99: 5, p999: 6, max: 7 }
const result = { writesPerSec: 1000, writeLatency: latency } as unknown as WorkloadResult
const report: BenchReport = {
  machine: { cpus: 2, cpuModel: 'x', os: 'linux', node: 'v20' },
  startedAt: '2025-01-01T00:00:00Z',
  workload: {} as BenchReport['workload'],
  rows: [1, 16].map((concurrency) => ({
    config: {
      nodes: 3,
      fsync: 'always',
      concurrency,
      valueSizeBytes: 64,
      maxEntriesPerMsg: 512,
      linkLatencyMs: 0,
    },
    result,
  })),
}

describe('benchmark forms', () => {
  it('read lists of whole numbers and name the bad field', () => {
    expect(parseList('1, 16 64,16', 'clients', 1, 4096)).toEqual({ values: [1, 16, 64] })
    expect(parseList('', 'clients', 1, 4096)).toEqual({ error: 'clients: give at least one value' })
    expect(parseList('0', 'nodes', 1, 9)).toMatchObject({ error: expect.stringContaining("'0'") })
  })

  it('build a sweep and estimate its length', () => {
    const r = sweepFromForm({
      nodes: '3,5',
      fsync: ['always', 'never'],
      concurrency: '16',
      valueSizeBytes: '64',
      maxEntriesPerMsg: '512',
      linkLatencyMs: '0',
    })
    if (!('sweep' in r)) throw new Error(r.error)
    expect(r.sweep.nodes).toEqual([3, 5])
    expect(estimateMs(r.sweep, 1000, 5000)).toBe(4 * 7500)
    expect(
      sweepFromForm({
        nodes: '3',
        fsync: [],
        concurrency: '1',
        valueSizeBytes: '1',
        maxEntriesPerMsg: '1',
        linkLatencyMs: '0',
      }),
    ).toEqual({
      error: 'fsync: pick always, never or both',
    })
  })
})

describe('benchmark results', () => {
  it('label configurations by what varies', () => {
    expect([...varyingKeys(report)]).toEqual(['concurrency'])
    const bars = benchBars(report)
    expect(bars.labels).toEqual(['1 client', '16 clients'])
    expect(bars.series.map((s) => s.label)).toEqual(['p50', 'p90', 'p99', 'p99.9', 'max'])
  })

  it('draw each range as a CDF with the paper beside it, and export every trial', () => {
    const trial = (range: string, n: number, ms: number | null) => ({
      range,
      trial: n,
      ok: ms !== null,
      ms,
      electedMs: ms,
      detectedMs: ms,
      crashedLeader: 1,
      crashedTerm: 2,
      newLeader: ms === null ? null : 2,
      newTerm: ms === null ? null : 3,
      crashDelayMs: 5,
      killUs: 10,
    })
    const run: ElectRun = {
      ranges: [
        {
          range: '150-300',
          minMs: 150,
          maxMs: 300,
          heartbeatMs: 75,
          trials: 3,
          failures: 1,
          discarded: 0,
          splitVotes: 0,
          stats: null,
          paper: null,
        },
      ],
      trials: [trial('150-300', 1, 200), trial('150-300', 2, 100), trial('150-300', 3, null)],
      durationMs: 1000,
      aborted: false,
    }
    const [c] = electCurves(run)
    expect(c?.points.map((p) => [p.x, Math.round(p.y ?? 0)])).toEqual([
      [100, 0],
      [100, 33],
      [200, 67],
    ])
    expect(c?.paper).toEqual({ medianMs: 171, maxMs: 603 })
    expect(electTrialsCsv(run).trim().split('\n')).toHaveLength(4)
  })
})

describe('activities', () => {
  it('follow progress to done and measure how far they are', () => {
    const s = new Stream()
    const a = createActivityModel()
    const config = report.rows[0]!.config
    reduceActivity(
      a,
      s.at(1, {
        type: 'bench.progress',
        index: 1,
        total: 4,
        config,
        elapsedMs: 500,
        totalMs: 1000,
        opsPerSec: 9,
      }),
    )
    expect(a.bench.running).toBe(true)
    expect(benchFraction(a.bench.progress)).toBeCloseTo(0.375)
    reduceActivity(a, s.at(2, { type: 'bench.done', report, cancelled: false }))
    expect(a.bench).toMatchObject({ running: false, report, error: null })
    reduceActivity(
      a,
      s.at(3, {
        type: 'elect.progress',
        range: '150-300',
        rangeIndex: 1,
        ranges: 2,
        trial: 5,
        trials: 10,
        failures: 0,
      }),
    )
    expect(electFraction(a.elect.progress)).toBeCloseTo(0.75)
    reduceActivity(a, s.at(4, { type: 'elect.done', run: null, cancelled: true, error: 'stopped' }))
    expect(a.elect).toMatchObject({ running: false, cancelled: true, error: 'stopped' })
  })
})
